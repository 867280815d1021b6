//! Reading the PostgreSQL ledger: documents, attribution queries, speakers.
//!
//! The answers are SQLite's (`sqlite/query.rs`) for the same data: the same
//! order and cursors, the same speaker matching and surname folding, the same
//! groups and counts, the same errors for arguments that cannot be used.
//! Every value a user typed travels as a parameter; the SQL text is put
//! together only from the fixed fragments below.

use std::collections::{BTreeMap, HashMap, HashSet};

use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::types::ToSql;
use tokio_postgres::IsolationLevel;
use tokio_postgres::Row;

use super::write::enum_name;
use super::PostgresStore;
use crate::document_key::{Digest, DocumentKey};
use crate::identity::{fold_groups, fold_target, last_word, speaker_match, SpeakerMatch};
use crate::sqlite::{fold_site, published_day, url_host};
use crate::*;

/// Documents read per round trip while exporting.
const EXPORT_PAGE: i64 = 256;

const DOCUMENT_COLUMNS: &str = "id, warc_offset, ingested_at, record_json";

pub(super) async fn known(store: &PostgresStore, sha256: &[&str]) -> Result<Vec<bool>> {
    if sha256.is_empty() {
        return Ok(Vec::new());
    }
    let client = store.client().await?;
    let fail = store.fail("cannot look up documents");
    let statement = client
        .prepare_cached("SELECT sha256 FROM documents WHERE sha256 = ANY($1)")
        .await
        .map_err(&fail)?;
    let wanted: Vec<String> = sha256
        .iter()
        .map(|s| s.trim().to_ascii_lowercase())
        .collect();
    let found: HashSet<String> = client
        .query(&statement, &[&wanted])
        .await
        .map_err(&fail)?
        .iter()
        .map(|row| row.get(0))
        .collect();
    Ok(wanted.iter().map(|s| found.contains(s)).collect())
}

pub(super) async fn document(store: &PostgresStore, key: &str) -> Result<Option<StoredDocument>> {
    let key = DocumentKey::parse(key)?;
    let client = store.client().await?;
    if let Some(id) = key.id {
        let found = document_where(store, &client, "id = $1", &id).await?;
        if found.is_some() || key.digest.is_none() {
            return Ok(found);
        }
    }
    let prefix = match &key.digest {
        None => return Ok(None),
        Some(Digest::Full(hex)) => {
            return document_where(store, &client, "sha256 = $1", hex).await;
        }
        Some(Digest::Prefix(hex)) => hex,
    };
    let fail = store.fail("cannot look up a document");
    let statement = client
        .prepare_cached(&format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents \
             WHERE sha256 >= $1 AND sha256 < $1 || 'g' ORDER BY sha256 LIMIT 2"
        ))
        .await
        .map_err(&fail)?;
    let rows = client.query(&statement, &[prefix]).await.map_err(&fail)?;
    match rows.as_slice() {
        [] => Ok(None),
        [row] => stored_document(store, row).map(Some),
        _ => Err(key.ambiguous()),
    }
}

async fn document_where(
    store: &PostgresStore,
    client: &impl GenericClient,
    condition: &str,
    value: &(dyn ToSql + Sync),
) -> Result<Option<StoredDocument>> {
    let fail = store.fail("cannot look up a document");
    let statement = client
        .prepare_cached(&format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE {condition}"
        ))
        .await
        .map_err(&fail)?;
    match client
        .query_opt(&statement, &[value])
        .await
        .map_err(&fail)?
    {
        Some(row) => stored_document(store, &row).map(Some),
        None => Ok(None),
    }
}

/// A row of [`DOCUMENT_COLUMNS`].
fn stored_document(store: &PostgresStore, row: &Row) -> Result<StoredDocument> {
    let id: i64 = row.get(0);
    let offset: Option<i64> = row.get(1);
    let json: &str = row.get(3);
    let record = serde_json::from_str(json)
        .map_err(|e| store.data_error(format!("document {id}: stored record unreadable: {e}")))?;
    Ok(StoredDocument {
        id,
        offset: offset.and_then(|o| u64::try_from(o).ok()),
        ingested_at: row.get(2),
        record,
    })
}

