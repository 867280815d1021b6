//! SQLite backend: the ledger in one file, nothing to install or start.
//!
//! # Layout
//!
//! The schema is in [`schema`] (versioned with `PRAGMA user_version`). The
//! one idea worth knowing before reading the queries is the **order key**:
//! every attribution's rowid (`attributions.ord`) is
//!
//! ```text
//!   day << 44 | seq
//! ```
//!
//! where `day` is the article's published day counted from 1600-01-01 (1 for
//! that day, 0 when undated) and `seq` a counter that ingest hands out in
//! document order, a document's attributions numbered last to first. Sorted
//! descending, the key is exactly the query order: newest day first, undated
//! last, then newest document first, then attributions in text order. So:
//! - a date range is a rowid range, and a page is a rowid scan stopped after
//!   `limit` rows, with no sort and no count;
//! - the full-text index uses the same numbers as its rowids, so FTS5 returns
//!   matches already in query order and stops after a page;
//! - a speaker's page reads the index `(speaker_id, ord)` only;
//! - a document's attributions are one contiguous rowid range.
//!
//! Dates outside 1600–3034 are kept in the record and the `published` column
//! but count as undated for ordering and date filters.
//!
//! Connections use WAL (readers never wait for the writer), `synchronous =
//! NORMAL` (a power cut may lose the last batches, never corrupt the file)
//! and a busy timeout for a second writer. A 64 MiB page cache keeps the
//! index pages an ingest touches in memory (the 2 MiB default re-read them
//! from disk: three times the page reads on a 4000-document ingest), and
//! checkpoints run every 8192 WAL pages rather than 1000 (a quarter of the
//! fsyncs). A batch is one `BEGIN IMMEDIATE` transaction: after a crash
//! each document is stored whole or not at all.

mod query;
mod schema;

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use whosaid::record::{ActorKind, AttributionKind, Stance};

use crate::document_key::{Digest, DocumentKey};
use crate::identity::{is_single_word, last_word, speaker_key};
use crate::*;

/// Bits of the order key below the day.
const SEQ_BITS: u32 = 44;
/// Day numbers must fit in the 19 bits above `SEQ_BITS` (63 bits in all).
const MAX_DAY: i64 = (1 << (63 - SEQ_BITS)) - 1;
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// A whosaid ledger in a SQLite file.
pub struct SqliteStore {
    conn: Connection,
    /// As the user named it, for messages.
    path: String,
}

