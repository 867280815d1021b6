//! Properties of reading what `WarcWriter` wrote, gzip per record and plain:
//!
//! - records with arbitrary headers and blocks read back equal, at the
//!   offsets the writer returned;
//! - a file cut short or with one byte changed never panics, always ends
//!   (within one item per input byte), and still gives every record that
//!   lies wholly before the damage, unchanged;
//! - a gzip member cut short loses only its own record.
//!
//! The generator's seed is fixed so that CI runs the same cases every time;
//! set `PROPTEST_CASES` to run more locally.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed};
use whosaid_warc::{WarcReader, WarcRecord, WarcWriter};

fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(0x0000_3a7c_0ffe_e042),
        ..Config::default()
    }
}

/// One record to write: type, extra headers, block.
#[derive(Debug, Clone)]
struct Spec {
    warc_type: String,
    headers: Vec<(String, String)>,
    block: Vec<u8>,
}

/// Header values: any text on one line, as the reader trims values, and
/// never starting a folded continuation line.
fn header_value() -> impl Strategy<Value = String> {
    any::<String>().prop_map(|s| {
        s.chars()
            .filter(|c| *c != '\r' && *c != '\n')
            .collect::<String>()
            .trim()
            .to_string()
    })
}

fn spec() -> impl Strategy<Value = Spec> {
    let name = "[A-Za-z0-9][A-Za-z0-9-]{0,24}".prop_map(|n| format!("X-{n}"));
    let known = prop_oneof![
        Just("WARC-Target-URI"),
        Just("WARC-Date"),
        Just("Content-Type"),
        Just("WARC-Payload-Digest"),
    ]
    .prop_map(str::to_string);
    let header = (prop_oneof![3 => name, 1 => known], header_value());
    let block = prop_oneof![
        vec(any::<u8>(), 0..600),
        // Blocks that look like WARC records or gzip members themselves.
        vec(
            prop_oneof![
                Just(b"WARC/1.1\r\n".to_vec()),
                Just(b"\r\n\r\n".to_vec()),
                Just(vec![0x1f, 0x8b, 0x08, 0x00]),
                Just(b"Content-Length: 99\r\n".to_vec()),
                vec(any::<u8>(), 0..40),
            ],
            0..12
        )
        .prop_map(|parts| parts.concat()),
    ];
    (
        prop_oneof![
            Just("response"),
            Just("request"),
            Just("warcinfo"),
            Just("metadata"),
            Just("resource"),
        ],
        vec(header, 0..6),
        block,
    )
        .prop_map(|(warc_type, headers, block)| Spec {
            warc_type: warc_type.to_string(),
            headers,
            block,
        })
}

/// Writes the records; returns the file and each record's offset.
fn write(specs: &[Spec], gzip: bool) -> (Vec<u8>, Vec<u64>) {
    let mut writer = WarcWriter::new(Vec::new(), gzip);
    let offsets = specs
        .iter()
        .map(|s| {
            let headers: Vec<(&str, &str)> = s
                .headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            writer
                .write_record(&s.warc_type, &headers, &s.block)
                .unwrap()
        })
        .collect();
    (writer.into_inner().unwrap(), offsets)
}

/// Reads every item, failing if the reader yields more items than the file
/// has bytes (plus one): every step must consume input.
fn read_all(file: &[u8]) -> Result<Vec<Result<WarcRecord, String>>, TestCaseError> {
    let Ok(reader) = WarcReader::new(file) else {
        return Ok(Vec::new());
    };
    let mut items = Vec::new();
    for item in reader {
        items.push(item.map_err(|e| e.to_string()));
        if items.len() > file.len() + 1 {
            return Err(TestCaseError::fail(format!(
                "over {} items from {} bytes: the reader loops",
                items.len(),
                file.len()
            )));
        }
    }
    Ok(items)
}

/// Where each record ends in the file: the next one's offset, or the end.
fn ends(offsets: &[u64], len: usize) -> Vec<usize> {
    offsets
        .iter()
        .skip(1)
        .map(|&o| o as usize)
        .chain([len])
        .collect()
}

