//! The store's errors: each names the database and what went wrong.

/// What can go wrong opening, writing or querying a store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file exists but is not a SQLite database (or is corrupt).
    #[error("{path}: not a whosaid database ({reason})")]
    NotADatabase { path: String, reason: String },
    /// Written by a newer whosaid than this one.
    #[error("{db}: schema version {found} is newer than this whosaid supports ({supported})")]
    TooNew {
        db: String,
        found: i64,
        supported: i64,
    },
    #[error("{db}: {reason}")]
    Sqlite {
        db: String,
        reason: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{db}: {reason}")]
    Postgres {
        db: String,
        reason: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A stored record could not be read back or a value was out of range.
    #[error("{db}: {reason}")]
    Data { db: String, reason: String },
    /// A query argument the store cannot use (a malformed date, an empty name).
    #[error("{0}")]
    InvalidQuery(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
