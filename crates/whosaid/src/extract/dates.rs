//! Dates as pages write them, normalised to `YYYY-MM-DD` or RFC 3339.
//!
//! Pages write dates in every style: ISO 8601 in meta tags and JSON-LD,
//! RFC 2822 in feeds, "Nov. 12, 2017" or "12th November 2017" in bylines,
//! `11/12/2017` in blog templates, epoch seconds in data attributes. The
//! parsers here are small hand-written scanners over bytes (no regex, no
//! allocation until the result) because they run on many candidate strings
//! per page.
//!
//! A result carries a time only when the source gives both a time and its
//! offset: a local time without an offset cannot be placed on the timeline,
//! and the date alone is what readers of the record need most.

/// Years accepted anywhere; anything outside is a typo or a placeholder
/// ("0000-00-00", "1970-01-01" from an empty timestamp is excluded by
/// [`plausible_year`] as well).
const MIN_YEAR: u32 = 1900;
const MAX_YEAR: u32 = 2100;

/// A calendar date, possibly with a time and a UTC offset in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    pub year: u32,
    pub month: u32,
    pub day: u32,
    /// Hour, minute, second and the offset from UTC in minutes, present
    /// only together.
    pub time: Option<(u32, u32, u32, i32)>,
}

impl DateTime {
    /// Minutes since 1970-01-01 UTC, when the time and its offset are known:
    /// two readings of one instant in different zones compare equal.
    pub fn utc_minutes(&self) -> Option<i64> {
        let (h, m, _, offset) = self.time?;
        let days = days_from_civil(self.year, self.month, self.day);
        Some(days * 1440 + i64::from(h * 60 + m) - i64::from(offset))
    }

    /// `YYYY-MM-DD`, or RFC 3339 when a time with offset is known.
    pub fn to_record_string(&self) -> String {
        let date = format!("{:04}-{:02}-{:02}", self.year, self.month, self.day);
        match self.time {
            None => date,
            Some((h, m, s, offset)) => {
                let sign = if offset < 0 { '-' } else { '+' };
                let abs = offset.unsigned_abs();
                format!(
                    "{date}T{h:02}:{m:02}:{s:02}{sign}{:02}:{:02}",
                    abs / 60,
                    abs % 60
                )
            }
        }
    }
}

/// Normalises a date string: ISO dates and date-times, RFC 2822, written-out
/// dates ("November 12, 2017", "12 Nov 2017"), numeric `11/12/2017` and
/// epoch seconds or milliseconds. Returns `None` for anything that is not a
/// plausible date. Words around the date ("Published on", "Updated") are
/// tolerated in short strings; in long text use [`find_date_in_text`].
pub fn normalize_date(raw: &str) -> Option<String> {
    parse_date(raw).map(|d| d.to_record_string())
}

/// Parses a short string that should hold one date (a meta value, a
/// `datetime` attribute, a JSON-LD field).
pub fn parse_date(raw: &str) -> Option<DateTime> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 120 {
        return None;
    }
    if let Some(d) = parse_epoch(s) {
        return Some(d);
    }
    if let Some(d) = parse_compact(s) {
        return Some(d);
    }
    find_date_in_text(s)
}

/// Finds the first date written in `text` (ISO, written-out month names or
/// numeric with a four-digit year). Bare numbers never count.
pub fn find_date_in_text(text: &str) -> Option<DateTime> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let at_word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if at_word_start && b.is_ascii_digit() {
            if let Some(d) = iso_at(bytes, i)
                .or_else(|| day_month_year_at(bytes, i))
                .or_else(|| numeric_at(bytes, i))
            {
                return Some(d);
            }
        } else if at_word_start && b.is_ascii_alphabetic() {
            if let Some(d) = month_day_year_at(bytes, i) {
                return Some(d);
            }
        }
        // Skip the rest of this word or number.
        if b.is_ascii_alphanumeric() {
            while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    None
}

