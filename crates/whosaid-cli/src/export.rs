//! `whosaid export`: the ledger, or the rows of a query, as files other tools
//! read: JSON Lines, CSV, or Parquet tables for Spark and notebooks.
//!
//! Parquet tables are written while the store streams its documents, a row
//! group at a time, so memory stays bounded whatever the ledger's size. Their
//! columns are documented in README.md ("Ledger"); other programs rely on
//! them, so add columns freely but never rename or remove one. The Spark job
//! of the Python package (`whosaid.spark`) writes the same columns with the
//! same values, and `whosaid load` reads the `record` column back, so a
//! document's ids are derived from its sha256 ([`document_key`]), never the
//! store's own numbering.

use std::collections::HashSet;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use arrow_array::builder::{Int64Builder, ListBuilder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use clap::{Args, ValueEnum};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use whosaid_store::{AttributionQuery, AttributionRow, Store, StoredDocument};

use crate::query::{kind_name, stance_name, write_row_csv, QueryFlags, ROW_CSV_HEADER};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Whole records, one per line; attribution rows with query flags.
    Jsonl,
    /// Attribution rows with a header.
    Csv,
    /// documents.parquet and attributions.parquet in the --out directory.
    Parquet,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// SQLite file or postgres:// URL.
    #[arg(long, default_value = whosaid_store::DEFAULT_DB)]
    db: String,
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// A file for jsonl and csv (standard output when left out); a directory
    /// for parquet (created when missing).
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    #[command(flatten)]
    flags: QueryFlags,
    /// Most attribution rows written (all when left out).
    #[arg(long)]
    limit: Option<usize>,
}

/// Rows asked of the store at a time when walking a query to its end.
const PAGE: usize = 1000;

pub fn run(args: ExportArgs) -> Result<ExitCode> {
    if args.format == ExportFormat::Parquet {
        let Some(dir) = &args.out else {
            bail!("--format parquet needs --out DIR (the directory gets documents.parquet and attributions.parquet)");
        };
        let store = crate::query::open_existing(&args.db)?;
        let only = if args.flags.is_empty() && args.limit.is_none() {
            None
        } else {
            Some(matching(
                store.as_ref(),
                args.flags.to_query(0),
                args.limit,
            )?)
        };
        let counts = export_parquet(store.as_ref(), &args.db, dir, only.as_ref())?;
        eprintln!(
            "whosaid: wrote {} documents and {} attributions to {}",
            counts.0,
            counts.1,
            dir.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let store = crate::query::open_existing(&args.db)?;
    let (sink, target): (Box<dyn Write>, String) = match &args.out {
        Some(path) => (
            Box::new(
                fs::File::create(path)
                    .with_context(|| format!("{}: cannot create", path.display()))?,
            ),
            path.display().to_string(),
        ),
        None => (Box::new(io::stdout().lock()), "standard output".into()),
    };
    let mut out = BufWriter::new(sink);
    let whole_ledger = args.flags.is_empty() && args.limit.is_none();
    match args.format {
        ExportFormat::Jsonl if whole_ledger => {
            export_records(store.as_ref(), &args.db, &mut out, &target)?;
        }
        ExportFormat::Jsonl => {
            let query = args.flags.to_query(0);
            each_row(store.as_ref(), query, args.limit, &mut |row| {
                serde_json::to_writer(&mut out, row)?;
                writeln!(out)
            })
            .with_context(|| format!("writing to {target}"))?;
        }
        ExportFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(ROW_CSV_HEADER)
                .with_context(|| format!("writing to {target}"))?;
            let query = args.flags.to_query(0);
            each_row(store.as_ref(), query, args.limit, &mut |row| {
                write_row_csv(&mut w, row)
            })
            .with_context(|| format!("writing to {target}"))?;
            w.flush().with_context(|| format!("writing to {target}"))?;
        }
        ExportFormat::Parquet => unreachable!("handled above"),
    }
    out.flush()
        .with_context(|| format!("writing to {target}"))?;
    Ok(ExitCode::SUCCESS)
}

/// What stopped a walk over the store: the store itself, or our writing.
#[derive(Debug)]
enum StepError {
    Store(whosaid_store::Error),
    Write(io::Error),
}

impl std::fmt::Display for StepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StepError::Store(e) => write!(f, "{e}"),
            StepError::Write(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for StepError {}

/// The (document, attribution index) pairs a query selects: only these go
/// into the Parquet tables when query flags are given. Pairs, not rows, so
/// that memory stays small however many match.
fn matching(
    store: &dyn Store,
    query: AttributionQuery,
    limit: Option<usize>,
) -> Result<HashSet<(i64, i64)>> {
    let mut pairs = HashSet::new();
    each_row(store, query, limit, &mut |row| {
        pairs.insert((row.document, row.index));
        Ok(())
    })?;
    Ok(pairs)
}

/// Walks every row of a query, a page at a time (keyset pagination), up to
/// `limit` rows.
fn each_row(
    store: &dyn Store,
    mut query: AttributionQuery,
    limit: Option<usize>,
    visit: &mut dyn FnMut(&AttributionRow) -> io::Result<()>,
) -> Result<(), StepError> {
    let mut written = 0usize;
    loop {
        let want = match limit {
            Some(l) => PAGE.min(l - written),
            None => PAGE,
        };
        if want == 0 {
            return Ok(());
        }
        query.limit = want;
        let page = store.query(&query).map_err(StepError::Store)?;
        for row in &page {
            visit(row).map_err(StepError::Write)?;
        }
        written += page.len();
        match page.last() {
            Some(last) if page.len() == want => query.after = Some(last.cursor.clone()),
            _ => return Ok(()),
        }
    }
}

/// Runs `visit` over every stored document; an error of ours stops the walk
/// and is returned as itself, not as a store error.
fn each_document(
    store: &dyn Store,
    db: &str,
    visit: &mut dyn FnMut(StoredDocument) -> Result<()>,
) -> Result<()> {
    let mut ours: Option<anyhow::Error> = None;
    let walked = store.for_each_document(&mut |doc| match visit(doc) {
        Ok(()) => Ok(()),
        Err(e) => {
            ours = Some(e);
            Err(whosaid_store::Error::Data {
                db: db.to_string(),
                reason: "export stopped".into(),
            })
        }
    });
    match (ours, walked) {
        (Some(e), _) => Err(e),
        (None, Err(e)) => Err(e.into()),
        (None, Ok(())) => Ok(()),
    }
}

fn export_records(store: &dyn Store, db: &str, out: &mut dyn Write, target: &str) -> Result<()> {
    each_document(store, db, &mut |doc| {
        serde_json::to_writer(&mut *out, &doc.record)
            .and_then(|()| writeln!(out).map_err(serde_json::Error::io))
            .with_context(|| format!("writing to {target}"))
    })
}

/// Documents gathered before they become one Arrow batch.
const DOCUMENT_BATCH: usize = 256;
/// Row groups are cut by encoded size so that long texts cannot make one
/// group (held in memory until written) grow without bound.
const ROW_GROUP_BYTES: usize = 64 * 1024 * 1024;

fn documents_schema() -> SchemaRef {
    let text = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        text("sha256", false),
        text("url", true),
        text("site", true),
        text("title", true),
        Field::new(
            "authors",
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
            false,
        ),
        text("published", true),
        text("language", true),
        text("path", true),
        text("record_id", true),
        Field::new("warc_offset", DataType::Int64, true),
        text("text", false),
        text("ingested_at", false),
        text("record", false),
    ]))
}

