//! The PostgreSQL backend: the same ledger as SQLite, on a server a team
//! shares.
//!
//! The [`Store`] trait is synchronous, tokio-postgres is not: the store owns a
//! one-worker tokio runtime and blocks on it. The connection pool
//! (deadpool) lives on that runtime, so clones of the store share both and a
//! server can hand one clone to each worker. Because the store blocks, it must
//! not be called from inside another async runtime (use `spawn_blocking`).
//!
//! Every message names the server by its URL with the password removed
//! ([`redact_url`]); passwords must never reach logs or terminals.
//!
//! Connections are plain TCP: no TLS client is built in yet, so a URL with
//! `sslmode=require` fails with "error performing TLS handshake". Use it on
//! a trusted network or through a tunnel.

mod read;
mod schema;
mod write;

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::NoTls;

use crate::*;

/// How long to wait for a connection: long enough for a server across a
/// network, short enough that a wrong address fails while the user waits.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections the pool opens at most; one store is used from one thread at a
/// time, clones share the pool.
const POOL_SIZE: usize = 8;

/// A whosaid ledger in a PostgreSQL database.
#[derive(Clone)]
pub struct PostgresStore {
    runtime: Arc<OwnedRuntime>,
    pool: Pool,
    /// The URL without its password, for messages.
    db: String,
}

