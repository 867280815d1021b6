//! The article body: which part of the page is the article, as blocks.
//!
//! # How
//!
//! 1. **Outline** ([`super::content_dom`]): one walk over the parsed page
//!    (explicit stack) records the block-level elements with their class
//!    and id evidence, and the runs of text between block boundaries, each
//!    with its length, link text and kind (heading, list item, quote, table
//!    cell, caption, paragraph, loose text in a `div`). Scripts, forms,
//!    `nav` and hidden inline elements are skipped; hidden blocks are kept
//!    but marked. A table whose cell holds most of its text as a long run
//!    or several paragraphs (or holds another table) is the page's layout,
//!    walked as a container; other tables' cells join into " | " rows.
//! 2. **Weighing**: a run is prose when it is sentence-like (eight words or
//!    more, with punctuation) and has few links; its weight is its
//!    non-link length.
//! 3. **Container**: the element maximising prose minus a cost for link
//!    text and furniture text in its subtree (prefix sums over the runs make
//!    this one pass). The common ancestor of an article split over several
//!    containers wins when the junk between the parts is small; otherwise
//!    dense prose siblings along the container's ancestor line join it.
//!    Furniture names on a wrapper that holds half the page's prose are
//!    ignored (sites name page wrappers "has-sidebar").
//! 4. **Cleanup** inside the container: runs under furniture (share bars,
//!    related stories, newsletter boxes, comments, bylines, captions), link
//!    lists outside the article's flow, tables of contents, boilerplate
//!    phrases, a heading repeating the page title, everything after an
//!    end-of-article heading ("Related stories", "Leave a reply"), a tail
//!    of other stories' teasers (datelines with short blurbs), second
//!    copies of paragraphs, and short non-prose runs and author notes at
//!    the edges.
//! 5. **Listing pages** (a run of linked headlines with short blurbs) and
//!    pages with almost no prose give no body and a warning.
//!
//! Hidden holders are read only when the visible page has no article:
//! script-rendered pages park the whole article in one.

use std::sync::OnceLock;

use dom_query::Document;
use regex::Regex;

use super::content_dom::{self, Elem, Furniture, Outline, RawBlock, RawKind, Tag, NONE};
use super::Metadata;
use crate::hashing::PrehashedMap;
use crate::pipeline::Limits;
use crate::record::BlockKind;

/// The body blocks and any warnings about them.
#[derive(Debug, Clone, Default)]
pub struct Body {
    pub blocks: Vec<(BlockKind, String)>,
    pub warnings: Vec<String>,
}

/// Warning given when a page has no article body to extract.
pub const LISTING_WARNING: &str = "page looks like a listing or index; no article body";

/// Finds the main content of the page.
pub fn extract(doc: &Document, meta: &Metadata, limits: &Limits) -> Body {
    let outline = content_dom::outline(doc, limits.max_dom_nodes);
    let body = select(&outline, meta, false);
    if body.blocks.is_empty() && outline.blocks.iter().any(|b| b.hidden) {
        let revealed = select(&outline, meta, true);
        if !revealed.blocks.is_empty() {
            return revealed;
        }
    }
    body
}

/// Share of a run's characters inside links above which it is a link list,
/// not prose.
const PROSE_MAX_LINK_DENSITY: f32 = 0.3;
/// Runs inside the container with more links than this are dropped.
const KEEP_MAX_LINK_DENSITY: f32 = 0.5;
/// Cost of one character of non-prose text kept by a candidate container,
/// against one character of prose gained.
const JUNK_COST: f32 = 0.4;
/// Cost of a character of furniture text (not links) in a container,
/// relative to a character of link text.
const FURNITURE_TEXT_COST: f32 = 0.3;
/// A sibling of the chosen container joins it with at least this much
/// prose ...
const SPLIT_PART_MIN_PROSE: f32 = 300.0;
/// ... and at most this much weighed junk per character of prose.
const SPLIT_PART_MAX_JUNK: f32 = 0.1;
/// A collapsed section inside the container is opened with this much prose.
const REVEAL_MIN_PROSE: f32 = 150.0;
/// Below this much prose, the page has no article to speak of.
const MIN_BODY_PROSE_CHARS: f32 = 150.0;

fn link_density(b: &RawBlock) -> f32 {
    if b.chars == 0 {
        0.0
    } else {
        b.link_chars as f32 / b.chars as f32
    }
}

/// How much a run reads like article prose, in characters (0: not prose).
fn prose_weight(b: &RawBlock) -> f32 {
    match b.kind {
        RawKind::Heading(_) | RawKind::Caption => return 0.0,
        _ => {}
    }
    let ld = link_density(b);
    if ld > PROSE_MAX_LINK_DENSITY || b.words < 8 {
        return 0.0;
    }
    let sentence_marks = b
        .text
        .bytes()
        .filter(|c| matches!(c, b'.' | b',' | b'!' | b'?' | b';'))
        .count();
    if sentence_marks == 0 && b.words < 20 {
        return 0.0;
    }
    b.chars as f32 * (1.0 - ld)
}

/// Per-element subtree sums by prefix sums over the runs: prose weight, and
/// the characters that count against a container (link text, and any text
/// under furniture).
struct Sums {
    prose: Vec<f32>,
    junk: Vec<f32>,
}

impl Sums {
    fn new(weights: &[f32], blocks: &[RawBlock], in_furniture: impl Fn(usize) -> bool) -> Sums {
        let mut prose = Vec::with_capacity(blocks.len() + 1);
        let mut junk = Vec::with_capacity(blocks.len() + 1);
        prose.push(0.0);
        junk.push(0.0);
        let (mut p, mut j) = (0.0f32, 0.0f32);
        for (i, b) in blocks.iter().enumerate() {
            if in_furniture(i) {
                // Furniture inside a container is dropped later, so its text
                // costs less than link text: enough to keep a comments
                // section from tipping the choice, not so much that a long
                // one pushes the choice down to a single paragraph.
                j += b.link_chars as f32 + b.chars as f32 * FURNITURE_TEXT_COST;
            } else {
                p += weights[i];
                j += b.link_chars as f32;
            }
            prose.push(p);
            junk.push(j);
        }
        Sums { prose, junk }
    }

    fn prose(&self, e: &Elem) -> f32 {
        self.prose[e.end_block as usize] - self.prose[e.first_block as usize]
    }

    fn junk(&self, e: &Elem) -> f32 {
        self.junk[e.end_block as usize] - self.junk[e.first_block as usize]
    }
}

/// Link density of any element's subtree, by prefix sums.
struct LinkSums {
    chars: Vec<u64>,
    links: Vec<u64>,
}

impl LinkSums {
    fn new(blocks: &[RawBlock]) -> LinkSums {
        let mut chars = Vec::with_capacity(blocks.len() + 1);
        let mut links = Vec::with_capacity(blocks.len() + 1);
        let (mut c, mut l) = (0u64, 0u64);
        chars.push(0);
        links.push(0);
        for b in blocks {
            c += u64::from(b.chars);
            l += u64::from(b.link_chars);
            chars.push(c);
            links.push(l);
        }
        LinkSums { chars, links }
    }

    fn density(&self, e: &Elem) -> f32 {
        let (a, b) = (e.first_block as usize, e.end_block as usize);
        let chars = self
            .chars
            .get(b)
            .zip(self.chars.get(a))
            .map_or(0, |(y, x)| y.saturating_sub(*x));
        let links = self
            .links
            .get(b)
            .zip(self.links.get(a))
            .map_or(0, |(y, x)| y.saturating_sub(*x));
        if chars == 0 {
            0.0
        } else {
            links as f32 / chars as f32
        }
    }
}

