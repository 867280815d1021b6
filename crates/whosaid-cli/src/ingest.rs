//! `whosaid ingest`: pages, WARC files and records into the ledger, on every
//! core.
//!
//! Three kinds of thread, joined by bounded channels so that memory stays
//! flat however large the input:
//!
//! ```text
//! reader ──work──▶ rayon workers (Pipeline::process) ──done──▶ writer (owns the store)
//!    └──────────────────── known, failed, ready records ──────────▲
//! ```
//!
//! - the reader walks the inputs, hashes each document and asks the store,
//!   a few dozen at a time, which are already stored: a re-run skips them
//!   before the costly extraction;
//! - the workers extract; a failure is counted and reported, never fatal;
//! - the one writer stores batches, each one transaction, so a kill at any
//!   moment leaves whole batches only, and the next run picks up the rest.
//!
//! A store error (the server went away, the disk is full) is retried with
//! backoff; if it persists the run stops, having stored only whole batches.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use crossbeam_channel::{bounded, Receiver, RecvTimeoutError, Sender};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::iter::{ParallelBridge, ParallelIterator};
use sha2::{Digest, Sha256};
use whosaid::{Input, InputKind, Pipeline};
use whosaid_store::{NewDocument, PutOutcome, Store};

use crate::documents::{Document, Documents, Item};
use crate::extract::{InputArg, LimitFlags};
use crate::inputs::{self, InputSource};

#[derive(Args, Debug)]
pub struct IngestArgs {
    /// SQLite file (created when missing) or postgres:// URL.
    #[arg(long, default_value = whosaid_store::DEFAULT_DB)]
    db: String,
    /// Extraction threads (default: every core).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Take only part I of N of the inputs (0 <= I < N): after expansion the
    /// files are sorted by path and file k (from 0) belongs to part k mod N.
    /// Runs with 0/N .. N-1/N together store what one run would.
    #[arg(long, value_parser = parse_shard, value_name = "I/N")]
    shard: Option<Shard>,
    /// Documents per transaction (a batch is also written after a second).
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
    batch: u32,
    /// How to read pages: decided per file by default.
    #[arg(long, value_enum, default_value_t = InputArg::Auto)]
    input: InputArg,
    /// Fail (exit 1) when any document fails, not only when none was read.
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    limits: LimitFlags,
    /// Files (pages, .warc/.warc.gz, .jsonl records), directories, or - for stdin.
    #[arg(required = true, value_name = "INPUT")]
    paths: Vec<String>,
}

/// Part `index` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

pub fn parse_shard(s: &str) -> Result<Shard, String> {
    let bad = || format!("{s:?} is not a shard; expected I/N with 0 <= I < N, e.g. 0/4");
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let index: usize = i.trim().parse().map_err(|_| bad())?;
    let count: usize = n.trim().parse().map_err(|_| bad())?;
    if count == 0 || index >= count {
        return Err(bad());
    }
    Ok(Shard { index, count })
}

/// Sorts the expanded inputs by path and keeps this shard's files. Sorting
/// makes the split independent of the order paths were typed in.
pub fn select_shard(mut sources: Vec<InputSource>, shard: Option<Shard>) -> Vec<InputSource> {
    let key = |s: &InputSource| match s {
        InputSource::Stdin => (0, PathBuf::new()),
        InputSource::File(p) => (1, p.clone()),
    };
    sources.sort_by_key(key);
    match shard {
        None => sources,
        Some(shard) => sources
            .into_iter()
            .enumerate()
            .filter(|(k, _)| k % shard.count == shard.index)
            .map(|(_, s)| s)
            .collect(),
    }
}

/// A document for the workers, with the input position reached once it is
/// done (for the progress bar's bytes and ETA).
struct Work {
    document: Document,
    /// The document's SHA-256 (hex), computed once by the reader to ask the
    /// store whether it is known, and reused as the record's.
    sha256: String,
    position: u64,
}

