//! A fast, forgiving WARC 1.0/1.1 reader, and a small writer.
//!
//! Made for Common Crawl's CC-NEWS layout: every record its own gzip member
//! (`.warc.gz`), or a plain `.warc` file. [`WarcReader`] yields one
//! [`WarcRecord`] at a time with the byte offset of its gzip member (or of its
//! `WARC/1.x` line in a plain file), so that a record can be found again.
//!
//! Damage costs one error and the reader moves on: a corrupt or cut gzip
//! member, malformed headers, a `Content-Length` that runs past the end, or a
//! record over the size cap each give one `Err` naming the offset, and reading
//! resumes at the next gzip member (the first after the damaged member's
//! start, so that a member cut short costs only its own record) or the next
//! `WARC/1.` line. Memory stays bounded (headers and blocks are capped; an
//! oversized block is skipped without being kept; what is kept of a member
//! to search it again is capped) and every step starts past the last one's
//! start, re-reading at most twice the input, so no byte sequence can make
//! it loop.
//!
//! ```
//! use whosaid_warc::{WarcReader, WarcWriter};
//!
//! let mut writer = WarcWriter::new(Vec::new(), true);
//! writer
//!     .write_response(
//!         "https://news.example/pier",
//!         "2026-03-01T12:00:00Z",
//!         "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n",
//!         b"<p>The pier reopened.</p>",
//!     )
//!     .unwrap();
//! let file = writer.into_inner().unwrap();
//!
//! let mut reader = WarcReader::new(&file[..]).unwrap();
//! let record = reader.next().unwrap().unwrap();
//! let response = record.http_response().unwrap();
//! assert_eq!(response.status, 200);
//! assert_eq!(response.charset.as_deref(), Some("utf-8"));
//! assert_eq!(&response.body[..], b"<p>The pier reopened.</p>");
//! assert!(reader.next().is_none());
//! ```

mod http;
mod page;
mod reader;
mod source;
mod writer;

pub use http::HttpResponse;
pub use page::{Page, HTTP_HEADER_ALLOWANCE};
pub use reader::{WarcReader, WarcRecord, DEFAULT_MAX_RECORD_BYTES};
pub use writer::WarcWriter;

/// Something that went wrong at one place in a WARC file. Its message reads
/// `at byte {offset}: {problem}`; the caller adds the file name.
#[derive(Debug, thiserror::Error)]
#[error("at byte {offset}: {kind}")]
pub struct WarcError {
    /// Offset in the file of the gzip member, or of the record, at fault.
    pub offset: u64,
    pub kind: ErrorKind,
}

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    #[error("not a WARC file: it starts with neither a gzip member nor a WARC/ line")]
    NotWarc,
    #[error("cannot read the file: {0}")]
    Io(std::io::Error),
    #[error("gzip member is corrupt or cut short: {0}")]
    Gzip(std::io::Error),
    #[error("expected a gzip member, found other bytes")]
    NotGzipMember,
    #[error("expected a WARC/1.x version line, found {0:?}")]
    BadVersion(String),
    #[error("malformed WARC header line {0:?}")]
    BadHeader(String),
    #[error("WARC header lines are over {0} bytes")]
    HeadersTooLong(usize),
    #[error("WARC headers end before their blank line")]
    HeadersCutShort,
    #[error("missing or invalid Content-Length {0:?}")]
    BadContentLength(String),
    #[error(
        "Content-Length {declared} runs past the end of the {container} ({available} bytes there)"
    )]
    BlockCutShort {
        declared: u64,
        available: u64,
        container: &'static str,
    },
    #[error("record block of {size} bytes is over the cap of {cap} bytes; skipped")]
    TooLarge { size: u64, cap: u64 },
}

pub type Result<T, E = WarcError> = std::result::Result<T, E>;