fn select(outline: &Outline, meta: &Metadata, with_hidden: bool) -> Body {
    let elems = &outline.elems;
    let blocks = &outline.blocks;
    let weights: Vec<f32> = blocks
        .iter()
        .map(|b| {
            if b.hidden && !with_hidden {
                0.0
            } else {
                prose_weight(b)
            }
        })
        .collect();
    let raw = Sums::new(&weights, blocks, |_| false);
    let total_prose = elems.first().map_or(0.0, |e| raw.prose(e));
    if total_prose < MIN_BODY_PROSE_CHARS {
        return listing();
    }

    // A furniture name on a wrapper that holds most of the page's prose is
    // a site's naming accident ("page has-sidebar"), not furniture.
    let furniture: Vec<Option<Furniture>> = elems
        .iter()
        .map(|e| {
            e.furniture
                .or(is_furniture_tag(e).then_some(Furniture::Hard))
                .filter(|_| raw.prose(e) < 0.5 * total_prose)
        })
        .collect();
    let mut in_furniture = vec![false; elems.len()];
    for (i, e) in elems.iter().enumerate() {
        let parent = e.parent as usize;
        let inherited = e.parent != NONE && in_furniture.get(parent).copied().unwrap_or(false);
        in_furniture[i] = inherited || furniture[i] == Some(Furniture::Hard);
    }
    let block_in_furniture = |i: usize| {
        in_furniture
            .get(blocks[i].owner as usize)
            .copied()
            .unwrap_or(false)
    };
    let clean = Sums::new(&weights, blocks, block_in_furniture);

    let container = choose_container(elems, &clean);
    let Some(c) = container else {
        return listing();
    };
    let roots = with_split_parts(elems, c, &clean, &in_furniture);
    let (weights, shown) = reveal_collapsed(blocks, elems, &roots, weights, with_hidden);
    let kept = collect(outline, &roots, &weights, &furniture, meta, &shown);
    let kept_prose: f32 = kept.iter().map(|&i| weights[i]).sum();
    if kept_prose < MIN_BODY_PROSE_CHARS || looks_like_listing(blocks, &elems[c], &kept, &weights) {
        return listing();
    }
    Body {
        blocks: emit(blocks, &kept),
        warnings: Vec::new(),
    }
}

/// Collapsed sections (accordions, "read more" panels) hide parts of an
/// article that readers open; a hidden holder inside the chosen container
/// whose text reads as prose is taken as one. Returns the weights with
/// the prose of opened sections given back, and which runs are shown.
fn reveal_collapsed(
    blocks: &[RawBlock],
    elems: &[Elem],
    roots: &[usize],
    mut weights: Vec<f32>,
    with_hidden: bool,
) -> (Vec<f32>, Vec<bool>) {
    let mut shown: Vec<bool> = blocks.iter().map(|b| with_hidden || !b.hidden).collect();
    if with_hidden || shown.iter().all(|&s| s) {
        return (weights, shown);
    }
    let in_roots = |i: usize| {
        roots
            .iter()
            .filter_map(|&r| elems.get(r))
            .any(|e| (e.first_block as usize..e.end_block as usize).contains(&i))
    };
    // Outermost holders do not nest, so each run is looked at once more.
    let mut i = 0;
    while i < blocks.len() {
        let holder = blocks[i].hidden_holder;
        let Some(h) = elems.get(holder as usize).filter(|_| blocks[i].hidden) else {
            i += 1;
            continue;
        };
        let range = (h.first_block as usize).max(i)..(h.end_block as usize).min(blocks.len());
        let next = range.end.max(i + 1);
        let (mut prose, mut chars, mut link_chars) = (0.0f32, 0u64, 0u64);
        for b in blocks.get(range.clone()).unwrap_or_default() {
            prose += prose_weight(b);
            chars += u64::from(b.chars);
            link_chars += u64::from(b.link_chars);
        }
        let open = in_roots(range.start)
            && prose >= REVEAL_MIN_PROSE
            && (link_chars as f32) < PROSE_MAX_LINK_DENSITY * chars as f32;
        if open {
            for j in range {
                if let (Some(w), Some(b)) = (weights.get_mut(j), blocks.get(j)) {
                    *w = prose_weight(b);
                }
                if let Some(s) = shown.get_mut(j) {
                    *s = true;
                }
            }
        }
        i = next;
    }
    (weights, shown)
}

/// An index page: the container is a run of teasers, each a linked
/// headline with at most a short blurb, and no run is long enough to be
/// an article's paragraph.
fn looks_like_listing(
    blocks: &[RawBlock],
    container: &Elem,
    kept: &[usize],
    weights: &[f32],
) -> bool {
    let range = container.first_block as usize..container.end_block as usize;
    let linked_headlines = blocks
        .get(range)
        .unwrap_or_default()
        .iter()
        .filter(|b| {
            link_density(b) > 0.5
                && b.words >= 3
                && matches!(b.kind, RawKind::Heading(_))
                && !b.in_list
        })
        .count();
    if linked_headlines < 5 {
        return false;
    }
    let longest = kept.iter().map(|&i| weights[i]).fold(0.0f32, f32::max);
    let prose: f32 = kept.iter().map(|&i| weights[i]).sum();
    longest < 300.0 && prose < 200.0 * linked_headlines as f32
}

/// The chosen container and, when the article is split into parts that
/// have no tight common ancestor (sections laid directly in the page
/// body among other things), the sibling subtrees along its ancestor line
/// that read as dense prose too. Returned in document order.
fn with_split_parts(elems: &[Elem], c: usize, sums: &Sums, in_furniture: &[bool]) -> Vec<usize> {
    let mut on_path = vec![false; elems.len()];
    let mut a = c;
    while let Some(e) = elems.get(a) {
        on_path[a] = true;
        if e.parent == NONE {
            break;
        }
        a = e.parent as usize;
    }
    let mut roots = vec![c];
    for (i, e) in elems.iter().enumerate() {
        if on_path[i]
            || e.parent == NONE
            || e.parent as usize == c
            || !on_path.get(e.parent as usize).copied().unwrap_or(false)
        {
            continue;
        }
        if in_furniture.get(i).copied().unwrap_or(true) {
            continue;
        }
        let prose = sums.prose(e);
        let junk = sums.junk(e);
        if prose >= SPLIT_PART_MIN_PROSE && JUNK_COST * junk <= SPLIT_PART_MAX_JUNK * prose {
            roots.push(i);
        }
    }
    roots.sort_unstable();
    roots
}

fn listing() -> Body {
    Body {
        blocks: Vec::new(),
        warnings: vec![LISTING_WARNING.to_string()],
    }
}

fn is_furniture_tag(e: &Elem) -> bool {
    matches!(e.tag, Tag::Footer | Tag::Aside | Tag::Address | Tag::Form)
}

fn choose_container(elems: &[Elem], sums: &Sums) -> Option<usize> {
    let mut best: Option<(usize, f32)> = None;
    for (i, e) in elems.iter().enumerate() {
        let prose = sums.prose(e);
        if prose <= 0.0 {
            continue;
        }
        let junk = sums.junk(e);
        let mut score = prose - JUNK_COST * junk;
        if e.article_body {
            score *= 1.1;
        } else if e.semantic || e.content_name {
            score *= 1.05;
        }
        // Later (deeper) elements win ties: the tightest container.
        if best.is_none_or(|(_, s)| score >= s) {
            best = Some((i, score));
        }
    }
    best.map(|(i, _)| i)
}

