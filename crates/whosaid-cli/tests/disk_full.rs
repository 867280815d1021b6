//! A SQLite ledger whose writes start failing in the middle of an ingest
//! (the disk is full, or the file may grow no further): the run must stop
//! with a clear error naming the database, without a panic, and leave the
//! ledger intact: every document stored before still there, no document
//! stored without all its attributions, and a later run with room to write
//! completes it, each document once.
//!
//! Writes fail for real, two ways:
//! - a file size limit (RLIMIT_FSIZE, with SIGXFSZ ignored so that write()
//!   fails with EFBIG instead of the process being killed) set on the
//!   ingest process alone: works anywhere, unprivileged;
//! - a small tmpfs (ENOSPC, a truly full file system) where this process
//!   may mount one (root outside a locked-down container); where it may not,
//!   that variant says so and the other still runs.

mod common;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{run, sorted_records, stderr, summary, whosaid};

/// Pages in the ledger before the failing run, and pages that run adds.
const BEFORE: usize = 40;
const MORE: usize = 300;

fn ingest(db: &str, corpus: &str) -> Command {
    let mut command = whosaid();
    // Small batches: many transactions, so that the failure lands after
    // some of them were stored.
    command.args(["ingest", "--db", db, "--batch", "8", "--jobs", "2", corpus]);
    command
}

