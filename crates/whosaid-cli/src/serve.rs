//! `whosaid serve`: the HTTP API and web page over the ledger.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Args;
use whosaid_server::Config;

/// The variable holding the write token when no file names it.
const TOKEN_VARIABLE: &str = "WHOSAID_TOKEN";

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// SQLite file (created when missing) or postgres:// URL.
    #[arg(long, default_value = whosaid_store::DEFAULT_DB)]
    db: String,
    /// Address and port to listen on; loopback unless you mean otherwise.
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// A file holding the bearer token that writes need (else $WHOSAID_TOKEN;
    /// with neither, the server refuses every write).
    #[arg(long, value_name = "FILE")]
    token_file: Option<String>,
    /// Largest request body accepted, in bytes.
    #[arg(long, default_value_t = Config::new("").max_body_bytes)]
    max_body: usize,
    /// Extractions run at once (default: the number of cores); others wait
    /// briefly for a slot, then get 503 overloaded.
    #[arg(long, value_name = "N")]
    max_concurrent_extractions: Option<usize>,
    /// Longest a request may take, in seconds, before 504.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    request_timeout: u64,
    /// Origins (https://example.org) allowed to call the API from a
    /// browser; none: CORS stays off.
    #[arg(long, value_name = "ORIGIN", num_args = 1..)]
    cors_origin: Vec<String>,
}

pub fn run(args: ServeArgs) -> Result<ExitCode> {
    let mut config = Config::new(args.db.clone());
    config.token = read_token(args.token_file.as_deref())?;
    config.max_body_bytes = args.max_body;
    if let Some(n) = args.max_concurrent_extractions {
        config.max_concurrent_extractions = n;
    }
    if args.request_timeout == 0 {
        bail!("--request-timeout must be at least 1 second");
    }
    config.request_timeout = Duration::from_secs(args.request_timeout);
    config.cors_origins = args.cors_origin;
    let writes = if config.token.is_some() {
        "writes need the bearer token"
    } else {
        "no token: writes refused"
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the server's runtime")?;
    let served = runtime.block_on(async move {
        // The ledger opens on a blocking thread: a PostgreSQL store runs a
        // runtime of its own, which may not start inside this one's threads.
        let app = tokio::task::spawn_blocking(move || whosaid_server::router(config))
            .await
            .context("opening the ledger")??;
        let listener = tokio::net::TcpListener::bind(args.bind)
            .await
            .with_context(|| format!("cannot listen on {}", args.bind))?;
        let local = listener.local_addr().context("reading the bound address")?;
        eprintln!(
            "whosaid: serving {} on http://{local}/ ({writes}); Ctrl-C stops",
            args.db
        );
        whosaid_server::serve(listener, app, async {
            // A failed signal handler leaves only kill to stop the server.
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("serving")
    });
    // Extractions still running on blocking threads get a moment to end;
    // the pipeline's own time limit bounds each, this bounds the exit.
    runtime.shutdown_timeout(Duration::from_secs(10));
    served?;
    Ok(ExitCode::SUCCESS)
}

/// The token from the file (first line, trimmed) or the variable.
fn read_token(file: Option<&str>) -> Result<Option<String>> {
    let token = match file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("{path}: cannot read the token file"))?;
            let line = text.lines().next().unwrap_or("").trim().to_string();
            if line.is_empty() {
                bail!("{path}: the token file is empty");
            }
            Some(line)
        }
        None => std::env::var(TOKEN_VARIABLE)
            .ok()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty()),
    };
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_file_gives_its_first_line() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            ("s3cret\n", Ok("s3cret")),
            ("  padded token \r\nsecond line\n", Ok("padded token")),
            ("\n", Err("empty")),
            ("", Err("empty")),
        ];
        for (i, (content, expected)) in cases.into_iter().enumerate() {
            let path = dir.path().join(format!("token{i}"));
            std::fs::write(&path, content).unwrap();
            let got = read_token(path.to_str());
            match expected {
                Ok(token) => assert_eq!(got.unwrap().as_deref(), Some(token), "{content:?}"),
                Err(word) => {
                    let message = format!("{:#}", got.unwrap_err());
                    assert!(message.contains(word), "{content:?}: {message}");
                }
            }
        }
        let missing = dir.path().join("missing");
        let message = format!("{:#}", read_token(missing.to_str()).unwrap_err());
        assert!(message.contains("cannot read the token file"), "{message}");
    }
}