/// A runtime that may be dropped anywhere: dropping a tokio runtime from
/// inside async code panics, shutting it down in the background does not.
struct OwnedRuntime(Option<tokio::runtime::Runtime>);

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/db`),
    /// creating or migrating the schema when needed.
    pub fn connect(url: &str) -> Result<Self> {
        let db = redact_url(url);
        let mut config: tokio_postgres::Config = url.parse().map_err(|e| Error::Postgres {
            db: db.clone(),
            reason: format!("not a PostgreSQL URL ({})", describe(&e)),
            source: Box::new(e),
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("whosaid-postgres")
            .enable_all()
            .build()
            .map_err(|e| Error::Postgres {
                db: db.clone(),
                reason: format!("cannot start the client's runtime: {e}"),
                source: Box::new(e),
            })?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                // One empty statement per checkout finds a connection the
                // server closed (a restart, an administrator) before a
                // batch is lost on it: the pool then opens a new one.
                // `Fast` only sees closures the client has noticed, and a
                // terminated idle connection is not always noticed in time.
                recycling_method: RecyclingMethod::Verified,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(CONNECT_TIMEOUT * 3))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .recycle_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|e| Error::Postgres {
                db: db.clone(),
                reason: format!("cannot build the connection pool: {e}"),
                source: Box::new(e),
            })?;
        let store = PostgresStore {
            runtime: Arc::new(OwnedRuntime(Some(runtime))),
            pool,
            db,
        };
        store.block_on(schema::migrate(&store))?;
        Ok(store)
    }

    /// The server's URL without the password, as messages show it.
    pub fn display_url(&self) -> &str {
        &self.db
    }

    fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        match &self.runtime.0 {
            Some(runtime) => runtime.block_on(future),
            // Only `Drop` takes the runtime out.
            None => unreachable!("the runtime lives as long as the store"),
        }
    }

    /// A pooled connection, or an error naming the server.
    async fn client(&self) -> Result<deadpool_postgres::Object> {
        self.pool.get().await.map_err(|e| self.pool_error(e))
    }

    fn pool_error(&self, e: deadpool_postgres::PoolError) -> Error {
        use deadpool_postgres::PoolError;
        match e {
            PoolError::Backend(e) => self.error("cannot connect", e),
            PoolError::Timeout(_) => Error::Postgres {
                db: self.db.clone(),
                reason: "cannot connect: timed out".to_string(),
                source: Box::new(e),
            },
            other => Error::Postgres {
                db: self.db.clone(),
                reason: format!("cannot connect: {other}"),
                source: Box::new(other),
            },
        }
    }

    /// An error from the server or the connection while doing `what`.
    fn error(&self, what: &str, e: tokio_postgres::Error) -> Error {
        Error::Postgres {
            db: self.db.clone(),
            reason: format!("{what}: {}", describe(&e)),
            source: Box::new(e),
        }
    }

    /// A closure for `map_err` that names what failed.
    fn fail<'a>(&'a self, what: &'a str) -> impl Fn(tokio_postgres::Error) -> Error + 'a {
        move |e| self.error(what, e)
    }

    fn data_error(&self, reason: String) -> Error {
        Error::Data {
            db: self.db.clone(),
            reason,
        }
    }
}

impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn put_batch(&mut self, documents: &[NewDocument]) -> Result<Vec<PutOutcome>> {
        self.block_on(write::put_batch(self, documents))
    }

    fn known(&self, sha256: &[&str]) -> Result<Vec<bool>> {
        self.block_on(read::known(self, sha256))
    }

    fn document(&self, key: &str) -> Result<Option<StoredDocument>> {
        self.block_on(read::document(self, key))
    }

    fn query(&self, query: &AttributionQuery) -> Result<Vec<AttributionRow>> {
        self.block_on(read::query(self, query))
    }

    fn speakers(&self, name: Option<&str>, limit: usize) -> Result<Vec<SpeakerSummary>> {
        self.block_on(read::speakers(self, name, limit))
    }

    fn speaker_profile(&self, id: i64) -> Result<Option<SpeakerProfile>> {
        self.block_on(read::speaker_profile(self, id))
    }

    fn optimize(&mut self) -> Result<()> {
        self.block_on(async {
            let client = self.client().await?;
            client
                .batch_execute("ANALYZE documents, attributions, speakers")
                .await
                .map_err(self.fail("cannot refresh the query planner's statistics"))
        })
    }

    fn stats(&self) -> Result<Stats> {
        self.block_on(read::stats(self))
    }

    fn for_each_document(&self, visit: &mut dyn FnMut(StoredDocument) -> Result<()>) -> Result<()> {
        self.block_on(read::for_each_document(self, visit))
    }
}

/// What went wrong, in words a user can act on: the server's own message for
/// a database error, the cause (a refused connection, a timeout) otherwise.
fn describe(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut text = db.message().to_string();
        if let Some(detail) = db.detail() {
            text.push_str(" (");
            text.push_str(detail);
            text.push(')');
        }
        return text;
    }
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return io_reason(io);
        }
        source = cause.source();
    }
    match std::error::Error::source(e) {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::ConnectionRefused => "connection refused".to_string(),
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::UnexpectedEof => {
            "the server closed the connection".to_string()
        }
        ErrorKind::TimedOut => "timed out".to_string(),
        _ => e.to_string(),
    }
}

/// `url` with its password removed, for messages: the user, host, port,
/// database and options stay so that the user can tell which server failed.
/// A password in the query string (`?password=...`) is removed too.
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(at) => (&url[..at + 3], &url[at + 3..]),
        None => return redact_key_value(url),
    };
    let (authority_and_path, query) = match rest.find('?') {
        Some(at) => (&rest[..at], Some(&rest[at + 1..])),
        None => (rest, None),
    };
    // The last '@' ends the user info: a password may hold '@' or '/' when
    // the user did not percent-encode it, a host never holds '@'.
    let host_part = match authority_and_path.rfind('@') {
        Some(at) => {
            let user_info = &authority_and_path[..at];
            let user = user_info.split(':').next().unwrap_or_default();
            format!("{user}@{}", &authority_and_path[at + 1..])
        }
        None => authority_and_path.to_string(),
    };
    let mut redacted = format!("{scheme}{host_part}");
    if let Some(query) = query {
        let kept: Vec<&str> = query
            .split('&')
            .filter(|pair| !pair.to_ascii_lowercase().starts_with("password="))
            .collect();
        if !kept.is_empty() {
            redacted.push('?');
            redacted.push_str(&kept.join("&"));
        }
    }
    redacted
}

/// A key=value connection string (`host=... password=...`) without its
/// password.
fn redact_key_value(config: &str) -> String {
    config
        .split_whitespace()
        .filter(|pair| !pair.to_ascii_lowercase().starts_with("password="))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_url_removes_every_password() {
        let cases = [
            (
                "postgres://ana:s3cret@db.example:5433/news",
                "postgres://ana@db.example:5433/news",
            ),
            (
                "postgresql://ana:p@ss/w0rd@db.example/news",
                "postgresql://ana@db.example/news",
            ),
            (
                "postgres://ana@db.example/news",
                "postgres://ana@db.example/news",
            ),
            ("postgres://db.example/news", "postgres://db.example/news"),
            (
                "postgres://ana@db.example/news?password=s3cret&sslmode=disable",
                "postgres://ana@db.example/news?sslmode=disable",
            ),
            (
                "postgres://ana@db.example/news?PASSWORD=s3cret",
                "postgres://ana@db.example/news",
            ),
            (
                "host=db.example user=ana password=s3cret dbname=news",
                "host=db.example user=ana dbname=news",
            ),
            ("", ""),
        ];
        for (url, expected) in cases {
            let redacted = redact_url(url);
            assert_eq!(redacted, expected, "{url}");
            assert!(!redacted.contains("s3cret") && !redacted.contains("w0rd"));
        }
    }

    #[test]
    fn refused_connection_reads_as_such() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(io_reason(&refused), "connection refused");
        let other = std::io::Error::other("no route to host");
        assert_eq!(io_reason(&other), "no route to host");
    }

    #[test]
    fn refused_connection_names_the_server_without_the_password() {
        // A port that was just free: nothing listens there any more.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let url = format!("postgres://ana:s3cret@127.0.0.1:{port}/news");
        let Err(e) = PostgresStore::connect(&url) else {
            panic!("connected to a closed port");
        };
        assert_eq!(
            e.to_string(),
            format!("postgres://ana@127.0.0.1:{port}/news: cannot connect: connection refused")
        );
    }

    #[test]
    fn malformed_url_is_an_error_without_the_password() {
        let Err(e) = PostgresStore::connect("postgres://ana:s3cret@db.example:notaport/news")
        else {
            panic!("a malformed URL connected");
        };
        let message = e.to_string();
        assert!(
            message.contains("postgres://ana@db.example:notaport/news"),
            "{message}"
        );
        assert!(!message.contains("s3cret"), "{message}");
    }
}