/// Checks what a write failure must leave behind: a sound file with every
/// earlier document and only whole documents. Returns how many are stored.
fn check_intact(db: &str, before: &[String]) -> usize {
    let conn = rusqlite::Connection::open(db).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(integrity, "ok", "{db}");
    // A document's attribution rows are written in its transaction: a
    // count that disagrees is a half-stored document.
    let half_stored: i64 = conn
        .query_row(
            "SELECT count(*) FROM documents d WHERE d.attribution_count != \
             (SELECT count(*) FROM attributions a WHERE a.document_id = d.id)",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(
        half_stored, 0,
        "{db}: documents without all their attributions"
    );
    let (documents, distinct): (i64, i64) = conn
        .query_row(
            "SELECT count(*), count(DISTINCT sha256) FROM documents",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!(documents, distinct, "{db}: a document stored twice");
    drop(conn);
    let now = sorted_records(db);
    for record in before {
        assert!(
            now.binary_search(record).is_ok(),
            "{db}: a document stored before the failure changed or went"
        );
    }
    now.len()
}

/// The run that hit the failure: stopped cleanly, saying why.
fn check_stopped(out: &Output, db: &str, cause: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(out.stdout.is_empty());
    assert!(!err.contains("panicked"), "{err}");
    let stopped = err
        .lines()
        .find(|l| l.starts_with("whosaid: stopped: "))
        .unwrap_or_else(|| panic!("no stop line in {err}"));
    assert!(
        stopped.contains(db),
        "the error names the database: {stopped}"
    );
    assert!(
        cause.iter().any(|c| stopped.contains(c)),
        "the error says why ({cause:?}): {stopped}"
    );
    let [_, stored, _, _] = summary(&err);
    assert!(stored < MORE as u64, "{err}");
    eprintln!("{stopped}");
}

/// A ledger of the first pages, the rest as a second corpus, and the ledger
/// one uninterrupted run of both makes, to compare with at the end.
struct Setup {
    more: String,
    before: Vec<String>,
    expected: Vec<String>,
}

fn setup(work: &Path, db: &str) -> Setup {
    let first = common::page_warc(&work.join("first.warc.gz"), 0..BEFORE);
    let more = common::page_warc(&work.join("more.warc.gz"), BEFORE..BEFORE + MORE);
    let out = ingest(db, &first).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let before = sorted_records(db);
    assert_eq!(before.len(), BEFORE);

    let reference = work.join("reference.db").display().to_string();
    for corpus in [&first, &more] {
        let out = ingest(&reference, corpus).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let expected = sorted_records(&reference);
    assert_eq!(expected.len(), BEFORE + MORE);
    Setup {
        more,
        before,
        expected,
    }
}

/// With room again, the same command completes the ledger: each document
/// once, the same records as the uninterrupted run.
fn check_completed(db: &str, setup: &Setup, stored_before: usize) {
    let out = run(&["ingest", "--db", db, "--batch", "8", &setup.more]);
    assert!(out.status.success(), "{}", stderr(&out));
    let [read, stored, duplicates, failed] = summary(&stderr(&out));
    assert_eq!((read, failed), (MORE as u64, 0), "{}", stderr(&out));
    assert_eq!((stored + duplicates) as usize, MORE, "{}", stderr(&out));
    assert_eq!(stored as usize, BEFORE + MORE - stored_before);
    assert_eq!(check_intact(db, &setup.before), BEFORE + MORE);
    assert!(
        sorted_records(db) == setup.expected,
        "{db}: the ledger differs from an uninterrupted run's"
    );
}

fn file_size(path: &str) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

#[test]
fn a_file_size_limit_mid_ingest_stops_it_cleanly_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db").display().to_string();
    let setup = setup(dir.path(), &db);

    // Room for a few batches in the write-ahead log, not for 300 pages.
    let limit = file_size(&db) + 96 * 1024;
    let mut limited = ingest(&db, &setup.more);
    // SAFETY: between fork and exec only async-signal-safe calls (signal,
    // setrlimit), on this child's own settings.
    unsafe {
        limited.pre_exec(move || {
            if libc::signal(libc::SIGXFSZ, libc::SIG_IGN) == libc::SIG_ERR {
                return Err(std::io::Error::last_os_error());
            }
            let rlimit = libc::rlimit {
                rlim_cur: limit as libc::rlim_t,
                rlim_max: limit as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &rlimit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = limited.output().unwrap();
    // SQLite alone would say "disk I/O error"; the store adds the OS's reason.
    check_stopped(&out, &db, &["File too large"]);
    let stored = check_intact(&db, &setup.before);
    eprintln!(
        "file size limit {limit} bytes: {} of {MORE} new documents stored before it",
        stored - BEFORE
    );
    assert!(stored < BEFORE + MORE);
    check_completed(&db, &setup, stored);
}

/// A tmpfs mounted on `path`, unmounted when dropped.
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(path: &Path, bytes: u64) -> Result<Mount, String> {
        std::fs::create_dir_all(path).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={bytes}")])
            .arg("tmpfs")
            .arg(path)
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !out.status.success() {
            return Err(format!("mount -t tmpfs failed: {}", stderr(&out).trim()));
        }
        Ok(Mount(path.to_path_buf()))
    }

    fn resize(&self, bytes: u64) {
        let out = Command::new("mount")
            .args(["-o", &format!("remount,size={bytes}")])
            .arg(&self.0)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Free space on the small file system: a few batches' worth.
const ROOM: u64 = 768 * 1024;

#[test]
fn a_full_file_system_mid_ingest_stops_it_cleanly_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("ledger.db").display().to_string();
    let setup = setup(dir.path(), &outside);

    // The ledger moved onto a file system with little room left. (Its
    // write-ahead log was merged back when the last connection closed.)
    let size = file_size(&outside);
    let mount = match Mount::tmpfs(&dir.path().join("small"), size + ROOM) {
        Ok(mount) => mount,
        Err(why) => {
            // The file size variant has made writes fail already; this one
            // needs a mount, which a container may forbid.
            eprintln!("skipping the tmpfs variant: {why}");
            return;
        }
    };
    let db = mount.0.join("ledger.db").display().to_string();
    std::fs::copy(&outside, &db).unwrap();

    let out = ingest(&db, &setup.more).output().unwrap();
    check_stopped(&out, &db, &["disk is full"]);
    let stored = check_intact(&db, &setup.before);
    eprintln!(
        "tmpfs of {} bytes: {} of {MORE} new documents stored before it was full",
        size + ROOM,
        stored - BEFORE
    );
    assert!(stored < BEFORE + MORE);

    mount.resize(256 * 1024 * 1024);
    check_completed(&db, &setup, stored);
}
