//! Author strings as pages write them ("By Jane Doe and John Roe | Staff
//! Writer", "jane@example.com (Jane Doe)") to a clean list of names.

/// Splits and cleans an author string into names, one person or
/// organisation per entry. Returns an empty list when nothing in it looks
/// like a name.
pub fn clean_authors(raw: &str) -> Vec<String> {
    let mut out = Vec::new();
    // Entities escaped twice in the source survive parsing once.
    let text = collapse_spaces(&raw.replace("&amp;", "&"));
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

/// Like [`clean_authors`] for text shown on the page, which may be any
/// element that happens to carry an "author" class: every part must look
/// like a name, or the whole text is rejected (an author bio, a
/// "More from this author" heading, a comment).
pub fn clean_byline(raw: &str) -> Vec<String> {
    let names = clean_authors(raw);
    if names.iter().all(|n| looks_like_name(n)) {
        names
    } else {
        Vec::new()
    }
}

/// Lower-case words allowed inside a name.
const NAME_PARTICLES: [&str; 16] = [
    "van", "der", "den", "de", "la", "le", "von", "da", "di", "du", "del", "bin", "al", "of",
    "the", "y",
];

fn looks_like_name(name: &str) -> bool {
    let person = name.split(',').next().unwrap_or(name);
    let words: Vec<&str> = person.split_whitespace().collect();
    if words.is_empty() || words.len() > 6 {
        return false;
    }
    if person.contains(['{', '}', '=', '<', '>', '#', '*', '|', '/', '?', '!']) {
        return false;
    }
    const NOT_NAMES: [&str; 28] = [
        "posts",
        "post",
        "articles",
        "article",
        "recent",
        "latest",
        "related",
        "view",
        "profile",
        "about",
        "follow",
        "share",
        "comments",
        "read",
        "subscribe",
        "menu",
        "search",
        "home",
        "contact",
        "more",
        "strategy",
        "news",
        "blog",
        "login",
        // "By Category", "By Topic": ways to browse, not writers.
        "category",
        "categories",
        "topic",
        "topics",
    ];
    if words
        .iter()
        .any(|w| NOT_NAMES.contains(&w.to_lowercase().as_str()))
    {
        return false;
    }
    words.iter().all(|w| {
        let first = w.chars().next().unwrap_or(' ');
        first.is_uppercase() || NAME_PARTICLES.contains(w) || !first.is_alphabetic()
    })
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
    // ASCII lower-casing keeps byte offsets, so positions found in `lower`
    // are char boundaries of `s` (the markers are ASCII or start with one).
    let lower = s.to_ascii_lowercase();
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
    if let Some(p) = month_day_position(s) {
        if p == 0 {
            // "Dec 17, 2025 Jane Doe": the name follows the date.
            return cut_at_tail_markers(skip_leading_date(s));
        }
        cut = cut.min(p);
    }
    let mut head = s[..cut].trim_end_matches([',', ';', ':', ' ', '|', '-', '•', '·']);
    for connector in [" at", " on", " in"] {
        if let Some(h) = head.strip_suffix(connector) {
            head = h;
        }
    }
    head.trim_end_matches([',', ';', ':', ' '])
}

/// The text after a leading "Dec 17, 2025" / "December 17" and the
/// separators after it.
fn skip_leading_date(s: &str) -> &str {
    let mut rest = s;
    for _ in 0..3 {
        let word_end = rest.find(' ').unwrap_or(rest.len());
        let word = rest[..word_end].trim_end_matches([',', '.']);
        let is_date_part = super::dates::month_from_name(&word.to_lowercase()).is_some()
            || (!word.is_empty() && word.chars().all(|c| c.is_ascii_digit()))
            || word
                .trim_end_matches(char::is_alphabetic)
                .parse::<u32>()
                .is_ok();
        if !is_date_part {
            break;
        }
        rest = rest[word_end..].trim_start_matches([' ', ',', '|', '-', '•', '·']);
    }
    rest
}

/// Byte offset of a "December 4" / "Dec. 19" / "4 Dec" date in a byline.
fn month_day_position(s: &str) -> Option<usize> {
    let mut offset = 0;
    let words: Vec<(usize, &str)> = s
        .split(' ')
        .map(|w| {
            let start = offset;
            offset += w.len() + 1;
            (start, w)
        })
        .collect();
    for (i, (start, word)) in words.iter().enumerate() {
        let bare = word.trim_end_matches(['.', ',']).to_lowercase();
        if super::dates::month_from_name(&bare).is_none() {
            continue;
        }
        let next_is_day = words.get(i + 1).is_some_and(|(_, w)| {
            w.trim_end_matches([',', '.'])
                .trim_end_matches(char::is_alphabetic)
                .parse::<u32>()
                .is_ok_and(|d| (1..=31).contains(&d))
        });
        let prev_is_day = i > 0
            && words[i - 1]
                .1
                .trim_end_matches(char::is_alphabetic)
                .parse::<u32>()
                .is_ok_and(|d| (1..=31).contains(&d));
        if next_is_day {
            return Some(*start);
        }
        if prev_is_day {
            return Some(words[i - 1].0);
        }
    }
    None
}

/// Length of a leading "This post was written by " (article, story,
/// blog…), the credit author boxes and first paragraphs give.
pub fn credit_sentence_len(t: &str) -> Option<usize> {
    let mut cut = t.len().min(48);
    while !t.is_char_boundary(cut) {
        cut -= 1;
    }
    let lower = t[..cut].to_ascii_lowercase();
    if !lower.starts_with("this ") {
        return None;
    }
    let end = lower.find(" written by")? + " written by".len();
    let words = lower[5..end].split_whitespace().collect::<Vec<_>>();
    // "this <noun> was written by", "this <adjective> <noun> is written by".
    let credit = matches!(words.len(), 4 | 5)
        && matches!(words[words.len() - 3], "was" | "is")
        && matches!(
            words[words.len() - 4],
            "post"
                | "article"
                | "story"
                | "blog"
                | "piece"
                | "guide"
                | "review"
                | "page"
                | "column"
        );
    credit.then_some(end + usize::from(t.as_bytes().get(end) == Some(&b' ')))
}

fn strip_by_prefix(s: &str) -> &str {
    let mut s = s.trim();
    if let Some(n) = credit_sentence_len(s) {
        s = s[n..].trim_start();
    }
    let lower = s.to_ascii_lowercase();
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
        // "Jane Doe, Privacy and Security Expert": one title, whose "and"
        // joins no people.
        if !parts.is_empty() && !is_credential(chunk) && is_job_title(chunk) {
            continue;
        }
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
                // "Jane Doe, Lead Reviewer": a job title, not a second person.
                Some(_) if is_job_title(piece) => {}
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
        let lower = rest.to_ascii_lowercase();
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

/// Words of a job title shown after a name ("Jane Doe Senior Tech
/// Reporter"); the gold standard of shown bylines credits the person.
const ROLE_WORDS: [&str; 28] = [
    "writer",
    "reporter",
    "editor",
    "director",
    "coordinator",
    "manager",
    "contributor",
    "columnist",
    "correspondent",
    "ceo",
    "founder",
    "cofounder",
    "co-founder",
    "president",
    "officer",
    "specialist",
    "strategist",
    "analyst",
    "consultant",
    "lead",
    "head",
    "producer",
    "admin",
    "staff",
    "team",
    "intern",
    "expert",
    "journalist",
];
const ROLE_MODIFIERS: [&str; 16] = [
    "senior",
    "sr.",
    "junior",
    "chief",
    "managing",
    "contributing",
    "executive",
    "associate",
    "deputy",
    "content",
    "marketing",
    "tech",
    "news",
    "staff",
    "guest",
    "freelance",
];

/// Words that mark a comma-separated part as a job title or expertise.
const TITLE_WORDS: [&str; 14] = [
    "reviewer",
    "certified",
    "licensed",
    "expert",
    "gardener",
    "grader",
    "professor",
    "dietitian",
    "nutritionist",
    "researcher",
    "engineer",
    "scientist",
    "of",
    "at",
];

fn is_job_title(part: &str) -> bool {
    part.split_whitespace().any(|w| {
        let lower = w
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        ROLE_WORDS.contains(&lower.as_str())
            || TITLE_WORDS.contains(&lower.as_str())
            || (ROLE_MODIFIERS.contains(&lower.as_str()) && lower != "staff")
    })
}

fn is_role_word(word: &str) -> bool {
    let w = word
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '.')
        .to_lowercase();
    ROLE_WORDS.contains(&w.as_str()) || ROLE_MODIFIERS.contains(&w.as_str())
}

/// Cuts a job title (and stray counters or "Last" from "Last updated")
/// glued to the end of a two-or-more-word name.
fn cut_role_tail(s: &str) -> &str {
    let words: Vec<(usize, &str)> = s
        .split(' ')
        .scan(0, |pos, w| {
            let start = *pos;
            *pos += w.len() + 1;
            Some((start, w))
        })
        .collect();
    let role_at = words.iter().enumerate().skip(2).find(|(_, (_, w))| {
        let lower = w
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        (ROLE_WORDS.contains(&lower.as_str()) && lower != "team" && lower != "staff")
            || matches!(
                lower.as_str(),
                "former"
                    | "sponsored"
                    | "verified"
                    | "gardener"
                    | "reviewer"
                    | "dietitian"
                    | "professor"
            )
    });
    let mut end = words.len();
    if let Some((mut k, _)) = role_at {
        while k > 2 && ROLE_MODIFIERS.contains(&words[k - 1].1.to_lowercase().as_str()) {
            k -= 1;
        }
        end = k;
    }
    while end > 2 {
        let w = words[end - 1].1;
        if w.chars().all(|c| c.is_ascii_digit()) || w == "Last" || w == "Updated" {
            end -= 1;
        } else {
            break;
        }
    }
    if end == words.len() {
        return s;
    }
    s[..words[end].0].trim_end()
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
        "admin",
        "administrator",
        "editor",
        "editors",
        "author",
        "authors",
        "contributor",
        "contributors",
        "guest",
        "unknown",
        "by",
        "and",
        "updated",
        "share",
        "comments",
        "more",
        "posted",
        "view all posts",
        "webmaster",
        "manufacturer",
    ];
    if JUNK.contains(&lower.as_str()) {
        return None;
    }
    if super::dates::find_date_in_text(s).is_some() || s.contains(':') {
        return None;
    }
    // Template placeholders ("page.head.author") and the like.
    if !s.contains(' ') && s.matches('.').count() >= 2 {
        return None;
    }
    let s = cut_role_tail(s);
    // A job title alone names nobody; "Staff" or "Marketing Team" is the
    // credit the page gives.
    let collective = s
        .split_whitespace()
        .any(|w| w.eq_ignore_ascii_case("staff") || w.eq_ignore_ascii_case("team"));
    if !collective && s.split_whitespace().all(is_role_word) {
        return None;
    }
    if matches!(lower.as_str(), "undefined" | "null" | "none" | "n/a") {
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
            // The collective credit a page gives is its author line.
            ("Staff", &["Staff"]),
            ("Marketing Team", &["Marketing Team"]),
            ("Anonymous", &["Anonymous"]),
            ("admin", &[]),
            ("Updated March 3, 2021", &[]),
            ("Jane Doe, Jane Doe", &["Jane Doe"]),
            ("", &[]),
            ("Liza Doe Marketing Director", &["Liza Doe"]),
            ("Liza Doe Former Banker", &["Liza Doe"]),
            // Characters whose lower case has another byte length.
            ("İlkay Şahin and Ann Poe", &["İlkay Şahin", "Ann Poe"]),
            ("\u{212A}İİİ Doe | Updated", &["\u{212A}İİİ Doe"]),
            ("Rasmus Roe, Lead Reviewer", &["Rasmus Roe"]),
            ("Rasmus Roe, Privacy and Security Expert", &["Rasmus Roe"]),
            (
                "Jane Doe, Senior Editor, and John Roe",
                &["Jane Doe", "John Roe"],
            ),
            ("Dec 17, 2025 Jane Doe", &["Jane Doe"]),
            ("Posted by Jane at December 16, 2025 11:15 AM", &["Jane"]),
            ("Harry Roe Tech Reporter", &["Harry Roe"]),
            ("Brian Poe 7", &["Brian Poe"]),
            ("Contributing Writer", &[]),
            ("page.head.author", &[]),
            ("content: Magazine, design: Jane Doe", &[]),
            (
                "This post was written by Jane Doe, Head of Marketing",
                &["Jane Doe"],
            ),
            ("This blog post is written by Jane Doe", &["Jane Doe"]),
        ];
        for (raw, want) in rows {
            assert_eq!(clean_authors(raw), *want, "input {raw:?}");
        }
    }

    #[test]
    fn credit_sentences() {
        assert_eq!(
            credit_sentence_len("This post was written by Jane"),
            Some(25)
        );
        assert_eq!(credit_sentence_len("THIS ARTICLE WAS WRITTEN BY"), Some(27));
        // Nothing here says who wrote the page.
        assert_eq!(
            credit_sentence_len("This is what was written by hand"),
            None
        );
        assert_eq!(credit_sentence_len("The post was written by Jane"), None);
        assert_eq!(credit_sentence_len("This post was written"), None);
        assert_eq!(
            credit_sentence_len("This ☃☃☃☃☃☃☃☃☃☃☃☃☃☃☃ was written by"),
            None
        );
    }
}
