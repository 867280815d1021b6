//! Choosing the article title among the page's candidates.
//!
//! Meta titles (`og:title`, `<title>`, JSON-LD `headline`) often carry the
//! site name ("Title | Site", "Site - Title") and sometimes an SEO variant
//! of the headline; the visible `<h1>` is the headline as readers see it but
//! is sometimes the site logo or a section name. A heading that agrees with a
//! meta title (whole, or one side of a separator) is taken; otherwise the
//! best meta title with its site part removed.

/// Separators between a title and the site name, widest first so that
/// " | " is not read as " ".
const SEPARATORS: [&str; 10] = [
    " | ", " – ", " — ", " - ", " :: ", " » ", " « ", " · ", " • ", " ~ ",
];

/// The site's part of a meta title once the headline is known: "Headline -
/// Site" or "Site | Headline" gives "Site". `None` when the title is the
/// headline alone or the rest is too long to be a name.
pub fn site_from_title(raw: &str, headline: &str) -> Option<String> {
    let segments = split_segments(raw.trim());
    let headline_key = title_key(headline);
    if segments.len() < 2 || headline_key.is_empty() {
        return None;
    }
    let is_name = |s: &str| {
        let words = s.split_whitespace().count();
        (1..=5).contains(&words)
            && s.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_numeric())
    };
    let last = segments[segments.len() - 1].1.trim();
    if title_key(&join_segments(&segments[..segments.len() - 1])) == headline_key && is_name(last) {
        return Some(last.to_string());
    }
    let first = segments[0].1.trim();
    if title_key(&join_segments(&segments[1..])) == headline_key && is_name(first) {
        return Some(first.to_string());
    }
    None
}

/// Lower-cased words joined by single spaces, as titles are compared.
pub fn title_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// Picks the title. `metas` are in order of trust; `headings` are the
/// page's `<h1>` texts, best placed first; `site_names` are names the site
/// goes by (og:site_name, publisher, the host's main label).
pub fn choose_title(metas: &[&str], headings: &[&str], site_names: &[&str]) -> Option<String> {
    let chosen = choose_raw(metas, headings, site_names)?;
    let decoded = decode_leftover_entities(&chosen);
    // A bar separates a headline from a tagline or section far more often
    // than it sits inside one.
    let title = match decoded.split_once(" | ") {
        Some((head, _)) if head.split_whitespace().count() >= 3 => head.trim().to_string(),
        // "Section | The headline itself".
        Some((_, tail)) if tail.split_whitespace().count() >= 3 && !tail.contains(" | ") => {
            tail.trim().to_string()
        }
        _ => decoded,
    };
    (!title.is_empty()).then_some(title)
}

