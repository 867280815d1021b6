//! Storing a batch: one transaction, bulk-loaded with binary COPY, so that a
//! batch of hundreds of documents costs a dozen round trips, not one per row.
//!
//! The documents go through a temporary staging table: COPY cannot skip rows
//! that conflict, `INSERT ... SELECT ... ON CONFLICT (sha256) DO NOTHING` can,
//! and its `RETURNING` says which documents were new. Attributions of new
//! documents are COPYed straight into their table; speaker counters and
//! aggregates are one statement per batch.
//!
//! What is stored, and every counter, is what SQLite stores for the same
//! batch (`sqlite.rs`): the two backends answer queries alike.

use std::collections::HashMap;
use std::pin::pin;
use std::time::Duration;

use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{ToSql, Type};
use whosaid::record::ActorKind;

use super::PostgresStore;
use crate::identity::{last_word, speaker_key};
use crate::sqlite::{fold_site, published_day, url_host};
use crate::*;

/// Concurrent writers may deadlock on rows both insert (the same document or
/// speaker, in different orders); the server then aborts one of them, which
/// starts its batch again. A batch is idempotent, so a retry is safe.
const ATTEMPTS: u32 = 5;

/// Per connection and emptied at every commit, so a batch never sees
/// another's rows.
const CREATE_STAGING: &str = "
CREATE TEMP TABLE IF NOT EXISTS whosaid_staging (
    ord               integer NOT NULL,
    sha256            text NOT NULL,
    path              text,
    record_id         text,
    warc_offset       bigint,
    url               text,
    host              text,
    site              text,
    site_folded       text,
    title             text,
    published         text,
    published_day     text,
    language          text,
    authors_json      text NOT NULL,
    record_json       text NOT NULL,
    attribution_count integer NOT NULL
) ON COMMIT DELETE ROWS";

const COPY_STAGING: &str = "COPY whosaid_staging (ord, sha256, path, record_id, warc_offset, url, \
     host, site, site_folded, title, published, published_day, language, authors_json, \
     record_json, attribution_count) FROM STDIN (FORMAT binary)";
const STAGING_TYPES: [Type; 16] = [
    Type::INT4,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::INT8,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::INT4,
];

/// Ids are drawn in batch order, so documents stored together are numbered
/// as they came (the query order's "newest document first" is by id).
const INSERT_DOCUMENTS: &str = r#"
INSERT INTO documents (sha256, path, record_id, warc_offset, url, host, site, site_folded, title,
                       published, published_day, language, authors_json, record_json,
                       ingested_at, attribution_count)
SELECT sha256, path, record_id, warc_offset, url, host, site, site_folded, title, published,
       published_day, language, authors_json, record_json,
       to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), attribution_count
FROM whosaid_staging ORDER BY ord
ON CONFLICT (sha256) DO NOTHING
RETURNING id, sha256"#;

const FIND_DOCUMENTS: &str = "SELECT id, sha256 FROM documents WHERE sha256 = ANY($1)";

/// New speakers are added, existing ones found, in one statement. New keys
/// are numbered in order of first appearance in the batch, as SQLite numbers
/// them, so that both list ties alike. A key
/// first stored with an unknown kind takes the first known one, as in
/// SQLite. Rows the statement updates come back from both halves (the second
/// sees the old version): the caller keeps one. A speaker that a concurrent
/// batch commits meanwhile is in neither half: such keys are looked up
/// again afterwards.
const UPSERT_SPEAKERS: &str = "
WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[]) WITH ORDINALITY
        AS t (key, surname, words, kind, ord)
), upserted AS (
    INSERT INTO speakers (key, surname, words, kind)
    SELECT key, surname, words, kind FROM input ORDER BY ord
    ON CONFLICT (key) DO UPDATE SET kind = excluded.kind
        WHERE speakers.kind = 'unknown' AND excluded.kind <> 'unknown'
    RETURNING id, key
)
SELECT id, key FROM upserted
UNION ALL
SELECT s.id, s.key FROM speakers s JOIN input USING (key)";

const FIND_SPEAKERS: &str = "SELECT id, key FROM speakers WHERE key = ANY($1)";

