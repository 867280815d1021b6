//! Stage 1: raw bytes to Unicode text.
//!
//! Order of evidence for the character encoding: a byte-order mark, then the
//! charset the transport declared (HTTP `Content-Type`), then a `<meta>`
//! declaration in the first bytes of an HTML page, then valid UTF-8, then
//! chardetng's guess. Gzip is recognised by its magic bytes, whatever the
//! file is called.

use std::io::Read;

use encoding_rs::Encoding;

use crate::error::{Error, Result};

/// What kind of document the bytes hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputKind {
    /// Decide from the name and the content.
    #[default]
    Auto,
    Html,
    Text,
}

/// Decoded text, ready for the extraction stage.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    /// `Html` or `Text`, never `Auto`.
    pub kind: InputKind,
    /// The encoding the bytes were read as (`UTF-8`, `windows-1252`, ...).
    pub encoding: &'static str,
    /// True when some bytes could not be decoded and became U+FFFD.
    pub had_errors: bool,
    /// True when the text was UTF-8 encoded twice ("Investorâ€™s") and
    /// was repaired.
    pub repaired_double_encoding: bool,
}

/// Hints from outside the bytes.
#[derive(Debug, Clone, Copy, Default)]
pub struct DecodeHints<'a> {
    pub kind: InputKind,
    /// A file name or path: `.txt` means text, `.htm(l)` means HTML.
    pub name: Option<&'a str>,
    /// The charset from an HTTP `Content-Type` header.
    pub charset: Option<&'a str>,
}

/// Decompresses gzip data, refusing output over `limit` bytes.
pub fn gunzip_limited(bytes: &[u8], limit: u64) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4).min(limit as usize));
    let decoder = flate2::read::MultiGzDecoder::new(bytes);
    decoder
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| Error::Gzip(e.to_string()))?;
    if out.len() as u64 > limit {
        return Err(Error::TooLarge {
            size: out.len() as u64,
            limit,
        });
    }
    Ok(out)
}

/// Returns true when the bytes start with the gzip magic number.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

const BINARY_MAGIC: &[(&[u8], &str)] = &[
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x7fELF", "ELF executable"),
    (b"BZh", "bzip2 data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"\x28\xb5\x2f\xfd", "zstd data"),
    (b"RIFF", "RIFF media"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"wOFF", "web font"),
    (b"wOF2", "web font"),
    (b"SQLite format 3\0", "SQLite database"),
];

/// Names the binary format the bytes are in, if they are recognisably not text.
fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    if let Some((_, name)) = BINARY_MAGIC.iter().find(|(m, _)| bytes.starts_with(m)) {
        return Some(name);
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return Some("MP4 media");
    }
    if bytes.starts_with(b"RIFF") || (bytes.len() >= 12 && &bytes[8..12] == b"WEBP") {
        return Some("WebP image");
    }
    // Text in an 8-bit or UTF-8 encoding has (almost) no NUL or C0 control
    // bytes; UTF-16 without a BOM would, but the web does not send it.
    let head = &bytes[..bytes.len().min(4096)];
    let controls = head
        .iter()
        .filter(|&&b| b == 0 || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b)))
        .count();
    if controls * 20 > head.len().max(1) || head.contains(&0) && controls * 200 > head.len() {
        return Some("control bytes");
    }
    None
}

/// Finds a charset declared in `<meta charset>` or `<meta http-equiv>` within
/// the first 4 KiB, the part of the page where browsers look for it.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut at = 0;
    while let Some(pos) = memchr::memmem::find(&lower[at..], b"<meta") {
        let tag_start = at + pos;
        let tag_end =
            memchr::memchr(b'>', &lower[tag_start..]).map_or(lower.len(), |e| tag_start + e);
        let tag = &lower[tag_start..tag_end];
        if let Some(p) = memchr::memmem::find(tag, b"charset") {
            let rest = &tag[p + 7..];
            let rest = rest
                .iter()
                .skip_while(|b| b.is_ascii_whitespace())
                .copied()
                .collect::<Vec<_>>();
            if let Some(rest) = rest.strip_prefix(b"=") {
                let value: Vec<u8> = rest
                    .iter()
                    .skip_while(|b| b.is_ascii_whitespace() || **b == b'"' || **b == b'\'')
                    .take_while(|b| {
                        !(b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b';' | b'/' | b'>'))
                    })
                    .copied()
                    .collect();
                if let Some(enc) = Encoding::for_label(&value) {
                    // A page that says UTF-16 in ASCII bytes is not UTF-16.
                    if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
                        return Some(encoding_rs::UTF_8);
                    }
                    return Some(enc);
                }
            }
        }
        at = tag_end.max(tag_start + 5);
        if at >= lower.len() {
            break;
        }
    }
    None
}

