//! Fictional news pages for the ledger tests, generated so that every page
//! differs (its own sha256) and quotes people by name.

#![allow(dead_code)]

pub mod harness;
pub mod postgres;

use std::path::Path;
use std::process::{Command, Output};

pub fn whosaid() -> Command {
    Command::new(env!("CARGO_BIN_EXE_whosaid"))
}

pub fn run(args: &[&str]) -> Output {
    whosaid().args(args).output().unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const FIRST: [&str; 8] = [
    "Ilse", "Marek", "Odile", "Tobias", "Wren", "Priya", "Anselm", "Corin",
];
const LAST: [&str; 7] = [
    "Halvorsen",
    "Quennell",
    "Abernathy",
    "Lindqvist",
    "Ostrander",
    "Marchetti",
    "Pellow",
];
const TOWNS: [&str; 5] = [
    "Fernholt",
    "Lower Amsby",
    "Castlemere",
    "Rookwell",
    "Dunmarsh",
];
const THINGS: [&str; 6] = [
    "the ferry pier",
    "the old grain store",
    "the tram depot",
    "the lido",
    "the market hall",
    "the canal lock",
];
const SITES: [&str; 3] = [
    "The Fernholt Herald",
    "Amsby Evening Post",
    "Castlemere Gazette",
];

/// The person quoted on page `i`: one of 56 names, so that names repeat
/// across pages and speakers have several quotes.
pub fn speaker(i: usize) -> String {
    format!("{} {}", FIRST[i % FIRST.len()], LAST[(i / 2) % LAST.len()])
}

/// A small news page, different for every `i`.
pub fn page(i: usize) -> String {
    let who = speaker(i);
    let surname = who.split(' ').nth(1).unwrap_or_default();
    let town = TOWNS[i % TOWNS.len()];
    let thing = THINGS[(i / 3) % THINGS.len()];
    let site = SITES[i % SITES.len()];
    let day = 1 + i % 28;
    let month = 1 + (i / 28) % 12;
    let weeks = 2 + i % 9;
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{town} council to reopen {thing} (story {i}) | {site}</title>
<meta property="og:site_name" content="{site}">
<meta property="article:published_time" content="2025-{month:02}-{day:02}T09:00:00Z">
</head><body>
<nav><a href="/">Home</a> <a href="/local">Local</a> <a href="/sport">Sport</a></nav>
<article>
<h1>{town} council to reopen {thing} (story {i})</h1>
<p class="byline">By Staff Reporter</p>
<p>Work on {thing} in {town} will finish within {weeks} weeks, the council said on Tuesday, after a survey found the structure sound enough to reopen to the public.</p>
<p>“We have waited long enough, and the people of {town} deserve to have {thing} back,” {who} said. “Nobody wants another summer of fences.”</p>
<p>{surname} added that the association would hold a public meeting in {town} next month to discuss opening hours and parking around {thing}.</p>
<p>The council denied that the repairs had been delayed by a shortage of money, and said the final bill of {cost} pounds was within the budget agreed in story {i}.</p>
<p>According to the council's engineers, the remaining work on {thing} is mostly painting and new railings, which can be done while the site is open.</p>
</article>
<footer>Copyright {site}. All rights reserved.</footer>
</body></html>
"#,
        cost = 10_000 + i * 137,
    )
}

/// Writes pages `0..n` as `dir/page-NNN.html`.
pub fn write_pages(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        std::fs::write(dir.join(format!("page-{i:03}.html")), page(i)).unwrap();
    }
}

/// Parses the ingest summary line (`read N, stored N, duplicates N, failed N`).
pub fn summary(stderr: &str) -> [u64; 4] {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("whosaid: read "))
        .unwrap_or_else(|| panic!("no summary in {stderr:?}"));
    let mut out = [0u64; 4];
    for (slot, word) in out
        .iter_mut()
        .zip(["read ", "stored ", "duplicates ", "failed "])
    {
        let at = line.find(word).unwrap() + word.len();
        let digits: String = line[at..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        *slot = digits.parse().unwrap();
    }
    out
}

/// The whole ledger as sorted JSON lines (document ids and ingest times are
/// not part of a record, so two ledgers of the same documents compare equal
/// whatever order they were stored in).
pub fn sorted_records(db: &str) -> Vec<String> {
    let o = run(&["export", "--db", db, "--format", "jsonl"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut lines: Vec<String> = stdout(&o).lines().map(str::to_string).collect();
    lines.sort();
    lines
}

/// Writes `page(i)` for each `i` in `pages` as one gzipped WARC file, a
/// response record per page, and returns its path as the CLI takes it.
pub fn page_warc(path: &Path, pages: std::ops::Range<usize>) -> String {
    let file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut writer = whosaid_warc::WarcWriter::new(file, true);
    for i in pages {
        writer
            .write_response(
                &format!("https://news.invalid/local/story-{i}"),
                "2025-06-01T08:00:00Z",
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n",
                page(i).as_bytes(),
            )
            .unwrap();
    }
    writer.into_inner().unwrap();
    path.display().to_string()
}
