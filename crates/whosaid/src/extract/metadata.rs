//! Title, authors, date, site, language and URL of a page.
//!
//! One walk over the DOM (explicit stack, no recursion) gathers every
//! candidate: meta tags, JSON-LD blocks, `<title>`, `<h1>`s, `<time>`s,
//! byline and date elements, each with where it sits (inside the article,
//! a header, or boilerplate such as comments and sidebars). The decisions
//! afterwards only look at these small lists.

use dom_query::{local_name, Document, LocalName, NodeData, NodeId, Tree};

use super::dates::{
    date_from_url, day_month_as_referenced, find_date_in_text, names_publication_date, parse_date,
    DateTime,
};
use super::jsonld;
use super::meta_authors::{clean_authors, clean_byline, credit_sentence_len, push_name};
use super::meta_title::{choose_title, site_from_title, title_key};
use super::Metadata;
use crate::hashing::PrehashedMap;

/// Inside an `<article>`, `<main>` or an element typed as an article.
const IN_ARTICLE: u8 = 1;
/// Inside a `<header>` or an element whose class names a header or title.
const IN_HEADER: u8 = 2;
/// Inside navigation, footers, sidebars, comments or related-story lists,
/// where names and dates belong to other things than the article.
const IN_NOISE: u8 = 4;
/// Inside an element whose class or id names a byline or author.
const IN_BYLINE: u8 = 8;
/// Inside an element whose class names the post's meta line or date.
const IN_DATELINE: u8 = 16;

/// Candidates of one kind kept per page; later ones are rarely the article's.
const MAX_CANDIDATES: usize = 24;

#[derive(Debug, Clone)]
struct Found {
    text: String,
    flags: u8,
    /// Position of its element in document order.
    order: u32,
}

/// A date shown on the page: a `<time>`, an element marked as the
/// publication date, or a short text holding a date.
#[derive(Debug, Clone)]
struct VisibleDate {
    date: DateTime,
    /// Position of its element in document order.
    order: u32,
    flags: u8,
    /// `pubdate`, `itemprop="datePublished"` or "Published" next to it.
    marked_published: bool,
    /// `itemprop="dateModified"` or "Updated" next to it.
    marked_modified: bool,
}

/// Everything the walk collects.
#[derive(Debug, Default)]
struct Facts {
    /// (lower-cased name/property/itemprop/http-equiv, content)
    metas: Vec<(String, String)>,
    canonical: Option<String>,
    html_lang: Option<String>,
    title_tag: Option<String>,
    /// The holder named in a "© 2025 The Gazette" line.
    copyright_holder: Option<String>,
    h1s: Vec<Found>,
    jsonld: Vec<String>,
    visible_dates: Vec<VisibleDate>,
    /// Dates written in navigation, sidebars and other boilerplate.
    boilerplate_dates: Vec<VisibleDate>,
    /// Elements marked as the author: itemprop, rel=author.
    marked_authors: Vec<Found>,
    /// Elements whose class or id names a byline or an author, links to an
    /// author page, "By …" texts and texts after a "Written by" label.
    bylines: Vec<Found>,
    /// Links to an author page inside boilerplate: the post's author box
    /// in a footer or sidebar, or the writers of related stories.
    boxed_authors: Vec<Found>,
}

impl Facts {
    fn meta(&self, keys: &[&str]) -> Option<&str> {
        keys.iter().find_map(|k| {
            self.metas
                .iter()
                .find(|(name, value)| name == k && !value.trim().is_empty())
                .map(|(_, v)| v.trim())
        })
    }
}