pub(super) async fn for_each_document(
    store: &PostgresStore,
    visit: &mut dyn FnMut(StoredDocument) -> Result<()>,
) -> Result<()> {
    // Pages by id rather than one long cursor: no transaction stays open
    // while the caller writes, and the connection goes back to the pool
    // between pages.
    let mut after = 0_i64;
    loop {
        let rows = {
            let client = store.client().await?;
            let fail = store.fail("cannot read documents");
            let statement = client
                .prepare_cached(&format!(
                    "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id > $1 ORDER BY id LIMIT $2"
                ))
                .await
                .map_err(&fail)?;
            client
                .query(&statement, &[&after, &EXPORT_PAGE])
                .await
                .map_err(&fail)?
        };
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.get(0);
        for row in &rows {
            visit(stored_document(store, row)?)?;
        }
    }
}

pub(super) async fn stats(store: &PostgresStore) -> Result<Stats> {
    let mut client = store.client().await?;
    let client = snapshot(store, &mut client).await?;
    let row = client
        .query_one(
            "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM attributions), \
             (SELECT count(*) FROM speakers)",
            &[],
        )
        .await
        .map_err(store.fail("cannot count"))?;
    let folded = fold_map(store, &client, None).await?.len() as u64;
    end_snapshot(store, client).await?;
    Ok(Stats {
        documents: count(&row, 0),
        attributions: count(&row, 1),
        speakers: count(&row, 2).saturating_sub(folded),
    })
}

/// A read-only transaction that sees one state of the store, so that an
/// answer made of several statements is consistent while others write.
async fn snapshot<'c>(
    store: &PostgresStore,
    client: &'c mut deadpool_postgres::Client,
) -> Result<Transaction<'c>> {
    client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
        .map_err(store.fail("cannot start a read"))
}

async fn end_snapshot(store: &PostgresStore, tx: Transaction<'_>) -> Result<()> {
    tx.commit().await.map_err(store.fail("cannot end a read"))
}

fn count(row: &Row, column: usize) -> u64 {
    u64::try_from(row.get::<_, i64>(column)).unwrap_or(0)
}

/// A user's `since`/`until`, checked, as `YYYY-MM-DD`.
fn query_day(text: &str, flag: &str) -> Result<String> {
    let text = text.trim();
    match published_day(text) {
        Some((day, _)) if day.len() == text.len() => Ok(day),
        _ => Err(Error::InvalidQuery(format!(
            "--{flag} {text:?} is not a date as YYYY-MM-DD (between 1600 and 3034)"
        ))),
    }
}

/// At most this many words in a full-text search, as in SQLite: more is not
/// a question an analyst asks, and each word is one more index lookup.
const MAX_ABOUT_WORDS: usize = 32;

/// The words of `--about`, or the error SQLite gives when there are none or
/// too many.
fn checked_words(about: &str) -> Result<Vec<String>> {
    let words = search_words(about);
    if words.is_empty() {
        return Err(Error::InvalidQuery(format!(
            "--about {about:?} has no words to search for"
        )));
    }
    if words.len() > MAX_ABOUT_WORDS {
        return Err(Error::InvalidQuery(format!(
            "--about has {} words; at most {MAX_ABOUT_WORDS} are searched for",
            words.len()
        )));
    }
    Ok(words)
}

/// The user's words to search for: those with a letter or digit, as
/// SQLite's full-text query keeps them (the rest is punctuation the index
/// never holds).
fn search_words(about: &str) -> Vec<String> {
    about
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(str::to_string)
        .collect()
}

/// Conditions and their parameters, numbered as they are added.
#[derive(Default)]
struct Conditions {
    sql: Vec<String>,
    params: Vec<Box<dyn ToSql + Sync + Send>>,
}

impl Conditions {
    /// The placeholder (`$n`) of a new parameter.
    fn param<T: ToSql + Sync + Send + 'static>(&mut self, value: T) -> String {
        self.params.push(Box::new(value));
        format!("${}", self.params.len())
    }

    fn push(&mut self, condition: String) {
        self.sql.push(condition);
    }

    fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params
            .iter()
            .map(|p| p.as_ref() as &(dyn ToSql + Sync))
            .collect()
    }
}

