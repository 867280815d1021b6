//! Schema.org JSON-LD blocks: the article's headline, authors, dates and
//! publisher as the site's CMS states them.
//!
//! Real pages put the article anywhere: a top-level object, an array of
//! objects, an `@graph` (Yoast and friends, with authors as `{"@id": …}`
//! references to a `Person` elsewhere in the graph), or `mainEntity` of a
//! `WebPage`. Blocks are often malformed (raw newlines inside strings,
//! HTML comments around the JSON, trailing semicolons); those are repaired
//! where cheap and skipped otherwise.

use std::collections::HashMap;

use serde_json::Value;

/// Values visited per page at most; a hostile block cannot make us walk
/// forever.
const MAX_VALUES: usize = 50_000;

/// What the JSON-LD blocks of one page say about its article.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonLd {
    pub headline: Option<String>,
    pub authors: Vec<String>,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub publisher: Option<String>,
    pub website_name: Option<String>,
    pub language: Option<String>,
    pub url: Option<String>,
    /// The page declares an article-like type (NewsArticle, BlogPosting, …).
    pub has_article: bool,
}

/// Parses the given `<script type="application/ld+json">` texts.
pub fn read<S: AsRef<str>>(scripts: &[S]) -> JsonLd {
    let values: Vec<Value> = scripts
        .iter()
        .filter_map(|s| parse_lenient(s.as_ref()))
        .collect();
    let objects = collect_objects(&values);
    let by_id: HashMap<&str, &serde_json::Map<String, Value>> = objects
        .iter()
        .filter_map(|o| Some((o.get("@id")?.as_str()?, *o)))
        .filter(|(_, o)| o.len() > 1)
        .collect();

    let mut out = JsonLd::default();
    let main = pick_main(&objects);
    if let Some(node) = main {
        out.has_article = types_of(node).any(is_article_type);
        out.headline = string_field(node, "headline").or_else(|| {
            out.has_article
                .then(|| string_field(node, "name"))
                .flatten()
        });
        out.authors = people(node.get("author"), &by_id);
        if out.authors.is_empty() {
            out.authors = people(node.get("creator"), &by_id);
        }
        out.published = string_field(node, "datePublished")
            .or_else(|| string_field(node, "dateCreated"))
            .or_else(|| string_field(node, "uploadDate"));
        out.modified = string_field(node, "dateModified");
        out.publisher = node.get("publisher").and_then(|p| name_of(p, &by_id));
        out.language = node.get("inLanguage").and_then(language_of);
        out.url = string_field(node, "url").or_else(|| {
            node.get("mainEntityOfPage").and_then(|m| match m {
                Value::String(s) => Some(s.clone()),
                Value::Object(o) => string_field(o, "@id").or_else(|| string_field(o, "url")),
                _ => None,
            })
        });
    }
    for o in &objects {
        if out.website_name.is_none() && types_of(o).any(|t| t == "WebSite") {
            out.website_name = string_field(o, "name");
        }
        if out.publisher.is_none()
            && types_of(o).any(|t| t == "Organization" || t == "NewsMediaOrganization")
        {
            out.publisher = string_field(o, "name");
        }
        if out.language.is_none() {
            out.language = o.get("inLanguage").and_then(language_of);
        }
    }
    out
}

fn parse_lenient(raw: &str) -> Option<Value> {
    let trimmed = strip_wrappers(raw);
    if trimmed.is_empty() {
        return None;
    }
    if let Ok(v) = serde_json::from_str(trimmed) {
        return Some(v);
    }
    // Raw control characters inside strings are the commonest fault; as
    // whitespace between tokens they are harmless, so blank them all.
    let cleaned: String = trimmed
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    // Trailing junk (a `;`, a second object) after a valid value: keep the
    // first value.
    serde_json::Deserializer::from_str(&cleaned)
        .into_iter::<Value>()
        .next()
        .and_then(Result::ok)
}

fn strip_wrappers(raw: &str) -> &str {
    let mut s = raw.trim();
    for (open, close) in [
        ("<!--", "-->"),
        ("//<![CDATA[", "//]]>"),
        ("<![CDATA[", "]]>"),
    ] {
        if let Some(rest) = s.strip_prefix(open) {
            s = rest.trim();
            if let Some(rest) = s.strip_suffix(close) {
                s = rest.trim();
            }
        }
    }
    s
}