/// Reads the page's metadata.
pub fn extract(doc: &Document, url: Option<&str>) -> Metadata {
    let tree = &doc.tree;
    let facts = walk(tree);
    let ld = jsonld::read(&facts.jsonld);

    let page_url = canonical_url(&facts, &ld, url);
    let host_label = page_url.as_deref().or(url).and_then(host_main_label);

    let declared_site = facts
        .meta(&[
            "og:site_name",
            "application-name",
            "apple-mobile-web-app-title",
        ])
        .map(str::to_string)
        .or_else(|| ld.website_name.clone())
        .or_else(|| ld.publisher.clone());

    let title = pick_title(&facts, &ld, declared_site.as_deref(), host_label.as_deref());
    // Undeclared, the site name is what the title tag adds to the
    // headline, else the holder of the copyright line.
    let site = declared_site
        .or_else(|| {
            let headline = title.as_deref()?;
            facts
                .title_tag
                .as_deref()
                .and_then(|t| site_from_title(&collapse(t), headline))
                .or_else(|| {
                    facts
                        .meta(&["og:title"])
                        .and_then(|t| site_from_title(&collapse(t), headline))
                })
        })
        .or_else(|| facts.copyright_holder.clone());
    let mut site_names: Vec<&str> = Vec::new();
    site_names.extend(site.as_deref());
    site_names.extend(ld.website_name.as_deref());
    // On a personal blog the publisher is the author; an author list that
    // is only site names falls back to itself, so this costs nothing there.
    site_names.extend(ld.publisher.as_deref());
    site_names.extend(host_label.as_deref());
    let anchor = title_anchor(&facts, title.as_deref());
    let authors = pick_authors(&facts, &ld, &site_names, anchor);
    let published = pick_date(&facts, &ld, page_url.as_deref().or(url), anchor);
    let language = pick_language(&facts, &ld);

    Metadata {
        title,
        authors,
        published,
        site: site.map(|s| collapse(&s)).filter(|s| !s.is_empty()),
        language,
        url: page_url.or_else(|| url.map(str::to_string)),
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn pick_title(
    facts: &Facts,
    ld: &jsonld::JsonLd,
    site: Option<&str>,
    host: Option<&str>,
) -> Option<String> {
    let mut metas: Vec<&str> = Vec::new();
    if let Some(t) = facts.meta(&["og:title"]) {
        metas.push(t);
    }
    if let Some(t) = ld.headline.as_deref() {
        metas.push(t);
    }
    if let Some(t) = facts.meta(&[
        "twitter:title",
        "dc.title",
        "sailthru.title",
        "parsely-title",
    ]) {
        metas.push(t);
    }
    if let Some(t) = facts.title_tag.as_deref() {
        metas.push(t);
    }
    let metas: Vec<String> = metas.iter().map(|m| collapse(m)).collect();
    let metas: Vec<&str> = metas.iter().map(String::as_str).collect();
    // Headings in the article first, then the rest; never boilerplate.
    let mut headings: Vec<&str> = facts
        .h1s
        .iter()
        .filter(|h| h.flags & IN_ARTICLE != 0 && h.flags & IN_NOISE == 0)
        .map(|h| h.text.as_str())
        .collect();
    headings.extend(
        facts
            .h1s
            .iter()
            .filter(|h| h.flags & IN_ARTICLE == 0 && h.flags & IN_NOISE == 0)
            .map(|h| h.text.as_str()),
    );
    let mut sites: Vec<&str> = Vec::new();
    sites.extend(site);
    sites.extend(ld.publisher.as_deref());
    sites.extend(ld.website_name.as_deref());
    sites.extend(host);
    choose_title(&metas, &headings, &sites)
}

/// Meta names whose content is the author.
const AUTHOR_METAS: [&str; 9] = [
    "author",
    "article:author",
    "sailthru.author",
    "parsely-author",
    // A paper's citation metas list every author, its Dublin Core creator
    // often only the first.
    "citation_author",
    "citation_authors",
    "dc.creator",
    "dcterms.creator",
    "byl",
];

fn is_site_name(key: &str, site_names: &[&str]) -> bool {
    let squashed: String = key.chars().filter(|c| *c != ' ').collect();
    !squashed.is_empty()
        && site_names.iter().any(|site| {
            let site_squashed: String = title_key(site).chars().filter(|c| *c != ' ').collect();
            squashed == site_squashed
        })
}

fn pick_authors(
    facts: &Facts,
    ld: &jsonld::JsonLd,
    site_names: &[&str],
    anchor: Option<u32>,
) -> Vec<String> {
    let mut structured = Vec::new();
    for name in &ld.authors {
        for n in clean_authors(name) {
            push_name(&mut structured, &n);
        }
    }
    if structured.is_empty() {
        for key in AUTHOR_METAS {
            for (k, v) in &facts.metas {
                if k == key && !looks_like_url(v) {
                    if key.starts_with("citation_") {
                        // One author per tag, often "Last, First".
                        push_name(&mut structured, v);
                        continue;
                    }
                    for n in clean_authors(v) {
                        push_name(&mut structured, &n);
                    }
                }
            }
            if !structured.is_empty() {
                break;
            }
        }
    }
    if structured.is_empty() {
        for n in written_by_card(facts).iter().flat_map(|v| clean_authors(v)) {
            push_name(&mut structured, &n);
        }
    }
    let structured = strip_site_names(structured, site_names);
    // A CMS that credits the site itself often shows the real writer on the
    // page; when it does not, the site is the author as far as anyone says.
    let only_site = !structured.is_empty()
        && structured
            .iter()
            .all(|n| is_site_name(&title_key(n), site_names));
    // Shown on the page: the byline nearest the title wins, so that the
    // authors of related stories and comments further down do not.
    let mut shown: Vec<&Found> = facts
        .marked_authors
        .iter()
        .chain(&facts.bylines)
        .filter(|f| f.flags & IN_NOISE == 0)
        .collect();
    shown.sort_by_key(|f| match anchor {
        Some(a) if f.order >= a => f.order - a,
        Some(a) => (a - f.order) * 2,
        None => f.order,
    });
    if !structured.is_empty() && !only_site {
        // The data often names only the first of several writers, or the
        // name without its title ("Dr."): the byline shown beside the
        // headline then says more about the same people.
        let nearest = shown
            .iter()
            .take(4)
            .map(|f| (f, strip_site_names(clean_byline(&f.text), site_names)))
            .find(|(_, names)| !names.is_empty());
        if let Some((f, names)) = nearest {
            if extends(&names, &structured) {
                return names;
            }
            // A "By Jane Doe" line right under the headline names the
            // writer readers see; data naming someone else entirely is
            // stale or the account that uploaded the post.
            if starts_like_byline(&f.text)
                && anchor.is_some_and(|a| f.order >= a && f.order - a <= BESIDE_HEADLINE)
                && disjoint(&names, &structured)
            {
                return names;
            }
        }
        return structured;
    }
    let mut site_credit = Vec::new();
    for f in &shown {
        let names = strip_site_names(clean_byline(&f.text), site_names);
        let names = tighter_nested_byline(facts, f, names, site_names);
        if names.is_empty() {
            continue;
        }
        if names
            .iter()
            .all(|n| is_site_name(&title_key(n), site_names))
        {
            if site_credit.is_empty() {
                site_credit = names;
            }
            continue;
        }
        return names;
    }
    if !structured.is_empty() {
        return structured;
    }
    if site_credit.is_empty() {
        // Themes put the author box in the post's footer or sidebar; a
        // name marked as the author there still names this page's writer.
        let mut boxed: Vec<&Found> = facts
            .marked_authors
            .iter()
            .filter(|f| f.flags & IN_NOISE != 0)
            .chain(&facts.boxed_authors)
            .collect();
        boxed.sort_by_key(|f| match anchor {
            Some(a) if f.order >= a => f.order - a,
            Some(a) => (a - f.order) * 2,
            None => f.order,
        });
        if let Some(names) = boxed
            .iter()
            .take(1)
            .map(|f| strip_site_names(clean_byline(&f.text), site_names))
            .find(|names| !names.is_empty())
        {
            return names;
        }
    }
    site_credit
}

/// The writer named on the page's share card: SEO plugins pair
/// `twitter:labelN` "Written by" with `twitter:dataN` holding the name.
fn written_by_card(facts: &Facts) -> Option<&str> {
    let (label_key, _) = facts.metas.iter().find(|(k, v)| {
        k.starts_with("twitter:label") && v.trim().eq_ignore_ascii_case("written by")
    })?;
    let data_key = format!("twitter:data{}", label_key.strip_prefix("twitter:label")?);
    facts.meta(&[data_key.as_str()])
}

/// Elements after a byline container within which its parts sit.
const NESTED_BYLINE_SPAN: u32 = 8;

/// A byline container's text runs the name into the writer's job
/// ("By Ida Fern Gardener & Astrologer"); an element inside it that holds
/// the name alone gives the same people without the job. Taken only when
/// it drops nothing but single words and job-title tails, so that a
/// container naming two writers keeps both.
fn tighter_nested_byline(
    facts: &Facts,
    container: &Found,
    names: Vec<String>,
    site_names: &[&str],
) -> Vec<String> {
    let inner = facts
        .marked_authors
        .iter()
        .chain(&facts.bylines)
        .filter(|g| {
            g.order > container.order
                && g.order <= container.order + NESTED_BYLINE_SPAN
                && g.text.len() < container.text.len()
                && container.text.contains(g.text.as_str())
        })
        .map(|g| strip_site_names(clean_byline(&g.text), site_names))
        .find(|inner| !inner.is_empty());
    let Some(inner) = inner else { return names };
    let tighter = inner.len() <= names.len()
        && inner != names
        && inner.iter().zip(&names).all(|(i, n)| {
            n == i
                || n.strip_prefix(i.as_str())
                    .is_some_and(|rest| rest.starts_with(' '))
        })
        && names[inner.len()..]
            .iter()
            .all(|extra| extra.split_whitespace().count() == 1);
    if tighter {
        inner
    } else {
        names
    }
}

/// Elements after the headline within which a byline stands beside it.
const BESIDE_HEADLINE: u32 = 40;

/// No word of a name in `a` is a word of a name in `b` (initials and
/// other one-letter words aside).
fn disjoint(a: &[String], b: &[String]) -> bool {
    let words = |names: &[String]| -> Vec<String> {
        names
            .iter()
            .flat_map(|n| n.split_whitespace())
            .map(|w| {
                w.trim_matches(|c: char| !c.is_alphanumeric())
                    .to_lowercase()
            })
            .filter(|w| w.len() > 1)
            .collect()
    };
    let wb = words(b);
    words(a).iter().all(|w| !wb.contains(w))
}

/// `shown` starts with the people of `data`, in order, each as given or
/// with an honorific ("Dr."), and either adds people or adds honorifics.
/// Anything looser lets a byline's stray words ("Jane Doe Verified")
/// replace a clean name.
fn extends(shown: &[String], data: &[String]) -> bool {
    if shown.len() < data.len() {
        return false;
    }
    let mut added_honorific = false;
    for (s, d) in shown.iter().zip(data) {
        let (s, d) = (s.to_lowercase(), d.to_lowercase());
        if s == d {
            continue;
        }
        let honorific = s
            .strip_suffix(d.as_str())
            .map(str::trim_end)
            .is_some_and(|prefix| matches!(prefix, "dr" | "dr." | "prof" | "prof." | "professor"));
        if !honorific {
            return false;
        }
        added_honorific = true;
    }
    shown.len() > data.len() || added_honorific
}

/// Removes a site name glued to the end of a byline ("Jane Doe USA TODAY")
/// and drops entries that are a site name beside real names.
fn strip_site_names(names: Vec<String>, site_names: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = names
        .into_iter()
        .map(|n| {
            for site in site_names {
                let site = site.trim();
                if site.len() >= 3 && n.len() > site.len() + 2 {
                    if let Some(head) = n.strip_suffix(site) {
                        if head.ends_with([' ', ',']) {
                            return head.trim_end_matches([' ', ',', '-', '|']).to_string();
                        }
                    }
                }
            }
            n
        })
        .collect();
    if out.iter().any(|n| !is_site_name(&title_key(n), site_names)) {
        out.retain(|n| !is_site_name(&title_key(n), site_names));
    }
    out
}

fn looks_like_url(s: &str) -> bool {
    let s = s.trim_start();
    s.starts_with("http://")
        || s.starts_with("https://")
        || s.starts_with("//")
        || s.starts_with("www.")
}

/// Meta names whose content is the publication date, most specific first.
const DATE_METAS: [&str; 29] = [
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "article.published",
    "published_time",
    "og:published_time",
    "publish-date",
    "publish_date",
    "publishdate",
    "pubdate",
    "sailthru.date",
    "parsely-pub-date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "dc.date.created",
    "citation_publication_date",
    "citation_date",
    "date",
    "article_date_original",
    "originalpublicationdate",
    "datecreated",
    "published",
    "published-date",
    "publication_date",
    "publication-date",
    "pub_date",
];

/// Document position of the `<h1>` that carries the title, else of the
/// first heading in the article.
fn title_anchor(facts: &Facts, title: Option<&str>) -> Option<u32> {
    let key = title.map(title_key).filter(|k| !k.is_empty());
    let reads_as_title = |h: &&Found| key.as_deref().is_some_and(|k| title_key(&h.text) == k);
    facts
        .h1s
        .iter()
        .find(|h| h.flags & IN_NOISE == 0 && reads_as_title(h))
        // The heading that reads as the title is the title's, even where a
        // wrapper's class made its region look like boilerplate.
        .or_else(|| facts.h1s.iter().find(reads_as_title))
        .or_else(|| {
            facts
                .h1s
                .iter()
                .find(|h| h.flags & IN_NOISE == 0 && h.flags & IN_ARTICLE != 0)
        })
        .or_else(|| facts.h1s.iter().find(|h| h.flags & IN_NOISE == 0))
        .map(|h| h.order)
}

/// Elements after the title heading (half that before it) that are its
/// dateline's, whatever their region.
const BESIDE_TITLE: u32 = 16;

/// Extra distance (in elements) of a date shown as "Updated".
const MODIFIED_PENALTY: u32 = 40;

/// How far (in elements) a shown date may sit from the title heading.
const MAX_DATE_DISTANCE: u32 = 400;

/// The date shown with the article: the one nearest after the title
/// heading (dates before it count double distance: a date above the title
/// is common, but so is a list of other stories), else the first one in
/// the article or its header.
fn visible_date(facts: &Facts, anchor: Option<u32>) -> Option<&VisibleDate> {
    // A date right beside the title heading is its dateline even when a
    // wrapper's class filed it under boilerplate.
    // A labelled one ("Published …") or a lone one: a list of dates
    // there is other stories'.
    let beside_title = |v: &&VisibleDate| {
        let near = anchor.is_some_and(|a| {
            (v.order >= a && v.order - a <= BESIDE_TITLE)
                || (v.order < a && a - v.order <= BESIDE_TITLE / 2)
        });
        let in_list = || {
            facts
                .boilerplate_dates
                .iter()
                .any(|w| !std::ptr::eq(w, *v) && w.order.abs_diff(v.order) <= DATE_LIST_SPACING)
        };
        near && (v.marked_published || v.marked_modified || !in_list())
    };
    let usable = facts
        .visible_dates
        .iter()
        .filter(|v| v.flags & IN_NOISE == 0)
        .chain(facts.boilerplate_dates.iter().filter(beside_title));
    match anchor {
        Some(a) => usable
            .filter_map(|v| {
                let distance = if v.order >= a {
                    v.order - a
                } else {
                    (a - v.order) * 2
                };
                (distance <= MAX_DATE_DISTANCE).then_some((distance, v))
            })
            // The publication date shown beside an "Updated" one wins, but
            // not one from a list of other stories further down.
            .min_by_key(|(d, v)| {
                *d + if v.marked_modified {
                    MODIFIED_PENALTY
                } else {
                    0
                }
            })
            .map(|(_, v)| v),
        None => usable.into_iter().find(|v| {
            v.flags & (IN_ARTICLE | IN_HEADER | IN_BYLINE | IN_DATELINE) != 0 || v.marked_published
        }),
    }
}

fn pick_date(
    facts: &Facts,
    ld: &jsonld::JsonLd,
    url: Option<&str>,
    anchor: Option<u32>,
) -> Option<String> {
    // Yoast and similar stamp every page, article or not, with WebPage
    // dates; without an article type they count only when the page was
    // never modified since.
    let ld_published = (ld.has_article || ld.modified.is_none())
        .then(|| ld.published.as_deref().and_then(parse_date))
        .flatten();
    let meta_published = facts.meta(&DATE_METAS).and_then(parse_date);
    let modified: Vec<DateTime> = [ld.modified.as_deref(), facts.meta(&MODIFIED_METAS)]
        .into_iter()
        .flatten()
        .filter_map(parse_date)
        .collect();
    // The date shown beside the headline, even an "Updated" one, is the
    // date readers (and the evaluation data) take as the article's; the
    // JSON-LD publication date only when nothing is shown.
    let shown = visible_date(facts, anchor);
    let chosen = match (meta_published, shown) {
        (Some(meta), Some(v)) if shown_publication_overrides(meta, v, &modified) => Some(v.date),
        (Some(meta), _) => Some(meta),
        (None, v) => v.map(|v| v.date),
    };
    // A publication date under a name of the site's own making
    // ("w-published-date") is still the site's word, but the known names,
    // JSON-LD and the page itself go first.
    let own_meta_published = || {
        facts
            .metas
            .iter()
            .filter(|(name, value)| names_publication_date(name) && !value.trim().is_empty())
            .find_map(|(_, value)| parse_date(value))
    };
    let url_date = url.and_then(date_from_url);
    let found = chosen
        .or(ld_published)
        .or_else(own_meta_published)
        .or(url_date)
        .or_else(|| boilerplate_dateline(facts, anchor));
    // "03/10/2024" read month first while the data says 3 October: the
    // page writes day first, and the data has the unambiguous date.
    let references: Vec<DateTime> = [meta_published, ld_published, url_date]
        .into_iter()
        .flatten()
        .collect();
    let found = found.map(|d| day_month_as_referenced(d, &references));
    found.map(|d: DateTime| d.to_record_string())
}

/// Meta names whose content is the last modification date.
const MODIFIED_METAS: [&str; 3] = ["article:modified_time", "og:updated_time", "datemodified"];

/// A date shown as published next to the title beats a meta publication
/// date that disagrees: CMSs stamp the meta with the first draft, an import
/// or a republication, while the page shows what the editors chose. The
/// same instant written in another zone is no disagreement, and a shown
/// date that is the modification date is not the publication.
fn shown_publication_overrides(meta: DateTime, shown: &VisibleDate, modified: &[DateTime]) -> bool {
    let d = shown.date;
    let same_day =
        |a: &DateTime, b: &DateTime| (a.year, a.month, a.day) == (b.year, b.month, b.day);
    shown.marked_published
        && !shown.marked_modified
        && !same_day(&d, &meta)
        && !matches!((d.utc_minutes(), meta.utc_minutes()), (Some(a), Some(b)) if a == b)
        && !modified.iter().any(|m| same_day(m, &d))
}

/// Elements between two dates of a list (an archive, a related-stories
/// box); a lone dateline has no neighbour this close.
const DATE_LIST_SPACING: u32 = 10;

/// A dateline the walk filed as boilerplate (a post's sidebar box with
/// "Published: …"), near the title and not one of a list of dates; only
/// when nothing else dates the page.
fn boilerplate_dateline(facts: &Facts, anchor: Option<u32>) -> Option<DateTime> {
    let a = anchor?;
    let datelines: Vec<&VisibleDate> = facts
        .boilerplate_dates
        .iter()
        .filter(|v| v.flags & IN_DATELINE != 0)
        .collect();
    datelines
        .iter()
        .filter(|v| {
            !datelines
                .iter()
                .any(|w| !std::ptr::eq(*w, **v) && w.order.abs_diff(v.order) <= DATE_LIST_SPACING)
        })
        .filter_map(|v| {
            let distance = if v.order >= a {
                v.order - a
            } else {
                (a - v.order) * 2
            };
            (distance <= MAX_DATE_DISTANCE).then_some((distance, v.date))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, date)| date)
}

fn pick_language(facts: &Facts, ld: &jsonld::JsonLd) -> Option<String> {
    facts
        .html_lang
        .as_deref()
        .and_then(primary_subtag)
        .or_else(|| {
            facts
                .meta(&["content-language", "language", "dc.language", "og:locale"])
                .and_then(primary_subtag)
        })
        .or_else(|| ld.language.as_deref().and_then(primary_subtag))
}

/// `en-US`, `en_GB`, `EN` → `en`; anything that is not a 2–3 letter code
/// is rejected.
fn primary_subtag(tag: &str) -> Option<String> {
    let first = tag.trim().split([',', ';']).next()?.trim();
    let primary = first.split(['-', '_']).next()?;
    (2..=3)
        .contains(&primary.len())
        .then(|| primary.to_ascii_lowercase())
        .filter(|p| p.bytes().all(|b| b.is_ascii_lowercase()))
}

fn canonical_url(facts: &Facts, ld: &jsonld::JsonLd, url: Option<&str>) -> Option<String> {
    let candidates = [
        facts.canonical.as_deref(),
        facts.meta(&["og:url"]),
        ld.url.as_deref(),
    ];
    candidates
        .into_iter()
        .flatten()
        .find_map(|c| absolute_url(c.trim(), url))
}

/// Makes `href` absolute against `base` when it is root- or
/// scheme-relative; other relative forms are rare for canonical links and
/// are dropped.
fn absolute_url(href: &str, base: Option<&str>) -> Option<String> {
    if href.starts_with("http://") || href.starts_with("https://") {
        return Some(href.to_string());
    }
    let base = base?;
    let (scheme, rest) = base.split_once("://")?;
    if let Some(h) = href.strip_prefix("//") {
        return Some(format!("{scheme}://{h}"));
    }
    if href.starts_with('/') {
        let host = rest.split(['/', '?', '#']).next()?;
        return Some(format!("{scheme}://{host}{href}"));
    }
    None
}

/// The main label of a URL's host: `www.example.co.uk` → `example`.
fn host_main_label(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest
        .split(['/', '?', '#', ':'])
        .next()?
        .to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty()).collect();
    let skip = |l: &str| {
        matches!(
            l,
            "www"
                | "com"
                | "org"
                | "net"
                | "co"
                | "uk"
                | "au"
                | "de"
                | "io"
                | "news"
                | "blog"
                | "edu"
                | "gov"
        )
    };
    labels
        .iter()
        .rev()
        .find(|l| !skip(l))
        .map(|l| l.to_string())
}

// ---------------------------------------------------------------------------
// The walk.

/// Elements whose content is never read as page text.
fn is_opaque(name: &str) -> bool {
    matches!(
        name,
        "style"
            | "noscript"
            | "template"
            | "svg"
            | "iframe"
            | "select"
            | "textarea"
            | "math"
            | "object"
            | "canvas"
    )
}

/// Inline elements: their boundaries do not separate words.
fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "a" | "b"
            | "i"
            | "em"
            | "strong"
            | "u"
            | "small"
            | "sup"
            | "sub"
            | "mark"
            | "abbr"
            | "font"
            | "s"
            | "cite"
            | "q"
            | "bdi"
            | "wbr"
    )
}