/// What the writer hears about each document.
enum Done {
    /// Extracted (or read as a ready record): to store.
    Ready {
        document: Box<NewDocument>,
        position: u64,
    },
    /// Already in the store before this run touched it.
    Known { position: u64 },
    /// Read, but extraction failed.
    ExtractFailed {
        name: String,
        reason: String,
        position: u64,
    },
    /// Could not be read at all.
    ReadFailed {
        name: String,
        reason: String,
        position: u64,
    },
    /// Something to tell the user that is no document's failure.
    Notice(String),
}

/// What the run did, for the summary and the exit code.
#[derive(Debug, Default)]
struct Tally {
    read: u64,
    stored: u64,
    duplicates: u64,
    failed: u64,
    reasons: HashMap<String, u64>,
    store_error: Option<String>,
}

impl Tally {
    fn fail(&mut self, reason: &str) {
        self.failed += 1;
        *self.reasons.entry(reason_group(reason)).or_default() += 1;
    }
}

/// Failures are grouped by their reason with numbers blanked, so that
/// "input is 17000001 bytes" and "input is 17000002 bytes" count as one.
fn reason_group(reason: &str) -> String {
    let mut out = String::with_capacity(reason.len());
    let mut in_number = false;
    for c in reason.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push('N');
            }
            in_number = true;
        } else {
            in_number = false;
            out.push(c);
        }
    }
    out
}

/// Read documents queued for each extraction thread.
const WORK_QUEUE_PER_JOB: usize = 16;
/// Documents whose hashes are looked up in one `known` call.
const KNOWN_BATCH: usize = 64;
/// The first lookup's batch: small, so that the workers start after a
/// few documents are read rather than after a whole batch.
const FIRST_KNOWN_BATCH: usize = 4;
/// A batch is written after this long even if not full, so that a slow
/// trickle of documents is stored steadily.
const FLUSH_INTERVAL: Duration = Duration::from_secs(1);
/// Tries of a failing batch write, and the wait before each retry.
const STORE_RETRIES: [Duration; 3] = [
    Duration::from_millis(500),
    Duration::from_secs(2),
    Duration::from_secs(5),
];
/// Plain progress lines (when standard error is not a terminal) this often.
const LINE_INTERVAL: Duration = Duration::from_secs(10);