pub(super) async fn query(
    store: &PostgresStore,
    query: &AttributionQuery,
) -> Result<Vec<AttributionRow>> {
    // Every argument is checked, in SQLite's order, before anything is
    // looked up: a bad one is always an error, and the same error.
    let words = query.about.as_deref().map(checked_words).transpose()?;
    let since = query
        .since
        .as_deref()
        .map(|d| query_day(d, "since"))
        .transpose()?;
    let until = query
        .until
        .as_deref()
        .map(|d| query_day(d, "until"))
        .transpose()?;
    let client = store.client().await?;
    let speakers = match &query.speaker {
        Some(name) => Some(speaker_ids(store, &client, name).await?),
        None => None,
    };
    let cursor = match &query.after {
        Some(cursor) => Some((cursor, cursor_day(store, &client, cursor).await?)),
        None => None,
    };
    if speakers.as_ref().is_some_and(Vec::is_empty) {
        return Ok(Vec::new());
    }

    let mut conditions = Conditions::default();
    if let Some((cursor, day)) = cursor {
        // Rows after the cursor's in (day DESC NULLS LAST, document DESC,
        // idx ASC): undated rows come after every dated one.
        let d = conditions.param(cursor.document);
        let i = conditions.param(i32::try_from(cursor.index).unwrap_or(i32::MAX));
        let later_in_day =
            format!("(a.document_id < {d} OR (a.document_id = {d} AND a.idx > {i}))");
        match day {
            Some(day) => {
                let p = conditions.param(day);
                conditions.push(format!(
                    "(a.day < {p} OR a.day IS NULL OR (a.day = {p} AND {later_in_day}))"
                ));
            }
            None => conditions.push(format!("(a.day IS NULL AND {later_in_day})")),
        }
    }
    // A date range leaves out undated rows: they have no date to compare.
    if let Some(since) = since {
        let p = conditions.param(since);
        conditions.push(format!("a.day >= {p}"));
    }
    if let Some(until) = until {
        let p = conditions.param(until);
        conditions.push(format!("a.day <= {p}"));
    }
    if let Some(words) = words {
        // Each word a phrase (`o'brien` is `o` then `brien`), all required,
        // as in SQLite's full-text query. One parameter per word, so that
        // the server plans with the words themselves (the query folds to a
        // constant) and picks the GIN index for rare words, the order index
        // for common ones.
        let phrases: Vec<String> = words
            .into_iter()
            .map(|word| {
                let p = conditions.param(word);
                format!("phraseto_tsquery('whosaid', {p})")
            })
            .collect();
        conditions.push(format!("a.content_tsv @@ ({})", phrases.join(" && ")));
    }
    if let Some(ids) = speakers {
        if let [id] = ids[..] {
            // One key: its index is in query order already, nothing to sort.
            let p = conditions.param(id);
            conditions.push(format!("a.speaker_id = {p}"));
        } else {
            let p = conditions.param(ids);
            conditions.push(format!("a.speaker_id = ANY({p})"));
        }
    }
    if let Some(stance) = query.stance {
        let p = conditions.param(enum_name(&stance));
        conditions.push(format!("a.stance = {p}"));
    }
    if let Some(kind) = query.kind {
        let p = conditions.param(enum_name(&kind));
        conditions.push(format!("a.kind = {p}"));
    }
    if let Some(site) = &query.site {
        let folded = conditions.param(fold_site(site));
        let host = conditions.param(url_host(site));
        conditions.push(format!(
            "a.document_id IN (SELECT id FROM documents WHERE site_folded = {folded} OR host = {host})"
        ));
    }
    // 0: no limit, as in SQLite.
    let limit = match query.limit {
        0 => None,
        n => Some(i64::try_from(n).unwrap_or(i64::MAX)),
    };
    let limit = conditions.param(limit);
    let filter = if conditions.sql.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.sql.join(" AND "))
    };
    let sql = format!(
        "SELECT a.document_id, a.idx, a.kind, a.stance, a.speaker_id, a.speaker_name, a.cue, \
                a.content, d.title, d.site, d.published, d.url, a.day \
         FROM attributions a JOIN documents d ON d.id = a.document_id \
         {filter} \
         ORDER BY a.day DESC NULLS LAST, a.document_id DESC, a.idx \
         LIMIT {limit}"
    );
    let rows = client
        .query(&sql, &conditions.params())
        .await
        .map_err(store.fail("cannot run the query"))?;
    rows.iter().map(|row| attribution_row(store, row)).collect()
}

