//! Builds the `.warc.gz` that bench/ingest.sh times `whosaid ingest` on.
//!
//! ```text
//! ingest-corpus DATA OUT.warc.gz [--copies N] [--examples]
//! ```
//!
//! From a WCXB-layout folder (real news pages, the honest workload): every
//! page once, then `--copies` more rounds of every page with a few bytes
//! appended (an HTML comment naming the round), so each copy has its own
//! sha256 and is extracted and stored like a new page while the extraction
//! work stays that of real pages. With `--examples`, DATA is a folder of the
//! team's own `*.html` pages, too few to time on their own: each copy then
//! gets generated paragraphs (quotes and reported speech included) so that
//! pages differ in length and content, not only in a byte.
//!
//! Every page is one gzip member holding an HTTP `response` record, as a
//! crawl would write it. Prints one line of JSON: documents, page bytes
//! (uncompressed HTML) and the file's size, for the script's table.

#[allow(dead_code)]
#[path = "../pages.rs"]
mod pages;

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use whosaid_warc::WarcWriter;

const USAGE: &str = "usage: ingest-corpus DATA OUT.warc.gz [--copies N] [--examples]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ingest-corpus: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<()> {
    let mut positional = Vec::new();
    let mut copies = 3usize;
    let mut examples = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--copies" => {
                let value = it.next().context("--copies needs a number")?;
                copies = value
                    .parse()
                    .with_context(|| format!("--copies {value:?} is not a number"))?;
            }
            "--examples" => examples = true,
            _ if arg.starts_with('-') => bail!("unknown option {arg}\n{USAGE}"),
            _ => positional.push(arg.clone()),
        }
    }
    let [data, out] = positional.as_slice() else {
        bail!("{USAGE}");
    };
    let layout = pages::Layout::of(Path::new(data))?;
    let pages = pages::load(&layout, None)?;

    let file = std::fs::File::create(out).with_context(|| format!("creating {out}"))?;
    let mut warc = WarcWriter::new(BufWriter::new(file), true);
    let mut documents = 0u64;
    let mut page_bytes = 0u64;
    for round in 0..=copies {
        for (n, page) in pages.iter().enumerate() {
            let body = if round == 0 {
                page.bytes.clone()
            } else if examples {
                with_generated_paragraphs(&page.bytes, round, n)
            } else {
                let mut body = page.bytes.clone();
                body.extend_from_slice(format!("\n<!-- copy {round} -->\n").as_bytes());
                body
            };
            let fallback = format!("https://bench.example/{}.html", page.id);
            let uri = page.url.as_deref().unwrap_or(&fallback);
            let uri = if round == 0 {
                uri.to_string()
            } else {
                // A crawl revisiting a page would see the same URL; a
                // distinct one keeps `whosaid show` output unambiguous.
                format!("{uri}#copy-{round}")
            };
            let headers = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}",
                body.len()
            );
            warc.write_response(&uri, "2026-11-26T12:00:00Z", &headers, &body)
                .with_context(|| format!("writing {out}"))?;
            documents += 1;
            page_bytes += body.len() as u64;
        }
    }
    let mut inner = warc
        .into_inner()
        .with_context(|| format!("writing {out}"))?;
    inner.flush().with_context(|| format!("writing {out}"))?;
    drop(inner);
    let file_bytes = std::fs::metadata(out)
        .with_context(|| format!("reading {out}"))?
        .len();
    println!(
        "{}",
        serde_json::json!({
            "documents": documents,
            "pages": pages.len(),
            "page_bytes": page_bytes,
            "file_bytes": file_bytes,
        })
    );
    Ok(())
}

/// The page with one to six generated paragraphs before `</body>` (or at
/// the end when there is none), different for every page and round.
fn with_generated_paragraphs(page: &[u8], round: usize, page_index: usize) -> Vec<u8> {
    let mut rng = SplitMix((round as u64) << 32 | page_index as u64);
    let mut extra = String::new();
    for _ in 0..1 + rng.below(6) {
        extra.push_str("<p>");
        extra.push_str(&paragraph(&mut rng));
        extra.push_str("</p>\n");
    }
    let at = find_last(page, b"</body>").unwrap_or(page.len());
    let mut out = Vec::with_capacity(page.len() + extra.len());
    out.extend_from_slice(&page[..at]);
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(&page[at..]);
    out
}

const FIRST: &[&str] = &[
    "Mara",
    "Tomas",
    "Ines",
    "Oluwaseun",
    "Harriet",
    "Kenji",
    "Bettina",
    "Ravi",
    "Colm",
    "Ayasha",
];
const LAST: &[&str] = &[
    "Quillfeather",
    "Brannock",
    "Okafor-Lind",
    "Vasquez",
    "Thornbury",
    "Halloran",
    "Nakamura",
    "Pettigrew",
    "Ashdown",
    "Kowalczyk",
];
const ROLE: &[&str] = &[
    "the harbour master",
    "a spokesperson for the county council",
    "the orchard growers' association chair",
    "the library's head archivist",
    "a local ferry operator",
];
const WORDS: &[&str] = &[
    "the",
    "council",
    "bridge",
    "would",
    "not",
    "reopen",
    "before",
    "spring",
    "and",
    "repairs",
    "cost",
    "more",
    "than",
    "anyone",
    "expected",
    "residents",
    "deserve",
    "clear",
    "answers",
    "about",
    "frost",
    "damage",
    "to",
    "orchards",
    "ferry",
    "timetables",
    "were",
    "changed",
    "without",
    "warning",
    "we",
    "have",
    "asked",
    "for",
    "funding",
    "every",
    "year",
    "this",
    "plan",
    "is",
    "fair",
    "library",
    "opening",
    "hours",
    "on",
    "sundays",
    "will",
    "continue",
];

fn paragraph(rng: &mut SplitMix) -> String {
    let name = format!("{} {}", pick(rng, FIRST), pick(rng, LAST));
    let quote = sentence(rng, 8, 14);
    let reported = sentence(rng, 6, 10);
    match rng.below(3) {
        0 => format!(
            "\u{201c}{quote},\u{201d} said {name}, {}. {} also said that {reported}.",
            pick(rng, ROLE),
            name.split(' ').next_back().unwrap_or(&name)
        ),
        1 => format!("{name} told reporters that {reported}. \u{201c}{quote}.\u{201d}"),
        _ => format!(
            "According to {}, {reported}. {name} denied that {}.",
            pick(rng, ROLE),
            sentence(rng, 5, 8)
        ),
    }
}

/// `fewest` to `fewest + spread - 1` words, the first capitalised.
fn sentence(rng: &mut SplitMix, fewest: usize, spread: usize) -> String {
    let words = fewest + rng.below(spread);
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(pick(rng, WORDS));
    }
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => s,
    }
}

fn pick<'a>(rng: &mut SplitMix, list: &[&'a str]) -> &'a str {
    list[rng.below(list.len())]
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .rposition(|w| w.eq_ignore_ascii_case(needle))
}

/// A small deterministic generator: the same corpus on every run.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}
