//! The HTTP API end to end: every route, every error code, the ledger going
//! away and coming back, and a server that keeps serving after garbage.
//!
//! Pages are the team's fictional examples (`examples/`).

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use serde_json::Value;
use tower::ServiceExt;
use whosaid_server::{router, Config, OPENAPI, ROUTES};

const BRIDGE: &str = include_str!("../../../examples/harbour-bridge.html");
const OPINION: &str = include_str!("../../../examples/bridge-opinion.html");
const LIBRARY: &str = include_str!("../../../examples/library-sundays.html");
const FROST: &str = include_str!("../../../examples/orchard-frost.html");
const BRIDGE_TEXT: &str = include_str!("../../../examples/harbour-bridge.txt");
const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const TOKEN: &str = "correct horse battery staple";

struct Server {
    app: Router,
    dir: tempfile::TempDir,
}

impl Server {
    fn with(config: impl FnOnce(&mut Config)) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let mut c = Config::new(dir.path().join("ledger.db").to_str().unwrap());
        c.token = Some(TOKEN.into());
        config(&mut c);
        Server {
            app: router(c).unwrap(),
            dir,
        }
    }

    fn new() -> Server {
        Server::with(|_| {})
    }

    async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        Reply {
            status,
            headers,
            body: bytes.to_vec(),
        }
    }

    async fn get(&self, uri: &str) -> Reply {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    async fn post(&self, uri: &str, content_type: &str, body: impl Into<Body>) -> Reply {
        self.send(
            Request::post(uri)
                .header(header::CONTENT_TYPE, content_type)
                .body(body.into())
                .unwrap(),
        )
        .await
    }

    async fn store(&self, page: &'static str) -> Reply {
        self.send(
            Request::post("/v1/documents")
                .header(header::CONTENT_TYPE, "text/html")
                .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
                .body(Body::from(page))
                .unwrap(),
        )
        .await
    }

    async fn store_examples(&self) {
        for page in [BRIDGE, OPINION, LIBRARY, FROST] {
            assert_eq!(self.store(page).await.status, StatusCode::CREATED);
        }
    }
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{}: not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// Asserts the API's error shape with this status and code; the message.
    fn error(&self, status: u16, code: &str) -> String {
        assert_eq!(
            self.status.as_u16(),
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        assert!(
            self.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{:?}",
            self.headers
        );
        let body = self.json();
        assert_eq!(body["error"]["code"], code, "{body}");
        let message = body["error"]["message"].as_str().unwrap().to_string();
        assert!(!message.is_empty());
        message
    }
}

#[tokio::test]
async fn health_says_the_store_answers() {
    let server = Server::new();
    let reply = server.get("/healthz").await;
    assert_eq!(reply.status, StatusCode::OK);
    let body = reply.json();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["store"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn extract_returns_the_record_and_stores_nothing() {
    let server = Server::new();
    let reply = server
        .post(
            "/v1/extract?url=https://example.org/bridge",
            "text/html; charset=utf-8",
            BRIDGE,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let record = reply.json();
    assert_eq!(record["schema"], "whosaid/1");
    assert_eq!(
        record["article"]["title"],
        "Council backs £4.2m repair plan for Old Harbour Bridge"
    );
    assert_eq!(record["source"]["url"], "https://example.org/bridge");
    assert!(!record["attributions"].as_array().unwrap().is_empty());
    // The record keeps the format's field order, as the CLI prints it.
    let text = String::from_utf8(reply.body.clone()).unwrap();
    assert!(
        text.starts_with("{\"schema\":\"whosaid/1\",\"source\":"),
        "{text:.60}"
    );

    let text = server.post("/v1/extract", "text/plain", BRIDGE_TEXT).await;
    assert_eq!(text.status, StatusCode::OK);
    assert!(text.json()["attributions"].as_array().unwrap().len() > 1);
    // Without a type the bytes decide; input= overrides the type.
    let auto = server
        .send(
            Request::post("/v1/extract")
                .body(Body::from(BRIDGE))
                .unwrap(),
        )
        .await;
    assert_eq!(auto.json()["article"]["title"], record["article"]["title"]);
    let forced = server
        .post("/v1/extract?input=text", "text/html", "<p>Plain words.</p>")
        .await;
    assert!(forced.json()["article"]["text"]
        .as_str()
        .unwrap()
        .contains("<p>"));

    let health = server.get("/v1/actors").await.json();
    assert_eq!(health["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn bodies_the_extractor_cannot_take_are_refused() {
    let server = Server::with(|c| c.max_body_bytes = 64 * 1024);
    server
        .post("/v1/extract", "application/json", "{}")
        .await
        .error(415, "unsupported_media_type");
    let message = server
        .post("/v1/extract", "application/octet-stream", PNG.to_vec())
        .await
        .error(422, "unprocessable");
    assert!(message.contains("binary"), "{message}");
    server
        .post("/v1/extract", "text/plain", "")
        .await
        .error(422, "unprocessable");
    let big = vec![b'a'; 64 * 1024 + 1];
    server
        .post("/v1/extract", "text/plain", big.clone())
        .await
        .error(413, "payload_too_large");
    // No Content-Length: the limit holds while reading.
    let chunks = futures_body(big);
    server
        .post("/v1/extract", "text/plain", chunks)
        .await
        .error(413, "payload_too_large");
    let message = server
        .post("/v1/extract?input=pdf", "text/plain", "words")
        .await
        .error(400, "bad_request");
    assert!(message.starts_with("input:"), "{message}");
}

/// A body streamed in pieces, with no length announced.
fn futures_body(bytes: Vec<u8>) -> Body {
    let pieces: Vec<Result<Vec<u8>, std::io::Error>> =
        bytes.chunks(4096).map(|c| Ok(c.to_vec())).collect();
    Body::from_stream(futures_util::stream::iter(pieces))
}

#[tokio::test]
async fn writes_need_the_token() {
    let server = Server::new();
    let reply = server.post("/v1/documents", "text/html", BRIDGE).await;
    reply.error(401, "unauthorized");
    assert_eq!(reply.headers[header::WWW_AUTHENTICATE], "Bearer");
    for wrong in [
        "Bearer nope",
        "Basic Y29ycmVjdA==",
        "Bearer",
        "correct horse battery staple",
    ] {
        server
            .send(
                Request::post("/v1/documents")
                    .header(header::AUTHORIZATION, wrong)
                    .body(Body::from(BRIDGE))
                    .unwrap(),
            )
            .await
            .error(401, "unauthorized");
    }
    let closed = Server::with(|c| c.token = None);
    closed.store(BRIDGE).await.error(403, "writes_disabled");
    // Nothing was stored by any of them.
    assert_eq!(
        server.get("/v1/documents/1").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_document_is_stored_once_and_read_back() {
    let server = Server::new();
    let first = server.store(BRIDGE).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(first.headers[header::LOCATION], "/v1/documents/1");
    let stored = first.json();
    assert_eq!(stored["stored"], true);
    let sha = stored["sha256"].as_str().unwrap().to_string();
    assert_eq!(sha.len(), 64);

    let again = server.store(BRIDGE).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json()["stored"], false);
    assert_eq!(again.json()["id"], stored["id"]);

    for key in ["1", sha.as_str(), &sha[..12]] {
        let reply = server.get(&format!("/v1/documents/{key}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{key}");
        let document = reply.json();
        assert_eq!(document["id"], 1);
        assert!(document["offset"].is_null());
        assert!(document["ingested_at"].as_str().unwrap().len() >= 19);
        assert_eq!(document["record"]["source"]["sha256"], sha.as_str());
    }
    server.get("/v1/documents/99").await.error(404, "not_found");
    server
        .get("/v1/documents/not-a-key")
        .await
        .error(400, "bad_request");
    server
        .get("/v1/documents/1?pretty=yes")
        .await
        .error(400, "bad_request");
}

#[tokio::test]
async fn attributions_page_through_the_whole_result() {
    let server = Server::new();
    server.store_examples().await;
    let all = server.get("/v1/attributions?limit=500").await.json();
    let all = all["items"].as_array().unwrap().clone();
    assert!(all.len() > 10, "{}", all.len());

    let mut seen = Vec::new();
    let mut uri = "/v1/attributions?limit=3".to_string();
    loop {
        let page = server.get(&uri).await.json();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        seen.extend(items.iter().cloned());
        match page["next_cursor"].as_str() {
            Some(cursor) => uri = format!("/v1/attributions?limit=3&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, all);

    let vance = server.get("/v1/attributions?speaker=Vance").await.json();
    let items = vance["items"].as_array().unwrap();
    assert!(items.len() >= 2);
    for item in items {
        assert_eq!(item["speaker"], "Harriet Vance", "{item}");
        for field in [
            "document",
            "index",
            "kind",
            "stance",
            "speaker_id",
            "cue",
            "content",
            "title",
            "site",
            "published",
            "url",
        ] {
            assert!(item.get(field).is_some(), "{field} in {item}");
        }
    }
    let direct = server
        .get("/v1/attributions?speaker=Vance&kind=direct&q=bridge")
        .await
        .json();
    for item in direct["items"].as_array().unwrap() {
        assert_eq!(item["kind"], "direct");
        assert!(item["content"].as_str().unwrap().contains("bridge"));
    }
    let in_april = server
        .get("/v1/attributions?since=2026-04-01&until=2026-04-30")
        .await
        .json();
    let in_april = in_april["items"].as_array().unwrap();
    assert!(!in_april.is_empty());
    assert!(in_april
        .iter()
        .all(|i| i["published"].as_str().unwrap().starts_with("2026-04")));
    let none = server
        .get("/v1/attributions?stance=denies&site=Valley+Ledger")
        .await;
    assert_eq!(none.status, StatusCode::OK);
}

#[tokio::test]
async fn bad_search_parameters_are_named() {
    let server = Server::new();
    server.store(BRIDGE).await;
    let cases = [
        ("stance=denied", "stance:"),
        ("kind=quote", "kind:"),
        ("since=2026-02-30", "since:"),
        ("until=yesterday", "until:"),
        ("limit=0", "limit:"),
        ("limit=501", "limit:"),
        ("limit=many", "limit:"),
        ("cursor=bm90LWEtY3Vyc29y", "cursor"),
        (
            "cursor=eyJwdWJsaXNoZWQiOm51bGwsImRvY3VtZW50Ijo5OSwiaW5kZXgiOjB9",
            "cursor",
        ),
        ("speakr=Vance", "speakr"),
        ("q=%21%21", "q"),
        ("speaker=he", "speaker"),
    ];
    for (query, named) in cases {
        let message = server
            .get(&format!("/v1/attributions?{query}"))
            .await
            .error(400, "bad_request");
        assert!(message.contains(named), "{query}: {message}");
        assert!(!message.contains("--"), "{query}: {message}");
    }
}

#[tokio::test]
async fn actors_list_and_profile() {
    let server = Server::new();
    server.store_examples().await;
    let list = server.get("/v1/actors?limit=5").await.json();
    let items = list["items"].as_array().unwrap();
    assert!(!items.is_empty() && items.len() <= 5);
    let counts: Vec<u64> = items
        .iter()
        .map(|a| a["attributions"].as_u64().unwrap())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    for actor in items {
        assert_eq!(actor["stances"].as_object().unwrap().len(), 7, "{actor}");
    }
    let vance = server.get("/v1/actors?q=Vance").await.json();
    let vance = &vance["items"][0];
    assert_eq!(vance["name"], "Harriet Vance");
    let id = vance["id"].as_i64().unwrap();

    let profile = server.get(&format!("/v1/actors/{id}")).await.json();
    assert_eq!(profile["name"], "Harriet Vance");
    assert_eq!(profile["attributions"], vance["attributions"]);
    assert!(!profile["names"].as_array().unwrap().is_empty());
    assert_eq!(profile["per_month"][0]["month"], "2026-03");
    let recent = profile["recent"].as_array().unwrap();
    assert!(!recent.is_empty() && recent.len() <= 20);
    assert!(recent.iter().all(|r| r["speaker_id"] == id));

    server.get("/v1/actors/99999").await.error(404, "not_found");
    server
        .get("/v1/actors/vance")
        .await
        .error(400, "bad_request");
    server
        .get("/v1/actors?limit=-1")
        .await
        .error(400, "bad_request");
}

#[tokio::test]
async fn the_page_and_only_its_assets_are_served() {
    let server = Server::new();
    let page = server.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    for (name, kind) in [("app.js", "text/javascript"), ("app.css", "text/css")] {
        let asset = server.get(&format!("/assets/{name}")).await;
        assert_eq!(asset.status, StatusCode::OK);
        assert!(asset.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with(kind));
        assert_eq!(asset.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    }
    // Every response, page and JSON alike, forbids inline scripts, foreign
    // origins and framing.
    let api = server.get("/v1/attributions").await;
    for response in [&page, &api] {
        let policy = response.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        for directive in [
            "default-src 'none'",
            "script-src 'self';",
            "connect-src 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(policy.contains(directive), "{directive} in {policy}");
        }
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert_eq!(response.headers[header::REFERRER_POLICY], "no-referrer");
    }
    for path in [
        "/assets/index.html",
        "/assets/..%2fCargo.toml",
        "/assets/../Cargo.toml",
        "/assets/",
        "/etc/passwd",
        "/v2/extract",
    ] {
        server.get(path).await.error(404, "not_found");
    }
}

#[tokio::test]
async fn wrong_methods_get_405_with_allow() {
    let server = Server::new();
    let reply = server
        .send(
            Request::delete("/v1/documents/1")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    reply.error(405, "method_not_allowed");
    assert!(reply.headers[header::ALLOW]
        .to_str()
        .unwrap()
        .contains("GET"));
    server
        .get("/v1/extract")
        .await
        .error(405, "method_not_allowed");
}

/// The router is built from ROUTES; the OpenAPI document must list exactly
/// those, and each must really answer its method (and refuse others).
#[tokio::test]
async fn the_openapi_document_matches_the_routes() {
    let server = Server::new();
    let served = server.get("/v1/openapi.json").await;
    assert_eq!(served.status, StatusCode::OK);
    let doc = served.json();
    assert_eq!(doc, serde_json::from_str::<Value>(OPENAPI).unwrap());
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((path.clone(), method.to_ascii_uppercase()));
        }
    }
    let routed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(p, m)| (p.to_string(), m.to_string()))
        .collect();
    assert_eq!(documented, routed);

    for (path, method) in &routed {
        let uri = path.replace("{id}", "1").replace("{name}", "app.js");
        let answered = server
            .send(
                Request::builder()
                    .method(method.as_str())
                    .uri(&uri)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_ne!(
            answered.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {uri}"
        );
        let refused = server
            .send(Request::put(&uri).body(Body::empty()).unwrap())
            .await;
        assert_eq!(refused.status, StatusCode::METHOD_NOT_ALLOWED, "PUT {uri}");
    }
}

#[tokio::test]
async fn a_ledger_that_goes_away_is_503_until_it_returns() {
    let server = Server::new();
    server.store(BRIDGE).await;
    let path = server.dir.path().join("ledger.db");
    let away = server.dir.path().join("elsewhere.db");
    std::fs::rename(&path, &away).unwrap();

    let health = server.get("/healthz").await;
    assert_eq!(health.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(health.json()["store"], "unavailable");
    assert_eq!(health.json()["error"]["code"], "store_unavailable");
    let reply = server.get("/v1/attributions?speaker=Vance").await;
    reply.error(503, "store_unavailable");
    assert!(reply.headers.contains_key(header::RETRY_AFTER));
    server
        .get("/v1/documents/1")
        .await
        .error(503, "store_unavailable");
    server.store(OPINION).await.error(503, "store_unavailable");
    // Extraction needs no ledger.
    assert_eq!(
        server.post("/v1/extract", "text/html", BRIDGE).await.status,
        StatusCode::OK
    );
    assert!(!path.exists(), "the server must not start an empty ledger");

    std::fs::rename(&away, &path).unwrap();
    assert_eq!(server.get("/healthz").await.status, StatusCode::OK);
    let back = server.get("/v1/documents/1").await;
    assert_eq!(back.status, StatusCode::OK);
    assert_eq!(server.store(OPINION).await.status, StatusCode::CREATED);
}

/// A text whose extraction takes long enough to hold a slot (many
/// paragraphs, each with a quotation).
fn slow_text() -> String {
    "\"The ferry will run late again tomorrow,\" said Captain Odile Marsh of the harbour board.\n\n"
        .repeat(4000)
}

#[tokio::test]
async fn a_full_extraction_cap_answers_overloaded() {
    let server = Server::with(|c| {
        c.max_concurrent_extractions = 1;
        c.extraction_queue_wait = Duration::ZERO;
    });
    let text = slow_text();
    let requests = (0..4).map(|_| server.post("/v1/extract", "text/plain", text.clone()));
    let replies = futures_util::future::join_all(requests).await;
    let ok = replies
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    let overloaded: Vec<&Reply> = replies
        .iter()
        .filter(|r| r.status == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert!(ok >= 1, "one request must get the slot");
    assert!(!overloaded.is_empty(), "the others must be refused");
    for reply in overloaded {
        reply.error(503, "overloaded");
        assert_eq!(reply.headers[header::RETRY_AFTER], "1");
    }
}

#[tokio::test]
async fn a_request_over_the_time_limit_gets_504() {
    let server = Server::with(|c| c.request_timeout = Duration::from_millis(20));
    server
        .post("/v1/extract", "text/plain", slow_text())
        .await
        .error(504, "timeout");
}

#[tokio::test]
async fn cors_is_off_unless_origins_are_given() {
    let preflight = || {
        Request::options("/v1/extract")
            .header(header::ORIGIN, "https://newsroom.example")
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .body(Body::empty())
            .unwrap()
    };
    let closed = Server::new();
    let reply = closed.send(preflight()).await;
    assert!(!reply
        .headers
        .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
    let open = Server::with(|c| c.cors_origins = vec!["https://newsroom.example".into()]);
    let reply = open.send(preflight()).await;
    assert_eq!(
        reply.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://newsroom.example"
    );
    let other = open
        .send(
            Request::get("/healthz")
                .header(header::ORIGIN, "https://elsewhere.example")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(!other
        .headers
        .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
}

#[test]
fn bad_configuration_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("l.db");
    let db = db.to_str().unwrap();
    let mut c = Config::new(db);
    c.max_concurrent_extractions = 0;
    assert!(router(c).is_err());
    let mut c = Config::new(db);
    c.cors_origins = vec!["bad\norigin".into()];
    assert!(router(c).is_err());
    let mut c = Config::new(db);
    c.token = Some("  ".into());
    assert!(router(c).is_err());
    let not_a_db = dir.path().join("notes.txt");
    std::fs::write(&not_a_db, "not a database, just words").unwrap();
    assert!(router(Config::new(not_a_db.to_str().unwrap())).is_err());
}

/// Over a real socket: garbage, a half request, a huge header; the server
/// answers each with 4xx or a closed connection and goes on serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_keeps_serving_after_malformed_requests() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Config::new(dir.path().join("l.db").to_str().unwrap());
    c.request_timeout = Duration::from_secs(2);
    let app = router(c).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(whosaid_server::serve(listener, app, async {
        let _ = stopped.await;
    }));

    // `finish` half-closes after the request: a bad request's end is then
    // known; hyper drops a half-closed connection without answering, so a
    // good request keeps it open and relies on `Connection: close`.
    let exchange = move |raw: Vec<u8>, finish: bool| {
        tokio::task::spawn_blocking(move || {
            let mut stream = std::net::TcpStream::connect(addr).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            // The server may close before reading all of a bad request.
            let _ = stream.write_all(&raw);
            if finish {
                let _ = stream.shutdown(std::net::Shutdown::Write);
            }
            let mut answer = Vec::new();
            let _ = stream.read_to_end(&mut answer);
            String::from_utf8_lossy(&answer).to_string()
        })
    };
    let healthy = || {
        exchange(
            b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
            false,
        )
    };

    let mut huge_header = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Long: ".to_vec();
    huge_header.extend(std::iter::repeat_n(b'a', 1 << 20));
    huge_header.extend(b"\r\n\r\n");
    // (request, whether it is whole HTTP that must get a 4xx answer)
    let bad: Vec<(Vec<u8>, bool)> = vec![
        (b"THIS IS NOT HTTP\r\n\r\n".to_vec(), false),
        (b"\x00\xff\x16\x03\x01binary".to_vec(), false),
        (
            b"POST /v1/extract HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nshort".to_vec(),
            false,
        ),
        (
            b"GET /v1/attributions?stance=%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                .to_vec(),
            true,
        ),
        (
            b"GET /v1/documents/%FF%FE HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
            true,
        ),
        (
            b"POST /v1/extract HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n".to_vec(),
            true,
        ),
        (huge_header, true),
    ];
    for (raw, whole) in bad {
        let answer = exchange(raw, !whole).await.unwrap();
        if whole {
            assert!(answer.starts_with("HTTP/1.1 4"), "{answer:.200}");
        } else {
            assert!(
                answer.is_empty() || answer.starts_with("HTTP/1.1 4"),
                "{answer:.200}"
            );
        }
        let answer = healthy().await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer:.200}");
    }
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