const COPY_ATTRIBUTIONS: &str = "COPY attributions (document_id, idx, day, kind, stance, \
     speaker_id, speaker_name, speaker_text, cue, cue_lemma, content, parent_idx) \
     FROM STDIN (FORMAT binary)";
const ATTRIBUTION_TYPES: [Type; 12] = [
    Type::INT8,
    Type::INT4,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::INT8,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::INT4,
];

/// The batch's sums added to the speaker counters and aggregates, in one
/// statement (each part a data-modifying CTE).
const ADD_TALLY: &str = "
WITH counters AS (
    UPDATE speakers s SET attributions = s.attributions + t.attributions,
                          documents = s.documents + t.documents
    FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS t (id, attributions, documents)
    WHERE s.id = t.id
), names AS (
    INSERT INTO speaker_names (speaker_id, name, n)
    SELECT * FROM unnest($4::bigint[], $5::text[], $6::bigint[])
    ON CONFLICT (speaker_id, name) DO UPDATE SET n = speaker_names.n + excluded.n
), stances AS (
    INSERT INTO speaker_stances (speaker_id, stance, n)
    SELECT * FROM unnest($7::bigint[], $8::text[], $9::bigint[])
    ON CONFLICT (speaker_id, stance) DO UPDATE SET n = speaker_stances.n + excluded.n
)
INSERT INTO speaker_months (speaker_id, month, n)
SELECT * FROM unnest($10::bigint[], $11::text[], $12::bigint[])
ON CONFLICT (speaker_id, month) DO UPDATE SET n = speaker_months.n + excluded.n";

pub(super) async fn put_batch(
    store: &PostgresStore,
    documents: &[NewDocument],
) -> Result<Vec<PutOutcome>> {
    if documents.is_empty() {
        return Ok(Vec::new());
    }
    let batch = Batch::new(store, documents)?;
    let mut attempt = 1;
    loop {
        match write_batch(store, &batch).await {
            Err(e) if attempt < ATTEMPTS && is_conflict(&e) => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(10 * u64::from(attempt))).await;
            }
            result => return result,
        }
    }
}

/// Whether the server aborted the transaction for another's sake (a
/// deadlock or a serialisation failure): trying again is the cure.
fn is_conflict(e: &Error) -> bool {
    let Error::Postgres { source, .. } = e else {
        return false;
    };
    source
        .downcast_ref::<tokio_postgres::Error>()
        .and_then(tokio_postgres::Error::code)
        .is_some_and(|code| {
            *code == SqlState::T_R_DEADLOCK_DETECTED || *code == SqlState::T_R_SERIALIZATION_FAILURE
        })
}

/// A batch checked and laid out as rows before any round trip.
struct Batch<'a> {
    /// Each document's sha256, trimmed and lower-cased.
    shas: Vec<String>,
    /// Position of the first document with each sha256: that one is stored,
    /// later ones are its duplicates.
    first_of: HashMap<String, usize>,
    rows: Vec<DocumentRow<'a>>,
}

impl<'a> Batch<'a> {
    fn new(store: &PostgresStore, documents: &'a [NewDocument]) -> Result<Self> {
        let mut shas = Vec::with_capacity(documents.len());
        let mut first_of = HashMap::new();
        let mut rows = Vec::new();
        for (position, document) in documents.iter().enumerate() {
            let record = &document.record;
            let sha = record.source.sha256.trim().to_ascii_lowercase();
            if sha.is_empty() {
                return Err(store.data_error(format!(
                    "document {position} of the batch ({}) has no sha256",
                    record.source.path.as_deref().unwrap_or("no path")
                )));
            }
            if !first_of.contains_key(&sha) {
                first_of.insert(sha.clone(), position);
                rows.push(DocumentRow::new(store, position, &sha, document)?);
            }
            shas.push(sha);
        }
        Ok(Batch {
            shas,
            first_of,
            rows,
        })
    }
}

