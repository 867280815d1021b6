//! Which records of a web archive are pages: the one rule every reader of
//! whosaid's (the `whosaid` command, the Python package and its Spark job)
//! applies, so that they all see the same documents in the same WARC file.

use std::borrow::Cow;

use crate::WarcRecord;

/// Room for a response's HTTP headers on top of a reader's page size limit
/// (`WarcReader::with_max_record_bytes(limit + HTTP_HEADER_ALLOWANCE)`), so
/// that a page just under the limit is not refused for its headers.
pub const HTTP_HEADER_ALLOWANCE: u64 = 256 * 1024;

/// A successful HTML or text response: its payload and what the archive
/// says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Offset of the record (its gzip member) in the file.
    pub offset: u64,
    /// WARC-Record-ID.
    pub record_id: Option<String>,
    /// WARC-Target-URI.
    pub target_uri: Option<String>,
    /// WARC-Date.
    pub date: Option<String>,
    /// The `charset=` of the HTTP Content-Type.
    pub charset: Option<String>,
    /// The HTTP payload, de-chunked; a `Content-Encoding` is left as it is.
    pub body: Vec<u8>,
}

impl WarcRecord {
    /// The page this record holds: a `response` with a 2xx status and an
    /// HTML, XHTML or plain-text payload (or no Content-Type, left to the
    /// reader to sniff). `None` for anything else (requests, metadata,
    /// redirects, images, scripts), which readers skip without complaint.
    pub fn into_page(self) -> Option<Page> {
        let response = self.http_response()?;
        if !(200..300).contains(&response.status) || !is_page_type(response.content_type) {
            return None;
        }
        let charset = response.charset;
        let body_range = match response.body {
            Cow::Borrowed(body) => {
                let start = body.as_ptr() as usize - self.block.as_ptr() as usize;
                Ok(start..start + body.len())
            }
            Cow::Owned(body) => Err(body),
        };
        let WarcRecord {
            offset,
            record_id,
            target_uri,
            date,
            mut block,
            ..
        } = self;
        let body = match body_range {
            // The body is moved out of the block rather than copied.
            Ok(range) => {
                block.truncate(range.end);
                block.drain(..range.start);
                block
            }
            Err(owned) => owned,
        };
        Some(Page {
            offset,
            record_id,
            target_uri,
            date,
            charset,
            body,
        })
    }
}

/// HTML, XHTML and plain-text payloads (not scripts, style sheets or data
/// that happen to be `text/*`); a response without a type is a page to
/// sniff.
fn is_page_type(content_type: Option<&str>) -> bool {
    let Some(media) = content_type else {
        return true;
    };
    let media = media.to_ascii_lowercase();
    media == "text/plain" || media.contains("html")
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn which_responses_are_pages() {
        let rows: &[(&str, bool)] = &[
            ("HTTP/1.1 200 OK\r\nContent-Type: text/html", true),
            (
                "HTTP/1.1 203 Partial\r\nContent-Type: application/xhtml+xml",
                true,
            ),
            (
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8",
                true,
            ),
            ("HTTP/1.1 200 OK", true),
            ("HTTP/1.1 200 OK\r\nContent-Type: TEXT/HTML", true),
            ("HTTP/1.1 200 OK\r\nContent-Type: text/css", false),
            ("HTTP/1.1 200 OK\r\nContent-Type: text/javascript", false),
            ("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg", false),
            ("HTTP/1.1 200 OK\r\nContent-Type: application/pdf", false),
            ("HTTP/1.1 301 Moved\r\nContent-Type: text/html", false),
            ("HTTP/1.1 500 Error\r\nContent-Type: text/html", false),
        ];
        for (head, is_page) in rows {
            let page = record(head, b"<p>x</p>").into_page();
            assert_eq!(page.is_some(), *is_page, "{head}");
        }
        let mut not_response = record("HTTP/1.1 200 OK", b"<p>x</p>");
        not_response.warc_type = "request".into();
        assert!(not_response.into_page().is_none());
    }

    #[test]
    fn a_chunked_body_is_joined_and_a_plain_one_moved_out() {
        let chunked = record(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked",
            b"3\r\n<p>\r\n2\r\nhi\r\n0\r\n\r\n",
        );
        assert_eq!(chunked.into_page().unwrap().body, b"<p>hi");
        let plain = record(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=ISO-8859-1",
            b"<p>caf\xe9</p>",
        )
        .into_page()
        .unwrap();
        assert_eq!(plain.body, b"<p>caf\xe9</p>");
        assert_eq!(plain.charset.as_deref(), Some("ISO-8859-1"));
        assert_eq!(plain.offset, 7);
    }
}
