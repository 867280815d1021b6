//! Storing a batch: one transaction, bulk-loaded with binary COPY, so that a
//! batch of hundreds of documents costs a handful of round trips.
//!
//! The documents go through a temporary staging table: COPY cannot skip rows
//! that conflict, `INSERT ... SELECT ... ON CONFLICT (sha256) DO NOTHING` can,
//! and its `RETURNING` says which documents were new.

use std::collections::HashMap;
use std::pin::pin;

use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};

use super::PostgresStore;
use crate::*;

/// Per connection and emptied at every commit, so a batch never sees
/// another's rows.
const CREATE_STAGING: &str = "
CREATE TEMP TABLE IF NOT EXISTS whosaid_staging (
    ord         integer NOT NULL,
    sha256      text NOT NULL,
    path        text,
    record_id   text,
    url         text,
    warc_offset bigint,
    title       text,
    site        text,
    host        text,
    published   text,
    language    text,
    record      text NOT NULL
) ON COMMIT DELETE ROWS";

const COPY_STAGING: &str = "COPY whosaid_staging (ord, sha256, path, record_id, url, warc_offset, \
     title, site, host, published, language, record) FROM STDIN (FORMAT binary)";
const STAGING_TYPES: [Type; 12] = [
    Type::INT4,
    Type::TEXT,
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
];

/// Ids are drawn in batch order, so documents stored together are numbered
/// as they came.
const INSERT_DOCUMENTS: &str = "
INSERT INTO documents (sha256, path, record_id, url, warc_offset, title, site, host, published,
                       language, record)
SELECT sha256, path, record_id, url, warc_offset, title, site, host, published, language, record
FROM whosaid_staging ORDER BY ord
ON CONFLICT (sha256) DO NOTHING
RETURNING id, sha256";

/// New speakers are added, existing ones found, in one statement. A speaker
/// that a concurrent batch commits meanwhile is in neither half: such keys
/// are looked up again afterwards.
const UPSERT_SPEAKERS: &str = "
WITH input AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bool[])
               AS t (key, kind, surname, single)),
inserted AS (
    INSERT INTO speakers (key, kind, surname, single)
    SELECT key, kind, surname, single FROM input
    ON CONFLICT (key) DO NOTHING
    RETURNING id, key
)
SELECT id, key FROM inserted
UNION ALL
SELECT s.id, s.key FROM speakers s JOIN input USING (key)";

const FIND_SPEAKERS: &str = "SELECT id, key FROM speakers WHERE key = ANY($1)";

const COPY_ATTRIBUTIONS: &str = "COPY attributions (document, idx, kind, stance, speaker_id, \
     speaker, cue, content) FROM STDIN (FORMAT binary)";
const ATTRIBUTION_TYPES: [Type; 8] = [
    Type::INT8,
    Type::INT4,
    Type::TEXT,
    Type::TEXT,
    Type::INT8,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
];

const INSERT_NAMES: &str = "
INSERT INTO speaker_names (speaker, document, name)
SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[])
ON CONFLICT DO NOTHING";

