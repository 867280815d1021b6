//! Reading records, one gzip member (or one plain record) at a time.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use flate2::bufread::GzDecoder;

use crate::source::Source;
use crate::{ErrorKind, Result, WarcError};

/// Default cap on one record's block: larger records are skipped with an
/// error. News pages are far smaller; the cap bounds memory on hostile files.
pub const DEFAULT_MAX_RECORD_BYTES: u64 = 64 * 1024 * 1024;

/// WARC header lines beyond this are taken as damage, not headers.
const MAX_HEADER_BYTES: usize = 256 * 1024;

/// Decompressed bytes buffered ahead within a gzip member.
const MEMBER_BUFFER: usize = 64 * 1024;

/// One WARC record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarcRecord {
    /// Offset in the file of the record's gzip member, or of its `WARC/1.x`
    /// line in a plain file.
    pub offset: u64,
    /// `WARC-Type`: "response", "request", "warcinfo", "metadata", ... (empty
    /// when the record has none).
    pub warc_type: String,
    /// `WARC-Record-ID`, angle brackets kept as written.
    pub record_id: Option<String>,
    /// `WARC-Target-URI`.
    pub target_uri: Option<String>,
    /// `WARC-Date`, as written.
    pub date: Option<String>,
    /// Every WARC header in file order, names as written, values trimmed.
    pub headers: Vec<(String, String)>,
    /// The record block: `Content-Length` bytes.
    pub block: Vec<u8>,
}

impl WarcRecord {
    /// The first header of that name, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A gzip member's records: inflated, buffered, and with a look ahead for
/// the `WARC/` of a next record.
type Member<R> = Source<BufReader<GzDecoder<Source<R>>>>;

/// The file's source under a member's reader.
fn file_source<R: BufRead>(reader: Member<R>) -> Source<R> {
    reader.into_inner().into_inner().into_inner()
}

enum State<R> {
    /// Between records of a plain file, or between gzip members.
    Between(Source<R>),
    /// Inside a gzip member that may hold more records.
    InMember {
        offset: u64,
        reader: Box<Member<R>>,
    },
    Done,
}

/// Reads the records of a WARC file, gzip-compressed per record or plain.
///
/// After an `Err` the iterator goes on with the next readable record; it
/// ends (`None`) at the end of the input or when the input itself fails to
/// read.
pub struct WarcReader<R> {
    state: State<R>,
    gzip: bool,
    max_record_bytes: u64,
    /// Set after damage: skip to the next member or `WARC/1.` line first.
    resync_after: Option<u64>,
    line: Vec<u8>,
    /// An error to give after the record just given.
    pending: Option<WarcError>,
}

impl WarcReader<BufReader<File>> {
    /// Opens a WARC file; gzip or plain is decided by its first bytes.
    pub fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|e| WarcError {
            offset: 0,
            kind: ErrorKind::Io(e),
        })?;
        WarcReader::new(BufReader::with_capacity(256 * 1024, file))
    }
}

impl<R: BufRead> WarcReader<R> {
    /// Starts reading; fails if the input is neither gzip nor a WARC record
    /// (an empty input is a WARC file with no records).
    pub fn new(reader: R) -> Result<Self> {
        let mut source = Source::new(reader);
        let head = source.peek(5).map_err(|e| WarcError {
            offset: 0,
            kind: ErrorKind::Io(e),
        })?;
        let gzip = head.starts_with(&[0x1f, 0x8b]);
        if !head.is_empty() && !gzip && !head.starts_with(b"WARC/") {
            return Err(WarcError {
                offset: 0,
                kind: ErrorKind::NotWarc,
            });
        }
        Ok(WarcReader {
            state: State::Between(source),
            gzip,
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            resync_after: None,
            line: Vec::new(),
            pending: None,
        })
    }

    /// Caps the size of one record's block; larger records are skipped with
    /// an error.
    pub fn with_max_record_bytes(mut self, n: u64) -> Self {
        self.max_record_bytes = n;
        self
    }