/// The records lying wholly before `damage` come first in `items`, unchanged.
fn intact_before(
    damage: usize,
    intact: &[WarcRecord],
    record_ends: &[usize],
    items: &[Result<WarcRecord, String>],
) -> Result<(), TestCaseError> {
    let whole = record_ends.iter().take_while(|&&end| end <= damage).count();
    for (i, expected) in intact.iter().take(whole).enumerate() {
        match items.get(i) {
            Some(Ok(got)) => prop_assert_eq!(got, expected, "record {} changed", i),
            Some(Err(e)) => {
                return Err(TestCaseError::fail(format!(
                    "record {i}, before the damage at byte {damage}, gave an error: {e}"
                )))
            }
            None => {
                return Err(TestCaseError::fail(format!(
                    "record {i}, before the damage at byte {damage}, was not read"
                )))
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn written_records_read_back_equal(specs in vec(spec(), 0..6), gzip in any::<bool>()) {
        let (file, offsets) = write(&specs, gzip);
        let reader = WarcReader::new(&file[..]).unwrap();
        prop_assert_eq!(reader.is_gzip(), gzip && !specs.is_empty());
        let records: Vec<WarcRecord> = reader.collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(records.len(), specs.len());
        for ((record, spec), offset) in records.iter().zip(&specs).zip(&offsets) {
            prop_assert_eq!(record.offset, *offset);
            prop_assert_eq!(&record.warc_type, &spec.warc_type);
            prop_assert_eq!(&record.block, &spec.block);
            // WARC-Type, the made-up WARC-Record-ID, the headers as given,
            // then Content-Length: in that order.
            prop_assert_eq!(&record.headers[0], &("WARC-Type".to_string(), spec.warc_type.clone()));
            prop_assert_eq!(&record.headers[1].0, "WARC-Record-ID");
            prop_assert_eq!(record.record_id.as_deref(), Some(record.headers[1].1.as_str()));
            let n = record.headers.len();
            prop_assert_eq!(&record.headers[2..n - 1], &spec.headers[..]);
            prop_assert_eq!(&record.headers[n - 1], &("Content-Length".to_string(), spec.block.len().to_string()));
            let first = |name: &str| {
                spec.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
            };
            prop_assert_eq!(record.target_uri.as_deref(), first("WARC-Target-URI"));
            prop_assert_eq!(record.date.as_deref(), first("WARC-Date"));
        }
    }

    #[test]
    fn a_cut_file_keeps_the_records_before_the_cut(
        specs in vec(spec(), 1..6),
        gzip in any::<bool>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let (file, offsets) = write(&specs, gzip);
        let intact: Vec<WarcRecord> = WarcReader::new(&file[..]).unwrap().map(Result::unwrap).collect();
        let cut = cut.index(file.len());
        let items = read_all(&file[..cut])?;
        intact_before(cut, &intact, &ends(&offsets, file.len()), &items)?;
    }

    #[test]
    fn a_changed_byte_keeps_the_records_before_it(
        specs in vec(spec(), 1..6),
        gzip in any::<bool>(),
        at in any::<prop::sample::Index>(),
        flip in 1..=255u8,
    ) {
        let (mut file, offsets) = write(&specs, gzip);
        let intact: Vec<WarcRecord> = WarcReader::new(&file[..]).unwrap().map(Result::unwrap).collect();
        let at = at.index(file.len());
        file[at] ^= flip;
        let items = read_all(&file)?;
        intact_before(at, &intact, &ends(&offsets, file.len()), &items)?;
    }

    /// A gzip member cut short anywhere loses only its own record: every
    /// other record reads back unchanged, at its offset in the cut file, and
    /// every error lies in what is left of the cut member (its decoder reads
    /// on into the next member before it fails).
    #[test]
    fn a_member_cut_short_loses_only_its_own_record(
        specs in vec(spec(), 2..6),
        which in any::<prop::sample::Index>(),
        keep in any::<prop::sample::Index>(),
    ) {
        let (file, offsets) = write(&specs, true);
        let intact: Vec<WarcRecord> = WarcReader::new(&file[..]).unwrap().map(Result::unwrap).collect();
        let k = which.index(specs.len());
        let (start, end) = (offsets[k] as usize, ends(&offsets, file.len())[k]);
        // Two bytes at least: a file that starts with one byte of the gzip
        // magic is no WARC file.
        let keep = 2 + keep.index(end - start - 2);
        let mut cut = file[..start + keep].to_vec();
        cut.extend_from_slice(&file[end..]);
        let shift = (end - start - keep) as u64;
        let items: Vec<_> = WarcReader::new(&cut[..]).unwrap().take(cut.len() + 2).collect();
        let left = start as u64..(start + keep) as u64;
        let mut records = Vec::new();
        for item in &items {
            match item {
                Ok(record) => records.push(record),
                Err(e) => prop_assert!(left.contains(&e.offset), "{} outside the cut member {:?}", e, left),
            }
        }
        prop_assert!(items.iter().any(Result::is_err), "no error for the cut member");
        let expected: Vec<WarcRecord> = intact
            .iter()
            .enumerate()
            .filter(|&(n, _)| n != k)
            .map(|(n, r)| WarcRecord { offset: if n > k { r.offset - shift } else { r.offset }, ..r.clone() })
            .collect();
        prop_assert_eq!(records.len(), expected.len(), "member {} of {} cut to {} bytes", k, specs.len(), keep);
        for (got, want) in records.iter().zip(&expected) {
            prop_assert_eq!(*got, want);
        }
    }

    /// Several bytes changed anywhere, and blocks over a small cap: no
    /// panic, and the reader ends.
    #[test]
    fn scrambled_files_end_without_panicking(
        specs in vec(spec(), 1..6),
        gzip in any::<bool>(),
        flips in vec((any::<prop::sample::Index>(), any::<u8>()), 1..24),
        cap in prop_oneof![Just(16u64), Just(64 * 1024 * 1024)],
    ) {
        let (mut file, _) = write(&specs, gzip);
        let len = file.len();
        for (at, byte) in flips {
            file[at.index(len)] = byte;
        }
        if let Ok(reader) = WarcReader::new(&file[..]) {
            let items = reader.with_max_record_bytes(cap).take(len + 2).count();
            prop_assert!(items <= len + 1, "{} items from {} bytes", items, len);
        }
    }
}
