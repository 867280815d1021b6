//! The whosaid HTTP API and web page.
//!
//! [`router`] builds the whole service from a [`Config`]: the JSON API under
//! `/v1` (described by the OpenAPI document at `/v1/openapi.json`), `/healthz`,
//! and the web page at `/` with its two embedded assets. [`serve`] runs it on
//! a listener. The `whosaid serve` command is flags around these two.
//!
//! What it promises a hostile network:
//! - every failure is `{"error": {"code", "message"}}` with a stable code,
//!   never a stack trace (panics are caught and answered 500);
//! - request bodies have a size cap, requests a time limit, extractions a
//!   cap on how many run at once (a short wait for a slot, then 503);
//! - writes need the bearer token, compared in constant time; without a
//!   token configured the server stores nothing;
//! - no file is served from disk (the page is built into the binary), no SQL
//!   is built from request text (the store takes parameters only);
//! - CORS is off unless origins are configured.

mod api;
mod error;
mod ledger;
mod params;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::handler::Handler;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{on, MethodFilter};
use axum::Router;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use whosaid::{Limits, Pipeline};

pub use error::{ApiError, Error, Result};

use ledger::Ledger;

/// The OpenAPI 3.1 document served at `/v1/openapi.json` (a test checks
/// that it lists exactly the routes of [`ROUTES`]).
pub const OPENAPI: &str = include_str!("openapi.json");

mod assets {
    // Built in at compile time: the server reads no file at run time.
    pub const INDEX_HTML: &str = include_str!("../assets/index.html");
    pub const APP_JS: &str = include_str!("../assets/app.js");
    pub const APP_CSS: &str = include_str!("../assets/app.css");
}

/// Every route: path (axum's syntax, as in the OpenAPI document) and method.
pub const ROUTES: &[(&str, &str)] = &[
    ("/", "GET"),
    ("/assets/{name}", "GET"),
    ("/healthz", "GET"),
    ("/v1/openapi.json", "GET"),
    ("/v1/extract", "POST"),
    ("/v1/documents", "POST"),
    ("/v1/documents/{id}", "GET"),
    ("/v1/attributions", "GET"),
    ("/v1/actors", "GET"),
    ("/v1/actors/{id}", "GET"),
];

/// How the server runs. [`Config::new`] gives the defaults.
#[derive(Debug, Clone)]
pub struct Config {
    /// SQLite file or `postgres://` URL.
    pub db: String,
    /// The bearer token for writes; `None` refuses every write.
    pub token: Option<String>,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Extractions running at once; more wait for a slot.
    pub max_concurrent_extractions: usize,
    /// How long a request waits for an extraction slot before 503 overloaded.
    pub extraction_queue_wait: Duration,
    /// Whole-request time limit (reading the body included): 504 past it.
    pub request_timeout: Duration,
    /// Origins allowed to call the API from a browser; empty: CORS off.
    pub cors_origins: Vec<String>,
    /// The pipeline's limits on one document.
    pub limits: Limits,
}

impl Config {
    pub fn new(db: impl Into<String>) -> Config {
        Config {
            db: db.into(),
            token: None,
            max_body_bytes: 4 * 1024 * 1024,
            max_concurrent_extractions: std::thread::available_parallelism().map_or(2, |n| n.get()),
            extraction_queue_wait: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            cors_origins: Vec::new(),
            limits: Limits::default(),
        }
    }
}

pub(crate) struct AppState {
    config: Config,
    /// The token's digest: compared digest to digest, so that the time a
    /// comparison takes says nothing about the token, not even its length.
    token_digest: Option<[u8; 32]>,
    pipeline: Pipeline,
    extractions: Arc<Semaphore>,
    ledger: Ledger,
}

impl AppState {
    fn authorize(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let Some(expected) = &self.token_digest else {
            return Err(ApiError::writes_disabled());
        };
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                let (scheme, token) = v.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .ok_or_else(ApiError::unauthorized)?;
        if constant_time_eq(&Sha256::digest(given.as_bytes()).into(), expected) {
            Ok(())
        } else {
            Err(ApiError::unauthorized())
        }
    }
}

fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    // Keeps the compiler from turning the fold into an early exit.
    std::hint::black_box(diff) == 0
}

