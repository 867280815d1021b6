//! The `whosaid` binary on good, bad and hostile inputs.
//!
//! Every input is generated here, in a fresh temporary directory. Each run
//! has a time bound, so a hang or a quadratic blow-up fails the test instead
//! of stalling the suite; the bounds are generous for debug builds on two
//! cores, far below what the quadratic cases used to take.

mod common;

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use common::harness::{run_with, whosaid, Run, TempDir, LIMIT};

const PAGE: &str = r#"<!DOCTYPE html><html lang="en"><head><title>Pier reopens | The Test Gazette</title>
<meta property="og:site_name" content="The Test Gazette"></head><body>
<article><h1>Pier reopens</h1>
<p>The pier reopened on Saturday after a winter of repairs, the harbour board said in a statement on Friday evening.</p>
<p>"It has never looked better," said the harbour master, who has worked on the pier for thirty years.</p>
</article></body></html>"#;

/// A failure line names the input and the problem.
fn assert_error_line(run: &Run, input: &str, problem: &str) {
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains(input))
        .unwrap_or_else(|| panic!("no stderr line names {input}:\n{}", run.stderr));
    assert!(
        line.to_lowercase().contains(&problem.to_lowercase()),
        "stderr line {line:?} does not say {problem:?}"
    );
}

