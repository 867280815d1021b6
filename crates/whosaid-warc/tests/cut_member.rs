//! A gzip member cut short in the middle of a file: the decoder finds out
//! only after reading on into the next member, and the reader must still
//! give that member's record, at its own offset. Only the cut record is
//! lost, with one error at its member's offset.

use std::io::Write;

use flate2::write::GzEncoder;
use flate2::Compression;
use whosaid_warc::{WarcReader, WarcRecord, WarcWriter};

const MEMBERS: usize = 8;

fn page(n: usize) -> Vec<u8> {
    let mut html = format!("<html><body><h1>Story {n}</h1>");
    // Varied prose, so that each member holds real deflate blocks.
    for i in 0..40 * (n + 1) {
        html.push_str(
            [
                "<p>the ferry",
                " sailed at ",
                "dawn, the mayor said ",
                "</p>",
            ][i % 4],
        );
        html.push_str(&(i * 7919 % 1013).to_string());
    }
    html.push_str("</body></html>");
    html.into_bytes()
}

/// `MEMBERS` responses, each its own gzip member; the file and the offset
/// of every member, with the file's end last. `stored`: deflate keeps the
/// bytes as they are (as it does for what does not compress, an image say),
/// so that a decoder cut short reads the next member's bytes as data.
fn archive(stored: bool) -> (Vec<u8>, Vec<u64>) {
    let mut w = WarcWriter::new(Vec::new(), !stored);
    let mut offsets = Vec::new();
    for n in 0..MEMBERS {
        let uri = format!("https://news.example/{n}");
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n";
        offsets.push(
            w.write_response(&uri, "2026-01-01T00:00:00Z", head, &page(n))
                .unwrap(),
        );
    }
    let mut file = w.into_inner().unwrap();
    offsets.push(file.len() as u64);
    if stored {
        let plain = std::mem::take(&mut file);
        for (n, pair) in offsets.clone().windows(2).enumerate() {
            offsets[n] = file.len() as u64;
            let mut gz = GzEncoder::new(Vec::new(), Compression::none());
            gz.write_all(&plain[pair[0] as usize..pair[1] as usize])
                .unwrap();
            file.extend(gz.finish().unwrap());
        }
        offsets[MEMBERS] = file.len() as u64;
    }
    (file, offsets)
}

/// The file with member `k` cut to its first `keep` bytes; the records
/// after it move back by what was cut.
fn cut(file: &[u8], offsets: &[u64], k: usize, keep: usize) -> (Vec<u8>, u64) {
    let (start, end) = (offsets[k] as usize, offsets[k + 1] as usize);
    assert!(keep < end - start);
    let mut out = file[..start + keep].to_vec();
    out.extend_from_slice(&file[end..]);
    (out, (end - start - keep) as u64)
}

fn uri(r: &WarcRecord) -> &str {
    r.target_uri.as_deref().unwrap_or("")
}

#[test]
fn a_member_cut_short_loses_only_its_own_record() {
    for stored in [false, true] {
        member_cut_short_loses_only_its_own_record(stored);
    }
}

fn member_cut_short_loses_only_its_own_record(stored: bool) {
    let (file, offsets) = archive(stored);
    let intact: Vec<WarcRecord> = WarcReader::new(&file[..])
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(intact.len(), MEMBERS);
    for k in 0..MEMBERS {
        let size = (offsets[k + 1] - offsets[k]) as usize;
        // In the gzip header, in the deflate data, in the trailer, one byte
        // short of the end.
        for keep in [
            1,
            2,
            3,
            9,
            10,
            11,
            40,
            size / 3,
            size / 2,
            size - 8,
            size - 4,
            size - 1,
        ] {
            if k == 0 && keep == 1 {
                // A file that starts with one byte of gzip magic is not a
                // WARC file at all.
                continue;
            }
            let (damaged, shift) = cut(&file, &offsets, k, keep);
            let items: Vec<_> = WarcReader::new(&damaged[..]).unwrap().collect();
            let errors: Vec<_> = items.iter().filter_map(|r| r.as_ref().err()).collect();
            let records: Vec<&WarcRecord> = items.iter().filter_map(|r| r.as_ref().ok()).collect();
            let what = format!("member {k} cut to {keep} of {size} bytes, stored {stored}");
            assert_eq!(errors.len(), 1, "{what}: {errors:?}");
            assert_eq!(errors[0].offset, offsets[k], "{what}: {}", errors[0]);
            // Which problem is named depends on where the cut falls: the
            // decoder can inflate the next member's bytes into garbage
            // headers before its data goes wrong.
            assert_eq!(records.len(), MEMBERS - 1, "{what}");
            // The others unchanged, each at its member's offset in the
            // damaged file, and in file order with the error.
            let expected: Vec<WarcRecord> = intact
                .iter()
                .enumerate()
                .filter(|&(n, _)| n != k)
                .map(|(n, r)| WarcRecord {
                    offset: if n > k { r.offset - shift } else { r.offset },
                    ..r.clone()
                })
                .collect();
            for (got, want) in records.iter().zip(&expected) {
                assert_eq!(*got, want, "{what}: {}", uri(want));
                assert!(damaged[got.offset as usize..].starts_with(&[0x1f, 0x8b, 0x08]));
            }
            assert!(items[k].is_err(), "{what}: the error comes in its place");
        }
    }
}

#[test]
fn two_members_cut_in_a_row_lose_two_records() {
    let (file, offsets) = archive(false);
    let (once, shift) = cut(&file, &offsets, 2, 30);
    let shifted: Vec<u64> = offsets
        .iter()
        .enumerate()
        .map(|(n, &o)| if n > 2 { o - shift } else { o })
        .collect();
    let (twice, _) = cut(&once, &shifted, 3, 50);
    let items: Vec<_> = WarcReader::new(&twice[..]).unwrap().collect();
    let shape: Vec<Result<&str, u64>> = items
        .iter()
        .map(|r| r.as_ref().map(uri).map_err(|e| e.offset))
        .collect();
    let mut expected: Vec<Result<String, u64>> = (0..MEMBERS)
        .map(|n| Ok(format!("https://news.example/{n}")))
        .collect();
    expected[2] = Err(offsets[2]);
    expected[3] = Err(shifted[3]);
    let expected: Vec<Result<&str, u64>> = expected
        .iter()
        .map(|r| r.as_ref().map(String::as_str).map_err(|&o| o))
        .collect();
    assert_eq!(shape, expected);
}