/// What the class and id of an element say about it, as bits.
const CLASS_NOISE: u16 = 1;
const CLASS_HEADER: u16 = 2;
const CLASS_ARTICLE: u16 = 4;
/// "posts", "articles": a list of them, which undoes [`CLASS_ARTICLE`].
const CLASS_LISTING: u16 = 8;
const CLASS_DATE: u16 = 16;
const CLASS_BYLINE: u16 = 32;
const CLASS_PUBLISHED: u16 = 64;
const CLASS_UPDATED: u16 = 128;
/// A category or section label ("byline__category"), never a name.
const CLASS_CATEGORY: u16 = 256;
/// What an author box says about the writer besides the name
/// ("author-description"): a job title or a bio.
const CLASS_AUTHOR_DETAIL: u16 = 512;

/// Substrings of lower-cased class and id values and what they mean.
const CLASS_NEEDLES: [(&str, u16); 44] = [
    ("comment", CLASS_NOISE),
    ("sidebar", CLASS_NOISE),
    ("related", CLASS_NOISE),
    ("footer", CLASS_NOISE),
    ("recommend", CLASS_NOISE),
    ("popular", CLASS_NOISE),
    ("newsletter", CLASS_NOISE),
    ("trending", CLASS_NOISE),
    ("more-stories", CLASS_NOISE),
    ("read-next", CLASS_NOISE),
    ("promo", CLASS_NOISE),
    ("breadcrumb", CLASS_NOISE),
    ("-nav", CLASS_NOISE),
    ("header", CLASS_HEADER),
    ("headline", CLASS_HEADER),
    ("title", CLASS_HEADER),
    ("hero", CLASS_HEADER),
    ("post", CLASS_ARTICLE),
    ("article", CLASS_ARTICLE),
    ("entry", CLASS_ARTICLE),
    ("story", CLASS_ARTICLE),
    ("posts", CLASS_LISTING),
    ("articles", CLASS_LISTING),
    ("entries", CLASS_LISTING),
    ("stories", CLASS_LISTING),
    ("date", CLASS_DATE),
    ("time", CLASS_DATE),
    ("posted", CLASS_DATE),
    ("publish", CLASS_DATE | CLASS_PUBLISHED),
    ("meta", CLASS_DATE),
    ("dateline", CLASS_DATE),
    ("timestamp", CLASS_DATE),
    ("byline", CLASS_BYLINE),
    ("author", CLASS_BYLINE),
    ("writer", CLASS_BYLINE),
    ("posted-by", CLASS_BYLINE),
    ("postedby", CLASS_BYLINE),
    ("contributor", CLASS_BYLINE),
    ("updat", CLASS_UPDATED),
    ("modif", CLASS_UPDATED),
    ("pubdate", CLASS_PUBLISHED),
    ("published", CLASS_PUBLISHED),
    ("categor", CLASS_CATEGORY),
    ("descript", CLASS_AUTHOR_DETAIL),
];

/// The needles grouped by first byte, so that each position of a class
/// string is compared only with the few needles that can start there.
fn needles_by_first_byte() -> &'static [Vec<(&'static [u8], u16)>] {
    type Buckets = Vec<Vec<(&'static [u8], u16)>>;
    static TABLE: std::sync::OnceLock<Buckets> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = vec![Vec::new(); 256];
        for (needle, bits) in CLASS_NEEDLES {
            table[usize::from(needle.as_bytes()[0])].push((needle.as_bytes(), bits));
        }
        table
    })
}

/// Every needle found anywhere in `class` (lower-cased), as one mask.
fn classify(class: &[u8]) -> u16 {
    let table = needles_by_first_byte();
    let mut mask = 0;
    for i in 0..class.len() {
        for (needle, bits) in &table[usize::from(class[i])] {
            // A byte loop, not `starts_with`: most comparisons fail on the
            // second byte, and a libc memcmp call costs more than that.
            let rest = &class[i..];
            if rest.len() >= needle.len() && rest.iter().zip(needle.iter()).all(|(a, b)| a == b) {
                mask |= bits;
            }
        }
    }
    mask
}

/// A class value with its bracketed parts blanked: utility classes write
/// CSS values there (`[--sidebar-width:18rem]`, `bg-[var(--footer)]`),
/// which name no part of the page. Borrowed when there are none.
fn without_bracketed_values(class: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if memchr::memchr(b'[', class).is_none() {
        return std::borrow::Cow::Borrowed(class);
    }
    let mut depth = 0u32;
    let blanked = class
        .iter()
        .map(|&b| {
            let inside = depth > 0 || b == b'[';
            match b {
                b'[' => depth += 1,
                b']' => depth = depth.saturating_sub(1),
                _ => {}
            }
            if inside {
                b' '
            } else {
                b
            }
        })
        .collect();
    std::borrow::Cow::Owned(blanked)
}

/// The name in a copyright line: "© 2010–2025 The Gazette. All rights
/// reserved." gives "The Gazette".
fn copyright_holder(text: &str) -> Option<String> {
    let t = text.trim();
    if t.len() > 200 {
        return None;
    }
    let rest = t
        .strip_prefix('©')
        .or_else(|| t.strip_prefix("(c)"))
        .or_else(|| t.strip_prefix("(C)"))
        .or_else(|| t.strip_prefix("Copyright"))?;
    let rest = rest.trim_start_matches(|c: char| {
        c.is_whitespace() || c.is_ascii_digit() || matches!(c, '©' | '-' | '–' | ',' | '.')
    });
    let end = rest
        .find(['.', '|', ',', ';', '\n'])
        .unwrap_or(rest.len())
        .min(rest.find(" All rights").unwrap_or(rest.len()));
    let name = rest[..end].trim();
    let words = name.split_whitespace().count();
    ((1..=6).contains(&words) && name.chars().next().is_some_and(char::is_uppercase))
        .then(|| name.to_string())
}

/// The text is only a byline label ("By", "Written by:").
const LABEL_BYLINE: u8 = 1;
/// The text speaks of publishing ("Published", "Posted").
const LABEL_PUBLISHED: u8 = 2;
/// The text speaks of an update ("Updated", "Last modified").
const LABEL_UPDATED: u8 = 4;

/// What a short text says about the date or name next to it.
fn text_label(t: &str) -> u8 {
    if t.len() > 48 {
        return 0;
    }
    // Lower-cased on the stack: this runs for every short text of the page.
    let mut buf = [0u8; 48];
    let lower_bytes = &mut buf[..t.len()];
    lower_bytes.copy_from_slice(t.as_bytes());
    lower_bytes.make_ascii_lowercase();
    let Ok(lower) = std::str::from_utf8(lower_bytes) else {
        return 0;
    };
    let mut label = 0;
    if credit_sentence_len(lower) == Some(lower.trim_end().len())
        || matches!(
            lower.trim_end_matches([':', ' ']),
            "by" | "written by"
                | "posted by"
                | "words by"
                | "author"
                | "authors"
                | "story by"
                | "article by"
        )
    {
        label |= LABEL_BYLINE;
    }
    // Without a colon these are menu entries ("Contributors" pages).
    if matches!(
        lower.trim_end().strip_suffix(':').map(str::trim_end),
        Some("author(s)" | "contributor" | "contributors")
    ) {
        label |= LABEL_BYLINE;
    }
    label | date_words_label(lower.as_bytes())
}

