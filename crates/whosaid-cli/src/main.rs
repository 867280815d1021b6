//! The `whosaid` command: flags and glue around the library.

mod demo;
mod documents;
mod eval;
mod eval_attribution;
mod extract;
mod inputs;
mod train;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => demo::run(args),
        Command::Extract(args) => extract::run(args),
        Command::Eval(cmd) => eval::run(cmd),
        Command::Train(cmd) => train::run(cmd),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("whosaid: {e:#}");
            ExitCode::from(2)
        }
    }
}
