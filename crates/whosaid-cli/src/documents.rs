//! One lazy stream of documents from the inputs, for `extract` and `ingest`:
//! pages and texts as they are, the HTML responses inside WARC files, and
//! stored records from JSON Lines files. A WARC or JSON Lines file is read
//! record by record, never whole.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use whosaid_warc::{ErrorKind, WarcReader, WarcRecord, HTTP_HEADER_ALLOWANCE};

use crate::inputs::{self, InputSource};

/// One document to run the pipeline on, with what its container said about
/// it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The path as given (or "-"), used as `record.source.path`.
    pub name: String,
    pub bytes: Vec<u8>,
    /// WARC-Target-URI.
    pub url: Option<String>,
    /// From the HTTP Content-Type.
    pub charset: Option<String>,
    /// WARC-Date.
    pub fallback_date: Option<String>,
    /// WARC-Record-ID.
    pub record: Option<String>,
    /// The WARC record's offset in its file.
    pub offset: Option<u64>,
}

impl Document {
    /// How error lines name this document: the path, and for a WARC record
    /// `path at byte N`.
    pub fn label(&self) -> String {
        match self.offset {
            Some(offset) => format!("{} at byte {offset}", self.name),
            None => self.name.clone(),
        }
    }
}

#[derive(Debug)]
pub enum Item {
    Document(Document),
    /// A whole record read from a JSON Lines file of records (whosaid/1), to
    /// store as is.
    Record {
        // Read by `ingest`, which keeps where each stored record came from.
        #[allow(dead_code)]
        name: String,
        record: Box<whosaid::Record>,
    },
    /// Something that could not be read: named input (path, or "path at
    /// byte N" for a WARC record, or "path line N") and the reason.
    Failed {
        name: String,
        reason: String,
    },
}

/// WARC files: `.warc` and `.warc.gz`, in any case.
pub fn is_warc(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".warc") || lower.ends_with(".warc.gz")
}

/// JSON Lines files of records: `.jsonl`, `.ndjson`, optionally `.gz`.
pub fn is_record_lines(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let lower = lower.strip_suffix(".gz").unwrap_or(&lower);
    lower.ends_with(".jsonl") || lower.ends_with(".ndjson")
}

/// The documents of all inputs, in order.
pub struct Documents {
    sources: std::vec::IntoIter<InputSource>,
    max_input_bytes: u64,
    open: Option<OpenFile>,
}

/// A file being read one record at a time.
enum OpenFile {
    Warc {
        name: String,
        // Boxed: the reader carries its resynchronisation state inline and
        // would make every `Lines` as large.
        reader: Box<WarcReader<BufReader<File>>>,
    },
    Lines {
        name: String,
        reader: Box<dyn BufRead + Send>,
        line_number: u64,
        line: Vec<u8>,
    },
}

impl Documents {
    pub fn new(sources: Vec<InputSource>, max_input_bytes: u64) -> Self {
        Documents {
            sources: sources.into_iter(),
            max_input_bytes,
            open: None,
        }
    }

    fn open_warc(&mut self, name: String, path: &Path) -> Option<Item> {
        match WarcReader::open(path) {
            Ok(reader) => {
                let reader = reader.with_max_record_bytes(
                    self.max_input_bytes.saturating_add(HTTP_HEADER_ALLOWANCE),
                );
                self.open = Some(OpenFile::Warc {
                    name,
                    reader: Box::new(reader),
                });
                None
            }
            Err(e) => Some(match e.kind {
                ErrorKind::Io(io) => Item::Failed {
                    name,
                    reason: inputs::io_reason(&io),
                },
                kind => Item::Failed {
                    name: format!("{name} at byte {}", e.offset),
                    reason: kind.to_string(),
                },
            }),
        }
    }

    fn open_lines(&mut self, name: String, path: &Path) -> Option<Item> {
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) => {
                return Some(Item::Failed {
                    name,
                    reason: inputs::io_reason(&e),
                })
            }
        };
        let reader: Box<dyn BufRead + Send> = if name.to_ascii_lowercase().ends_with(".gz") {
            Box::new(BufReader::new(flate2::bufread::MultiGzDecoder::new(
                BufReader::new(file),
            )))
        } else {
            Box::new(BufReader::with_capacity(256 * 1024, file))
        };
        self.open = Some(OpenFile::Lines {
            name,
            reader,
            line_number: 0,
            line: Vec::new(),
        });
        None
    }
}