impl SqliteStore {
    /// Opens the database at `path`, creating it (or filling an empty file)
    /// and applying pending migrations. A file that is not a SQLite database
    /// is refused untouched; so is one written by a newer whosaid.
    pub fn open(path: &str) -> Result<Self> {
        check_header(path)?;
        // No URI flag: a path is a path, even one that starts with "file:".
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| Error::Sqlite {
            db: path.to_string(),
            reason: "cannot open the database".into(),
            source: e,
        })?;
        let store = SqliteStore {
            conn,
            path: path.to_string(),
        };
        store.configure()?;
        store.migrate()?;
        Ok(store)
    }

    fn configure(&self) -> Result<()> {
        self.conn
            .busy_timeout(Duration::from_secs(30))
            .map_err(self.err("cannot set the busy timeout"))?;
        // Reading the version first fails cleanly on a corrupt file and
        // leaves a newer database untouched (no journal mode change).
        let found = self.user_version()?;
        if found > schema::VERSION {
            return Err(Error::TooNew {
                db: self.path.clone(),
                found,
                supported: schema::VERSION,
            });
        }
        // The pragma answers with the mode now in force; an in-memory
        // database stays "memory" and works all the same, so the answer is
        // not checked.
        // Switching to WAL needs the database to itself for a moment, and
        // SQLite answers "busy" at once, without its busy handler, while
        // another process opening the same new ledger holds a lock (it
        // would otherwise risk a deadlock): so wait and retry here.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            match self
                .conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
            {
                Ok(_) => break,
                Err(e)
                    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                        && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => return Err(self.err("cannot switch to WAL")(e)),
            }
        }
        self.conn
            .execute_batch(
                "PRAGMA synchronous = NORMAL;
                 PRAGMA foreign_keys = ON;
                 PRAGMA cache_size = -65536;
                 PRAGMA wal_autocheckpoint = 8192;",
            )
            .map_err(self.err("cannot configure the connection"))?;
        Ok(())
    }

    fn user_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.open_error(e))
    }

    /// A failure while first reading the file: not a database, or another
    /// problem (permissions, I/O) reported as such.
    fn open_error(&self, e: rusqlite::Error) -> Error {
        if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) {
            Error::NotADatabase {
                path: self.path.clone(),
                reason: e.to_string(),
            }
        } else {
            Error::Sqlite {
                db: self.path.clone(),
                reason: "cannot read the database".into(),
                source: e,
            }
        }
    }

    fn migrate(&self) -> Result<()> {
        if self.user_version()? == schema::VERSION {
            return Ok(());
        }
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(self.err("cannot start the migration"))?;
        // Another process may have migrated while this one waited for the lock.
        let found: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(self.err("cannot read the schema version"))?;
        if found > schema::VERSION {
            return Err(Error::TooNew {
                db: self.path.clone(),
                found,
                supported: schema::VERSION,
            });
        }
        for (i, migration) in schema::MIGRATIONS.iter().enumerate().skip(found as usize) {
            tx.execute_batch(migration)
                .map_err(self.err(&format!("migration {} failed", i + 1)))?;
        }
        // PRAGMA takes no parameters; the value is our own constant.
        tx.execute_batch(&format!("PRAGMA user_version = {}", schema::VERSION))
            .map_err(self.err("cannot record the schema version"))?;
        tx.commit().map_err(self.err("cannot commit the migration"))
    }

    fn err(&self, reason: &str) -> impl Fn(rusqlite::Error) -> Error {
        sql_error(&self.path, reason)
    }

    fn data_error(&self, reason: String) -> Error {
        Error::Data {
            db: self.path.clone(),
            reason,
        }
    }
}

/// Refuses an existing non-empty file that does not start with SQLite's
/// header, before SQLite opens (and might write to) it.
fn check_header(path: &str) -> Result<()> {
    let not_db = |reason: String| Error::NotADatabase {
        path: path.to_string(),
        reason,
    };
    let p = Path::new(path);
    let meta = match std::fs::metadata(p) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(not_db(e.to_string())),
    };
    if meta.is_dir() {
        return Err(not_db("it is a directory".into()));
    }
    if meta.len() == 0 {
        return Ok(());
    }
    let mut head = [0u8; 16];
    let mut file = std::fs::File::open(p).map_err(|e| not_db(e.to_string()))?;
    let n = file.read(&mut head).map_err(|e| not_db(e.to_string()))?;
    if n < head.len() || &head != SQLITE_MAGIC {
        return Err(not_db(
            "the file does not start with the SQLite header".into(),
        ));
    }
    Ok(())
}

/// The speaker rows a batch has used, by key, so that each key is looked up
/// (or created) once per batch.
#[derive(Default)]
struct BatchSpeakers {
    known: HashMap<String, (i64, ActorKind)>,
}

