//! Running the `whosaid` binary in tests: a bounded run (a hang or a
//! quadratic blow-up fails the test instead of stalling the suite) and a
//! temporary directory for generated inputs.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use whosaid::Record;

/// A directory under the system temp dir, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("whosaid-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("creating a temp dir");
        TempDir(dir)
    }

    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> String {
        let path = self.0.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("creating a temp subdir");
        }
        std::fs::write(&path, bytes).expect("writing a temp file");
        path.display().to_string()
    }

    pub fn path(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    /// Every line of standard output as a record, each checked for span
    /// consistency.
    pub fn records(&self) -> Vec<Record> {
        let text = self.stdout.trim();
        if text.is_empty() {
            return Vec::new();
        }
        let records: Vec<Record> = if text.starts_with("{\n") {
            vec![serde_json::from_str(text).expect("stdout is one pretty record")]
        } else {
            text.lines()
                .map(|l| serde_json::from_str(l).expect("stdout line is a record"))
                .collect()
        };
        for r in &records {
            if let Err(e) = r.check_spans() {
                panic!("record for {:?}: {e}", r.source.path);
            }
        }
        records
    }

    pub fn error_lines(&self) -> Vec<&str> {
        self.stderr.lines().collect()
    }

    pub fn assert_no_panic(&self) {
        assert!(
            !self.stderr.contains("panicked"),
            "whosaid panicked:\n{}",
            self.stderr
        );
    }
}

/// Runs the binary with `args`, feeding `stdin`, killing it after `limit`.
pub fn run_with(args: &[&str], stdin: &[u8], limit: Duration) -> Run {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_whosaid"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting whosaid");
    let mut input = child.stdin.take().expect("stdin pipe");
    let stdin = stdin.to_vec();
    // Separate threads: a large input or output must not fill a pipe while
    // this thread waits on the other one.
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let mut out_pipe = child.stdout.take().expect("stdout pipe");
    let mut err_pipe = child.stderr.take().expect("stderr pipe");
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out_pipe.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err_pipe.read_to_end(&mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for whosaid") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("whosaid {args:?} ran over {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let elapsed = started.elapsed();
    let _ = feeder.join();
    let stdout =
        String::from_utf8(out_reader.join().expect("stdout reader")).expect("stdout is UTF-8");
    let stderr = String::from_utf8_lossy(&err_reader.join().expect("stderr reader")).into_owned();
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
        elapsed,
    };
    run.assert_no_panic();
    run
}

pub const LIMIT: Duration = Duration::from_secs(60);

pub fn whosaid(args: &[&str]) -> Run {
    run_with(args, b"", LIMIT)
}
