//! `whosaid extract`: records for pages and texts, on standard output.

use std::io::{BufWriter, Write};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use whosaid::{Input, InputKind, Limits, Pipeline, Record};

use crate::documents::{self, Document, Documents, Item};
use crate::inputs;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum InputArg {
    Auto,
    Html,
    Text,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// One pretty record for one input; one record per line for several.
    Json,
    /// One compact record per line.
    Jsonl,
    /// Title and body only, for reading.
    Text,
}

/// The pipeline's limits as flags, shared by `extract` and `ingest`.
#[derive(Args, Debug, Clone)]
pub struct LimitFlags {
    /// Largest input accepted, in bytes (after decompression too).
    #[arg(long, default_value_t = Limits::default().max_input_bytes)]
    pub max_bytes: u64,
    /// Deepest element nesting kept from a page; deeper tags are flattened.
    #[arg(long, default_value_t = Limits::default().max_dom_depth)]
    pub max_depth: usize,
    /// Most elements read from a page; the rest of the page is dropped.
    #[arg(long, default_value_t = Limits::default().max_dom_nodes)]
    pub max_nodes: usize,
    /// Most attributions kept per document; the rest are dropped with a warning.
    #[arg(long, default_value_t = Limits::default().max_attributions)]
    pub max_attributions: usize,
    /// Quotation marks in one paragraph past which it is not paired into quotations.
    #[arg(long, default_value_t = Limits::default().max_quote_marks_per_paragraph)]
    pub max_quote_marks: usize,
    /// Seconds one document may take (or none): past it a page not yet
    /// extracted fails, later the record keeps the attributions found so far.
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds,
          default_value_t = Seconds(Limits::default().max_time_per_document))]
    pub max_seconds: Seconds,
}

impl LimitFlags {
    pub fn limits(&self) -> Limits {
        Limits {
            max_input_bytes: self.max_bytes,
            max_dom_depth: self.max_depth,
            max_dom_nodes: self.max_nodes,
            max_attributions: self.max_attributions,
            max_quote_marks_per_paragraph: self.max_quote_marks,
            max_time_per_document: self.max_seconds.0,
        }
    }
}

#[derive(Args, Debug)]
pub struct ExtractArgs {
    /// How to read the inputs: decided per file by default.
    #[arg(long, value_enum, default_value_t = InputArg::Auto)]
    input: InputArg,
    #[arg(long, value_enum, default_value_t = FormatArg::Json)]
    format: FormatArg,
    /// Fail (exit 1) when any input fails, not only when all do.
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    limits: LimitFlags,
    /// Files (.html, .htm, .txt, optionally .gz; .warc, .warc.gz; .jsonl of
    /// records), directories, or - for stdin.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,
}

/// `--max-seconds`: a time per document, or none.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Seconds(pub Option<Duration>);

impl std::fmt::Display for Seconds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(limit) => write!(f, "{}", limit.as_secs_f64()),
            None => f.write_str("none"),
        }
    }
}

pub fn parse_seconds(s: &str) -> Result<Seconds, String> {
    if s.trim().eq_ignore_ascii_case("none") {
        return Ok(Seconds(None));
    }
    s.trim()
        .parse::<f64>()
        .ok()
        .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
        .map(|limit| Seconds(Some(limit)))
        .ok_or_else(|| format!("{s:?} is not a number of seconds from 0 up, nor none"))
}

pub fn run(args: ExtractArgs) -> Result<ExitCode> {
    let pipeline = Pipeline::new(args.limits.limits());
    let kind = match args.input {
        InputArg::Auto => InputKind::Auto,
        InputArg::Html => InputKind::Html,
        InputArg::Text => InputKind::Text,
    };
    let (sources, listing_errors) = inputs::expand(&args.paths);
    let mut failed = listing_errors.len();
    for e in &listing_errors {
        eprintln!("whosaid: {}: {}", e.name, e.reason);
    }
    // A WARC or JSON Lines file may hold many documents: records one per line.
    let several = sources.len() + listing_errors.len() > 1
        || sources.iter().any(|s| {
            let name = s.display();
            documents::is_warc(&name) || documents::is_record_lines(&name)
        });
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut succeeded = 0usize;
    for item in Documents::new(sources, pipeline.limits().max_input_bytes) {
        let record = match item {
            Item::Document(document) => match process_one(&pipeline, &document, kind) {
                Ok(record) => record,
                Err(reason) => {
                    failed += 1;
                    eprintln!("whosaid: {}: {reason}", document.label());
                    continue;
                }
            },
            Item::Record { record, .. } => *record,
            Item::Failed { name, reason } => {
                failed += 1;
                eprintln!("whosaid: {name}: {reason}");
                continue;
            }
        };
        succeeded += 1;
        write_record(&mut out, &record, args.format, several)
            .context("writing to standard output")?;
    }
    out.flush().context("writing to standard output")?;
    if succeeded == 0 && failed == 0 {
        // Only possible when every input was a WARC file without a page
        // response (or a JSON Lines file without a record): say so, rather
        // than fail without a word.
        eprintln!("whosaid: no documents in the inputs (no HTML or text responses, no records)");
    }
    if succeeded == 0 || (args.strict && failed > 0) {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn process_one(
    pipeline: &Pipeline,
    document: &Document,
    kind: InputKind,
) -> Result<Record, String> {
    let input = Input {
        bytes: &document.bytes,
        kind,
        path: Some(&document.name),
        url: document.url.as_deref(),
        charset: document.charset.as_deref(),
        fallback_date: document.fallback_date.as_deref(),
        record: document.record.as_deref(),
        sha256: None,
    };
    pipeline.process(&input).map_err(|e| e.to_string())
}

pub(crate) fn write_record(
    out: &mut impl Write,
    record: &Record,
    format: FormatArg,
    several: bool,
) -> std::io::Result<()> {
    match format {
        FormatArg::Json if !several => {
            serde_json::to_writer_pretty(&mut *out, record)?;
            writeln!(out)
        }
        FormatArg::Json | FormatArg::Jsonl => {
            serde_json::to_writer(&mut *out, record)?;
            writeln!(out)
        }
        FormatArg::Text => {
            if several {
                writeln!(
                    out,
                    "==> {} <==",
                    record.source.path.as_deref().unwrap_or("-")
                )?;
            }
            if let Some(title) = &record.article.title {
                writeln!(out, "{title}\n")?;
            }
            writeln!(out, "{}", record.article.text)?;
            if several {
                writeln!(out)?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_limits_are_seconds_or_none() {
        for (arg, limit) in [
            ("2", Some(Duration::from_secs(2))),
            ("0.25", Some(Duration::from_millis(250))),
            ("0", Some(Duration::ZERO)),
            (" 10 ", Some(Duration::from_secs(10))),
            ("none", None),
            ("None", None),
        ] {
            assert_eq!(parse_seconds(arg), Ok(Seconds(limit)), "{arg:?}");
        }
        for bad in ["-1", "", "ten", "NaN", "inf", "1e400"] {
            let err = parse_seconds(bad).unwrap_err();
            assert!(err.contains("not a number of seconds"), "{bad:?}: {err}");
        }
        // The default shown in --help reads back as itself.
        let default = Seconds(Limits::default().max_time_per_document);
        assert_eq!(parse_seconds(&default.to_string()), Ok(default));
    }
}