async fn write_batch(store: &PostgresStore, batch: &Batch<'_>) -> Result<Vec<PutOutcome>> {
    let mut client = store.client().await?;
    let tx = client
        .transaction()
        .await
        .map_err(store.fail("cannot start a transaction"))?;
    let fail = store.fail("cannot store the batch");

    // Documents stored before are left out of the COPY: a re-run of a
    // batch sends digests, not records.
    let find = tx.prepare_cached(FIND_DOCUMENTS).await.map_err(&fail)?;
    let shas: Vec<&str> = batch.rows.iter().map(|row| row.sha.as_str()).collect();
    let mut existing: HashMap<String, DocumentId> = HashMap::new();
    for row in tx.query(&find, &[&shas]).await.map_err(&fail)? {
        existing.insert(row.get(1), row.get(0));
    }
    let fresh: Vec<&DocumentRow> = batch
        .rows
        .iter()
        .filter(|row| !existing.contains_key(&row.sha))
        .collect();
    let mut inserted: HashMap<String, DocumentId> = HashMap::new();
    if !fresh.is_empty() {
        tx.batch_execute(CREATE_STAGING).await.map_err(&fail)?;
        let copy = tx.prepare_cached(COPY_STAGING).await.map_err(&fail)?;
        let sink = tx.copy_in(&copy).await.map_err(&fail)?;
        let mut writer = pin!(BinaryCopyInWriter::new(sink, &STAGING_TYPES));
        for row in &fresh {
            writer.as_mut().write(&row.values()).await.map_err(&fail)?;
        }
        writer.finish().await.map_err(&fail)?;
        let insert = tx.prepare_cached(INSERT_DOCUMENTS).await.map_err(&fail)?;
        for row in tx.query(&insert, &[]).await.map_err(&fail)? {
            inserted.insert(row.get(1), row.get(0));
        }
        // Stored by a concurrent batch since the lookup above.
        let missing: Vec<&str> = fresh
            .iter()
            .map(|row| row.sha.as_str())
            .filter(|sha| !inserted.contains_key(*sha))
            .collect();
        if !missing.is_empty() {
            for row in tx.query(&find, &[&missing]).await.map_err(&fail)? {
                existing.insert(row.get(1), row.get(0));
            }
        }
    }

    // The new documents in batch order, which is id order.
    let stored: Vec<(DocumentId, &DocumentRow)> = batch
        .rows
        .iter()
        .filter_map(|row| inserted.get(&row.sha).map(|&id| (id, row)))
        .collect();
    if !stored.is_empty() {
        store_attributions(store, &tx, &stored).await?;
    }
    tx.commit()
        .await
        .map_err(store.fail("cannot commit the batch"))?;

    batch
        .shas
        .iter()
        .enumerate()
        .map(|(position, sha)| {
            let first = batch.first_of.get(sha) == Some(&position);
            match (inserted.get(sha), existing.get(sha)) {
                (Some(&id), _) if first => Ok(PutOutcome::Stored(id)),
                (Some(&id), _) | (None, Some(&id)) => Ok(PutOutcome::Duplicate(id)),
                (None, None) => Err(store.data_error(format!(
                    "document {sha} was neither stored nor found after its batch"
                ))),
            }
        })
        .collect()
}

/// Per-speaker sums over the batch's new attributions.
#[derive(Default)]
struct Tally {
    attributions: HashMap<i64, i64>,
    documents: HashMap<i64, i64>,
    names: HashMap<(i64, String), i64>,
    stances: HashMap<(i64, String), i64>,
    months: HashMap<(i64, String), i64>,
}

/// One attribution's speaker: the actor, when the span resolved to one.
fn actor_of<'r>(
    record: &'r Record,
    attribution: &whosaid::record::Attribution,
) -> Option<&'r whosaid::record::Actor> {
    attribution
        .speaker
        .as_ref()
        .and_then(|s| s.actor)
        .and_then(|a| record.actors.get(a))
}

