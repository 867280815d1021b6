//! The HTTP response inside a `response` record's block.

use std::borrow::Cow;

use crate::WarcRecord;

/// An HTTP response read from a record block. Header lines that are not
/// UTF-8 are left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse<'a> {
    pub status: u16,
    pub headers: Vec<(&'a str, &'a str)>,
    /// The media type of `Content-Type`, without its parameters
    /// (`text/html`).
    pub content_type: Option<&'a str>,
    /// The `charset=` parameter of `Content-Type`, quotes stripped.
    pub charset: Option<String>,
    /// The payload: de-chunked when the response says
    /// `Transfer-Encoding: chunked` (owned then), otherwise borrowed from the
    /// block. A `Content-Encoding` such as gzip is left as it is.
    pub body: Cow<'a, [u8]>,
}

impl<'a> HttpResponse<'a> {
    /// The first header of that name, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, v)| v)
    }

    /// Reads a block that starts with an HTTP status line; `None` when it
    /// does not.
    pub fn parse(block: &'a [u8]) -> Option<HttpResponse<'a>> {
        if !block.starts_with(b"HTTP/") {
            return None;
        }
        let mut at = 0;
        let status_line = next_line(block, &mut at)?;
        let status = std::str::from_utf8(status_line)
            .ok()?
            .split_ascii_whitespace()
            .nth(1)?
            .parse()
            .ok()?;
        let mut headers = Vec::new();
        // A block that ends inside the headers has an empty body.
        let mut body_start = block.len();
        while let Some(line) = next_line(block, &mut at) {
            if line.is_empty() {
                body_start = at;
                break;
            }
            let Ok(line) = std::str::from_utf8(line) else {
                continue;
            };
            if let Some((name, value)) = line.split_once(':') {
                headers.push((name.trim(), value.trim()));
            }
        }
        let mut response = HttpResponse {
            status,
            headers,
            content_type: None,
            charset: None,
            body: Cow::Borrowed(&block[body_start..]),
        };
        if let Some(value) = response.header("Content-Type") {
            let (media, params) = value.split_once(';').unwrap_or((value, ""));
            let media = media.trim();
            response.content_type = (!media.is_empty()).then_some(media);
            response.charset = charset_param(params);
        }
        let chunked = response
            .header("Transfer-Encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
        if chunked {
            // A body that only claims to be chunked is kept as sent.
            if let Some(body) = dechunk(&block[body_start..]) {
                response.body = Cow::Owned(body);
            }
        }
        Some(response)
    }
}

impl WarcRecord {
    /// The HTTP response of a `response` record; `None` for other record
    /// types or a block that is not HTTP.
    pub fn http_response(&self) -> Option<HttpResponse<'_>> {
        if !self.warc_type.eq_ignore_ascii_case("response") {
            return None;
        }
        HttpResponse::parse(&self.block)
    }
}

/// The line starting at `*at` without its CRLF or LF; advances `*at`.
fn next_line<'a>(bytes: &'a [u8], at: &mut usize) -> Option<&'a [u8]> {
    if *at >= bytes.len() {
        return None;
    }
    let rest = &bytes[*at..];
    let (line, used) = match memchr::memchr(b'\n', rest) {
        Some(i) => (&rest[..i], i + 1),
        None => (rest, rest.len()),
    };
    *at += used;
    Some(line.strip_suffix(b"\r").unwrap_or(line))
}

/// The `charset` among `;`-separated parameters, unquoted; `None` if absent
/// or empty.
fn charset_param(params: &str) -> Option<String> {
    params.split(';').find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
        (!value.is_empty()).then(|| value.to_string())
    })
}

