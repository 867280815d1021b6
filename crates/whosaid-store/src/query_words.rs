//! The words a user types to narrow a search (a stance, a kind, a day), read
//! the same way by every front end: the CLI's flags and the HTTP API's
//! parameters accept exactly the same spellings and give the same messages.

use whosaid::record::{AttributionKind, Stance};

/// Parses one of the record's snake_case names through serde, so that the
/// accepted words are exactly those the record format writes.
fn parse_enum<T: serde::de::DeserializeOwned>(s: &str, what: &str, all: &str) -> Result<T, String> {
    let word = s.trim().to_ascii_lowercase().replace('-', "_");
    serde_json::from_value(serde_json::Value::String(word))
        .map_err(|_| format!("unknown {what} {s:?}; expected one of {all}"))
}

/// A stance as the record names it, case-insensitive.
pub fn parse_stance(s: &str) -> Result<Stance, String> {
    parse_enum(
        s,
        "stance",
        "asserts, denies, believes, doubts, affirms, reports, intends",
    )
}

/// An attribution kind as the record names it; `-` may stand for `_`.
pub fn parse_kind(s: &str) -> Result<AttributionKind, String> {
    parse_enum(s, "kind", "direct, indirect, mixed, according_to, headline")
}

/// Accepts a calendar day `YYYY-MM-DD` that exists (no 2021-02-30).
pub fn parse_day(s: &str) -> Result<String, String> {
    let bad = || format!("{s:?} is not a date; expected YYYY-MM-DD, e.g. 2017-11-12");
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let (Some(year), Some(month), Some(day)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return Err(bad());
    };
    if day == 0 || day > whosaid::extract::dates::days_in_month(year, month) {
        return Err(bad());
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::STANCES;

    #[test]
    fn days_are_checked_against_the_calendar() {
        let cases = [
            ("2017-11-12", true),
            ("2024-02-29", true),
            ("2023-02-29", false),
            ("1900-02-29", false),
            ("2000-02-29", true),
            ("2021-04-31", false),
            ("2021-13-01", false),
            ("2021-00-10", false),
            ("2021-1-10", false),
            ("yesterday", false),
            ("2021-01-1x", false),
            ("２０２１-01-01", false),
            ("", false),
        ];
        for (input, ok) in cases {
            assert_eq!(parse_day(input).is_ok(), ok, "{input}");
        }
        let err = parse_day("12/11/2017").unwrap_err();
        assert!(err.contains("YYYY-MM-DD"), "{err}");
    }

    #[test]
    fn stances_and_kinds_use_the_record_words() {
        assert_eq!(parse_stance("denies"), Ok(Stance::Denies));
        assert_eq!(parse_stance("Denies"), Ok(Stance::Denies));
        assert!(parse_stance("denied").unwrap_err().contains("asserts"));
        assert_eq!(parse_kind("according-to"), Ok(AttributionKind::AccordingTo));
        assert_eq!(parse_kind("according_to"), Ok(AttributionKind::AccordingTo));
        assert!(parse_kind("quote").is_err());
        for st in STANCES {
            assert_eq!(parse_stance(st.as_str()), Ok(st));
        }
    }
}
