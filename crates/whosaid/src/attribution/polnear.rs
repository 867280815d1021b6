//! Reader for PolNeAR-format folders (brat standoff annotations).
//!
//! A folder holds `text/NAME.txt` and `attributions/NAME_XXXX.ann` (one file
//! per annotator; the first by name is used). Only `T<n>` and `E<n>` lines
//! are read: a few files have line breaks inside a span's text, which puts
//! stray continuation lines into the file. brat offsets count Unicode
//! characters; they are converted here to UTF-8 byte offsets into the text,
//! and every converted span is checked against the text the line quotes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::record::Range;

/// Why a PolNeAR folder or file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolnearError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: expected text/ and attributions/ folders inside")]
    Layout { path: PathBuf },
}

/// One annotated attribution; a role with no span (no source) is empty.
/// Each role is a list of byte ranges because brat spans may be
/// discontinuous.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoldAttribution {
    pub source: Vec<Range>,
    pub cue: Vec<Range>,
    pub content: Vec<Range>,
}

/// One text with its annotations.
#[derive(Debug, Clone)]
pub struct GoldDocument {
    /// The text's file stem.
    pub name: String,
    pub text: String,
    /// Ordered by the start of their content.
    pub attributions: Vec<GoldAttribution>,
    /// `T` lines whose quoted text did not match the converted span; such
    /// spans are dropped.
    pub mismatched_spans: usize,
}

/// Reads every text of a folder that has an annotation file, sorted by name.
pub fn read_folder(dir: &Path) -> Result<Vec<GoldDocument>, PolnearError> {
    read(dir, false)
}

/// Like [`read_folder`], but a text annotated twice gives one document per
/// annotation file (in file-name order, next to each other): training
/// data, where a second annotator's reading is more evidence, not a
/// conflict to settle.
pub fn read_folder_all_annotators(dir: &Path) -> Result<Vec<GoldDocument>, PolnearError> {
    read(dir, true)
}

fn read(dir: &Path, all_annotators: bool) -> Result<Vec<GoldDocument>, PolnearError> {
    let text_dir = dir.join("text");
    let ann_dir = dir.join("attributions");
    if !text_dir.is_dir() || !ann_dir.is_dir() {
        return Err(PolnearError::Layout {
            path: dir.to_path_buf(),
        });
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| PolnearError::Io { path, source }
    };
    let list = |d: &Path, ext: &str| -> Result<Vec<String>, PolnearError> {
        let mut names: Vec<String> = std::fs::read_dir(d)
            .map_err(io(d))?
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| n.ends_with(ext))
            .collect();
        names.sort();
        Ok(names)
    };
    let anns = list(&ann_dir, ".ann")?;
    let mut docs = Vec::new();
    for file in list(&text_dir, ".txt")? {
        let stem = file.trim_end_matches(".txt");
        let mut mine = anns
            .iter()
            .filter(|a| annotation_belongs_to(a, stem))
            .peekable();
        if mine.peek().is_none() {
            continue;
        }
        let text_path = text_dir.join(&file);
        let text = std::fs::read_to_string(&text_path).map_err(io(&text_path))?;
        for ann in mine.take(if all_annotators { usize::MAX } else { 1 }) {
            let ann_path = ann_dir.join(ann);
            let ann_text = std::fs::read_to_string(&ann_path).map_err(io(&ann_path))?;
            docs.push(parse_document(stem, text.clone(), &ann_text));
        }
    }
    Ok(docs)
}

