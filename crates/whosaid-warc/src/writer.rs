//! Writing WARC files: for tests and benchmarks that build their own
//! archives, never for archiving the web.

use std::io::{self, Write};

use flate2::write::GzEncoder;
use flate2::Compression;

/// Writes WARC/1.1 records, each its own gzip member or plain.
pub struct WarcWriter<W: Write> {
    out: Counting<W>,
    gzip: bool,
    written: u64,
}

struct Counting<W> {
    inner: W,
    pos: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.pos += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write> WarcWriter<W> {
    pub fn new(w: W, gzip: bool) -> Self {
        WarcWriter {
            out: Counting { inner: w, pos: 0 },
            gzip,
            written: 0,
        }
    }

    /// Writes a `response` record of an HTTP response: `http_headers` is the
    /// status line and header lines (the blank line after them is added if
    /// missing). Returns the record's offset.
    pub fn write_response(
        &mut self,
        uri: &str,
        date: &str,
        http_headers: &str,
        body: &[u8],
    ) -> io::Result<u64> {
        let head = http_headers.trim_end_matches(['\r', '\n']);
        let mut block = Vec::with_capacity(head.len() + 4 + body.len());
        block.extend_from_slice(head.as_bytes());
        block.extend_from_slice(b"\r\n\r\n");
        block.extend_from_slice(body);
        self.write_record(
            "response",
            &[
                ("WARC-Target-URI", uri),
                ("WARC-Date", date),
                ("Content-Type", "application/http; msgtype=response"),
            ],
            &block,
        )
    }

    /// Writes one record with these headers after `WARC-Type`. A
    /// `WARC-Record-ID` is made up when `headers` has none (derived from the
    /// record's place and contents, so files are reproducible);
    /// `Content-Length` is always the block's, and one in `headers` is
    /// dropped. Returns the record's offset.
    pub fn write_record(
        &mut self,
        warc_type: &str,
        headers: &[(&str, &str)],
        block: &[u8],
    ) -> io::Result<u64> {
        let offset = self.out.pos;
        let mut head = String::with_capacity(256);
        head.push_str("WARC/1.1\r\nWARC-Type: ");
        head.push_str(warc_type);
        head.push_str("\r\n");
        if !headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("WARC-Record-ID"))
        {
            head.push_str("WARC-Record-ID: ");
            head.push_str(&self.made_up_id(warc_type, headers, block));
            head.push_str("\r\n");
        }
        for (name, value) in headers {
            if name.eq_ignore_ascii_case("Content-Length") {
                continue;
            }
            head.push_str(name);
            head.push_str(": ");
            head.push_str(value);
            head.push_str("\r\n");
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", block.len()));
        if self.gzip {
            let mut gz = GzEncoder::new(&mut self.out, Compression::default());
            gz.write_all(head.as_bytes())?;
            gz.write_all(block)?;
            gz.write_all(b"\r\n\r\n")?;
            gz.finish()?;
        } else {
            self.out.write_all(head.as_bytes())?;
            self.out.write_all(block)?;
            self.out.write_all(b"\r\n\r\n")?;
        }
        self.written += 1;
        Ok(offset)
    }

    /// A `<urn:uuid:…>` from a hash of the record's number, type, headers
    /// and block: unique within a file in practice, and the same every run.
    fn made_up_id(&self, warc_type: &str, headers: &[(&str, &str)], block: &[u8]) -> String {
        let mut a = Fnv(0xcbf2_9ce4_8422_2325);
        let mut b = Fnv(0x8422_2325_cbf2_9ce4);
        for h in [&mut a, &mut b] {
            h.write(&self.written.to_le_bytes());
            h.write(warc_type.as_bytes());
            for (n, v) in headers {
                h.write(n.as_bytes());
                h.write(b"\0");
                h.write(v.as_bytes());
                h.write(b"\0");
            }
            h.write(block);
        }
        let (a, b) = (a.0, b.0);
        format!(
            "<urn:uuid:{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}>",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            b >> 52,
            b & 0xffff_ffff_ffff
        )
    }

    /// Finishes writing and gives the output back.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out.inner)
    }
}

struct Fnv(u64);

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}
