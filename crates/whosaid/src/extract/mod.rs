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

use crate::error::Result;
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
    // Bound the parser's work first: html5ever is quadratic on deep nesting.
    let guarded = guard::guard_for_extraction(html, limits);
    let doc = Document::from(guarded.html.as_ref());
    let metadata = metadata::extract(&doc, url);
    let body = content::extract(&doc, &metadata, limits);
    let mut warnings = guarded.warnings;
    warnings.extend(body.warnings);
    Ok(Page {
        metadata,
        blocks: body.blocks,
        warnings,
    })
}