/// `NAME.ann` or `NAME_XXXX.ann` with a four-character annotator id.
fn annotation_belongs_to(ann: &str, stem: &str) -> bool {
    let Some(rest) = ann.strip_prefix(stem) else {
        return false;
    };
    rest == ".ann"
        || rest
            .strip_prefix('_')
            .and_then(|r| r.strip_suffix(".ann"))
            .is_some_and(|id| id.len() == 4 && id.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Parses one `.ann` file against its text. The text is normalised as the
/// pipeline normalises plain text (CRLF to LF, no byte-order mark) so that
/// gold offsets and predicted offsets refer to the same string.
pub fn parse_document(name: &str, raw_text: String, ann: &str) -> GoldDocument {
    // Character offsets index the file as written: build the table from it,
    // then map through the normalisation.
    let chars: Vec<(usize, char)> = raw_text.char_indices().collect();
    let mut removed_before = Vec::with_capacity(chars.len() + 1);
    let mut removed = 0usize;
    for (i, &(byte, c)) in chars.iter().enumerate() {
        removed_before.push(removed);
        let drop_bom = byte == 0 && c == '\u{FEFF}';
        let drop_cr = c == '\r' && chars.get(i + 1).is_some_and(|&(_, n)| n == '\n');
        if drop_bom || drop_cr {
            removed += c.len_utf8();
        }
    }
    removed_before.push(removed);
    let byte_of_char = |ci: usize| -> Option<usize> {
        let raw = if ci == chars.len() {
            raw_text.len()
        } else {
            chars.get(ci)?.0
        };
        Some(raw - removed_before[ci])
    };
    let text = normalise_plain_text(&raw_text);

    let mut spans: HashMap<&str, (&str, Vec<Range>)> = HashMap::new();
    let mut mismatched_spans = 0;
    for line in ann.lines() {
        let Some((id, rest)) = line.split_once('\t') else {
            continue;
        };
        if !is_id(id, 'T') {
            continue;
        }
        let Some((kind_and_offsets, quoted)) = rest.split_once('\t') else {
            continue;
        };
        let Some((kind, offsets)) = kind_and_offsets.split_once(' ') else {
            continue;
        };
        let Some(ranges) = parse_offsets(offsets, &byte_of_char) else {
            mismatched_spans += 1;
            continue;
        };
        if !quotes_match(&text, &ranges, quoted) {
            mismatched_spans += 1;
            continue;
        }
        spans.insert(id, (kind, ranges));
    }

    let mut attributions = Vec::new();
    for line in ann.lines() {
        let Some((id, rest)) = line.split_once('\t') else {
            continue;
        };
        if !is_id(id, 'E') {
            continue;
        }
        let mut args = rest.split_whitespace();
        let Some(trigger) = args.next() else { continue };
        if !trigger.starts_with("Attribution") {
            continue;
        }
        let mut a = GoldAttribution::default();
        for arg in args {
            let Some((role, target)) = arg.split_once(':') else {
                continue;
            };
            let Some((_, ranges)) = spans.get(target) else {
                continue;
            };
            let slot = match role.trim_end_matches(|c: char| c.is_ascii_digit()) {
                "Source" => &mut a.source,
                "Cue" => &mut a.cue,
                "Content" => &mut a.content,
                _ => continue,
            };
            slot.extend_from_slice(ranges);
        }
        for slot in [&mut a.source, &mut a.cue, &mut a.content] {
            slot.sort();
            slot.dedup();
        }
        if !a.content.is_empty() || !a.cue.is_empty() {
            attributions.push(a);
        }
    }
    attributions.sort_by(|x, y| (&x.content, &x.cue).cmp(&(&y.content, &y.cue)));
    GoldDocument {
        name: name.to_string(),
        text,
        attributions,
        mismatched_spans,
    }
}

/// The pipeline's plain-text normalisation: CRLF and lone CR to LF, no BOM.
fn normalise_plain_text(raw: &str) -> String {
    let raw = raw.strip_prefix('\u{FEFF}').unwrap_or(raw);
    if !raw.contains('\r') {
        return raw.to_string();
    }
    raw.replace("\r\n", "\n").replace('\r', "\n")
}

fn is_id(id: &str, letter: char) -> bool {
    id.strip_prefix(letter)
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// `s1 e1;s2 e2` in characters to byte ranges; `None` when malformed or out
/// of the text.
fn parse_offsets(
    offsets: &str,
    byte_of_char: &dyn Fn(usize) -> Option<usize>,
) -> Option<Vec<Range>> {
    let mut out = Vec::new();
    for part in offsets.split(';') {
        let (s, e) = part.trim().split_once(' ')?;
        let start = byte_of_char(s.parse().ok()?)?;
        let end = byte_of_char(e.parse().ok()?)?;
        if start > end {
            return None;
        }
        out.push(Range { start, end });
    }
    Some(out)
}

/// brat writes a discontinuous span's text as its fragments joined by one
/// space; a line break inside a span cuts the quoted text short, so a
/// prefix is accepted.
fn quotes_match(text: &str, ranges: &[Range], quoted: &str) -> bool {
    let mut joined = String::new();
    for (i, r) in ranges.iter().enumerate() {
        let Some(part) = text.get(r.start..r.end) else {
            return false;
        };
        if i > 0 {
            joined.push(' ');
        }
        joined.push_str(part);
    }
    !quoted.is_empty() && joined.starts_with(quoted) || joined == quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Café owners said “prices rise.” Nobody answered, he added.";

    fn byte(text: &str, needle: &str) -> Range {
        let start = text.find(needle).unwrap();
        Range {
            start,
            end: start + needle.len(),
        }
    }

    #[test]
    fn character_offsets_become_byte_offsets() {
        // "Café owners" is 11 characters but 12 bytes.
        let ann = "T1\tSource 0 11\tCafé owners\n\
                   T2\tCue 12 16\tsaid\n\
                   T3\tContent 17 31\t“prices rise.”\n\
                   E1\tAttribution:T2 Source:T1 Cue:T2 Content:T3\n";
        let doc = parse_document("x", TEXT.to_string(), ann);
        assert_eq!(doc.mismatched_spans, 0);
        assert_eq!(
            doc.attributions,
            vec![GoldAttribution {
                source: vec![byte(TEXT, "Café owners")],
                cue: vec![byte(TEXT, "said")],
                content: vec![byte(TEXT, "“prices rise.”")],
            }]
        );
    }

    #[test]
    fn discontinuous_spans_second_contents_and_stray_lines() {
        let ann = "T1\tContent 0 4;17 24\tCafé “prices\n\
                   a stray continuation line\n\
                   T2\tCue 12 16\tsaid\n\
                   T3\tContent 32 39\tNobody \n\
                   E1\tAttribution-no-source:T2 Cue:T2 Content:T1 Content2:T3\n\
                   R1\tSomething Arg1:T1 Arg2:T2\n";
        let doc = parse_document("x", TEXT.to_string(), ann);
        assert_eq!(doc.mismatched_spans, 0);
        let a = &doc.attributions[0];
        assert!(a.source.is_empty());
        assert_eq!(
            a.content,
            vec![
                byte(TEXT, "Café"),
                byte(TEXT, "“prices"),
                byte(TEXT, "Nobody "),
            ]
        );
    }

    #[test]
    fn mismatched_or_malformed_spans_are_counted_and_dropped() {
        let ann = "T1\tCue 0 4\tsaid\nT2\tCue 5 x\tfoo\nT3\tCue 900 901\tz\n\
                   E1\tAttribution:T1 Cue:T1\n";
        let doc = parse_document("x", TEXT.to_string(), ann);
        assert_eq!(doc.mismatched_spans, 3);
        assert!(doc.attributions.is_empty());
    }

    #[test]
    fn crlf_is_normalised_and_offsets_follow() {
        let raw = "A\r\nB said \u{201C}x\u{201D}".to_string();
        // characters: A \r \n B ... "said" starts at char 5.
        let ann = "T1\tCue 5 9\tsaid\nE1\tAttribution:T1 Cue:T1\n";
        let doc = parse_document("x", raw, ann);
        assert_eq!(doc.text, "A\nB said \u{201C}x\u{201D}");
        assert_eq!(doc.attributions[0].cue, vec![byte(&doc.text, "said")]);
    }

    #[test]
    fn annotation_files_match_their_text() {
        assert!(annotation_belongs_to("abc_4e07.ann", "abc"));
        assert!(annotation_belongs_to("abc.ann", "abc"));
        assert!(!annotation_belongs_to("abcd_4e07.ann", "abc"));
        assert!(!annotation_belongs_to("abc_more_4e07.ann", "abc"));
    }

    #[test]
    fn shared_dev_and_train_spans_all_convert() {
        for split in ["dev", "train"] {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/data/polnear")
                .join(split);
            if !dir.is_dir() {
                eprintln!("skipping: {} is absent", dir.display());
                continue;
            }
            let docs = read_folder(&dir).unwrap();
            assert!(!docs.is_empty());
            let bad: usize = docs.iter().map(|d| d.mismatched_spans).sum();
            assert_eq!(bad, 0, "{split}: spans that do not match their text");
        }
    }
}