/// A date in a URL path: `/2017/11/12/`, `/2017-11-12-`, `/20171112/`.
/// A year and month alone (`/2017/11/slug`) is not a date.
pub fn date_from_url(url: &str) -> Option<DateTime> {
    // Only the path: hosts and query strings hold numbers of every kind.
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme
        .find('/')
        .map_or("", |p| &after_scheme[p..])
        .split(['?', '#'])
        .next()
        .unwrap_or("");
    let bytes = path.as_bytes();
    for i in 0..bytes.len() {
        if !bytes[i].is_ascii_digit() || (i > 0 && bytes[i - 1].is_ascii_alphanumeric()) {
            continue;
        }
        let sep = number(bytes, i, 4, 4).and_then(|(year, after)| {
            (1990..=2099)
                .contains(&year)
                .then(|| (year, after, bytes.get(after).copied()))
        });
        if let Some((year, after_year, sep @ Some(b'/' | b'-' | b'_'))) = sep {
            // `/2023/10/03/` or, on some CMSs, `/2023/october/03/`.
            let Some((month, after_month)) =
                number(bytes, after_year + 1, 1, 2).or_else(|| month_at(bytes, after_year + 1))
            else {
                continue;
            };
            if bytes.get(after_month) != sep.as_ref() {
                continue;
            }
            let Some((day, after_day)) = number(bytes, after_month + 1, 1, 2) else {
                continue;
            };
            if bytes.get(after_day).is_some_and(u8::is_ascii_alphanumeric) {
                continue;
            }
            if let Some(d) = make_date(year, month, day) {
                return Some(d);
            }
        } else if let Some((_, end)) = number(bytes, i, 8, 8) {
            let ends_token = !bytes.get(end).is_some_and(u8::is_ascii_alphanumeric);
            if ends_token {
                if let Some(d) = parse_compact(&path[i..end]) {
                    return Some(d);
                }
            }
        }
    }
    None
}

/// `found` with day and month exchanged when one of `references` is that
/// date, unambiguously: "03/10/2024" read month first on a page whose
/// metadata or URL says 3 October was written day first.
pub fn day_month_as_referenced(found: DateTime, references: &[DateTime]) -> DateTime {
    references
        .iter()
        .find(|r| {
            r.year == found.year && r.month == found.day && r.day == found.month && r.day != r.month
        })
        .copied()
        .unwrap_or(found)
}

/// A meta name that no list knows but that names a publication date or
/// time: `w-published-date`, `cxenseparse:publishtime`,
/// `article:first_published_time`. "Publisher" alone is a name, not a date.
pub fn names_publication_date(meta_name: &str) -> bool {
    let name = meta_name.to_ascii_lowercase();
    name.contains("publish") && (name.contains("date") || name.contains("time"))
}

fn plausible_year(year: u32) -> bool {
    (MIN_YEAR..=MAX_YEAR).contains(&year)
}

/// Days in a month of the proleptic Gregorian calendar; 0 for a month
/// outside 1..=12. Shared by everything that checks a calendar date.
pub fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

fn make_date(year: u32, month: u32, day: u32) -> Option<DateTime> {
    (plausible_year(year)
        && (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month))
    .then_some(DateTime {
        year,
        month,
        day,
        time: None,
    })
}

/// Reads `min..=max` ASCII digits at `i`; returns the value and the index
/// after them. Fails when more digits follow.
fn number(bytes: &[u8], i: usize, min: usize, max: usize) -> Option<(u32, usize)> {
    let mut end = i;
    let mut value: u32 = 0;
    while end < bytes.len() && bytes[end].is_ascii_digit() {
        if end - i == max {
            return None;
        }
        value = value * 10 + u32::from(bytes[end] - b'0');
        end += 1;
    }
    (end - i >= min).then_some((value, end))
}

fn skip_spaces(bytes: &[u8], mut i: usize) -> usize {
    loop {
        match bytes.get(i) {
            Some(b' ' | b'\t' | b'\n' | b'\r') => i += 1,
            // A no-break space (U+00A0) is common between date parts.
            Some(0xC2) if bytes.get(i + 1) == Some(&0xA0) => i += 2,
            _ => return i,
        }
    }
}