/// Every object in the blocks, in document order, found with an explicit
/// stack (no recursion).
fn collect_objects(values: &[Value]) -> Vec<&serde_json::Map<String, Value>> {
    let mut out = Vec::new();
    let mut stack: Vec<&Value> = values.iter().rev().collect();
    let mut visited = 0;
    while let Some(v) = stack.pop() {
        visited += 1;
        if visited > MAX_VALUES {
            break;
        }
        match v {
            Value::Object(o) => {
                out.push(o);
                // Children in reverse so that they pop in document order.
                for (key, child) in o.iter().rev() {
                    if matches!(child, Value::Object(_) | Value::Array(_)) && key != "@context" {
                        stack.push(child);
                    }
                }
            }
            Value::Array(a) => stack.extend(a.iter().rev()),
            _ => {}
        }
    }
    out
}

fn types_of(o: &serde_json::Map<String, Value>) -> impl Iterator<Item = &str> {
    let t = o.get("@type");
    let single = t.and_then(Value::as_str);
    let many = t
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str);
    single
        .into_iter()
        .chain(many)
        .map(|t| t.rsplit(['/', ':']).next().unwrap_or(t))
}

fn is_article_type(t: &str) -> bool {
    t.ends_with("Article")
        || matches!(
            t,
            "BlogPosting"
                | "LiveBlogPosting"
                | "SocialMediaPosting"
                | "Report"
                | "Posting"
                | "DiscussionForumPosting"
                | "Blog"
        )
}

/// The object that describes the page's article: the first article-typed
/// one, else the first dated WebPage or other creative work.
fn pick_main<'a>(
    objects: &[&'a serde_json::Map<String, Value>],
) -> Option<&'a serde_json::Map<String, Value>> {
    let article = objects
        .iter()
        .find(|o| {
            types_of(o).any(|t| is_article_type(t) && t != "Blog")
                && (o.contains_key("headline")
                    || o.contains_key("datePublished")
                    || o.contains_key("author"))
        })
        .or_else(|| objects.iter().find(|o| types_of(o).any(is_article_type)));
    if let Some(a) = article {
        return Some(a);
    }
    objects
        .iter()
        .find(|o| {
            types_of(o).any(|t| {
                !matches!(
                    t,
                    "Person"
                        | "Organization"
                        | "WebSite"
                        | "ImageObject"
                        | "BreadcrumbList"
                        | "ListItem"
                        | "Comment"
                        | "SearchAction"
                )
            }) && (o.contains_key("datePublished") || o.contains_key("headline"))
        })
        .copied()
}

fn string_field(o: &serde_json::Map<String, Value>, key: &str) -> Option<String> {
    let v = o.get(key)?;
    let s = match v {
        Value::String(s) => s.as_str(),
        // Some sites repeat a field as an array; the first entry is meant.
        Value::Array(a) => a.first()?.as_str()?,
        Value::Number(n) => return Some(n.to_string()),
        _ => return None,
    };
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn language_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => string_field(o, "alternateName").or_else(|| string_field(o, "name")),
        _ => None,
    }
}

/// The name of a Person/Organization value, following an `@id` reference.
fn name_of(v: &Value, by_id: &HashMap<&str, &serde_json::Map<String, Value>>) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Object(o) => {
            let name = o.get("name").and_then(|n| match n {
                Value::String(s) => Some(s.trim().to_string()),
                Value::Array(a) => a
                    .first()
                    .and_then(Value::as_str)
                    .map(|s| s.trim().to_string()),
                _ => None,
            });
            name.filter(|s| !s.is_empty()).or_else(|| {
                let id = o.get("@id")?.as_str()?;
                let target = by_id.get(id)?;
                string_field(target, "name")
            })
        }
        Value::Array(a) => a.iter().find_map(|x| name_of(x, by_id)),
        _ => None,
    }
}