impl BatchSpeakers {
    /// The id of the speaker with `key`, created with `kind` when new. A
    /// key first stored without a known kind takes the first known one.
    fn id(
        &mut self,
        tx: &rusqlite::Transaction<'_>,
        db: &str,
        key: &str,
        kind: ActorKind,
    ) -> Result<i64> {
        let err = |reason: &str| sql_error(db, reason);
        let upgrades =
            |stored: ActorKind| stored == ActorKind::Unknown && kind != ActorKind::Unknown;
        if let Some(&(id, stored)) = self.known.get(key) {
            if !upgrades(stored) {
                return Ok(id);
            }
        }
        let (id, stored_kind) = match self.known.get(key) {
            Some(&known) => known,
            None => {
                let found: Option<(i64, String)> = tx
                    .prepare_cached("SELECT id, kind FROM speakers WHERE key = ?1")
                    .and_then(|mut s| {
                        s.query_row([key], |r| Ok((r.get(0)?, r.get(1)?)))
                            .optional()
                    })
                    .map_err(err("cannot look up a speaker"))?;
                match found {
                    Some((id, stored)) => (id, parse_actor_kind(&stored)),
                    None => {
                        let words = key.split(' ').count() as i64;
                        let id: i64 = tx
                            .prepare_cached(
                                "INSERT INTO speakers (key, surname, words, kind)
                                 VALUES (?1, ?2, ?3, ?4) RETURNING id",
                            )
                            .and_then(|mut s| {
                                s.query_row(
                                    params![key, last_word(key), words, actor_kind_name(kind)],
                                    |r| r.get(0),
                                )
                            })
                            .map_err(err("cannot store a speaker"))?;
                        (id, kind)
                    }
                }
            }
        };
        let kind = if upgrades(stored_kind) {
            tx.prepare_cached("UPDATE speakers SET kind = ?2 WHERE id = ?1")
                .and_then(|mut s| s.execute(params![id, actor_kind_name(kind)]))
                .map_err(err("cannot update a speaker"))?;
            kind
        } else {
            stored_kind
        };
        self.known.insert(key.to_string(), (id, kind));
        Ok(id)
    }
}

