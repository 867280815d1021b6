//! The `whosaid` command: flags and glue around the library.

mod demo;
mod eval;
mod extract;
mod inputs;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => demo::run(args),
        Command::Extract(args) => extract::run(args),
        Command::Eval(cmd) => eval::run(cmd),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("whosaid: {e:#}");
            ExitCode::from(2)
        }
    }
}
