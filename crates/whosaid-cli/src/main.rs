//! The `whosaid` command: flags and glue around the library.

mod demo;
mod documents;
mod eval;
mod eval_attribution;
mod export;
mod extract;
mod ingest;
mod inputs;
mod load;
mod query;
mod serve;
mod show;
mod train;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "whosaid",
    version,
    about = "Who said what: a ledger of attributions from raw news"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the pipeline on a built-in example article and print its record.
    Demo(demo::DemoArgs),
    /// Extract the article record from HTML pages or plain text.
    Extract(extract::ExtractArgs),
    /// Score the pipeline against annotated data.
    #[command(subcommand)]
    Eval(eval::EvalCommand),
    /// Train the learned models from annotated data.
    #[command(subcommand)]
    Train(train::TrainCommand),
    /// Extract pages, WARC files and records into the ledger (a database).
    Ingest(ingest::IngestArgs),
    /// Find attributions in the ledger: who said what, about what, when.
    Query(query::QueryArgs),
    /// The most quoted speakers in the ledger, with their stances.
    Speakers(query::SpeakersArgs),
    /// One stored article with its attributions marked.
    Show(show::ShowArgs),
    /// The ledger as JSON Lines, CSV or Parquet.
    Export(export::ExportArgs),
    /// The HTTP API and web page over the ledger.
    Serve(serve::ServeArgs),
    /// Parquet documents tables (from export or the Spark job) into the ledger.
    Load(load::LoadArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => demo::run(args),
        Command::Extract(args) => extract::run(args),
        Command::Eval(cmd) => eval::run(cmd),
        Command::Train(cmd) => train::run(cmd),
        Command::Ingest(args) => ingest::run(args),
        Command::Query(args) => query::run_query(args),
        Command::Speakers(args) => query::run_speakers(args),
        Command::Show(args) => show::run(args),
        Command::Export(args) => export::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Load(args) => load::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("whosaid: {e:#}");
            ExitCode::from(2)
        }
    }
}