/// Per-batch sums for the speaker aggregate tables, written once at the end
/// of the batch.
#[derive(Default)]
struct SpeakerTally {
    attributions: HashMap<i64, i64>,
    documents: HashMap<i64, i64>,
    names: HashMap<(i64, String), i64>,
    stances: HashMap<(i64, &'static str), i64>,
    months: HashMap<(i64, String), i64>,
    /// (one-word key, longer key ending in it) → documents quoting both.
    pairs: HashMap<(i64, i64), i64>,
}

impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn put_batch(&mut self, documents: &[NewDocument]) -> Result<Vec<PutOutcome>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql_error(&self.path, "cannot start a write"))?;
        let db = self.path.as_str();
        // SAFETY: only read by sqlite3_system_errno below, while `tx`, and
        // so the connection, is alive.
        let handle = unsafe { tx.handle() };
        let err = |reason: &str| {
            let plain = sql_error(db, reason);
            move |e: rusqlite::Error| with_os_cause(plain(e), handle)
        };
        let meta = |name: &str| -> Result<i64> {
            tx.query_row("SELECT value FROM meta WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .map_err(err("cannot read the store's counters"))
        };
        let mut next_seq = meta("next_seq")?;
        let mut stored_documents = 0i64;
        let mut stored_attributions = 0i64;
        let mut outcomes = Vec::with_capacity(documents.len());
        let mut in_batch: HashMap<String, DocumentId> = HashMap::new();
        let mut speakers = BatchSpeakers::default();
        let mut tally = SpeakerTally::default();
        // Full-text rows are inserted last, in ascending rowid order: FTS5
        // writes its pending terms out as a new segment whenever a rowid is
        // not above the previous one, and ords fall within a document and
        // jump between days, so inserting them as they come flushed (and
        // later merged) a segment per attribution.
        let mut full_text: Vec<(i64, &str)> = Vec::new();
        let ingested_at = now_rfc3339();
        {
            let mut insert_document = tx
                .prepare_cached(
                    "INSERT INTO documents (sha256, path, record_id, warc_offset, url, host, site,
                        site_folded, title, published, published_day, language, authors_json,
                        record_json, ingested_at, first_ord, attribution_count)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
                     ON CONFLICT (sha256) DO NOTHING
                     RETURNING id",
                )
                .map_err(err("cannot prepare the document insert"))?;
            let mut existing = tx
                .prepare_cached("SELECT id FROM documents WHERE sha256 = ?1")
                .map_err(err("cannot prepare the duplicate lookup"))?;
            let mut insert_attribution = tx
                .prepare_cached(
                    "INSERT INTO attributions (ord, document_id, idx, kind, stance, speaker_id,
                        speaker_name, speaker_text, cue, cue_lemma, content, parent_idx)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .map_err(err("cannot prepare the attribution insert"))?;
            let mut insert_text = tx
                .prepare_cached("INSERT INTO attribution_text (rowid, said) VALUES (?1, ?2)")
                .map_err(err("cannot prepare the full-text insert"))?;

            for (position, doc) in documents.iter().enumerate() {
                let record = &doc.record;
                let sha = record.source.sha256.trim().to_ascii_lowercase();
                if sha.is_empty() {
                    return Err(Error::Data {
                        db: db.to_string(),
                        reason: format!(
                            "document {position} of the batch ({}) has no sha256",
                            record.source.path.as_deref().unwrap_or("no path")
                        ),
                    });
                }
                if let Some(&id) = in_batch.get(&sha) {
                    outcomes.push(PutOutcome::Duplicate(id));
                    continue;
                }
                let day = record.article.published.as_deref().and_then(published_day);
                let day_code = day.as_ref().map_or(0, |(_, code)| *code);
                let count = record.attributions.len() as i64;
                let first_ord = (count > 0).then_some((day_code << SEQ_BITS) | next_seq);
                if next_seq + count >= 1 << SEQ_BITS {
                    return Err(Error::Data {
                        db: db.to_string(),
                        reason: "the store has run out of attribution numbers".into(),
                    });
                }
                let record_json = serde_json::to_vec(record).map_err(|e| Error::Data {
                    db: db.to_string(),
                    reason: format!("cannot serialise record {sha}: {e}"),
                })?;
                let authors_json =
                    serde_json::to_string(&record.article.authors).map_err(|e| Error::Data {
                        db: db.to_string(),
                        reason: format!("cannot serialise the authors of {sha}: {e}"),
                    })?;
                let offset = doc.offset.map(|o| o.min(i64::MAX as u64) as i64);
                let url = record.source.url.as_deref();
                let site = record.article.site.as_deref();
                let id: Option<DocumentId> = insert_document
                    .query_row(
                        params![
                            sha,
                            record.source.path,
                            record.source.record,
                            offset,
                            url,
                            url.and_then(url_host),
                            site,
                            site.map(fold_site),
                            record.article.title,
                            record.article.published,
                            day.as_ref().map(|(text, _)| text.as_str()),
                            record.article.language,
                            authors_json,
                            record_json,
                            ingested_at,
                            first_ord,
                            count,
                        ],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(err("cannot store a document"))?;
                let Some(id) = id else {
                    let id = existing
                        .query_row([&sha], |r| r.get(0))
                        .map_err(err("cannot find a stored duplicate"))?;
                    in_batch.insert(sha, id);
                    outcomes.push(PutOutcome::Duplicate(id));
                    continue;
                };
                in_batch.insert(sha, id);
                outcomes.push(PutOutcome::Stored(id));
                stored_documents += 1;
                stored_attributions += count;

                let month = day.as_ref().map(|(text, _)| text[..7].to_string());
                let mut speakers_here: HashMap<i64, String> = HashMap::new();
                for (i, a) in record.attributions.iter().enumerate() {
                    // Numbered last to first, so that descending order is text order.
                    let ord = (day_code << SEQ_BITS) | (next_seq + count - 1 - i as i64);
                    let actor = a
                        .speaker
                        .as_ref()
                        .and_then(|s| s.actor)
                        .and_then(|n| record.actors.get(n));
                    let speaker_name = actor
                        .map(|actor| actor.name.as_str())
                        .or(a.speaker.as_ref().map(|s| s.text.as_str()));
                    let mut speaker_id = None;
                    if let Some(actor) = actor {
                        if let Some(key) = speaker_key(&actor.name) {
                            let id = speakers.id(&tx, db, &key, actor.kind)?;
                            if let std::collections::hash_map::Entry::Vacant(slot) =
                                speakers_here.entry(id)
                            {
                                *tally.documents.entry(id).or_default() += 1;
                                slot.insert(key.clone());
                            }
                            speaker_id = Some(id);
                            *tally.attributions.entry(id).or_default() += 1;
                            *tally.names.entry((id, actor.name.clone())).or_default() += 1;
                            *tally
                                .stances
                                .entry((id, stance_name(a.stance)))
                                .or_default() += 1;
                            if let Some(month) = &month {
                                *tally.months.entry((id, month.clone())).or_default() += 1;
                            }
                        }
                    }
                    insert_attribution
                        .execute(params![
                            ord,
                            id,
                            a.id as i64,
                            kind_name(a.kind),
                            stance_name(a.stance),
                            speaker_id,
                            speaker_name,
                            a.speaker.as_ref().map(|s| s.text.as_str()),
                            a.cue.as_ref().map(|c| c.text.as_str()),
                            a.cue.as_ref().map(|c| c.lemma.as_str()),
                            a.content.text,
                            a.parent.map(|p| p as i64),
                        ])
                        .map_err(err("cannot store an attribution"))?;
                    full_text.push((ord, a.content.text.as_str()));
                }
                tally_pairs(&speakers_here, &mut tally.pairs);
                next_seq += count;
            }
            full_text.sort_unstable_by_key(|&(ord, _)| ord);
            for (ord, said) in full_text {
                insert_text
                    .execute(params![ord, said])
                    .map_err(err("cannot index an attribution"))?;
            }
        }
        write_tally(&tx, &tally, db)?;
        tx.execute(
            "UPDATE meta SET value = CASE name
                WHEN 'next_seq' THEN ?1
                WHEN 'documents' THEN value + ?2
                WHEN 'attributions' THEN value + ?3
                ELSE value END",
            params![next_seq, stored_documents, stored_attributions],
        )
        .map_err(err("cannot update the store's counters"))?;
        tx.commit().map_err(err("cannot commit the batch"))?;
        Ok(outcomes)
    }

    fn known(&self, sha256: &[&str]) -> Result<Vec<bool>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT 1 FROM documents WHERE sha256 = ?1")
            .map_err(self.err("cannot prepare the lookup"))?;
        sha256
            .iter()
            .map(|sha| {
                stmt.exists([sha.trim().to_ascii_lowercase()])
                    .map_err(self.err("cannot look up a document"))
            })
            .collect()
    }

    fn document(&self, key: &str) -> Result<Option<StoredDocument>> {
        const COLUMNS: &str = "SELECT id, warc_offset, ingested_at, record_json FROM documents";
        let key = DocumentKey::parse(key)?;
        if let Some(id) = key.id {
            let found = self.document_where(&format!("{COLUMNS} WHERE id = ?1"), &id)?;
            if found.is_some() || key.digest.is_none() {
                return Ok(found);
            }
        }
        let prefix = match &key.digest {
            None => return Ok(None),
            Some(Digest::Full(hex)) => {
                return self.document_where(&format!("{COLUMNS} WHERE sha256 = ?1"), hex);
            }
            Some(Digest::Prefix(hex)) => hex,
        };
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{COLUMNS} WHERE sha256 >= ?1 AND sha256 < ?1 || 'g' ORDER BY sha256 LIMIT 2"
            ))
            .map_err(self.err("cannot prepare the document lookup"))?;
        let mut found: Vec<StoredDocument> = Vec::new();
        let mut rows = stmt
            .query([prefix])
            .map_err(self.err("cannot look up a document"))?;
        while let Some(row) = rows.next().map_err(self.err("cannot read a document"))? {
            found.push(self.stored_document(row)?);
        }
        if found.len() > 1 {
            return Err(key.ambiguous());
        }
        Ok(found.pop())
    }

    fn query(&self, query: &AttributionQuery) -> Result<Vec<AttributionRow>> {
        self.run_query(query)
    }

    fn speakers(&self, name: Option<&str>, limit: usize) -> Result<Vec<SpeakerSummary>> {
        let _snapshot = self.snapshot()?;
        self.list_speakers(name, limit)
    }

    fn speaker_profile(&self, id: i64) -> Result<Option<SpeakerProfile>> {
        let _snapshot = self.snapshot()?;
        self.profile(id)
    }

    fn optimize(&mut self) -> Result<()> {
        self.conn
            .execute_batch("PRAGMA optimize")
            .map_err(self.err("cannot refresh the query planner's statistics"))
    }

    fn stats(&self) -> Result<Stats> {
        let _snapshot = self.snapshot()?;
        let counter = |name: &str| -> Result<u64> {
            let value: i64 = self
                .conn
                .query_row("SELECT value FROM meta WHERE name = ?1", [name], |r| {
                    r.get(0)
                })
                .map_err(self.err("cannot read the store's counters"))?;
            Ok(value.max(0) as u64)
        };
        let keys: i64 = self
            .conn
            .query_row("SELECT count(*) FROM speakers", [], |r| r.get(0))
            .map_err(self.err("cannot count speakers"))?;
        let folded = self.fold_map(None)?.len() as i64;
        Ok(Stats {
            documents: counter("documents")?,
            attributions: counter("attributions")?,
            speakers: (keys - folded).max(0) as u64,
        })
    }

    fn for_each_document(&self, visit: &mut dyn FnMut(StoredDocument) -> Result<()>) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, warc_offset, ingested_at, record_json FROM documents ORDER BY id")
            .map_err(self.err("cannot prepare the export"))?;
        let mut rows = stmt.query([]).map_err(self.err("cannot read documents"))?;
        while let Some(row) = rows.next().map_err(self.err("cannot read a document"))? {
            visit(self.stored_document(row)?)?;
        }
        Ok(())
    }
}

