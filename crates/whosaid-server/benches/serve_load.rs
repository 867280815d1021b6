//! Load on `whosaid serve` over loopback: starts the release binary with a
//! temporary ledger, stores the built-in examples, then fires requests at a
//! fixed concurrency at `POST /v1/extract` (one example page) and at
//! `GET /v1/attributions?speaker=...`, and prints requests, errors, p50, p99
//! and requests per second for each. It asserts nothing about speed.
//!
//! ```text
//! cargo build --release -p whosaid-cli
//! cargo bench -p whosaid-server --bench serve_load -- [--requests 10000] [--concurrency 64] [--whosaid PATH]
//! ```
//! (`bench/serve.sh` does both.)

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

const PAGE: &str = include_str!("../../../examples/harbour-bridge.html");
const EXAMPLES: [&str; 4] = [
    PAGE,
    include_str!("../../../examples/bridge-opinion.html"),
    include_str!("../../../examples/library-sundays.html"),
    include_str!("../../../examples/orchard-frost.html"),
];
const TOKEN: &str = "load-bench-token";

type HttpClient = Client<HttpConnector, Full<Bytes>>;

struct Options {
    requests: usize,
    concurrency: usize,
    whosaid: String,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        requests: 10_000,
        concurrency: 64,
        whosaid: concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/release/whosaid").into(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--requests" => {
                options.requests = value("--requests")?
                    .parse()
                    .map_err(|e| format!("--requests: {e}"))?
            }
            "--concurrency" => {
                options.concurrency = value("--concurrency")?
                    .parse()
                    .map_err(|e| format!("--concurrency: {e}"))?
            }
            "--whosaid" => options.whosaid = value("--whosaid")?,
            // cargo bench adds --bench; nothing else is expected.
            _ => {}
        }
    }
    if options.concurrency == 0 || options.requests == 0 {
        return Err("--requests and --concurrency must be at least 1".into());
    }
    Ok(options)
}

/// The server process, killed when the benchmark ends however it ends.
struct ServerProcess(Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() {
    if let Err(e) = run() {
        eprintln!("serve_load: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let options = options()?;
    if !std::path::Path::new(&options.whosaid).exists() {
        return Err(format!(
            "{}: no whosaid binary (cargo build --release -p whosaid-cli)",
            options.whosaid
        ));
    }
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let db = dir.path().join("ledger.db");
    // A free port: bound, read, released for the server to take.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let _server = ServerProcess(
        Command::new(&options.whosaid)
            .args(["serve", "--db"])
            .arg(&db)
            .args(["--bind", &format!("127.0.0.1:{port}")])
            .env("WHOSAID_TOKEN", TOKEN)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("{}: {e}", options.whosaid))?,
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let client: HttpClient = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(options.concurrency)
            .build_http();
        wait_until_up(&client, &base).await?;
        for page in EXAMPLES {
            let status = send(
                &client,
                Method::POST,
                &format!("{base}/v1/documents"),
                Some(page),
            )
            .await?;
            if status != 201 && status != 200 {
                return Err(format!("storing an example answered {status}"));
            }
        }
        println!(
            "{} requests per route at concurrency {}, over loopback",
            options.requests, options.concurrency
        );
        println!(
            "{:<38} {:>8} {:>7} {:>9} {:>9} {:>9}",
            "route", "requests", "errors", "p50 ms", "p99 ms", "req/s"
        );
        let phases = [
            (
                "POST /v1/extract (harbour-bridge)",
                Method::POST,
                format!("{base}/v1/extract"),
                Some(PAGE),
            ),
            (
                "GET /v1/attributions?speaker=Vance",
                Method::GET,
                format!("{base}/v1/attributions?speaker=Vance"),
                None,
            ),
        ];
        for (name, method, uri, body) in phases {
            let report = load(&client, &options, method, uri, body).await;
            println!(
                "{:<38} {:>8} {:>7} {:>9.2} {:>9.2} {:>9.0}",
                name,
                report.requests,
                report.errors,
                report.p50_ms,
                report.p99_ms,
                report.per_second
            );
        }
        Ok(())
    })
}

async fn wait_until_up(client: &HttpClient, base: &str) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match send(client, Method::GET, &format!("{base}/healthz"), None).await {
            Ok(200) => return Ok(()),
            _ if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(50)).await,
            other => return Err(format!("the server did not come up: {other:?}")),
        }
    }
}

async fn send(
    client: &HttpClient,
    method: Method,
    uri: &str,
    body: Option<&'static str>,
) -> Result<u16, String> {
    let mut request = Request::builder().method(method).uri(uri);
    if body.is_some() {
        request = request
            .header("content-type", "text/html")
            .header("authorization", format!("Bearer {TOKEN}"));
    }
    let request = request
        .body(Full::new(Bytes::from_static(body.unwrap_or("").as_bytes())))
        .map_err(|e| e.to_string())?;
    let response = client.request(request).await.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    // Read the whole answer: the time counted is the time to the last byte.
    response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?;
    Ok(status)
}

struct Report {
    requests: usize,
    errors: usize,
    p50_ms: f64,
    p99_ms: f64,
    per_second: f64,
}

async fn load(
    client: &HttpClient,
    options: &Options,
    method: Method,
    uri: String,
    body: Option<&'static str>,
) -> Report {
    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(options.requests)));
    let started = Instant::now();
    let workers: Vec<_> = (0..options.concurrency)
        .map(|_| {
            let (client, next, errors, latencies) = (
                client.clone(),
                next.clone(),
                errors.clone(),
                latencies.clone(),
            );
            let (method, uri, total) = (method.clone(), uri.clone(), options.requests);
            tokio::spawn(async move {
                let mut mine = Vec::new();
                while next.fetch_add(1, Ordering::Relaxed) < total {
                    let t = Instant::now();
                    match send(&client, method.clone(), &uri, body).await {
                        Ok(200) => {}
                        Ok(status) => {
                            if errors.fetch_add(1, Ordering::Relaxed) < 5 {
                                eprintln!("serve_load: {uri} answered {status}");
                            }
                        }
                        Err(e) => {
                            if errors.fetch_add(1, Ordering::Relaxed) < 5 {
                                eprintln!("serve_load: {uri}: {e}");
                            }
                        }
                    }
                    mine.push(t.elapsed());
                }
                if let Ok(mut all) = latencies.lock() {
                    all.extend(mine);
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.await;
    }
    let elapsed = started.elapsed();
    let mut all = latencies.lock().map(|l| l.clone()).unwrap_or_default();
    all.sort();
    let quantile = |q: f64| {
        all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    Report {
        requests: all.len(),
        errors: errors.load(Ordering::Relaxed),
        p50_ms: quantile(0.50),
        p99_ms: quantile(0.99),
        per_second: all.len() as f64 / elapsed.as_secs_f64(),
    }
}