/// The day of the row a cursor names. A cursor is only meaningful for the
/// store that gave it; one naming no stored attribution is an error rather
/// than a silent restart from the top.
async fn cursor_day(
    store: &PostgresStore,
    client: &impl GenericClient,
    cursor: &Cursor,
) -> Result<Option<String>> {
    let fail = store.fail("cannot read the cursor's row");
    let statement = client
        .prepare_cached("SELECT day FROM attributions WHERE document_id = $1 AND idx = $2")
        .await
        .map_err(&fail)?;
    let missing = || {
        Error::InvalidQuery(format!(
            "cursor (document {}, attribution {}) names no stored attribution",
            cursor.document, cursor.index
        ))
    };
    let index = i32::try_from(cursor.index).map_err(|_| missing())?;
    match client
        .query_opt(&statement, &[&cursor.document, &index])
        .await
        .map_err(&fail)?
    {
        Some(row) => Ok(row.get(0)),
        None => Err(missing()),
    }
}

fn attribution_row(store: &PostgresStore, row: &Row) -> Result<AttributionRow> {
    let document: i64 = row.get(0);
    let index = i64::from(row.get::<_, i32>(1));
    let kind: &str = row.get(2);
    let stance: &str = row.get(3);
    Ok(AttributionRow {
        document,
        index,
        kind: parse_name(kind).ok_or_else(|| {
            store.data_error(format!("document {document}: unknown kind {kind:?}"))
        })?,
        stance: parse_name(stance).ok_or_else(|| {
            store.data_error(format!("document {document}: unknown stance {stance:?}"))
        })?,
        speaker_id: row.get(4),
        speaker: row.get(5),
        cue: row.get(6),
        content: row.get(7),
        title: row.get(8),
        site: row.get(9),
        published: row.get(10),
        url: row.get(11),
        cursor: Cursor {
            published: row.get(12),
            document,
            index,
        },
    })
}

/// An enum stored by its serde name.
fn parse_name<T: serde::de::DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
}

/// The speaker ids a name matches by the identity rule (empty when no such
/// speaker is stored).
async fn speaker_ids(
    store: &PostgresStore,
    client: &impl GenericClient,
    name: &str,
) -> Result<Vec<i64>> {
    let Some(wanted) = speaker_match(name) else {
        return Err(Error::InvalidQuery(format!(
            "speaker {name:?} names no one in particular"
        )));
    };
    let fail = store.fail("cannot look up speakers");
    match wanted {
        SpeakerMatch::Surname(key) => {
            let statement = client
                .prepare_cached(
                    "SELECT id FROM speakers WHERE key = $1 \
                     UNION \
                     SELECT id FROM speakers WHERE surname = $1 AND words > 1 AND kind = 'person' \
                     ORDER BY 1",
                )
                .await
                .map_err(&fail)?;
            let rows = client.query(&statement, &[&key]).await.map_err(&fail)?;
            Ok(rows.iter().map(|row| row.get(0)).collect())
        }
        SpeakerMatch::FullName { key, surname } => {
            let Some(id) = key_id(store, client, &key).await? else {
                return Ok(Vec::new());
            };
            let mut ids = vec![id];
            if let Some(surname_id) = key_id(store, client, &surname).await? {
                let folds = fold_map(store, client, Some(&surname)).await?;
                if folds.get(&surname_id) == Some(&id) {
                    ids.push(surname_id);
                }
            }
            Ok(ids)
        }
    }
}

async fn key_id(
    store: &PostgresStore,
    client: &impl GenericClient,
    key: &str,
) -> Result<Option<i64>> {
    let fail = store.fail("cannot look up a speaker");
    let statement = client
        .prepare_cached("SELECT id FROM speakers WHERE key = $1")
        .await
        .map_err(&fail)?;
    Ok(client
        .query_opt(&statement, &[&key])
        .await
        .map_err(&fail)?
        .map(|row| row.get(0)))
}

/// Which one-word keys fold into which person (by id), for every surname or
/// only `surname`: [`fold_target`] on the counts stored now.
async fn fold_map(
    store: &PostgresStore,
    client: &impl GenericClient,
    surname: Option<&str>,
) -> Result<HashMap<i64, i64>> {
    const FOLDS: &str = "SELECT s.id, f.id, f.attributions \
         FROM speakers s JOIN speakers f \
           ON f.surname = s.key AND f.words > 1 AND f.kind = 'person' \
         WHERE s.words = 1 AND s.kind IN ('person', 'unknown')";
    let fail = store.fail("cannot fold surnames");
    let rows = match surname {
        Some(key) => {
            let statement = client
                .prepare_cached(&format!("{FOLDS} AND s.key = $1"))
                .await
                .map_err(&fail)?;
            client.query(&statement, &[&key]).await
        }
        None => {
            let statement = client.prepare_cached(FOLDS).await.map_err(&fail)?;
            client.query(&statement, &[]).await
        }
    }
    .map_err(&fail)?;
    let mut candidates: BTreeMap<i64, Vec<(i64, u64)>> = BTreeMap::new();
    for row in &rows {
        candidates
            .entry(row.get(0))
            .or_default()
            .push((row.get(1), count(row, 2)));
    }
    Ok(candidates
        .into_iter()
        .filter_map(|(s, c)| fold_target(&c).map(|f| (s, f)))
        .collect())
}