/// Short runs that are the site talking, not the article: affiliate
/// disclosures, reading times, photo credits, form messages, prompts to
/// share, follow or subscribe.
fn is_boilerplate(b: &RawBlock) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    if b.words > 45 {
        return false;
    }
    let re = RE.get_or_init(|| {
        Regex::new(
            r"(?xi)
              (?-u:\b)(we|i)\s(may\s)?(earn|receive|get|make)\s(a\s)?(small\s)?(commission|compensation|affiliate)
            | (?-u:\b)affiliate\s(links?|commissions?|partners?)(?-u:\b)
            | (?-u:\b)paid\spromotion(?-u:\b)
            | (?-u:\b)(independently|editorially)\s(selected|chosen|reviewed)(?-u:\b)
            | ^advertisement$
            | ^(story|article)\scontinues\sbelow
            | ^(continue|keep)\sreading(?-u:\b)
            | ^scroll\sto\scontinue
            | ^loading(\s\w+)?\W*$
            | ^link\scopied
            | ^summari[sz]e\swith\s
            | ^oops!?\ssomething\swent\swrong
            | ^thank\syou!?\syour\ssubmission
            | this\sfield\sis\sfor\svalidation
            | ^no\scredit\scard\srequired
            | (?-u:\b)all\srights\sreserved(?-u:\b)
            | ^(copyright\s)?©\s?\d{4}
            | (?-u:\b)republish\s(our|this)(?-u:\b)
            | ^follow\sus(?-u:\b)
            | ^share\s(this|the)\s(article|post|story|page)
            | ^click\shere\sto\s(subscribe|sign\sup|download|join)
            | ^(sign\sup|subscribe)\s(for|to)\s(our|the)(?-u:\b)
            | ^\d+\s(min|mins|minute|minutes)(\s(read|reading\stime))?$
            | ^(read|reading)\stime(?-u:\b)
            | ^(photo|image|picture|video)(\s(credit|source|courtesy))?s?\s?:
            | ^(credit|source|courtesy)\s?:\s*(getty|shutterstock|istock|ap(?-u:\b)|reuters|afp)
            | ^(getty\simages|shutterstock|istock)(?-u:\b)
            | ^(table\sof\s)?contents(\s(hide|show))?\W*$
            | ^in\sthis\s(article|post|guide|story)\W*$
            | ^on\sthis\spage\W*$
            | ^jump\sto(\ssection)?\W*$
            | ^(skip|back)\sto\s(top|content|main\scontent)\W*$
            | ^share\W*$
            | ^(print|email)\s(this\s)?(article|page|story|post)\W*$
            ",
        )
        .expect("boilerplate pattern is valid")
    });
    re.is_match(b.text.trim())
}

/// A heading that repeats the page title, which the record carries apart;
/// page titles often add the site's name after the headline.
fn is_title(heading: &str, title: &str) -> bool {
    if heading.is_empty() || title.is_empty() {
        return false;
    }
    heading == title
        || (heading.split(' ').count() >= 3
            && (title.starts_with(heading) || heading.starts_with(title)))
}

fn normalized_words(s: &str) -> String {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs kept from the container `c`, by index.
fn collect(
    outline: &Outline,
    roots: &[usize],
    weights: &[f32],
    furniture: &[Option<Furniture>],
    meta: &Metadata,
    shown: &[bool],
) -> Vec<usize> {
    let elems = &outline.elems;
    let blocks = &outline.blocks;
    let Some(&first_root) = roots.first() else {
        return Vec::new();
    };
    // Furniture strictly inside the container, inherited down the tree.
    // Pre-order numbering puts every parent before its children.
    // For each element: the furniture above it inside the container, as
    // the kind and the outermost element of that kind.
    let mut below: Vec<Option<(Furniture, usize)>> = vec![None; elems.len()];
    let mut inside = vec![false; elems.len()];
    for &r in roots {
        if let Some(x) = inside.get_mut(r) {
            *x = true;
        }
    }
    for i in first_root..elems.len() {
        let e = &elems[i];
        let parent = e.parent as usize;
        if inside[i] {
            continue;
        }
        if e.parent == NONE || !inside.get(parent).copied().unwrap_or(false) {
            continue;
        }
        inside[i] = true;
        let own = furniture[i].map(|f| (f, i));
        let up = below.get(parent).copied().flatten();
        below[i] = match (own, up) {
            (Some(a), Some(b)) => Some(if a.0 > b.0 { a } else { b }),
            (a, b) => a.or(b),
        };
    }
    let links = LinkSums::new(blocks);
    // Positions in `kept` of list items that are mostly links.
    let mut linked_items: Vec<usize> = Vec::new();
    let title = meta.title.as_deref().map(normalized_words);
    let mut kept = Vec::new();
    let ranges = roots
        .iter()
        .filter_map(|&r| elems.get(r))
        .flat_map(|e| e.first_block as usize..e.end_block as usize);
    for i in ranges {
        let b = &blocks[i];
        if !shown.get(i).copied().unwrap_or(false) {
            continue;
        }
        let owner = b.owner as usize;
        match below.get(owner).copied().flatten() {
            Some((Furniture::Hard, _)) => continue,
            // A "teaser" or "card" box is furniture when it is mostly links;
            // a lead paragraph or a fact box under such a name is not.
            Some((Furniture::Soft, e)) if weights[i] <= 0.0 && links.density(&elems[e]) > 0.35 => {
                continue;
            }
            _ => {}
        }
        if b.kind == RawKind::Caption || is_boilerplate(b) {
            continue;
        }
        // Labels and stray values ("Tip", "Pros", "4.5", "$600") between
        // the paragraphs; a short sentence ("Not yet.") stays.
        if matches!(b.kind, RawKind::Loose | RawKind::Paragraph)
            && b.words <= 2
            && !b.text.ends_with(['.', '!', '?', '"', '\u{201D}'])
        {
            continue;
        }
        if b.local_link_chars * 2 > b.chars {
            // A table of contents, or a lone footnote mark.
            continue;
        }
        if b.kind != RawKind::Cell && link_density(b) > KEEP_MAX_LINK_DENSITY {
            if b.kind == RawKind::ListItem || (b.in_list && matches!(b.kind, RawKind::Heading(_))) {
                linked_items.push(kept.len());
                kept.push(i);
            }
            continue;
        }
        if let (RawKind::Heading(_), Some(t)) = (b.kind, &title) {
            if is_title(&normalized_words(&b.text), t) {
                continue;
            }
        }
        kept.push(i);
    }
    keep_enclosed_link_items(weights, &linked_items, &mut kept);
    cut_at_end_marker(blocks, weights, &mut kept);
    cut_teaser_tail(blocks, weights, &mut kept);
    drop_repeats(blocks, &mut kept);
    trim_edges(blocks, weights, &mut kept);
    kept
}

/// Keeps list items that are mostly links (a list of products or sources
/// the article names, with their linked names as headings) only where the
/// article goes on after them; before the first prose or after the last
/// they are menus and "more" lists.
fn keep_enclosed_link_items(weights: &[f32], linked_items: &[usize], kept: &mut Vec<usize>) {
    if linked_items.is_empty() {
        return;
    }
    let first_prose = kept.iter().position(|&i| weights[i] > 0.0);
    let last_prose = kept.iter().rposition(|&i| weights[i] > 0.0);
    let mut drop = vec![false; kept.len()];
    for &pos in linked_items {
        let enclosed = first_prose.is_some_and(|f| f < pos) && last_prose.is_some_and(|l| l > pos);
        if let Some(d) = drop.get_mut(pos) {
            *d = !enclosed;
        }
    }
    let mut pos = 0;
    kept.retain(|_| {
        let keep = !drop.get(pos).copied().unwrap_or(false);
        pos += 1;
        keep
    });
}

/// Headings that open what comes after an article on the same page:
/// related stories, comments, the author's box, share and follow prompts.
fn end_marker_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?x)^(
              (also\s)?in\sthe\snews
            | (related|similar|recent|latest|popular|recommended|more|other)(\s[\w&]+){0,2}\s(articles?|posts|stories|blogs?|insights|news|resources)(\s(on|from|in|by|like)\s.*)?
            | up\snext
            | more\s(you|we\sthink\syou)\s(might|may|will)\s(like|enjoy|love)
            | (was\sthis|did\syou\sfind\sthis|is\sthis|how\suseful\swas\sthis)(\s(article|post|page|content|information))?\s(helpful|useful)
            | rate\sthis\s(article|post|page|story)
            | (request|book|schedule|get)\sa\s(free\s)?(demo|quote|consultation|call)
            | take\sthe\snext\sstep
            | get\sstarted\stoday
            | like\swhat\syou('|\u{2019})?re\sreading
            | need\smore\shelp
            | (contact|work\swith)\sus
            | more\sto\sexplore
            | meet\s(your|the|our)\s(guide|author|testers|team|experts?)
            | further\sreading
            | (related|similar|recent|latest|popular|trending|recommended|featured|more|other|top)
                (\s(articles?|posts?|stories|content|topics|news|reads?|reading|links|guides|videos|products|on\s.*|from\s.*|in\s.*|like\sthis|for\syou|now|to\sread))?
            | you\s(may|might)\s(also\s)?(like|enjoy|be\sinterested\sin).*
            | read\s(next|more|also)
            | also\sread
            | (don'?t|do\snot)\smiss.*
            | editor'?s\spicks?
            | most\s(read|popular|viewed|shared).*
            | (leave|post|add|write)\sa\s(reply|comment|response).*
            | \d*\s?(comments?|responses|replies)
            | join\sthe\s(conversation|discussion)
            | about\sthe\sauthors?
            | share(\s(this|the)(\s(article|post|story|page))?)?
            | follow\sus.*
            | (sign\sup|subscribe)(\s.*)?
            | newsletter
            | tags?
            | filed\sunder.*
            | categories
            | disclaimer
            | (helpful|useful|related|more)\s(links|resources)
            | other\srelated\s(articles|posts|stories).*
            | join\s(our|the)\s.*(club|community|newsletter|list)
            )$",
        )
        .expect("end-marker pattern is valid")
    })
}

