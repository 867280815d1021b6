//! `whosaid demo`: the pipeline on a built-in example article, no set-up;
//! in text form also the ledger step: every built-in example stored in an
//! embedded SQLite ledger and asked who was quoted most.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use whosaid::{Input, Pipeline, Record};

use crate::extract::{write_record, FormatArg};
use crate::query::{write_rows, write_speakers, RowFormat, SpeakerFormat};
use whosaid_store::Store;

/// The fictional example pages of `examples/`, built into the binary so
/// that the demo needs no files (the paths reach outside this crate, which
/// is never packaged on its own).
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ExampleArg {
    HarbourBridge,
    OrchardFrost,
    LibrarySundays,
    BridgeOpinion,
}

impl ExampleArg {
    const ALL: [ExampleArg; 4] = [
        ExampleArg::HarbourBridge,
        ExampleArg::OrchardFrost,
        ExampleArg::LibrarySundays,
        ExampleArg::BridgeOpinion,
    ];

    fn page(self) -> (&'static str, &'static str) {
        match self {
            ExampleArg::HarbourBridge => (
                "harbour-bridge",
                include_str!("../../../examples/harbour-bridge.html"),
            ),
            ExampleArg::OrchardFrost => (
                "orchard-frost",
                include_str!("../../../examples/orchard-frost.html"),
            ),
            ExampleArg::LibrarySundays => (
                "library-sundays",
                include_str!("../../../examples/library-sundays.html"),
            ),
            ExampleArg::BridgeOpinion => (
                "bridge-opinion",
                include_str!("../../../examples/bridge-opinion.html"),
            ),
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum DemoFormat {
    /// The whole record, pretty-printed.
    Json,
    /// Title and body, then one line per attribution.
    Text,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Which built-in example page to process.
    #[arg(long, value_enum, default_value_t = ExampleArg::HarbourBridge)]
    example: ExampleArg,
    #[arg(long, value_enum, default_value_t = DemoFormat::Json)]
    format: DemoFormat,
    /// With `--format text`: the SQLite ledger that the built-in examples
    /// are stored in (kept afterwards); by default a temporary file, removed.
    #[arg(long, value_name = "PATH")]
    db: Option<std::path::PathBuf>,
}

pub fn run(args: DemoArgs) -> Result<ExitCode> {
    let (name, page) = args.example.page();
    let path = format!("examples/{name}.html");
    let record = Pipeline::default()
        .process(&Input {
            bytes: page.as_bytes(),
            path: Some(&path),
            ..Input::default()
        })
        .with_context(|| format!("processing the built-in example {path}"))?;
    let format = match args.format {
        DemoFormat::Json => FormatArg::Json,
        DemoFormat::Text => FormatArg::Text,
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    write_record(&mut out, &record, format, false)
        .and_then(|()| {
            if matches!(args.format, DemoFormat::Text) {
                write_attributions(&mut out, &record)?;
            }
            out.flush()
        })
        .context("writing to standard output")?;
    if matches!(args.format, DemoFormat::Text) {
        let (path, temporary) = match &args.db {
            Some(path) => (path.clone(), None),
            None => {
                let dir = tempfile::tempdir().context("creating a temporary directory")?;
                (dir.path().join("demo.db"), Some(dir))
            }
        };
        write_ledger(&mut out, &path, temporary.is_none())?;
        out.flush().context("writing to standard output")?;
        // The temporary directory and the ledger in it go here.
        drop(temporary);
    }
    Ok(ExitCode::SUCCESS)
}

/// Stores every built-in example in an embedded SQLite ledger and prints
/// what the ledger answers: the speakers quoted most and one of their quotes.
fn write_ledger(out: &mut impl Write, path: &std::path::Path, kept: bool) -> Result<()> {
    let db = path.to_string_lossy().into_owned();
    let mut store = whosaid_store::SqliteStore::open(&db)?;
    let pipeline = Pipeline::default();
    let mut documents = Vec::new();
    for example in ExampleArg::ALL {
        let (name, page) = example.page();
        let path = format!("examples/{name}.html");
        let record = pipeline
            .process(&Input {
                bytes: page.as_bytes(),
                path: Some(&path),
                ..Input::default()
            })
            .with_context(|| format!("processing the built-in example {path}"))?;
        documents.push(whosaid_store::NewDocument {
            record,
            offset: None,
        });
    }
    let outcomes = store.put_batch(&documents)?;
    let stored = outcomes
        .iter()
        .filter(|o| matches!(o, whosaid_store::PutOutcome::Stored(_)))
        .count();
    let stats = store.stats()?;
    let speakers = store.speakers(None, 5)?;
    let rows = match speakers.first() {
        Some(top) => store.query(&whosaid_store::AttributionQuery {
            speaker: Some(top.name.clone()),
            limit: 3,
            ..Default::default()
        })?,
        None => Vec::new(),
    };
    let io = |e: std::io::Error| anyhow::Error::new(e).context("writing to standard output");
    writeln!(
        out,
        "\nThe ledger: {} built-in examples stored ({stored} new) in the SQLite file {db}{}; \
         it holds {} documents, {} attributions, {} speakers.\n\nMost quoted (whosaid speakers):",
        documents.len(),
        if kept {
            ""
        } else {
            " (temporary; --db PATH keeps it)"
        },
        stats.documents,
        stats.attributions,
        stats.speakers,
    )
    .map_err(io)?;
    write_speakers(out, &speakers, SpeakerFormat::Table).map_err(io)?;
    if let Some(top) = speakers.first() {
        writeln!(out, "\n{} (whosaid query --speaker):", top.name).map_err(io)?;
        write_rows(out, &rows, RowFormat::Table, 80).map_err(io)?;
    }
    Ok(())
}

/// The ledger in a line per attribution: who, how, what.
fn write_attributions(out: &mut impl Write, record: &Record) -> std::io::Result<()> {
    if record.attributions.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nWho said what:")?;
    for a in &record.attributions {
        let speaker = a.speaker.as_ref().map_or("(no source)", |s| {
            s.actor
                .and_then(|id| record.actors.get(id))
                .map_or(s.text.as_str(), |actor| actor.name.as_str())
        });
        let cue = a.cue.as_ref().map_or("", |c| c.text.as_str());
        let kind = serde_json::to_value(a.kind).unwrap_or_default();
        let kind = kind.as_str().unwrap_or("");
        // A discontinuous quote prints its parts, not the narration between.
        let text = &record.article.text;
        let content = match &a.content.spans {
            Some(parts) => parts
                .iter()
                .filter_map(|&[start, end]| text.get(start..end))
                .collect::<Vec<_>>()
                .join(" \u{2026} "),
            None => a.content.text.clone(),
        };
        let content = content.split_whitespace().collect::<Vec<_>>().join(" ");
        writeln!(
            out,
            "  {speaker} [{kind}, {cue}]: \u{201c}{content}\u{201d}"
        )?;
    }
    Ok(())
}