pub(super) async fn put_batch(
    store: &PostgresStore,
    documents: &[NewDocument],
) -> Result<Vec<PutOutcome>> {
    if documents.is_empty() {
        return Ok(Vec::new());
    }
    // The first of several documents with one sha256 is stored; the others
    // are its duplicates.
    let mut first_of: HashMap<&str, usize> = HashMap::new();
    let mut unique = Vec::new();
    for (i, document) in documents.iter().enumerate() {
        let sha = document.record.source.sha256.as_str();
        if !first_of.contains_key(sha) {
            first_of.insert(sha, i);
            unique.push(i);
        }
    }
    let rows: Vec<DocumentRow> = unique
        .iter()
        .map(|&i| DocumentRow::new(store, i, &documents[i]))
        .collect::<Result<_>>()?;

    let mut client = store.client().await?;
    let tx = client
        .transaction()
        .await
        .map_err(store.fail("cannot start a transaction"))?;
    let fail = store.fail("cannot store the batch");

    tx.batch_execute(CREATE_STAGING).await.map_err(&fail)?;
    let copy = tx.prepare_cached(COPY_STAGING).await.map_err(&fail)?;
    let sink = tx.copy_in(&copy).await.map_err(&fail)?;
    let mut writer = pin!(BinaryCopyInWriter::new(sink, &STAGING_TYPES));
    for row in &rows {
        writer.as_mut().write(&row.values()).await.map_err(&fail)?;
    }
    writer.finish().await.map_err(&fail)?;

    let insert = tx.prepare_cached(INSERT_DOCUMENTS).await.map_err(&fail)?;
    let mut inserted: HashMap<String, DocumentId> = HashMap::new();
    let mut stored: Vec<(DocumentId, &Record)> = Vec::new();
    for row in tx.query(&insert, &[]).await.map_err(&fail)? {
        let id: i64 = row.get(0);
        let sha: String = row.get(1);
        if let Some(&i) = first_of.get(sha.as_str()) {
            stored.push((id, &documents[i].record));
        }
        inserted.insert(sha, id);
    }
    stored.sort_by_key(|(id, _)| *id);

    let mut existing: HashMap<String, DocumentId> = HashMap::new();
    let missing: Vec<&str> = unique
        .iter()
        .map(|&i| documents[i].record.source.sha256.as_str())
        .filter(|sha| !inserted.contains_key(*sha))
        .collect();
    if !missing.is_empty() {
        let find = tx
            .prepare_cached("SELECT id, sha256 FROM documents WHERE sha256 = ANY($1)")
            .await
            .map_err(&fail)?;
        for row in tx.query(&find, &[&missing]).await.map_err(&fail)? {
            existing.insert(row.get(1), row.get(0));
        }
    }

    store_attributions(store, &tx, &stored).await?;
    tx.commit()
        .await
        .map_err(store.fail("cannot commit the batch"))?;

    documents
        .iter()
        .enumerate()
        .map(|(i, document)| {
            let sha = document.record.source.sha256.as_str();
            let first = first_of.get(sha) == Some(&i);
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

/// The attributions, speakers and speaker names of the newly stored documents.
async fn store_attributions(
    store: &PostgresStore,
    tx: &deadpool_postgres::Transaction<'_>,
    stored: &[(DocumentId, &Record)],
) -> Result<()> {
    let fail = store.fail("cannot store the batch's attributions");
    // Each speaking actor's key across articles, first kind seen kept.
    let mut keys: Vec<String> = Vec::new();
    let mut kinds: Vec<String> = Vec::new();
    let mut surnames: Vec<&str> = Vec::new();
    let mut singles: Vec<bool> = Vec::new();
    let mut key_index: HashMap<String, usize> = HashMap::new();
    for (_, record) in stored {
        for actor in speaking_actors(record) {
            if let Some(key) = identity::speaker_key(&actor.name) {
                if !key_index.contains_key(&key) {
                    key_index.insert(key.clone(), keys.len());
                    keys.push(key);
                    kinds.push(enum_name(&actor.kind));
                }
            }
        }
    }
    let mut speaker_id: HashMap<String, i64> = HashMap::new();
    for key in &keys {
        surnames.push(identity::last_word(key));
        singles.push(identity::is_single_word(key));
    }
    if !keys.is_empty() {
        let upsert = tx.prepare_cached(UPSERT_SPEAKERS).await.map_err(&fail)?;
        for row in tx
            .query(&upsert, &[&keys, &kinds, &surnames, &singles])
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
    let mut name_speakers: Vec<i64> = Vec::new();
    let mut name_documents: Vec<i64> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for &(document, record) in stored {
        for attribution in &record.attributions {
            let actor = attribution
                .speaker
                .as_ref()
                .and_then(|s| s.actor)
                .and_then(|a| record.actors.get(a));
            let speaker = actor
                .and_then(|a| identity::speaker_key(&a.name))
                .and_then(|key| speaker_id.get(&key).copied());
            let shown = match (actor, &attribution.speaker) {
                (Some(actor), _) => Some(actor.name.as_str()),
                (None, Some(span)) => Some(span.text.as_str()),
                (None, None) => None,
            };
            let index = i32::try_from(attribution.id).map_err(|_| {
                store.data_error(format!("attribution id {} is out of range", attribution.id))
            })?;
            let values: [&(dyn ToSql + Sync); 8] = [
                &document,
                &index,
                &enum_name(&attribution.kind),
                &enum_name(&attribution.stance),
                &speaker,
                &shown,
                &attribution.cue.as_ref().map(|c| c.text.as_str()),
                &attribution.content.text,
            ];
            writer.as_mut().write(&values).await.map_err(&fail)?;
        }
        for actor in speaking_actors(record) {
            if let Some(&id) = identity::speaker_key(&actor.name).and_then(|k| speaker_id.get(&k)) {
                name_speakers.push(id);
                name_documents.push(document);
                names.push(&actor.name);
            }
        }
    }
    writer.finish().await.map_err(&fail)?;
    if !names.is_empty() {
        let insert = tx.prepare_cached(INSERT_NAMES).await.map_err(&fail)?;
        tx.execute(&insert, &[&name_speakers, &name_documents, &names])
            .await
            .map_err(&fail)?;
    }
    Ok(())
}

/// The actors that speak in at least one attribution, each once, in actor
/// order.
fn speaking_actors(record: &Record) -> impl Iterator<Item = &whosaid::record::Actor> {
    let mut speaks = vec![false; record.actors.len()];
    for attribution in &record.attributions {
        if let Some(a) = attribution.speaker.as_ref().and_then(|s| s.actor) {
            if let Some(slot) = speaks.get_mut(a) {
                *slot = true;
            }
        }
    }
    record
        .actors
        .iter()
        .zip(speaks)
        .filter_map(|(actor, speaks)| speaks.then_some(actor))
}

/// A document's columns in the staging table.
struct DocumentRow<'a> {
    ord: i32,
    source: &'a whosaid::record::Source,
    offset: Option<i64>,
    article: &'a whosaid::record::Article,
    host: Option<String>,
    record: String,
}

impl<'a> DocumentRow<'a> {
    fn new(store: &PostgresStore, ord: usize, document: &'a NewDocument) -> Result<Self> {
        let record = &document.record;
        let json = serde_json::to_string(record).map_err(|e| {
            store.data_error(format!(
                "cannot serialise record {}: {e}",
                record.source.sha256
            ))
        })?;
        let offset = document
            .offset
            .map(i64::try_from)
            .transpose()
            .map_err(|_| {
                store.data_error(format!(
                    "offset of {} is out of range",
                    record.source.sha256
                ))
            })?;
        Ok(DocumentRow {
            ord: i32::try_from(ord).unwrap_or(i32::MAX),
            source: &record.source,
            offset,
            article: &record.article,
            host: record.source.url.as_deref().and_then(url_host),
            record: json,
        })
    }

    fn values(&self) -> [&(dyn ToSql + Sync); 12] {
        [
            &self.ord,
            &self.source.sha256,
            &self.source.path,
            &self.source.record,
            &self.source.url,
            &self.offset,
            &self.article.title,
            &self.article.site,
            &self.host,
            &self.article.published,
            &self.article.language,
            &self.record,
        ]
    }
}

/// The lower-case host of a URL, without `www.`, for matching a site.
pub(super) fn url_host(url: &str) -> Option<String> {
    let rest = &url[url.find("://")? + 3..];
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    let host = host_port.split(':').next()?.to_ascii_lowercase();
    let host = host
        .strip_prefix("www.")
        .map(str::to_string)
        .unwrap_or(host);
    (!host.is_empty()).then_some(host)
}

/// The name serde gives an enum value (`according_to`), as stored.
pub(super) fn enum_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::new(),
    }
}
