//! `whosaid demo`: the pipeline on a built-in example article, no set-up.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use whosaid::{Input, Pipeline};

use crate::extract::{write_record, FormatArg};

/// The fictional example pages of `examples/`, built into the binary.
const EXAMPLES: &[(&str, &str)] = &[
    (
        "harbour-bridge",
        include_str!("../../../examples/harbour-bridge.html"),
    ),
    (
        "orchard-frost",
        include_str!("../../../examples/orchard-frost.html"),
    ),
    (
        "library-sundays",
        include_str!("../../../examples/library-sundays.html"),
    ),
];

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ExampleArg {
    HarbourBridge,
    OrchardFrost,
    LibrarySundays,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum DemoFormat {
    /// The whole record, pretty-printed.
    Json,
    /// Title and body only, for reading.
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
    let (name, page) = EXAMPLES[args.example as usize];
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
        .and_then(|()| out.flush())
        .context("writing to standard output")?;
    Ok(ExitCode::SUCCESS)
}