/// Cuts the kept runs at a heading such as "Related stories" or "Leave a
/// reply" once most of the article's prose lies before it.
fn cut_at_end_marker(blocks: &[RawBlock], weights: &[f32], kept: &mut Vec<usize>) {
    let total: f32 = kept.iter().map(|&i| weights[i]).sum();
    let mut before = 0.0f32;
    for (pos, &i) in kept.iter().enumerate() {
        let b = &blocks[i];
        let short_label =
            matches!(b.kind, RawKind::Heading(_)) || (weights[i] <= 0.0 && b.words <= 6);
        if short_label && before >= 0.6 * total {
            let label = b
                .text
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase();
            if end_marker_regex().is_match(&label) {
                kept.truncate(pos);
                return;
            }
        }
        before += weights[i];
    }
}

/// A short line that is only a date, perhaps with a count of comments or
/// a name after it: the dateline of a teaser.
fn is_date_line(b: &RawBlock, weight: f32) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    if weight > 0.0 || b.words > 8 || matches!(b.kind, RawKind::Heading(_)) {
        return false;
    }
    let re = RE.get_or_init(|| {
        let month = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?";
        Regex::new(&format!(
            r"(?ix)^(posted\s|published\s|updated\s)?(on\s)?(\w+,?\s)?(
                {month}\s\d{{1,2}}(st|nd|rd|th)?,?\s\d{{4}}
              | \d{{1,2}}(st|nd|rd|th)?\s{month},?\s\d{{4}}
              | \d{{4}}-\d{{2}}-\d{{2}}
              | \d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}}
            )(?-u:\b)"
        ))
        .expect("date-line pattern is valid")
    });
    re.is_match(b.text.trim())
}

/// Most runs between two teaser datelines: a headline and a blurb, or a
/// blurb and a "read more".
const TEASER_MAX_RUNS: usize = 3;
/// A teaser's blurb is at most this long; an article's dated entries are
/// longer.
const TEASER_MAX_PROSE: f32 = 500.0;

/// Cuts a list of other stories that follows the article in its own
/// container: at least three units of a dateline and a short blurb, with
/// no more prose in them than in the article before.
fn cut_teaser_tail(blocks: &[RawBlock], weights: &[f32], kept: &mut Vec<usize>) {
    let dates: Vec<usize> = (0..kept.len())
        .filter(|&pos| is_date_line(&blocks[kept[pos]], weights[kept[pos]]))
        .collect();
    if dates.len() < 3 {
        return;
    }
    let is_blurb_gap = |from: usize, to: usize| {
        to - from <= TEASER_MAX_RUNS
            && kept[from..to]
                .iter()
                .all(|&i| weights[i] <= TEASER_MAX_PROSE)
    };
    let Some(&last) = dates.last() else {
        return;
    };
    // Datelines close their units when one ends the list, else open them.
    let dates_close = last + 1 == kept.len();
    if !dates_close && !is_blurb_gap(last + 1, kept.len()) {
        return;
    }
    // Walk back over datelines with blurbs between them.
    let mut first = dates.len() - 1;
    while first > 0 && is_blurb_gap(dates[first - 1] + 1, dates[first]) {
        first -= 1;
    }
    if dates.len() - first < 3 {
        return;
    }
    let start = if dates_close {
        // The first unit's blurb lies before its dateline, as long as the
        // second unit's.
        let span = dates[first + 1] - dates[first] - 1;
        dates[first].saturating_sub(span)
    } else {
        dates[first]
    };
    let prose = |range: &[usize]| range.iter().map(|&i| weights[i]).sum::<f32>();
    let before = prose(&kept[..start]);
    if before < MIN_BODY_PROSE_CHARS || before < prose(&kept[start..]) {
        return;
    }
    kept.truncate(start);
}

/// Drops bare web addresses, and long runs that repeat the text of several
/// runs kept before them (a page that carries its article twice, once as
/// raw text). Two similar paragraphs are both kept: articles repeat
/// themselves on purpose.
fn drop_repeats(blocks: &[RawBlock], kept: &mut Vec<usize>) {
    // Sized for the page's words up front: growing it rehashes every
    // shingle again.
    let words_estimate: usize = kept.iter().map(|&i| blocks[i].text.len() / 6).sum();
    let mut seen_shingles: PrehashedMap<usize> =
        PrehashedMap::with_capacity_and_hasher(words_estimate, Default::default());
    // Runs by a hash of their words: runs are spaced by single spaces, so
    // equal words are equal texts.
    let mut seen_texts: PrehashedMap<()> = PrehashedMap::default();
    // Reused for every run: this looks at every kept run of the page.
    let mut word_hashes: Vec<u64> = Vec::new();
    let mut shingles: Vec<u64> = Vec::new();
    let mut sources: Vec<usize> = Vec::new();
    kept.retain(|&i| {
        let b = &blocks[i];
        let t = b.text.trim();
        if !t.contains(' ') && (t.starts_with("http://") || t.starts_with("https://")) {
            return false;
        }
        word_hashes.clear();
        hash_words(t, &mut word_hashes);
        let words = word_hashes.len();
        if words < 3 {
            return true;
        }
        // The same paragraph twice is a page's second copy (mobile and
        // desktop layouts, a standfirst repeated as a summary).
        if words >= 10 {
            let text_key = word_hashes.iter().fold(0u64, |k, &h| {
                (k.rotate_left(5) ^ h).wrapping_mul(0x9e37_79b9_7f4a_7c15)
            });
            if seen_texts.insert(text_key, ()).is_some() {
                return false;
            }
        }
        shingles.clear();
        shingles.extend(word_hashes.windows(3).map(|w| {
            // Order matters: "a b c" and "c b a" are different shingles.
            (w[0].rotate_left(42) ^ w[1].rotate_left(21) ^ w[2]).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        }));
        sources.clear();
        let mut repeated = 0usize;
        for h in &shingles {
            if let Some(&src) = seen_shingles.get(h) {
                repeated += 1;
                // Three sources are all the test below asks for.
                if sources.len() < 3 && !sources.contains(&src) {
                    sources.push(src);
                }
            }
        }
        let is_repeat = words >= 50 && sources.len() >= 3 && repeated * 10 >= shingles.len() * 7;
        if !is_repeat {
            for &h in &shingles {
                seen_shingles.insert(h, i);
            }
        }
        !is_repeat
    });
}

