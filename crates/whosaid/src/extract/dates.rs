//! Dates as pages write them, normalised to `YYYY-MM-DD` or RFC 3339.

/// Normalises a date string: ISO dates and date-times are kept (a date-time
/// with an offset as RFC 3339, otherwise the date alone); returns `None` for
/// anything that is not a plausible date.
pub fn normalize_date(raw: &str) -> Option<String> {
    let s = raw.trim();
    let bytes = s.as_bytes();
    if bytes.len() < 10 {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| bytes[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4) && bytes[4] == b'-' && digits(5..7) && bytes[7] == b'-' && digits(8..10)) {
        return None;
    }
    let year: u32 = s[0..4].parse().ok()?;
    let month: u32 = s[5..7].parse().ok()?;
    let day: u32 = s[8..10].parse().ok()?;
    if !(1900..=2100).contains(&year) || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some(s[..10].to_string())
}
