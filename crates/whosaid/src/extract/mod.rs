//! Stage 2: an HTML page to its metadata and main-content blocks.
//!
//! [`metadata`] reads title, authors, date, site, language and URL from the
//! head, JSON-LD and the visible byline; [`content`] finds the article body
//! and turns it into blocks. Both read the same parsed DOM.

pub mod content;
mod content_dom;
pub mod dates;
pub mod guard;
pub mod jsonld;
pub mod meta_authors;
pub mod meta_title;
pub mod metadata;

use dom_query::Document;

use crate::deadline::Deadline;
use crate::error::{Error, Result};
use crate::pipeline::Limits;
use crate::record::BlockKind;

/// What the page says about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub published: Option<String>,
    pub site: Option<String>,
    pub language: Option<String>,
    /// Canonical or og:url, absolute.
    pub url: Option<String>,
}

/// The extraction stage's output.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub metadata: Metadata,
    pub blocks: Vec<(BlockKind, String)>,
    pub warnings: Vec<String>,
}

/// Parses a page and extracts its metadata and body blocks.
pub fn extract_html(html: &str, url: Option<&str>, limits: &Limits) -> Result<Page> {
    extract_html_until(html, url, limits, &Deadline::NONE)
}

/// [`extract_html`] that gives up with [`Error::TimeLimit`] when `deadline`
/// has passed at a step's end (each step is linear in the guarded page).
pub fn extract_html_until(
    html: &str,
    url: Option<&str>,
    limits: &Limits,
    deadline: &Deadline,
) -> Result<Page> {
    let check = |during: &'static str| match deadline.limit() {
        Some(limit) if deadline.passed() => Err(Error::TimeLimit { limit, during }),
        _ => Ok(()),
    };
    // Bound the parser's work first: html5ever is quadratic on deep nesting.
    let guarded = guard::guard_for_extraction(html, limits);
    check("while guarding the page")?;
    let doc = Document::from(guarded.html.as_ref());
    check("while parsing the page")?;
    let metadata = metadata::extract(&doc, url);
    check("while reading the page's metadata")?;
    let body = content::extract(&doc, &metadata, limits);
    check("while finding the article's body")?;
    let mut warnings = guarded.warnings;
    warnings.extend(body.warnings);
    Ok(Page {
        metadata,
        blocks: body.blocks,
        warnings,
    })
}
