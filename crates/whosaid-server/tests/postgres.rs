//! The server on a PostgreSQL ledger: the store's clones sharing one pool
//! across request threads, opened from the server's blocking threads.
//!
//! Needs `WHOSAID_TEST_POSTGRES` (a URL; `scripts/postgres-test-server.sh
//! start` prints one). Skips with a reason without it, except on CI, where
//! it fails: the test must run there.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;
use whosaid_server::{router, Config};

const VARIABLE: &str = "WHOSAID_TEST_POSTGRES";
const PAGE: &str = include_str!("../../../examples/library-sundays.html");

fn server_url() -> Option<String> {
    match std::env::var(VARIABLE) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("{VARIABLE} is not set but CI is: the server's PostgreSQL test must run on CI")
        }
        _ => {
            eprintln!("skipping: {VARIABLE} is not set (scripts/postgres-test-server.sh start)");
            None
        }
    }
}

/// A database made for this test on the test server, dropped afterwards.
struct Scratch {
    admin: String,
    name: String,
}

impl Scratch {
    fn new(admin: String) -> Scratch {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let name = format!("whosaid_server_{}_{nanos}", std::process::id());
        execute(&admin, &format!("CREATE DATABASE {name}"));
        Scratch { admin, name }
    }

    /// The admin URL with this database in place of its own: the path
    /// after `scheme://authority` is replaced, the query kept.
    fn url(&self) -> String {
        let (before_query, query) = self
            .admin
            .split_once('?')
            .map_or((self.admin.as_str(), ""), |(b, q)| (b, q));
        let after_scheme = before_query.find("://").map_or(0, |i| i + 3);
        let authority = before_query[after_scheme..]
            .split('/')
            .next()
            .unwrap_or_default();
        let mut url = format!("{}{authority}/{}", &before_query[..after_scheme], self.name);
        if !query.is_empty() {
            url = format!("{url}?{query}");
        }
        url
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        execute(
            &self.admin,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
    }
}

fn execute(url: &str, statement: &str) {
    let url = url.to_string();
    let statement = statement.to_string();
    // A thread of its own: the test's runtime may not block on another.
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .unwrap();
            let driver = tokio::spawn(connection);
            client.batch_execute(&statement).await.unwrap();
            drop(client);
            let _ = driver.await;
        });
    })
    .join()
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_reads_and_writes_a_postgres_ledger() {
    let Some(admin) = server_url() else {
        return;
    };
    let scratch = Scratch::new(admin);
    let mut config = Config::new(scratch.url());
    config.token = Some("pg-token".into());
    let app = tokio::task::spawn_blocking(move || router(config).unwrap())
        .await
        .unwrap();
    let send = |request: Request<Body>| {
        let app = app.clone();
        async move {
            let response = app.oneshot(request).await.unwrap();
            let status = response.status();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            (status, serde_json::from_slice::<Value>(&body).unwrap())
        }
    };
    let (status, health) = send(Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{health}");
    let store = || {
        Request::post("/v1/documents")
            .header(header::CONTENT_TYPE, "text/html")
            .header(header::AUTHORIZATION, "Bearer pg-token")
            .body(Body::from(PAGE))
            .unwrap()
    };
    let (status, stored) = send(store()).await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    let (status, again) = send(store()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["stored"], false);
    assert_eq!(again["id"], stored["id"]);

    // Several reads at once go through clones of the one store.
    let reads = (0..8).map(|_| {
        send(
            Request::get("/v1/attributions?speaker=Murray")
                .body(Body::empty())
                .unwrap(),
        )
    });
    for (status, page) in futures_util::future::join_all(reads).await {
        assert_eq!(status, StatusCode::OK, "{page}");
        let items = page["items"].as_array().unwrap();
        assert!(!items.is_empty());
        assert!(
            items.iter().all(|i| i["speaker"] == "Agnes Murray"),
            "{page}"
        );
    }
    let (status, document) = send(
        Request::get(format!("/v1/documents/{}", stored["id"]))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(document["record"]["source"]["sha256"], stored["sha256"]);
    drop(app);
}

/// The database refuses connections and its sessions are ended (as when
/// the server restarts or an administrator locks it): 503 with the API's
/// error, then answers again once connections are allowed, nothing lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_outage_is_503_until_the_database_returns() {
    let Some(admin) = server_url() else {
        return;
    };
    let scratch = Scratch::new(admin.clone());
    let mut config = Config::new(scratch.url());
    config.token = Some("pg-token".into());
    let app = tokio::task::spawn_blocking(move || router(config).unwrap())
        .await
        .unwrap();
    let get = |uri: &'static str| {
        let app = app.clone();
        async move {
            let response = app
                .oneshot(Request::get(uri).body(Body::empty()).unwrap())
                .await
                .unwrap();
            let status = response.status();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            (status, serde_json::from_slice::<Value>(&body).unwrap())
        }
    };
    let stored = app
        .clone()
        .oneshot(
            Request::post("/v1/documents")
                .header(header::AUTHORIZATION, "Bearer pg-token")
                .body(Body::from(PAGE))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(stored.status(), StatusCode::CREATED);
    let (_, before) = get("/v1/attributions?speaker=Murray").await;

    let name = scratch.name.clone();
    execute(
        &admin,
        &format!(
            "ALTER DATABASE {name} ALLOW_CONNECTIONS false;
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE datname = '{name}' AND pid <> pg_backend_pid();"
        ),
    );
    let (status, health) = get("/healthz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{health}");
    assert_eq!(health["store"], "unavailable");
    let (status, error) = get("/v1/attributions?speaker=Murray").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{error}");
    assert_eq!(error["error"]["code"], "store_unavailable");
    assert!(
        !error["error"]["message"].as_str().unwrap().contains(&name),
        "{error}"
    );

    execute(
        &admin,
        &format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"),
    );
    let (status, health) = get("/healthz").await;
    assert_eq!(status, StatusCode::OK, "{health}");
    let (status, after) = get("/v1/attributions?speaker=Murray").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(after, before);
    drop(app);
}
