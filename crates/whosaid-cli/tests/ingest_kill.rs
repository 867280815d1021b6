//! Crash safety of `whosaid ingest`: killed (SIGKILL) at random moments and
//! then run to the end, it must leave every document stored exactly once,
//! each with all its attributions: the same ledger as one uninterrupted run.
//!
//! The corpus is a WARC file of generated fictional pages. The kill moments
//! come from a fixed seed, spread over the time one whole run takes, so a
//! failure can be replayed.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::postgres::{admin, postgres_server, Databases};
use common::{run, sorted_records, stderr, stdout, summary, whosaid};

const PAGES: usize = 120;
const KILLS: usize = 20;
const SEED: u64 = 0x5eed_1e55_ab1e;

/// xorshift64*: a small, seeded source of kill moments (no dependency).
struct Moments(u64);

impl Moments {
    fn next_fraction(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn ingest_args<'a>(db: &'a str, corpus: &'a str) -> Vec<&'a str> {
    // Small batches: many transactions per run, so that kills land between
    // and inside them.
    vec!["ingest", "--db", db, "--batch", "8", "--jobs", "2", corpus]
}

/// Attribution rows per document, counted from the attribution tables (not
/// the stored record), so that a document stored without its attributions
/// would show.
fn attribution_rows(db: &str) -> usize {
    let o = run(&["export", "--db", db, "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    csv::Reader::from_reader(o.stdout.as_slice())
        .records()
        .count()
}

/// Rounds of kills, each into a fresh database; the documents a round's
/// first kills leave undone shrink fast, so later kills in a round wait less.
const ROUNDS: usize = 4;
const KILLS_PER_ROUND: usize = KILLS / ROUNDS;

/// Kills ingest runs into fresh databases made by `fresh_db` at seeded
/// moments, finishes each with one whole run, and compares the ledger with
/// `reference_db`'s.
fn kill_and_finish(
    corpus: &str,
    reference_db: &str,
    fresh_db: &mut dyn FnMut(usize) -> String,
    full_run: Duration,
) {
    let expected = sorted_records(reference_db);
    assert_eq!(expected.len(), PAGES);
    let expected_rows = attribution_rows(reference_db);
    let mut moments = Moments(SEED);
    let mut killed_while_running = 0;
    for round in 0..ROUNDS {
        let killed_db = fresh_db(round);
        for k in 0..KILLS_PER_ROUND {
            // Each kill lets about half of what is left be stored, so the
            // window shrinks with it to keep landing while work remains.
            let window = full_run.mul_f64(0.6f64.powi(k as i32));
            let delay = window.mul_f64(moments.next_fraction());
            let mut child = whosaid()
                .args(ingest_args(&killed_db, corpus))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(delay);
            if child.try_wait().unwrap().is_none() {
                killed_while_running += 1;
            }
            // SIGKILL on Unix: no destructor runs, only the database's own
            // recovery.
            let _ = child.kill();
            child.wait().unwrap();
        }
        let finish = run(&ingest_args(&killed_db, corpus));
        assert!(finish.status.success(), "{}", stderr(&finish));
        let [read, _, _, failed] = summary(&stderr(&finish));
        assert_eq!((read, failed), (PAGES as u64, 0), "{}", stderr(&finish));

        let got = sorted_records(&killed_db);
        let mut hashes: Vec<String> = got
            .iter()
            .map(|line| {
                let r: serde_json::Value = serde_json::from_str(line).unwrap();
                r["source"]["sha256"].as_str().unwrap().to_string()
            })
            .collect();
        hashes.sort();
        hashes.dedup();
        assert_eq!(hashes.len(), PAGES, "round {round}: a document is missing");
        assert_eq!(
            got.len(),
            PAGES,
            "round {round}: a document is stored twice"
        );
        assert!(
            got == expected,
            "round {round}: the ledger differs from one whole run"
        );
        assert_eq!(attribution_rows(&killed_db), expected_rows, "round {round}");
    }
    eprintln!(
        "{killed_while_running} of {KILLS} kills landed while ingest ran (one whole run: {:.1} s)",
        full_run.as_secs_f64()
    );
    assert!(
        killed_while_running >= KILLS / 4,
        "only {killed_while_running} of {KILLS} kills landed while ingest ran"
    );
}

#[test]
fn sqlite_ledger_survives_kills() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = common::page_warc(&dir.path().join("corpus.warc.gz"), 0..PAGES);
    let corpus = corpus.as_str();
    let reference = dir.path().join("reference.db").display().to_string();

    let started = Instant::now();
    let whole = run(&ingest_args(&reference, corpus));
    let full_run = started.elapsed();
    assert!(whole.status.success(), "{}", stderr(&whole));
    assert!(stdout(&whole).is_empty());
    assert_eq!(
        summary(&stderr(&whole)),
        [PAGES as u64, PAGES as u64, 0, 0],
        "{}",
        stderr(&whole)
    );
    let mut fresh = |round: usize| {
        dir.path()
            .join(format!("killed-{round}.db"))
            .display()
            .to_string()
    };
    kill_and_finish(corpus, &reference, &mut fresh, full_run);
}

#[test]
fn postgres_ledger_survives_kills() {
    let Some(server) = postgres_server() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let corpus = common::page_warc(&dir.path().join("corpus.warc.gz"), 0..PAGES);
    let corpus = corpus.as_str();
    let databases = std::cell::RefCell::new(Databases::new(server, "kill"));
    let reference = databases.borrow_mut().create("reference");

    let started = Instant::now();
    let whole = run(&ingest_args(&reference, corpus));
    let full_run = started.elapsed();
    assert!(whole.status.success(), "{}", stderr(&whole));
    assert_eq!(
        summary(&stderr(&whole)),
        [PAGES as u64, PAGES as u64, 0, 0],
        "{}",
        stderr(&whole)
    );
    let mut fresh = |round: usize| databases.borrow_mut().create(&format!("round{round}"));
    kill_and_finish(corpus, &reference, &mut fresh, full_run);
}

#[test]
fn postgres_going_away_is_retried_then_stops_the_run_cleanly() {
    let Some(server) = postgres_server() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let corpus = common::page_warc(&dir.path().join("corpus.warc.gz"), 0..PAGES);
    let corpus = corpus.as_str();
    let mut databases = Databases::new(server.clone(), "kill");

    // Connections cut mid-run: the pool reconnects (or the batch is
    // retried) and the run completes with everything stored.
    let cut = databases.create("cut");
    let name = databases.names.last().unwrap().clone();
    let child = whosaid()
        .args([
            "ingest", "--db", &cut, "--batch", "8", "--jobs", "1", corpus,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(600));
    admin(
        &server,
        &format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"),
    );
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(sorted_records(&cut).len(), PAGES);

    // The database gone for good: a few retries, then exit 1 with the
    // reason, and nothing on standard output.
    let gone = databases.create("gone");
    let name = databases.names.last().unwrap().clone();
    let child = whosaid()
        .args([
            "ingest", "--db", &gone, "--batch", "8", "--jobs", "1", corpus,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(600));
    admin(&server, &format!("DROP DATABASE {name} WITH (FORCE)"));
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(out.stdout.is_empty());
    assert!(err.contains("retrying in"), "{err}");
    assert!(err.contains("whosaid: stopped: "), "{err}");
    let [_, stored, _, _] = summary(&err);
    assert!(stored < PAGES as u64, "{err}");
}