impl SqliteStore {
    /// A read transaction, so that an answer made of several statements
    /// sees one state of the store even while another connection writes.
    /// Dropping it ends it.
    fn snapshot(&self) -> Result<rusqlite::Transaction<'_>> {
        self.conn
            .unchecked_transaction()
            .map_err(self.err("cannot start a read"))
    }

    fn document_where(
        &self,
        sql: &str,
        value: &dyn rusqlite::ToSql,
    ) -> Result<Option<StoredDocument>> {
        let mut stmt = self
            .conn
            .prepare_cached(sql)
            .map_err(self.err("cannot prepare the document lookup"))?;
        let mut rows = stmt
            .query([value])
            .map_err(self.err("cannot look up a document"))?;
        match rows.next().map_err(self.err("cannot read a document"))? {
            Some(row) => Ok(Some(self.stored_document(row)?)),
            None => Ok(None),
        }
    }

    /// A row of `id, warc_offset, ingested_at, record_json`.
    fn stored_document(&self, row: &rusqlite::Row<'_>) -> Result<StoredDocument> {
        let read = self.err("cannot read a document");
        let id: i64 = row.get(0).map_err(&read)?;
        let offset: Option<i64> = row.get(1).map_err(&read)?;
        let ingested_at: String = row.get(2).map_err(&read)?;
        let json: Vec<u8> = row.get(3).map_err(&read)?;
        let record = serde_json::from_slice(&json).map_err(|e| {
            self.data_error(format!("document {id}: stored record unreadable: {e}"))
        })?;
        Ok(StoredDocument {
            id,
            offset: offset.and_then(|o| u64::try_from(o).ok()),
            ingested_at,
            record,
        })
    }
}

