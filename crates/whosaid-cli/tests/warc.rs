//! `whosaid extract` on WARC files and JSON Lines files of records.
//!
//! Every archive is built here with `WarcWriter` from fictional pages, in a
//! fresh temporary directory; damage is made by hand at known offsets.

mod common;

use std::io::Write;
use std::path::PathBuf;

use common::harness::{whosaid, TempDir};
use whosaid_warc::{WarcReader, WarcWriter};

/// A fictional news page with a quote; `date` goes into the page when given.
fn page(headline: &str, speaker: &str, date: Option<&str>) -> String {
    let time = date
        .map(|d| format!("<time datetime=\"{d}\">{d}</time>"))
        .unwrap_or_default();
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><title>{headline} | The Lakeside Courier</title></head>
<body><article><h1>{headline}</h1>{time}
<p>The lake ferry will run every forty minutes from Monday, the transport office announced on Tuesday after a month of complaints.</p>
<p>"Passengers asked for later boats, and we listened," said {speaker}, the director of the ferry company.</p>
<p>The last boat will now leave the north pier at half past eleven in the evening.</p>
</article></body></html>"#
    )
}

const HTML_UTF8: &str = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n";
const WARC_DATE: &str = "2026-02-03T04:05:06Z";

/// Writes `responses` (uri, HTTP head, body) after a warcinfo record, each
/// followed by a request record; returns the file and each response's
/// offset.
fn archive(gzip: bool, responses: &[(&str, &str, Vec<u8>)]) -> (Vec<u8>, Vec<u64>) {
    let mut w = WarcWriter::new(Vec::new(), gzip);
    w.write_record(
        "warcinfo",
        &[("WARC-Date", WARC_DATE)],
        b"software: whosaid tests\r\n",
    )
    .expect("writing");
    let mut offsets = Vec::new();
    for (uri, head, body) in responses {
        w.write_record(
            "request",
            &[("WARC-Target-URI", uri), ("WARC-Date", WARC_DATE)],
            b"GET / HTTP/1.1\r\nHost: ferry.example\r\n\r\n",
        )
        .expect("writing");
        offsets.push(
            w.write_response(uri, WARC_DATE, head, body)
                .expect("writing"),
        );
    }
    (w.into_inner().expect("writing"), offsets)
}

/// WARC-Record-IDs of the response records, in file order.
fn response_ids(bytes: &[u8]) -> Vec<String> {
    WarcReader::new(bytes)
        .expect("a WARC file")
        .filter_map(|r| {
            let r = r.expect("a sound record");
            (r.warc_type == "response").then(|| r.record_id.expect("an id"))
        })
        .collect()
}

fn three_pages() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    vec![
        (
            "https://ferry.example/one",
            HTML_UTF8,
            page("Ferry timetable changes", "Mara Quint", None).into_bytes(),
        ),
        (
            "https://ferry.example/two",
            HTML_UTF8,
            page("Night boats return", "Olek Brandt", Some("2026-01-30")).into_bytes(),
        ),
        (
            "https://ferry.example/three",
            HTML_UTF8,
            page("North pier reopens", "Ines Varga", None).into_bytes(),
        ),
    ]
}

