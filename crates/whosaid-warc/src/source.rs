//! The file side of the reader: a `BufRead` that counts what was consumed
//! (record offsets) and can look a few bytes ahead across its inner buffer's
//! edge (a gzip magic or a `WARC/1.` split between two reads).

use std::io::{self, BufRead, Read};

pub(crate) struct Source<R> {
    inner: R,
    /// Bytes consumed by the user of this source: the file offset.
    pub(crate) pos: u64,
    /// Bytes taken out of `inner` by `peek` but not yet consumed.
    ahead: Vec<u8>,
    ahead_at: usize,
    /// Set when the file itself failed to read; retrying would fail again.
    pub(crate) failed: bool,
}

impl<R: BufRead> Source<R> {
    pub(crate) fn new(inner: R) -> Self {
        Source {
            inner,
            pos: 0,
            ahead: Vec::new(),
            ahead_at: 0,
            failed: false,
        }
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
        self.pos += n as u64;
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
