//! The file side of the reader: a `BufRead` that counts what was consumed
//! (record offsets), can look a few bytes ahead across its inner buffer's
//! edge (a gzip magic or a `WARC/1.` split between two reads), and can keep
//! what a gzip member's decoder consumed, to go back into it after damage.

use std::io::{self, BufRead, Read};

/// Most bytes of one gzip member kept for going back into it: a member cut
/// short any larger loses the member after it too (CC-NEWS members are tens
/// of kilobytes).
const TAPE_CAP: usize = 16 * 1024 * 1024;

pub(crate) struct Source<R> {
    inner: R,
    /// Bytes consumed by the user of this source: the file offset.
    pub(crate) pos: u64,
    /// Bytes taken out of `inner` by `peek` but not yet consumed.
    ahead: Vec<u8>,
    ahead_at: usize,
    /// Set when the file itself failed to read; retrying would fail again.
    pub(crate) failed: bool,
    /// While recording: the offset of `tape[0]`. `tape` holds every byte
    /// consumed since, up to [`TAPE_CAP`].
    tape_from: Option<u64>,
    tape: Vec<u8>,
    /// The furthest offset ever consumed (`pos` goes back on a rewind), and
    /// the bytes read a second time after rewinds: kept below twice the
    /// bytes read, so that no input makes reading more than linear.
    furthest: u64,
    replayed: u64,
}

impl<R: BufRead> Source<R> {
    pub(crate) fn new(inner: R) -> Self {
        Source {
            inner,
            pos: 0,
            ahead: Vec::new(),
            ahead_at: 0,
            failed: false,
            tape_from: None,
            tape: Vec::new(),
            furthest: 0,
            replayed: 0,
        }
    }

    /// The inner reader; bytes looked ahead at and not consumed are lost.
    pub(crate) fn into_inner(self) -> R {
        self.inner
    }

    /// Starts keeping the bytes consumed from here on (dropping any kept).
    pub(crate) fn record(&mut self) {
        self.tape.clear();
        self.tape_from = Some(self.pos);
    }

    /// Stops keeping consumed bytes.
    pub(crate) fn stop_recording(&mut self) {
        self.tape.clear();
        self.tape_from = None;
    }

    /// Goes back to offset `at`, so that the bytes from there are read
    /// again, and stops recording. False, and nothing changes but the
    /// recording, when `at` is not in what was kept or going back would
    /// read more than twice the input.
    pub(crate) fn rewind_to(&mut self, at: u64) -> bool {
        let tape_from = self.tape_from.take();
        let tape = std::mem::take(&mut self.tape);
        let Some(from) = tape_from.filter(|&from| from <= at && at <= self.pos) else {
            return false;
        };
        let again = self.pos - at;
        if self.replayed + again > self.furthest.saturating_mul(2) {
            return false;
        }
        // Whole, the tape holds `pos - from` bytes; anything else and the
        // replay would shift every later offset.
        if tape.len() as u64 != self.pos - from {
            return false;
        }
        let Some(kept) = tape.get((at - from) as usize..) else {
            return false;
        };
        let mut replay = kept.to_vec();
        replay.extend_from_slice(&self.ahead[self.ahead_at..]);
        self.ahead = replay;
        self.ahead_at = 0;
        self.replayed += again;
        self.pos = at;
        self.tape = tape;
        self.tape.clear();
        true
    }

    fn note(&mut self, e: io::Error) -> io::Error {
        if e.kind() != io::ErrorKind::Interrupted {
            self.failed = true;
        }
        e
    }