/// `LABEL_PUBLISHED` for "publish" or "posted" anywhere in `lower`,
/// `LABEL_UPDATED` for "updat" or "modif": one pass over a short text
/// instead of four substring searchers built for it.
fn date_words_label(lower: &[u8]) -> u8 {
    let mut label = 0;
    for (i, &b) in lower.iter().enumerate() {
        let rest = &lower[i..];
        label |= match b {
            b'p' if rest.starts_with(b"publish") || rest.starts_with(b"posted") => LABEL_PUBLISHED,
            b'u' if rest.starts_with(b"updat") => LABEL_UPDATED,
            b'm' if rest.starts_with(b"modif") => LABEL_UPDATED,
            _ => 0,
        };
    }
    label
}

/// The last text was a short date ("Dec 26, 2025").
const DATELINE_DATE: u8 = 1;
/// The last texts were a short date and a separator ("Dec 26, 2025 ·"):
/// a name that follows is the writer's ("· Jane Doe in Category").
const DATELINE_SEPARATED: u8 = 2;

/// The dateline state after a text `t` (that holds a date or not).
fn next_dateline_step(step: u8, t: &str, has_date: bool) -> u8 {
    const SEPARATORS: [char; 6] = ['·', '•', '|', '—', '–', '-'];
    let is_separator = |s: &str| s.chars().count() == 1 && s.starts_with(SEPARATORS);
    if step == DATELINE_DATE && is_separator(t) {
        DATELINE_SEPARATED
    } else if has_date && t.len() <= 40 {
        match t.strip_suffix(SEPARATORS) {
            Some(_) => DATELINE_SEPARATED,
            None => DATELINE_DATE,
        }
    } else {
        0
    }
}

/// Every name in `t` is a person's name of two words or more.
fn names_a_person(t: &str) -> bool {
    let names = clean_byline(t);
    !names.is_empty() && names.iter().all(|n| n.split_whitespace().nth(1).is_some())
}

/// "By Jane Doe", "Written by Jane Doe".
fn starts_like_byline(t: &str) -> bool {
    let bytes = t.as_bytes();
    t.len() <= 120
        && [
            "by ",
            "by: ",
            "written by ",
            "posted by ",
            "words by ",
            "author: ",
            "story by ",
        ]
        .iter()
        .any(|p| bytes.len() > p.len() && bytes[..p.len()].eq_ignore_ascii_case(p.as_bytes()))
        || credit_sentence_len(t).is_some_and(|n| n < t.len())
}

/// Links to an author's page: `/author/jane-doe`, `/authors/…`,
/// `/writers/…`, `/profile/…`.
pub(super) fn is_author_page(href: &str) -> bool {
    let lower = href.to_ascii_lowercase();
    [
        "/author/",
        "/authors/",
        "/writer/",
        "/writers/",
        "/contributor/",
        "/contributors/",
        "/byline/",
    ]
    .iter()
    .any(|p| lower.contains(p))
        && !lower.contains("/feed")
}

/// Text nodes at most this long are read for dates; longer ones are prose.
const MAX_DATE_TEXT: usize = 200;

fn walk(tree: &Tree) -> Facts {
    let mut facts = Facts::default();
    let mut stack: Vec<(NodeId, u8)> = vec![(tree.root_id(), 0)];
    let mut class_buf = String::new();
    // `classify` of each class attribute value seen, by a hash of the value.
    let mut class_masks: PrehashedMap<u16> = PrehashedMap::default();
    let mut order: u32 = 0;
    // What the previous short text labels ("Last updated:", "Written by"),
    // for a date or name in an element of its own after it.
    let mut previous_label: u8 = 0;
    // The text node that `previous_label` came from.
    let mut label_node = tree.root_id();
    // How far the texts before spell a dateline's "Dec 26, 2025 ·".
    let mut dateline_step = 0;
    // The last link to an author page: its block, itself, its byline.
    let mut last_author_link: Option<(NodeId, NodeId, usize)> = None;
    while let Some((id, flags)) = stack.pop() {
        let node = tree.get_unchecked(&id);
        let mut child_flags = flags;
        let mut descend = true;
        if facts.copyright_holder.is_none() {
            facts.copyright_holder = node
                .query(|n| match &n.data {
                    NodeData::Text { contents } => copyright_holder(contents),
                    _ => None,
                })
                .flatten();
        }
        let text_found = node
            .query(|n| match &n.data {
                NodeData::Text { contents } => {
                    let t = contents.trim();
                    // Whitespace between the label's element and the next
                    // one is no text of its own.
                    if t.is_empty() {
                        return None;
                    }
                    if t.len() > MAX_DATE_TEXT {
                        previous_label = 0;
                        dateline_step = 0;
                        return None;
                    }
                    let label = std::mem::replace(&mut previous_label, text_label(t));
                    let label_id = std::mem::replace(&mut label_node, id);
                    let date = t
                        .bytes()
                        .any(|b| b.is_ascii_digit())
                        .then(|| find_date_in_text(t))
                        .flatten()
                        .map(|d| (d, label | previous_label));
                    let own_label = previous_label & LABEL_BYLINE != 0;
                    let after_label = label & LABEL_BYLINE != 0;
                    let after_date = dateline_step == DATELINE_SEPARATED;
                    dateline_step = next_dateline_step(dateline_step, t, date.is_some());
                    let by = flags & IN_NOISE == 0 && starts_like_byline(t);
                    // "Dec 26, 2025 · Jane Doe in Category".
                    let in_dateline = !after_label
                        && !by
                        && after_date
                        && flags & IN_NOISE == 0
                        && names_a_person(t);
                    // In boilerplate only a name after its own label counts:
                    // "By …" there is mostly related stories and credits.
                    let byline = (!own_label && (after_label || by || in_dateline))
                        .then(|| (t.to_string(), after_label.then_some(label_id), in_dateline));
                    Some((date, byline))
                }
                _ => None,
            })
            .flatten();
        if let Some((date, byline)) = text_found {
            // A name after "by" inside a sentence ("a library written by
            // <a>Jane Doe</a> in C") made what the article mentions; a
            // byline's label starts a short line of its own.
            let byline = byline
                .filter(|(_, label_id, in_dateline)| {
                    label_id
                        .is_none_or(|l| inline_run_len(tree, l, MAX_BYLINE_RUN) <= MAX_BYLINE_RUN)
                        && (!in_dateline
                            || inline_run_len(tree, id, MAX_DATELINE_RUN) <= MAX_DATELINE_RUN)
                })
                .map(|(text, _, _)| text);
            // A date inside a sentence is what the article talks about (a
            // deadline, a citation, an event), not when it was written.
            // Classes that name a byline or dateline vouch for the line.
            let date = date.filter(|_| {
                flags & (IN_BYLINE | IN_DATELINE) != 0
                    || inline_run_len(tree, id, MAX_DATELINE_RUN) <= MAX_DATELINE_RUN
            });
            if let Some((date, label)) = date {
                let list = if flags & IN_NOISE == 0 {
                    &mut facts.visible_dates
                } else {
                    &mut facts.boilerplate_dates
                };
                if list.len() < 4 * MAX_CANDIDATES {
                    list.push(VisibleDate {
                        date,
                        order,
                        flags,
                        marked_published: label & LABEL_PUBLISHED != 0,
                        marked_modified: label & LABEL_UPDATED != 0,
                    });
                }
            }
            if let Some(text) = byline {
                if flags & IN_NOISE != 0 {
                    if facts.boxed_authors.len() < MAX_CANDIDATES {
                        facts.boxed_authors.push(Found { text, flags, order });
                    }
                } else if facts.bylines.len() < 2 * MAX_CANDIDATES {
                    facts.bylines.push(Found {
                        text,
                        flags: flags | IN_BYLINE,
                        order,
                    });
                }
            }
            continue;
        }
        let Some(el) = node.element_ref() else {
            if node.is_document() || node.is_fragment() {
                let mut child = node.last_child();
                while let Some(c) = child {
                    stack.push((c.id, flags));
                    child = c.prev_sibling();
                }
            }
            continue;
        };
        order += 1;
        let name: &str = &el.name.local;
        // Attribute names compare as interned atoms: no string comparison
        // in the hottest loop of the stage.
        let attr = |key: &LocalName| {
            el.attrs
                .iter()
                .find(|a| a.name.local == *key)
                .map(|a| &*a.value)
        };
        match name {
            "html" if facts.html_lang.is_none() => {
                facts.html_lang = attr(&local_name!("lang"))
                    .or_else(|| attr(&local_name!("xml:lang")))
                    .map(str::to_string);
            }
            "meta" => {
                if let Some(content) = attr(&local_name!("content")) {
                    for key_attr in [
                        local_name!("property"),
                        local_name!("name"),
                        local_name!("itemprop"),
                        local_name!("http-equiv"),
                    ] {
                        if let Some(key) = attr(&key_attr) {
                            facts
                                .metas
                                .push((key.trim().to_ascii_lowercase(), content.to_string()));
                        }
                    }
                }
            }
            "link" => {
                let rel = attr(&local_name!("rel")).unwrap_or("");
                if facts.canonical.is_none()
                    && rel
                        .split_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("canonical"))
                {
                    facts.canonical = attr(&local_name!("href")).map(str::to_string);
                }
            }
            "title" => {
                if facts.title_tag.is_none() && flags == 0 {
                    facts.title_tag = bounded_text(tree, id, 600);
                }
                descend = false;
            }
            "script" => {
                let ty = attr(&local_name!("type")).unwrap_or("");
                if ty.contains("ld+json") && facts.jsonld.len() < MAX_CANDIDATES {
                    facts.jsonld.push(raw_text(tree, id));
                }
                descend = false;
            }
            // The page's main content is never boilerplate, whatever wraps
            // it (an unclosed banner `<aside>` swallows whole pages).
            "main" => child_flags = (child_flags | IN_ARTICLE) & !IN_NOISE,
            "article" => child_flags |= IN_ARTICLE,
            "header" => child_flags |= IN_HEADER,
            "nav" | "footer" => {
                child_flags |= IN_NOISE;
                // The elements of a menu the guard emptied still count.
                let dropped = el
                    .attrs
                    .iter()
                    .find(|a| &*a.name.local == super::guard::NAV_ELEMENTS_ATTRIBUTE)
                    .and_then(|a| a.value.parse::<u32>().ok());
                order = order.saturating_add(dropped.unwrap_or(0));
            }
            // Inside an article an aside is often the post's own meta box
            // (date, author); outside it, a sidebar.
            "aside" if flags & IN_ARTICLE == 0 => child_flags |= IN_NOISE,
            _ if is_opaque(name) => descend = false,
            _ => {}
        }
        if let Some(itemtype) = attr(&local_name!("itemtype")) {
            if itemtype.contains("Article") || itemtype.contains("BlogPosting") {
                child_flags |= IN_ARTICLE;
            }
        }
        let itemprop = attr(&local_name!("itemprop")).map(str::to_ascii_lowercase);
        let rel_author = attr(&local_name!("rel")).is_some_and(|r| {
            r.split_whitespace()
                .any(|r| r.eq_ignore_ascii_case("author"))
        });
        // No needle holds a space, so class and id are read apart, and the
        // class (repeated on every card and menu item) once per page.
        let class_mask = if name == "body" || name == "html" {
            0
        } else {
            let class = attr(&local_name!("class")).map_or(0, |v| {
                let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
                for &c in v.as_bytes() {
                    hash = (hash ^ u64::from(c)).wrapping_mul(0x0100_0000_01b3);
                }
                *class_masks.entry(hash).or_insert_with(|| {
                    class_buf.clear();
                    class_buf.push_str(v);
                    class_buf.make_ascii_lowercase();
                    classify(&without_bracketed_values(class_buf.as_bytes()))
                })
            });
            let id = attr(&local_name!("id")).map_or(0, |v| {
                class_buf.clear();
                class_buf.push_str(v);
                class_buf.make_ascii_lowercase();
                classify(class_buf.as_bytes())
            });
            class | id
        };
        // An article element is never boilerplate, whatever its class says
        // ("newsletter-post").
        if class_mask & CLASS_NOISE != 0 && !matches!(name, "article" | "main") {
            child_flags |= IN_NOISE;
        }
        if class_mask & CLASS_HEADER != 0 {
            child_flags |= IN_HEADER;
        }
        if class_mask & (CLASS_ARTICLE | CLASS_LISTING) == CLASS_ARTICLE {
            child_flags |= IN_ARTICLE;
        }
        if class_mask & CLASS_DATE != 0 {
            child_flags |= IN_DATELINE;
        }
        if name == "h1" && facts.h1s.len() < MAX_CANDIDATES {
            if let Some(text) = bounded_text(tree, id, 600) {
                facts.h1s.push(Found { text, flags, order });
            }
        }
        let is_time = name == "time";
        let marked_date = matches!(
            itemprop.as_deref(),
            Some("datepublished" | "datecreated" | "datemodified")
        ) && name != "meta";
        let date_list = if child_flags & IN_NOISE == 0 {
            facts.visible_dates.len()
        } else {
            facts.boilerplate_dates.len()
        };
        if (is_time || marked_date) && date_list < 4 * MAX_CANDIDATES {
            // `<abbr itemprop="datePublished" title="2017-11-12T…">`.
            let value = attr(&local_name!("datetime"))
                .or_else(|| attr(&local_name!("content")))
                .or_else(|| marked_date.then(|| attr(&local_name!("title"))).flatten())
                .map(str::to_string)
                .or_else(|| bounded_text(tree, id, 120));
            if let Some(date) = value.as_deref().and_then(parse_date) {
                let list = if child_flags & IN_NOISE == 0 {
                    &mut facts.visible_dates
                } else {
                    &mut facts.boilerplate_dates
                };
                list.push(VisibleDate {
                    date,
                    order,
                    flags: child_flags,
                    marked_published: el.attrs.iter().any(|a| &*a.name.local == "pubdate")
                        || matches!(itemprop.as_deref(), Some("datepublished" | "datecreated"))
                        || class_mask & CLASS_PUBLISHED != 0,
                    marked_modified: itemprop.as_deref() == Some("datemodified")
                        || class_mask & CLASS_UPDATED != 0,
                });
                // Its text would repeat the date, perhaps shifted to
                // another zone.
                descend = false;
            }
        }
        if name != "meta"
            && name != "link"
            && (rel_author || matches!(itemprop.as_deref(), Some("author" | "creator")))
            && facts.marked_authors.len() < MAX_CANDIDATES
        {
            if let Some(text) = attr(&local_name!("content"))
                .map(str::to_string)
                .or_else(|| bounded_text(tree, id, 200))
            {
                facts.marked_authors.push(Found { text, flags, order });
            }
        }
        if name == "a" && flags & IN_NOISE != 0 && facts.boxed_authors.len() < MAX_CANDIDATES {
            let href = attr(&local_name!("href")).unwrap_or("");
            if is_author_page(href) {
                if let Some(text) = bounded_text(tree, id, 120) {
                    facts.boxed_authors.push(Found { text, flags, order });
                }
            }
        }
        if name == "a" && flags & IN_NOISE == 0 && facts.bylines.len() < 2 * MAX_CANDIDATES {
            let href = attr(&local_name!("href")).unwrap_or("");
            if is_author_page(href) {
                if let Some(text) = bounded_text(tree, id, 120) {
                    // "By <a>Jane Doe</a>, <a>John Roe</a> and <a>Ann
                    // Poe</a>": author links in one line are one byline.
                    let block = block_ancestor(tree, id);
                    let same_line = last_author_link
                        .filter(|&(b, link, _)| {
                            Some(b) == block && joined_by_conjunction(tree, link, id)
                        })
                        .and_then(|(_, _, i)| facts.bylines.get_mut(i))
                        .filter(|f| {
                            f.text.len() + text.len() < 240
                                && !clean_byline(&f.text).is_empty()
                                && !clean_byline(&text).is_empty()
                        });
                    if let Some(line) = same_line {
                        line.text.push_str(", ");
                        line.text.push_str(&text);
                        if let Some(last) = &mut last_author_link {
                            last.1 = id;
                        }
                    } else {
                        last_author_link = block.map(|b| (b, id, facts.bylines.len()));
                        facts.bylines.push(Found {
                            text,
                            flags: flags | IN_BYLINE,
                            order,
                        });
                    }
                }
            }
        }
        if class_mask & (CLASS_BYLINE | CLASS_CATEGORY | CLASS_AUTHOR_DETAIL) == CLASS_BYLINE
            && !is_opaque(name)
            && !matches!(name, "script" | "link" | "meta")
            && child_flags & IN_NOISE == 0
        {
            child_flags |= IN_BYLINE;
            if facts.bylines.len() < MAX_CANDIDATES {
                let text = bounded_text(tree, id, 240);
                // An author box runs the name into a bio or a job title,
                // each in an element of its own: the first of its texts
                // that is a name stands for the box.
                let whole_is_name = text.as_deref().is_some_and(|t| !clean_byline(t).is_empty());
                let first_name = (!whole_is_name)
                    .then(|| first_name_text(tree, id))
                    .flatten();
                for text in text.into_iter().chain(first_name) {
                    facts.bylines.push(Found {
                        text,
                        flags: child_flags,
                        order,
                    });
                }
            }
        }
        drop(el);
        if descend {
            stack.extend(node.children_it(true).map(|c| (c.id, child_flags)));
        }
    }
    facts
}

