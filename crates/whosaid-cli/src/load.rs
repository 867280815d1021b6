//! `whosaid load`: documents tables in Parquet (from `whosaid export
//! --format parquet` or the Spark job of the Python package) back into a
//! ledger.
//!
//! Only the `record` column is needed, with `warc_offset` when present: the
//! record is the whole document, so every other column (and the attributions
//! table) is derived data the store rebuilds itself. Storing goes through
//! `Store::put_batch`, where a document is its sha256, so loading the same
//! tables twice, or tables that overlap, stores each document once.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use arrow_array::{Array, ArrayRef, Int64Array, LargeStringArray, StringArray, StringViewArray};
use arrow_schema::DataType;
use clap::Args;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;
use whosaid_store::{NewDocument, PutOutcome, Store};

#[derive(Args, Debug)]
pub struct LoadArgs {
    /// SQLite file (created when missing) or postgres:// URL.
    #[arg(long, default_value = whosaid_store::DEFAULT_DB)]
    db: String,
    /// Documents stored per transaction.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    batch: u32,
    /// Exit with an error when any row or file failed (by default only when
    /// nothing could be read).
    #[arg(long)]
    strict: bool,
    /// Parquet files, or directories searched for `*.parquet` files (Spark's
    /// `part-*.parquet` under `key=value/` partition directories included).
    #[arg(required = true, value_name = "PARQUET_PATH")]
    paths: Vec<PathBuf>,
}

/// Rows decoded from Parquet at a time; records are large (they hold the
/// whole article), so a small number keeps memory low.
const READ_BATCH: usize = 256;

#[derive(Debug, Default, PartialEq, Eq)]
struct Tally {
    read: u64,
    stored: u64,
    duplicates: u64,
    failed: u64,
}