/// The attributions of the newly stored documents, their speakers, and the
/// speakers' counters.
async fn store_attributions(
    store: &PostgresStore,
    tx: &deadpool_postgres::Transaction<'_>,
    stored: &[(DocumentId, &DocumentRow<'_>)],
) -> Result<()> {
    let fail = store.fail("cannot store the batch's attributions");

    // Every speaker key of the batch in order of first appearance, with its
    // kind: the first known one in batch order, as SQLite ends up with.
    let mut keys: Vec<String> = Vec::new();
    let mut kinds: HashMap<String, ActorKind> = HashMap::new();
    for (_, row) in stored {
        let record = &row.document.record;
        for attribution in &record.attributions {
            let Some(actor) = actor_of(record, attribution) else {
                continue;
            };
            let Some(key) = speaker_key(&actor.name) else {
                continue;
            };
            match kinds.get_mut(&key) {
                Some(kind) if *kind == ActorKind::Unknown => *kind = actor.kind,
                Some(_) => {}
                None => {
                    kinds.insert(key.clone(), actor.kind);
                    keys.push(key);
                }
            }
        }
    }
    let mut speaker_id: HashMap<String, i64> = HashMap::new();
    if !keys.is_empty() {
        let surnames: Vec<&str> = keys.iter().map(|k| last_word(k)).collect();
        let words: Vec<i32> = keys
            .iter()
            .map(|k| i32::try_from(k.split(' ').count()).unwrap_or(i32::MAX))
            .collect();
        let kind_names: Vec<String> = keys.iter().map(|k| enum_name(&kinds[k])).collect();
        let upsert = tx.prepare_cached(UPSERT_SPEAKERS).await.map_err(&fail)?;
        for row in tx
            .query(&upsert, &[&keys, &surnames, &words, &kind_names])
            .await
            .map_err(&fail)?
        {
            speaker_id.insert(row.get(1), row.get(0));
        }
        let missing: Vec<&String> = keys
            .iter()
            .filter(|k| !speaker_id.contains_key(*k))
            .collect();
        if !missing.is_empty() {
            let find = tx.prepare_cached(FIND_SPEAKERS).await.map_err(&fail)?;
            for row in tx.query(&find, &[&missing]).await.map_err(&fail)? {
                speaker_id.insert(row.get(1), row.get(0));
            }
        }
    }

    let copy = tx.prepare_cached(COPY_ATTRIBUTIONS).await.map_err(&fail)?;
    let sink = tx.copy_in(&copy).await.map_err(&fail)?;
    let mut writer = pin!(BinaryCopyInWriter::new(sink, &ATTRIBUTION_TYPES));
    let mut tally = Tally::default();
    for &(document, row) in stored {
        let record = &row.document.record;
        let month = row.published_day.as_ref().map(|day| day[..7].to_string());
        let mut speakers_here = std::collections::HashSet::new();
        for attribution in &record.attributions {
            let actor = actor_of(record, attribution);
            let speaker = actor
                .and_then(|a| speaker_key(&a.name))
                .and_then(|key| speaker_id.get(&key).copied());
            let speaker_name = actor
                .map(|a| a.name.as_str())
                .or(attribution.speaker.as_ref().map(|s| s.text.as_str()));
            let stance = enum_name(&attribution.stance);
            if let (Some(id), Some(actor)) = (speaker, actor) {
                *tally.attributions.entry(id).or_default() += 1;
                if speakers_here.insert(id) {
                    *tally.documents.entry(id).or_default() += 1;
                }
                *tally.names.entry((id, actor.name.clone())).or_default() += 1;
                *tally.stances.entry((id, stance.clone())).or_default() += 1;
                if let Some(month) = &month {
                    *tally.months.entry((id, month.clone())).or_default() += 1;
                }
            }
            let index = i32::try_from(attribution.id).map_err(|_| {
                store.data_error(format!(
                    "document {}: attribution id {} is out of range",
                    row.sha, attribution.id
                ))
            })?;
            let parent = attribution
                .parent
                .map(|p| i32::try_from(p).unwrap_or(i32::MAX));
            let values: [&(dyn ToSql + Sync); 12] = [
                &document,
                &index,
                &row.published_day,
                &enum_name(&attribution.kind),
                &stance,
                &speaker,
                &speaker_name,
                &attribution.speaker.as_ref().map(|s| s.text.as_str()),
                &attribution.cue.as_ref().map(|c| c.text.as_str()),
                &attribution.cue.as_ref().map(|c| c.lemma.as_str()),
                &attribution.content.text,
                &parent,
            ];
            writer.as_mut().write(&values).await.map_err(&fail)?;
        }
    }
    writer.finish().await.map_err(&fail)?;

    if !tally.attributions.is_empty() {
        let add = tx.prepare_cached(ADD_TALLY).await.map_err(&fail)?;
        let (ids, attributions, documents) = counter_columns(&tally);
        let (name_ids, names, name_counts) = sorted_columns(&tally.names);
        let (stance_ids, stances, stance_counts) = sorted_columns(&tally.stances);
        let (month_ids, months, month_counts) = sorted_columns(&tally.months);
        tx.execute(
            &add,
            &[
                &ids,
                &attributions,
                &documents,
                &name_ids,
                &names,
                &name_counts,
                &stance_ids,
                &stances,
                &stance_counts,
                &month_ids,
                &months,
                &month_counts,
            ],
        )
        .await
        .map_err(&fail)?;
    }
    Ok(())
}

/// The counters as parallel arrays, by speaker id (one lock order for every
/// writer).
fn counter_columns(tally: &Tally) -> (Vec<i64>, Vec<i64>, Vec<i64>) {
    let mut ids: Vec<i64> = tally.attributions.keys().copied().collect();
    ids.sort_unstable();
    let attributions = ids.iter().map(|id| tally.attributions[id]).collect();
    let documents = ids
        .iter()
        .map(|id| tally.documents.get(id).copied().unwrap_or(0))
        .collect();
    (ids, attributions, documents)
}

/// An aggregate as parallel arrays, sorted by speaker and label.
fn sorted_columns(counts: &HashMap<(i64, String), i64>) -> (Vec<i64>, Vec<&str>, Vec<i64>) {
    let mut entries: Vec<(&(i64, String), &i64)> = counts.iter().collect();
    entries.sort_unstable();
    let ids = entries.iter().map(|((id, _), _)| *id).collect();
    let labels = entries
        .iter()
        .map(|((_, label), _)| label.as_str())
        .collect();
    let ns = entries.iter().map(|(_, n)| **n).collect();
    (ids, labels, ns)
}

/// A document's columns in the staging table.
struct DocumentRow<'a> {
    ord: i32,
    sha: String,
    document: &'a NewDocument,
    offset: Option<i64>,
    host: Option<String>,
    site_folded: Option<String>,
    published_day: Option<String>,
    authors_json: String,
    record_json: String,
    attribution_count: i32,
}

impl<'a> DocumentRow<'a> {
    fn new(
        store: &PostgresStore,
        position: usize,
        sha: &str,
        document: &'a NewDocument,
    ) -> Result<Self> {
        let record = &document.record;
        let json_error =
            |e: serde_json::Error| store.data_error(format!("cannot serialise record {sha}: {e}"));
        Ok(DocumentRow {
            ord: i32::try_from(position).unwrap_or(i32::MAX),
            sha: sha.to_string(),
            document,
            offset: document
                .offset
                .map(|o| i64::try_from(o).unwrap_or(i64::MAX)),
            host: record.source.url.as_deref().and_then(url_host),
            site_folded: record.article.site.as_deref().map(fold_site),
            published_day: record
                .article
                .published
                .as_deref()
                .and_then(published_day)
                .map(|(day, _)| day),
            authors_json: serde_json::to_string(&record.article.authors).map_err(json_error)?,
            record_json: serde_json::to_string(record).map_err(json_error)?,
            attribution_count: i32::try_from(record.attributions.len()).unwrap_or(i32::MAX),
        })
    }

    fn values(&self) -> [&(dyn ToSql + Sync); 16] {
        let record = &self.document.record;
        [
            &self.ord,
            &self.sha,
            &record.source.path,
            &record.source.record,
            &self.offset,
            &record.source.url,
            &self.host,
            &record.article.site,
            &self.site_folded,
            &record.article.title,
            &record.article.published,
            &self.published_day,
            &record.article.language,
            &self.authors_json,
            &self.record_json,
            &self.attribution_count,
        ]
    }
}

/// The name serde gives an enum value (`according_to`), as stored.
pub(super) fn enum_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::new(),
    }
}
