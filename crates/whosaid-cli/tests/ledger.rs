//! The ledger commands end to end: `ingest` the team's examples and generated
//! pages into a SQLite file, then `query`, `speakers`, `show` and `export`
//! on it, and the ways a user can get them wrong.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{run, sorted_records, stderr, stdout, summary, write_pages};

const GENERATED: usize = 24;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// One ledger shared by the read-only tests: examples, generated pages and
/// one unreadable file, ingested once.
struct Ledger {
    _dir: tempfile::TempDir,
    db: String,
    pages: PathBuf,
    first_run: std::process::Output,
}

fn ledger() -> &'static Ledger {
    static LEDGER: OnceLock<Ledger> = OnceLock::new();
    LEDGER.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let pages = dir.path().join("pages");
        write_pages(&pages, GENERATED);
        // Binary bytes under a page's name: counted as failed, never fatal.
        std::fs::write(
            pages.join("broken.html"),
            [0u8, 159, 146, 150, 0, 1, 2, 3].repeat(64),
        )
        .unwrap();
        let db = dir.path().join("ledger.db").display().to_string();
        let first_run = run(&[
            "ingest",
            "--db",
            &db,
            "--jobs",
            "2",
            examples().to_str().unwrap(),
            pages.to_str().unwrap(),
        ]);
        Ledger {
            _dir: dir,
            db,
            pages,
            first_run,
        }
    })
}

fn example_count() -> u64 {
    std::fs::read_dir(examples())
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            let name = name.to_string_lossy();
            name.ends_with(".html") || name.ends_with(".txt")
        })
        .count() as u64
}

#[test]
fn ingest_stores_every_page_and_reports_the_broken_one() {
    let l = ledger();
    let err = stderr(&l.first_run);
    assert!(l.first_run.status.success(), "{err}");
    assert!(l.first_run.stdout.is_empty(), "stdout must stay empty");
    let [read, stored, duplicates, failed] = summary(&err);
    let expected = example_count() + GENERATED as u64;
    // The broken file is read, then refused by extraction.
    assert_eq!(
        (read, stored, duplicates, failed),
        (expected + 1, expected, 0, 1),
        "{err}"
    );
    let broken = l.pages.join("broken.html").display().to_string();
    assert!(
        err.lines()
            .any(|line| line.starts_with(&format!("whosaid: {broken}: "))),
        "the failure names the file: {err}"
    );
    assert!(err.contains("docs/s"), "{err}");
    assert_eq!(sorted_records(&l.db).len() as u64, expected);
}

#[test]
fn a_rerun_finds_everything_stored() {
    let l = ledger();
    assert!(l.first_run.status.success());
    let before = sorted_records(&l.db);
    let again = run(&[
        "ingest",
        "--db",
        &l.db,
        examples().to_str().unwrap(),
        l.pages.to_str().unwrap(),
    ]);
    let err = stderr(&again);
    assert!(again.status.success(), "{err}");
    let [read, stored, duplicates, failed] = summary(&err);
    assert_eq!(stored, 0, "{err}");
    assert_eq!(duplicates, read - 1, "{err}");
    assert_eq!(failed, 1, "{err}");
    assert_eq!(sorted_records(&l.db), before);
    // --strict turns the one failure into a failed run.
    let strict = run(&[
        "ingest",
        "--db",
        &l.db,
        "--strict",
        l.pages.to_str().unwrap(),
    ]);
    assert_eq!(strict.status.code(), Some(1), "{}", stderr(&strict));
}

