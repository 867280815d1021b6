//! How a user names a stored document: by id, or by its sha256 (whole or a
//! unique prefix). Both backends read the key the same way through here.

use crate::{Error, Result};

/// A parsed document key. An all-digit key is an id first; one of 8 or more
/// digits is also a digest prefix, tried when no document has that id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DocumentKey {
    /// The key as given, trimmed (for messages).
    pub text: String,
    pub id: Option<i64>,
    pub digest: Option<Digest>,
}

/// A sha256 as the user gave it, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Digest {
    Full(String),
    /// At least 8 hex digits; a range of the unique index:
    /// `[prefix, prefix || 'g')`, since 'g' sorts after every hex digit.
    Prefix(String),
}

impl DocumentKey {
    pub fn parse(key: &str) -> Result<DocumentKey> {
        let text = key.trim().to_string();
        let id = (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| text.parse::<i64>().ok())
            .flatten();
        let hex = text.to_ascii_lowercase();
        let is_digest = (8..=64).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit());
        let digest = match hex.len() {
            _ if !is_digest => None,
            64 => Some(Digest::Full(hex)),
            _ => Some(Digest::Prefix(hex)),
        };
        if id.is_none() && digest.is_none() {
            return Err(Error::InvalidQuery(format!(
                "{text:?} is neither a document id nor a sha256 (at least 8 hex digits)"
            )));
        }
        Ok(DocumentKey { text, id, digest })
    }

    /// The error for a prefix that more than one stored digest starts with.
    pub fn ambiguous(&self) -> Error {
        Error::InvalidQuery(format!(
            "sha256 prefix {} matches more than one document; give more digits",
            self.text
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_ids_digests_or_prefixes() {
        let full = "ab".repeat(32);
        let key = DocumentKey::parse(&format!(" {} ", full.to_uppercase())).unwrap();
        assert_eq!((key.id, key.digest), (None, Some(Digest::Full(full))));
        let key = DocumentKey::parse("42").unwrap();
        assert_eq!((key.id, key.digest), (Some(42), None));
        // Eight digits: an id, and a prefix should no document have that id.
        let key = DocumentKey::parse("12345678").unwrap();
        assert_eq!(
            (key.id, key.digest),
            (Some(12_345_678), Some(Digest::Prefix("12345678".into())))
        );
        let key = DocumentKey::parse("deadbeef").unwrap();
        assert_eq!(key.digest, Some(Digest::Prefix("deadbeef".into())));
        for bad in ["", "  ", "abc", "deadbeeg", &"a".repeat(65), "-1"] {
            assert!(
                matches!(DocumentKey::parse(bad), Err(Error::InvalidQuery(_))),
                "{bad:?}"
            );
        }
    }
}