pub(super) async fn speakers(
    store: &PostgresStore,
    name: Option<&str>,
    limit: usize,
) -> Result<Vec<SpeakerSummary>> {
    let limit = if limit == 0 { usize::MAX } else { limit };
    let mut client = store.client().await?;
    let client = snapshot(store, &mut client).await?;
    let folds = fold_map(store, &client, None).await?;
    // Every key's attribution counter, from which a group's total follows
    // without reading its aggregates; only listed groups are summarised.
    let mut counts: HashMap<i64, i64> = HashMap::new();
    let keys: Vec<i64> = match name {
        Some(name) => speaker_ids(store, &client, name).await?,
        None => {
            let statement = client
                .prepare_cached("SELECT id, attributions FROM speakers")
                .await
                .map_err(store.fail("cannot list speakers"))?;
            for row in client
                .query(&statement, &[])
                .await
                .map_err(store.fail("cannot list speakers"))?
            {
                counts.insert(row.get(0), row.get(1));
            }
            counts.keys().copied().collect()
        }
    };
    let groups = fold_groups(keys, &folds);
    let mut groups: Vec<(i64, Vec<i64>)> = groups.into_iter().collect();
    if name.is_none() && groups.len() > limit {
        // The listing's own order (attributions, then id) on the counters,
        // so that only the page is summarised.
        let total = |members: &[i64]| -> i64 {
            members
                .iter()
                .map(|m| counts.get(m).copied().unwrap_or(0))
                .sum()
        };
        groups.sort_by_cached_key(|(rep, members)| (std::cmp::Reverse(total(members)), *rep));
        groups.truncate(limit);
    }
    let mut summaries = summaries(store, &client, &groups)
        .await?
        .into_iter()
        .map(|(summary, _)| summary)
        .collect::<Vec<_>>();
    end_snapshot(store, client).await?;
    summaries.sort_by(|a, b| b.attributions.cmp(&a.attributions).then(a.id.cmp(&b.id)));
    summaries.truncate(limit);
    Ok(summaries)
}

pub(super) async fn speaker_profile(
    store: &PostgresStore,
    id: i64,
) -> Result<Option<SpeakerProfile>> {
    let mut client = store.client().await?;
    let client = snapshot(store, &mut client).await?;
    let fail = store.fail("cannot read a speaker");
    let statement = client
        .prepare_cached("SELECT key FROM speakers WHERE id = $1")
        .await
        .map_err(&fail)?;
    let Some(row) = client.query_opt(&statement, &[&id]).await.map_err(&fail)? else {
        return Ok(None);
    };
    let key: &str = row.get(0);
    let folds = fold_map(store, &client, Some(last_word(key))).await?;
    // The group `id` belongs to: a folded surname shows as its person.
    let rep = folds.get(&id).copied().unwrap_or(id);
    let mut members = vec![rep];
    let mut folded: Vec<i64> = folds
        .iter()
        .filter(|(_, person)| **person == rep)
        .map(|(surname, _)| *surname)
        .collect();
    folded.sort_unstable();
    members.extend(folded);
    let statement = client
        .prepare_cached(
            "SELECT month, sum(n)::bigint FROM speaker_months \
             WHERE speaker_id = ANY($1) GROUP BY month ORDER BY month",
        )
        .await
        .map_err(&fail)?;
    let per_month = client
        .query(&statement, &[&members])
        .await
        .map_err(&fail)?
        .iter()
        .map(|row| (row.get(0), count(row, 1)))
        .collect();
    let mut found = summaries(store, &client, &[(rep, members)]).await?;
    end_snapshot(store, client).await?;
    Ok(found.pop().map(|(summary, names)| SpeakerProfile {
        summary,
        names,
        per_month,
    }))
}

