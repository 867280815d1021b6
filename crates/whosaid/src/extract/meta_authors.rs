//! Author strings as pages write them ("By Jane Doe and John Roe | Staff
//! Writer", "jane@example.com (Jane Doe)") to a clean list of names.

/// Splits and cleans an author string into names, one person or
/// organisation per entry. Returns an empty list when nothing in it looks
/// like a name.
pub fn clean_authors(raw: &str) -> Vec<String> {
    let mut out = Vec::new();
    let text = collapse_spaces(raw);
    let text = cut_at_tail_markers(&text);
    let text = strip_by_prefix(text);
    if looks_like_link(text) {
        return out;
    }
    for part in split_names(text) {
        push_name(&mut out, &part);
    }
    out
}

fn looks_like_link(s: &str) -> bool {
    let lower = s.trim_start().to_ascii_lowercase();
    lower.starts_with("http:")
        || lower.starts_with("https:")
        || lower.starts_with("www.")
        || lower.starts_with("//")
}

/// Adds `name` to `out` unless it is junk or already there (ignoring case).
pub fn push_name(out: &mut Vec<String>, raw: &str) {
    let Some(name) = clean_one(raw) else { return };
    let key = name.to_lowercase();
    if !out.iter().any(|n| n.to_lowercase() == key) {
        out.push(name);
    }
}

fn collapse_spaces(raw: &str) -> String {
    let mut s = String::with_capacity(raw.len());
    for word in raw.split(|c: char| c.is_whitespace() || c == '\u{200B}') {
        if word.is_empty() {
            continue;
        }
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(word);
    }
    s
}

/// Bylines often run on into the date, the role or a share bar; everything
/// after such a marker is not the name.
fn cut_at_tail_markers(s: &str) -> &str {
    let lower = s.to_lowercase();
    let markers = [
        " | ",
        " • ",
        " · ",
        " — ",
        " – ",
        " - ",
        "updated",
        "published",
        "posted on",
        "last modified",
        "reviewed by",
        "fact checked",
        "fact-checked",
        "edited by",
        "medically reviewed",
        "photograph",
        "photo by",
        " on ",
        "(opens",
        " follow ",
        "read more",
        " minute read",
        " min read",
    ];
    let mut cut = s.len();
    for m in markers {
        if let Some(p) = lower.find(m) {
            // Only a marker after the start: "Updated" first means the name
            // is not in this string at all; the caller then finds nothing.
            if p < cut && lower.len() == s.len() {
                cut = p;
            }
        }
    }
    let head = &s[..cut];
    head.trim_end_matches([',', ';', ':', ' '])
}

fn strip_by_prefix(s: &str) -> &str {
    let mut s = s.trim();
    let lower = s.to_lowercase();
    for prefix in [
        "written by",
        "posted by",
        "words by",
        "story by",
        "article by",
        "reporting by",
        "author:",
        "authors:",
        "by:",
        "by ",
        "from ",
        "author ",
        "von ",
        "par ",
        "por ",
    ] {
        if lower.starts_with(prefix) && lower.len() == s.len() {
            s = s[prefix.len()..].trim_start_matches([':', ' ']);
            break;
        }
    }
    s.trim()
}

/// Credentials that follow a name after a comma ("Jane Doe, MD, PhD") stay
/// with the name rather than becoming people of their own.
fn is_credential(part: &str) -> bool {
    let p = part.trim().trim_end_matches('.');
    if p.is_empty() || p.len() > 12 {
        return false;
    }
    let letters: String = p.chars().filter(|c| c.is_alphanumeric()).collect();
    if letters.is_empty() {
        return false;
    }
    const KNOWN: [&str; 22] = [
        "md", "phd", "do", "rn", "rd", "ms", "ma", "mba", "mph", "cpa", "cfp", "jd", "esq", "jr",
        "sr", "ii", "iii", "iv", "lcsw", "np", "pa", "dds",
    ];
    let lower = letters.to_lowercase();
    KNOWN.contains(&lower.as_str())
        // All-capital abbreviations ("FAND", "E-RYT 200", "CSCS").
        || (p.split_whitespace().count() <= 2
            && p.chars().any(|c| c.is_ascii_uppercase())
            && p.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || "-. ".contains(c)))
}

