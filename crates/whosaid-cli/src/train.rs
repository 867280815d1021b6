//! `whosaid train attribution`: train the learned tagger from a PolNeAR
//! training folder and write the model file that the library embeds.
//!
//! Deterministic: texts are read sorted by name, features are numbered in
//! sorted order, and the perceptron shuffles with a fixed seed, so the same
//! data and flags give the same bytes. Rebuild the library afterwards to
//! embed the new model.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use whosaid::attribution::polnear;
use whosaid::attribution::tagger::{self, TrainConfig, TrainingDocument};
use whosaid::attribution::text;

#[derive(Subcommand, Debug)]
pub enum TrainCommand {
    /// The Source / Cue / Content tagger, from PolNeAR's training split.
    Attribution(TrainAttributionArgs),
}

#[derive(Args, Debug)]
pub struct TrainAttributionArgs {
    /// Folder with text/ and attributions/.
    #[arg(long, default_value = "../shared/data/polnear/train")]
    data: PathBuf,
    /// Where to write the model.
    #[arg(
        long,
        default_value = "crates/whosaid/src/attribution/model/tagger.bin"
    )]
    out: PathBuf,
    /// Passes over the training data.
    #[arg(long, default_value_t = TrainConfig::default().epochs)]
    epochs: usize,
    /// Drop features seen fewer times than this.
    #[arg(long, default_value_t = TrainConfig::default().min_count)]
    min_count: u32,
    /// Drop weights smaller than this in the written model.
    #[arg(long, default_value_t = TrainConfig::default().min_weight)]
    min_weight: f32,
    /// Seed of the shuffling between epochs (another seed shows how much
    /// a score moves by chance alone).
    #[arg(long, default_value_t = TrainConfig::default().seed)]
    seed: u64,
    /// The cap on a passive-aggressive update.
    #[arg(long, default_value_t = TrainConfig::default().passive_aggressive.unwrap_or(0.01))]
    aggressiveness: f32,
    /// Plain perceptron updates instead of passive-aggressive ones.
    #[arg(long)]
    perceptron: bool,
    /// Train on every annotation of a text annotated several times, not
    /// only the first annotator's (16 texts of PolNeAR train have 5-6;
    /// measured: no clear change).
    #[arg(long)]
    all_annotators: bool,
}

pub fn run(cmd: TrainCommand) -> Result<ExitCode> {
    match cmd {
        TrainCommand::Attribution(args) => attribution(args),
    }
}

fn attribution(args: TrainAttributionArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let read = if args.all_annotators {
        polnear::read_folder_all_annotators
    } else {
        polnear::read_folder
    };
    let docs = read(&args.data).with_context(|| format!("reading {}", args.data.display()))?;
    let analyses: Vec<text::Analysis> = docs
        .iter()
        .map(|d| {
            let blocks = whosaid::article::from_plain_text(d.text.clone()).blocks;
            text::analyze(&d.text, &blocks)
        })
        .collect();
    let training: Vec<TrainingDocument<'_>> = docs
        .iter()
        .zip(&analyses)
        .map(|(d, a)| TrainingDocument {
            text: &d.text,
            analysis: a,
            gold: &d.attributions,
        })
        .collect();
    eprintln!(
        "{} texts, {} attributions",
        docs.len(),
        docs.iter().map(|d| d.attributions.len()).sum::<usize>()
    );
    let config = TrainConfig {
        epochs: args.epochs,
        min_count: args.min_count,
        min_weight: args.min_weight,
        seed: args.seed,
        passive_aggressive: (!args.perceptron).then_some(args.aggressiveness),
        ..TrainConfig::default()
    };
    let model = tagger::train(&training, config, |line| eprintln!("{line}"));
    let bytes = model.to_bytes();
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&args.out, &bytes).with_context(|| format!("writing {}", args.out.display()))?;
    let kept = model.len();
    eprintln!(
        "wrote {} ({} bytes, {} features) in {:.1} s",
        args.out.display(),
        bytes.len(),
        kept,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