    /// Whether the file is read as gzip members.
    pub fn is_gzip(&self) -> bool {
        self.gzip
    }

    fn next_plain(&mut self, mut source: Source<R>) -> Option<Result<WarcRecord>> {
        if source.failed {
            return None;
        }
        if let Some(after) = self.resync_after.take() {
            // Never re-read the line that failed: step past it first.
            if source.pos <= after && !skip_line(&mut source) {
                return None;
            }
            match source.seek_warc_line() {
                Ok(true) => {}
                Ok(false) => return None,
                Err(e) => return Some(Err(io_error(source.pos, e))),
            }
        }
        match skip_blank(&mut source) {
            Ok(true) => return None,
            Ok(false) => {}
            Err(e) => return Some(Err(io_error(source.pos, e))),
        }
        let offset = source.pos;
        let parsed = parse_record(&mut source, &mut self.line, self.max_record_bytes, "file");
        let result = match parsed {
            Ok(Some(mut record)) => {
                record.offset = offset;
                Ok(record)
            }
            Ok(None) => return None,
            Err(Fail::Io(e)) => Err(io_error(offset, e)),
            Err(Fail::Problem(kind)) => {
                self.resync_after = Some(offset);
                Err(WarcError { offset, kind })
            }
        };
        self.state = State::Between(source);
        Some(result)
    }
}

impl<R: BufRead> Iterator for WarcReader<R> {
    type Item = Result<WarcRecord>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.pending.take() {
            return Some(Err(e));
        }
        loop {
            match std::mem::replace(&mut self.state, State::Done) {
                State::Done => return None,
                State::Between(source) if !self.gzip => return self.next_plain(source),
                State::Between(mut source) => {
                    if source.failed {
                        return None;
                    }
                    if let Some(after) = self.resync_after.take() {
                        if source.pos <= after && !skip_byte(&mut source) {
                            return None;
                        }
                        match source.seek_gzip_magic() {
                            Ok(true) => {}
                            Ok(false) => return None,
                            Err(e) => return Some(Err(io_error(source.pos, e))),
                        }
                    }
                    let offset = source.pos;
                    match source.peek(2) {
                        Ok([]) => return None,
                        Ok([0x1f, 0x8b]) => {
                            source.record();
                            self.state = State::InMember {
                                offset,
                                reader: Box::new(Source::new(BufReader::with_capacity(
                                    MEMBER_BUFFER,
                                    GzDecoder::new(source),
                                ))),
                            };
                        }
                        Ok(_) => {
                            self.resync_after = Some(offset);
                            self.state = State::Between(source);
                            return Some(Err(WarcError {
                                offset,
                                kind: ErrorKind::NotGzipMember,
                            }));
                        }
                        Err(e) => return Some(Err(io_error(offset, e))),
                    }
                }
                State::InMember { offset, mut reader } => {
                    let parsed = parse_record(
                        &mut *reader,
                        &mut self.line,
                        self.max_record_bytes,
                        "gzip member",
                    );
                    match parsed {
                        Ok(Some(mut record)) => {
                            record.offset = offset;
                            return Some(self.vouch(record, reader, offset));
                        }
                        Ok(None) => {
                            self.state = State::Between(member_done(file_source(*reader)));
                        }
                        Err(Fail::Io(e)) => return Some(self.damaged(*reader, offset, e)),
                        Err(Fail::Problem(kind)) => {
                            // The gzip stream may be sound: finishing the
                            // member lands exactly on the next one.
                            let finished = io::copy(&mut *reader, &mut io::sink());
                            let source = file_source(*reader);
                            self.state = State::Between(match finished {
                                Ok(_) => member_done(source),
                                Err(_) => self.resync_in_member(source, offset),
                            });
                            return Some(Err(WarcError { offset, kind }));
                        }
                    }
                }
            }
        }
    }
}

