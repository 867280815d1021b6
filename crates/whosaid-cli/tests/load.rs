//! `whosaid load` end to end: a ledger exported as Parquet and loaded into a
//! fresh one answers the same questions; loading twice stores nothing new;
//! a bad file is reported by name and the run goes on.

mod common;

use std::path::{Path, PathBuf};

use common::{run, sorted_records, stderr, stdout, summary, write_pages};

const PAGES: usize = 12;

/// A ledger of the generated pages and the team's examples, and its export.
struct Exported {
    dir: tempfile::TempDir,
    db: String,
    tables: PathBuf,
}

fn exported() -> Exported {
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("pages");
    write_pages(&pages, PAGES);
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let db = dir.path().join("source.db").display().to_string();
    let o = run(&[
        "ingest",
        "--db",
        &db,
        "--jobs",
        "2",
        pages.to_str().unwrap(),
        examples.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let tables = dir.path().join("tables");
    let o = run(&[
        "export",
        "--db",
        &db,
        "--format",
        "parquet",
        "--out",
        tables.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    Exported { dir, db, tables }
}

/// The answers a user sees: a speaker's quotes, a word search and the
/// speaker listing, as JSON.
fn answers(db: &str) -> Vec<String> {
    let asks: &[&[&str]] = &[
        &["query", "--speaker", "Halvorsen", "--limit", "100"],
        &["query", "--about", "council", "--limit", "100"],
        &["query", "--stance", "denies", "--limit", "100"],
        &["speakers", "--limit", "100"],
    ];
    asks.iter()
        .map(|ask| {
            let mut args = ask.to_vec();
            args.extend(["--db", db, "--format", "json"]);
            let o = run(&args);
            assert!(o.status.success(), "{ask:?}: {}", stderr(&o));
            stdout(&o)
        })
        .collect()
}

#[test]
fn export_then_load_gives_a_ledger_with_the_same_answers_and_twice_stores_nothing_new() {
    let e = exported();
    let fresh = e.dir.path().join("fresh.db").display().to_string();
    let o = run(&["load", "--db", &fresh, e.tables.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let documents = sorted_records(&e.db).len() as u64;
    assert_eq!(summary(&stderr(&o)), [documents, documents, 0, 0]);

    assert_eq!(sorted_records(&fresh), sorted_records(&e.db));
    let before = answers(&e.db);
    assert!(before[0].contains("Halvorsen"), "{}", before[0]);
    assert_eq!(answers(&fresh), before);

    // Again, with a small batch: every document is already stored.
    let o = run(&[
        "load",
        "--db",
        &fresh,
        "--batch",
        "3",
        e.tables.join("documents.parquet").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(summary(&stderr(&o)), [documents, 0, documents, 0]);
    assert_eq!(answers(&fresh), before);
}

#[test]
fn a_bad_file_is_named_and_the_run_goes_on() {
    let e = exported();
    let documents = sorted_records(&e.db).len() as u64;
    let junk = e.dir.path().join("junk.parquet");
    std::fs::write(&junk, b"PAR1 this is not a parquet file PAR1").unwrap();
    let attributions = e.tables.join("attributions.parquet");
    let good = e.tables.join("documents.parquet");
    let fresh = e.dir.path().join("fresh.db").display().to_string();
    let o = run(&[
        "load",
        "--db",
        &fresh,
        junk.to_str().unwrap(),
        attributions.to_str().unwrap(),
        good.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains(&format!(
            "whosaid: {}: not a readable Parquet file",
            junk.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "whosaid: {}: not a documents table: no `record` column",
            attributions.display()
        )),
        "{err}"
    );
    assert_eq!(summary(&err), [documents, documents, 0, 2]);
    assert_eq!(sorted_records(&fresh), sorted_records(&e.db));

    let strict = run(&["load", "--db", &fresh, "--strict", junk.to_str().unwrap()]);
    assert_eq!(strict.status.code(), Some(1), "{}", stderr(&strict));
    let missing = run(&["load", "--db", &fresh, "/no/such/tables"]);
    assert_eq!(missing.status.code(), Some(1), "{}", stderr(&missing));
    assert!(stderr(&missing).contains("/no/such/tables"));
    assert!(!stderr(&missing).contains("panicked"));
}

#[test]
fn a_spark_style_partitioned_tree_is_walked_and_its_attributions_table_skipped() {
    let e = exported();
    let tree = e.dir.path().join("spark");
    let place = |from: &str, to: &str| {
        let to = tree.join(to);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(e.tables.join(from), to).unwrap();
    };
    // The same part twice under two partitions: its documents are stored once.
    place(
        "documents.parquet",
        "documents/host=a.example/part-00000.parquet",
    );
    place(
        "documents.parquet",
        "documents/host=b.example/part-00001.parquet",
    );
    place(
        "attributions.parquet",
        "attributions/host=a.example/part-00000.parquet",
    );
    std::fs::write(tree.join("documents/_SUCCESS"), b"").unwrap();
    let fresh = e.dir.path().join("fresh.db").display().to_string();
    let o = run(&["load", "--db", &fresh, tree.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let documents = sorted_records(&e.db).len() as u64;
    assert_eq!(
        summary(&stderr(&o)),
        [2 * documents, documents, documents, 0]
    );
    assert_eq!(sorted_records(&fresh), sorted_records(&e.db));
}

#[test]
fn a_row_whose_record_is_damaged_is_counted_and_the_rest_stored() {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};

    let e = exported();
    let good: String = sorted_records(&e.db).swap_remove(0);
    let mut bad_spans: serde_json::Value = serde_json::from_str(&good).unwrap();
    bad_spans["article"]["text"] = "changed after the spans were computed".into();
    let rows = StringArray::from(vec![
        Some("{not json"),
        None,
        Some(bad_spans.to_string().as_str()),
        Some(good.as_str()),
    ]);
    let schema = Arc::new(Schema::new(vec![Field::new(
        "record",
        DataType::Utf8,
        true,
    )]));
    let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(rows) as ArrayRef]).unwrap();
    let path = e.dir.path().join("rows.parquet");
    let mut w =
        parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), schema, None)
            .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();

    let fresh = e.dir.path().join("fresh.db").display().to_string();
    let o = run(&["load", "--db", &fresh, path.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    let name = path.display();
    assert!(
        err.contains(&format!("{name} row 1: not a whosaid/1 record")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{name} row 2: `record` is null")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{name} row 3: record's spans do not match")),
        "{err}"
    );
    assert_eq!(summary(&err), [4, 1, 0, 3]);
}

#[test]
fn postgres_ledger_loaded_from_parquet_answers_as_the_source_and_twice_stores_nothing_new() {
    let Some(server) = common::postgres::postgres_server() else {
        return;
    };
    let e = exported();
    let mut databases = common::postgres::Databases::new(server, "load");
    let db = databases.create("fresh");
    let tables = e.tables.to_str().unwrap();
    let documents = sorted_records(&e.db).len() as u64;
    let o = run(&["load", "--db", &db, tables]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(summary(&stderr(&o)), [documents, documents, 0, 0]);
    assert_eq!(sorted_records(&db), sorted_records(&e.db));
    assert_eq!(answers(&db), answers(&e.db));
    let o = run(&["load", "--db", &db, tables]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(summary(&stderr(&o)), [documents, 0, documents, 0]);
}