impl Iterator for Documents {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            if let Some(open) = &mut self.open {
                match open.next_item(self.max_input_bytes) {
                    Some(item) => return Some(item),
                    None => {
                        self.open = None;
                        continue;
                    }
                }
            }
            let source = self.sources.next()?;
            let name = source.display();
            let opened = match &source {
                InputSource::File(path) if is_warc(&name) => self.open_warc(name, path),
                InputSource::File(path) if is_record_lines(&name) => self.open_lines(name, path),
                _ => Some(match inputs::read(&source, self.max_input_bytes) {
                    Ok(bytes) => Item::Document(Document {
                        name,
                        bytes,
                        url: None,
                        charset: None,
                        fallback_date: None,
                        record: None,
                        offset: None,
                    }),
                    Err(reason) => Item::Failed { name, reason },
                }),
            };
            if opened.is_some() {
                return opened;
            }
        }
    }
}

impl OpenFile {
    /// The next item of this file; `None` when it has no more.
    fn next_item(&mut self, max_input_bytes: u64) -> Option<Item> {
        match self {
            OpenFile::Warc { name, reader } => loop {
                match reader.next()? {
                    Ok(record) => {
                        if let Some(document) = page_document(name, record) {
                            return Some(Item::Document(document));
                        }
                    }
                    Err(e) => {
                        return Some(Item::Failed {
                            name: format!("{name} at byte {}", e.offset),
                            reason: e.kind.to_string(),
                        })
                    }
                }
            },
            OpenFile::Lines {
                name,
                reader,
                line_number,
                line,
            } => loop {
                *line_number += 1;
                let label = || format!("{name} line {line_number}");
                line.clear();
                let read = (&mut *reader)
                    .take(max_input_bytes.saturating_add(1))
                    .read_until(b'\n', line);
                match read {
                    Ok(0) => return None,
                    Ok(_) => {}
                    Err(e) => {
                        let item = Item::Failed {
                            name: label(),
                            reason: inputs::io_reason(&e),
                        };
                        // A read error (a corrupt .gz) would repeat: the
                        // rest of this file is lost.
                        *reader = Box::new(io::empty());
                        return Some(item);
                    }
                }
                if line.len() as u64 > max_input_bytes && line.last() != Some(&b'\n') {
                    let item = Item::Failed {
                        name: label(),
                        reason: format!("line is over the limit of {max_input_bytes} bytes"),
                    };
                    if skip_rest_of_line(reader.as_mut()).is_err() {
                        *reader = Box::new(io::empty());
                    }
                    return Some(item);
                }
                if line.trim_ascii().is_empty() {
                    continue;
                }
                return Some(match parse_record(line) {
                    Ok(record) => Item::Record {
                        name: name.clone(),
                        record: Box::new(record),
                    },
                    Err(reason) => Item::Failed {
                        name: label(),
                        reason,
                    },
                });
            },
        }
    }
}

/// A document for a WARC record holding a page (`WarcRecord::into_page`:
/// a successful HTML or text response); `None` for anything else, which is
/// skipped without complaint.
fn page_document(name: &str, record: WarcRecord) -> Option<Document> {
    let page = record.into_page()?;
    Some(Document {
        name: name.to_string(),
        bytes: page.body,
        url: page.target_uri,
        charset: page.charset,
        fallback_date: page.date,
        record: page.record_id,
        offset: Some(page.offset),
    })
}

fn skip_rest_of_line(reader: &mut dyn BufRead) -> io::Result<()> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                reader.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    }
}