/// Names of the people (or organisations) in an `author` value: a string, an
/// object, an `@id` reference or an array of any of these.
fn people(
    v: Option<&Value>,
    by_id: &HashMap<&str, &serde_json::Map<String, Value>>,
) -> Vec<String> {
    let mut out = Vec::new();
    let Some(v) = v else { return out };
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    for item in items {
        if let Some(name) = name_of(item, by_id) {
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_variants() {
        struct Row {
            name: &'static str,
            scripts: &'static [&'static str],
            headline: Option<&'static str>,
            authors: &'static [&'static str],
            published: Option<&'static str>,
            publisher: Option<&'static str>,
        }
        let rows = [
            Row {
                name: "plain object",
                scripts: &[r#"{"@context":"https://schema.org","@type":"NewsArticle","headline":"Gulls return to the pier","author":{"@type":"Person","name":"Mara Quill"},"datePublished":"2021-04-02T08:00:00+01:00","publisher":{"@type":"Organization","name":"Harbour Post"}}"#],
                headline: Some("Gulls return to the pier"),
                authors: &["Mara Quill"],
                published: Some("2021-04-02T08:00:00+01:00"),
                publisher: Some("Harbour Post"),
            },
            Row {
                name: "graph with id references",
                scripts: &[r#"{"@context":"https://schema.org","@graph":[{"@type":"WebSite","@id":"https://ex.test/#site","name":"Ex Test"},{"@type":"Article","@id":"https://ex.test/a#article","headline":"Tides and times","author":{"@id":"https://ex.test/#/person/1"},"datePublished":"2020-01-05","publisher":{"@id":"https://ex.test/#org"}},{"@type":"Person","@id":"https://ex.test/#/person/1","name":"Olek Brand"},{"@type":"Organization","@id":"https://ex.test/#org","name":"Ex Test Media"}]}"#],
                headline: Some("Tides and times"),
                authors: &["Olek Brand"],
                published: Some("2020-01-05"),
                publisher: Some("Ex Test Media"),
            },
            Row {
                name: "array of blocks and author array",
                scripts: &[r#"[{"@type":"BreadcrumbList","itemListElement":[]},{"@type":["BlogPosting"],"name":"Moss gardens","author":[{"@type":"Person","name":"Ida Fern"},"Tom Reed",{"name":"Ida Fern"}],"dateCreated":"2019-06-30"}]"#],
                headline: Some("Moss gardens"),
                authors: &["Ida Fern", "Tom Reed"],
                published: Some("2019-06-30"),
                publisher: None,
            },
            Row {
                name: "raw newline inside a string and html comment wrapper",
                scripts: &["<!-- {\"@type\":\"NewsArticle\",\"headline\":\"Line\nbreak\",\"datePublished\":\"2018-02-03\"} -->"],
                headline: Some("Line break"),
                authors: &[],
                published: Some("2018-02-03"),
                publisher: None,
            },
            Row {
                name: "trailing semicolon",
                scripts: &[r#"{"@type":"Article","headline":"Semi","author":"Pat Lee"};"#],
                headline: Some("Semi"),
                authors: &["Pat Lee"],
                published: None,
                publisher: None,
            },
            Row {
                name: "malformed and empty blocks are skipped",
                scripts: &["{\"@type\": \"Article\", \"headline\": ", "", "[[[[", r#"{"@type":"Article","headline":"Kept"}"#],
                headline: Some("Kept"),
                authors: &[],
                published: None,
                publisher: None,
            },
        ];
        for row in rows {
            let got = read(row.scripts);
            assert_eq!(got.headline.as_deref(), row.headline, "{}", row.name);
            assert_eq!(got.authors, row.authors, "{}", row.name);
            assert_eq!(got.published.as_deref(), row.published, "{}", row.name);
            assert_eq!(got.publisher.as_deref(), row.publisher, "{}", row.name);
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let got = read(&[deep.as_str()]);
        assert_eq!(got, JsonLd::default());
    }

    #[test]
    fn website_name_from_graph() {
        let got = read(&[
            r#"{"@graph":[{"@type":"WebSite","name":"Fen Weekly"},{"@type":"WebPage","name":"Home","datePublished":"2022-03-04"}]}"#,
        ]);
        assert_eq!(got.website_name.as_deref(), Some("Fen Weekly"));
        assert_eq!(got.published.as_deref(), Some("2022-03-04"));
    }
}
