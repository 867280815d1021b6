//! The pipeline: configuration, one input in, one record out.

use sha2::{Digest, Sha256};

use crate::article;
use crate::decode::{self, DecodeHints, InputKind};
use crate::error::Result;
use crate::extract;
use crate::record::{Record, Source, SCHEMA};

/// Limits on what one document may cost. Crossing one gives an error or a
/// truncated record with a warning, never a hang.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Raw and decompressed input size, in bytes.
    pub max_input_bytes: u64,
    /// Element nesting depth kept from an HTML page; deeper elements are
    /// flattened into their ancestor at this depth.
    pub max_dom_depth: usize,
    /// Elements parsed from an HTML page; the rest of the page is dropped
    /// with a warning.
    pub max_dom_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 16 * 1024 * 1024,
            max_dom_depth: 512,
            max_dom_nodes: 200_000,
        }
    }
}

/// One document to process: its bytes and what is known about it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Input<'a> {
    pub bytes: &'a [u8],
    pub kind: InputKind,
    /// Path or name as the user gave it; its extension helps decide the kind.
    pub path: Option<&'a str>,
    /// The URL the page was fetched from, when known (a WARC record's target).
    pub url: Option<&'a str>,
    /// Charset from the transport (HTTP `Content-Type`).
    pub charset: Option<&'a str>,
    /// A date from the transport, used when the page has none.
    pub fallback_date: Option<&'a str>,
    /// WARC-Record-ID or another identifier of the record within its file.
    pub record: Option<&'a str>,
    /// The SHA-256 of `bytes` as 64 lower-case hex digits, when the caller
    /// has computed it already (a ledger ingest hashes every document to
    /// find those it has stored). Used as is, unchecked, for the record's
    /// `source.sha256`; `None` makes the pipeline hash the bytes itself.
    pub sha256: Option<&'a str>,
}

impl<'a> Input<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Input {
            bytes,
            ..Default::default()
        }
    }
}

/// A validated, immutable pipeline configuration.
#[derive(Debug, Clone, Default)]
pub struct Pipeline {
    limits: Limits,
}

impl Pipeline {
    pub fn new(limits: Limits) -> Self {
        Pipeline { limits }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Runs every stage on one document.
    pub fn process(&self, input: &Input<'_>) -> Result<Record> {
        let sha256 = match input.sha256 {
            Some(digest) => digest.to_string(),
            None => hex(&Sha256::digest(input.bytes)),
        };
        let decoded = decode::decode(
            input.bytes,
            DecodeHints {
                kind: input.kind,
                name: input.path,
                charset: input.charset,
            },
            self.limits.max_input_bytes,
        )?;
        let mut warnings = Vec::new();
        if decoded.repaired_double_encoding {
            warnings.push("text was UTF-8 encoded twice; repaired".to_string());
        }
        if decoded.had_errors {
            warnings.push(format!(
                "some bytes were not valid {} and were replaced",
                decoded.encoding
            ));
        }
        let (article, url) = match decoded.kind {
            InputKind::Text => (article::from_plain_text(decoded.text), None),
            _ => {
                let page = extract::extract_html(&decoded.text, input.url, &self.limits)?;
                warnings.extend(page.warnings);
                let url = page.metadata.url.clone();
                (article::from_extraction(page.metadata, page.blocks), url)
            }
        };
        let mut article = article;
        if article.published.is_none() {
            article.published = input.fallback_date.and_then(extract::dates::normalize_date);
        }
        let found = crate::attribution::analyze(&article);
        warnings.extend(found.warnings);
        Ok(Record {
            schema: SCHEMA.to_string(),
            source: Source {
                path: input.path.map(str::to_string),
                record: input.record.map(str::to_string),
                url: input.url.map(str::to_string).or(url),
                sha256,
            },
            article,
            actors: found.actors,
            attributions: found.attributions,
            authorial: found.authorial,
            warnings,
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &[u8] = b"<html><body><article><p>The ferry to Lindholm runs again from Monday, \
        the harbour office said.</p></article></body></html>";

    #[test]
    fn a_given_digest_is_used_and_matches_the_computed_one() {
        let pipeline = Pipeline::default();
        let computed = pipeline.process(&Input::new(PAGE)).unwrap();
        assert_eq!(computed.source.sha256, hex(&Sha256::digest(PAGE)));
        assert_eq!(computed.source.sha256.len(), 64);

        let given = pipeline
            .process(&Input {
                sha256: Some(&computed.source.sha256),
                ..Input::new(PAGE)
            })
            .unwrap();
        assert_eq!(
            serde_json::to_string(&given).unwrap(),
            serde_json::to_string(&computed).unwrap()
        );

        // Used as is: the caller vouches for it.
        let other = "0".repeat(64);
        let trusted = pipeline
            .process(&Input {
                sha256: Some(&other),
                ..Input::new(PAGE)
            })
            .unwrap();
        assert_eq!(trusted.source.sha256, other);
    }
}
