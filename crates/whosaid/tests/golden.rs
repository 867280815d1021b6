//! Golden files: pages with the record a person says they hold.
//!
//! Cases are `tests/data/<case>.html` (or `.txt`) with the expected record
//! in `tests/data/<case>.expected.json` (`<case>.txt.expected.json` for a
//! text input), and every page under `examples/` with its expected record in
//! `tests/data/examples/`. The expected files hold `title`, `authors`,
//! `published`, `site`, `language`, `url` (the record's `source.url`) and
//! `text` (`article.text`), all compared exactly. They were written by hand
//! from what the article is, not from what the extractor printed.
//!
//! `WHOSAID_BLESS=1 cargo test -p whosaid --test golden` rewrites the
//! expected files from the current output; review the diff before committing.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use whosaid::{Input, Pipeline, Record};

/// The part of a record that golden files pin down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Expected {
    title: Option<String>,
    authors: Vec<String>,
    published: Option<String>,
    site: Option<String>,
    language: Option<String>,
    url: Option<String>,
    text: String,
}

impl Expected {
    fn of(record: &Record) -> Self {
        let a = &record.article;
        Expected {
            title: a.title.clone(),
            authors: a.authors.clone(),
            published: a.published.clone(),
            site: a.site.clone(),
            language: a.language.clone(),
            url: record.source.url.clone(),
            text: a.text.clone(),
        }
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every golden case: the input page and its expected file.
fn cases() -> Vec<(PathBuf, PathBuf)> {
    let root = repo_root();
    let mut cases = Vec::new();
    for (inputs, expected) in [
        (root.join("tests/data"), root.join("tests/data")),
        (root.join("examples"), root.join("tests/data/examples")),
    ] {
        let Ok(entries) = fs::read_dir(&inputs) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let expected_name = if let Some(stem) = name.strip_suffix(".html") {
                format!("{stem}.expected.json")
            } else if name.ends_with(".txt") {
                format!("{name}.expected.json")
            } else {
                continue;
            };
            cases.push((path.clone(), expected.join(expected_name)));
        }
    }
    cases
}

fn process(path: &Path) -> Record {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.file_name().and_then(|n| n.to_str());
    let record = Pipeline::default()
        .process(&Input {
            bytes: &bytes,
            path: name,
            ..Input::default()
        })
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if let Err(e) = record.check_spans() {
        panic!("{}: {e}", path.display());
    }
    record
}

/// A readable account of how `actual` differs from `expected`.
fn differences(expected: &Expected, actual: &Expected) -> String {
    let mut out = String::new();
    let fields: [(&str, String, String); 6] = [
        (
            "title",
            format!("{:?}", expected.title),
            format!("{:?}", actual.title),
        ),
        (
            "authors",
            format!("{:?}", expected.authors),
            format!("{:?}", actual.authors),
        ),
        (
            "published",
            format!("{:?}", expected.published),
            format!("{:?}", actual.published),
        ),
        (
            "site",
            format!("{:?}", expected.site),
            format!("{:?}", actual.site),
        ),
        (
            "language",
            format!("{:?}", expected.language),
            format!("{:?}", actual.language),
        ),
        (
            "url",
            format!("{:?}", expected.url),
            format!("{:?}", actual.url),
        ),
    ];
    for (field, want, got) in fields {
        if want != got {
            let _ = writeln!(out, "  {field}: expected {want}, got {got}");
        }
    }
    if expected.text != actual.text {
        let want: Vec<&str> = expected.text.split("\n\n").collect();
        let got: Vec<&str> = actual.text.split("\n\n").collect();
        let _ = writeln!(
            out,
            "  text: expected {} blocks, got {}",
            want.len(),
            got.len()
        );
        for p in want.iter().filter(|p| !got.contains(p)) {
            let _ = writeln!(out, "    missing: {p:?}");
        }
        for p in got.iter().filter(|p| !want.contains(p)) {
            let _ = writeln!(out, "    extra:   {p:?}");
        }
        if want.iter().all(|p| got.contains(p)) && got.iter().all(|p| want.contains(p)) {
            let _ = writeln!(out, "    same blocks in another order or number");
        }
    }
    out
}

#[test]
fn golden_records() {
    let bless = std::env::var_os("WHOSAID_BLESS").is_some_and(|v| v == "1");
    let cases = cases();
    assert!(
        cases.len() >= 4,
        "expected the golden cases under tests/data and examples, found {}",
        cases.len()
    );
    let mut report = String::new();
    let mut failed = 0;
    for (input, expected_path) in &cases {
        let actual = Expected::of(&process(input));
        if bless {
            let json = serde_json::to_string_pretty(&actual).expect("serialising a record") + "\n";
            fs::write(expected_path, json)
                .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
            continue;
        }
        let text = match fs::read_to_string(expected_path) {
            Ok(t) => t,
            Err(e) => {
                failed += 1;
                let _ = writeln!(
                    report,
                    "{}: no expected file {} ({e}); write it by hand, or run with WHOSAID_BLESS=1 and review",
                    input.display(),
                    expected_path.display()
                );
                continue;
            }
        };
        let expected: Expected = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
        if expected != actual {
            failed += 1;
            let _ = writeln!(
                report,
                "{}:\n{}",
                input.display(),
                differences(&expected, &actual)
            );
        }
    }
    assert!(
        failed == 0,
        "{failed} of {} golden cases differ (WHOSAID_BLESS=1 rewrites them):\n{report}",
        cases.len()
    );
}

/// Plain-text input keeps its text unchanged, so spans refer to the input.
#[test]
fn text_input_is_kept_verbatim() {
    let path = repo_root().join("examples/harbour-bridge.txt");
    let input = fs::read_to_string(&path).expect("reading the text example");
    let record = process(&path);
    assert_eq!(record.article.text, input);
    for block in &record.article.blocks {
        let slice = &input[block.start..block.end];
        assert_eq!(slice, slice.trim(), "block {block:?} has edge whitespace");
        assert!(
            !slice.contains("\n\n"),
            "block {block:?} spans a blank line"
        );
    }
}

/// Properties every example record has whatever the extractor's quality:
/// the furniture that no reader counts as article text stays out.
#[test]
fn examples_leave_out_site_furniture() {
    let furniture = [
        "We use cookies",
        "Accept all",
        "Share on Facebook",
        "Get the Courier's morning briefing",
        "Related stories",
        "Mill Lane crossing to get new traffic lights",
        "About time. I have walked over that bridge",
        "All rights reserved",
        "Advertisement",
        "Leave a Reply",
        "The Ledger Daily",
        "Priya Raman covers agriculture",
        "Most read",
        "Have your say",
        "Subscribe to the Post",
        "Library roof repairs finished ahead of schedule",
        "You have read 3 of 5 free articles",
        "The views expressed in this column",
        "is the Courier's community editor",
        "More opinion",
        "Comments are closed",
    ];
    let root = repo_root();
    for name in [
        "harbour-bridge.html",
        "orchard-frost.html",
        "library-sundays.html",
        "bridge-opinion.html",
    ] {
        let record = process(&root.join("examples").join(name));
        let text = &record.article.text;
        assert!(!text.is_empty(), "{name}: empty body");
        for phrase in furniture {
            assert!(!text.contains(phrase), "{name}: body holds {phrase:?}");
        }
        for block in &record.article.blocks {
            assert!(block.start < block.end, "{name}: empty block {block:?}");
        }
    }
}