/// Adds a batch's per-speaker sums to the aggregate tables: one statement
/// per speaker (and name, stance, month) seen in the batch, not per
/// attribution.
fn write_tally(tx: &rusqlite::Transaction<'_>, tally: &SpeakerTally, db: &str) -> Result<()> {
    let err = |reason: &str| sql_error(db, reason);
    let mut counts = tx
        .prepare_cached(
            "UPDATE speakers SET attributions = attributions + ?2, documents = documents + ?3
             WHERE id = ?1",
        )
        .map_err(err("cannot prepare the speaker counts"))?;
    for (id, n) in &tally.attributions {
        let docs = tally.documents.get(id).copied().unwrap_or(0);
        counts
            .execute(params![id, n, docs])
            .map_err(err("cannot update speaker counts"))?;
    }
    let upsert = |table: &str, column: &str| {
        // Table and column names are our own constants, never user text.
        tx.prepare_cached(&format!(
            "INSERT INTO {table} (speaker_id, {column}, n) VALUES (?1, ?2, ?3)
             ON CONFLICT (speaker_id, {column}) DO UPDATE SET n = n + excluded.n"
        ))
        .map_err(err("cannot prepare the speaker aggregates"))
    };
    let mut names = upsert("speaker_names", "name")?;
    for ((id, name), n) in &tally.names {
        names
            .execute(params![id, name, n])
            .map_err(err("cannot update speaker names"))?;
    }
    let mut stances = upsert("speaker_stances", "stance")?;
    for ((id, stance), n) in &tally.stances {
        stances
            .execute(params![id, stance, n])
            .map_err(err("cannot update speaker stances"))?;
    }
    let mut months = upsert("speaker_months", "month")?;
    for ((id, month), n) in &tally.months {
        months
            .execute(params![id, month, n])
            .map_err(err("cannot update speaker months"))?;
    }
    let mut pairs = tx
        .prepare_cached(
            "INSERT INTO speaker_pairs (surname_id, person_id, documents) VALUES (?1, ?2, ?3)
             ON CONFLICT (surname_id, person_id) DO UPDATE SET documents = documents + excluded.documents",
        )
        .map_err(err("cannot prepare the speaker pairs"))?;
    for ((surname, person), n) in &tally.pairs {
        pairs
            .execute(params![surname, person, n])
            .map_err(err("cannot update speaker pairs"))?;
    }
    Ok(())
}