#[test]
fn query_finds_a_generated_speaker_in_every_format() {
    let l = ledger();
    let who = common::speaker(3);
    let o = run(&[
        "query",
        "--db",
        &l.db,
        "--speaker",
        &who,
        "--format",
        "json",
        "--limit",
        "100",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(!rows.is_empty(), "no rows for {who}");
    for row in &rows {
        assert_eq!(row["speaker"], who.as_str(), "{row}");
    }
    let pages_quoting = (0..GENERATED)
        .filter(|&i| common::speaker(i) == who)
        .count();
    let documents: std::collections::BTreeSet<i64> = rows
        .iter()
        .map(|r| r["document"].as_i64().unwrap())
        .collect();
    assert_eq!(documents.len(), pages_quoting, "{rows:?}");

    let jsonl = run(&[
        "query",
        "--db",
        &l.db,
        "--speaker",
        &who,
        "--format",
        "jsonl",
        "--limit",
        "100",
    ]);
    assert_eq!(stdout(&jsonl).lines().count(), rows.len());

    let csv_out = run(&[
        "query",
        "--db",
        &l.db,
        "--speaker",
        &who,
        "--format",
        "csv",
        "--limit",
        "100",
    ]);
    let mut reader = csv::Reader::from_reader(csv_out.stdout.as_slice());
    assert_eq!(&reader.headers().unwrap()[3], "speaker");
    assert_eq!(reader.records().count(), rows.len());

    let table = run(&["query", "--db", &l.db, "--speaker", &who, "--limit", "100"]);
    let text = stdout(&table);
    assert!(text.starts_with("DATE"), "{text}");
    assert_eq!(text.lines().count(), rows.len() + 1, "{text}");
    assert!(
        text.lines().all(|line| line.chars().count() <= 80),
        "{text}"
    );

    let limited = run(&["query", "--db", &l.db, "--format", "jsonl", "--limit", "3"]);
    assert_eq!(stdout(&limited).lines().count(), 3);
}

#[test]
fn query_narrows_by_stance_site_and_date() {
    let l = ledger();
    let rows = |extra: &[&str]| -> Vec<serde_json::Value> {
        let mut args = vec![
            "query", "--db", &l.db, "--format", "json", "--limit", "1000",
        ];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_str(&stdout(&o)).unwrap()
    };
    let all = rows(&[]);
    let denies = rows(&["--stance", "denies"]);
    assert!(!denies.is_empty() && denies.len() < all.len());
    assert!(denies.iter().all(|r| r["stance"] == "denies"));
    let site = rows(&["--site", "castlemere gazette"]);
    assert!(!site.is_empty());
    assert!(
        site.iter().all(|r| r["site"] == "Castlemere Gazette"),
        "{site:?}"
    );
    let fences = rows(&["--about", "summer fences"]);
    assert!(!fences.is_empty());
    for r in &fences {
        let content = r["content"].as_str().unwrap().to_lowercase();
        assert!(
            content.contains("summer") && content.contains("fences"),
            "{content}"
        );
    }
    let direct = rows(&["--kind", "direct"]);
    assert!(!direct.is_empty() && direct.len() < all.len());
    assert!(direct.iter().all(|r| r["kind"] == "direct"));
    let january = rows(&["--since", "2025-01-01", "--until", "2025-01-31"]);
    assert!(!january.is_empty());
    for r in &january {
        let date = r["published"].as_str().unwrap();
        assert!(date.starts_with("2025-01-"), "{date}");
    }
}

#[test]
fn a_malformed_date_is_refused_with_exit_2() {
    let l = ledger();
    for bad in ["2025-02-30", "last week", "2025/01/01"] {
        let o = run(&["query", "--db", &l.db, "--since", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        let err = stderr(&o);
        assert!(err.contains("YYYY-MM-DD") && err.contains(bad), "{err}");
    }
    let o = run(&["query", "--db", &l.db, "--stance", "shouted"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("denies"), "{}", stderr(&o));
}

#[test]
fn speakers_lists_the_most_quoted_with_stances() {
    let l = ledger();
    let o = run(&[
        "speakers", "--db", &l.db, "--format", "json", "--limit", "100",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let speakers: Vec<serde_json::Value> = serde_json::from_str(&stdout(&o)).unwrap();
    let counts: Vec<u64> = speakers
        .iter()
        .map(|s| s["attributions"].as_u64().unwrap())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    let who = common::speaker(3);
    let entry = speakers
        .iter()
        .find(|s| s["name"] == who.as_str())
        .unwrap_or_else(|| panic!("{who} missing from {speakers:?}"));
    let stance_total: u64 = entry["stances"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(stance_total, entry["attributions"].as_u64().unwrap());

    let csv_out = run(&[
        "speakers", "--db", &l.db, "--format", "csv", "--limit", "100",
    ]);
    let mut reader = csv::Reader::from_reader(csv_out.stdout.as_slice());
    assert_eq!(&reader.headers().unwrap()[5], "asserts");
    assert_eq!(reader.records().count(), speakers.len());

    let table = run(&["speakers", "--db", &l.db, "--name", &who]);
    let text = stdout(&table);
    assert!(text.starts_with("SPEAKER"), "{text}");
    assert!(text.contains(&who), "{text}");
}

#[test]
fn show_marks_the_article_by_id_and_by_hash_prefix() {
    let l = ledger();
    let o = run(&[
        "query",
        "--db",
        &l.db,
        "--speaker",
        &common::speaker(5),
        "--format",
        "json",
    ]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&o)).unwrap();
    let id = rows[0]["document"].as_i64().unwrap().to_string();
    let shown = run(&["show", "--db", &l.db, &id]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    let text = stdout(&shown);
    assert!(text.contains("council to reopen"), "{text}");
    assert!(!text.contains('\x1b'), "no colours when not a terminal");
    assert!(
        text.contains(&format!(":{}]", common::speaker(5))),
        "{text}"
    );
    assert!(text.contains("Attributions ("), "{text}");

    let sha = text
        .lines()
        .find_map(|l| l.split("sha256 ").nth(1))
        .map(|rest| rest[..12].to_string())
        .unwrap();
    let by_hash = run(&["show", "--db", &l.db, "--color", "always", &sha]);
    assert!(by_hash.status.success(), "{}", stderr(&by_hash));
    assert!(stdout(&by_hash).contains("\x1b["));
    assert!(stdout(&by_hash).contains(&format!("document {id} ")));

    let missing = run(&["show", "--db", &l.db, "999999"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("999999"), "{}", stderr(&missing));
}

#[test]
fn export_writes_records_rows_and_parquet_tables_that_agree() {
    let l = ledger();
    let records = sorted_records(&l.db);
    let attributions: usize = records
        .iter()
        .map(|line| {
            let r: whosaid::Record = serde_json::from_str(line).unwrap();
            r.check_spans().unwrap();
            r.attributions.len()
        })
        .sum();
    assert!(attributions > 0);

    let csv_out = run(&["export", "--db", &l.db, "--format", "csv"]);
    assert!(csv_out.status.success(), "{}", stderr(&csv_out));
    let mut reader = csv::Reader::from_reader(csv_out.stdout.as_slice());
    assert_eq!(reader.records().count(), attributions);

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tables");
    let o = run(&[
        "export",
        "--db",
        &l.db,
        "--format",
        "parquet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = |name: &str| {
        use parquet::file::reader::FileReader;
        let file = std::fs::File::open(out.join(name)).unwrap();
        let reader = parquet::file::reader::SerializedFileReader::new(file).unwrap();
        reader.metadata().file_metadata().num_rows() as usize
    };
    assert_eq!(rows("documents.parquet"), records.len());
    assert_eq!(rows("attributions.parquet"), attributions);
    assert!(!out.join("documents.parquet.partial").exists());

    let to_file = dir.path().join("rows.jsonl");
    let who = common::speaker(3);
    let o = run(&[
        "export",
        "--db",
        &l.db,
        "--format",
        "jsonl",
        "--speaker",
        &who,
        "--out",
        to_file.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let written = std::fs::read_to_string(&to_file).unwrap();
    assert!(written.lines().count() > 0);
    for line in written.lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(row["speaker"], who.as_str());
    }

    // With query flags, only the matching attributions and their documents.
    let chosen = dir.path().join("chosen");
    let o = run(&[
        "export",
        "--db",
        &l.db,
        "--format",
        "parquet",
        "--speaker",
        &who,
        "--out",
        chosen.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let matched: Vec<serde_json::Value> = written
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let documents: std::collections::BTreeSet<i64> = matched
        .iter()
        .map(|r| r["document"].as_i64().unwrap())
        .collect();
    let rows_in = |dir: &Path, name: &str| {
        use parquet::file::reader::FileReader;
        let file = std::fs::File::open(dir.join(name)).unwrap();
        let reader = parquet::file::reader::SerializedFileReader::new(file).unwrap();
        reader.metadata().file_metadata().num_rows() as usize
    };
    assert_eq!(rows_in(&chosen, "documents.parquet"), documents.len());
    assert_eq!(rows_in(&chosen, "attributions.parquet"), matched.len());

    let no_dir = run(&["export", "--db", &l.db, "--format", "parquet"]);
    assert_eq!(no_dir.status.code(), Some(2));
    assert!(stderr(&no_dir).contains("--out"), "{}", stderr(&no_dir));
}

#[test]
fn a_database_that_is_a_text_file_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    let content = "shopping: eggs, flour, a new ledger\n".repeat(20);
    std::fs::write(&notes, &content).unwrap();
    let name = notes.to_str().unwrap();
    for args in [
        vec!["ingest", "--db", name, examples().to_str().unwrap()],
        vec!["query", "--db", name],
        vec!["export", "--db", name, "--format", "jsonl"],
    ] {
        let o = run(&args);
        assert!(!o.status.success(), "{args:?}");
        let err = stderr(&o);
        assert!(err.contains(name), "{args:?}: {err}");
        assert!(o.stdout.is_empty());
        assert_eq!(std::fs::read_to_string(&notes).unwrap(), content);
    }
}

#[test]
fn two_shards_store_what_one_run_stores() {
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("pages");
    write_pages(&pages, 9);
    let pages = pages.to_str().unwrap();
    let whole = dir.path().join("whole.db").display().to_string();
    let split = dir.path().join("split.db").display().to_string();
    let o = run(&["ingest", "--db", &whole, pages]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut stored_by_shards = 0;
    for shard in ["0/2", "1/2"] {
        let o = run(&["ingest", "--db", &split, "--shard", shard, pages]);
        assert!(o.status.success(), "{}", stderr(&o));
        let [_, stored, duplicates, _] = summary(&stderr(&o));
        assert_eq!(duplicates, 0, "shards overlap");
        stored_by_shards += stored;
    }
    assert_eq!(stored_by_shards, 9);
    assert_eq!(sorted_records(&whole), sorted_records(&split));

    let bad = run(&["ingest", "--db", &split, "--shard", "2/2", pages]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("0 <= I < N"), "{}", stderr(&bad));
}

#[test]
fn ingest_with_no_readable_input_fails() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("l.db").display().to_string();
    let missing = dir.path().join("nowhere.html").display().to_string();
    let o = run(&["ingest", "--db", &db, &missing]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains(&format!("whosaid: {missing}: ")), "{err}");
    assert_eq!(summary(&err), [0, 0, 0, 1]);
}

#[test]
fn exported_records_ingest_back_into_the_same_ledger() {
    let l = ledger();
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("ledger.jsonl");
    let o = run(&[
        "export",
        "--db",
        &l.db,
        "--format",
        "jsonl",
        "--out",
        records.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let copy = dir.path().join("copy.db").display().to_string();
    let o = run(&["ingest", "--db", &copy, records.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    let expected = sorted_records(&l.db);
    let n = expected.len() as u64;
    assert_eq!(summary(&err), [n, n, 0, 0], "{err}");
    assert_eq!(sorted_records(&copy), expected);
}

#[test]
fn reading_a_missing_ledger_is_an_error_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("ledgr.db");
    let name = typo.to_str().unwrap();
    for args in [
        vec!["query", "--db", name],
        vec!["speakers", "--db", name],
        vec!["show", "--db", name, "1"],
        vec!["export", "--db", name, "--format", "csv"],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&o).contains(&format!("{name}: no such ledger")),
            "{}",
            stderr(&o)
        );
        assert!(!typo.exists(), "{args:?} created the database");
    }
}