/// Each group's summary and names (most frequent first, ties by name), in
/// the groups' order: four round trips whatever the number of groups.
async fn summaries(
    store: &PostgresStore,
    client: &impl GenericClient,
    groups: &[(i64, Vec<i64>)],
) -> Result<Vec<(SpeakerSummary, Vec<(String, u64)>)>> {
    let fail = store.fail("cannot read a speaker's aggregates");
    let mut members: Vec<i64> = Vec::new();
    let mut group_of: Vec<i64> = Vec::new();
    for (rep, group) in groups {
        for member in group {
            members.push(*member);
            group_of.push(*rep);
        }
    }
    const GROUPS: &str = "unnest($1::bigint[], $2::bigint[]) AS g (member, grp)";
    let params: [&(dyn ToSql + Sync); 2] = [&members, &group_of];

    struct Key {
        kind: String,
        attributions: u64,
        documents: u64,
    }
    let statement = client
        .prepare_cached("SELECT id, kind, attributions, documents FROM speakers WHERE id = ANY($1)")
        .await
        .map_err(&fail)?;
    let mut keys: HashMap<i64, Key> = HashMap::new();
    for row in client.query(&statement, &[&members]).await.map_err(&fail)? {
        keys.insert(
            row.get(0),
            Key {
                kind: row.get(1),
                attributions: count(&row, 2),
                documents: count(&row, 3),
            },
        );
    }
    // The same article may quote two keys of a group: count it once.
    let statement = client
        .prepare_cached(&format!(
            "SELECT g.grp, count(DISTINCT a.document_id) FROM {GROUPS} \
             JOIN attributions a ON a.speaker_id = g.member \
             WHERE g.grp IN (SELECT grp FROM {GROUPS} GROUP BY grp HAVING count(*) > 1) \
             GROUP BY g.grp"
        ))
        .await
        .map_err(&fail)?;
    let mut shared_documents: HashMap<i64, u64> = HashMap::new();
    for row in client.query(&statement, &params).await.map_err(&fail)? {
        shared_documents.insert(row.get(0), count(&row, 1));
    }
    let aggregate = |table: &str, column: &str| {
        // Table and column names are our own constants, never user text.
        format!(
            "SELECT g.grp, t.{column}, sum(t.n)::bigint FROM {GROUPS} \
             JOIN {table} t ON t.speaker_id = g.member GROUP BY g.grp, t.{column}"
        )
    };
    let mut stances: HashMap<i64, HashMap<String, u64>> = HashMap::new();
    let statement = client
        .prepare_cached(&aggregate("speaker_stances", "stance"))
        .await
        .map_err(&fail)?;
    for row in client.query(&statement, &params).await.map_err(&fail)? {
        stances
            .entry(row.get(0))
            .or_default()
            .insert(row.get(1), count(&row, 2));
    }
    let mut names: HashMap<i64, Vec<(String, u64)>> = HashMap::new();
    let statement = client
        .prepare_cached(&aggregate("speaker_names", "name"))
        .await
        .map_err(&fail)?;
    for row in client.query(&statement, &params).await.map_err(&fail)? {
        names
            .entry(row.get(0))
            .or_default()
            .push((row.get(1), count(&row, 2)));
    }

    let mut out = Vec::with_capacity(groups.len());
    for (rep, group) in groups {
        let rows: Vec<&Key> = group.iter().filter_map(|id| keys.get(id)).collect();
        let kind = keys
            .get(rep)
            .map_or_else(|| "unknown".to_string(), |k| k.kind.clone());
        let attributions = rows.iter().map(|k| k.attributions).sum();
        let documents = match rows.as_slice() {
            [only] => only.documents,
            _ => shared_documents.get(rep).copied().unwrap_or(0),
        };
        let counts = stances.remove(rep).unwrap_or_default();
        let stances = STANCES
            .iter()
            .filter_map(|s| {
                let n = counts.get(&enum_name(s)).copied().unwrap_or(0);
                (n > 0).then_some((*s, n))
            })
            .collect();
        let mut names = names.remove(rep).unwrap_or_default();
        names.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out.push((
            SpeakerSummary {
                id: *rep,
                name: names.first().map(|(n, _)| n.clone()).unwrap_or_default(),
                kind,
                attributions,
                documents,
                stances,
            },
            names,
        ));
    }
    Ok(out)
}