/// Counts, for one document's speakers, each one-word key quoted beside a
/// longer key ending in it: the documents a folded group must not count
/// twice.
fn tally_pairs(speakers_here: &HashMap<i64, String>, pairs: &mut HashMap<(i64, i64), i64>) {
    for (surname_id, surname) in speakers_here {
        if !is_single_word(surname) {
            continue;
        }
        for (person_id, person) in speakers_here {
            if !is_single_word(person) && last_word(person) == surname {
                *pairs.entry((*surname_id, *person_id)).or_default() += 1;
            }
        }
    }
}

/// Adds the operating system's reason to a write that failed on I/O:
/// SQLite says "disk I/O error" alike for a full disk, a file over the
/// process's size limit and a failing device, and the user needs to know
/// which. Other errors are returned as they are.
fn with_os_cause(error: Error, handle: *mut rusqlite::ffi::sqlite3) -> Error {
    let Error::Sqlite { db, reason, source } = error else {
        return error;
    };
    let io = matches!(
        source.sqlite_error_code(),
        Some(rusqlite::ErrorCode::SystemIoFailure | rusqlite::ErrorCode::DiskFull)
    );
    // SAFETY: `handle` is a live connection's (the caller's transaction
    // holds it); sqlite3_system_errno only reads the last OS error code.
    let errno = if io {
        unsafe { rusqlite::ffi::sqlite3_system_errno(handle) }
    } else {
        0
    };
    let reason = if errno != 0 {
        format!("{reason}: {}", std::io::Error::from_raw_os_error(errno))
    } else {
        reason
    };
    Error::Sqlite { db, reason, source }
}

/// Maps a SQLite error to ours, naming the database and what was tried.
fn sql_error(db: &str, reason: &str) -> impl Fn(rusqlite::Error) -> Error {
    let db = db.to_string();
    let reason = reason.to_string();
    move |source| Error::Sqlite {
        db: db.clone(),
        reason: format!("{reason}: {source}"),
        source,
    }
}

/// `YYYY-MM-DD` from the start of a published date (a date or an RFC 3339
/// date-time: the day as the article gives it, not converted to UTC), with
/// its day number; `None` when it is not a real date in 1600–3034.
pub(crate) fn published_day(published: &str) -> Option<(String, i64)> {
    let text = published.trim().get(..10)?;
    let code = day_code(text)?;
    Some((text.to_string(), code))
}

