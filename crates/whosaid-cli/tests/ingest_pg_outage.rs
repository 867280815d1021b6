//! PostgreSQL stopped in the middle of `whosaid ingest` and started again.
//!
//! The run must report the outage (standard error names the server and the
//! problem, no panic) and then either go on once the server is back or stop
//! cleanly with exit code 1; the same command run again afterwards must
//! leave every document stored exactly once, each with all its
//! attributions: the ledger one uninterrupted run makes.
//!
//! The test starts its own server (`scripts/postgres-test-server.sh`) in a
//! directory of its own, since it stops it: never the shared test server.
//! Without PostgreSQL installed it skips, saying why, except in CI.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use common::{run, sorted_records, stderr, summary, whosaid};

const PAGES: usize = 300;
/// Documents stored before the server is stopped: a few batches in.
const STOP_AFTER: i64 = 24;
/// Longer than any run here takes, outage and retries included: a run
/// still going after it has hung.
const RUN_LIMIT: Duration = Duration::from_secs(300);

/// The directory of the newest PostgreSQL's programs (Debian's layout, as
/// the script looks for them), if any.
fn postgres_bin() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("bin"))
        .filter(|bin| bin.join("pg_ctl").is_file() && bin.join("initdb").is_file())
        .collect();
    // Version directories are numbers ("15", "16"): the highest wins.
    found.sort_by_key(|bin| {
        bin.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
    });
    found.pop()
}

/// A PostgreSQL server of this test's own, removed when dropped.
struct Server {
    dir: PathBuf,
    bin: PathBuf,
    url: String,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/postgres-test-server.sh")
}

impl Server {
    fn start(bin: PathBuf) -> Server {
        // Not under a private temp dir: the server runs as `postgres` when
        // the test runs as root, and must reach its directory.
        let dir = std::env::temp_dir().join(format!("whosaid-pg-outage-{}", std::process::id()));
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let out = Command::new(script())
            .arg("start")
            .arg(&dir)
            .arg(port.to_string())
            .output()
            .unwrap();
        let mut server = Server {
            dir,
            bin,
            url: String::new(),
        };
        assert!(
            out.status.success(),
            "starting PostgreSQL: {}",
            stderr(&out)
        );
        server.url = String::from_utf8(out.stdout).unwrap().trim().to_string();
        server
    }

    /// The outage: a fast shutdown, as an administrator (or a crash of the
    /// host's service manager) would do it; open connections are cut.
    fn stop(&self) {
        let data = self.dir.join("data");
        let mut command = if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"])
                .arg(self.bin.join("pg_ctl"));
            c
        } else {
            Command::new(self.bin.join("pg_ctl"))
        };
        let out = command
            .arg("-D")
            .arg(&data)
            .args(["-m", "fast", "-w", "stop"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "stopping PostgreSQL: {}",
            stderr(&out)
        );
    }

    /// Starts the stopped cluster again on its port (the script reuses it).
    fn restart(&self) {
        let out = Command::new(script())
            .arg("start")
            .arg(&self.dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "restarting PostgreSQL: {}",
            stderr(&out)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), self.url);
    }

    /// A new database on this server, as a URL.
    fn create_database(&self, name: &str) -> String {
        query_one(&self.url, &format!("CREATE DATABASE {name}"));
        let (base, _) = self.url.rsplit_once('/').unwrap();
        format!("{base}/{name}")
    }

    /// `host:port`, as the store's messages name the server.
    fn address(&self) -> &str {
        let after = self
            .url
            .split_once('@')
            .map_or(self.url.as_str(), |(_, a)| a);
        after.split('/').next().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new(script()).arg("stop").arg(&self.dir).output();
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs one statement and returns the first column of its first row as a
/// number (0 without rows); `None` when the server cannot be reached.
fn try_query_one(url: &str, sql: &str) -> Option<i64> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .ok()?;
        let connection = tokio::spawn(connection);
        let rows = client.simple_query(sql).await.ok()?;
        drop(client);
        let _ = connection.await;
        let value = rows.iter().find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_string),
            _ => None,
        });
        Some(value.and_then(|v| v.parse().ok()).unwrap_or(0))
    })
}

fn query_one(url: &str, sql: &str) -> i64 {
    try_query_one(url, sql).unwrap_or_else(|| panic!("{url}: {sql} failed"))
}

fn ingest_args<'a>(db: &'a str, corpus: &'a str) -> [&'a str; 8] {
    // Small batches and one worker: many transactions, spread over seconds,
    // so that the outage lands between and inside them.
    ["ingest", "--db", db, "--batch", "8", "--jobs", "1", corpus]
}

/// A running ingest whose standard error is collected as it comes.
struct Running {
    child: Child,
    err: std::thread::JoinHandle<String>,
    started: Instant,
}