fn attributions_schema() -> SchemaRef {
    let text = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
    let int = |name: &str, nullable: bool| Field::new(name, DataType::Int64, nullable);
    Arc::new(Schema::new(vec![
        int("document_id", false),
        text("sha256", false),
        int("idx", false),
        text("kind", false),
        text("stance", false),
        text("speaker", true),
        text("speaker_key", true),
        text("speaker_text", true),
        text("cue", true),
        text("cue_lemma", true),
        text("addressee", true),
        text("content", false),
        int("content_start", false),
        int("content_end", false),
        int("parent", true),
        text("published", true),
        text("site", true),
        text("url", true),
    ]))
}

#[derive(Default)]
struct DocumentColumns {
    id: Int64Builder,
    sha256: StringBuilder,
    url: StringBuilder,
    site: StringBuilder,
    title: StringBuilder,
    authors: ListBuilder<StringBuilder>,
    published: StringBuilder,
    language: StringBuilder,
    path: StringBuilder,
    record_id: StringBuilder,
    warc_offset: Int64Builder,
    text: StringBuilder,
    ingested_at: StringBuilder,
    record: StringBuilder,
    rows: usize,
}

impl DocumentColumns {
    fn push(&mut self, doc: &StoredDocument) -> Result<()> {
        let r = &doc.record;
        let a = &r.article;
        // Serialised first: a record that cannot be written adds no row.
        let json = serde_json::to_string(r)
            .with_context(|| format!("document {}: cannot serialise its record", doc.id))?;
        self.id.append_value(document_key(&r.source.sha256));
        self.sha256.append_value(&r.source.sha256);
        self.url.append_option(r.source.url.as_deref());
        self.site.append_option(a.site.as_deref());
        self.title.append_option(a.title.as_deref());
        for author in &a.authors {
            self.authors.values().append_value(author);
        }
        self.authors.append(true);
        self.published.append_option(a.published.as_deref());
        self.language.append_option(a.language.as_deref());
        self.path.append_option(r.source.path.as_deref());
        self.record_id.append_option(r.source.record.as_deref());
        // Spark has no unsigned 64-bit type; no file reaches 2^63 bytes.
        self.warc_offset
            .append_option(doc.offset.and_then(|o| i64::try_from(o).ok()));
        self.text.append_value(&a.text);
        self.ingested_at.append_value(&doc.ingested_at);
        self.record.append_value(json);
        self.rows += 1;
        Ok(())
    }

