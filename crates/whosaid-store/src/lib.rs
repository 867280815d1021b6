//! The whosaid ledger: records from many articles in one store, and the
//! questions an analyst asks of it (who said what, about what, when).
//!
//! Two backends behind one trait, [`Store`]: SQLite in a file (the default,
//! nothing to install or start) and PostgreSQL for teams. [`open`] picks one
//! from what the user typed: a `postgres://` or `postgresql://` URL, else a
//! path to a SQLite file.
//!
//! Both keep the same promises:
//! - a document is identified by the sha256 of its raw bytes and is stored at
//!   most once, whatever is retried or re-run;
//! - [`Store::put_batch`] is one transaction: after a crash either the whole
//!   batch is stored or none of it;
//! - queries never build SQL from user text (parameters only).
//!
//! A speaker is one actor across articles by the rule in [`identity`].

mod document_key;
mod error;
pub mod identity;
mod postgres;
mod query_words;
mod sqlite;

pub use error::{Error, Result};
pub use postgres::PostgresStore;
pub use query_words::{parse_day, parse_kind, parse_stance};
pub use sqlite::SqliteStore;

use serde::{Deserialize, Serialize};
use whosaid::record::{AttributionKind, Stance};
use whosaid::Record;

/// The default database when the user names none.
pub const DEFAULT_DB: &str = "whosaid.db";

/// Opens (creating and migrating when needed) the store the user named: a
/// `postgres://`/`postgresql://` URL, or a path to a SQLite file.
pub fn open(db: &str) -> Result<Box<dyn Store>> {
    if is_postgres_url(db) {
        Ok(Box::new(PostgresStore::connect(db)?))
    } else {
        Ok(Box::new(SqliteStore::open(db)?))
    }
}

/// Whether `db` names a PostgreSQL server rather than a SQLite file.
pub fn is_postgres_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// A document's id in the store (stable for the life of the store).
pub type DocumentId = i64;

/// One processed document to store, with where it came from.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub record: Record,
    /// Byte offset of the WARC record (its gzip member) in `record.source.path`.
    pub offset: Option<u64>,
}

/// What happened to one document of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    Stored(DocumentId),
    /// A document with the same sha256 was already in the store.
    Duplicate(DocumentId),
}

/// A search over attributions. Every field narrows the result; `None` means
/// no condition. Dates are `YYYY-MM-DD` (inclusive) compared with the
/// article's published date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttributionQuery {
    /// A speaker as the user names them ("Trump", "President Trump"): matched
    /// by [`identity`], not by substring.
    pub speaker: Option<String>,
    /// Words that must all occur in the content (full-text search).
    pub about: Option<String>,
    pub stance: Option<Stance>,
    pub kind: Option<AttributionKind>,
    /// The article's site name or URL host, case-insensitive.
    pub site: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub limit: usize,
    /// Continue after this row (keyset pagination): the `cursor` of the last
    /// row of the previous page.
    pub after: Option<Cursor>,
}

/// The position of a row in the query order (published date descending,
/// then document id descending, then attribution index ascending).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub published: Option<String>,
    pub document: DocumentId,
    pub index: i64,
}

/// One attribution found by a query, with its article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributionRow {
    pub document: DocumentId,
    /// The attribution's `id` within its record.
    pub index: i64,
    pub kind: AttributionKind,
    pub stance: Stance,
    /// The speaker's actor across articles, when the speaker resolved to one.
    pub speaker_id: Option<i64>,
    /// The speaker's name: the actor's fullest name in the article, else the
    /// span as written, else null (sourceless).
    pub speaker: Option<String>,
    pub cue: Option<String>,
    pub content: String,
    pub title: Option<String>,
    pub site: Option<String>,
    pub published: Option<String>,
    pub url: Option<String>,
    pub cursor: Cursor,
}

/// An actor across articles, with how often and how they were quoted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpeakerSummary {
    pub id: i64,
    /// The name shown: the most frequent fullest name among the actor's
    /// mentions across articles.
    pub name: String,
    pub kind: String,
    pub attributions: u64,
    pub documents: u64,
    /// Count per stance, in the order of [`STANCES`], stances with none left out.
    pub stances: Vec<(Stance, u64)>,
}

/// An actor's profile: names seen, stances, quotes over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpeakerProfile {
    pub summary: SpeakerSummary,
    /// Names the actor had in articles, with counts, most frequent first.
    pub names: Vec<(String, u64)>,
    /// Attributions per month (`YYYY-MM`, ascending); undated ones left out.
    pub per_month: Vec<(String, u64)>,
}

/// Counts of what the store holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub documents: u64,
    pub attributions: u64,
    pub speakers: u64,
}

/// A stored document: its id, provenance and the record as stored.
#[derive(Debug, Clone)]
pub struct StoredDocument {
    pub id: DocumentId,
    pub offset: Option<u64>,
    pub ingested_at: String,
    pub record: Record,
}

/// Every stance, in the order reports list them.
pub const STANCES: [Stance; 7] = [
    Stance::Asserts,
    Stance::Denies,
    Stance::Believes,
    Stance::Doubts,
    Stance::Affirms,
    Stance::Reports,
    Stance::Intends,
];

/// The ledger. Methods take `&mut self` for writes and `&self` for reads; an
/// implementation is used from one thread at a time (`Send`, not `Sync`):
/// a server opens one per worker or serialises access.
pub trait Store: Send {
    /// Which backend this is ("sqlite" or "postgres"), for messages.
    fn backend(&self) -> &'static str;

    /// Stores a batch in one transaction. Documents whose sha256 is already
    /// stored (or repeats within the batch) come back as `Duplicate`.
    fn put_batch(&mut self, documents: &[NewDocument]) -> Result<Vec<PutOutcome>>;

    /// Which of these sha256 digests are already stored (to skip work before
    /// extraction on a re-run).
    fn known(&self, sha256: &[&str]) -> Result<Vec<bool>>;

    /// The stored document, by id or by sha256 (a full 64-digit hex string or
    /// a unique prefix of at least 8 digits).
    fn document(&self, key: &str) -> Result<Option<StoredDocument>>;

    fn query(&self, query: &AttributionQuery) -> Result<Vec<AttributionRow>>;

    /// The most quoted actors, most attributions first; `name` filters by
    /// the identity rule as in [`AttributionQuery::speaker`].
    fn speakers(&self, name: Option<&str>, limit: usize) -> Result<Vec<SpeakerSummary>>;

    fn speaker_profile(&self, id: i64) -> Result<Option<SpeakerProfile>>;

    fn stats(&self) -> Result<Stats>;

    /// Refreshes the query planner's statistics after a bulk load, so that
    /// the first queries after an ingest plan with the data as it now is
    /// (PostgreSQL's autovacuum may not have analysed a fresh table yet).
    fn optimize(&mut self) -> Result<()>;

    /// Every stored document in id order, streamed to `visit` (for export);
    /// `visit` returning an error stops the walk with that error.
    fn for_each_document(&self, visit: &mut dyn FnMut(StoredDocument) -> Result<()>) -> Result<()>;
}