/// Inputs that cannot be read: one stderr line each, no record, exit 1
/// because no input could be read.
#[test]
fn unreadable_inputs_fail_with_a_named_reason() {
    let dir = TempDir::new("unreadable");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(PAGE.repeat(20).as_bytes()).expect("gzip");
    let gz = gz.finish().expect("gzip");
    std::fs::create_dir_all(dir.path("no-pages/sub")).expect("mkdir");
    dir.write("no-pages/sub/picture.jpg", b"\xff\xd8\xff\xe0");
    let cases: Vec<(&str, String, &str)> = vec![
        ("empty", dir.write("empty.html", b""), "empty"),
        ("blank", dir.write("blank.html", b"  \n\t\n"), "empty"),
        (
            "png",
            dir.write("image.html", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10"),
            "PNG",
        ),
        (
            "truncated gzip",
            dir.write("cut.html.gz", &gz[..gz.len() / 2]),
            "gzip",
        ),
        ("missing", dir.path("missing.html"), "no such file"),
        ("no pages", dir.path("no-pages"), "no pages"),
        (
            "nul bytes",
            dir.write(
                "nul.html",
                b"<p>\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0a\0b\0c</p>",
            ),
            "binary",
        ),
    ];
    for (name, path, problem) in cases {
        let run = whosaid(&["extract", &path]);
        assert_eq!(run.code, 1, "{name}: exit code; stderr:\n{}", run.stderr);
        assert!(run.stdout.is_empty(), "{name}: printed {}", run.stdout);
        assert_error_line(&run, &path, problem);
    }
}

#[test]
fn size_limit_is_configurable() {
    let dir = TempDir::new("size");
    // 50 MB, over the default limit of 16 MiB: refused without being parsed.
    let sentence = "<p>The same sentence again, to make a very large page.</p>\n";
    let big = sentence.repeat((50 << 20) / sentence.len() + 1);
    let big_path = dir.write("big.html", &big);
    drop(big);
    let run = whosaid(&["extract", &big_path]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_error_line(&run, &big_path, "over the limit");
    assert!(run.elapsed < Duration::from_secs(10), "{:?}", run.elapsed);

    let page = dir.write("page.html", PAGE);
    let small = run_with(&["extract", "--max-bytes", "100", &page], b"", LIMIT);
    assert_eq!(small.code, 1);
    assert_error_line(&small, &page, "over the limit of 100 bytes");
    let enough = whosaid(&["extract", "--max-bytes", "100000", &page]);
    assert_eq!(enough.code, 0, "{}", enough.stderr);
    assert_eq!(enough.records().len(), 1);

    // A gzip bomb is refused by its decompressed size.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&vec![b' '; 4 << 20]).expect("gzip");
    let bomb = dir.write("bomb.html.gz", gz.finish().expect("gzip"));
    let run = whosaid(&["extract", "--max-bytes", "1000000", &bomb]);
    assert_eq!(run.code, 1);
    assert_error_line(&run, &bomb, "over the limit");
}

/// Legacy-encoded or broken UTF-8 still gives a record: the bytes are read
/// in the encoding that fits them.
#[test]
fn invalid_utf8_is_decoded_not_refused() {
    let dir = TempDir::new("latin1");
    let page = PAGE.replace("thirty years", "thirty years at the caf\u{e9}");
    let latin1: Vec<u8> = page.chars().map(|c| c as u32 as u8).collect();
    let path = dir.write("latin1.html", &latin1);
    let run = whosaid(&["extract", &path]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let records = run.records();
    assert!(
        records[0].article.text.contains("caf\u{e9}"),
        "{}",
        records[0].article.text
    );
}

/// Runs one hostile page through the binary: it must finish well within the
/// bound with one record carrying `warning`.
fn hostile(name: &str, page: String, warning: Option<&str>, extra_args: &[&str]) {
    let dir = TempDir::new(name);
    let path = dir.write(&format!("{name}.html"), page);
    let mut args = vec!["extract"];
    args.extend_from_slice(extra_args);
    args.push(&path);
    let run = run_with(&args, b"", Duration::from_secs(30));
    assert_eq!(run.code, 0, "{name}: {}", run.stderr);
    let records = run.records();
    assert_eq!(records.len(), 1);
    if let Some(w) = warning {
        assert!(
            records[0].warnings.iter().any(|x| x.contains(w)),
            "{name}: warnings {:?}",
            records[0].warnings
        );
    }
}

fn deep_page() -> String {
    let n = 100_000;
    format!(
        "<html><body>{}hello{}</body></html>",
        "<div>".repeat(n),
        "</div>".repeat(n)
    )
}

#[test]
fn hostile_nesting_100000_deep() {
    hostile("deep", deep_page(), Some("nested deeper than 512"), &[]);
}

#[test]
fn hostile_nesting_with_lower_limits() {
    hostile(
        "deep-limits",
        deep_page(),
        Some("nested deeper than 4"),
        &["--max-depth", "4", "--max-nodes", "50"],
    );
}

#[test]
fn hostile_million_siblings() {
    hostile(
        "siblings",
        format!(
            "<html><body>{}</body></html>",
            "<span>x</span>".repeat(1_000_000)
        ),
        Some("more than 200000 elements"),
        // The node limit is under test, not the clock: a debug build on a
        // loaded machine can pass the default time limit on this page.
        &["--max-seconds", "none"],
    );
}

/// One 1 MB text node: 5 MB takes about 1.5 s in a release build (measured
/// with `whosaid extract`), too long for a debug test run.
#[test]
fn hostile_large_text_node() {
    hostile(
        "text-node",
        format!(
            "<html><body><article><p>{}</p></article></body></html>",
            "word ".repeat(200_000)
        ),
        None,
        &[],
    );
}

/// Formatting elements left open are re-opened in every later paragraph.
#[test]
fn hostile_unclosed_formatting() {
    let opened: String = (0..500).map(|i| format!("<b id={i}>")).collect();
    hostile(
        "formatting",
        format!(
            "<html><body><p>{opened}</p>{}</body></html>",
            "<p>x</p>".repeat(50_000)
        ),
        Some("formatting elements open"),
        &[],
    );
}

#[test]
fn hostile_attributes() {
    let attributes: String = (0..100_000).map(|i| format!("a{i}=1 ")).collect();
    hostile(
        "attributes",
        format!("<html><body><div {attributes}>hello</div></body></html>"),
        Some("more than 128 attributes"),
        &[],
    );
}

/// `</b>` after a block leaves the block open: each repetition nests deeper.
#[test]
fn hostile_misnested_formatting() {
    hostile(
        "misnested",
        format!(
            "<html><body>{}</body></html>",
            "<b><div>x</b>".repeat(40_000)
        ),
        Some("nested deeper than 512"),
        &[],
    );
}

#[test]
fn several_inputs_one_record_per_line_and_strict() {
    let dir = TempDir::new("several");
    let a = dir.write("a.html", PAGE);
    let b = dir.write(
        "b.txt",
        "A plain text story.\n\nIt has two paragraphs, the second of them a little longer.\n",
    );
    let missing = dir.path("missing.html");

    let run = whosaid(&["extract", &a, &missing, &b]);
    assert_eq!(run.code, 0, "one failure of three is not fatal");
    assert_error_line(&run, &missing, "no such file");
    let records = run.records();
    let paths: Vec<_> = records
        .iter()
        .map(|r| r.source.path.clone().unwrap_or_default())
        .collect();
    assert_eq!(paths, [a.clone(), b.clone()]);
    assert_eq!(run.stdout.lines().count(), 2, "JSON lines, one per record");
    assert_eq!(
        records[1].article.text,
        "A plain text story.\n\nIt has two paragraphs, the second of them a little longer.\n"
    );

    let strict = run_with(&["extract", "--strict", &a, &missing], b"", LIMIT);
    assert_eq!(strict.code, 1, "--strict makes any failure an error");
    assert_eq!(strict.records().len(), 1, "the good input still printed");

    let jsonl = run_with(&["extract", "--format", "jsonl", &a], b"", LIMIT);
    assert_eq!(jsonl.stdout.lines().count(), 1);
    assert_eq!(jsonl.records().len(), 1);
}

#[test]
fn directories_are_walked_recursively_in_sorted_order() {
    let dir = TempDir::new("walk");
    dir.write("pages/b.html", PAGE);
    dir.write(
        "pages/a.txt",
        "Some plain text that is an article of a sort.\n",
    );
    dir.write("pages/sub/c.htm", PAGE);
    dir.write("pages/sub/deeper/d.html.gz", {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(PAGE.as_bytes()).expect("gzip");
        gz.finish().expect("gzip")
    });
    dir.write("pages/ignored.png", b"\x89PNG\r\n\x1a\n");
    dir.write("pages/notes.md", "not a page");
    let root = dir.path("pages");
    let run = whosaid(&["extract", "--format", "jsonl", &root]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let paths: Vec<String> = run
        .records()
        .iter()
        .map(|r| r.source.path.clone().unwrap_or_default())
        .collect();
    let expected: Vec<String> = ["a.txt", "b.html", "sub/c.htm", "sub/deeper/d.html.gz"]
        .iter()
        .map(|p| Path::new(&root).join(p).display().to_string())
        .collect();
    assert_eq!(paths, expected);
}

#[test]
fn stdin_and_text_format() {
    let run = run_with(&["extract", "-"], PAGE.as_bytes(), LIMIT);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let records = run.records();
    assert_eq!(records[0].source.path.as_deref(), Some("-"));
    assert!(records[0]
        .article
        .text
        .contains("The pier reopened on Saturday"));

    let text = run_with(
        &["extract", "--format", "text", "-"],
        PAGE.as_bytes(),
        LIMIT,
    );
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(text.stdout.contains("The pier reopened on Saturday"));
    assert!(!text.stdout.trim_start().starts_with('{'));

    let empty = run_with(&["extract", "-"], b"", LIMIT);
    assert_eq!(empty.code, 1);
    assert_error_line(&empty, "-", "empty");
}

#[test]
fn wrong_arguments_exit_2() {
    for args in [
        &["extract"][..],
        &["extract", "--format", "yaml", "x.html"],
        &["extract", "--max-bytes", "lots", "x.html"],
        &["no-such-command"],
    ] {
        let run = whosaid(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(!run.stderr.is_empty());
    }
}

#[test]
fn demo_prints_a_record_of_the_built_in_example() {
    let run = whosaid(&["demo"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let records = run.records();
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!(r.schema, "whosaid/1");
    assert!(r.article.text.contains("Old Harbour Bridge"));
    for example in ["orchard-frost", "library-sundays", "bridge-opinion"] {
        let run = run_with(&["demo", "--example", example], b"", LIMIT);
        assert_eq!(run.code, 0, "{example}: {}", run.stderr);
        assert_eq!(run.records().len(), 1);
    }
    let text = run_with(&["demo", "--format", "text"], b"", LIMIT);
    assert_eq!(text.code, 0);
    assert!(text
        .stdout
        .starts_with("Council backs £4.2m repair plan for Old Harbour Bridge"));
    // The ledger step: every built-in example in an embedded store, asked
    // who was quoted most.
    assert!(
        text.stdout
            .contains("The ledger: 4 built-in examples stored (4 new)"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("Most quoted (whosaid speakers):"));
    assert!(text.stdout.contains("Harriet Vance"));
}

#[test]
fn demo_keeps_its_ledger_with_db_and_stores_each_example_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let db = db.to_str().unwrap();
    let first = run_with(&["demo", "--format", "text", "--db", db], b"", LIMIT);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(first.stdout.contains("(4 new)"), "{}", first.stdout);
    let again = run_with(&["demo", "--format", "text", "--db", db], b"", LIMIT);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stdout.contains("(0 new)"), "{}", again.stdout);
    assert!(again.stdout.contains("it holds 4 documents"));
    let speakers = run_with(&["speakers", "--db", db, "--format", "csv"], b"", LIMIT);
    assert_eq!(speakers.code, 0, "{}", speakers.stderr);
    assert!(speakers.stdout.contains("Harriet Vance"));
}

#[test]
fn attributions_over_the_limit_are_dropped_with_a_warning() {
    let text: String = (0..60)
        .map(|i| format!("\u{201c}Berth {i} is clear,\u{201d} the harbour master said.\n\n"))
        .collect();
    let capped = run_with(
        &["extract", "--input", "text", "--max-attributions", "7", "-"],
        text.as_bytes(),
        LIMIT,
    );
    assert_eq!(capped.code, 0, "{}", capped.stderr);
    let record = &capped.records()[0];
    assert_eq!(record.attributions.len(), 7);
    record.check_spans().unwrap();
    assert!(
        record
            .warnings
            .iter()
            .any(|w| w.contains("over the limit of 7; the first 7 kept")),
        "{:?}",
        record.warnings
    );
    let whole = run_with(&["extract", "--input", "text", "-"], text.as_bytes(), LIMIT);
    assert_eq!(whole.records()[0].attributions.len(), 60);
}

#[test]
fn max_seconds_cuts_attribution_short_and_fails_a_page_not_yet_extracted() {
    let text: String = (0..30)
        .map(|i| format!("\u{201c}Berth {i} is clear,\u{201d} the harbour master said.\n\n"))
        .collect();
    // A zero limit has passed at the first check, whatever the machine.
    let cut = run_with(
        &["extract", "--input", "text", "--max-seconds", "0", "-"],
        text.as_bytes(),
        LIMIT,
    );
    assert_eq!(cut.code, 0, "{}", cut.stderr);
    let record = &cut.records()[0];
    assert!(record.attributions.is_empty());
    assert!(record.article.text.starts_with("\u{201c}Berth 0 is clear"));
    assert_eq!(
        record.warnings,
        ["time limit of 0 s reached before paragraph 1 of 30; no attributions searched"]
    );

    let page = "<html><body><article><p>\u{201c}The berth is clear,\u{201d} the harbour master said.</p></article></body></html>";
    let failed = run_with(
        &["extract", "--max-seconds", "0", "-"],
        page.as_bytes(),
        LIMIT,
    );
    assert_eq!(failed.code, 1, "{}", failed.stderr);
    assert!(failed.stdout.is_empty());
    assert_eq!(
        failed.error_lines(),
        ["whosaid: -: time limit of 0 s reached while guarding the page; no article extracted"]
    );

    // A generous limit, or none, changes nothing.
    let unlimited = run_with(
        &["extract", "--input", "text", "--max-seconds", "none", "-"],
        text.as_bytes(),
        LIMIT,
    );
    let generous = run_with(
        &["extract", "--input", "text", "--max-seconds", "3600", "-"],
        text.as_bytes(),
        LIMIT,
    );
    assert_eq!(unlimited.records()[0].attributions.len(), 30);
    assert_eq!(generous.stdout, unlimited.stdout);

    let bad = run_with(
        &["extract", "--max-seconds", "soon", "-"],
        page.as_bytes(),
        LIMIT,
    );
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("not a number of seconds"),
        "{}",
        bad.stderr
    );
}