    fn finish(&mut self, schema: &SchemaRef) -> Result<RecordBatch> {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.id.finish()),
            Arc::new(self.sha256.finish()),
            Arc::new(self.url.finish()),
            Arc::new(self.site.finish()),
            Arc::new(self.title.finish()),
            Arc::new(self.authors.finish()),
            Arc::new(self.published.finish()),
            Arc::new(self.language.finish()),
            Arc::new(self.path.finish()),
            Arc::new(self.record_id.finish()),
            Arc::new(self.warc_offset.finish()),
            Arc::new(self.text.finish()),
            Arc::new(self.ingested_at.finish()),
            Arc::new(self.record.finish()),
        ];
        self.rows = 0;
        Ok(RecordBatch::try_new(schema.clone(), columns)?)
    }
}

#[derive(Default)]
struct AttributionColumns {
    document_id: Int64Builder,
    sha256: StringBuilder,
    idx: Int64Builder,
    kind: StringBuilder,
    stance: StringBuilder,
    speaker: StringBuilder,
    speaker_key: StringBuilder,
    speaker_text: StringBuilder,
    cue: StringBuilder,
    cue_lemma: StringBuilder,
    addressee: StringBuilder,
    content: StringBuilder,
    content_start: Int64Builder,
    content_end: Int64Builder,
    parent: Int64Builder,
    published: StringBuilder,
    site: StringBuilder,
    url: StringBuilder,
    rows: usize,
}

/// A document's `id` in the Parquet tables: the first 63 bits of its sha256
/// (the first 16 hex digits shifted right by one), the same in every export
/// and Spark run, and never negative (Spark has no unsigned type). Two of a
/// billion documents share one with a chance of about 5%, so at that scale
/// join on `sha256`; a digest that is not hex (never stored) gives 0.
pub fn document_key(sha256: &str) -> i64 {
    let prefix = sha256.get(..16).unwrap_or("");
    u64::from_str_radix(prefix, 16).map_or(0, |n| (n >> 1) as i64)
}

/// Byte offsets and indices as Parquet int64 (they are far below 2^63).
fn int(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl AttributionColumns {
    /// Appends the document's attributions, or those `keep` accepts.
    fn push(&mut self, doc: &StoredDocument, keep: &dyn Fn(usize) -> bool) {
        let r = &doc.record;
        for at in r.attributions.iter().filter(|a| keep(a.id)) {
            let actor_name = at
                .speaker
                .as_ref()
                .and_then(|s| s.actor)
                .and_then(|id| r.actors.get(id))
                .map(|a| a.name.as_str());
            let speaker = actor_name.or(at.speaker.as_ref().map(|s| s.text.as_str()));
            self.document_id
                .append_value(document_key(&r.source.sha256));
            self.sha256.append_value(&r.source.sha256);
            self.idx.append_value(int(at.id));
            self.kind.append_value(kind_name(at.kind));
            self.stance.append_value(stance_name(at.stance));
            self.speaker.append_option(speaker);
            self.speaker_key
                .append_option(speaker.and_then(whosaid_store::identity::speaker_key));
            self.speaker_text
                .append_option(at.speaker.as_ref().map(|s| s.text.as_str()));
            self.cue
                .append_option(at.cue.as_ref().map(|c| c.text.as_str()));
            self.cue_lemma
                .append_option(at.cue.as_ref().map(|c| c.lemma.as_str()));
            self.addressee
                .append_option(at.addressee.as_ref().map(|c| c.text.as_str()));
            self.content.append_value(&at.content.text);
            self.content_start.append_value(int(at.content.start));
            self.content_end.append_value(int(at.content.end));
            self.parent.append_option(at.parent.map(int));
            self.published.append_option(r.article.published.as_deref());
            self.site.append_option(r.article.site.as_deref());
            self.url.append_option(r.source.url.as_deref());
            self.rows += 1;
        }
    }

    fn finish(&mut self, schema: &SchemaRef) -> Result<RecordBatch> {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.document_id.finish()),
            Arc::new(self.sha256.finish()),
            Arc::new(self.idx.finish()),
            Arc::new(self.kind.finish()),
            Arc::new(self.stance.finish()),
            Arc::new(self.speaker.finish()),
            Arc::new(self.speaker_key.finish()),
            Arc::new(self.speaker_text.finish()),
            Arc::new(self.cue.finish()),
            Arc::new(self.cue_lemma.finish()),
            Arc::new(self.addressee.finish()),
            Arc::new(self.content.finish()),
            Arc::new(self.content_start.finish()),
            Arc::new(self.content_end.finish()),
            Arc::new(self.parent.finish()),
            Arc::new(self.published.finish()),
            Arc::new(self.site.finish()),
            Arc::new(self.url.finish()),
        ];
        self.rows = 0;
        Ok(RecordBatch::try_new(schema.clone(), columns)?)
    }
}