impl<R: BufRead> WarcReader<R> {
    /// A record read from the member at `offset`, given only once the
    /// member vouches for it: its end (and checksum) follows, or another
    /// record does. A member cut short inflates the next member's bytes
    /// into the record's block and whatever follows it; that record is
    /// damage, not data.
    fn vouch(
        &mut self,
        record: WarcRecord,
        mut reader: Box<Member<R>>,
        offset: u64,
    ) -> Result<WarcRecord> {
        match skip_blank(&mut *reader) {
            Ok(true) => {
                self.state = State::Between(member_done(file_source(*reader)));
                return Ok(record);
            }
            Ok(false) => {}
            Err(e) => return self.damaged(*reader, offset, e),
        }
        // An error is given once: the inflater reads as ended after it.
        match reader.peek(5).map(|next| next == b"WARC/") {
            Ok(true) => {
                self.state = State::InMember { offset, reader };
                return Ok(record);
            }
            Ok(false) => {}
            Err(e) => return self.damaged(*reader, offset, e),
        }
        // Something else follows: the record stands if the rest of the
        // member inflates and checks, and what follows is an error of its
        // own after it.
        let junk = parse_record(
            &mut *reader,
            &mut self.line,
            self.max_record_bytes,
            "gzip member",
        );
        let finished = io::copy(&mut *reader, &mut io::sink());
        match (junk, finished) {
            (Err(Fail::Io(e)), _) | (_, Err(e)) => self.damaged(*reader, offset, e),
            (Err(Fail::Problem(kind)), Ok(_)) => {
                self.pending = Some(WarcError { offset, kind });
                self.state = State::Between(member_done(file_source(*reader)));
                Ok(record)
            }
            // Not reached: what follows does not start with `WARC/`.
            (Ok(_), Ok(_)) => {
                self.state = State::Between(member_done(file_source(*reader)));
                Ok(record)
            }
        }
    }

    /// The error for the gzip member at `offset`, which failed to inflate
    /// (or the file to read) with `e`; reading goes on after it.
    fn damaged(&mut self, reader: Member<R>, offset: u64, e: io::Error) -> Result<WarcRecord> {
        let source = file_source(reader);
        let kind = if source.failed {
            ErrorKind::Io(e)
        } else {
            ErrorKind::Gzip(e)
        };
        self.state = State::Between(self.resync_in_member(source, offset));
        Err(WarcError { offset, kind })
    }

    /// The source after the gzip member at `offset` turned out damaged: set
    /// to look for the next member from the byte after this one's start, not
    /// from where its decoder gave up. A member cut short is found out only
    /// once its decoder has read on into the next member, which a search
    /// from there would lose too.
    fn resync_in_member(&mut self, mut source: Source<R>, offset: u64) -> Source<R> {
        self.resync_after = Some(offset);
        // Refused (the member was over the tape's cap, or rewinds have read
        // twice the input already): the search starts where the decoder
        // stopped, and may lose the next member.
        if !source.failed {
            source.rewind_to(offset + 1);
        }
        source.stop_recording();
        source
    }
}

/// The source after a gzip member read to its end.
fn member_done<R: BufRead>(mut source: Source<R>) -> Source<R> {
    source.stop_recording();
    source
}

fn io_error(offset: u64, e: io::Error) -> WarcError {
    WarcError {
        offset,
        kind: ErrorKind::Io(e),
    }
}

enum Fail {
    Io(io::Error),
    Problem(ErrorKind),
}

impl From<io::Error> for Fail {
    fn from(e: io::Error) -> Self {
        Fail::Io(e)
    }
}

/// Consumes CR and LF bytes; true when the input then ends.
fn skip_blank(src: &mut impl BufRead) -> io::Result<bool> {
    loop {
        let buf = src.fill_buf()?;
        if buf.is_empty() {
            return Ok(true);
        }
        let blank = buf
            .iter()
            .position(|&b| b != b'\r' && b != b'\n')
            .unwrap_or(buf.len());
        let whole = blank == buf.len();
        src.consume(blank);
        if !whole {
            return Ok(false);
        }
    }
}