/// Longest line of text, in bytes, that a dateline or byline runs to; a
/// date in a longer run of text is part of a sentence.
const MAX_DATELINE_RUN: usize = 90;
/// Longest line of text, in bytes, that a byline of a "By" label and the
/// names after it runs to; a longer one is a sentence.
const MAX_BYLINE_RUN: usize = 160;

/// Bytes of text in the run of text and inline elements around the text
/// node `id`, up to the nearest block boundaries on either side: the line
/// a reader sees it in. Stops counting past `cap`.
fn inline_run_len(tree: &Tree, id: NodeId, cap: usize) -> usize {
    // Comments are transparent; spans, unlike in bylines, are part of
    // the line.
    let is_inline_node = |n: &dom_query::NodeRef| {
        n.is_text()
            || n.is_comment()
            || n.element_ref().is_some_and(|el| {
                let name: &str = &el.name.local;
                is_inline(name) || matches!(name, "span" | "time" | "code" | "label" | "data")
            })
    };
    // Climb out of inline wrappers (`<a>`, `<em>`) to the run's level.
    let mut start = tree.get_unchecked(&id);
    while let Some(parent) = start.parent() {
        if parent.is_text() || !is_inline_node(&parent) {
            break;
        }
        start = parent;
    }
    let text_len = |n: &dom_query::NodeRef| text_len_capped(tree, n.id, cap);
    let mut total = text_len(&start);
    let mut prev = start.prev_sibling();
    while let Some(p) = prev {
        if total > cap || !is_inline_node(&p) {
            break;
        }
        total += text_len(&p);
        prev = p.prev_sibling();
    }
    let mut next = start.next_sibling();
    while let Some(n) = next {
        if total > cap || !is_inline_node(&n) {
            break;
        }
        total += text_len(&n);
        next = n.next_sibling();
    }
    total
}

/// The nearest ancestor of `id` that is not an inline element: the line's
/// block.
fn block_ancestor(tree: &Tree, id: NodeId) -> Option<NodeId> {
    let mut node = tree.get_unchecked(&id).parent()?;
    while node
        .element_ref()
        .is_some_and(|el| is_inline(&el.name.local) || &*el.name.local == "span")
    {
        node = node.parent()?;
    }
    Some(node.id)
}

/// Between the elements `first` and `second` (which follows it) stand
/// only commas and conjunctions: "<a>Jane Doe</a>, <a>John Roe</a> and
/// <a>Ann Poe</a>", not "<a>Jane Doe</a> | Fact-checked by <a>…</a>".
fn joined_by_conjunction(tree: &Tree, first: NodeId, second: NodeId) -> bool {
    // Ancestors of `first`, nearest first, up to a handful: a byline's
    // links sit a few levels under their common ancestor.
    let mut first_chain = vec![first];
    let mut node = tree.get_unchecked(&first);
    while let Some(p) = node.parent() {
        if first_chain.len() > 8 {
            break;
        }
        first_chain.push(p.id);
        node = p;
    }
    // Climb from `second` to the child of the common ancestor.
    let mut side = tree.get_unchecked(&second);
    let first_side = loop {
        let Some(p) = side.parent() else { return false };
        if let Some(k) = first_chain.iter().position(|&a| a == p.id) {
            match k.checked_sub(1) {
                Some(k) => break first_chain[k],
                None => return false,
            }
        }
        side = p;
    };
    let mut sibling = side.prev_sibling();
    for _ in 0..6 {
        let Some(s) = sibling else { return false };
        if s.id == first_side {
            return true;
        }
        if text_len_capped(tree, s.id, 12) > 12 {
            return false;
        }
        let text = s.text().to_lowercase();
        let joiner = text.trim().trim_start_matches(',').trim();
        if !matches!(joiner, "" | "and" | "&" | "und" | "et" | "y" | "e") {
            return false;
        }
        sibling = s.prev_sibling();
    }
    false
}

/// Bytes of trimmed text under node `id` (itself included), counting
/// stopped once past `cap`.
fn text_len_capped(tree: &Tree, id: NodeId, cap: usize) -> usize {
    let mut total = 0;
    let mut stack = vec![id];
    while let Some(nid) = stack.pop() {
        if total > cap {
            break;
        }
        let node = tree.get_unchecked(&nid);
        let is_element = node
            .query(|n| match &n.data {
                NodeData::Text { contents } => {
                    total += contents.trim().len();
                    false
                }
                NodeData::Element(el) => !is_opaque(&el.name.local) && &*el.name.local != "script",
                _ => false,
            })
            .unwrap_or(false);
        if is_element {
            stack.extend(node.children_it(false).map(|c| c.id));
        }
    }
    total
}

/// The raw text of an element's children (a script's source).
fn raw_text(tree: &Tree, id: NodeId) -> String {
    let mut out = String::new();
    let mut child = tree.get_unchecked(&id).first_child();
    while let Some(c) = child {
        c.query(|n| {
            if let NodeData::Text { contents } = &n.data {
                out.push_str(contents);
            }
        });
        child = c.next_sibling();
    }
    out
}

/// The visible text of an element with whitespace collapsed, words kept
/// apart at block boundaries; `None` when it is empty or longer than
/// `limit` bytes (then it is a container, not a byline or a heading).
/// Texts of an author box read for a name before giving up.
const AUTHOR_BOX_TEXTS: usize = 3;