/// A stored whosaid/1 record from one line of JSON.
pub(crate) fn parse_record(line: &[u8]) -> Result<whosaid::Record, String> {
    let record: whosaid::Record = serde_json::from_slice(line.trim_ascii())
        .map_err(|e| format!("not a whosaid/1 record: {e}"))?;
    if record.schema != whosaid::record::SCHEMA {
        return Err(format!(
            "not a whosaid/1 record: schema is {:?}",
            record.schema
        ));
    }
    record
        .check_spans()
        .map_err(|e| format!("record's spans do not match its text: {e}"))?;
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use whosaid_warc::WarcWriter;

    /// `ingest` reads documents on one thread and extracts on others.
    #[test]
    fn documents_can_move_to_another_thread() {
        fn is_send<T: Send>() {}
        is_send::<Documents>();
        is_send::<Item>();
    }

    #[test]
    fn file_kinds_by_name() {
        let rows = [
            ("a.warc", true, false),
            ("a.WARC.gz", true, false),
            ("dir.warc/page.html", false, false),
            ("a.warc.bz2", false, false),
            ("records.jsonl", false, true),
            ("records.JSONL.GZ", false, true),
            ("records.ndjson", false, true),
            ("records.json", false, false),
            ("page.html.gz", false, false),
            ("-", false, false),
        ];
        for (name, warc, lines) in rows {
            assert_eq!(is_warc(name), warc, "{name}");
            assert_eq!(is_record_lines(name), lines, "{name}");
        }
    }

    fn record(head: &str, body: &[u8]) -> WarcRecord {
        let mut block = head.as_bytes().to_vec();
        block.extend_from_slice(b"\r\n\r\n");
        block.extend_from_slice(body);
        WarcRecord {
            offset: 7,
            warc_type: "response".into(),
            record_id: Some("<urn:uuid:1>".into()),
            target_uri: Some("https://ferry.example/".into()),
            date: Some("2026-02-03T04:05:06Z".into()),
            headers: Vec::new(),
            block,
        }
    }

    #[test]
    fn a_page_document_carries_its_record() {
        let document = page_document(
            "f.warc",
            record(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=ISO-8859-1",
                b"<p>caf\xe9</p>",
            ),
        )
        .unwrap();
        assert_eq!(
            document,
            Document {
                name: "f.warc".into(),
                bytes: b"<p>caf\xe9</p>".to_vec(),
                url: Some("https://ferry.example/".into()),
                charset: Some("ISO-8859-1".into()),
                fallback_date: Some("2026-02-03T04:05:06Z".into()),
                record: Some("<urn:uuid:1>".into()),
                offset: Some(7),
            }
        );
        assert_eq!(document.label(), "f.warc at byte 7");
    }

    /// A temporary file removed when dropped.
    struct TempFile(std::path::PathBuf);

    impl TempFile {
        fn new(name: &str, bytes: &[u8]) -> Self {
            let path = std::env::temp_dir()
                .join(format!("whosaid-documents-{}-{name}", std::process::id()));
            std::fs::write(&path, bytes).unwrap();
            TempFile(path)
        }
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    #[test]
    fn items_in_order_with_failures_named() {
        let mut w = WarcWriter::new(Vec::new(), true);
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/html";
        w.write_response(
            "https://a.example/",
            "2026-01-01T00:00:00Z",
            head,
            b"<p>a</p>",
        )
        .unwrap();
        let bad = w
            .write_response(
                "https://b.example/",
                "2026-01-01T00:00:00Z",
                head,
                b"<p>b</p>",
            )
            .unwrap();
        w.write_response(
            "https://c.example/",
            "2026-01-01T00:00:00Z",
            head,
            b"<p>c</p>",
        )
        .unwrap();
        let mut bytes = w.into_inner().unwrap();
        // A gzip member that is not one any more.
        bytes[bad as usize + 3] = 0xe0;
        let warc = TempFile::new("a.warc.gz", &bytes);
        let page = TempFile::new("p.html", b"<p>page</p>");
        let lines = TempFile::new("r.jsonl", b"\n{\"schema\": \"whosaid/1\"}\n");
        let sources = vec![
            InputSource::File(warc.0.clone()),
            InputSource::File(page.0.clone()),
            InputSource::File(lines.0.clone()),
            InputSource::File("/no/such/file.warc".into()),
        ];
        let shown: Vec<String> = Documents::new(sources, 1 << 20)
            .map(|item| match item {
                Item::Document(d) => format!("doc {}", String::from_utf8_lossy(&d.bytes)),
                Item::Record { record, .. } => format!("record {}", record.article.text),
                Item::Failed { name, reason } => format!("failed {name}: {reason}"),
            })
            .collect();
        let warc_name = warc.0.display().to_string();
        let lines_name = lines.0.display().to_string();
        assert_eq!(shown.len(), 6, "{shown:#?}");
        assert_eq!(shown[0], "doc <p>a</p>");
        assert!(
            shown[1].starts_with(&format!("failed {warc_name} at byte {bad}: gzip member")),
            "{}",
            shown[1]
        );
        assert_eq!(shown[2], "doc <p>c</p>");
        assert_eq!(shown[3], "doc <p>page</p>");
        assert!(
            shown[4].starts_with(&format!(
                "failed {lines_name} line 2: not a whosaid/1 record"
            )),
            "{}",
            shown[4]
        );
        assert_eq!(
            shown[5],
            "failed /no/such/file.warc: no such file or directory"
        );
    }

    #[test]
    fn an_overlong_line_fails_alone() {
        let long = format!("{}\n\n{{}}\n", "x".repeat(5000));
        let lines = TempFile::new("long.jsonl", long.as_bytes());
        let name = lines.0.display().to_string();
        let shown: Vec<String> = Documents::new(vec![InputSource::File(lines.0.clone())], 1000)
            .map(|item| match item {
                Item::Failed { name, reason } => format!("{name}: {reason}"),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            shown,
            [
                format!("{name} line 1: line is over the limit of 1000 bytes"),
                format!("{name} line 3: not a whosaid/1 record: missing field `schema` at line 1 column 2"),
            ]
        );
    }
}