impl Running {
    fn start(args: &[&str]) -> Running {
        let mut child = whosaid()
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut pipe = child.stderr.take().unwrap();
        let err = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = pipe.read_to_string(&mut s);
            s
        });
        Running {
            child,
            err,
            started: Instant::now(),
        }
    }

    /// Waits until `ready` says so, failing if the run ends first.
    fn wait_until(&mut self, what: &str, mut ready: impl FnMut() -> bool) {
        while !ready() {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("ingest ended ({status}) before {what}");
            }
            assert!(self.started.elapsed() < RUN_LIMIT, "no {what} in time");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The exit status and standard error; a run over the limit is a hang.
    fn finish(mut self) -> (ExitStatus, String) {
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if self.started.elapsed() > RUN_LIMIT {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("ingest still running after {RUN_LIMIT:?}: it hangs on the outage");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        (status, self.err.join().unwrap())
    }
}

fn stored(db: &str) -> i64 {
    try_query_one(db, "SELECT count(*) FROM documents").unwrap_or(0)
}

/// The run saw the outage and says so, naming the server, without a panic.
fn check_reported(err: &str, server: &Server) {
    assert!(!err.contains("panicked"), "{err}");
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("whosaid: ") && l.contains(server.address()))
        .collect();
    assert!(
        !lines.is_empty(),
        "no line names the server {}: {err}",
        server.address()
    );
}

/// The same command once more, with the server up: it completes, and the
/// ledger is the uninterrupted run's, each document once.
fn check_rerun_completes(db: &str, corpus: &str, expected: &[String], expected_rows: usize) {
    let out = run(&ingest_args(db, corpus));
    assert!(out.status.success(), "{}", stderr(&out));
    let [read, _, _, failed] = summary(&stderr(&out));
    assert_eq!((read, failed), (PAGES as u64, 0), "{}", stderr(&out));
    assert_eq!(
        query_one(db, "SELECT count(*) FROM documents"),
        PAGES as i64
    );
    assert_eq!(
        query_one(db, "SELECT count(DISTINCT sha256) FROM documents"),
        PAGES as i64
    );
    assert_eq!(
        query_one(
            db,
            "SELECT count(*) FROM documents d WHERE d.attribution_count != \
             (SELECT count(*) FROM attributions a WHERE a.document_id = d.id)"
        ),
        0,
        "documents without all their attributions"
    );
    assert_eq!(attribution_rows(db), expected_rows);
    assert!(
        sorted_records(db) == expected,
        "the ledger differs from an uninterrupted run's"
    );
}

fn attribution_rows(db: &str) -> usize {
    let o = run(&["export", "--db", db, "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    csv::Reader::from_reader(o.stdout.as_slice())
        .records()
        .count()
}

#[test]
fn postgres_stopped_mid_ingest_then_started_again_loses_nothing() {
    let Some(bin) = postgres_bin() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "no PostgreSQL under /usr/lib/postgresql, and CI must run this test"
        );
        eprintln!(
            "skipping: no PostgreSQL found under /usr/lib/postgresql (apt-get install postgresql)"
        );
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let corpus = common::page_warc(&work.path().join("corpus.warc.gz"), 0..PAGES);
    let server = Server::start(bin);

    let reference = server.create_database("whosaid_reference");
    let out = run(&ingest_args(&reference, &corpus));
    assert!(out.status.success(), "{}", stderr(&out));
    let expected = sorted_records(&reference);
    assert_eq!(expected.len(), PAGES);
    let expected_rows = attribution_rows(&reference);

    // 1. Down for good (as far as the run can tell): the writer's retries
    // run out, the run stops with exit 1, having stored whole batches.
    let db = server.create_database("whosaid_outage");
    let mut ingest = Running::start(&ingest_args(&db, &corpus));
    ingest.wait_until("a few batches were stored", || stored(&db) >= STOP_AFTER);
    server.stop();
    let stopped_at = Instant::now();
    let (status, err) = ingest.finish();
    let gave_up_after = stopped_at.elapsed();
    check_reported(&err, &server);
    assert_eq!(status.code(), Some(1), "{err}");
    let stop_line = err
        .lines()
        .find(|l| l.starts_with("whosaid: stopped: "))
        .unwrap_or_else(|| panic!("no stop line: {err}"));
    assert!(stop_line.contains("stored batches are complete"), "{err}");
    let retries = err.matches("retrying in").count();
    server.restart();
    let partial = stored(&db);
    assert!(
        (STOP_AFTER..PAGES as i64).contains(&partial),
        "{partial} stored"
    );
    eprintln!(
        "outage of the whole run: {retries} retries, stopped {:.1} s after the server, \
         {partial} of {PAGES} stored; {stop_line}",
        gave_up_after.as_secs_f64()
    );
    check_rerun_completes(&db, &corpus, &expected, expected_rows);

    // 2. Back within the retries: the run goes on by itself (or, if the
    // server took longer to start than the retries wait, stops as above).
    let db = server.create_database("whosaid_blip");
    let mut ingest = Running::start(&ingest_args(&db, &corpus));
    ingest.wait_until("a few batches were stored", || stored(&db) >= STOP_AFTER);
    server.stop();
    std::thread::sleep(Duration::from_millis(300));
    server.restart();
    let (status, err) = ingest.finish();
    check_reported(&err, &server);
    let outcome = match status.code() {
        Some(0) => {
            let [read, stored, duplicates, failed] = summary(&err);
            assert_eq!((read, failed), (PAGES as u64, 0), "{err}");
            // A batch whose commit reached the server just before the
            // connection was cut is retried and found stored already.
            assert_eq!((stored + duplicates) as usize, PAGES, "{err}");
            "resumed"
        }
        Some(1) => {
            assert!(err.contains("whosaid: stopped: "), "{err}");
            "stopped cleanly"
        }
        other => panic!("exit {other:?}: {err}"),
    };
    eprintln!(
        "short outage: {outcome} after {} retries",
        err.matches("retrying in").count()
    );
    check_rerun_completes(&db, &corpus, &expected, expected_rows);
}