fn looks_like_html(name: Option<&str>, text: &str) -> bool {
    if let Some(name) = name {
        let lower = name.to_ascii_lowercase();
        let lower = lower.strip_suffix(".gz").unwrap_or(&lower);
        if lower.ends_with(".txt") || lower.ends_with(".text") || lower.ends_with(".md") {
            return false;
        }
        if lower.ends_with(".html") || lower.ends_with(".htm") || lower.ends_with(".xhtml") {
            return true;
        }
    }
    let head: String = text
        .chars()
        .take(2048)
        .collect::<String>()
        .to_ascii_lowercase();
    let trimmed = head.trim_start();
    trimmed.starts_with("<!doctype")
        || trimmed.starts_with("<html")
        || trimmed.starts_with("<?xml")
        || trimmed.starts_with("<!--")
        || head.contains("<body")
        || head.contains("<head")
        || head.contains("<p>")
        || head.contains("<div")
        || head.contains("<article")
}

/// Decodes raw bytes (possibly gzip-compressed) into text.
///
/// `limit` caps both the raw and the decompressed size.
pub fn decode(bytes: &[u8], hints: DecodeHints<'_>, limit: u64) -> Result<Decoded> {
    if bytes.len() as u64 > limit {
        return Err(Error::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    let owned;
    let bytes = if is_gzip(bytes) {
        owned = gunzip_limited(bytes, limit)?;
        &owned[..]
    } else {
        bytes
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::Empty);
    }

    let (encoding, body) = if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        (enc, &bytes[bom_len..])
    } else {
        if let Some(kind) = binary_kind(bytes) {
            return Err(Error::Binary(kind));
        }
        let declared = hints
            .charset
            .and_then(|c| Encoding::for_label(c.trim().as_bytes()))
            .or_else(|| meta_charset(bytes));
        let enc = match declared {
            // Pages often declare a legacy charset and are really UTF-8;
            // valid UTF-8 beyond ASCII is strong evidence, so trust it.
            Some(enc)
                if enc != encoding_rs::UTF_8
                    && !bytes.is_ascii()
                    && std::str::from_utf8(bytes).is_ok() =>
            {
                encoding_rs::UTF_8
            }
            Some(enc) => enc,
            None if std::str::from_utf8(bytes).is_ok() => encoding_rs::UTF_8,
            None => {
                let mut detector =
                    chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
                detector.feed(bytes, true);
                detector.guess(None, chardetng::Utf8Detection::Deny)
            }
        };
        (enc, bytes)
    };

    let (text, had_errors) = encoding.decode_without_bom_handling(body);
    let mut text = text.into_owned();
    if had_errors {
        let replaced = text.chars().filter(|&c| c == '\u{FFFD}').count();
        if replaced * 10 > text.chars().count().max(1) {
            return Err(Error::Undecodable(format!(
                "{replaced} characters are not valid {}",
                encoding.name()
            )));
        }
    }
    let repaired = repair_double_encoding(&text);
    let repaired_double_encoding = repaired.is_some();
    if let Some(fixed) = repaired {
        text = fixed;
    }
    let kind = match hints.kind {
        InputKind::Auto => {
            if looks_like_html(hints.name, &text) {
                InputKind::Html
            } else {
                InputKind::Text
            }
        }
        k => k,
    };
    if kind == InputKind::Text {
        text = normalize_newlines(text);
    }
    Ok(Decoded {
        text,
        kind,
        encoding: encoding.name(),
        had_errors,
        repaired_double_encoding,
    })
}

/// Undoes UTF-8 that was read as Latin-1 or windows-1252 and written out as
/// UTF-8 again, a common fault of scraped and re-published pages: every
/// "’" became "â€™" (or "â" and two C1 controls). The repair is taken only
/// when the text shows several such pairs and the whole of it maps back to
/// single bytes that form valid UTF-8; text really written in Latin-1 has
/// accented letters standing alone, which never passes that test.
fn repair_double_encoding(text: &str) -> Option<String> {
    const MIN_PAIRS: usize = 2;
    // A lead, U+00C2..=U+00F4, is 0xC3 0x82..=0xB4 in UTF-8: finding the
    // 0xC3 bytes skips the rest of the page without decoding it.
    let bytes = text.as_bytes();
    let pairs = memchr::memchr_iter(0xC3, bytes)
        .filter(|&at| bytes.get(at + 1).is_some_and(|b| (0x82..=0xB4).contains(b)))
        .filter(|&at| {
            text.get(at + 2..)
                .and_then(|rest| rest.chars().next())
                .is_some_and(|c| {
                    ('\u{80}'..='\u{BF}').contains(&c) || windows_1252_byte(c).is_some()
                })
        })
        .take(MIN_PAIRS)
        .count();
    if pairs < MIN_PAIRS {
        return None;
    }
    let mut bytes = Vec::with_capacity(text.len());
    for c in text.chars() {
        match u8::try_from(u32::from(c)) {
            Ok(b) => bytes.push(b),
            Err(_) => bytes.push(windows_1252_byte(c)?),
        }
    }
    String::from_utf8(bytes).ok()
}

