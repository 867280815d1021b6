//! Stage 3: body blocks to the clean article text with block offsets.
//!
//! The text built here is the one reference for every span that later
//! stages produce; nothing after this stage rewrites it.

use crate::extract::Metadata;
use crate::record::{Article, Block, BlockKind};

/// Joins extracted blocks with blank lines, collapsing inner whitespace.
pub fn from_extraction(meta: Metadata, blocks: Vec<(BlockKind, String)>) -> Article {
    let mut text = String::new();
    let mut out = Vec::with_capacity(blocks.len());
    for (kind, raw) in blocks {
        let before = text.len();
        if before > 0 {
            text.push_str("\n\n");
        }
        let start = text.len();
        push_collapsed(&mut text, &raw);
        if text.len() == start {
            text.truncate(before);
            continue;
        }
        out.push(Block {
            kind,
            start,
            end: text.len(),
        });
    }
    Article {
        title: meta.title,
        authors: meta.authors,
        published: meta.published,
        site: meta.site,
        language: meta.language,
        text,
        blocks: out,
    }
}

/// Appends `raw` with runs of whitespace collapsed to one space and the ends
/// trimmed. Non-breaking and other Unicode spaces count as whitespace.
fn push_collapsed(out: &mut String, raw: &str) {
    let mut pending_space = false;
    let start = out.len();
    for c in raw.chars() {
        if c.is_whitespace() || c == '\u{200B}' || c == '\u{FEFF}' {
            pending_space = true;
        } else if c.is_control() {
            continue;
        } else {
            if pending_space && out.len() > start {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        }
    }
}

/// Plain text: the text is kept as it is (offsets refer to the input), and
/// each run of non-empty lines becomes a block. Short lines without final
/// punctuation between paragraphs are headings.
pub fn from_plain_text(text: String) -> Article {
    let mut blocks = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches('\n');
        let lead = content.len() - content.trim_start().len();
        let trimmed = content.trim();
        if !trimmed.is_empty() {
            let start = offset + lead;
            blocks.push(Block {
                kind: plain_block_kind(trimmed),
                start,
                end: start + trimmed.len(),
            });
        }
        offset += line.len();
    }
    Article {
        title: None,
        authors: Vec::new(),
        published: None,
        site: None,
        language: None,
        text,
        blocks,
    }
}

fn plain_block_kind(line: &str) -> BlockKind {
    let words = line.split_whitespace().count();
    let last = line.chars().last().unwrap_or('.');
    let ends_like_sentence = matches!(
        last,
        '.' | '!' | ':' | ';' | ',' | '"' | '\u{201D}' | '\u{2019}' | ')'
    );
    if line.starts_with(['-', '*', '\u{2022}']) && words > 1 {
        BlockKind::ListItem
    } else if words <= 14
        && !ends_like_sentence
        && line
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_numeric())
    {
        BlockKind::Heading
    } else {
        BlockKind::Paragraph
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_joined_by_blank_lines_with_offsets() {
        let a = from_extraction(
            Metadata::default(),
            vec![
                (BlockKind::Heading, "  A  title\n".into()),
                (BlockKind::Paragraph, "   ".into()),
                (BlockKind::Paragraph, "One\u{a0} two\tthree".into()),
            ],
        );
        assert_eq!(a.text, "A title\n\nOne two three");
        assert_eq!(a.blocks.len(), 2);
        for b in &a.blocks {
            assert!(!a.text[b.start..b.end].contains('\n'));
        }
        assert_eq!(&a.text[a.blocks[1].start..a.blocks[1].end], "One two three");
    }

    #[test]
    fn plain_text_keeps_offsets() {
        let text = "Storm Hits Coast\n\n  The storm arrived on Monday, officials said.\n- first point here\n".to_string();
        let a = from_plain_text(text.clone());
        assert_eq!(a.text, text);
        let kinds: Vec<_> = a.blocks.iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            [
                BlockKind::Heading,
                BlockKind::Paragraph,
                BlockKind::ListItem
            ]
        );
        assert_eq!(
            &a.text[a.blocks[1].start..a.blocks[1].end],
            "The storm arrived on Monday, officials said."
        );
    }
}
