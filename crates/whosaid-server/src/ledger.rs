//! The ledger as the server uses it: store handles shared by request
//! threads, reopened when the database went away and came back.
//!
//! A [`Store`] is `Send` but not `Sync`, and its calls block. Every call runs
//! on a blocking thread ([`tokio::task::spawn_blocking`]) with a handle of
//! its own for the duration:
//! - SQLite: a few connections, each behind a mutex (WAL lets readers run
//!   side by side; SQLite itself serialises writers, waiting on its busy
//!   timeout). Before each use the file is looked up: when it is gone the
//!   call fails as unavailable and the connections are dropped, and when a
//!   file is back at the path (or a different one), they are opened afresh.
//!   Without the look-up a connection keeps reading a deleted or renamed
//!   file and the server would answer from a ledger nobody can see.
//! - PostgreSQL: one store whose clones share its connection pool, which
//!   replaces connections the server closed; a failed connect is retried on
//!   the next request.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use whosaid_store::{PostgresStore, SqliteStore, Store};

use crate::error::{from_store, is_backend_failure, ApiError};

/// SQLite connections kept open; more than the cores of a small server
/// would only wait on each other.
const SQLITE_CONNECTIONS: usize = 4;

#[derive(Clone)]
pub(crate) struct Ledger {
    inner: Arc<Backend>,
}

enum Backend {
    Sqlite {
        path: String,
        slots: Vec<Mutex<Option<OpenSqlite>>>,
        next: AtomicUsize,
    },
    Postgres {
        url: String,
        store: Mutex<Option<PostgresStore>>,
    },
}

struct OpenSqlite {
    store: SqliteStore,
    file: FileIdentity,
}

/// Which file a path names now: a file renamed away and another put in
/// its place are told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileIdentity {
    device: u64,
    inode: u64,
}

fn file_identity(path: &str) -> Option<FileIdentity> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(FileIdentity {
            device: meta.dev(),
            inode: meta.ino(),
        })
    }
    #[cfg(not(unix))]
    {
        Some(FileIdentity {
            device: 0,
            inode: 0,
        })
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while a handle was in use leaves it as it was; the next
    // failure on it drops it anyway.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Ledger {
    /// Opens the ledger now, so that a wrong path or URL stops the server
    /// at start-up rather than failing every request. A SQLite file is
    /// created when missing (as `whosaid ingest` does); later, a vanished
    /// file is an outage, never a reason to start a new empty ledger.
    pub fn open(db: &str) -> Result<Ledger, crate::Error> {
        let backend = if whosaid_store::is_postgres_url(db) {
            let store = PostgresStore::connect(db)?;
            Backend::Postgres {
                url: db.to_string(),
                store: Mutex::new(Some(store)),
            }
        } else {
            let store = SqliteStore::open(db)?;
            let file = file_identity(db).ok_or_else(|| {
                crate::Error::Config(format!(
                    "{db}: not a file on disk (an in-memory ledger cannot be shared by the server's connections)"
                ))
            })?;
            let mut slots: Vec<Mutex<Option<OpenSqlite>>> =
                (0..SQLITE_CONNECTIONS).map(|_| Mutex::new(None)).collect();
            slots[0] = Mutex::new(Some(OpenSqlite { store, file }));
            Backend::Sqlite {
                path: db.to_string(),
                slots,
                next: AtomicUsize::new(0),
            }
        };
        Ok(Ledger {
            inner: Arc::new(backend),
        })
    }

    /// Runs `f` with a store on a blocking thread.
    pub async fn call<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Store) -> whosaid_store::Result<T> + Send + 'static,
    {
        let ledger = self.clone();
        match tokio::task::spawn_blocking(move || ledger.call_blocking(f)).await {
            Ok(result) => result,
            Err(e) => {
                eprintln!("whosaid serve: a ledger call failed: {e}");
                Err(ApiError::internal())
            }
        }
    }

    fn call_blocking<T>(
        &self,
        f: impl FnOnce(&mut dyn Store) -> whosaid_store::Result<T>,
    ) -> Result<T, ApiError> {
        match &*self.inner {
            Backend::Postgres { url, store } => {
                let mut handle = {
                    let mut slot = lock(store);
                    if slot.is_none() {
                        *slot = Some(PostgresStore::connect(url).map_err(from_store)?);
                    }
                    match slot.as_ref() {
                        Some(store) => store.clone(),
                        None => return Err(ApiError::store_unavailable()),
                    }
                };
                // The pool replaces broken connections by itself: the store
                // is kept whatever the outcome.
                f(&mut handle).map_err(from_store)
            }
            Backend::Sqlite { path, slots, next } => {
                let Some(file) = file_identity(path) else {
                    for slot in slots {
                        *lock(slot) = None;
                    }
                    eprintln!("whosaid serve: {path}: the ledger file is gone");
                    return Err(ApiError::store_unavailable());
                };
                let mut slot = take_slot(slots, next);
                let open = match slot.take() {
                    Some(open) if open.file == file => open,
                    _ => OpenSqlite {
                        store: SqliteStore::open(path).map_err(from_store)?,
                        file,
                    },
                };
                let mut open = open;
                let result = f(&mut open.store);
                match &result {
                    Err(e) if is_backend_failure(e) => {}
                    _ => *slot = Some(open),
                }
                result.map_err(from_store)
            }
        }
    }

    /// Whether the store answers a question now.
    pub async fn ping(&self) -> Result<(), ApiError> {
        const NO_DIGEST: &str = "0000000000000000000000000000000000000000000000000000000000000000";
        self.call(|store| store.known(&[NO_DIGEST]).map(|_| ()))
            .await
    }
}

/// A free connection slot if there is one, else the next in turn (waiting
/// for it): requests spread over the connections without a queue of their own.
fn take_slot<'a>(
    slots: &'a [Mutex<Option<OpenSqlite>>],
    next: &AtomicUsize,
) -> MutexGuard<'a, Option<OpenSqlite>> {
    let start = next.fetch_add(1, Ordering::Relaxed) % slots.len();
    for i in 0..slots.len() {
        if let Ok(guard) = slots[(start + i) % slots.len()].try_lock() {
            return guard;
        }
    }
    lock(&slots[start])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_renamed_ledger_is_unavailable_until_it_returns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.db");
        let away = dir.path().join("away.db");
        let db = path.to_str().unwrap();
        let ledger = Ledger::open(db).unwrap();
        ledger.ping().await.unwrap();
        std::fs::rename(&path, &away).unwrap();
        let e = ledger.ping().await.unwrap_err();
        assert_eq!(e.code, "store_unavailable");
        assert!(!path.exists(), "the server must not create a new ledger");
        std::fs::rename(&away, &path).unwrap();
        ledger.ping().await.unwrap();
    }

    #[test]
    fn an_in_memory_ledger_is_refused() {
        assert!(Ledger::open(":memory:").is_err());
    }
}