pub fn run(args: LoadArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let mut store = whosaid_store::open(&args.db)?;
    let mut tally = Tally::default();
    let mut files = Vec::new();
    for path in &args.paths {
        match parquet_files(path, &mut files) {
            Ok(()) => {}
            Err(reason) => {
                eprintln!("whosaid: {}: {reason}", path.display());
                tally.failed += 1;
            }
        }
    }
    let mut loader = Loader {
        store: store.as_mut(),
        batch: Vec::with_capacity(args.batch as usize),
        batch_size: args.batch as usize,
        tally: &mut tally,
    };
    for file in &files {
        if let Err(reason) = loader.load_file(&file.path, file.explicit) {
            // The rows of this file read before the damage are kept: each
            // is a whole record, and a re-run skips them as duplicates.
            eprintln!("whosaid: {}: {reason}", file.path.display());
            loader.tally.failed += 1;
        }
    }
    loader.flush()?;
    if tally.stored > 0 {
        if let Err(e) = store.optimize() {
            eprintln!("whosaid: warning: {e}");
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let rate = if elapsed > 0.0 {
        tally.read as f64 / elapsed
    } else {
        0.0
    };
    eprintln!(
        "whosaid: read {}, stored {}, duplicates {}, failed {}; {elapsed:.1} s, {rate:.1} docs/s",
        tally.read, tally.stored, tally.duplicates, tally.failed
    );
    Ok(if tally.read > 0 && !(args.strict && tally.failed > 0) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// A Parquet file to load, and whether the user named it (a named file that
/// is not a documents table is an error; one met in a directory walk may be
/// the attributions table beside it).
#[derive(Debug, PartialEq, Eq)]
struct ParquetFile {
    path: PathBuf,
    explicit: bool,
}

/// Expands a path into Parquet files: the file itself, or every `*.parquet`
/// under a directory in sorted order. Names starting with `.` or `_` are
/// skipped as Spark and Hadoop skip them (`_SUCCESS`, `.part-0.crc`,
/// `_temporary/`).
fn parquet_files(path: &Path, out: &mut Vec<ParquetFile>) -> Result<(), String> {
    let meta = fs::metadata(path).map_err(|e| crate::inputs::io_reason(&e))?;
    if !meta.is_dir() {
        out.push(ParquetFile {
            path: path.to_path_buf(),
            explicit: true,
        });
        return Ok(());
    }
    let before = out.len();
    // An explicit stack, not recursion: a deep tree cannot exhaust ours.
    let mut dirs = vec![path.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let mut entries: Vec<(PathBuf, bool)> = Vec::new();
        let listing = fs::read_dir(&dir)
            .map_err(|e| format!("{}: {}", dir.display(), crate::inputs::io_reason(&e)))?;
        for entry in listing {
            let entry = entry
                .map_err(|e| format!("{}: {}", dir.display(), crate::inputs::io_reason(&e)))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || name.starts_with('_') {
                continue;
            }
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if is_dir || name.to_ascii_lowercase().ends_with(".parquet") {
                entries.push((entry.path(), is_dir));
            }
        }
        entries.sort();
        // Reversed onto the stack so that directories are walked in order.
        let mut subdirs = Vec::new();
        for (p, is_dir) in entries {
            if is_dir {
                subdirs.push(p);
            } else {
                out.push(ParquetFile {
                    path: p,
                    explicit: false,
                });
            }
        }
        dirs.extend(subdirs.into_iter().rev());
    }
    if out.len() == before {
        return Err("no .parquet files in this directory".into());
    }
    Ok(())
}

struct Loader<'a> {
    store: &'a mut dyn Store,
    batch: Vec<NewDocument>,
    batch_size: usize,
    tally: &'a mut Tally,
}

impl Loader<'_> {
    /// Loads one file's rows. A bad row is reported and counted, and the
    /// file goes on; a file that cannot be read as a documents table is one
    /// error, returned.
    fn load_file(&mut self, path: &Path, explicit: bool) -> Result<(), String> {
        let file = fs::File::open(path).map_err(|e| crate::inputs::io_reason(&e))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(|e| format!("not a readable Parquet file: {e}"))?;
        let schema = builder.schema().clone();
        let Some((record_at, record_field)) = schema.column_with_name("record") else {
            if !explicit && schema.column_with_name("idx").is_some() {
                // The attributions table beside the documents: derived data.
                return Ok(());
            }
            return Err(
                "not a documents table: no `record` column (written by `whosaid export --format parquet` or whosaid.spark)"
                    .into(),
            );
        };
        if !matches!(
            record_field.data_type(),
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
        ) {
            return Err(format!(
                "column `record` is {}, not a string",
                record_field.data_type()
            ));
        }
        let offset_at = schema
            .column_with_name("warc_offset")
            .filter(|(_, f)| f.data_type() == &DataType::Int64)
            .map(|(i, _)| i);
        let mut roots = vec![record_at];
        roots.extend(offset_at);
        let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
        let reader = builder
            .with_projection(mask)
            .with_batch_size(READ_BATCH)
            .build()
            .map_err(|e| format!("cannot read: {e}"))?;
        let mut row = 0u64;
        for batch in reader {
            let batch = batch.map_err(|e| format!("corrupt after row {row}: {e}"))?;
            let records = batch
                .column_by_name("record")
                .ok_or("column `record` went missing while reading")?;
            let offsets = batch
                .column_by_name("warc_offset")
                .and_then(|c| c.as_any().downcast_ref::<Int64Array>());
            for i in 0..batch.num_rows() {
                row += 1;
                self.tally.read += 1;
                let json = match string_at(records, i) {
                    Some(json) => json,
                    None => {
                        eprintln!("whosaid: {} row {row}: `record` is null", path.display());
                        self.tally.failed += 1;
                        continue;
                    }
                };
                let record = match crate::documents::parse_record(json.as_bytes()) {
                    Ok(record) => record,
                    Err(reason) => {
                        eprintln!("whosaid: {} row {row}: {reason}", path.display());
                        self.tally.failed += 1;
                        continue;
                    }
                };
                let offset = offsets
                    .filter(|o| o.is_valid(i))
                    .and_then(|o| u64::try_from(o.value(i)).ok());
                self.batch.push(NewDocument { record, offset });
                if self.batch.len() >= self.batch_size {
                    self.flush().map_err(|e| format!("{e:#}"))?;
                }
            }
        }
        Ok(())
    }

    /// Stores the batch gathered so far, one transaction.
    fn flush(&mut self) -> Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let outcomes = self
            .store
            .put_batch(&self.batch)
            .with_context(|| format!("storing a batch of {} documents", self.batch.len()))?;
        for outcome in outcomes {
            match outcome {
                PutOutcome::Stored(_) => self.tally.stored += 1,
                PutOutcome::Duplicate(_) => self.tally.duplicates += 1,
            }
        }
        self.batch.clear();
        Ok(())
    }
}

/// Row `i` of a string column of any of Arrow's three string layouts (Spark
/// and pyarrow may write or be read as any of them).
fn string_at(column: &ArrayRef, i: usize) -> Option<&str> {
    if column.is_null(i) {
        return None;
    }
    let any = column.as_any();
    if let Some(a) = any.downcast_ref::<StringArray>() {
        Some(a.value(i))
    } else if let Some(a) = any.downcast_ref::<LargeStringArray>() {
        Some(a.value(i))
    } else {
        any.downcast_ref::<StringViewArray>().map(|a| a.value(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_are_walked_in_order_skipping_hidden_and_underscore_names() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for name in [
            "documents/site=b/part-1.parquet",
            "documents/site=a/part-2.parquet",
            "documents/site=a/part-0.parquet",
            "documents/site=a/.part-0.parquet.crc",
            "documents/_SUCCESS",
            "documents/_temporary/0/part-9.parquet",
            "documents/notes.txt",
        ] {
            let p = root.join(name);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, b"").unwrap();
        }
        let mut files = Vec::new();
        parquet_files(&root.join("documents"), &mut files).unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|f| {
                assert!(!f.explicit);
                f.path.strip_prefix(root).unwrap().display().to_string()
            })
            .collect();
        assert_eq!(
            names,
            [
                "documents/site=a/part-0.parquet",
                "documents/site=a/part-2.parquet",
                "documents/site=b/part-1.parquet",
            ]
        );

        let mut files = Vec::new();
        parquet_files(&root.join("documents/notes.txt"), &mut files).unwrap();
        assert!(
            files[0].explicit,
            "a named file is loaded whatever its name"
        );

        let mut files = Vec::new();
        let empty = root.join("empty");
        fs::create_dir_all(&empty).unwrap();
        assert!(parquet_files(&empty, &mut files).is_err());
        assert!(parquet_files(&root.join("missing"), &mut files).is_err());
    }
}