pub fn run(args: IngestArgs) -> Result<ExitCode> {
    let started = Instant::now();
    keep_freed_memory();
    // The tagger's model takes a moment to load; the first worker to need
    // it would load it while the other waited. Loading it now overlaps
    // that with opening the store and reading the first documents.
    let _ = thread::Builder::new()
        .name("ingest-model".into())
        .spawn(whosaid::attribution::tagger::Tagger::builtin);
    let (sources, listing_errors) = inputs::expand(&args.paths);
    let sources = select_shard(sources, args.shard);
    // The writer's store is opened first: it creates and migrates the
    // database, and a bad --db fails here, before any work.
    let store = whosaid_store::open(&args.db)?;
    let lookup = whosaid_store::open(&args.db)?;
    let jobs = match args.jobs {
        Some(n) => usize::from(n),
        None => thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let kind = match args.input {
        InputArg::Auto => InputKind::Auto,
        InputArg::Html => InputKind::Html,
        InputArg::Text => InputKind::Text,
    };
    let pipeline = Pipeline::new(args.limits.limits());
    let sizes: Vec<Option<u64>> = sources
        .iter()
        .map(|s| match s {
            InputSource::Stdin => None,
            InputSource::File(p) => std::fs::metadata(p).ok().map(|m| m.len()),
        })
        .collect();
    let total: Option<u64> = sizes.iter().copied().sum();
    let progress = Progress::new(std::io::stderr().is_terminal(), total);

    let mut tally = Tally::default();
    for e in &listing_errors {
        progress.println(&format!("whosaid: {}: {}", e.name, e.reason));
        tally.fail(&e.reason);
    }

    let stop = Arc::new(AtomicBool::new(false));
    // Sixteen read documents per worker (a few MB): with the reader,
    // writer and workers sharing the cores, a deeper queue rides out the
    // moments the reader is not scheduled or waits on the store's lookup.
    // Four per worker left the cores idle more often: the benchmark corpus
    // ingested in 5.07-5.46 s (median 5.17, 7 runs) against 5.24-5.66 s
    // (median 5.44).
    let (work_tx, work_rx) = bounded::<Work>(jobs * WORK_QUEUE_PER_JOB);
    let (done_tx, done_rx) = bounded::<Done>(args.batch as usize * 2);

    let reader = {
        let done_tx = done_tx.clone();
        let stop = stop.clone();
        let max_bytes = args.limits.max_bytes;
        thread::Builder::new()
            .name("ingest-reader".into())
            .spawn(move || {
                read_inputs(
                    sources,
                    sizes,
                    max_bytes,
                    lookup.as_ref(),
                    &work_tx,
                    &done_tx,
                    &stop,
                )
            })
            .context("starting the reader thread")?
    };
    let writer = {
        let stop = stop.clone();
        let batch = args.batch as usize;
        let progress = progress.clone();
        thread::Builder::new()
            .name("ingest-writer".into())
            .spawn(move || write_documents(store, batch, done_rx, &progress, &stop, tally))
            .context("starting the writer thread")?
    };

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .thread_name(|i| format!("ingest-worker-{i}"))
        .build()
        .context("starting the extraction threads")?;
    pool.install(|| {
        work_rx
            .into_iter()
            .par_bridge()
            .for_each_with(done_tx, |done_tx, work| {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                // A send fails only when the writer has stopped on a store
                // error; the stop flag then drains the rest.
                let _ = done_tx.send(extract(&pipeline, kind, work));
            });
    });
    // The reader only ends by itself or on the stop flag; a panic there is a
    // bug, reported as such rather than hidden.
    if reader.join().is_err() {
        anyhow::bail!("the input reader failed unexpectedly");
    }
    let tally = writer
        .join()
        .map_err(|_| anyhow::anyhow!("the store writer failed unexpectedly"))?;
    if let Some(total) = total {
        progress.set_position(total);
    }
    progress.finish();

    let elapsed = started.elapsed().as_secs_f64();
    eprintln!("whosaid: {}", summary(&tally, elapsed));
    if let Some(e) = &tally.store_error {
        eprintln!("whosaid: stopped: {e}");
    }
    let ok = tally.store_error.is_none() && tally.read > 0 && !(args.strict && tally.failed > 0);
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `mi_option_purge_delay` in mimalloc.h (v2 and v3): milliseconds before
/// freed memory goes back to the kernel, -1 for never.
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

/// Tells mimalloc (the binary's allocator, `main.rs`) to keep the memory
/// it frees instead of giving it back to the kernel 10 ms later. Every
/// document allocates and frees megabytes (its bytes, its DOM, its
/// record) on one thread and frees some on another, so the default purge
/// handed pages back only to fault them in again, zeroed: half of the
/// ingest's page faults and about 3% of its CPU on the benchmark's corpus.
/// The cost is that the process stays at its peak size (about 300 MB
/// there, was 270), which the bounded channels keep flat however long the
/// run. A `MIMALLOC_PURGE_DELAY` in the environment is left to rule.
fn keep_freed_memory() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    unsafe extern "C" {
        fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    }
    // SAFETY: mimalloc is linked in as the global allocator (main.rs), and
    // setting an option is thread-safe and valid at any time; the option
    // only decides when freed memory is returned to the kernel.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}

fn summary(t: &Tally, elapsed: f64) -> String {
    let mut line = format!(
        "read {}, stored {}, duplicates {}, failed {}",
        t.read, t.stored, t.duplicates, t.failed
    );
    if !t.reasons.is_empty() {
        let mut reasons: Vec<(&String, &u64)> = t.reasons.iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let shown: Vec<String> = reasons
            .iter()
            .take(5)
            .map(|(r, n)| format!("{n} × {r}"))
            .collect();
        line.push_str(&format!(" ({}", shown.join("; ")));
        if reasons.len() > 5 {
            line.push_str(&format!("; {} other reasons", reasons.len() - 5));
        }
        line.push(')');
    }
    let rate = if elapsed > 0.0 {
        t.read as f64 / elapsed
    } else {
        0.0
    };
    line.push_str(&format!("; {elapsed:.1} s, {rate:.1} docs/s"));
    line
}

fn extract(pipeline: &Pipeline, kind: InputKind, work: Work) -> Done {
    let d = &work.document;
    let input = Input {
        bytes: &d.bytes,
        kind,
        path: Some(&d.name),
        url: d.url.as_deref(),
        charset: d.charset.as_deref(),
        fallback_date: d.fallback_date.as_deref(),
        record: d.record.as_deref(),
        sha256: Some(&work.sha256),
    };
    // The library does not panic on input by design; if a bug makes it, one
    // document is lost, not a run of hours.
    match catch_unwind(AssertUnwindSafe(|| pipeline.process(&input))) {
        Ok(Ok(record)) => Done::Ready {
            document: Box::new(NewDocument {
                record,
                offset: d.offset,
            }),
            position: work.position,
        },
        Ok(Err(e)) => Done::ExtractFailed {
            name: d.label(),
            reason: e.to_string(),
            position: work.position,
        },
        Err(_) => Done::ExtractFailed {
            name: d.label(),
            reason: "internal error while extracting (a bug: please report it)".into(),
            position: work.position,
        },
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// A document read but not yet checked against the store.
enum Candidate {
    Page(Work),
    Record(Box<NewDocument>, u64),
}

fn read_inputs(
    sources: Vec<InputSource>,
    sizes: Vec<Option<u64>>,
    max_bytes: u64,
    lookup: &dyn Store,
    work_tx: &Sender<Work>,
    done_tx: &Sender<Done>,
    stop: &AtomicBool,
) {
    let mut pending: Vec<(String, Candidate)> = Vec::with_capacity(KNOWN_BATCH);
    let mut batch = FIRST_KNOWN_BATCH;
    let mut lookups_work = true;
    let mut base = 0u64;
    for (source, size) in sources.into_iter().zip(sizes) {
        let end = base + size.unwrap_or(0);
        for item in Documents::new(vec![source], max_bytes) {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            match item {
                Item::Document(document) => {
                    // Within a WARC file the record's offset says how far the
                    // file has been read; a page file is done when its one
                    // document is.
                    let position = match document.offset {
                        Some(o) => (base + o).min(end),
                        None => end,
                    };
                    let sha256 = sha256_hex(&document.bytes);
                    pending.push((
                        sha256.clone(),
                        Candidate::Page(Work {
                            document,
                            sha256,
                            position,
                        }),
                    ));
                }
                Item::Record { record, .. } => {
                    let sha = record.source.sha256.clone();
                    let document = Box::new(NewDocument {
                        record: *record,
                        offset: None,
                    });
                    pending.push((sha, Candidate::Record(document, end)));
                }
                Item::Failed { name, reason } => {
                    if done_tx
                        .send(Done::ReadFailed {
                            name,
                            reason,
                            position: end,
                        })
                        .is_err()
                    {
                        return;
                    }
                }
            }
            if pending.len() >= batch {
                if !dispatch(&mut pending, lookup, &mut lookups_work, work_tx, done_tx) {
                    return;
                }
                batch = KNOWN_BATCH;
            }
        }
        base = end;
    }
    dispatch(&mut pending, lookup, &mut lookups_work, work_tx, done_tx);
}

/// Sends pending documents on: those already stored to the writer as known,
/// pages to the workers, ready records straight to the writer. Returns false
/// when the run is stopping.
fn dispatch(
    pending: &mut Vec<(String, Candidate)>,
    lookup: &dyn Store,
    lookups_work: &mut bool,
    work_tx: &Sender<Work>,
    done_tx: &Sender<Done>,
) -> bool {
    let known = if *lookups_work {
        let hashes: Vec<&str> = pending.iter().map(|(sha, _)| sha.as_str()).collect();
        match lookup.known(&hashes) {
            Ok(k) if k.len() == hashes.len() => k,
            answer => {
                // Not fatal: every document is then extracted and the
                // store's own duplicate check keeps it stored once. The
                // store's error names the database (without a password).
                *lookups_work = false;
                let why = match answer {
                    Err(e) => e.to_string(),
                    Ok(_) => "the store answered for the wrong number of documents".into(),
                };
                let _ = done_tx.send(Done::Notice(format!(
                    "whosaid: {why}; not checking which documents are already stored, extracting them all"
                )));
                vec![false; hashes.len()]
            }
        }
    } else {
        vec![false; pending.len()]
    };
    for ((_, candidate), stored) in pending.drain(..).zip(known) {
        let sent = match candidate {
            Candidate::Page(work) if stored => done_tx
                .send(Done::Known {
                    position: work.position,
                })
                .is_ok(),
            Candidate::Record(_, position) if stored => {
                done_tx.send(Done::Known { position }).is_ok()
            }
            Candidate::Page(work) => work_tx.send(work).is_ok(),
            Candidate::Record(document, position) => {
                done_tx.send(Done::Ready { document, position }).is_ok()
            }
        };
        if !sent {
            return false;
        }
    }
    true
}

fn write_documents(
    mut store: Box<dyn Store>,
    batch_size: usize,
    done_rx: Receiver<Done>,
    progress: &Progress,
    stop: &AtomicBool,
    mut tally: Tally,
) -> Tally {
    let mut batch: Vec<NewDocument> = Vec::with_capacity(batch_size);
    let mut flush_at = Instant::now() + FLUSH_INTERVAL;
    loop {
        let wait = flush_at
            .saturating_duration_since(Instant::now())
            .min(Duration::from_millis(250));
        match done_rx.recv_timeout(wait) {
            Ok(Done::Ready { document, position }) => {
                tally.read += 1;
                batch.push(*document);
                progress.advance(position);
            }
            Ok(Done::Known { position }) => {
                tally.read += 1;
                tally.duplicates += 1;
                progress.advance(position);
            }
            Ok(Done::ExtractFailed {
                name,
                reason,
                position,
            }) => {
                tally.read += 1;
                tally.fail(&reason);
                progress.println(&format!("whosaid: {name}: {reason}"));
                progress.advance(position);
            }
            Ok(Done::ReadFailed {
                name,
                reason,
                position,
            }) => {
                tally.fail(&reason);
                progress.println(&format!("whosaid: {name}: {reason}"));
                progress.advance(position);
            }
            Ok(Done::Notice(line)) => progress.println(&line),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        let now = Instant::now();
        if batch.len() >= batch_size || (now >= flush_at && !batch.is_empty()) {
            if let Err(e) = put_with_retries(store.as_mut(), &mut batch, progress, &mut tally) {
                tally.store_error = Some(e);
                stop.store(true, Ordering::Relaxed);
                return tally;
            }
            flush_at = Instant::now() + FLUSH_INTERVAL;
        } else if now >= flush_at {
            flush_at = now + FLUSH_INTERVAL;
        }
        progress.report(&tally);
    }
    if !batch.is_empty() {
        if let Err(e) = put_with_retries(store.as_mut(), &mut batch, progress, &mut tally) {
            tally.store_error = Some(e);
        }
    }
    if tally.store_error.is_none() && tally.stored > 0 {
        // Only statistics: a failure slows later queries, it loses nothing.
        if let Err(e) = store.optimize() {
            progress.println(&format!("whosaid: warning: {e}"));
        }
    }
    tally
}

/// Stores the batch (one transaction), retrying with backoff; on success
/// the batch is emptied and counted. Returns the last error when every try
/// failed; nothing of the batch is then stored.
fn put_with_retries(
    store: &mut dyn Store,
    batch: &mut Vec<NewDocument>,
    progress: &Progress,
    tally: &mut Tally,
) -> Result<(), String> {
    let mut attempt = 0;
    loop {
        match store.put_batch(batch) {
            Ok(outcomes) => {
                for outcome in outcomes {
                    match outcome {
                        PutOutcome::Stored(_) => tally.stored += 1,
                        PutOutcome::Duplicate(_) => tally.duplicates += 1,
                    }
                }
                batch.clear();
                return Ok(());
            }
            Err(e) => {
                let Some(wait) = STORE_RETRIES.get(attempt) else {
                    return Err(format!(
                        "{e} (a batch of {} documents was not stored after {} tries; stored batches are complete)",
                        batch.len(),
                        attempt + 1
                    ));
                };
                progress.println(&format!(
                    "whosaid: {e}; retrying in {:.1} s ({} of {})",
                    wait.as_secs_f64(),
                    attempt + 1,
                    STORE_RETRIES.len()
                ));
                thread::sleep(*wait);
                attempt += 1;
            }
        }
    }
}

/// The progress display: a bar on a terminal, a line every ten seconds
/// otherwise.
#[derive(Clone)]
struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    last_line: Arc<std::sync::Mutex<Instant>>,
    position: Arc<std::sync::atomic::AtomicU64>,
}

impl Progress {
    fn new(terminal: bool, total: Option<u64>) -> Self {
        let bar = terminal.then(|| {
            let bar = match total {
                Some(t) => {
                    ProgressBar::with_draw_target(Some(t), ProgressDrawTarget::stderr_with_hz(4))
                }
                None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4)),
            };
            // Short enough for 80 columns with room for the bar; counts of
            // stored and failed documents wait for the summary (failures
            // are printed as they happen).
            let template = if total.is_some() {
                "{elapsed_precise} [{wide_bar}] {binary_bytes_per_sec} {msg} ETA {eta}"
            } else {
                "{spinner} {elapsed_precise} {binary_bytes} {binary_bytes_per_sec} {msg}"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.enable_steady_tick(Duration::from_millis(250));
            bar
        });
        let now = Instant::now();
        Progress {
            bar,
            started: now,
            last_line: Arc::new(std::sync::Mutex::new(now)),
            position: Arc::new(std::sync::atomic::AtomicU64::new(0)),
        }
    }

    /// Documents finish out of order; the position shown is the furthest.
    fn advance(&self, position: u64) {
        let before = self.position.fetch_max(position, Ordering::Relaxed);
        if position > before {
            if let Some(bar) = &self.bar {
                bar.set_position(position);
            }
        }
    }

    fn set_position(&self, position: u64) {
        self.position.store(position, Ordering::Relaxed);
        if let Some(bar) = &self.bar {
            bar.set_position(position);
        }
    }

    /// A line above the bar (indicatif keeps the bar below it).
    fn println(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    fn report(&self, t: &Tally) {
        let elapsed = self.started.elapsed().as_secs_f64();
        let rate = if elapsed > 0.0 {
            t.read as f64 / elapsed
        } else {
            0.0
        };
        match &self.bar {
            Some(bar) => bar.set_message(format!("{rate:.0} docs/s")),
            None => {
                let Ok(mut last) = self.last_line.lock() else {
                    return;
                };
                if last.elapsed() < LINE_INTERVAL {
                    return;
                }
                *last = Instant::now();
                let mb = self.position.load(Ordering::Relaxed) as f64 / 1e6;
                eprintln!(
                    "whosaid: ingest: {elapsed:.0} s: read {}, stored {}, duplicates {}, failed {}; {rate:.1} docs/s, {:.2} MB/s",
                    t.read,
                    t.stored,
                    t.duplicates,
                    t.failed,
                    mb / elapsed.max(1e-9)
                );
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The option number is mimalloc's purge delay: setting it makes the
    /// allocator report -1 for that option (a wrong number would set some
    /// other option and leave the delay at its default of 10 ms).
    #[test]
    fn ingest_keeps_freed_memory_unless_the_environment_says() {
        unsafe extern "C" {
            fn mi_option_get(option: std::ffi::c_int) -> std::ffi::c_long;
        }
        keep_freed_memory();
        // SAFETY: reading an option is thread-safe and valid at any time.
        let delay = unsafe { mi_option_get(MI_OPTION_PURGE_DELAY) };
        match std::env::var("MIMALLOC_PURGE_DELAY") {
            Ok(set) => eprintln!("MIMALLOC_PURGE_DELAY={set} in the environment: {delay} kept"),
            Err(_) => assert_eq!(delay, -1),
        }
    }

    #[test]
    fn shards_parse_and_refuse_nonsense() {
        let cases = [
            ("0/1", Some((0, 1))),
            ("3/4", Some((3, 4))),
            (" 1 / 2 ", Some((1, 2))),
            ("4/4", None),
            ("0/0", None),
            ("-1/2", None),
            ("1", None),
            ("a/b", None),
            ("1/2/3", None),
        ];
        for (input, expected) in cases {
            let got = parse_shard(input).ok().map(|s| (s.index, s.count));
            assert_eq!(got, expected, "{input}");
        }
    }

    #[test]
    fn shards_partition_the_sorted_inputs() {
        let files: Vec<InputSource> = ["d.html", "a.html", "c.html", "b.html", "e.html"]
            .iter()
            .map(|p| InputSource::File(PathBuf::from(p)))
            .collect();
        let names = |v: Vec<InputSource>| v.iter().map(|s| s.display()).collect::<Vec<_>>();
        assert_eq!(
            names(select_shard(files.clone(), None)),
            ["a.html", "b.html", "c.html", "d.html", "e.html"]
        );
        let zero = names(select_shard(
            files.clone(),
            Some(Shard { index: 0, count: 2 }),
        ));
        let one = names(select_shard(
            files.clone(),
            Some(Shard { index: 1, count: 2 }),
        ));
        assert_eq!(zero, ["a.html", "c.html", "e.html"]);
        assert_eq!(one, ["b.html", "d.html"]);
        let mut reversed = files.clone();
        reversed.reverse();
        assert_eq!(
            names(select_shard(reversed, Some(Shard { index: 1, count: 2 }))),
            one
        );
    }

    #[test]
    fn reasons_group_without_their_numbers() {
        assert_eq!(
            reason_group("input is 17000001 bytes, over the limit of 16777216 bytes"),
            "input is N bytes, over the limit of N bytes"
        );
        assert_eq!(reason_group("binary input"), "binary input");
    }

    #[test]
    fn the_summary_shows_the_top_five_reasons() {
        let mut t = Tally {
            read: 20,
            stored: 10,
            duplicates: 3,
            ..Tally::default()
        };
        for (reason, n) in [("a", 5), ("b", 4), ("c", 3), ("d", 2), ("e", 1), ("f", 1)] {
            for _ in 0..n {
                t.fail(reason);
            }
        }
        let line = summary(&t, 2.0);
        assert!(
            line.starts_with("read 20, stored 10, duplicates 3, failed 16 (5 × a; 4 × b; 3 × c; 2 × d; 1 × e; 1 other reasons)"),
            "{line}"
        );
        assert!(line.ends_with("; 2.0 s, 10.0 docs/s"), "{line}");
    }
}