/// The first of the first few text nodes under `id` that reads as a name
/// of two words or more on its own ("Jane Doe" before "Jane Doe is a
/// reporter who…"); labels such as "About the author" are passed over.
fn first_name_text(tree: &Tree, id: NodeId) -> Option<String> {
    let mut stack: Vec<NodeId> = vec![id];
    let mut texts = 0;
    let mut budget: u32 = 400;
    while let Some(nid) = stack.pop() {
        budget = budget.checked_sub(1)?;
        let node = tree.get_unchecked(&nid);
        let found = node.query(|n| match &n.data {
            NodeData::Text { contents } => {
                let t = contents.trim();
                if t.is_empty() {
                    return None;
                }
                texts += 1;
                // Two words at least: a lone capitalised word in a box
                // ("Guide", "Originally") is a label as often as a name.
                let names = if t.len() <= 80 {
                    clean_byline(t)
                } else {
                    Vec::new()
                };
                (!names.is_empty() && names.iter().all(|n| n.split_whitespace().nth(1).is_some()))
                    .then(|| t.to_string())
            }
            NodeData::Element(el) if is_opaque(&el.name.local) || &*el.name.local == "script" => {
                None
            }
            _ => {
                let mut child = n.last_child;
                while let Some(c) = child {
                    stack.push(c);
                    child = tree.get_unchecked(&c).prev_sibling().map(|s| s.id);
                }
                None
            }
        });
        if let Some(Some(name)) = found {
            return Some(name);
        }
        if texts >= AUTHOR_BOX_TEXTS {
            return None;
        }
    }
    None
}