/// Joins the chunks of a chunked body; `None` if it is not chunked after
/// all. A body cut inside its last chunk keeps what arrived.
fn dechunk(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    let mut at = 0;
    loop {
        let Some(size_line) = next_line(body, &mut at) else {
            // Ran out before the last (empty) chunk: keep what came.
            return Some(out);
        };
        let size = std::str::from_utf8(size_line).ok()?;
        let size = size.split(';').next().unwrap_or("").trim();
        if size.is_empty() {
            if out.is_empty() {
                return None;
            }
            // A blank line between chunks is tolerated.
            continue;
        }
        let size = usize::from_str_radix(size, 16).ok()?;
        if size == 0 {
            return Some(out);
        }
        let end = at.saturating_add(size).min(body.len());
        out.extend_from_slice(&body[at..end]);
        if end < at.saturating_add(size) {
            return Some(out);
        }
        at = end;
        // The CRLF after the chunk's data.
        if body[at..].starts_with(b"\r\n") {
            at += 2;
        } else if body[at..].starts_with(b"\n") {
            at += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charset_parameter_table() {
        let rows: &[(&str, Option<&str>)] = &[
            ("", None),
            ("; charset=utf-8", Some("utf-8")),
            (";charset=\"ISO-8859-1\"", Some("ISO-8859-1")),
            ("; CHARSET = 'windows-1252' ", Some("windows-1252")),
            ("; boundary=x; charset=koi8-r", Some("koi8-r")),
            ("; charset=", None),
            ("; charset=\"\"", None),
            ("; charsetx=utf-8", None),
            ("; format=flowed", None),
        ];
        for (params, expected) in rows {
            assert_eq!(charset_param(params).as_deref(), *expected, "{params:?}");
        }
    }

    #[test]
    fn responses_table() {
        // (block, status, content type, charset, body)
        type Row = (
            &'static [u8],
            u16,
            Option<&'static str>,
            Option<&'static str>,
            &'static [u8],
        );
        let rows: &[Row] = &[
            (
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n<p>hi</p>",
                200,
                Some("text/html"),
                Some("UTF-8"),
                b"<p>hi</p>",
            ),
            (
                b"HTTP/1.0 404 Not Found\nContent-Type:text/plain\n\nnope",
                404,
                Some("text/plain"),
                None,
                b"nope",
            ),
            (b"HTTP/2 301\r\nLocation: /x\r\n", 301, None, None, b""),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n3;ext=1\r\nefg\r\n0\r\n\r\n",
                200,
                None,
                None,
                b"abcdefg",
            ),
            (
                // Claims chunked but is not: kept as sent.
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n<html>plain</html>",
                200,
                None,
                None,
                b"<html>plain</html>",
            ),
            (
                // Cut inside a chunk: what arrived is kept.
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\na\r\n01234",
                200,
                None,
                None,
                b"01234",
            ),
            (
                b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n\x1f\x8b\x08\x00",
                200,
                None,
                None,
                b"\x1f\x8b\x08\x00",
            ),
            (
                b"HTTP/1.1 200 OK\r\nX-Bad: \xff\xfe\r\nContent-Type: text/html\r\n\r\nok",
                200,
                Some("text/html"),
                None,
                b"ok",
            ),
        ];
        for (block, status, content_type, charset, body) in rows {
            let r = HttpResponse::parse(block)
                .unwrap_or_else(|| panic!("{:?}", String::from_utf8_lossy(block)));
            assert_eq!(r.status, *status);
            assert_eq!(r.content_type, *content_type);
            assert_eq!(r.charset.as_deref(), *charset);
            assert_eq!(&r.body[..], *body, "{:?}", String::from_utf8_lossy(block));
        }
    }

    #[test]
    fn not_http() {
        for block in [
            &b""[..],
            b"GET / HTTP/1.1\r\n\r\n",
            b"HTTP/1.1\r\n\r\n",
            b"HTTP/1.1 abc OK\r\n\r\n",
            b"HTTP/1.1 99999 OK\r\n\r\n",
        ] {
            assert!(HttpResponse::parse(block).is_none(), "{block:?}");
        }
    }

    #[test]
    fn only_response_records_have_a_response() {
        let mut record = WarcRecord {
            offset: 0,
            warc_type: "request".into(),
            record_id: None,
            target_uri: None,
            date: None,
            headers: Vec::new(),
            block: b"HTTP/1.1 200 OK\r\n\r\nbody".to_vec(),
        };
        assert!(record.http_response().is_none());
        record.warc_type = "Response".into();
        assert_eq!(&record.http_response().unwrap().body[..], b"body");
    }
}