/// FNV-1a hashes (fast, and good enough to tell words apart) of the
/// whitespace-separated words of `text`, in order.
fn hash_words(text: &str, hashes: &mut Vec<u64>) {
    const START: u64 = 0xcbf2_9ce4_8422_2325;
    let fnv = |h: u64, byte: u8| (h ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    if !text.is_ascii() {
        // Decoding each character in the loop below costs more than
        // `split_whitespace` does.
        hashes.extend(
            text.split_whitespace()
                .map(|word| word.bytes().fold(START, fnv)),
        );
        return;
    }
    // One pass over the bytes: the ASCII characters that are Unicode
    // white space end words, as `split_whitespace` has it.
    let mut hash = START;
    let mut in_word = false;
    for &byte in text.as_bytes() {
        if matches!(byte, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ') {
            if in_word {
                hashes.push(hash);
                hash = START;
                in_word = false;
            }
        } else {
            hash = fnv(hash, byte);
            in_word = true;
        }
    }
    if in_word {
        hashes.push(hash);
    }
}

/// Drops short non-prose runs before the first and after the last prose
/// run: bylines, datelines, "Advertisement", tag lists.
fn trim_edges(blocks: &[RawBlock], weights: &[f32], kept: &mut Vec<usize>) {
    let is_short_junk = |i: usize| {
        let b = &blocks[i];
        weights[i] <= 0.0
            && !matches!(
                b.kind,
                RawKind::Heading(_) | RawKind::ListItem | RawKind::Cell
            )
            && b.words < 12
    };
    let is_heading = |i: usize| matches!(blocks[i].kind, RawKind::Heading(_));
    // At the start, a heading stays only when text follows it directly
    // ("Introduction" before the first paragraph); "Table of contents"
    // before a trimmed dateline goes.
    let mut start = 0;
    while start < kept.len() {
        let i = kept[start];
        let next_is_text = kept
            .get(start + 1)
            .is_some_and(|&n| !is_heading(n) && !is_short_junk(n));
        if is_short_junk(i) || (is_heading(i) && !next_is_text) {
            start += 1;
        } else {
            break;
        }
    }
    // At the end, a heading with nothing under it goes too.
    let mut end = kept.len();
    while end > start {
        let i = kept[end - 1];
        if is_short_junk(i) || is_heading(i) || is_author_note(&blocks[i], weights[i]) {
            end -= 1;
        } else {
            break;
        }
    }
    kept.truncate(end);
    kept.drain(..start);
}

/// Longest author's note read as a whole; a longer one must say who the
/// author is in its first sentence.
const AUTHOR_NOTE_MAX_WORDS: u32 = 90;
const AUTHOR_BIO_MAX_WORDS: u32 = 200;

/// The author's box at the foot of an article: "Jane Roe is a senior
/// editor at ...", "Written by Jane Roe" or "Hi! I'm Jane".
fn is_author_note(b: &RawBlock, weight: f32) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(
            r"(?x)^(
              (?i:written|reviewed|edited|fact-checked)\s?by(?-u:\b).{0,80}$
            | (?i:hi|hey|hello)(\sthere)?[!,.]\s(?i:i'm|i\u{2019}m|i\sam)\s
            | (dr\.\s)?\p{Lu}[\p{L}.'-]+(\s\p{Lu}[\p{L}.'-]+){0,3},?(\s[\p{Lu}\p{L},.]+)?\s(is|was|has\sbeen|has|writes|covers|joined)\s
              .*(?-u:\b)(writer|editor|author|journalist|reporter|contributor|columnist|analyst|correspondent|blogger|freelance|founder|owner|director|expert|specialist|staff)(?-u:\b)
            )",
        )
        .expect("author-note pattern is valid")
    });
    if weight <= 0.0 || b.words <= AUTHOR_NOTE_MAX_WORDS {
        return re.is_match(&b.text);
    }
    let first_sentence = b.text.split(". ").next().unwrap_or_default();
    b.words <= AUTHOR_BIO_MAX_WORDS && re.is_match(first_sentence)
}

