//! The library's error type.

/// Why a document could not be turned into a record.
///
/// Messages name the problem, not the input: callers know which input they
/// passed and prefix it (the CLI prints `PATH: message`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("empty input")]
    Empty,
    #[error("input is {size} bytes, over the limit of {limit} bytes")]
    TooLarge { size: u64, limit: u64 },
    #[error("truncated or corrupt gzip data: {0}")]
    Gzip(String),
    #[error("binary data, not a page or text ({0})")]
    Binary(&'static str),
    #[error("text could not be decoded: {0}")]
    Undecodable(String),
    #[error("document over the {limit} limit: {what}")]
    Limit { limit: &'static str, what: String },
    /// [`crate::Limits::max_time_per_document`] passed before there was an
    /// article to give (later, the record is cut short with a warning).
    #[error("time limit of {} s reached {during}; no article extracted", .limit.as_secs_f64())]
    TimeLimit {
        limit: std::time::Duration,
        during: &'static str,
    },
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