    /// The next `n` bytes without consuming them; fewer only at end of file.
    pub(crate) fn peek(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.ahead_at >= self.ahead.len() {
            let available = match self.inner.fill_buf() {
                Ok(b) => b.len(),
                Err(e) => return Err(self.note(e)),
            };
            if available >= n {
                return Ok(&self.inner.fill_buf()?[..n]);
            }
            self.ahead.clear();
            self.ahead_at = 0;
        } else if self.ahead_at > 0 {
            self.ahead.drain(..self.ahead_at);
            self.ahead_at = 0;
        }
        while self.ahead.len() < n {
            let b = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) => return Err(self.note(e)),
            };
            if b.is_empty() {
                break;
            }
            let take = b.len().min(n - self.ahead.len());
            self.ahead.extend_from_slice(&b[..take]);
            self.inner.consume(take);
        }
        let end = self.ahead.len().min(n);
        Ok(&self.ahead[..end])
    }

    /// Skips forward to the next gzip member header (`1f 8b 08`). False at
    /// end of file.
    pub(crate) fn seek_gzip_magic(&mut self) -> io::Result<bool> {
        loop {
            let buf = self.fill_buf()?;
            if buf.is_empty() {
                return Ok(false);
            }
            match memchr::memchr(0x1f, buf) {
                None => {
                    let n = buf.len();
                    self.consume(n);
                }
                Some(i) => {
                    self.consume(i);
                    let head = self.peek(3)?;
                    if head == [0x1f, 0x8b, 0x08] {
                        return Ok(true);
                    }
                    self.consume(1);
                }
            }
        }
    }

    /// Skips forward to the next line that starts with `WARC/1.`, assuming
    /// the current position is a line start. False at end of file.
    pub(crate) fn seek_warc_line(&mut self) -> io::Result<bool> {
        loop {
            let head = self.peek(7)?;
            if head.is_empty() {
                return Ok(false);
            }
            if head == b"WARC/1." {
                return Ok(true);
            }
            // On to the byte after the next newline.
            loop {
                let buf = self.fill_buf()?;
                if buf.is_empty() {
                    return Ok(false);
                }
                match memchr::memchr(b'\n', buf) {
                    Some(i) => {
                        self.consume(i + 1);
                        break;
                    }
                    None => {
                        let n = buf.len();
                        self.consume(n);
                    }
                }
            }
        }
    }
}

impl<R: BufRead> Source<R> {
    /// Records the next `n` bytes, which are about to be consumed; past the
    /// cap, stops recording.
    fn keep(&mut self, n: usize) {
        if self.tape.len() + n > TAPE_CAP {
            self.stop_recording();
            return;
        }
        if self.ahead_at < self.ahead.len() {
            let end = (self.ahead_at + n).min(self.ahead.len());
            self.tape.extend_from_slice(&self.ahead[self.ahead_at..end]);
        } else {
            // The inner buffer that the caller was given: filling it again
            // returns it as it is.
            match self.inner.fill_buf() {
                Ok(buf) if buf.len() >= n => self.tape.extend_from_slice(&buf[..n]),
                _ => self.stop_recording(),
            }
        }
    }
}

