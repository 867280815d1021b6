//! Reading speed: a generated archive of news-sized pages, gzip per record
//! and plain, read back through `WarcReader` and `http_response`.
//!
//! `cargo bench -p whosaid-warc --bench read` (set `WARC_BENCH_PAGES` for
//! another page count). Prints records per second and MB per second of the
//! file and of the records' blocks; the best of three runs.

use std::io::BufReader;
use std::time::{Duration, Instant};

use whosaid_warc::{WarcReader, WarcWriter};

const WORDS: &[&str] = &[
    "the",
    "council",
    "said",
    "harbour",
    "ferry",
    "on",
    "Tuesday",
    "budget",
    "mayor",
    "of",
    "residents",
    "would",
    "vote",
    "new",
    "bridge",
    "and",
    "a",
    "report",
    "director",
    "told",
    "reporters",
    "that",
    "plan",
    "was",
    "delayed",
    "by",
    "storms",
    "in",
    "March",
    "officials",
];

/// A page of about 40 KB: markup like a news site's, with prose of
/// pseudo-random words so that it compresses like real text.
fn page(n: usize, seed: &mut u64) -> Vec<u8> {
    let mut html = format!(
        "<!DOCTYPE html><html><head><title>Story {n}</title><meta charset=\"utf-8\"></head><body><nav><a href=\"/\">Home</a></nav><article><h1>Story {n}</h1>"
    );
    while html.len() < 40_000 {
        html.push_str("<p>");
        for _ in 0..60 {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            html.push_str(WORDS[(*seed % WORDS.len() as u64) as usize]);
            html.push(' ');
        }
        html.push_str("</p>\n");
    }
    html.push_str("</article></body></html>");
    html.into_bytes()
}

fn archive(pages: usize, gzip: bool) -> Vec<u8> {
    let mut seed = 0x9e37_79b9_7f4a_7c15;
    let mut w = WarcWriter::new(Vec::new(), gzip);
    for n in 0..pages {
        let uri = format!("https://courier.example/{n}");
        w.write_record(
            "request",
            &[
                ("WARC-Target-URI", &uri),
                ("WARC-Date", "2026-03-01T00:00:00Z"),
            ],
            b"GET / HTTP/1.1\r\nHost: courier.example\r\n\r\n",
        )
        .expect("writing to memory");
        w.write_response(
            &uri,
            "2026-03-01T00:00:00Z",
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8",
            &page(n, &mut seed),
        )
        .expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}

fn main() {
    let pages: usize = std::env::var("WARC_BENCH_PAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    for gzip in [true, false] {
        let file = archive(pages, gzip);
        let mut best = Duration::MAX;
        let mut blocks = 0u64;
        for _ in 0..3 {
            let started = Instant::now();
            let mut responses = 0usize;
            blocks = 0;
            let reader = WarcReader::new(BufReader::with_capacity(256 * 1024, &file[..]))
                .expect("a WARC file");
            for record in reader {
                let record = record.expect("a sound record");
                blocks += record.block.len() as u64;
                if let Some(http) = record.http_response() {
                    responses += usize::from(http.status == 200 && !http.body.is_empty());
                }
            }
            assert_eq!(responses, pages);
            best = best.min(started.elapsed());
        }
        if gzip {
            // The floor: inflating the same members with nothing else done.
            let mut inflate = Duration::MAX;
            for _ in 0..3 {
                let started = Instant::now();
                let mut decoder = flate2::bufread::MultiGzDecoder::new(&file[..]);
                let n = std::io::copy(&mut decoder, &mut std::io::sink()).expect("gzip");
                assert!(n > blocks);
                inflate = inflate.min(started.elapsed());
            }
            println!(
                "gzip : inflating alone (MultiGzDecoder to a sink) takes {:.3} s",
                inflate.as_secs_f64()
            );
        }
        let secs = best.as_secs_f64();
        println!(
            "{:5}: {pages} pages ({} records) in {:.3} s: {:.0} records/s, {:.0} MB/s of file ({:.1} MB), {:.0} MB/s of blocks ({:.1} MB)",
            if gzip { "gzip" } else { "plain" },
            pages * 2,
            secs,
            (pages * 2) as f64 / secs,
            file.len() as f64 / secs / 1e6,
            file.len() as f64 / 1e6,
            blocks as f64 / secs / 1e6,
            blocks as f64 / 1e6,
        );
    }
}
