//! Stage 3: body blocks to the clean article text with block offsets.
//!
//! The text built here is the one reference for every span that later
//! stages produce; nothing after this stage rewrites it.

use crate::extract::Metadata;
use crate::record::{Article, Block, BlockKind};

/// Joins extracted blocks with blank lines, collapsing inner whitespace.
pub fn from_extraction(meta: Metadata, blocks: Vec<(BlockKind, String)>) -> Article {
    let mut text = String::with_capacity(blocks.iter().map(|(_, raw)| raw.len() + 2).sum());
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
    let bytes = raw.as_bytes();
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        // Visible ASCII, most of any text, is copied a run at a time.
        let (visible, end) = if (0x21..0x7f).contains(&b) {
            let mut end = at + 1;
            while bytes.get(end).is_some_and(|c| (0x21..0x7f).contains(c)) {
                end += 1;
            }
            (true, end)
        } else {
            let Some(c) = raw.get(at..).and_then(|rest| rest.chars().next()) else {
                break;
            };
            if c.is_whitespace() || c == '\u{200B}' || c == '\u{FEFF}' {
                pending_space = true;
            }
            (
                !c.is_whitespace() && !c.is_control() && c != '\u{200B}' && c != '\u{FEFF}',
                at + c.len_utf8(),
            )
        };
        if visible {
            if pending_space && out.len() > start {
                out.push(' ');
            }
            pending_space = false;
            out.push_str(&raw[at..end]);
        }
        at = end;
    }
}

/// Plain text: the text is kept as it is (offsets refer to the input), and
/// each non-empty line becomes a block. Short lines without final
/// punctuation are headings. Title, authors and date are read from an
/// obvious header (see [`plain_header`]); otherwise they stay empty.
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
    let header = plain_header(&text, &blocks);
    Article {
        title: header.title,
        authors: header.authors,
        published: header.published,
        site: None,
        language: None,
        text,
        blocks,
    }
}

/// What the first lines of a plain text say about the article.
#[derive(Debug, Default, PartialEq, Eq)]
struct PlainHeader {
    title: Option<String>,
    authors: Vec<String>,
    published: Option<String>,
}

/// Lines at the top of a text before its first line of prose that can hold
/// a byline or a date.
const HEADER_LINES: usize = 5;

/// Reads a header only when it is unmistakable: a heading-like first line
/// followed, before any prose, by a byline ("By …") or a line that is just
/// a date. A text that starts with prose has no header: guessing a title
/// from an article's first sentence would be wrong more often than not.
fn plain_header(text: &str, blocks: &[Block]) -> PlainHeader {
    let mut header = PlainHeader::default();
    let Some(first) = blocks.first() else {
        return header;
    };
    if first.kind != BlockKind::Heading {
        return header;
    }
    for block in blocks.iter().skip(1).take(HEADER_LINES - 1) {
        let line = &text[block.start..block.end];
        let lower = line.to_lowercase();
        if header.authors.is_empty()
            && (lower.starts_with("by ") || lower.starts_with("written by "))
        {
            header.authors = crate::extract::meta_authors::clean_byline(line);
            if header.authors.is_empty() {
                break;
            }
        } else if header.published.is_none() && line.len() <= 40 && !is_prose(line) {
            match crate::extract::dates::parse_date(line) {
                Some(date) => header.published = Some(date.to_record_string()),
                None => break,
            }
        } else {
            break;
        }
    }
    if !header.authors.is_empty() || header.published.is_some() {
        header.title = Some(text[first.start..first.end].to_string());
    }
    header
}

/// A line that reads as running text rather than a header field.
fn is_prose(line: &str) -> bool {
    line.split_whitespace().count() > 12 || line.ends_with('.')
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
    fn whitespace_collapses_and_controls_vanish() {
        let rows: &[(&str, &str)] = &[
            ("", ""),
            ("  a  ", "a"),
            ("a\u{200B}b", "a b"),
            ("a\u{7}b \u{FEFF} c", "ab c"),
            ("Zoë\u{a0}\u{a0}said: “yes”\r\n", "Zoë said: “yes”"),
            ("x\u{2003}y\u{7f}z", "x yz"),
        ];
        for (raw, want) in rows {
            let mut out = String::new();
            push_collapsed(&mut out, raw);
            assert_eq!(out, *want, "{raw:?}");
        }
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
        assert_eq!(a.title, None, "a heading alone is no header");
    }

    #[test]
    fn plain_header_rows() {
        type Row<'a> = (&'a str, Option<&'a str>, &'a [&'a str], Option<&'a str>);
        let rows: [Row; 6] = [
            (
                "Ferry Fares Rise Again\n\nBy Lena Ortiz, Transport Editor\n3 June 2025\n\nFares will rise by 4 per cent, the operator said.\n",
                Some("Ferry Fares Rise Again"),
                &["Lena Ortiz"],
                Some("2025-06-03"),
            ),
            (
                "Ferry Fares Rise Again\nJune 3, 2025\nFares will rise by 4 per cent, the operator said on Monday.\n",
                Some("Ferry Fares Rise Again"),
                &[],
                Some("2025-06-03"),
            ),
            (
                "Fares will rise by 4 per cent, the operator said.\nBy the end of June the new timetable starts.\n",
                None,
                &[],
                None,
            ),
            (
                "Ferry Fares Rise Again\nThe operator said on Monday that fares will rise by 4 per cent from June.\n",
                None,
                &[],
                None,
            ),
            ("Ferry Fares Rise Again\nby the sea we waited for hours\n", None, &[], None),
            ("", None, &[], None),
        ];
        for (text, title, authors, date) in rows {
            let a = from_plain_text(text.to_string());
            assert_eq!(a.title.as_deref(), title, "{text:?}");
            assert_eq!(a.authors, authors, "{text:?}");
            assert_eq!(a.published.as_deref(), date, "{text:?}");
        }
    }
}