/// The byte in 0x80..=0x9F that windows-1252 decodes to `c` ("€" → 0x80).
fn windows_1252_byte(c: char) -> Option<u8> {
    static TABLE: std::sync::OnceLock<Vec<(char, u8)>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        (0x80u8..=0x9F)
            .filter_map(|b| {
                let byte = [b];
                let (decoded, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&byte);
                let ch = decoded.chars().next()?;
                (u32::from(ch) > 0xFF).then_some((ch, b))
            })
            .collect()
    });
    table.iter().find(|(ch, _)| *ch == c).map(|&(_, b)| b)
}

/// CRLF and lone CR become LF: the plain-text rule of the record spec.
pub fn normalize_newlines(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(bytes: &[u8]) -> Result<Decoded> {
        decode(bytes, DecodeHints::default(), 1 << 20)
    }

    #[test]
    fn bom_wins_over_meta() {
        let mut page = b"\xEF\xBB\xBF<meta charset=\"windows-1252\"><p>caf\xC3\xA9</p>".to_vec();
        let d = dec(&page).unwrap();
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.text.contains("café"));
        page.clear();
    }

    #[test]
    fn meta_charset_decodes_latin1() {
        let d = dec(b"<html><head><meta charset=iso-8859-1></head><p>caf\xE9</p>").unwrap();
        assert_eq!(d.encoding, "windows-1252");
        assert!(d.text.contains("café"));
        assert_eq!(d.kind, InputKind::Html);
    }

    #[test]
    fn http_equiv_charset() {
        let d = dec(b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=koi8-r\"><p>\xF0\xD2\xC9</p>").unwrap();
        assert_eq!(d.encoding, "KOI8-R");
    }

    #[test]
    fn undeclared_legacy_bytes_are_detected() {
        let d = dec(
            "<p>Le président a déclaré que l'été sera chaud à Paris.</p>"
                .chars()
                .map(|c| c as u32 as u8)
                .collect::<Vec<_>>()
                .as_slice(),
        )
        .unwrap();
        assert!(d.text.contains("président"), "{}", d.text);
    }

    #[test]
    fn utf16_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "<p>hello</p>".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(dec(&bytes).unwrap().text, "<p>hello</p>");
    }

    #[test]
    fn double_encoded_utf8_is_repaired() {
        let rows: [(&str, &str); 4] = [
            (
                "<p>Investorâ€™s guide â€” â€œcalmâ€\u{9d}</p>",
                "<p>Investor’s guide — “calm”</p>",
            ),
            (
                "<p>Investorâ\u{80}\u{99}s and the cafÃ© menu</p>",
                "<p>Investor’s and the café menu</p>",
            ),
            // Real Latin-1 letters standing alone are left as they are.
            (
                "<p>Le café à Paris, Ã© et Ã© seuls</p>",
                "<p>Le café à Paris, Ã© et Ã© seuls</p>",
            ),
            // One pair is too little evidence.
            ("<p>Investorâ€™s guide</p>", "<p>Investorâ€™s guide</p>"),
        ];
        for (input, want) in rows {
            let d = dec(input.as_bytes()).unwrap();
            assert_eq!(d.text, want, "{input:?}");
            assert_eq!(d.repaired_double_encoding, input != want, "{input:?}");
        }
    }

    #[test]
    fn png_is_binary() {
        let err = dec(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap_err();
        assert!(err.to_string().contains("PNG"), "{err}");
    }

    #[test]
    fn empty_is_an_error() {
        assert!(matches!(dec(b"").unwrap_err(), Error::Empty));
        assert!(matches!(dec(b"  \n ").unwrap_err(), Error::Empty));
    }

    #[test]
    fn size_limit() {
        let err = decode(&[b'a'; 100], DecodeHints::default(), 10).unwrap_err();
        assert!(matches!(
            err,
            Error::TooLarge {
                size: 100,
                limit: 10
            }
        ));
    }

    #[test]
    fn gzip_bomb_is_capped() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&vec![b'a'; 1 << 20]).unwrap();
        let gz = enc.finish().unwrap();
        let err = decode(&gz, DecodeHints::default(), 1000).unwrap_err();
        assert!(matches!(err, Error::TooLarge { .. }), "{err}");
    }

    #[test]
    fn truncated_gzip() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all("<p>some text that is long enough</p>".repeat(50).as_bytes())
            .unwrap();
        let gz = enc.finish().unwrap();
        let err = dec(&gz[..gz.len() / 2]).unwrap_err();
        assert!(matches!(err, Error::Gzip(_)), "{err}");
    }

    #[test]
    fn text_newlines_are_normalised() {
        let d = decode(
            b"one\r\ntwo\rthree",
            DecodeHints {
                name: Some("a.txt"),
                ..Default::default()
            },
            100,
        )
        .unwrap();
        assert_eq!(d.text, "one\ntwo\nthree");
        assert_eq!(d.kind, InputKind::Text);
    }
}