fn split_names(s: &str) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    for chunk in s.split([',', ';', '&', '/', '|']) {
        let chunk = chunk.trim();
        let chunk = chunk.strip_prefix("and ").unwrap_or(chunk);
        for piece in split_on_and(chunk) {
            let piece = piece.trim();
            if piece.is_empty() {
                continue;
            }
            match parts.last_mut() {
                Some(last) if is_credential(piece) => {
                    last.push_str(", ");
                    last.push_str(piece);
                }
                _ => parts.push(piece.to_string()),
            }
        }
    }
    parts
}

fn split_on_and(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    loop {
        let lower = rest.to_lowercase();
        let found = [" and ", " und ", " et ", " y "]
            .iter()
            .filter_map(|sep| lower.find(sep).map(|p| (p, sep.len())))
            .min();
        match found {
            Some((p, len)) if lower.len() == rest.len() => {
                out.push(&rest[..p]);
                rest = &rest[p + len..];
            }
            _ => {
                out.push(rest);
                return out;
            }
        }
    }
}

/// One name, or `None` when the string is a role, a date, a URL or other
/// byline furniture.
fn clean_one(raw: &str) -> Option<String> {
    let raw = raw.trim();
    // "jane@example.com (Jane Doe)": keep the name in brackets.
    if raw.contains('@') {
        let (open, close) = (raw.find('(')?, raw.rfind(')')?);
        return (open < close)
            .then(|| clean_one(&raw[open + 1..close]))
            .flatten();
    }
    let s = raw.trim_matches(|c: char| matches!(c, '"' | '\'' | '(' | ')' | '-' | ':' | ','));
    let s = strip_by_prefix(s);
    if s.is_empty() || s.len() > 80 {
        return None;
    }
    let lower = s.to_lowercase();
    if lower.starts_with("http") || lower.starts_with("www.") || lower.contains(".com/") {
        return None;
    }
    const JUNK: [&str; 20] = [
        "staff",
        "admin",
        "administrator",
        "editor",
        "editors",
        "author",
        "authors",
        "contributor",
        "contributors",
        "guest",
        "anonymous",
        "unknown",
        "by",
        "and",
        "updated",
        "share",
        "comments",
        "more",
        "posted",
        "view all posts",
    ];
    if JUNK.contains(&lower.as_str()) {
        return None;
    }
    if super::dates::find_date_in_text(s).is_some() {
        return None;
    }
    let words = s.split_whitespace().count();
    if words > 8 || !s.chars().any(char::is_alphabetic) {
        return None;
    }
    Some(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_author_strings() {
        let rows: &[(&str, &[&str])] = &[
            ("Jane Doe", &["Jane Doe"]),
            ("By Jane Doe", &["Jane Doe"]),
            ("BY JANE DOE", &["JANE DOE"]),
            ("  By\n  Jane   Doe ", &["Jane Doe"]),
            ("Jane Doe and John Roe", &["Jane Doe", "John Roe"]),
            (
                "Jane Doe, John Roe, and Ann Poe",
                &["Jane Doe", "John Roe", "Ann Poe"],
            ),
            ("Jane Doe & John Roe", &["Jane Doe", "John Roe"]),
            ("Written by: Jane Doe", &["Jane Doe"]),
            ("Jane Doe, MS, RD", &["Jane Doe, MS, RD"]),
            ("Jane Doe, Ph.D.", &["Jane Doe, Ph.D."]),
            ("Jane Doe | Updated March 3, 2021", &["Jane Doe"]),
            ("By Jane Doe - March 3, 2021", &["Jane Doe"]),
            ("jane@example.com (Jane Doe)", &["Jane Doe"]),
            ("jane@example.com", &[]),
            ("https://www.facebook.com/janedoe", &[]),
            ("Staff", &[]),
            ("Updated March 3, 2021", &[]),
            ("Jane Doe, Jane Doe", &["Jane Doe"]),
            ("", &[]),
        ];
        for (raw, want) in rows {
            assert_eq!(clean_authors(raw), *want, "input {raw:?}");
        }
    }
}
