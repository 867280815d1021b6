//! Title, authors, date, site, language and URL of a page.

use dom_query::Document;

use super::dates::normalize_date;
use super::Metadata;

fn meta(doc: &Document, selector: &str) -> Option<String> {
    let sel = doc.select(selector);
    let v = sel.attr("content")?.trim().to_string();
    (!v.is_empty()).then_some(v)
}

/// Reads the page's metadata.
pub fn extract(doc: &Document, url: Option<&str>) -> Metadata {
    let title = meta(doc, r#"meta[property="og:title"]"#).or_else(|| {
        let t = doc.select("title").text().trim().to_string();
        (!t.is_empty()).then_some(t)
    });
    let authors = meta(doc, r#"meta[name="author"]"#).into_iter().collect();
    let published =
        meta(doc, r#"meta[property="article:published_time"]"#).and_then(|d| normalize_date(&d));
    let site = meta(doc, r#"meta[property="og:site_name"]"#);
    let language = doc
        .select("html")
        .attr("lang")
        .map(|l| {
            l.split(['-', '_'])
                .next()
                .unwrap_or("")
                .to_ascii_lowercase()
        })
        .filter(|l| !l.is_empty());
    let canonical = doc
        .select(r#"link[rel="canonical"]"#)
        .attr("href")
        .map(|h| h.to_string())
        .or_else(|| meta(doc, r#"meta[property="og:url"]"#))
        .filter(|u| u.starts_with("http"))
        .or_else(|| url.map(str::to_string));
    Metadata {
        title,
        authors,
        published,
        site,
        language,
        url: canonical,
    }
}