fn emit(blocks: &[RawBlock], kept: &[usize]) -> Vec<(BlockKind, String)> {
    let mut out: Vec<(BlockKind, String)> = Vec::with_capacity(kept.len());
    let mut last_row = NONE;
    for &i in kept {
        let b = &blocks[i];
        if b.kind == RawKind::Cell && b.row != NONE && b.row == last_row {
            if let Some((_, text)) = out.last_mut() {
                text.push_str(" | ");
                text.push_str(&b.text);
                continue;
            }
        }
        last_row = if b.kind == RawKind::Cell { b.row } else { NONE };
        let kind = match b.kind {
            RawKind::Heading(_) => BlockKind::Heading,
            RawKind::ListItem => BlockKind::ListItem,
            RawKind::Quote => BlockKind::Quote,
            _ => BlockKind::Paragraph,
        };
        out.push((kind, b.text.clone()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_titled(html: &str, title: Option<&str>) -> Body {
        let doc = Document::from(html);
        let meta = Metadata {
            title: title.map(str::to_string),
            ..Metadata::default()
        };
        extract(&doc, &meta, &Limits::default())
    }

    fn run(html: &str) -> Body {
        run_titled(html, None)
    }

    fn texts(body: &Body) -> Vec<&str> {
        body.blocks.iter().map(|(_, t)| t.as_str()).collect()
    }

    fn joined(body: &Body) -> String {
        texts(body).join("\n")
    }

    fn raw(kind: RawKind, text: &str) -> RawBlock {
        RawBlock {
            owner: 0,
            row: NONE,
            kind,
            text: text.to_string(),
            chars: text.chars().filter(|c| !c.is_whitespace()).count() as u32,
            link_chars: 0,
            local_link_chars: 0,
            words: text.split_whitespace().count() as u32,
            hidden: false,
            hidden_holder: NONE,
            in_list: false,
        }
    }

    #[test]
    fn words_hash_as_split_whitespace_splits_them() {
        let by_split = |text: &str| -> Vec<u64> {
            text.split_whitespace()
                .map(|w| {
                    w.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
                        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
                    })
                })
                .collect()
        };
        for text in [
            "",
            " ",
            "one",
            "  two  words ",
            "tab\tnew\nline\x0bvt\x0cff\rcr",
            "Zoë’s café\u{a0}2024 — done",
            "a\u{2003}b c",
        ] {
            let mut got = Vec::new();
            hash_words(text, &mut got);
            assert_eq!(got, by_split(text), "{text:?}");
        }
    }

    #[test]
    fn boilerplate_lines() {
        let rows: &[(&str, bool)] = &[
            ("Advertisement", true),
            (
                "We may earn a commission when you buy through links on our site.",
                true,
            ),
            ("Photo: A. Smith for The Gazette", true),
            ("5 min read", true),
            ("Table of Contents", true),
            ("Share:", true),
            ("Copyright © 2024 The Gazette. All rights reserved.", true),
            (
                "Oops! Something went wrong while submitting the form.",
                true,
            ),
            ("The mayor said the photo was taken in 1994.", false),
            (
                "Residents share their views at the meeting on Monday.",
                false,
            ),
            (
                "Contents of the report were leaked to reporters last week.",
                false,
            ),
        ];
        for (text, expected) in rows {
            assert_eq!(
                is_boilerplate(&raw(RawKind::Paragraph, text)),
                *expected,
                "{text}"
            );
        }
    }

    #[test]
    fn end_markers_and_author_notes() {
        let markers: &[(&str, bool)] = &[
            ("related stories", true),
            ("you may also like", true),
            ("leave a reply", true),
            ("12 comments", true),
            ("about the author", true),
            ("more from the gazette", true),
            ("also in the news", true),
            ("related news & resources", true),
            ("other popular blogs", true),
            ("up next", true),
            ("more news in brief", true),
            ("recent changes to the law", false),
            ("was this article helpful", true),
            ("request a demo", true),
            ("meet the testers", true),
            ("ready to start your accounting education", false),
            ("what the council decided", false),
            ("related costs", false),
        ];
        for (label, expected) in markers {
            assert_eq!(end_marker_regex().is_match(label), *expected, "{label}");
        }
        let notes: &[(&str, bool)] = &[
            ("Jane Roe is a senior editor at The Gazette.", true),
            ("Written by Jane Roe", true),
            ("Hi! I'm Jane, and I started this blog in 2015.", true),
            (
                "The council is a body of twelve members elected every four years.",
                false,
            ),
        ];
        for (text, expected) in notes {
            assert_eq!(
                is_author_note(&raw(RawKind::Paragraph, text), 0.0),
                *expected,
                "{text}"
            );
        }
    }

    #[test]
    fn titles_match_with_or_without_the_site_name() {
        assert!(is_title("rain due on monday", "rain due on monday"));
        assert!(is_title(
            "rain due on monday",
            "rain due on monday the gazette"
        ));
        assert!(!is_title("rain", "rain due on monday"));
        assert!(!is_title("", "rain due on monday"));
    }

    /// A paragraph of made-up prose, long enough to read as article text.
    fn prose(topic: &str) -> String {
        format!(
            "<p>The council met on Tuesday to discuss the {topic}, and members argued \
             for nearly two hours about budgets, schedules and the views of residents \
             who had written in, before agreeing to meet again next month.</p>"
        )
    }

    fn page(body: &str) -> String {
        format!(
            "<html><head><title>Test</title></head><body>\
             <header class=\"site-header\"><nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav></header>\
             {body}\
             <footer class=\"site-footer\"><p>Copyright 2024 The Example Gazette. All rights reserved.</p></footer>\
             </body></html>"
        )
    }

    #[test]
    fn article_split_over_two_containers_is_kept_whole() {
        let html = page(&format!(
            "<div class=\"story-part\">{}{}</div>\
             <div class=\"share-bar\"><a href=\"#\">Share on Facebook</a> <a href=\"#\">Tweet</a></div>\
             <div class=\"story-part\">{}{}</div>\
             <aside class=\"sidebar\"><h3>Most read</h3><ul><li><a href=\"/a\">A headline elsewhere on the site</a></li></ul></aside>",
            prose("bridge repairs"),
            prose("library hours"),
            prose("park benches"),
            prose("street lights")
        ));
        let body = run(&html);
        let all = joined(&body);
        for topic in [
            "bridge repairs",
            "library hours",
            "park benches",
            "street lights",
        ] {
            assert!(all.contains(topic), "missing {topic} in {all}");
        }
        assert!(!all.contains("Share on Facebook"), "{all}");
        assert!(!all.contains("Most read"), "{all}");
        assert!(!all.contains("All rights reserved"), "{all}");
        assert!(!all.contains("Home"), "{all}");
        assert!(body.warnings.is_empty());
    }

    #[test]
    fn lead_paragraph_in_teaser_classed_container_is_kept() {
        let html = page(&format!(
            "<article><div class=\"teaser\"><p>A quiet village discovered on Sunday that its \
             only bakery, open since 1921, will close at the end of the year, the owners said.</p></div>\
             <div class=\"body\">{}{}{}</div></article>",
            prose("bakery closure"),
            prose("village shop"),
            prose("bus timetable")
        ));
        let all = joined(&run(&html));
        assert!(all.starts_with("A quiet village discovered"), "{all}");
        assert!(all.contains("bus timetable"), "{all}");
    }

    #[test]
    fn listing_page_gives_no_body_and_a_warning() {
        let mut cards = String::new();
        for i in 0..12 {
            cards.push_str(&format!(
                "<div class=\"card\"><h3><a href=\"/story/{i}\">Headline number {i} about the town</a></h3>\
                 <p>A short blurb for story {i}, with a few words.</p>\
                 <span class=\"date\">May {i}, 2024</span></div>"
            ));
        }
        let body = run(&page(&format!("<main><h1>Latest news</h1>{cards}</main>")));
        assert!(body.blocks.is_empty(), "{:?}", texts(&body));
        assert_eq!(body.warnings, vec![LISTING_WARNING.to_string()]);
    }

    #[test]
    fn furniture_inside_the_article_is_removed() {
        let html = page(&format!(
            "<article class=\"post\">{}\
             <div class=\"newsletter-signup\"><h4>Get our newsletter</h4><p>Sign up to receive the \
             morning briefing in your inbox every weekday, free of charge.</p></div>\
             {}\
             <div class=\"social-share\"><a href=\"#\">Facebook</a><a href=\"#\">Email</a></div>\
             {}\
             <section class=\"related-stories\"><h2>Related stories</h2><p><a href=\"/x\">Another \
             story about the council and its long meetings on budgets</a></p></section>\
             <div id=\"comments\"><p>I think the council should have decided this years ago, \
             honestly, and I have said so at every meeting since then.</p></div></article>",
            prose("harbour wall"),
            prose("ferry fares"),
            prose("fish market")
        ));
        let all = joined(&run(&html));
        assert!(
            all.contains("harbour wall") && all.contains("fish market"),
            "{all}"
        );
        for junk in [
            "newsletter",
            "Sign up",
            "Facebook",
            "Related stories",
            "Another story",
            "years ago",
        ] {
            assert!(!all.contains(junk), "kept {junk:?} in {all}");
        }
    }

    #[test]
    fn block_kinds_follow_the_markup() {
        let html = page(&format!(
            "<article><h1>Council agrees budget</h1>{}\
             <h2>What was decided</h2>\
             <ul><li>New lights on the high street</li><li>Longer library hours</li></ul>\
             <blockquote><p>We listened to residents and this budget shows it, the leader said.</p></blockquote>\
             {}</article>",
            prose("budget vote"),
            prose("next steps")
        ));
        let body = run_titled(&html, Some("Council agrees budget"));
        let kinds: Vec<(BlockKind, &str)> =
            body.blocks.iter().map(|(k, t)| (*k, t.as_str())).collect();
        assert!(
            !kinds.iter().any(|(_, t)| *t == "Council agrees budget"),
            "title kept: {kinds:?}"
        );
        assert!(
            kinds.contains(&(BlockKind::Heading, "What was decided")),
            "{kinds:?}"
        );
        assert!(
            kinds.contains(&(BlockKind::ListItem, "New lights on the high street")),
            "{kinds:?}"
        );
        assert!(
            kinds.contains(&(BlockKind::ListItem, "Longer library hours")),
            "{kinds:?}"
        );
        assert!(kinds
            .iter()
            .any(|(k, t)| *k == BlockKind::Quote && t.starts_with("We listened")));
        assert_eq!(kinds.first().map(|(k, _)| *k), Some(BlockKind::Paragraph));
    }

    #[test]
    fn tables_breaks_and_loose_text_become_blocks() {
        let html = page(&format!(
            "<div class=\"entry-content\">{}\
             <div>The first line of a poem read aloud at the meeting, slowly and with feeling<br>\
             the second line of that poem, which nobody in the hall had heard before</div>\
             <table><tr><th>Item</th><th>Cost</th></tr><tr><td>Benches</td><td>1,200</td></tr></table>\
             {}<p style=\"display:none\">Invisible text that a reader never sees on the page.</p></div>",
            prose("poetry evening"),
            prose("bench costs")
        ));
        let body = run(&html);
        let all = texts(&body);
        assert!(all.contains(&"Item | Cost"), "{all:?}");
        assert!(all.contains(&"Benches | 1,200"), "{all:?}");
        assert!(
            all.iter().any(|t| t.starts_with("The first line")),
            "{all:?}"
        );
        assert!(
            all.iter().any(|t| t.starts_with("the second line")),
            "{all:?}"
        );
        assert!(!joined(&body).contains("Invisible"), "{all:?}");
    }

    #[test]
    fn layout_tables_are_walked_as_containers_and_data_tables_keep_rows() {
        let lines = [
            "The harbour board voted on Monday to close the old slipway for good, after an engineer found cracks along its full length.",
            "Fishermen who use it said they had not been told, and asked the board to keep it open until a new one is built.",
            "The board said the closure would take effect at the end of the month, and that a new slipway would be costed by spring.",
            "A public meeting is planned for the first week of next month in the village hall.",
        ];
        let layout = format!(
            "<html><body><table width=\"100%\"><tr><td colspan=\"2\">The Gazette</td></tr>\
             <tr><td width=\"150\"><a href=\"/\">Home</a><br><a href=\"/news\">News</a><br>\
             <a href=\"/sport\">Sport</a><br><a href=\"/about\">About</a></td>\
             <td><h1>Slipway to close</h1><div>{}</div></td></tr></table></body></html>",
            lines.join("<br><br>")
        );
        let body = run_titled(&layout, Some("Slipway to close"));
        assert_eq!(texts(&body), lines, "{:?}", texts(&body));

        // A record per row, even with a long description cell, stays a row.
        let mut rows = String::new();
        for name in ["Oak", "Ash", "Elm", "Yew"] {
            rows.push_str(&format!(
                "<tr><td>{name}</td><td>Tall</td><td>The {name} grows slowly in the park, \
                 and the wardens say it is one of the oldest trees on the common.</td></tr>"
            ));
        }
        let data = page(&format!(
            "<article>{}<table>{rows}</table>{}</article>",
            prose("tree survey"),
            prose("wardens")
        ));
        let data_body = run(&data);
        let all = texts(&data_body);
        assert!(
            all.iter()
                .any(|t| t.starts_with("Oak | Tall | The Oak grows")),
            "{all:?}"
        );
    }

    #[test]
    fn teasers_of_other_stories_after_the_article_are_cut() {
        let mut teasers = String::new();
        for (day, topic) in [(3, "school run"), (5, "night buses"), (9, "cycle lanes")] {
            teasers.push_str(&format!(
                "<div class=\"item\"><div>May {day}, 2024</div><div>Residents asked the council \
                 about the {topic} at a meeting that ran late into the evening.</div></div>"
            ));
        }
        let html = page(&format!(
            "<div class=\"content\">{}{}{}{teasers}</div>",
            prose("tram depot"),
            prose("tram fares"),
            prose("tram stops")
        ));
        let all = joined(&run(&html));
        assert!(all.contains("tram stops"), "{all}");
        assert!(
            !all.contains("night buses") && !all.contains("May 3"),
            "{all}"
        );

        // Dated entries that are the article itself stay.
        let mut entries = String::new();
        for (day, topic) in [(3, "surveys"), (5, "digging"), (9, "paving")] {
            entries.push_str(&format!("<p>June {day}, 2024</p>{}", prose(topic)));
        }
        let all = joined(&run(&page(&format!("<article>{entries}</article>"))));
        assert!(all.contains("surveys") && all.contains("paving"), "{all}");
    }

    #[test]
    fn forms_are_furniture_unless_they_wrap_the_page() {
        let signup = "<form action=\"/s\"><label>Your email address, so that we can send you the \
                      weekly digest of council news, free</label><input name=\"e\"></form>";
        let html = page(&format!(
            "<article>{}{}{signup}{}</article>",
            prose("road works"),
            prose("detours"),
            prose("bus stops")
        ));
        let all = joined(&run(&html));
        assert!(
            all.contains("bus stops") && !all.contains("weekly digest"),
            "{all}"
        );

        // Some frameworks wrap the whole page in one form.
        let html = page(&format!(
            "<form id=\"aspnetForm\"><div class=\"story\">{}{}{}</div></form>",
            prose("road works"),
            prose("detours"),
            prose("bus stops")
        ));
        let all = joined(&run(&html));
        assert!(
            all.contains("road works") && all.contains("bus stops"),
            "{all}"
        );
    }

    #[test]
    fn linked_headings_in_a_list_inside_the_article_are_kept() {
        let mut items = String::new();
        for tool in ["Stripping pliers", "Voltage tester", "Fish tape"] {
            items.push_str(&format!(
                "<li><h3><a href=\"/shop/{tool}\">{tool}</a></h3><p>Every electrician on the \
                 estate carries one, and the trainers say it pays for itself in a week.</p></li>"
            ));
        }
        let html = page(&format!(
            "<article>{}<ol>{items}</ol>{}</article>",
            prose("tool budget"),
            prose("training days")
        ));
        let body = run(&html);
        let all = texts(&body);
        assert!(all.contains(&"Voltage tester"), "{all:?}");
    }

    #[test]
    fn related_heading_after_the_article_ends_it() {
        let html = page(&format!(
            "<div class=\"content\">{}{}{}<h3>You may also like</h3>\
             <p>Our guide to the best walks in the county, with maps and places to eat.</p></div>",
            prose("canal path"),
            prose("lock gates"),
            prose("towpath")
        ));
        let all = joined(&run(&html));
        assert!(all.contains("towpath"), "{all}");
        assert!(
            !all.contains("may also like") && !all.contains("best walks"),
            "{all}"
        );
    }

    #[test]
    fn script_rendered_article_in_a_hidden_holder_is_found() {
        let html = page(&format!(
            "<div id=\"app\"></div><div hidden id=\"stream-0\"><article>{}{}</article></div>",
            prose("tram line"),
            prose("depot")
        ));
        let all = joined(&run(&html));
        assert!(all.contains("tram line") && all.contains("depot"), "{all}");
    }

    #[test]
    fn streamed_segments_at_the_end_of_the_body_are_shown() {
        // Server-rendered pages stream late sections as hidden holders that
        // a script moves into place; each is a separate child of the body.
        let html = page(&format!(
            "<main><h1>Guide to tides</h1><p>Loading...</p></main>\
             <div hidden id=\"S:1\"><div>{}{}</div></div>\
             <div hidden id=\"S:2\"><div>{}{}</div></div>",
            prose("spring tides"),
            prose("neap tides"),
            prose("tide tables"),
            prose("harbour pilots")
        ));
        let all = joined(&run(&html));
        for topic in [
            "spring tides",
            "neap tides",
            "tide tables",
            "harbour pilots",
        ] {
            assert!(all.contains(topic), "missing {topic} in {all}");
        }
    }

    #[test]
    fn collapsed_sections_inside_the_article_are_opened_but_popups_are_not() {
        let html = page(&format!(
            "<article>{}{}\
             <div class=\"accordion\"><button>Step 1: plan the route</button>\
             <div style=\"display: none\" role=\"region\">{}{}</div></div>\
             <div hidden class=\"popup\"><p>Before you go, sign up for alerts.</p></div>\
             </article>",
            prose("route plan"),
            prose("ramps"),
            prose("step-free stations"),
            prose("lift repairs")
        ));
        let all = joined(&run(&html));
        assert!(
            all.contains("step-free stations") && all.contains("lift repairs"),
            "{all}"
        );
        assert!(!all.contains("sign up for alerts"), "{all}");
    }

    /// Regression: page builders put furniture words in the class names of
    /// every wrapper ("elementor-widget", "elementor-hidden-tablet"), and
    /// some wrap the article in an aside or a "content-nav" section.
    #[test]
    fn builder_class_names_do_not_hide_the_article() {
        let html = page(&format!(
            "<aside class=\"layout\"><main>\
             <div class=\"elementor-widget elementor-widget-theme-post-content elementor-hidden-tablet\">\
             <div class=\"content-nav-section\">{}{}{}</div></div></main></aside>",
            prose("quarry noise"),
            prose("lorry routes"),
            prose("dust checks")
        ));
        let all = joined(&run(&html));
        for topic in ["quarry noise", "lorry routes", "dust checks"] {
            assert!(all.contains(topic), "missing {topic} in {all}");
        }
    }

    /// Our walk keeps its own stack, so depth cannot overflow the thread's.
    /// Custom elements are block-level to the walk, but html5ever opens them
    /// without scanning its stack of open elements, so it parses them in
    /// linear time (`div`s cost it quadratic time: 20,000 of them took a
    /// minute in a debug build); `div`s go through the pre-parse guard.
    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 60_000;
        let html = format!(
            "<html><body>{}<span>{}</span>{}</body></html>",
            "<x-box><section-x>".repeat(depth / 2),
            prose("deep page"),
            "</section-x></x-box>".repeat(depth / 2)
        );
        let body = run(&html);
        assert_eq!(body.blocks.len(), 1, "{:?}", texts(&body));

        let html = format!(
            "<html><body>{}{}{}</body></html>",
            "<div><table><tr><td>".repeat(5_000),
            prose("deep table"),
            "</td></tr></table></div>".repeat(5_000)
        );
        let page = super::super::extract_html(&html, None, &Limits::default());
        assert!(page.is_ok_and(|p| p.blocks.len() <= 1));
    }

    #[test]
    fn empty_and_junk_inputs_give_no_body() {
        for html in ["", "<html></html>", "<p>Hi</p>", "<<<>>>&&&"] {
            let body = run(html);
            assert!(body.blocks.is_empty(), "{html}");
            assert_eq!(body.warnings.len(), 1, "{html}");
        }
    }

    /// The seed page: the body is exactly the article, with its five
    /// subheadings as headings and none of the page around it.
    #[test]
    fn seed_article_body_is_exactly_the_article() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/examples/seed-article.html"
        );
        let Ok(html) = std::fs::read_to_string(path) else {
            eprintln!("skipping: {path} not present");
            return;
        };
        let body = run_titled(&html, Some("What\u{2019}s Next for Trump and Putin?"));
        let all = texts(&body);
        assert!(
            all.first()
                .is_some_and(|t| t.starts_with("The informal meeting")),
            "{all:?}"
        );
        assert!(all.last().is_some_and(|t| t.ends_with("right?")), "{all:?}");
        let headings = body
            .blocks
            .iter()
            .filter(|(k, _)| *k == BlockKind::Heading)
            .count();
        assert_eq!(headings, 5, "{all:?}");
        let text = joined(&body);
        for junk in [
            "republishing",
            "Share on Facebook",
            "Hot Topics",
            "Newsletter",
            "All rights reserved",
        ] {
            assert!(!text.contains(junk), "kept {junk:?}");
        }
        assert!(body.warnings.is_empty());
    }

    /// Times parsing and content extraction over a folder of pages (set
    /// WHOSAID_BENCH_DIR to a WCXB `html/` folder); run with --release.
    #[test]
    #[ignore]
    fn bench_pages() {
        let Ok(dir) = std::env::var("WHOSAID_BENCH_DIR") else {
            eprintln!("skipping: WHOSAID_BENCH_DIR not set");
            return;
        };
        let mut texts = Vec::new();
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let bytes = std::fs::read(&path).unwrap_or_default();
            let name = path.to_string_lossy().to_string();
            let hints = crate::decode::DecodeHints {
                kind: crate::decode::InputKind::Auto,
                name: Some(&name),
                charset: None,
            };
            if let Ok(d) = crate::decode::decode(&bytes, hints, 1 << 26) {
                texts.push(d.text);
            }
        }
        let meta = Metadata::default();
        let limits = Limits::default();
        let mut parse = Vec::new();
        let mut content = Vec::new();
        for t in &texts {
            let t0 = std::time::Instant::now();
            let doc = Document::from(t.as_str());
            let t1 = std::time::Instant::now();
            let body = extract(&doc, &meta, &limits);
            let t2 = std::time::Instant::now();
            std::hint::black_box(body);
            parse.push((t1 - t0).as_secs_f64() * 1e3);
            content.push((t2 - t1).as_secs_f64() * 1e3);
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(|a, b| a.total_cmp(b));
            v.get(v.len() / 2).copied().unwrap_or(0.0)
        };
        let mean = |v: &Vec<f64>| v.iter().sum::<f64>() / v.len().max(1) as f64;
        eprintln!(
            "{} pages: parse median {:.2} ms mean {:.2} ms; content median {:.2} ms mean {:.2} ms",
            texts.len(),
            median(&mut parse.clone()),
            mean(&parse),
            median(&mut content.clone()),
            mean(&content)
        );
    }

    /// Prints the outline and decisions for one page; set WHOSAID_PAGE.
    #[test]
    #[ignore]
    fn debug_page() {
        let Ok(path) = std::env::var("WHOSAID_PAGE") else {
            eprintln!("skipping: WHOSAID_PAGE not set");
            return;
        };
        let bytes = std::fs::read(&path).unwrap_or_default();
        let decoded = crate::decode::decode(
            &bytes,
            crate::decode::DecodeHints {
                kind: crate::decode::InputKind::Auto,
                name: Some(&path),
                charset: None,
            },
            1 << 26,
        );
        let Ok(decoded) = decoded else {
            eprintln!("skipping: cannot decode {path}");
            return;
        };
        let doc = Document::from(decoded.text.as_str());
        let meta = super::super::metadata::extract(&doc, None);
        let outline = content_dom::outline(&doc, 1 << 20);
        let weights: Vec<f32> = outline.blocks.iter().map(prose_weight).collect();
        let body = select(&outline, &meta, false);
        let kept: std::collections::HashSet<&str> =
            body.blocks.iter().map(|(_, t)| t.as_str()).collect();
        for (i, b) in outline.blocks.iter().enumerate() {
            let mut chain = String::new();
            let mut e = b.owner;
            let mut n = 0;
            while e != NONE && n < 12 {
                let el = &outline.elems[e as usize];
                chain.push_str(&format!(
                    "{}{:?}{}{} < ",
                    e,
                    el.tag,
                    match el.furniture {
                        Some(Furniture::Hard) => "!H",
                        Some(Furniture::Soft) => "!S",
                        None => "",
                    },
                    if el.content_name { "+" } else { "" }
                ));
                e = el.parent;
                n += 1;
            }
            let mark = if kept.contains(b.text.as_str()) {
                "KEEP"
            } else {
                "    "
            };
            let text: String = b.text.chars().take(90).collect();
            eprintln!(
                "{mark} {i:4} w={:5.0} ld={:.2} {:?} [{chain}] {text}",
                weights[i],
                link_density(b),
                b.kind
            );
        }
        eprintln!("warnings: {:?}", body.warnings);
    }
}
