//! The article body: which part of the page is the article, as blocks.

use dom_query::Document;

use super::Metadata;
use crate::pipeline::Limits;
use crate::record::BlockKind;

/// The body blocks and any warnings about them.
#[derive(Debug, Clone, Default)]
pub struct Body {
    pub blocks: Vec<(BlockKind, String)>,
    pub warnings: Vec<String>,
}

/// Finds the main content of the page.
pub fn extract(doc: &Document, _meta: &Metadata, _limits: &Limits) -> Body {
    let mut blocks = Vec::new();
    for node in doc
        .select("article p, article h2, article h3, article li, article blockquote")
        .nodes()
    {
        let kind = match node.node_name().as_deref() {
            Some("h2" | "h3") => BlockKind::Heading,
            Some("li") => BlockKind::ListItem,
            Some("blockquote") => BlockKind::Quote,
            _ => BlockKind::Paragraph,
        };
        blocks.push((kind, node.text().to_string()));
    }
    Body {
        blocks,
        warnings: Vec::new(),
    }
}