fn bounded_text(tree: &Tree, id: NodeId, limit: usize) -> Option<String> {
    let mut out = String::new();
    let mut pending_space = false;
    // (node, entering): leaving an element may add a word break.
    let mut stack: Vec<(NodeId, bool)> = Vec::new();
    let mut child = tree.get_unchecked(&id).last_child();
    while let Some(c) = child {
        stack.push((c.id, true));
        child = c.prev_sibling();
    }
    // A heading or byline is a handful of nodes; a huge subtree with
    // little text is a container and is not read to the end.
    let mut budget: u32 = 4_000;
    while let Some((nid, entering)) = stack.pop() {
        budget = budget.checked_sub(1)?;
        let node = tree.get_unchecked(&nid);
        if !entering {
            pending_space = true;
            continue;
        }
        enum Kind {
            Text,
            Inline,
            Block,
            Skip,
        }
        let kind = node
            .query(|n| match &n.data {
                NodeData::Text { contents } => {
                    for c in contents.chars() {
                        if c.is_whitespace() || c == '\u{200B}' {
                            pending_space = true;
                        } else {
                            if pending_space && !out.is_empty() {
                                out.push(' ');
                            }
                            pending_space = false;
                            out.push(c);
                        }
                    }
                    Kind::Text
                }
                NodeData::Element(el) => {
                    let name: &str = &el.name.local;
                    if name == "script" || is_opaque(name) {
                        Kind::Skip
                    } else if is_inline(name) {
                        Kind::Inline
                    } else {
                        Kind::Block
                    }
                }
                _ => Kind::Skip,
            })
            .unwrap_or(Kind::Skip);
        if out.len() > limit {
            return None;
        }
        match kind {
            Kind::Text | Kind::Skip => {}
            Kind::Inline | Kind::Block => {
                if matches!(kind, Kind::Block) {
                    pending_space = true;
                    stack.push((nid, false));
                }
                let mut child = node.last_child();
                while let Some(c) = child {
                    stack.push((c.id, true));
                    child = c.prev_sibling();
                }
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_words_label_answers_like_substring_searches() {
        for lower in [
            "published",
            "first published: ",
            "posted by",
            "postedby",
            "last updated",
            "modified",
            "update",
            "updat",
            "modi",
            "publis",
            "post",
            "",
            "republished and modified",
            "é posted",
        ] {
            let mut expected = 0;
            if lower.contains("publish") || lower.contains("posted") {
                expected |= LABEL_PUBLISHED;
            }
            if lower.contains("updat") || lower.contains("modif") {
                expected |= LABEL_UPDATED;
            }
            assert_eq!(date_words_label(lower.as_bytes()), expected, "{lower}");
        }
    }

    fn meta_of(html: &str, url: Option<&str>) -> Metadata {
        extract(&Document::from(html), url)
    }

    #[test]
    fn bracketed_utility_values_name_nothing() {
        let mask = |class: &[u8]| classify(&without_bracketed_values(class));
        assert_eq!(
            mask(b"page [--sidebar-width:18rem] lg:max-w-[--sidebar-width] bg-[var(--footer)]"),
            0
        );
        assert_eq!(mask(b"sidebar [x]"), CLASS_NOISE);
        assert_eq!(mask(b"[a[b]c] related"), CLASS_NOISE);
        // A wrapper whose utility classes mention a sidebar is no sidebar:
        // its dateline, past the author's box, dates the page.
        let filler = "<span>x</span>".repeat(20);
        let html = format!(
            "<main><section class=\"page [--sidebar-width:18rem]\"><h1>Storm hits coast</h1>\
             {filler}<div><span>Published on Oct 21, 2025</span></div>\
             <p>The storm came ashore.</p></section></main>"
        );
        assert_eq!(
            meta_of(&html, None).published.as_deref(),
            Some("2025-10-21")
        );
    }

    #[test]
    fn url_settles_a_day_first_date() {
        let html = "<article><h1>Wine styles</h1><div class=\"blog-date\">03/10/2023</div>\
                    <p>There are many.</p></article>";
        let url = "https://example.com/blog/2023/october/03/wine-styles/";
        assert_eq!(
            meta_of(html, Some(url)).published.as_deref(),
            Some("2023-10-03")
        );
        assert_eq!(
            meta_of(html, Some("https://example.com/blog/wine-styles/"))
                .published
                .as_deref(),
            Some("2023-03-10")
        );
    }

    #[test]
    fn publication_meta_of_the_sites_own_naming() {
        let own = r#"<meta name="w-published-date" content="2025-05-27T06:03:43Z">"#;
        let html = format!("<head>{own}</head><body><h1>T</h1><p>Text.</p></body>");
        assert_eq!(
            meta_of(&html, None).published.as_deref(),
            Some("2025-05-27T06:03:43+00:00")
        );
        // A known name goes first.
        let html = format!(
            r#"<head>{own}<meta property="article:published_time" content="2024-01-02"></head><body><h1>T</h1></body>"#
        );
        assert_eq!(
            meta_of(&html, None).published.as_deref(),
            Some("2024-01-02")
        );
    }

    #[test]
    fn seed_like_page() {
        let html = r#"<html lang="en-US"><head><title>Gulls Return | Harbour Post</title>
            <meta property="og:title" content="Gulls Return">
            <meta property="og:site_name" content="Harbour Post">
            <meta property="article:published_time" content="2021-04-02T08:00:00-05:00">
            <meta name="author" content="Harbour Post Staff">
            <link rel="canonical" href="https://harbour.test/gulls/"></head>
            <body><article><h1>Gulls Return</h1><div class="byline">By <span class="author">Harbour Post Staff</span></div>
            <p>Text.</p></article></body></html>"#;
        let m = meta_of(html, None);
        assert_eq!(m.title.as_deref(), Some("Gulls Return"));
        assert_eq!(m.authors, ["Harbour Post Staff"]);
        assert_eq!(m.published.as_deref(), Some("2021-04-02T08:00:00-05:00"));
        assert_eq!(m.site.as_deref(), Some("Harbour Post"));
        assert_eq!(m.language.as_deref(), Some("en"));
        assert_eq!(m.url.as_deref(), Some("https://harbour.test/gulls/"));
    }

    #[test]
    fn byline_and_time_without_meta() {
        let html = r#"<html><head><title>Moss gardens - Fen Weekly</title></head><body>
            <nav><a rel="author" href="/x">Nav Person</a></nav>
            <article><header><h1>Moss gardens</h1>
            <p class="byline">By <a href="/a/ida">Ida Fern</a> and <a href="/a/tom">Tom Reed</a></p>
            <time datetime="2019-06-30T10:00:00+02:00">June 30</time></header><p>Body.</p></article>
            <div class="comments"><span class="comment-author">Troll</span></div></body></html>"#;
        let m = meta_of(html, Some("https://fenweekly.test/moss"));
        assert_eq!(m.title.as_deref(), Some("Moss gardens"));
        assert_eq!(m.authors, ["Ida Fern", "Tom Reed"]);
        assert_eq!(m.published.as_deref(), Some("2019-06-30T10:00:00+02:00"));
        assert_eq!(m.url.as_deref(), Some("https://fenweekly.test/moss"));
        // Not declared: what the title tag adds to the headline.
        assert_eq!(m.site.as_deref(), Some("Fen Weekly"));
    }

    #[test]
    fn json_ld_and_url_date() {
        let html = r#"<html><head><script type="application/ld+json">{"@type":"NewsArticle","headline":"Tides","author":[{"@type":"Person","name":"Olek Brand"}],"publisher":{"@type":"Organization","name":"Ex Test"}}</script>
            <link rel="canonical" href="/2020/01/05/tides/"></head><body><h1>Tides</h1></body></html>"#;
        let m = meta_of(html, Some("https://ex.test/amp/tides"));
        assert_eq!(m.title.as_deref(), Some("Tides"));
        assert_eq!(m.authors, ["Olek Brand"]);
        assert_eq!(m.published.as_deref(), Some("2020-01-05"));
        assert_eq!(m.site.as_deref(), Some("Ex Test"));
        assert_eq!(m.url.as_deref(), Some("https://ex.test/2020/01/05/tides/"));
    }

    #[test]
    fn page_variants() {
        struct Row {
            name: &'static str,
            html: &'static str,
            title: Option<&'static str>,
            authors: &'static [&'static str],
            published: Option<&'static str>,
        }
        let rows = [
            Row {
                name: "label in its own element before the name and the date",
                html: r#"<html><head><title>Fog lifts</title></head><body><main><h1>Fog lifts</h1>
                    <div><p>Written by</p><p>Ada Stone</p><p>Last updated</p><span>Aug 04, 2025</span></div>
                    <p>Body.</p></main></body></html>"#,
                title: Some("Fog lifts"),
                authors: &["Ada Stone"],
                published: Some("2025-08-04"),
            },
            Row {
                name: "label and name in elements of their own, whitespace between",
                html: "<html><head><title>Fog lifts</title></head><body><main><h1>Fog lifts</h1>
                    <div>\n  <h3>Author</h3>\n  <p>  Ada Stone</p>\n</div><p>Body.</p></main></body></html>",
                title: Some("Fog lifts"),
                authors: &["Ada Stone"],
                published: None,
            },
            Row {
                name: "the main content inside an unclosed banner aside is not boilerplate",
                html: r#"<html><head><title>Fog lifts</title></head><body><aside class="banner"><p>Sale!</p>
                    <main><h1>Fog lifts</h1><p class="by">By Ada Stone</p><p>Body.</p></main></body></html>"#,
                title: Some("Fog lifts"),
                authors: &["Ada Stone"],
                published: None,
            },
            Row {
                name: "the share card's 'Written by' names the writer",
                html: r#"<html><head><title>Fog lifts</title>
                    <meta name="twitter:label1" content="Est. reading time"><meta name="twitter:data1" content="3 minutes">
                    <meta name="twitter:label2" content="Written by"><meta name="twitter:data2" content="Ada Stone">
                    </head><body><h1>Fog lifts</h1></body></html>"#,
                title: Some("Fog lifts"),
                authors: &["Ada Stone"],
                published: None,
            },
            Row {
                name: "a 'Contributors:' label names the writer",
                html: r#"<html><head><title>Fog lifts</title></head><body><main><h1>Fog lifts</h1>
                    <div><strong>Contributors:</strong> Ada Stone</div><p>Body.</p></main></body></html>"#,
                title: Some("Fog lifts"),
                authors: &["Ada Stone"],
                published: None,
            },
            Row {
                name: "an author box: its first text that is a name, not the bio after it",
                html: r#"<html><head><title>Fog lifts</title></head><body><main><h1>Fog lifts</h1>
                    <p>Body.</p><div class="post-author-box"><img alt=""><div>Ada Stone</div>
                    <p>Ada Stone has covered the harbour and its weather for the paper since
                    the spring floods, and before that wrote about ferries.</p></div></main></body></html>"#,
                title: Some("Fog lifts"),
                authors: &["Ada Stone"],
                published: None,
            },
            Row {
                name: "an author box's lone capitalised label is no name",
                html: r#"<html><head><title>Fog lifts</title></head><body><main><h1>Fog lifts</h1>
                    <p>Body.</p><div class="author-box"><span>Guide</span>
                    <p>Our guides are written by the desk and checked by readers who know the
                    harbour well; send corrections to the desk.</p></div></main></body></html>"#,
                title: Some("Fog lifts"),
                authors: &[],
                published: None,
            },
            Row {
                name: "a 'Contributors' menu entry labels nothing",
                html: r#"<html><head><title>Fog lifts</title></head><body><ul><li><a href="/c">Contributors</a></li>
                    <li><a href="/s">Online Services</a></li></ul><main><h1>Fog lifts</h1>
                    <p>Body.</p></main></body></html>"#,
                title: Some("Fog lifts"),
                authors: &[],
                published: None,
            },
            Row {
                name: "the name's own element inside a byline box that runs on into the job",
                html: r#"<html><head><title>Fog lifts</title></head><body><main><h1>Fog lifts</h1>
                    <div class="author-box">Written By: <span class="author-name"><a href="/author/ada-stone">Ada
                    Stone</a></span> <span>Gardener &amp; Astrologer</span></div><p>Body.</p></main></body></html>"#,
                title: Some("Fog lifts"),
                authors: &["Ada Stone"],
                published: None,
            },
            Row {
                name: "a 'By Category' menu entry and a category labelled as byline name nobody",
                html: r#"<html><head><title>Fog lifts</title></head><body><ul class="menu"><li><a href="/c/">By
                    Category</a></li></ul><main><h1>Fog lifts</h1><p><span class="byline__category"><a href="/w">Weather
                    Watch</a></span></p><p>Body.</p></main></body></html>"#,
                title: Some("Fog lifts"),
                authors: &[],
                published: None,
            },
            Row {
                name: "link to an author page",
                html: r#"<html><head><title>Fog lifts | Coast Daily</title></head><body><article><h1>Fog lifts</h1>
                    <a href="/authors/ada-stone">Ada Stone</a><p>Body.</p></article></body></html>"#,
                title: Some("Fog lifts"),
                authors: &["Ada Stone"],
                published: None,
            },
            Row {
                name: "a name after 'written by' inside a sentence is no byline",
                html: r#"<html><head><title>Fog lifts</title></head><body><article><h1>Fog lifts</h1>
                    <p>Moreover, Python has a separate <a href="/r">regex library</a> written by <a
                    href="/m">Matt Barnett</a> in C. It implements full Unicode case folding, handles the
                    German example from the start of this article correctly, and is easy to use.</p>
                    </article></body></html>"#,
                title: Some("Fog lifts"),
                authors: &[],
                published: None,
            },
            Row {
                name: "'This post was written by' gives the name after it",
                html: r#"<html><head><title>Fog lifts</title></head><body><article><h1>Fog lifts</h1>
                    <p>Body.</p><div class="box">This post was written by Ada Stone, Head of Marketing
                    and Community</div><p><em>This article was written by <a href="/p/ben">Ben Reed,
                    MD</a>, surgeon.</em></p></article></body></html>"#,
                title: Some("Fog lifts"),
                authors: &["Ada Stone"],
                published: None,
            },
            Row {
                name: "author links in one line joined by commas and 'and' are one byline",
                html: r#"<html><head><title>Fog lifts</title><meta name="author" content="Ada Stone">
                    </head><body><article><h1>Fog lifts</h1><div><a href="/author/ada">Ada Stone</a><span>,
                    </span> <a href="/author/ben">Ben Reed</a> and <a href="/author/cy">Cy Hale</a></div>
                    <p>Body.</p></article></body></html>"#,
                title: Some("Fog lifts"),
                authors: &["Ada Stone", "Ben Reed", "Cy Hale"],
                published: None,
            },
            Row {
                name: "a fact-checker linked in the byline's line is no author",
                html: r#"<html><head><title>Fog lifts</title></head><body><article><h1>Fog lifts</h1>
                    <div>By <a href="/author/ada">Ada Stone</a> – Updated Sep 9, 2025 | Fact-checked by
                    <a href="/author/ben">Ben Reed</a></div><p>Body.</p></article></body></html>"#,
                title: Some("Fog lifts"),
                authors: &["Ada Stone"],
                published: Some("2025-09-09"),
            },
            Row {
                name: "a 'By:' line under the headline beats data naming someone else",
                html: r#"<html><head><title>Fog lifts</title><meta name="author" content="Luke Dale">
                    </head><body><article><h1>Fog lifts</h1><div class="by-div"><p>By: Ada Stone</p></div>
                    <p>Body.</p></article></body></html>"#,
                title: Some("Fog lifts"),
                authors: &["Ada Stone"],
                published: None,
            },
            Row {
                name: "a name after the date and a separator in the dateline",
                html: r#"<html><head><title>Fog lifts</title></head><body><article><h1>Fog lifts</h1>
                    <p>Dec 26, 2025 <span>&bull;</span> <img src="a.png"> Ada Stone in <a href="/c">Weather
                    News</a></p><p>Body.</p></article></body></html>"#,
                title: Some("Fog lifts"),
                authors: &["Ada Stone"],
                published: Some("2025-12-26"),
            },
            Row {
                name: "a one-word section after the dateline's date is no writer",
                html: r#"<html><head><title>Fog lifts</title></head><body><article><h1>Fog lifts</h1>
                    <div><span>2025-12-17</span><span>·</span><a href="/c">Engineering</a></div>
                    <p>Body.</p></article></body></html>"#,
                title: Some("Fog lifts"),
                authors: &[],
                published: Some("2025-12-17"),
            },
            Row {
                name: "a paper's citation authors, one per tag, over its first-author creator",
                html: r#"<html><head><title>Fog lifts</title><meta name="DC.Creator" content="Ada Stone">
                    <meta name="citation_authors" content="Ada Stone"><meta name="citation_authors"
                    content="Reed, Ben"></head><body><h1>Fog lifts</h1></body></html>"#,
                title: Some("Fog lifts"),
                authors: &["Ada Stone", "Reed, Ben"],
                published: None,
            },
            Row {
                name: "an author's description is no name",
                html: r#"<html><head><title>Fog lifts</title></head><body><article><h1>Fog lifts</h1>
                    <p>Body.</p><div class="dynamic-author-description">Licensed Coffee Grader, M.A.
                    Journalism</div></article></body></html>"#,
                title: Some("Fog lifts"),
                authors: &[],
                published: None,
            },
            Row {
                name: "byline nearest the title wins over related stories",
                html: r#"<html><head><title>Fog lifts</title></head><body><article><h1>Fog lifts</h1>
                    <p class="byline">By Ada Stone</p><p>Body.</p>
                    <ul class="more"><li><span class="author">Ben Reed</span></li></ul></article></body></html>"#,
                title: Some("Fog lifts"),
                authors: &["Ada Stone"],
                published: None,
            },
            Row {
                name: "page-builder widget classes are content, comments are not",
                html: r#"<html><head><title>Fog lifts</title></head><body><div class="builder-widget">
                    <h1>Fog lifts</h1><time datetime="2024-02-03">Feb 3</time><p>Body.</p></div>
                    <div class="comments"><h1>Reply</h1><time datetime="2024-05-06">May 6</time></div></body></html>"#,
                title: Some("Fog lifts"),
                authors: &[],
                published: Some("2024-02-03"),
            },
            Row {
                name: "WebPage-only JSON-LD dates of a modified page are not trusted",
                html: r#"<html><head><title>About us</title><script type="application/ld+json">
                    {"@graph":[{"@type":"WebPage","name":"About us","datePublished":"2019-01-01","dateModified":"2024-01-01"}]}
                    </script></head><body><h1>About us</h1></body></html>"#,
                title: Some("About us"),
                authors: &[],
                published: None,
            },
            Row {
                name: "the site credited as author stands when nobody else is named",
                html: r#"<html><head><title>Fog lifts</title><meta property="og:site_name" content="Coast Daily">
                    <meta name="author" content="Coast Daily"></head><body><h1>Fog lifts</h1></body></html>"#,
                title: Some("Fog lifts"),
                authors: &["Coast Daily"],
                published: None,
            },
            Row {
                name: "a named writer beats the site credited in the data",
                html: r#"<html><head><title>Fog lifts</title><meta property="og:site_name" content="Coast Daily">
                    <meta name="author" content="Coast Daily"></head><body><article><h1>Fog lifts</h1>
                    <p>By Ada Stone, Weather Reporter</p></article></body></html>"#,
                title: Some("Fog lifts"),
                authors: &["Ada Stone"],
                published: None,
            },
            Row {
                name: "the author box in the post's footer names the writer when nothing else does",
                html: r#"<html><head><title>Fog lifts</title></head><body><article><h1>Fog lifts</h1>
                    <p>Body.</p><footer class="meta"><p class="name"><a rel="author" href="/u/ada">Ada Stone</a></p>
                    </footer></article></body></html>"#,
                title: Some("Fog lifts"),
                authors: &["Ada Stone"],
                published: None,
            },
            Row {
                name: "a labelled name in a sidebar box names the writer when nothing else does",
                html: r#"<html><head><title>Fog lifts</title></head><body><article><h1>Fog lifts</h1>
                    <p>Body.</p></article><div class="sidebar"><p>Written by</p><p>Ada Stone</p></div>
                    </body></html>"#,
                title: Some("Fog lifts"),
                authors: &["Ada Stone"],
                published: None,
            },
            Row {
                name: "a 'By' line in a related-stories box does not",
                html: r#"<html><head><title>Fog lifts</title></head><body><article><h1>Fog lifts</h1>
                    <p>Body.</p></article><div class="related"><p>Storm warning</p><p>By Ben Reed</p></div>
                    </body></html>"#,
                title: Some("Fog lifts"),
                authors: &[],
                published: None,
            },
            Row {
                name: "an author page linked from a footer box",
                html: r#"<html><head><title>Fog lifts</title></head><body><article><h1>Fog lifts</h1>
                    <p>Body.</p></article><footer><div class="bio"><a href="/author/ada-stone/">Ada Stone</a></div>
                    </footer></body></html>"#,
                title: Some("Fog lifts"),
                authors: &["Ada Stone"],
                published: None,
            },
            Row {
                name: "a date shown as published beats a meta date that disagrees",
                html: r#"<html><head><title>Fog lifts</title>
                    <meta property="article:published_time" content="2025-03-01T10:00:00+00:00"></head>
                    <body><article><h1>Fog lifts</h1><p>Published March 4, 2025</p>
                    <p>Body.</p></article></body></html>"#,
                title: Some("Fog lifts"),
                authors: &[],
                published: Some("2025-03-04"),
            },
            Row {
                name: "the meta's instant shown in the local zone is no disagreement",
                html: r#"<html><head><title>Fog lifts</title>
                    <meta property="article:published_time" content="2025-07-05T00:04:00+00:00"></head>
                    <body><article><h1>Fog lifts</h1>
                    <p><time class="published" datetime="2025-07-04T20:04:00-04:00">July 4, 8:04 pm</time></p>
                    </article></body></html>"#,
                title: Some("Fog lifts"),
                authors: &[],
                published: Some("2025-07-05T00:04:00+00:00"),
            },
            Row {
                name: "a shown 'published' date that is the modification date keeps the meta",
                html: r#"<html><head><title>Fog lifts</title>
                    <meta property="article:published_time" content="2024-01-01">
                    <meta property="article:modified_time" content="2025-02-02"></head>
                    <body><article><h1>Fog lifts</h1><p>Published Feb 2, 2025</p></article></body></html>"#,
                title: Some("Fog lifts"),
                authors: &[],
                published: Some("2024-01-01"),
            },
            Row {
                name: "a dateline in the post's sidebar box dates a page with nothing else",
                html: r#"<html><head><title>Fog lifts</title></head><body><article><h1>Fog lifts</h1>
                    <p>Body.</p><div class="post-sidebar"><h4>Published</h4>
                    <div class="post-date">July 8, 2025</div></div></article></body></html>"#,
                title: Some("Fog lifts"),
                authors: &[],
                published: Some("2025-07-08"),
            },
            Row {
                name: "a date inside a sentence is what the article talks about",
                html: r#"<html><head><title>Fog lifts</title></head><body><article><h1>Fog lifts</h1>
                    <p>Body.</p><p>The ferry stops <!-- x -->running on <em>March 4, 2025</em> for the winter,
                    the harbour office said.</p></article></body></html>"#,
                title: Some("Fog lifts"),
                authors: &[],
                published: None,
            },
            Row {
                name: "a long meta line whose class names a dateline keeps its date",
                html: r#"<html><head><title>Fog lifts</title></head><body><article><h1>Fog lifts</h1>
                    <p class="post-meta"><span>Ada Stone, Senior Weather Correspondent</span> <span>in Coastal
                    Weather and Tides</span> <span>March 4, 2025</span> <span>6 min read</span></p>
                    <p>Body.</p></article></body></html>"#,
                title: Some("Fog lifts"),
                authors: &[],
                published: Some("2025-03-04"),
            },
            Row {
                name: "the title and its date inside a wrapper whose class reads as boilerplate",
                html: r#"<html><head><title>Fog lifts</title></head><body><div class="promo-layout">
                    <h1>Fog lifts</h1><p>Last updated</p><time>Aug 04, 2025</time><p>Body.</p></div>
                    </body></html>"#,
                title: Some("Fog lifts"),
                authors: &[],
                published: Some("2025-08-04"),
            },
            Row {
                name: "the heading that reads as the title anchors, not a later 'Related' heading",
                html: r#"<html><head><title>Fog lifts</title></head><body><main><div class="sidebar-fixed">
                    <article><h1>Fog lifts</h1><time datetime="2025-12-19">19 Dec</time><p>Body.</p></article></div>
                    <div><article><h1>Related Articles</h1><p>Rain due</p><time datetime="2025-12-18">18 Dec</time>
                    </article></div></main></body></html>"#,
                title: Some("Fog lifts"),
                authors: &[],
                published: Some("2025-12-19"),
            },
            Row {
                name: "a list of dates in a sidebar does not date the page",
                html: r#"<html><head><title>Fog lifts</title></head><body><article><h1>Fog lifts</h1>
                    <p>Body.</p></article><div class="sidebar"><ul class="archive-dates">
                    <li>March 31, 2019</li><li>March 18, 2019</li><li>March 10, 2019</li></ul></div>
                    </body></html>"#,
                title: Some("Fog lifts"),
                authors: &[],
                published: None,
            },
            Row {
                name: "a day-first numeric date that the data confirms",
                html: r#"<html><head><title>Fog lifts</title><script type="application/ld+json">
                    {"@type":"BlogPosting","headline":"Fog lifts","datePublished":"2024-09-10"}</script></head>
                    <body><article><h1>Fog lifts</h1><span class="date">10/09/2024</span></article></body></html>"#,
                title: Some("Fog lifts"),
                authors: &[],
                published: Some("2024-09-10"),
            },
        ];
        for row in rows {
            let m = meta_of(row.html, None);
            assert_eq!(m.title.as_deref(), row.title, "{}", row.name);
            assert_eq!(m.authors, row.authors, "{}", row.name);
            assert_eq!(m.published.as_deref(), row.published, "{}", row.name);
        }
    }

    #[test]
    fn updated_date_beside_the_title_beats_a_story_list_far_below() {
        let filler = "<p>Body.</p>".repeat(60);
        let html = format!(
            r#"<html><head><title>Fog lifts</title></head><body><main><h1>Fog lifts</h1>
            <div>Updated on</div> <div>April 19, 2025</div>{filler}
            <div class="cards"><p>Older story</p><span>Aug 01, 2024</span></div></main></body></html>"#
        );
        assert_eq!(
            meta_of(&html, None).published.as_deref(),
            Some("2025-04-19")
        );
    }

    #[test]
    fn empty_and_deep_pages_do_not_panic() {
        let _ = meta_of("", None);
        // Built directly: parsing this depth would test html5ever, not us.
        let doc = Document::from("<html><body><p class=byline>By Jane Doe</p></body></html>");
        let mut parent = doc.body().expect("body");
        for _ in 0..100_000 {
            let div = doc.tree.new_element("div");
            parent.append_child(&div);
            parent = div;
        }
        let h1 = doc.tree.new_element("h1");
        h1.set_text("Deep title");
        parent.append_child(&h1);
        let m = extract(&doc, None);
        assert_eq!(m.title.as_deref(), Some("Deep title"));
        assert_eq!(m.authors, ["Jane Doe"]);
    }

    /// What the walk collected on the pages named in `WHOSAID_PAGES`
    /// (space-separated paths, `.html` or `.html.gz`), for studying a wrong
    /// pick: `WHOSAID_PAGES=… cargo test --release -p whosaid --lib
    /// dump_facts -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn dump_facts() {
        use std::io::Read;
        let Ok(paths) = std::env::var("WHOSAID_PAGES") else {
            eprintln!("skipping: WHOSAID_PAGES not set");
            return;
        };
        for path in paths.split_whitespace() {
            let bytes = std::fs::read(path).expect("readable page");
            let mut html = String::new();
            if path.ends_with(".gz") {
                flate2::read::GzDecoder::new(&bytes[..])
                    .read_to_string(&mut html)
                    .expect("gzip text");
            } else {
                html = String::from_utf8_lossy(&bytes).into_owned();
            }
            let doc = Document::from(html.as_str());
            let facts = walk(&doc.tree);
            let ld = jsonld::read(&facts.jsonld);
            let metas: Vec<_> = facts.metas.iter().filter(|(k, _)| !k.is_empty()).collect();
            eprintln!(
                "===== {path}\nmetas {metas:?}\ntitle {:?}\nh1s {:#?}",
                facts.title_tag, facts.h1s
            );
            eprintln!("ld {ld:#?}");
            eprintln!(
                "marked_authors {:#?}\nbylines {:#?}\nboxed {:#?}",
                facts.marked_authors, facts.bylines, facts.boxed_authors
            );
            eprintln!(
                "visible_dates {:#?}\nboilerplate_dates {:#?}",
                facts.visible_dates, facts.boilerplate_dates
            );
            for h1 in doc.select("h1").nodes() {
                let chain: Vec<String> = h1
                    .ancestors(None)
                    .iter()
                    .filter_map(|a| {
                        let name = a.node_name()?;
                        Some(format!("{name}.{}", a.attr_or("class", "")))
                    })
                    .collect();
                eprintln!("h1 {:?} in {chain:?}", h1.text());
            }
            eprintln!("=> {:#?}", extract(&doc, None));
        }
    }

    /// Cost of this stage alone on the WCXB dev pages (parsing excluded):
    /// `cargo test --release -p whosaid --lib metadata_timing -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn metadata_timing() {
        use std::io::Read;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/wcxb-articles-dev/html");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!("skipping: {} not present", dir.display());
            return;
        };
        let mut pages = Vec::new();
        for entry in entries.flatten() {
            let mut html = String::new();
            let file = std::fs::File::open(entry.path()).expect("readable page");
            let mut gz = flate2::read::GzDecoder::new(file);
            if gz.read_to_string(&mut html).is_ok() {
                pages.push(html);
            }
        }
        // Parsing is timed too: on a busy machine the ratio is steadier
        // than either figure.
        let parse_start = std::time::Instant::now();
        let docs: Vec<Document> = pages.iter().map(|h| Document::from(h.as_str())).collect();
        let parse_ms = parse_start.elapsed().as_secs_f64() * 1000.0 / docs.len().max(1) as f64;
        let start = std::time::Instant::now();
        let mut found = 0;
        let rounds = 5;
        for _ in 0..rounds {
            for doc in &docs {
                found += usize::from(extract(doc, Some("https://example.test/a")).title.is_some());
            }
        }
        let per_page = start.elapsed().as_secs_f64() * 1000.0 / (rounds * docs.len().max(1)) as f64;
        eprintln!(
            "{} pages, {found} titles, metadata {per_page:.3} ms/page, parsing {parse_ms:.3} ms/page",
            docs.len()
        );
    }

    #[test]
    fn shown_byline_extends_data() {
        let v = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        let rows: &[(&[&str], &[&str], bool)] = &[
            (&["Ada Stone", "Ben Reed"], &["Ada Stone"], true),
            (&["Dr. Ada Stone"], &["Ada Stone"], true),
            (&["Ada Stone"], &["Ada Stone"], false),
            (&["Ada Stone Verified"], &["Ada Stone"], false),
            (&["Ben Reed", "Ada Stone"], &["Ada Stone"], false),
            (&[], &["Ada Stone"], false),
        ];
        for (shown, data, want) in rows {
            assert_eq!(
                extends(&v(shown), &v(data)),
                *want,
                "{shown:?} over {data:?}"
            );
        }
    }

    #[test]
    fn copyright_lines() {
        let rows: &[(&str, Option<&str>)] = &[
            (
                "© 2025 The Gazette. All rights reserved.",
                Some("The Gazette"),
            ),
            (
                "Copyright © 2010–2025 Fen Weekly | Privacy",
                Some("Fen Weekly"),
            ),
            ("(c) 2024 Coast Daily", Some("Coast Daily")),
            ("© 2025", None),
            (
                "Copyright notice: read this first before anything else",
                None,
            ),
            ("Not a copyright line", None),
        ];
        for (raw, want) in rows {
            assert_eq!(copyright_holder(raw).as_deref(), *want, "{raw:?}");
        }
    }

    #[test]
    fn language_codes() {
        for (raw, want) in [
            ("en-US", Some("en")),
            ("EN", Some("en")),
            ("pt_BR", Some("pt")),
            ("", None),
            ("english", None),
        ] {
            assert_eq!(primary_subtag(raw).as_deref(), want, "{raw:?}");
        }
    }
}