#[test]
fn records_carry_url_record_id_and_warc_date() {
    let dir = TempDir::new("fields");
    // 0xE9 is "é" in windows-1252 but "ι" in windows-1253: only the HTTP
    // charset can make it iota.
    let greek = page("Caf\u{e9} by the pier", "Mara Quint", None)
        .chars()
        .map(|c| c as u32 as u8)
        .collect::<Vec<u8>>();
    // Chunks of seven bytes: every sentence crosses chunk boundaries.
    let chunked = {
        let body = page("Chunked story", "Olek Brandt", None);
        let mut out = String::new();
        for chunk in body.as_bytes().chunks(7) {
            out.push_str(&format!("{:x}\r\n", chunk.len()));
            out.push_str(std::str::from_utf8(chunk).expect("ASCII page"));
            out.push_str("\r\n");
        }
        out.push_str("0\r\n\r\n");
        out.into_bytes()
    };
    let mut responses = three_pages();
    responses.truncate(2);
    responses.extend([
        (
            "https://ferry.example/missing",
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n",
            page("Not found", "Nobody", None).into_bytes(),
        ),
        (
            "https://ferry.example/logo.png",
            "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n",
            b"\x89PNG\r\n\x1a\n".to_vec(),
        ),
        (
            "https://ferry.example/greek",
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=\"windows-1253\"\r\n",
            greek,
        ),
        (
            "https://ferry.example/chunked",
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n",
            chunked,
        ),
    ]);
    for (gzip, name) in [(true, "news.warc.gz"), (false, "news.warc")] {
        let (bytes, _) = archive(gzip, &responses);
        let ids = response_ids(&bytes);
        let path = dir.write(name, &bytes);
        let run = whosaid(&["extract", &path]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stderr.is_empty(), "{}", run.stderr);
        let records = run.records();
        let urls: Vec<&str> = records
            .iter()
            .map(|r| r.source.url.as_deref().unwrap_or(""))
            .collect();
        assert_eq!(
            urls,
            [
                "https://ferry.example/one",
                "https://ferry.example/two",
                "https://ferry.example/greek",
                "https://ferry.example/chunked"
            ]
        );
        let kept = [0, 1, 4, 5];
        for (record, &i) in records.iter().zip(&kept) {
            assert_eq!(record.source.path.as_deref(), Some(path.as_str()));
            assert_eq!(record.source.record.as_deref(), Some(ids[i].as_str()));
            assert!(!record.attributions.is_empty(), "{:?}", record.article.text);
        }
        // No date in the page: the WARC-Date stands in; a page's own date wins.
        let published = |i: usize| records[i].article.published.clone().unwrap_or_default();
        assert!(published(0).starts_with("2026-02-03"), "{}", published(0));
        assert!(published(1).starts_with("2026-01-30"), "{}", published(1));
        let title = records[2].article.title.as_deref().unwrap_or("");
        assert!(title.contains("Caf\u{3b9} by the pier"), "{title}");
        assert_eq!(records[3].article.title.as_deref(), Some("Chunked story"));
        assert!(
            records[3].article.text.contains(
                "The last boat will now leave the north pier at half past eleven in the evening."
            ),
            "{}",
            records[3].article.text
        );
    }
}

/// Flips bytes early in the deflate data of the gzip member at `start`.
fn corrupt(bytes: &mut [u8], start: usize) {
    for b in &mut bytes[start + 20..start + 28] {
        *b ^= 0xa5;
    }
}