impl<R: BufRead> Read for Source<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let buf = self.fill_buf()?;
        let n = buf.len().min(out.len());
        out[..n].copy_from_slice(&buf[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Source<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.ahead_at < self.ahead.len() {
            return Ok(&self.ahead[self.ahead_at..]);
        }
        match self.inner.fill_buf() {
            Ok(_) => self.inner.fill_buf(),
            Err(e) => Err(self.note(e)),
        }
    }

    fn consume(&mut self, n: usize) {
        if self.tape_from.is_some() {
            self.keep(n);
        }
        self.pos += n as u64;
        self.furthest = self.furthest.max(self.pos);
        if self.ahead_at < self.ahead.len() {
            self.ahead_at = (self.ahead_at + n).min(self.ahead.len());
            if self.ahead_at == self.ahead.len() {
                self.ahead.clear();
                self.ahead_at = 0;
            }
        } else {
            self.inner.consume(n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader whose buffer holds `chunk` bytes at a time, so that every
    /// look-ahead crosses buffer edges.
    fn tiny(bytes: &[u8], chunk: usize) -> Source<io::BufReader<&[u8]>> {
        Source::new(io::BufReader::with_capacity(chunk, bytes))
    }

    #[test]
    fn peek_across_buffer_edges_then_read_everything_in_order() {
        let data = b"abcdefghijklmnop";
        for chunk in 1..6 {
            let mut s = tiny(data, chunk);
            assert_eq!(s.peek(5).unwrap(), b"abcde");
            s.consume(2);
            assert_eq!(s.peek(4).unwrap(), b"cdef");
            let mut rest = Vec::new();
            s.read_to_end(&mut rest).unwrap();
            assert_eq!(rest, b"cdefghijklmnop", "chunk {chunk}");
            assert_eq!(s.pos, data.len() as u64);
            assert_eq!(s.peek(3).unwrap(), b"");
        }
    }

    #[test]
    fn gzip_magic_found_across_edges_with_false_starts() {
        let data = b"xx\x1f\x1f\x8b\x07\x1f\x8b\x08rest";
        for chunk in 1..8 {
            let mut s = tiny(data, chunk);
            assert!(s.seek_gzip_magic().unwrap());
            assert_eq!(s.pos, 6, "chunk {chunk}");
            assert_eq!(s.peek(4).unwrap(), b"\x1f\x8b\x08r");
        }
        let mut s = tiny(b"\x1f\x8b", 1);
        assert!(!s.seek_gzip_magic().unwrap());
    }

    fn skip<R: BufRead>(s: &mut Source<R>, n: usize) {
        let mut sink = vec![0u8; n];
        s.read_exact(&mut sink).unwrap();
    }

    #[test]
    fn a_rewind_reads_the_recorded_bytes_again_then_goes_on() {
        let data = b"0123456789abcdefghij";
        for chunk in 1..8 {
            let mut s = tiny(data, chunk);
            skip(&mut s, 2);
            s.record();
            let mut first = [0u8; 9];
            s.read_exact(&mut first).unwrap();
            assert_eq!(s.peek(3).unwrap(), b"bcd", "a peek past the tape");
            assert!(s.rewind_to(5), "chunk {chunk}");
            assert_eq!(s.pos, 5);
            let mut rest = Vec::new();
            s.read_to_end(&mut rest).unwrap();
            assert_eq!(rest, b"56789abcdefghij", "chunk {chunk}");
            assert_eq!(s.pos, data.len() as u64);
        }
    }

    #[test]
    fn no_rewind_outside_the_tape_or_after_it_stopped() {
        let mut s = tiny(b"0123456789", 4);
        skip(&mut s, 3);
        assert!(!s.rewind_to(1), "nothing recorded");
        s.record();
        skip(&mut s, 4);
        assert!(!s.rewind_to(2), "before the tape");
        s.record();
        skip(&mut s, 1);
        assert!(!s.rewind_to(9), "past the position");
        s.record();
        skip(&mut s, 1);
        s.stop_recording();
        assert!(!s.rewind_to(8));
        assert_eq!(s.pos, 9);
        // A member bigger than the cap is not kept at all.
        let big = vec![7u8; TAPE_CAP + 10];
        let mut s = tiny(&big, 64 * 1024);
        s.record();
        let mut sink = Vec::new();
        s.read_to_end(&mut sink).unwrap();
        assert!(!s.rewind_to(1));
        assert!(s.tape.is_empty());
    }

    #[test]
    fn rewinds_read_at_most_twice_the_input_again() {
        let data = [b'x'; 100];
        let mut s = tiny(&data, 16);
        let mut rewinds = 0;
        loop {
            s.record();
            let start = s.pos;
            let mut sink = Vec::new();
            s.read_to_end(&mut sink).unwrap();
            if !s.rewind_to(start + 1) {
                break;
            }
            rewinds += 1;
        }
        // 99 + 98 + ... while the sum stays within 200: two rewinds.
        assert_eq!(rewinds, 2);
        assert_eq!(s.replayed, 99 + 98);
    }

    #[test]
    fn warc_line_found_only_at_a_line_start() {
        let data = b"junk WARC/1.0\nmore\nWARC/1.1\r\n";
        for chunk in 1..9 {
            let mut s = tiny(data, chunk);
            assert!(s.seek_warc_line().unwrap());
            assert_eq!(s.pos, 19, "chunk {chunk}");
        }
        let mut s = tiny(b"no record here\nWARC/0.9\n", 4);
        assert!(!s.seek_warc_line().unwrap());
    }
}