/// Builds the service: opens the ledger (a wrong path or an unreachable
/// server fails here, not on the first request) and wires every route.
pub fn router(config: Config) -> Result<Router> {
    if config.max_concurrent_extractions == 0 {
        return Err(Error::Config(
            "the cap on concurrent extractions must be at least 1".into(),
        ));
    }
    if config.token.as_deref().is_some_and(|t| t.trim().is_empty()) {
        return Err(Error::Config("the write token is empty".into()));
    }
    let cors = cors_layer(&config.cors_origins)?;
    let ledger = Ledger::open(&config.db)?;
    let state = Arc::new(AppState {
        token_digest: config
            .token
            .as_deref()
            .map(|t| Sha256::digest(t.trim().as_bytes()).into()),
        pipeline: Pipeline::new(server_limits(config.limits, config.request_timeout)),
        extractions: Arc::new(Semaphore::new(config.max_concurrent_extractions)),
        ledger,
        config,
    });
    let timeout = state.config.request_timeout;
    let mut app: Router<Arc<AppState>> = Router::new();
    for &(path, method) in ROUTES {
        app = match (path, method) {
            ("/", "GET") => add(app, path, MethodFilter::GET, api::page),
            ("/assets/{name}", "GET") => add(app, path, MethodFilter::GET, api::asset),
            ("/healthz", "GET") => add(app, path, MethodFilter::GET, api::healthz),
            ("/v1/openapi.json", "GET") => add(app, path, MethodFilter::GET, api::openapi),
            ("/v1/extract", "POST") => add(app, path, MethodFilter::POST, api::post_extract),
            ("/v1/documents", "POST") => add(app, path, MethodFilter::POST, api::post_document),
            ("/v1/documents/{id}", "GET") => add(app, path, MethodFilter::GET, api::get_document),
            ("/v1/attributions", "GET") => add(app, path, MethodFilter::GET, api::get_attributions),
            ("/v1/actors", "GET") => add(app, path, MethodFilter::GET, api::get_actors),
            ("/v1/actors/{id}", "GET") => add(app, path, MethodFilter::GET, api::get_actor),
            _ => {
                return Err(Error::Config(format!(
                    "route {method} {path} is listed without a handler"
                )));
            }
        };
    }
    let mut app = app
        .fallback(api::fallback)
        .with_state(state)
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            with_timeout(timeout, req, next)
        }));
    if let Some(cors) = cors {
        app = app.layer(cors);
    }
    Ok(app
        .layer(CatchPanicLayer::new())
        .layer(middleware::from_fn(json_errors)))
}

/// The pipeline's limits as the server runs them: no document may take
/// longer than a request may, so an extraction whose client already got
/// 504 stops there instead of holding its slot to the end.
fn server_limits(limits: Limits, request_timeout: Duration) -> Limits {
    Limits {
        max_time_per_document: Some(
            limits
                .max_time_per_document
                .map_or(request_timeout, |t| t.min(request_timeout)),
        ),
        ..limits
    }
}

fn add<H, T>(
    app: Router<Arc<AppState>>,
    path: &str,
    method: MethodFilter,
    handler: H,
) -> Router<Arc<AppState>>
where
    H: Handler<T, Arc<AppState>>,
    T: 'static,
{
    app.route(path, on(method, handler))
}

fn cors_layer(origins: &[String]) -> Result<Option<CorsLayer>> {
    if origins.is_empty() {
        return Ok(None);
    }
    let values = origins
        .iter()
        .map(|o| {
            HeaderValue::from_str(o.trim()).map_err(|_| Error::CorsOrigin { origin: o.clone() })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(values))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE]),
    ))
}

async fn with_timeout(limit: Duration, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError::timeout(limit.as_secs()).into_response(),
    }
}

/// Gives every failure the API's JSON shape, including those answered by
/// layers below the handlers (a method a route lacks, a panic), and sets
/// the security headers on every response.
async fn json_errors(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let mut response = if response.status().is_client_error() || response.status().is_server_error()
    {
        let is_json = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if is_json {
            response
        } else {
            let (parts, body) = response.into_parts();
            // The layer's own text, when short, says what was wrong.
            let message = axum::body::to_bytes(body, 1024)
                .await
                .ok()
                .and_then(|b| String::from_utf8(b.to_vec()).ok());
            let mut replaced = ApiError::from_status(parts.status, message).into_response();
            for name in [header::ALLOW, header::RETRY_AFTER] {
                if let Some(value) = parts.headers.get(&name) {
                    replaced.headers_mut().insert(name, value.clone());
                }
            }
            replaced
        }
    } else {
        response
    };
    set_security_headers(response.headers_mut());
    response
}

/// The page loads only its own script and stylesheet and talks only to this
/// API; anything else a page could be made to run (an injected inline
/// script, a foreign origin, a frame around it) the browser refuses. The
/// script sets styles through the CSSOM, which `style-src 'self'` allows.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";

/// Set on every response, the JSON ones included: a browser that opens an
/// API URL directly must not sniff it into a page or run it in a frame.
fn set_security_headers(headers: &mut HeaderMap) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    // Article URLs in the ledger link out; the reader's query stays here.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
}

/// Serves `app` on `listener` until `shutdown` completes, then finishes the
/// requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_document_may_take_longer_than_a_request() {
        let second = Duration::from_secs(1);
        let cases = [(None, 30, 30), (Some(10), 30, 10), (Some(60), 30, 30)];
        for (document, request, expected) in cases {
            let limits = Limits {
                max_time_per_document: document.map(|s| s * second),
                ..Limits::default()
            };
            let got = server_limits(limits, request * second);
            assert_eq!(got.max_time_per_document, Some(expected * second));
            assert_eq!(got.max_input_bytes, limits.max_input_bytes);
        }
    }

    #[test]
    fn equal_digests_compare_equal_and_one_bit_differs() {
        let a = [7u8; 32];
        let mut b = a;
        assert!(constant_time_eq(&a, &b));
        b[31] ^= 1;
        assert!(!constant_time_eq(&a, &b));
    }
}
