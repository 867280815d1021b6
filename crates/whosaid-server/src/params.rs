//! Query-string parameters, read strictly: an unknown or repeated name is a
//! 400 naming it (a typo like `stanse=` must not silently widen a search),
//! and an empty value counts as absent (what HTML forms send).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use whosaid_store::Cursor;

use crate::error::ApiError;

pub(crate) struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    pub fn parse(raw: Option<&str>, allowed: &[&str]) -> Result<Params, ApiError> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (name, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            if !allowed.contains(&name.as_ref()) {
                return Err(ApiError::bad_request(if allowed.is_empty() {
                    format!("unknown parameter {name:?}; this route takes none")
                } else {
                    format!(
                        "unknown parameter {name:?}; expected one of {}",
                        allowed.join(", ")
                    )
                }));
            }
            if pairs.iter().any(|(n, _)| n == name.as_ref()) {
                return Err(ApiError::bad_request(format!(
                    "parameter {name:?} is given more than once"
                )));
            }
            if !value.trim().is_empty() {
                pairs.push((name.into_owned(), value.into_owned()));
            }
        }
        Ok(Params { pairs })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn string(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_string)
    }

    /// Reads `name` with `parse`, whose message is prefixed with the name.
    pub fn parsed<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ApiError> {
        self.get(name)
            .map(|v| parse(v).map_err(|m| ApiError::bad_request(format!("{name}: {m}"))))
            .transpose()
    }

    /// A page size: `default` when absent, 1 to `max` otherwise.
    pub fn limit(&self, default: usize, max: usize) -> Result<usize, ApiError> {
        let Some(text) = self.get("limit") else {
            return Ok(default);
        };
        match text.trim().parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(ApiError::bad_request(format!(
                "limit: {text:?} is not a whole number from 1 to {max}"
            ))),
        }
    }
}

/// The cursor a page hands out: the store's position, opaque to clients
/// (base64url of its JSON) so that its fields can change without breaking
/// them.
pub(crate) fn encode_cursor(cursor: &Cursor) -> String {
    // Serialising plain strings and integers cannot fail.
    let json = serde_json::to_vec(cursor).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

pub(crate) fn decode_cursor(text: &str) -> Result<Cursor, ApiError> {
    let bad = || {
        ApiError::bad_request(format!(
            "cursor: {text:?} is not a cursor this server handed out (use next_cursor as given)"
        ))
    };
    let bytes = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| bad())?;
    serde_json::from_slice(&bytes).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_read_strictly() {
        let allowed = ["speaker", "limit"];
        let cases: [(&str, Result<Option<&str>, &str>); 6] = [
            ("speaker=Ada%20Quint", Ok(Some("Ada Quint"))),
            ("speaker=Ada+Quint&limit=3", Ok(Some("Ada Quint"))),
            ("speaker=", Ok(None)),
            ("", Ok(None)),
            ("speakr=Ada", Err("unknown parameter \"speakr\"")),
            ("speaker=a&speaker=b", Err("more than once")),
        ];
        for (raw, expected) in cases {
            let got = Params::parse(Some(raw), &allowed).map(|p| p.string("speaker"));
            match expected {
                Ok(value) => assert_eq!(got.unwrap().as_deref(), value, "{raw}"),
                Err(text) => {
                    let e = got.err().unwrap();
                    assert!(e.message.contains(text), "{raw}: {}", e.message);
                }
            }
        }
    }

    #[test]
    fn limits_are_bounded() {
        let cases = [
            ("", Ok(50)),
            ("limit=1", Ok(1)),
            ("limit=500", Ok(500)),
            ("limit=0", Err(())),
            ("limit=501", Err(())),
            ("limit=-3", Err(())),
            ("limit=ten", Err(())),
        ];
        for (raw, expected) in cases {
            let got = Params::parse(Some(raw), &["limit"])
                .unwrap()
                .limit(50, 500)
                .map_err(|e| assert!(e.message.starts_with("limit:"), "{}", e.message));
            assert_eq!(got, expected, "{raw}");
        }
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let cursor = Cursor {
            published: Some("2026-03-14".into()),
            document: 12,
            index: 3,
        };
        assert_eq!(decode_cursor(&encode_cursor(&cursor)).unwrap(), cursor);
        for bad in ["", "not a cursor", "eyJ4IjoxfQ", "%%%"] {
            let e = decode_cursor(bad).unwrap_err();
            assert!(e.message.starts_with("cursor:"), "{bad}: {}", e.message);
        }
    }
}