/// The day number of a `YYYY-MM-DD` date counted from 1600-01-01 (= 1);
/// `None` for anything else, or a date outside the key's range.
fn day_code(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(r)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let days_in_month =
        whosaid::extract::dates::days_in_month(u32::try_from(y).ok()?, u32::try_from(m).ok()?);
    if d < 1 || d > i64::from(days_in_month) {
        return None;
    }
    let code = days_from_civil(y, m, d) - days_from_civil(1600, 1, 1) + 1;
    (1..=MAX_DAY).contains(&code).then_some(code)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// The current time in UTC, to the second (`2026-01-31T09:05:00Z`).
fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// The host of a URL, lower-cased, without `www.`, port or user: what a
/// user types for `--site`.
pub(crate) fn url_host(url: &str) -> Option<String> {
    let rest = url
        .trim()
        .split_once("://")
        .map_or(url.trim(), |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = if host.starts_with('[') {
        host.split_inclusive(']').next()?
    } else {
        host.split(':').next()?
    };
    let host = host.trim_end_matches('.').to_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    (!host.is_empty()).then(|| host.to_string())
}

/// A site name as compared: trimmed and lower-cased (Unicode).
pub(crate) fn fold_site(site: &str) -> String {
    site.trim().to_lowercase()
}

fn kind_name(kind: AttributionKind) -> &'static str {
    kind.as_str()
}

fn parse_kind(name: &str) -> Option<AttributionKind> {
    AttributionKind::from_name(name)
}

fn stance_name(stance: Stance) -> &'static str {
    stance.as_str()
}

fn parse_stance(name: &str) -> Option<Stance> {
    Stance::from_name(name)
}

fn actor_kind_name(kind: ActorKind) -> &'static str {
    kind.as_str()
}

fn parse_actor_kind(name: &str) -> ActorKind {
    ActorKind::from_name(name).unwrap_or(ActorKind::Unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_codes() {
        let cases: &[(&str, Option<&str>)] = &[
            ("2017-11-12", Some("2017-11-12")),
            ("2017-11-12T14:00:00-05:00", Some("2017-11-12")),
            ("2016-02-29", Some("2016-02-29")),
            ("2017-02-29", None),
            ("2017-13-01", None),
            ("2017-1-12", None),
            ("12/11/2017", None),
            ("1599-12-31", None),
            ("1600-01-01", Some("1600-01-01")),
            ("", None),
            ("2017-11-1é", None),
        ];
        for (input, want) in cases {
            assert_eq!(
                published_day(input).map(|(d, _)| d).as_deref(),
                *want,
                "{input:?}"
            );
        }
        assert_eq!(day_code("1600-01-01"), Some(1));
        assert!(day_code("2017-11-13") > day_code("2017-11-12"));
        assert!(day_code("3034-12-31").is_some());
        assert_eq!(day_code("3036-01-01"), None);
    }

    #[test]
    fn civil_round_trip() {
        for days in [-719_468, -1, 0, 1, 10_957, 17_482, 400_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
    }

    #[test]
    fn hosts() {
        let cases: &[(&str, Option<&str>)] = &[
            ("https://www.Example.com/a/b?c#d", Some("example.com")),
            (
                "http://user@news.example.org:8080/x",
                Some("news.example.org"),
            ),
            ("example.net/path", Some("example.net")),
            ("https://", None),
            ("", None),
        ];
        for (url, want) in cases {
            assert_eq!(url_host(url).as_deref(), *want, "{url:?}");
        }
    }

    #[test]
    fn names_round_trip() {
        for stance in STANCES {
            assert_eq!(parse_stance(stance_name(stance)), Some(stance));
        }
        for kind in [
            AttributionKind::Direct,
            AttributionKind::Indirect,
            AttributionKind::Mixed,
            AttributionKind::AccordingTo,
            AttributionKind::Headline,
        ] {
            assert_eq!(parse_kind(kind_name(kind)), Some(kind));
            let serde_name = serde_json::to_value(kind).unwrap();
            assert_eq!(serde_name.as_str(), Some(kind_name(kind)));
        }
    }
}