#[test]
fn a_corrupt_member_costs_one_error_line_and_the_rest_comes_out() {
    let dir = TempDir::new("corrupt");
    let (mut bytes, offsets) = archive(true, &three_pages());
    corrupt(&mut bytes, offsets[1] as usize);
    let path = dir.write("damaged.warc.gz", &bytes);
    let run = whosaid(&["extract", &path]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let urls: Vec<String> = run
        .records()
        .into_iter()
        .filter_map(|r| r.source.url)
        .collect();
    assert_eq!(
        urls,
        ["https://ferry.example/one", "https://ferry.example/three"]
    );
    let errors = run.error_lines();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    let expected = format!("whosaid: {path} at byte {}: gzip member", offsets[1]);
    assert!(errors[0].starts_with(&expected), "{}", errors[0]);

    let strict = whosaid(&["extract", "--strict", &path]);
    assert_eq!(strict.code, 1, "{}", strict.stderr);
    assert_eq!(strict.records().len(), 2);
}

#[test]
fn a_truncated_last_member_is_one_error() {
    let dir = TempDir::new("truncated");
    let (bytes, offsets) = archive(true, &three_pages());
    let last = offsets[2] as usize;
    let path = dir.write("cut.warc.gz", &bytes[..(last + bytes.len()) / 2]);
    let run = whosaid(&["extract", "--format", "jsonl", &path]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.records().len(), 2);
    let errors = run.error_lines();
    assert_eq!(errors.len(), 1, "{}", run.stderr);
    assert!(
        errors[0].starts_with(&format!("whosaid: {path} at byte {last}: gzip member")),
        "{}",
        errors[0]
    );
}

#[test]
fn a_warc_without_pages_says_so() {
    let dir = TempDir::new("nopages");
    let mut w = WarcWriter::new(Vec::new(), true);
    w.write_record("warcinfo", &[("WARC-Date", WARC_DATE)], b"software: x\r\n")
        .expect("writing");
    w.write_record(
        "request",
        &[("WARC-Target-URI", "https://ferry.example/")],
        b"GET / HTTP/1.1\r\n\r\n",
    )
    .expect("writing");
    let path = dir.write("requests.warc.gz", w.into_inner().expect("writing"));
    let run = whosaid(&["extract", &path]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(run.stderr.contains("no documents"), "{}", run.stderr);

    let not_warc = dir.write("page.warc", "<html><p>not an archive</p></html>");
    let run = whosaid(&["extract", &not_warc]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .starts_with(&format!("whosaid: {not_warc} at byte 0: not a WARC file")),
        "{}",
        run.stderr
    );
}

#[test]
fn record_lines_are_reprinted_and_bad_lines_named() {
    let dir = TempDir::new("jsonl");
    let (bytes, _) = archive(false, &three_pages());
    let warc = dir.write("pages.warc", &bytes);
    let first = whosaid(&["extract", &warc]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let originals = first.records();
    assert_eq!(originals.len(), 3);

    let mut lines = first.stdout.lines().map(str::to_string).collect::<Vec<_>>();
    lines.insert(1, "{\"schema\":\"other/9\"}".into());
    lines.insert(2, String::new());
    lines.insert(3, "not json".into());
    let jsonl = dir.write("records.jsonl", lines.join("\n") + "\n");
    let run = whosaid(&["extract", &jsonl]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.records(), originals);
    let errors = run.error_lines();
    assert_eq!(errors.len(), 2, "{}", run.stderr);
    assert!(errors[0].starts_with(&format!("whosaid: {jsonl} line 2: not a whosaid/1 record")));
    assert!(errors[1].starts_with(&format!("whosaid: {jsonl} line 4: not a whosaid/1 record")));

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(first.stdout.as_bytes()).expect("gzip");
    let gz = dir.write("records.jsonl.gz", gz.finish().expect("gzip"));
    let run = whosaid(&["extract", &gz]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.records(), originals);
}

#[test]
fn directories_yield_warc_and_record_files() {
    let dir = TempDir::new("walk");
    let (plain, _) = archive(false, &three_pages()[..1]);
    let (gzip, _) = archive(true, &three_pages()[1..]);
    dir.write("in/a.warc", plain);
    dir.write("in/sub/b.WARC.GZ", gzip);
    dir.write("in/sub/ignored.bin", b"\0\0");
    let root = dir.path("in");
    let run = whosaid(&["extract", &root]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let urls: Vec<String> = run
        .records()
        .into_iter()
        .filter_map(|r| r.source.url)
        .collect();
    assert_eq!(
        urls,
        [
            "https://ferry.example/one",
            "https://ferry.example/two",
            "https://ferry.example/three"
        ]
    );
}

/// Real news pages (the WCXB development pages in `../shared`, read there,
/// never copied) give the same articles from a WARC file as from their own
/// files, stored gzip-encoded the way a crawler keeps them.
#[test]
fn real_pages_from_a_warc_match_their_files() {
    let html = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/wcxb-articles-dev/html");
    let Ok(entries) = std::fs::read_dir(&html) else {
        eprintln!("skipping: {} is absent", html.display());
        return;
    };
    let mut pages: Vec<PathBuf> = entries
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.to_string_lossy().ends_with(".html.gz"))
        .collect();
    pages.sort();
    // Every 40th page: a spread of sites, quick enough for a debug build.
    let pages: Vec<PathBuf> = pages.into_iter().step_by(40).collect();
    assert!(
        pages.len() >= 10,
        "only {} pages in {}",
        pages.len(),
        html.display()
    );
    let dir = TempDir::new("real");
    let mut w = WarcWriter::new(Vec::new(), true);
    for page in &pages {
        let body = std::fs::read(page).expect("reading a page");
        let uri = format!("https://wcxb.invalid/{}", page.display());
        w.write_response(
            &uri,
            WARC_DATE,
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip",
            &body,
        )
        .expect("writing");
    }
    let warc = dir.write("real.warc.gz", w.into_inner().expect("writing"));
    let from_warc = whosaid(&["extract", "--format", "jsonl", &warc]);
    let paths: Vec<String> = pages.iter().map(|p| p.display().to_string()).collect();
    let mut args = vec!["extract", "--format", "jsonl"];
    args.extend(paths.iter().map(String::as_str));
    let from_files = whosaid(&args);
    assert_eq!(from_warc.code, from_files.code);
    let (a, b) = (from_warc.records(), from_files.records());
    assert_eq!(
        a.len(),
        b.len(),
        "{}\n{}",
        from_warc.stderr,
        from_files.stderr
    );
    for (a, b) in a.iter().zip(&b) {
        let name = b.source.path.as_deref().unwrap_or("");
        assert_eq!(a.source.sha256, b.source.sha256, "{name}");
        assert_eq!(a.article.title, b.article.title, "{name}");
        assert_eq!(a.article.text, b.article.text, "{name}");
        assert_eq!(a.attributions, b.attributions, "{name}");
    }
}