/// Consumes one byte; false at end of input or on a read error.
fn skip_byte(src: &mut impl BufRead) -> bool {
    match src.fill_buf() {
        Ok(b) if !b.is_empty() => {
            src.consume(1);
            true
        }
        _ => false,
    }
}

/// Consumes through the next newline; false at end of input or on a read
/// error.
fn skip_line(src: &mut impl BufRead) -> bool {
    loop {
        let buf = match src.fill_buf() {
            Ok(b) if !b.is_empty() => b,
            _ => return false,
        };
        match memchr::memchr(b'\n', buf) {
            Some(i) => {
                src.consume(i + 1);
                return true;
            }
            None => {
                let n = buf.len();
                src.consume(n);
            }
        }
    }
}

enum Line {
    /// A line (newline and CR stripped) is in the buffer.
    Read,
    /// End of input before any byte.
    End,
}

/// Reads one line into `line`, at most `budget` bytes; more is an error.
fn read_line(src: &mut impl BufRead, line: &mut Vec<u8>, budget: usize) -> Result<Line, Fail> {
    line.clear();
    loop {
        let buf = src.fill_buf()?;
        if buf.is_empty() {
            if line.is_empty() {
                return Ok(Line::End);
            }
            break;
        }
        let (take, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i, true),
            None => (buf.len(), false),
        };
        if line.len() + take > budget {
            return Err(Fail::Problem(ErrorKind::HeadersTooLong(MAX_HEADER_BYTES)));
        }
        line.extend_from_slice(&buf[..take]);
        src.consume(take + usize::from(done));
        if done {
            break;
        }
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(Line::Read)
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A short, printable excerpt of a line for an error message.
fn excerpt(bytes: &[u8]) -> String {
    let mut s = lossy(&bytes[..bytes.len().min(60)]);
    if bytes.len() > 60 {
        s.push('…');
    }
    s
}

/// Reads one record from `src`, which is positioned at its version line (or
/// at blank lines before it). `Ok(None)` at end of input.
fn parse_record(
    src: &mut impl BufRead,
    line: &mut Vec<u8>,
    max_block: u64,
    container: &'static str,
) -> Result<Option<WarcRecord>, Fail> {
    if skip_blank(src)? {
        return Ok(None);
    }
    let mut budget = MAX_HEADER_BYTES;
    match read_line(src, line, budget)? {
        Line::End => return Ok(None),
        Line::Read if line.starts_with(b"WARC/") => {}
        Line::Read => return Err(Fail::Problem(ErrorKind::BadVersion(excerpt(line)))),
    }
    budget -= line.len();
    let mut headers: Vec<(String, String)> = Vec::with_capacity(16);
    loop {
        match read_line(src, line, budget)? {
            Line::End => return Err(Fail::Problem(ErrorKind::HeadersCutShort)),
            Line::Read if line.is_empty() => break,
            Line::Read => {}
        }
        budget = budget.saturating_sub(line.len() + 2);
        if matches!(line[0], b' ' | b'\t') {
            // A folded continuation of the previous header's value.
            match headers.last_mut() {
                Some((_, value)) => {
                    value.push(' ');
                    value.push_str(lossy(line).trim());
                    continue;
                }
                None => return Err(Fail::Problem(ErrorKind::BadHeader(excerpt(line)))),
            }
        }
        let colon = match memchr::memchr(b':', line) {
            Some(i) if i > 0 => i,
            _ => return Err(Fail::Problem(ErrorKind::BadHeader(excerpt(line)))),
        };
        let name = line[..colon].trim_ascii();
        if name.is_empty() || name.iter().any(|&b| b <= b' ' || b == 0x7f) {
            return Err(Fail::Problem(ErrorKind::BadHeader(excerpt(line))));
        }
        headers.push((lossy(name), lossy(line[colon + 1..].trim_ascii())));
    }
    let find = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let length = find("Content-Length").unwrap_or_default();
    let length: u64 = length
        .parse()
        .map_err(|_| Fail::Problem(ErrorKind::BadContentLength(excerpt(length.as_bytes()))))?;
    if length > max_block {
        // Skipped, not kept: only the reading costs.
        io::copy(&mut src.take(length), &mut io::sink())?;
        return Err(Fail::Problem(ErrorKind::TooLarge {
            size: length,
            cap: max_block,
        }));
    }
    // The declared length is not trusted for the allocation: a lying header
    // in a tiny file must not reserve the whole cap.
    let mut block = Vec::with_capacity(length.min(1 << 20) as usize);
    src.take(length).read_to_end(&mut block)?;
    if (block.len() as u64) < length {
        return Err(Fail::Problem(ErrorKind::BlockCutShort {
            declared: length,
            available: block.len() as u64,
            container,
        }));
    }
    Ok(Some(WarcRecord {
        offset: 0,
        warc_type: find("WARC-Type").unwrap_or_default(),
        record_id: find("WARC-Record-ID"),
        target_uri: find("WARC-Target-URI"),
        date: find("WARC-Date"),
        headers,
        block,
    }))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::WarcWriter;

    const HTTP_HEAD: &str = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n";

    fn page(n: usize) -> Vec<u8> {
        format!(
            "<html><body><p>Story number {n}: the council voted on the budget.</p></body></html>"
        )
        .into_bytes()
    }

    /// A file of four records (warcinfo, request, response, metadata) and
    /// then `responses` more responses; the offsets the writer reported.
    fn sample(gzip: bool, responses: usize) -> (Vec<u8>, Vec<u64>) {
        let mut w = WarcWriter::new(Vec::new(), gzip);
        let mut offsets = vec![
            w.write_record(
                "warcinfo",
                &[
                    ("WARC-Date", "2026-01-01T00:00:00Z"),
                    ("Content-Type", "application/warc-fields"),
                ],
                b"software: whosaid tests\r\n",
            )
            .unwrap(),
            w.write_record(
                "request",
                &[("WARC-Target-URI", "https://news.example/a")],
                b"GET /a HTTP/1.1\r\nHost: news.example\r\n\r\n",
            )
            .unwrap(),
            w.write_response(
                "https://news.example/a",
                "2026-01-02T03:04:05Z",
                HTTP_HEAD,
                &page(0),
            )
            .unwrap(),
            w.write_record(
                "metadata",
                &[("WARC-Concurrent-To", "<urn:x>")],
                b"fetchTimeMs: 12\r\n",
            )
            .unwrap(),
        ];
        for n in 1..=responses {
            let uri = format!("https://news.example/{n}");
            offsets.push(
                w.write_response(&uri, "2026-01-03T00:00:00Z", HTTP_HEAD, &page(n))
                    .unwrap(),
            );
        }
        (w.into_inner().unwrap(), offsets)
    }

    fn read_all(bytes: &[u8]) -> Vec<Result<WarcRecord>> {
        WarcReader::new(bytes).unwrap().collect()
    }

    /// The shape of a read: `Ok(uri or type)` or `Err(offset)`.
    fn shape(items: &[Result<WarcRecord>]) -> Vec<Result<String, u64>> {
        items
            .iter()
            .map(|r| match r {
                Ok(r) => Ok(r.target_uri.clone().unwrap_or_else(|| r.warc_type.clone())),
                Err(e) => Err(e.offset),
            })
            .collect()
    }

    fn gzip_member(bytes: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn round_trip_gzip_and_plain_with_offsets() {
        for gzip in [true, false] {
            let (bytes, offsets) = sample(gzip, 3);
            let reader = WarcReader::new(&bytes[..]).unwrap();
            assert_eq!(reader.is_gzip(), gzip);
            let records: Vec<WarcRecord> = reader.map(|r| r.unwrap()).collect();
            assert_eq!(records.len(), 7);
            let got: Vec<u64> = records.iter().map(|r| r.offset).collect();
            assert_eq!(got, offsets, "gzip {gzip}");
            let types: Vec<&str> = records.iter().map(|r| r.warc_type.as_str()).collect();
            assert_eq!(types[..4], ["warcinfo", "request", "response", "metadata"]);
            let response = &records[2];
            assert_eq!(
                response.target_uri.as_deref(),
                Some("https://news.example/a")
            );
            assert_eq!(response.date.as_deref(), Some("2026-01-02T03:04:05Z"));
            let id = response.record_id.as_deref().unwrap();
            assert!(id.starts_with("<urn:uuid:") && id.ends_with('>'), "{id}");
            assert_eq!(
                response.header("content-length"),
                Some(response.block.len().to_string().as_str())
            );
            let http = response.http_response().unwrap();
            assert_eq!(&http.body[..], &page(0)[..]);
            let ids: std::collections::HashSet<_> =
                records.iter().map(|r| r.record_id.clone()).collect();
            assert_eq!(ids.len(), records.len(), "record ids are unique");
            // Every offset points at the record's start in the file.
            for r in &records {
                let at = &bytes[r.offset as usize..];
                if gzip {
                    assert!(at.starts_with(&[0x1f, 0x8b, 0x08]));
                } else {
                    assert!(at.starts_with(b"WARC/1.1\r\n"));
                }
            }
        }
    }

    #[test]
    fn tiny_buffers_read_the_same() {
        for gzip in [true, false] {
            let (bytes, _) = sample(gzip, 2);
            let expected: Vec<WarcRecord> =
                read_all(&bytes).into_iter().map(|r| r.unwrap()).collect();
            for capacity in [1, 2, 3, 7, 64] {
                let got: Vec<WarcRecord> =
                    WarcReader::new(BufReader::with_capacity(capacity, &bytes[..]))
                        .unwrap()
                        .map(|r| r.unwrap())
                        .collect();
                assert_eq!(got, expected, "gzip {gzip}, capacity {capacity}");
            }
        }
    }

    #[test]
    fn headers_folded_lf_only_and_missing_trailer() {
        let plain = b"WARC/1.0\nWARC-Type: resource\nX-Long: first\n  second\nwarc-target-uri:  urn:a  \nContent-Length: 3\n\nabcWARC/1.0\r\nWARC-Type: metadata\r\nContent-Length: 2\r\n\r\nxy";
        for bytes in [plain.to_vec(), gzip_member(plain)] {
            let records: Vec<WarcRecord> =
                read_all(&bytes).into_iter().map(|r| r.unwrap()).collect();
            assert_eq!(records.len(), 2);
            assert_eq!(records[0].header("x-long"), Some("first second"));
            assert_eq!(records[0].target_uri.as_deref(), Some("urn:a"));
            assert_eq!(records[0].block, b"abc");
            assert_eq!(records[1].warc_type, "metadata");
            assert_eq!(records[1].block, b"xy");
        }
    }

    #[test]
    fn several_records_in_one_member_share_its_offset() {
        let (plain, _) = sample(false, 1);
        let mut bytes =
            gzip_member(b"WARC/1.1\r\nWARC-Type: warcinfo\r\nContent-Length: 0\r\n\r\n\r\n\r\n");
        let second = bytes.len() as u64;
        bytes.extend(gzip_member(&plain));
        let records: Vec<WarcRecord> = read_all(&bytes).into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(records.len(), 6);
        assert_eq!(records[0].offset, 0);
        assert!(records[1..].iter().all(|r| r.offset == second));
    }

    #[test]
    fn empty_and_not_warc() {
        assert!(read_all(b"").is_empty());
        for bytes in [
            &b"<html>hello</html>"[..],
            b"\x89PNG\r\n",
            b"\r\nWARC/1.0\r\n",
            b"WAR",
        ] {
            let err = WarcReader::new(bytes).err().expect("not a WARC file");
            assert!(matches!(err.kind, ErrorKind::NotWarc), "{err}");
            assert_eq!(
                err.to_string(),
                "at byte 0: not a WARC file: it starts with neither a gzip member nor a WARC/ line"
            );
        }
    }

    /// Damage in a gzip file: one error at the damaged member, the records
    /// around it intact.
    #[test]
    fn gzip_damage_table() {
        let (good, offsets) = sample(true, 3);
        // The response at index 4 (https://news.example/1) is damaged.
        let (start, end) = (offsets[4] as usize, offsets[5] as usize);
        let splice = |member: &[u8]| {
            let mut v = good[..start].to_vec();
            v.extend_from_slice(member);
            v.extend_from_slice(&good[end..]);
            v
        };
        let mut flipped = good[start..end].to_vec();
        let mid = flipped.len() / 2;
        for b in &mut flipped[mid..mid + 8] {
            *b ^= 0x5a;
        }
        type Case = (&'static str, Vec<u8>, fn(&ErrorKind) -> bool);
        let cases: Vec<Case> = vec![
            ("corrupt deflate data", splice(&flipped), |k| {
                matches!(k, ErrorKind::Gzip(_))
            }),
            (
                "member cut in half",
                splice(&good[start..start + (end - start) / 2]),
                |k| matches!(k, ErrorKind::Gzip(_)),
            ),
            (
                "garbage between members",
                splice(b"this is not gzip at all \x1f\x8b"),
                |k| matches!(k, ErrorKind::NotGzipMember),
            ),
            (
                "malformed header",
                splice(&gzip_member(
                    b"WARC/1.1\r\nWARC-Type response\r\nContent-Length: 1\r\n\r\nx",
                )),
                |k| matches!(k, ErrorKind::BadHeader(_)),
            ),
            (
                "not a version line",
                splice(&gzip_member(b"HTTP/1.1 200 OK\r\n\r\n")),
                |k| matches!(k, ErrorKind::BadVersion(_)),
            ),
            (
                "content-length past the member",
                splice(&gzip_member(
                    b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 500\r\n\r\nshort",
                )),
                |k| {
                    matches!(
                        k,
                        ErrorKind::BlockCutShort {
                            declared: 500,
                            available: 5,
                            ..
                        }
                    )
                },
            ),
            (
                "no content-length",
                splice(&gzip_member(b"WARC/1.1\r\nWARC-Type: response\r\n\r\nx")),
                |k| matches!(k, ErrorKind::BadContentLength(_)),
            ),
            (
                "headers never end",
                splice(&gzip_member(
                    b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 1",
                )),
                |k| matches!(k, ErrorKind::HeadersCutShort),
            ),
            (
                "over the cap",
                splice(&gzip_member(
                    format!(
                        "WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 4000\r\n\r\n{}\r\n\r\n",
                        "z".repeat(4000)
                    )
                    .as_bytes(),
                )),
                |k| {
                    matches!(
                        k,
                        ErrorKind::TooLarge {
                            size: 4000,
                            cap: 3000
                        }
                    )
                },
            ),
        ];
        for (name, bytes, is_expected) in cases {
            let items: Vec<_> = WarcReader::new(&bytes[..])
                .unwrap()
                .with_max_record_bytes(3000)
                .collect();
            let errors: Vec<&WarcError> = items.iter().filter_map(|r| r.as_ref().err()).collect();
            assert_eq!(errors.len(), 1, "{name}: {:?}", shape(&items));
            assert!(errors[0].offset >= start as u64, "{name}: {}", errors[0]);
            assert!(is_expected(&errors[0].kind), "{name}: {}", errors[0]);
            let uris: Vec<String> = items
                .iter()
                .filter_map(|r| r.as_ref().ok()?.target_uri.clone())
                .collect();
            let expected = [
                "https://news.example/a",
                "https://news.example/a",
                "https://news.example/2",
                "https://news.example/3",
            ];
            assert_eq!(uris, expected, "{name}");
            assert_eq!(errors[0].offset, start as u64, "{name}");
        }
    }

    #[test]
    fn gzip_truncated_last_member() {
        let (good, offsets) = sample(true, 2);
        let last = *offsets.last().unwrap() as usize;
        for cut in [
            last + 1,
            last + 5,
            last + 12,
            (last + good.len()) / 2,
            good.len() - 1,
        ] {
            let items = read_all(&good[..cut]);
            let shape = shape(&items);
            assert_eq!(shape.len(), 6, "cut at {cut}: {shape:?}");
            assert!(
                shape[..5].iter().all(|r| r.is_ok()),
                "cut at {cut}: {shape:?}"
            );
            assert_eq!(shape[5], Err(last as u64), "cut at {cut}");
        }
    }

    #[test]
    fn plain_damage_table() {
        let (good, offsets) = sample(false, 2);
        let (start, end) = (offsets[4] as usize, offsets[5] as usize);
        let splice = |record: &[u8]| {
            let mut v = good[..start].to_vec();
            v.extend_from_slice(record);
            v.extend_from_slice(&good[end..]);
            v
        };
        let cases: Vec<(&str, Vec<u8>, usize)> = vec![
            (
                "malformed header",
                splice(b"WARC/1.1\r\nno colon here\r\nContent-Length: 2\r\n\r\nab\r\n\r\n"),
                5,
            ),
            (
                "junk instead of a record",
                splice(b"junk line\r\nmore junk\r\n"),
                5,
            ),
            (
                "bad content-length",
                splice(b"WARC/1.1\r\nContent-Length: many\r\n\r\nab\r\n\r\n"),
                5,
            ),
            (
                "over the cap",
                splice(
                    format!(
                        "WARC/1.1\r\nContent-Length: 5000\r\n\r\n{}\r\n\r\n",
                        "WARC/1.0\r\n".repeat(500)
                    )
                    .as_bytes(),
                ),
                5,
            ),
        ];
        for (name, bytes, ok) in cases {
            let items: Vec<_> = WarcReader::new(&bytes[..])
                .unwrap()
                .with_max_record_bytes(3000)
                .collect();
            let shape = shape(&items);
            assert_eq!(shape.len(), ok + 1, "{name}: {shape:?}");
            assert_eq!(shape[4], Err(start as u64), "{name}: {shape:?}");
            assert_eq!(shape[5], Ok("https://news.example/2".to_string()), "{name}");
        }
        // A content-length running past the end of the file.
        let mut cut = good[..end].to_vec();
        cut.extend_from_slice(b"WARC/1.1\r\nContent-Length: 100\r\n\r\nonly this");
        let items = read_all(&cut);
        let last = items.last().unwrap().as_ref().unwrap_err();
        assert!(
            matches!(
                last.kind,
                ErrorKind::BlockCutShort {
                    declared: 100,
                    available: 9,
                    container: "file"
                }
            ),
            "{last}"
        );
        assert_eq!(last.offset, end as u64);
        assert_eq!(items.len(), 6);
    }

    /// Random damage never panics and never loops: every item consumes
    /// input, so there are at most as many items as bytes.
    #[test]
    fn random_damage_terminates() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut rand = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for gzip in [true, false] {
            let (good, _) = sample(gzip, 3);
            for round in 0..300 {
                let mut bytes = good.clone();
                for _ in 0..1 + rand() % 6 {
                    let at = (rand() % bytes.len() as u64) as usize;
                    match rand() % 3 {
                        0 => bytes[at] = rand() as u8,
                        1 => {
                            bytes.truncate(at.max(1));
                        }
                        _ => bytes.insert(at, b"\n\x1f\x8b\x08W:"[(rand() % 6) as usize]),
                    }
                }
                let Ok(reader) =
                    WarcReader::new(BufReader::with_capacity(1 + round % 50, &bytes[..]))
                else {
                    continue;
                };
                let items = reader
                    .with_max_record_bytes(10_000)
                    .take(bytes.len() + 2)
                    .count();
                assert!(
                    items <= bytes.len(),
                    "gzip {gzip}, round {round}: {items} items"
                );
            }
        }
    }
}