/// Entities escaped twice in the source (`&amp;#x26;`) survive parsing as
/// text; decodes numeric ones and the few named ones seen in titles.
pub fn decode_leftover_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        let tail = &rest[p..];
        let decoded = tail.find(';').filter(|&e| e <= 10).and_then(|e| {
            let name = &tail[1..e];
            let c = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
            } else if let Some(dec) = name.strip_prefix('#') {
                dec.parse::<u32>().ok().and_then(char::from_u32)
            } else {
                match name {
                    "amp" => Some('&'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "nbsp" => Some(' '),
                    _ => None,
                }
            };
            c.map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn choose_raw(metas: &[&str], headings: &[&str], site_names: &[&str]) -> Option<String> {
    let metas: Vec<&str> = metas
        .iter()
        .map(|m| m.trim())
        .filter(|m| !m.is_empty())
        .collect();
    // A "site name" equal to a whole meta title is a misconfigured CMS
    // repeating the title; treating it as the site would strip the title.
    let meta_keys: Vec<String> = metas.iter().map(|m| title_key(m)).collect();
    let site_keys: Vec<String> = site_names
        .iter()
        .map(|s| title_key(s))
        .filter(|k| !k.is_empty() && !meta_keys.contains(k))
        .collect();
    let mut variant_keys: Vec<String> = Vec::new();
    for m in &metas {
        let segments = split_segments(m);
        for start in 0..segments.len() {
            for end in start + 1..=segments.len() {
                variant_keys.push(title_key(&join_segments(&segments[start..end])));
            }
        }
    }
    for h in headings {
        let key = title_key(h);
        if !key.is_empty() && !is_site_name(&key, &site_keys) && variant_keys.contains(&key) {
            return Some(strip_site_suffix(h.trim(), &site_keys));
        }
    }
    if let Some(best) = metas.first() {
        let mut stripped = strip_site(best, &site_keys);
        // "example.com Headline": the site's heading (its logo text) run
        // into the title without a separator.
        if let Some(rest) = headings
            .iter()
            .map(|h| h.trim())
            .filter(|h| !h.is_empty() && is_site_name(&title_key(h), &site_keys))
            .find_map(|h| stripped.strip_prefix(h).and_then(|r| r.strip_prefix(' ')))
        {
            if word_count(rest) >= 2 {
                stripped = rest.trim().to_string();
            }
        }
        // Meta titles are often an SEO rewording of the headline; a heading
        // on the same subject is the headline as shown. One sharing few
        // words is a logo, a section name or another story.
        let stripped_key = title_key(&stripped);
        // The first heading, when on the same subject, unless a later one
        // is wholly words of the title and the first is not: a site
        // banner's heading can share a name with the title too.
        let mut candidates = headings
            .iter()
            .map(|h| h.trim())
            .filter(|h| !h.is_empty() && !is_site_name(&title_key(h), &site_keys));
        let mut best: Option<&str> = None;
        if let Some(first) = candidates.next() {
            let (first_of_heading, first_of_meta) = word_overlap(&title_key(first), &stripped_key);
            if first_of_heading >= 0.3 && first_of_meta >= 0.25 {
                best = Some(first);
            }
            if first_of_heading < 1.0 {
                for h in candidates {
                    let (of_heading, of_meta) = word_overlap(&title_key(h), &stripped_key);
                    if of_heading >= 1.0 && of_meta >= 0.25 && of_meta > first_of_meta {
                        best = Some(h);
                        break;
                    }
                }
            }
        }
        if let Some(h) = best {
            if decorates(h, &stripped_key) {
                return Some(stripped);
            }
            return Some(strip_site_suffix(h, &site_keys));
        }
        return Some(stripped);
    }
    headings
        .iter()
        .map(|h| h.trim())
        .find(|h| !h.is_empty())
        .map(str::to_string)
}

/// The heading is the meta title with words run on before or after it
/// and no separator or sentence break between: a date, a score, a
/// visually hidden label ("Dec 18 2025 Headline", "Headline (example.com)
/// 87"). A heading that adds a subtitle after a colon or a dash is the
/// fuller headline instead.
fn decorates(heading: &str, meta_key: &str) -> bool {
    if word_count(meta_key) < 2 {
        return false;
    }
    let key = title_key(heading);
    // "Blog: Headline": the section's label put before the headline.
    if let Some((label, rest)) = heading.split_once(": ") {
        if word_count(label) == 1 && title_key(rest) == meta_key {
            return true;
        }
    }
    // One word more is an article or a noun of the headline ("The …",
    // "… Comparison"), not decoration.
    let extra = key
        .strip_prefix(meta_key)
        .filter(|rest| rest.starts_with(' '))
        .or_else(|| {
            key.strip_suffix(meta_key)
                .filter(|rest| rest.ends_with(' '))
        });
    extra.is_some_and(|rest| word_count(rest) >= 2)
        && !SEPARATORS.iter().any(|sep| heading.contains(sep))
        && ![": ", "? ", "! ", ". ", ", "]
            .iter()
            .any(|p| heading.contains(p))
}

/// A segment and the separator that preceded it ("" for the first).
fn split_segments(title: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = title;
    let mut sep_before = "";
    loop {
        let next = SEPARATORS
            .iter()
            .filter_map(|sep| rest.find(sep).map(|p| (p, *sep)))
            .min_by_key(|(p, _)| *p);
        match next {
            Some((p, sep)) => {
                out.push((sep_before, &rest[..p]));
                sep_before = sep;
                rest = &rest[p + sep.len()..];
            }
            None => {
                out.push((sep_before, rest));
                return out;
            }
        }
    }
}

fn join_segments(segments: &[(&str, &str)]) -> String {
    let mut s = String::new();
    for (i, (sep, text)) in segments.iter().enumerate() {
        if i > 0 {
            s.push_str(sep);
        }
        s.push_str(text);
    }
    s
}

fn is_site_name(key: &str, site_keys: &[String]) -> bool {
    let squashed: String = key.chars().filter(|c| *c != ' ').collect();
    site_keys.iter().any(|site| {
        let site_squashed: String = site.chars().filter(|c| *c != ' ').collect();
        key == site
            || squashed == site_squashed
            || (site_squashed.len() >= 4
                && squashed.contains(&site_squashed)
                && squashed.len() <= site_squashed.len() + 12)
            || (squashed.len() >= 4 && site_squashed.contains(&squashed))
    })
}

/// Shares of `a`'s and of `b`'s distinct words that the other has.
fn word_overlap(a: &str, b: &str) -> (f64, f64) {
    let a_words: std::collections::HashSet<&str> = a.split(' ').filter(|w| !w.is_empty()).collect();
    let b_words: std::collections::HashSet<&str> = b.split(' ').filter(|w| !w.is_empty()).collect();
    if a_words.is_empty() || b_words.is_empty() {
        return (0.0, 0.0);
    }
    let shared = a_words.intersection(&b_words).count() as f64;
    (shared / a_words.len() as f64, shared / b_words.len() as f64)
}

fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

/// Removes end segments that name the site from a heading: some themes
/// print the SEO title, site and all, as the `<h1>`.
fn strip_site_suffix(heading: &str, site_keys: &[String]) -> String {
    let mut segments = split_segments(heading);
    while segments.len() > 1 && is_site_name(&title_key(segments[segments.len() - 1].1), site_keys)
    {
        segments.pop();
    }
    join_segments(&segments).trim().to_string()
}

/// Removes the site's part of a meta title: end segments that name the
/// site, else a short last segment after a longer title.
fn strip_site(title: &str, site_keys: &[String]) -> String {
    let mut segments = split_segments(title);
    let mut removed = false;
    while segments.len() > 1 {
        let last = segments[segments.len() - 1].1;
        let first = segments[0].1;
        if is_site_name(&title_key(last), site_keys) {
            segments.pop();
            removed = true;
        } else if is_site_name(&title_key(first), site_keys) {
            segments.remove(0);
            if let Some(s) = segments.first_mut() {
                s.0 = "";
            }
            removed = true;
        } else {
            break;
        }
    }
    if !removed && segments.len() > 1 {
        let last = segments[segments.len() - 1].1;
        let before: usize = segments[..segments.len() - 1]
            .iter()
            .map(|s| word_count(s.1))
            .sum();
        // "Long headline words here | Brand": an unknown brand is short.
        if word_count(last) <= 3 && before >= word_count(last) + 2 {
            segments.pop();
        }
    }
    // "Site: Title" when the prefix is the site.
    let joined = join_segments(&segments);
    if let Some((head, tail)) = joined.split_once(": ") {
        if is_site_name(&title_key(head), site_keys) && !tail.trim().is_empty() {
            return tail.trim().to_string();
        }
    }
    joined.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chooses_titles() {
        struct Row {
            metas: &'static [&'static str],
            headings: &'static [&'static str],
            sites: &'static [&'static str],
            want: Option<&'static str>,
        }
        let rows = [
            Row {
                metas: &["Rain due | The Gazette"],
                headings: &["Rain due"],
                sites: &[],
                want: Some("Rain due"),
            },
            Row {
                metas: &["Rain due | The Gazette"],
                headings: &[],
                sites: &["The Gazette"],
                want: Some("Rain due"),
            },
            Row {
                metas: &["The Gazette - Rain due on Thursday"],
                headings: &[],
                sites: &["The Gazette"],
                want: Some("Rain due on Thursday"),
            },
            Row {
                metas: &["Rain due on the coast this week – Gazette"],
                headings: &[],
                sites: &[],
                want: Some("Rain due on the coast this week"),
            },
            Row {
                metas: &["Rain due on the coast | WhiteCoatWeather"],
                headings: &[],
                sites: &["whitecoatweather"],
                want: Some("Rain due on the coast"),
            },
            Row {
                metas: &["Mapping - a primer"],
                headings: &[],
                sites: &[],
                want: Some("Mapping - a primer"),
            },
            Row {
                metas: &["Ten tips for rainy days"],
                headings: &["Menu", "Ten tips for rainy days"],
                sites: &[],
                want: Some("Ten tips for rainy days"),
            },
            Row {
                metas: &["An SEO variant of the headline"],
                headings: &["The Gazette"],
                sites: &["The Gazette"],
                want: Some("An SEO variant of the headline"),
            },
            Row {
                // Three of the heading's eight words in the meta title: the same
                // story told twice, and the heading is the one shown.
                metas: &["Seven coastal walks for the rainy season"],
                headings: &["Wet weather walks along the coast this season"],
                sites: &[],
                want: Some("Wet weather walks along the coast this season"),
            },
            Row {
                metas: &["Seven coastal walks for the rainy season"],
                headings: &["Subscribe to our weekly letter today"],
                sites: &[],
                want: Some("Seven coastal walks for the rainy season"),
            },
            Row {
                metas: &["Rain due on the coast – Gazette - Gazette"],
                headings: &["Rain due on the coast – Gazette"],
                sites: &["Gazette"],
                want: Some("Rain due on the coast"),
            },
            Row {
                // A date run on before the headline is not part of it.
                metas: &["Moss gardens in winter | Fen Weekly"],
                headings: &["Dec 18 2025 Moss gardens in winter"],
                sites: &[],
                want: Some("Moss gardens in winter"),
            },
            Row {
                // Nor a link's domain and a score after it.
                metas: &["Moss gardens in winter"],
                headings: &["Moss gardens in winter (fenweekly.test) 87"],
                sites: &[],
                want: Some("Moss gardens in winter"),
            },
            Row {
                // A subtitle after a colon is the fuller headline.
                metas: &["Moss gardens in winter | Fen Weekly"],
                headings: &["Moss gardens in winter: why they thrive"],
                sites: &[],
                want: Some("Moss gardens in winter: why they thrive"),
            },
            Row {
                // A section label before the headline in the heading only.
                metas: &["Moss gardens in winter | Fen Weekly"],
                headings: &["Blog: Moss gardens in winter"],
                sites: &[],
                want: Some("Moss gardens in winter"),
            },
            Row {
                // The site's logo heading run into the meta title.
                metas: &["fenweekly.test Moss gardens"],
                headings: &["fenweekly.test"],
                sites: &["fenweekly"],
                want: Some("Moss gardens"),
            },
            Row {
                // One word more is the headline's own.
                metas: &["Best moss gardens of 2025"],
                headings: &["The best moss gardens of 2025"],
                sites: &[],
                want: Some("The best moss gardens of 2025"),
            },
            Row {
                // A banner heading sharing a name loses to a later heading
                // made only of the title's words.
                metas: &["The moss problem (Ida Fern)"],
                headings: &["Ida Fern's gardens and notes:", "The moss problem"],
                sites: &[],
                want: Some("The moss problem"),
            },
            Row {
                metas: &[],
                headings: &["  Only a heading "],
                sites: &[],
                want: Some("Only a heading"),
            },
            Row {
                metas: &["Gazette: Rain due"],
                headings: &[],
                sites: &["Gazette"],
                want: Some("Rain due"),
            },
            Row {
                metas: &[],
                headings: &[],
                sites: &[],
                want: None,
            },
        ];
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(
                choose_title(row.metas, row.headings, row.sites).as_deref(),
                row.want,
                "row {i}"
            );
        }
    }

    #[test]
    fn site_part_of_titles() {
        let rows: &[(&str, &str, Option<&str>)] = &[
            ("Rain due - The Gazette", "Rain due", Some("The Gazette")),
            ("The Gazette | Rain due", "Rain due", Some("The Gazette")),
            ("Rain due", "Rain due", None),
            (
                "Rain due - a long tail that is surely no name at all",
                "Rain due",
                None,
            ),
            ("Other story | The Gazette", "Rain due", None),
        ];
        for (raw, headline, want) in rows {
            assert_eq!(site_from_title(raw, headline).as_deref(), *want, "{raw:?}");
        }
    }

    #[test]
    fn leftover_entities() {
        for (raw, want) in [
            ("Tools &#x26; Tips", "Tools & Tips"),
            ("Tom &amp; Jerry", "Tom & Jerry"),
            ("It&#8217;s here", "It\u{2019}s here"),
            ("AT&T rises", "AT&T rises"),
            ("a & b; c", "a & b; c"),
            ("&#xFFFFFFFF; odd", "&#xFFFFFFFF; odd"),
        ] {
            assert_eq!(decode_leftover_entities(raw), want);
        }
    }

    #[test]
    fn keys_ignore_case_and_punctuation() {
        assert_eq!(
            title_key("What’s Next — for Trump?"),
            "what s next for trump"
        );
    }
}