/// A Parquet file being written beside its final name, renamed into place
/// only when complete: a failed export leaves no half file under the name
/// readers look for.
struct TableFile {
    writer: ArrowWriter<fs::File>,
    schema: SchemaRef,
    partial: PathBuf,
    path: PathBuf,
}

impl TableFile {
    fn create(dir: &Path, name: &str, schema: SchemaRef) -> Result<Self> {
        let path = dir.join(name);
        let partial = dir.join(format!("{name}.partial"));
        let file = fs::File::create(&partial)
            .with_context(|| format!("{}: cannot create", partial.display()))?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_bytes(Some(ROW_GROUP_BYTES))
            .build();
        let writer = ArrowWriter::try_new(file, schema.clone(), Some(props))
            .with_context(|| format!("{}: cannot write Parquet", partial.display()))?;
        Ok(TableFile {
            writer,
            schema,
            partial,
            path,
        })
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        self.writer
            .write(batch)
            .with_context(|| format!("writing {}", self.partial.display()))
    }

    fn close(self) -> Result<()> {
        self.writer
            .close()
            .with_context(|| format!("writing {}", self.partial.display()))?;
        fs::rename(&self.partial, &self.path)
            .with_context(|| format!("{}: cannot rename into place", self.path.display()))
    }
}

/// Writes documents.parquet and attributions.parquet into `dir`; returns
/// the number of rows of each. With `only`, just those attributions and the
/// documents that hold them.
pub fn export_parquet(
    store: &dyn Store,
    db: &str,
    dir: &Path,
    only: Option<&HashSet<(i64, i64)>>,
) -> Result<(u64, u64)> {
    fs::create_dir_all(dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    let mut documents = TableFile::create(dir, "documents.parquet", documents_schema())?;
    let mut attributions = TableFile::create(dir, "attributions.parquet", attributions_schema())?;
    let mut doc_columns = DocumentColumns::default();
    let mut at_columns = AttributionColumns::default();
    let (mut doc_rows, mut at_rows) = (0u64, 0u64);
    let walked = each_document(store, db, &mut |doc| {
        let id = doc.id;
        let keep = |index: usize| match only {
            None => true,
            Some(pairs) => i64::try_from(index).is_ok_and(|i| pairs.contains(&(id, i))),
        };
        let kept = doc
            .record
            .attributions
            .iter()
            .filter(|a| keep(a.id))
            .count();
        if only.is_some() && kept == 0 {
            return Ok(());
        }
        doc_columns.push(&doc)?;
        at_columns.push(&doc, &keep);
        doc_rows += 1;
        at_rows += kept as u64;
        if doc_columns.rows >= DOCUMENT_BATCH {
            documents.write(&doc_columns.finish(&documents.schema)?)?;
            attributions.write(&at_columns.finish(&attributions.schema)?)?;
        }
        Ok(())
    });
    let finished = walked.and_then(|()| {
        if doc_columns.rows > 0 {
            documents.write(&doc_columns.finish(&documents.schema)?)?;
        }
        if at_columns.rows > 0 {
            attributions.write(&at_columns.finish(&attributions.schema)?)?;
        }
        Ok(())
    });
    if let Err(e) = finished {
        let partials = [documents.partial.clone(), attributions.partial.clone()];
        drop(documents);
        drop(attributions);
        for p in partials {
            let _ = fs::remove_file(p);
        }
        return Err(e);
    }
    documents.close()?;
    attributions.close()?;
    Ok((doc_rows, at_rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_keys() {
        let cases: &[(&str, i64)] = &[
            (&"0".repeat(64), 0),
            (&"f".repeat(64), i64::MAX),
            ("8000000000000001ffff", 0x4000_0000_0000_0000),
            ("00000000000000ff", 0x7f),
            ("not hex at all, not at all", 0),
            ("abc", 0),
        ];
        for (sha, want) in cases {
            assert_eq!(document_key(sha), *want, "{sha}");
        }
    }
}