/// Epoch seconds (10 digits) or milliseconds (13 digits), whole string only.
fn parse_epoch(s: &str) -> Option<DateTime> {
    if !(s.len() == 10 || s.len() == 13) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut secs: i64 = s.parse().ok()?;
    if s.len() == 13 {
        secs /= 1000;
    }
    // Before 2000 an epoch value is more likely an id than a timestamp.
    if secs < 946_684_800 {
        return None;
    }
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400) as u32;
    let (year, month, day) = civil_from_days(days);
    let mut d = make_date(year, month, day)?;
    d.time = Some((rem / 3600, rem / 60 % 60, rem % 60, 0));
    Some(d)
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// well-known civil-from-days arithmetic).
fn civil_from_days(days: i64) -> (u32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year.clamp(0, 9999) as u32, month as u32, day as u32)
}

/// Days since 1970-01-01 of a proleptic Gregorian date, the inverse of
/// [`civil_from_days`].
fn days_from_civil(year: u32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `20171112` or `20171112T140000Z`-style basic ISO, whole string only.
fn parse_compact(s: &str) -> Option<DateTime> {
    let bytes = s.as_bytes();
    if bytes.len() < 8 || !bytes[..8].iter().all(u8::is_ascii_digit) {
        return None;
    }
    if bytes.len() > 8 && bytes[8] != b'T' {
        return None;
    }
    let year = number(&bytes[..4], 0, 4, 4)?.0;
    let month = number(&bytes[4..6], 0, 2, 2)?.0;
    let day = number(&bytes[6..8], 0, 2, 2)?.0;
    let mut d = make_date(year, month, day)?;
    if bytes.len() > 8 {
        let rest = &bytes[9..];
        if rest.len() < 4 || !rest[..4].iter().all(u8::is_ascii_digit) {
            return None;
        }
        let h = number(&rest[..2], 0, 2, 2)?.0;
        let m = number(&rest[2..4], 0, 2, 2)?.0;
        let (sec, after) = if rest.len() >= 6 && rest[4..6].iter().all(u8::is_ascii_digit) {
            (number(&rest[4..6], 0, 2, 2)?.0, 6)
        } else {
            (0, 4)
        };
        if let Some((offset, _)) = offset_at(rest, after) {
            if h < 24 && m < 60 && sec <= 60 {
                d.time = Some((h, m, sec.min(59), offset));
            }
        }
    }
    Some(d)
}

/// `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY.MM.DD`, optionally followed by a time.
fn iso_at(bytes: &[u8], i: usize) -> Option<DateTime> {
    let (year, p) = number(bytes, i, 4, 4)?;
    let sep = *bytes.get(p)?;
    if !matches!(sep, b'-' | b'/' | b'.') {
        return None;
    }
    let (month, p) = number(bytes, p + 1, 1, 2)?;
    if bytes.get(p) != Some(&sep) {
        return None;
    }
    let (day, p) = number(bytes, p + 1, 1, 2)?;
    let mut d = make_date(year, month, day)?;
    let time_start = match bytes.get(p) {
        Some(b'T' | b't') => Some(p + 1),
        Some(b' ') => Some(skip_spaces(bytes, p)),
        _ => None,
    };
    if let Some(t) = time_start {
        d.time = time_at(bytes, t);
    }
    Some(d)
}

/// `HH:MM[:SS[.fff]] [am|pm] [offset|zone]`; a time counts only with an
/// offset, so this returns `None` for a bare local time.
fn time_at(bytes: &[u8], i: usize) -> Option<(u32, u32, u32, i32)> {
    let (mut hour, p) = number(bytes, i, 1, 2)?;
    if !matches!(bytes.get(p), Some(b':')) {
        return None;
    }
    let (minute, mut p) = number(bytes, p + 1, 2, 2)?;
    let mut second = 0;
    if bytes.get(p) == Some(&b':') {
        let (s, q) = number(bytes, p + 1, 2, 2)?;
        second = s;
        p = q;
        if matches!(bytes.get(p), Some(b'.' | b',')) {
            p += 1;
            while p < bytes.len() && bytes[p].is_ascii_digit() {
                p += 1;
            }
        }
    }
    let q = skip_spaces(bytes, p);
    if let Some((is_pm, after)) = meridiem_at(bytes, q) {
        if !(1..=12).contains(&hour) {
            return None;
        }
        hour = match (hour, is_pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, true) => h + 12,
            (h, false) => h,
        };
        p = after;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let q = skip_spaces(bytes, p);
    let (offset, _) = offset_at(bytes, p).or_else(|| offset_at(bytes, q))?;
    Some((hour, minute, second.min(59), offset))
}

fn meridiem_at(bytes: &[u8], i: usize) -> Option<(bool, usize)> {
    let first = bytes.get(i)?.to_ascii_lowercase();
    if first != b'a' && first != b'p' {
        return None;
    }
    let mut p = i + 1;
    if bytes.get(p) == Some(&b'.') {
        p += 1;
    }
    if bytes.get(p).map(u8::to_ascii_lowercase) != Some(b'm') {
        return None;
    }
    p += 1;
    if bytes.get(p) == Some(&b'.') {
        p += 1;
    }
    if bytes.get(p).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    Some((first == b'p', p))
}

/// `Z`, `+05:00`, `-0500`, `+05`, or a zone name (UTC, GMT, EST, ...).
fn offset_at(bytes: &[u8], i: usize) -> Option<(i32, usize)> {
    match bytes.get(i)? {
        b'Z' | b'z' if !bytes.get(i + 1).is_some_and(u8::is_ascii_alphanumeric) => Some((0, i + 1)),
        sign @ (b'+' | b'-') => {
            let (hh, p) = number(bytes, i + 1, 2, 4)?;
            let (hours, minutes, end) = if p - (i + 1) == 4 {
                (hh / 100, hh % 100, p)
            } else if bytes.get(p) == Some(&b':') {
                let (mm, q) = number(bytes, p + 1, 2, 2)?;
                (hh, mm, q)
            } else {
                (hh, 0, p)
            };
            if hours > 14 || minutes > 59 {
                return None;
            }
            let total = (hours * 60 + minutes) as i32;
            Some((if *sign == b'-' { -total } else { total }, end))
        }
        b if b.is_ascii_alphabetic() => {
            let mut end = i;
            while end < bytes.len() && bytes[end].is_ascii_alphabetic() {
                end += 1;
            }
            let word = std::str::from_utf8(&bytes[i..end])
                .ok()?
                .to_ascii_uppercase();
            let hours = match word.as_str() {
                "UTC" | "GMT" | "UT" => 0,
                "EST" => -5,
                "EDT" => -4,
                "CST" => -6,
                "CDT" => -5,
                "MST" => -7,
                "MDT" => -6,
                "PST" => -8,
                "PDT" => -7,
                "BST" | "CET" => 1,
                "CEST" => 2,
                _ => return None,
            };
            // "GMT+1" and "UTC-05:00" add an explicit offset.
            if hours == 0 {
                if let Some((extra, after)) =
                    offset_at(bytes, end).filter(|_| matches!(bytes.get(end), Some(b'+' | b'-')))
                {
                    return Some((extra, after));
                }
            }
            Some((hours * 60, end))
        }
        _ => None,
    }
}

/// Month name or abbreviation (English, plus the common German, French and
/// Spanish forms) at `i`, with an optional trailing dot.
fn month_at(bytes: &[u8], i: usize) -> Option<(u32, usize)> {
    let mut end = i;
    while end < bytes.len() && (bytes[end].is_ascii_alphabetic() || bytes[end] >= 0x80) {
        end += 1;
    }
    if end == i || end - i > 10 {
        return None;
    }
    let word = std::str::from_utf8(&bytes[i..end]).ok()?.to_lowercase();
    let month = month_from_word(&word)?;
    if bytes.get(end) == Some(&b'.') {
        end += 1;
    }
    Some((month, end))
}

/// The month a lower-case English (or common German, French, Spanish)
/// month name or abbreviation stands for.
pub fn month_from_name(word: &str) -> Option<u32> {
    month_from_word(word)
}

fn month_from_word(word: &str) -> Option<u32> {
    const NAMES: [(&str, u32); 12] = [
        ("january", 1),
        ("february", 2),
        ("march", 3),
        ("april", 4),
        ("may", 5),
        ("june", 6),
        ("july", 7),
        ("august", 8),
        ("september", 9),
        ("october", 10),
        ("november", 11),
        ("december", 12),
    ];
    for (name, m) in NAMES {
        if word == name || (word.len() == 3 && name.starts_with(word)) {
            return Some(m);
        }
    }
    Some(match word {
        "sept" => 9,
        "janvier" | "januar" | "enero" | "jänner" => 1,
        "février" | "februar" | "febrero" => 2,
        "mars" | "märz" | "marzo" => 3,
        "avril" | "abril" => 4,
        "mai" | "mayo" => 5,
        "juin" | "juni" | "junio" => 6,
        "juillet" | "juli" | "julio" => 7,
        "août" | "agosto" => 8,
        "septembre" | "septiembre" => 9,
        "octobre" | "oktober" | "octubre" => 10,
        "novembre" | "noviembre" => 11,
        "décembre" | "dezember" | "diciembre" => 12,
        _ => return None,
    })
}

/// Skips `st`/`nd`/`rd`/`th` after a day number.
fn skip_ordinal(bytes: &[u8], p: usize) -> usize {
    let two = bytes.get(p..p + 2).map(|s| s.to_ascii_lowercase());
    match two.as_deref() {
        Some(b"st" | b"nd" | b"rd" | b"th")
            if !bytes.get(p + 2).is_some_and(u8::is_ascii_alphabetic) =>
        {
            p + 2
        }
        _ => p,
    }
}

/// Separators allowed between the parts of a written-out date.
fn skip_date_punct(bytes: &[u8], mut i: usize) -> usize {
    loop {
        let j = skip_spaces(bytes, i);
        match bytes.get(j) {
            Some(b',' | b'-' | b'/') => i = j + 1,
            _ => return j,
        }
    }
}

/// Time after a written-out date: `, 2:00 PM EST`, ` at 14:00 GMT`, ` | 09:30`.
fn trailing_time(bytes: &[u8], i: usize) -> Option<(u32, u32, u32, i32)> {
    let mut p = skip_spaces(bytes, i);
    for _ in 0..2 {
        match bytes.get(p) {
            Some(b',' | b'|' | b'@' | b'-' | b'\xE2') => {
                // '\xE2' starts the en and em dash and the middle dot.
                p += if bytes[p] == 0xE2 { 3 } else { 1 };
                p = skip_spaces(bytes, p);
            }
            Some(b'a' | b'A')
                if bytes.get(p + 1).map(u8::to_ascii_lowercase) == Some(b't')
                    && bytes.get(p + 2) == Some(&b' ') =>
            {
                p = skip_spaces(bytes, p + 2);
            }
            _ => break,
        }
    }
    time_at(bytes, p)
}

/// `November 12, 2017`, `Nov. 12 2017`, `Sunday, Nov 12th, 2017 2:00 PM EST`.
fn month_day_year_at(bytes: &[u8], i: usize) -> Option<DateTime> {
    let (month, p) = month_at(bytes, i)?;
    let p = skip_spaces(bytes, p);
    let (day, p) = number(bytes, p, 1, 2)?;
    let p = skip_ordinal(bytes, p);
    let p = skip_date_punct(bytes, p);
    let (year, p) = number(bytes, p, 4, 4)?;
    let mut d = make_date(year, month, day)?;
    d.time = trailing_time(bytes, p);
    Some(d)
}

/// `12 November 2017`, `12th Nov 2017`, `12 de noviembre de 2017`, and
/// RFC 2822's `12 Nov 2017 14:00:00 -0500`.
fn day_month_year_at(bytes: &[u8], i: usize) -> Option<DateTime> {
    let (day, p) = number(bytes, i, 1, 2)?;
    let mut p = skip_ordinal(bytes, p);
    if bytes.get(p) == Some(&b'.') {
        p += 1;
    }
    p = skip_date_punct(bytes, p);
    // "12 de noviembre", "12th of November".
    if bytes
        .get(p..p + 3)
        .is_some_and(|w| w.eq_ignore_ascii_case(b"de ") || w.eq_ignore_ascii_case(b"of "))
    {
        p = skip_spaces(bytes, p + 3);
    }
    let (month, p) = month_at(bytes, p)?;
    let mut p = skip_date_punct(bytes, p);
    if bytes
        .get(p..p + 3)
        .is_some_and(|w| w.eq_ignore_ascii_case(b"de "))
    {
        p = skip_spaces(bytes, p + 3);
    }
    let (year, p) = number(bytes, p, 4, 4)?;
    let mut d = make_date(year, month, day)?;
    d.time = trailing_time(bytes, p);
    Some(d)
}

/// `11/12/2017` (month first unless the first number cannot be a month),
/// `12.11.2017` (day first, the European dotted form).
fn numeric_at(bytes: &[u8], i: usize) -> Option<DateTime> {
    let (a, p) = number(bytes, i, 1, 2)?;
    let sep = *bytes.get(p)?;
    if !matches!(sep, b'/' | b'.' | b'-') {
        return None;
    }
    let (b, p) = number(bytes, p + 1, 1, 2)?;
    if bytes.get(p) != Some(&sep) {
        return None;
    }
    let (year, p) = number(bytes, p + 1, 4, 4)?;
    let (month, day) = if sep == b'.' || a > 12 {
        (b, a)
    } else {
        (a, b)
    };
    let mut d = make_date(year, month, day)?;
    d.time = trailing_time(bytes, p);
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_many_formats() {
        let rows: &[(&str, Option<&str>)] = &[
            ("2017-11-12", Some("2017-11-12")),
            ("  2017-11-12  ", Some("2017-11-12")),
            (
                "2017-11-12T14:00:00-05:00",
                Some("2017-11-12T14:00:00-05:00"),
            ),
            ("2017-11-12T14:00:00Z", Some("2017-11-12T14:00:00+00:00")),
            (
                "2017-11-12T14:00:00.123+0100",
                Some("2017-11-12T14:00:00+01:00"),
            ),
            ("2017-11-12T14:00:00", Some("2017-11-12")),
            ("2017-11-12 14:00:00", Some("2017-11-12")),
            (
                "2017-11-12 14:00:00 +02:00",
                Some("2017-11-12T14:00:00+02:00"),
            ),
            ("2017/11/12", Some("2017-11-12")),
            ("2017.1.5", Some("2017-01-05")),
            ("20171112", Some("2017-11-12")),
            ("20171112T140000Z", Some("2017-11-12T14:00:00+00:00")),
            (
                "Sun, 12 Nov 2017 14:00:00 -0500",
                Some("2017-11-12T14:00:00-05:00"),
            ),
            (
                "Sun, 12 Nov 2017 14:00:00 GMT",
                Some("2017-11-12T14:00:00+00:00"),
            ),
            ("November 12, 2017", Some("2017-11-12")),
            ("Nov. 12, 2017", Some("2017-11-12")),
            ("Nov 12 2017", Some("2017-11-12")),
            ("Sept. 3, 2019", Some("2019-09-03")),
            (
                "Sunday, November 12th, 2017 at 2:00 pm EST",
                Some("2017-11-12T14:00:00-05:00"),
            ),
            ("November 12, 2017 2:30 PM", Some("2017-11-12")),
            ("12 Nov 2017", Some("2017-11-12")),
            ("12th of November, 2017", Some("2017-11-12")),
            ("12. November 2017", Some("2017-11-12")),
            ("12 de noviembre de 2017", Some("2017-11-12")),
            (
                "Published on 12 November 2017 | 5 min read",
                Some("2017-11-12"),
            ),
            ("11/12/2017", Some("2017-11-12")),
            ("25/12/2017", Some("2017-12-25")),
            ("12.11.2017", Some("2017-11-12")),
            ("1510513200", Some("2017-11-12T19:00:00+00:00")),
            ("1510513200000", Some("2017-11-12T19:00:00+00:00")),
            ("", None),
            ("yesterday", None),
            ("2017", None),
            ("November 2017", None),
            ("2017-13-01", None),
            ("2017-02-30", None),
            ("0000-00-00", None),
            ("May I help you 12", None),
            ("123456", None),
            ("2017-11-12T25:00:00Z", Some("2017-11-12")),
        ];
        for (raw, want) in rows {
            assert_eq!(normalize_date(raw).as_deref(), *want, "input {raw:?}");
        }
    }

    #[test]
    fn instants_compare_across_zones() {
        let rows: &[(&str, &str, bool)] = &[
            (
                "2025-07-05T00:04:00+00:00",
                "2025-07-04T20:04:00-04:00",
                true,
            ),
            (
                "2025-07-05T00:04:00+00:00",
                "2025-07-05T00:04:00-04:00",
                false,
            ),
            (
                "2024-02-29T23:30:00-01:00",
                "2024-03-01T00:30:00+00:00",
                true,
            ),
            ("1999-12-31T23:00:00Z", "2000-01-01T01:00:00+02:00", true),
        ];
        for (a, b, same) in rows {
            let (a, b) = (parse_date(a).unwrap(), parse_date(b).unwrap());
            assert_eq!(a.utc_minutes() == b.utc_minutes(), *same, "{a:?} {b:?}");
        }
        assert_eq!(parse_date("2025-07-05").unwrap().utc_minutes(), None);
        for days in [-1, 0, 59, 10_956, 20_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn leap_years() {
        assert_eq!(normalize_date("2016-02-29").as_deref(), Some("2016-02-29"));
        assert_eq!(normalize_date("2017-02-29"), None);
        assert_eq!(normalize_date("2000-02-29").as_deref(), Some("2000-02-29"));
        assert_eq!(normalize_date("2100-02-29"), None);
    }

    #[test]
    fn dates_in_urls() {
        let rows: &[(&str, Option<&str>)] = &[
            ("https://example.com/2017/11/12/slug/", Some("2017-11-12")),
            (
                "https://example.com/news/2017-11-12-storm-hits",
                Some("2017-11-12"),
            ),
            (
                "https://example.com/a/20171112/story.html",
                Some("2017-11-12"),
            ),
            ("https://example.com/2017/11/slug", None),
            (
                "https://example.com/blog/2023/october/03/wine-styles/",
                Some("2023-10-03"),
            ),
            ("https://example.com/2023/Oct/3/x", Some("2023-10-03")),
            ("https://example.com/2023/sept-15/x", None),
            ("https://example.com/2023/mayday/03/x", None),
            ("https://example.com/story-12345678", None),
            ("https://2017.example.com/x?d=2017-11-12", None),
            ("not a url", None),
        ];
        for (url, want) in rows {
            let got = date_from_url(url).map(|d| d.to_record_string());
            assert_eq!(got.as_deref(), *want, "url {url:?}");
        }
    }

    #[test]
    fn day_and_month_follow_an_unambiguous_reference() {
        let d = |s: &str| parse_date(s).unwrap();
        // Read month first, written day first: the reference says 3 October.
        let swapped = day_month_as_referenced(d("03/10/2023"), &[d("2023-10-03")]);
        assert_eq!(swapped.to_record_string(), "2023-10-03");
        // A reference that is another date, or the same either way, changes nothing.
        for reference in ["2023-10-04", "2022-10-03", "2023-03-10"] {
            let kept = day_month_as_referenced(d("03/10/2023"), &[d(reference)]);
            assert_eq!(kept.to_record_string(), "2023-03-10", "{reference}");
        }
        let same = day_month_as_referenced(d("2023-05-05"), &[d("2023-05-05")]);
        assert_eq!(same.to_record_string(), "2023-05-05");
        assert_eq!(
            day_month_as_referenced(d("03/10/2023"), &[]).to_record_string(),
            "2023-03-10"
        );
    }

    #[test]
    fn publication_meta_names() {
        for name in [
            "w-published-date",
            "cxenseparse:publishtime",
            "article:first_published_time",
            "og:publish_date",
            "PublishedDate",
        ] {
            assert!(names_publication_date(name), "{name}");
        }
        for name in [
            "article:publisher",
            "published",
            "date",
            "article:modified_time",
        ] {
            assert!(!names_publication_date(name), "{name}");
        }
    }

    #[test]
    fn finds_dates_inside_text() {
        let d = find_date_in_text("By Jane Roe | Updated Nov. 3, 2020, 4:05 p.m. ET").unwrap();
        assert_eq!((d.year, d.month, d.day), (2020, 11, 3));
        assert!(find_date_in_text("Call 555-1234 for 24/7 service").is_none());
    }

    #[test]
    fn odd_bytes_never_panic() {
        for s in [
            "\u{a0}\u{a0}",
            "2017-",
            "2017-11-",
            "Nov",
            "12 ",
            "+",
            "2017-11-12T",
            "12:00 +",
            "é 12 Déc 2017",
        ] {
            let _ = normalize_date(s);
            let _ = date_from_url(s);
        }
    }
}
