//! The PostgreSQL test server for the CLI's tests: its URL from
//! `WHOSAID_TEST_POSTGRES` (a skip, saying why, without one; a failure in CI),
//! and databases made for one test and dropped after it.

const POSTGRES: &str = "WHOSAID_TEST_POSTGRES";

/// The test server's URL. Without one the test skips, saying why, except in
/// CI, which must run it (`.ci/run` starts a server).
pub fn postgres_server() -> Option<String> {
    match std::env::var(POSTGRES) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{POSTGRES} is not set, and CI must run the PostgreSQL tests"
            );
            eprintln!("skipping: {POSTGRES} is not set (scripts/postgres-test-server.sh start)");
            None
        }
    }
}

/// Runs SQL on the server's own database (databases are created and dropped
/// from outside them).
pub fn admin(server: &str, sql: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(server, tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {server}: {e}"));
        let connection = tokio::spawn(connection);
        client
            .batch_execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        drop(client);
        let _ = connection.await;
    });
}

/// `server` with its database name replaced by `name`.
fn database_url(server: &str, name: &str) -> String {
    let (base, query) = server.split_once('?').unwrap_or((server, ""));
    let path_start = base
        .find("://")
        .and_then(|at| base[at + 3..].find('/').map(|slash| at + 3 + slash))
        .unwrap_or(base.len());
    let mut url = format!("{}/{name}", &base[..path_start]);
    if !query.is_empty() {
        url.push('?');
        url.push_str(query);
    }
    url
}

/// Databases made for one test, dropped when it ends (pass or fail).
pub struct Databases {
    pub server: String,
    /// The names created so far, in order.
    pub names: Vec<String>,
    /// Part of every name, so that test binaries running at once never
    /// share a database.
    prefix: &'static str,
}

impl Databases {
    pub fn new(server: String, prefix: &'static str) -> Self {
        Databases {
            server,
            names: Vec::new(),
            prefix,
        }
    }

    pub fn create(&mut self, label: &str) -> String {
        let name = format!("whosaid_{}_{}_{label}", self.prefix, std::process::id());
        admin(
            &self.server,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        );
        admin(&self.server, &format!("CREATE DATABASE {name}"));
        self.names.push(name.clone());
        database_url(&self.server, &name)
    }
}

impl Drop for Databases {
    fn drop(&mut self) {
        for name in &self.names {
            admin(
                &self.server,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
        }
    }
}
