//! `whosaid demo`: the pipeline on a built-in example article, no set-up.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use whosaid::{Input, Pipeline, Record};

use crate::extract::{write_record, FormatArg};

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
    Ok(ExitCode::SUCCESS)
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
