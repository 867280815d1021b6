//! Reading the ledger: documents, attribution queries, speakers.
//!
//! Every value a user typed travels as a parameter; the SQL text is put
//! together only from the fixed fragments below.

use std::collections::{BTreeMap, HashMap};

use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use super::PostgresStore;
use crate::identity::{self, SpeakerMatch};
use crate::*;

/// Documents read per round trip while exporting.
const EXPORT_PAGE: i64 = 256;

type Param = Box<dyn ToSql + Sync + Send>;

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
    let lower: Vec<String> = sha256.iter().map(|s| s.to_ascii_lowercase()).collect();
    let found: std::collections::HashSet<String> = client
        .query(&statement, &[&lower])
        .await
        .map_err(&fail)?
        .iter()
        .map(|row| row.get(0))
        .collect();
    Ok(lower.iter().map(|s| found.contains(s)).collect())
}

const DOCUMENT_COLUMNS: &str = "id, warc_offset, ingested_at, record";

pub(super) async fn document(store: &PostgresStore, key: &str) -> Result<Option<StoredDocument>> {
    let key = key.trim();
    let client = store.client().await?;
    let fail = store.fail("cannot read the document");
    if !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(id) = key.parse::<i64>() {
            let statement = client
                .prepare_cached(&format!(
                    "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id = $1"
                ))
                .await
                .map_err(&fail)?;
            if let Some(row) = client.query_opt(&statement, &[&id]).await.map_err(&fail)? {
                return stored_document(store, &row).map(Some);
            }
        }
        if key.len() < 8 {
            return Ok(None);
        }
    }
    let prefix = sha_prefix(key)?;
    // The column's "C" collation lets LIKE with a fixed prefix use the
    // unique index; the prefix is hex, so it holds no wildcards.
    let statement = client
        .prepare_cached(&format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE sha256 LIKE $1 || '%' LIMIT 2"
        ))
        .await
        .map_err(&fail)?;
    let rows = client.query(&statement, &[&prefix]).await.map_err(&fail)?;
    match rows.as_slice() {
        [] => Ok(None),
        [row] => stored_document(store, row).map(Some),
        _ => Err(Error::InvalidQuery(format!(
            "document {key}: the prefix matches several documents; give more digits"
        ))),
    }
}

/// A sha256 or a prefix of one, lower-cased; at least 8 hex digits.
fn sha_prefix(key: &str) -> Result<String> {
    let is_hex = key.bytes().all(|b| b.is_ascii_hexdigit());
    if !is_hex || key.len() < 8 || key.len() > 64 {
        return Err(Error::InvalidQuery(format!(
            "document {key:?}: give an id, a sha256 or a prefix of at least 8 hex digits"
        )));
    }
    Ok(key.to_ascii_lowercase())
}

fn stored_document(store: &PostgresStore, row: &Row) -> Result<StoredDocument> {
    let id: i64 = row.get(0);
    let offset: Option<i64> = row.get(1);
    let json: &str = row.get(3);
    let record = serde_json::from_str(json).map_err(|e| {
        store.data_error(format!(
            "document {id}: the stored record is unreadable: {e}"
        ))
    })?;
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
    // while the caller writes, and the pool connection goes back between
    // pages.
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
    let client = store.client().await?;
    let row = client
        .query_one(
            "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM attributions), \
             (SELECT count(*) FROM speakers)",
            &[],
        )
        .await
        .map_err(store.fail("cannot count"))?;
    let count = |i: usize| u64::try_from(row.get::<_, i64>(i)).unwrap_or(0);
    Ok(Stats {
        documents: count(0),
        attributions: count(1),
        speakers: count(2),
    })
}

/// A `YYYY-MM-DD` date argument, checked.
fn date_argument(what: &str, value: &str) -> Result<String> {
    let bytes = value.as_bytes();
    let shape = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    let month = value.get(5..7).and_then(|m| m.parse::<u32>().ok());
    let day = value.get(8..10).and_then(|d| d.parse::<u32>().ok());
    if !shape || !matches!(month, Some(1..=12)) || !matches!(day, Some(1..=31)) {
        return Err(Error::InvalidQuery(format!(
            "{what} {value:?} is not a date (YYYY-MM-DD)"
        )));
    }
    Ok(value.to_string())
}

/// The speaker ids a name stands for, by the identity rule: a surname
/// matches every person with it, a full name also takes in the bare surname
/// when that surname folds into it.
async fn matching_speakers(
    store: &PostgresStore,
    client: &deadpool_postgres::Client,
    name: &str,
) -> Result<Vec<i64>> {
    let fail = store.fail("cannot look up the speaker");
    let Some(wanted) = identity::speaker_match(name) else {
        return Err(Error::InvalidQuery(format!(
            "speaker {name:?} names no one in particular"
        )));
    };
    match wanted {
        SpeakerMatch::Surname(surname) => {
            let statement = client
                .prepare_cached(
                    "SELECT id FROM speakers WHERE key = $1 \
                     OR (surname = $1 AND NOT single AND kind = 'person')",
                )
                .await
                .map_err(&fail)?;
            let rows = client.query(&statement, &[&surname]).await.map_err(&fail)?;
            Ok(rows.iter().map(|r| r.get(0)).collect())
        }
        SpeakerMatch::FullName { key, surname } => {
            let statement = client
                .prepare_cached("SELECT id, key FROM speakers WHERE key = $1 OR key = $2")
                .await
                .map_err(&fail)?;
            let mut full = None;
            let mut bare = None;
            for row in client
                .query(&statement, &[&key, &surname])
                .await
                .map_err(&fail)?
            {
                if row.get::<_, &str>(1) == key {
                    full = Some(row.get::<_, i64>(0));
                } else {
                    bare = Some(row.get::<_, i64>(0));
                }
            }
            let Some(full) = full else {
                return Ok(Vec::new());
            };
            let mut ids = vec![full];
            if let Some(bare) = bare {
                if fold_target_of(store, client, &surname).await? == Some(full) {
                    ids.push(bare);
                }
            }
            Ok(ids)
        }
    }
}

/// The person a bare surname folds into now ([`identity::fold_target`] over
/// the stored counts).
async fn fold_target_of(
    store: &PostgresStore,
    client: &deadpool_postgres::Client,
    surname: &str,
) -> Result<Option<i64>> {
    let statement = client
        .prepare_cached(
            "SELECT s.id, count(a.document) FROM speakers s \
             LEFT JOIN attributions a ON a.speaker_id = s.id \
             WHERE s.surname = $1 AND NOT s.single AND s.kind = 'person' \
             GROUP BY s.id",
        )
        .await
        .map_err(store.fail("cannot look up the speaker"))?;
    let candidates: Vec<(i64, u64)> = client
        .query(&statement, &[&surname])
        .await
        .map_err(store.fail("cannot look up the speaker"))?
        .iter()
        .map(|row| (row.get(0), count(row, 1)))
        .collect();
    Ok(identity::fold_target(&candidates))
}

fn count(row: &Row, column: usize) -> u64 {
    u64::try_from(row.get::<_, i64>(column)).unwrap_or(0)
}

/// Conditions and their parameters, numbered as they are added.
#[derive(Default)]
struct Conditions {
    sql: Vec<String>,
    params: Vec<Param>,
}

impl Conditions {
    /// The placeholder (`$n`) of a new parameter.
    fn param(&mut self, value: Param) -> String {
        self.params.push(value);
        format!("${}", self.params.len())
    }

    fn push(&mut self, condition: String) {
        self.sql.push(condition);
    }

    fn where_clause(&self) -> String {
        if self.sql.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.sql.join(" AND "))
        }
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
    let since = query
        .since
        .as_deref()
        .map(|d| date_argument("since", d))
        .transpose()?;
    let until = query
        .until
        .as_deref()
        .map(|d| date_argument("until", d))
        .transpose()?;
    if query.limit == 0 {
        return Ok(Vec::new());
    }
    let client = store.client().await?;
    let mut conditions = Conditions::default();
    if let Some(name) = &query.speaker {
        let ids = matching_speakers(store, &client, name).await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let p = conditions.param(Box::new(ids));
        conditions.push(format!("a.speaker_id = ANY({p})"));
    }
    if let Some(about) = &query.about {
        let p = conditions.param(Box::new(about.clone()));
        conditions.push(format!("a.content_tsv @@ plainto_tsquery('english', {p})"));
    }
    if let Some(stance) = query.stance {
        let p = conditions.param(Box::new(super::write::enum_name(&stance)));
        conditions.push(format!("a.stance = {p}"));
    }
    if let Some(kind) = query.kind {
        let p = conditions.param(Box::new(super::write::enum_name(&kind)));
        conditions.push(format!("a.kind = {p}"));
    }
    if let Some(site) = &query.site {
        let site = site.trim().to_lowercase();
        let host = site.strip_prefix("www.").unwrap_or(&site).to_string();
        let p = conditions.param(Box::new(site));
        let h = conditions.param(Box::new(host));
        conditions.push(format!("(lower(d.site) = {p} OR d.host = {h})"));
    }
    if let Some(since) = since {
        let p = conditions.param(Box::new(since));
        conditions.push(format!("left(d.published, 10) >= {p}"));
    }
    if let Some(until) = until {
        let p = conditions.param(Box::new(until));
        conditions.push(format!("left(d.published, 10) <= {p}"));
    }
    if let Some(after) = &query.after {
        // Rows after the cursor in (published DESC NULLS LAST, document DESC,
        // index ASC): undated rows come last, after every dated one.
        let d = conditions.param(Box::new(after.document));
        let i = conditions.param(Box::new(after.index));
        let same_published = format!("(a.document < {d} OR (a.document = {d} AND a.idx > {i}))");
        match &after.published {
            Some(published) => {
                let p = conditions.param(Box::new(published.clone()));
                conditions.push(format!(
                    "(d.published IS NULL OR d.published < {p} \
                     OR (d.published = {p} AND {same_published}))"
                ));
            }
            None => conditions.push(format!("(d.published IS NULL AND {same_published})")),
        }
    }
    let limit = conditions.param(Box::new(i64::try_from(query.limit).unwrap_or(i64::MAX)));
    let sql = format!(
        "SELECT a.document, a.idx, a.kind, a.stance, a.speaker_id, a.speaker, a.cue, a.content, \
                d.title, d.site, d.published, d.url \
         FROM attributions a JOIN documents d ON d.id = a.document \
         {} \
         ORDER BY d.published DESC NULLS LAST, a.document DESC, a.idx ASC \
         LIMIT {limit}",
        conditions.where_clause()
    );
    let rows = client
        .query(&sql, &conditions.params())
        .await
        .map_err(store.fail("cannot query attributions"))?;
    rows.iter().map(|row| attribution_row(store, row)).collect()
}

fn attribution_row(store: &PostgresStore, row: &Row) -> Result<AttributionRow> {
    let document: i64 = row.get(0);
    let index = i64::from(row.get::<_, i32>(1));
    let published: Option<String> = row.get(10);
    Ok(AttributionRow {
        document,
        index,
        kind: parse_name(store, row.get(2))?,
        stance: parse_name(store, row.get(3))?,
        speaker_id: row.get(4),
        speaker: row.get(5),
        cue: row.get(6),
        content: row.get(7),
        title: row.get(8),
        site: row.get(9),
        url: row.get(11),
        cursor: Cursor {
            published: published.clone(),
            document,
            index,
        },
        published,
    })
}

/// An enum stored by its serde name.
fn parse_name<T: serde::de::DeserializeOwned>(store: &PostgresStore, name: &str) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(name.to_string()))
        .map_err(|_| store.data_error(format!("unknown value {name:?} in the attributions table")))
}

/// Speakers as listings show them: a full name with the bare surnames that
/// fold into it.
struct Group {
    /// The full name's id (or the speaker's own when nothing folds in).
    id: i64,
    kind: String,
    members: Vec<i64>,
    attributions: u64,
}

/// Every speaker with attributions, grouped by surname folding, most quoted
/// first (then by id).
async fn speaker_groups(
    store: &PostgresStore,
    client: &deadpool_postgres::Client,
) -> Result<Vec<Group>> {
    let statement = client
        .prepare_cached(
            "SELECT s.id, s.kind, s.surname, s.single, count(a.document) \
             FROM speakers s LEFT JOIN attributions a ON a.speaker_id = s.id \
             GROUP BY s.id ORDER BY s.id",
        )
        .await
        .map_err(store.fail("cannot list speakers"))?;
    let rows = client
        .query(&statement, &[])
        .await
        .map_err(store.fail("cannot list speakers"))?;
    // Fold candidates per surname: the multi-word person keys ending in it.
    let mut candidates: HashMap<&str, Vec<(i64, u64)>> = HashMap::new();
    for row in &rows {
        let single: bool = row.get(3);
        if !single && row.get::<_, &str>(1) == "person" {
            candidates
                .entry(row.get(2))
                .or_default()
                .push((row.get(0), count(row, 4)));
        }
    }
    let mut groups: BTreeMap<i64, Group> = BTreeMap::new();
    for row in &rows {
        let id: i64 = row.get(0);
        let single: bool = row.get(3);
        let target = if single {
            candidates
                .get(row.get::<_, &str>(2))
                .and_then(|c| identity::fold_target(c))
        } else {
            None
        };
        let group = groups.entry(target.unwrap_or(id)).or_insert_with(|| Group {
            id: target.unwrap_or(id),
            kind: String::new(),
            members: Vec::new(),
            attributions: 0,
        });
        if target.is_none() {
            group.kind = row.get(1);
        }
        group.members.push(id);
        group.attributions += count(row, 4);
    }
    let mut groups: Vec<Group> = groups
        .into_values()
        .filter(|g| g.attributions > 0)
        .collect();
    groups.sort_by(|a, b| b.attributions.cmp(&a.attributions).then(a.id.cmp(&b.id)));
    Ok(groups)
}

/// Documents, stances and names of each group, as summaries in the groups'
/// order.
async fn summaries(
    store: &PostgresStore,
    client: &deadpool_postgres::Client,
    groups: &[Group],
) -> Result<(Vec<SpeakerSummary>, Vec<Vec<(String, u64)>>)> {
    let fail = store.fail("cannot summarise speakers");
    let mut members = Vec::new();
    let mut group_of = Vec::new();
    for group in groups {
        for &member in &group.members {
            members.push(member);
            group_of.push(group.id);
        }
    }
    const GROUPS: &str = "unnest($1::bigint[], $2::bigint[]) AS g (member, grp)";
    let documents = client
        .prepare_cached(&format!(
            "SELECT g.grp, count(DISTINCT a.document) FROM {GROUPS} \
             JOIN attributions a ON a.speaker_id = g.member GROUP BY g.grp"
        ))
        .await
        .map_err(&fail)?;
    let stances = client
        .prepare_cached(&format!(
            "SELECT g.grp, a.stance, count(*) FROM {GROUPS} \
             JOIN attributions a ON a.speaker_id = g.member GROUP BY g.grp, a.stance"
        ))
        .await
        .map_err(&fail)?;
    let names = client
        .prepare_cached(&format!(
            "SELECT g.grp, n.name, count(*) FROM {GROUPS} \
             JOIN speaker_names n ON n.speaker = g.member GROUP BY g.grp, n.name"
        ))
        .await
        .map_err(&fail)?;
    let params: [&(dyn ToSql + Sync); 2] = [&members, &group_of];
    let mut documents_of: HashMap<i64, u64> = HashMap::new();
    for row in client.query(&documents, &params).await.map_err(&fail)? {
        documents_of.insert(row.get(0), count(&row, 1));
    }
    let mut stances_of: HashMap<i64, HashMap<Stance, u64>> = HashMap::new();
    for row in client.query(&stances, &params).await.map_err(&fail)? {
        let stance: Stance = parse_name(store, row.get(1))?;
        stances_of
            .entry(row.get(0))
            .or_default()
            .insert(stance, count(&row, 2));
    }
    let mut names_of: HashMap<i64, Vec<(String, u64)>> = HashMap::new();
    for row in client.query(&names, &params).await.map_err(&fail)? {
        names_of
            .entry(row.get(0))
            .or_default()
            .push((row.get(1), count(&row, 2)));
    }
    let mut summaries = Vec::new();
    let mut all_names = Vec::new();
    for group in groups {
        let mut names = names_of.remove(&group.id).unwrap_or_default();
        // Most frequent first; ties by name, so the order is the same on
        // every backend.
        names.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let stances = stances_of.remove(&group.id).unwrap_or_default();
        summaries.push(SpeakerSummary {
            id: group.id,
            name: names.first().map(|(n, _)| n.clone()).unwrap_or_default(),
            kind: group.kind.clone(),
            attributions: group.attributions,
            documents: documents_of.get(&group.id).copied().unwrap_or(0),
            stances: STANCES
                .iter()
                .filter_map(|s| stances.get(s).map(|&n| (*s, n)))
                .filter(|&(_, n)| n > 0)
                .collect(),
        });
        all_names.push(names);
    }
    Ok((summaries, all_names))
}

pub(super) async fn speakers(
    store: &PostgresStore,
    name: Option<&str>,
    limit: usize,
) -> Result<Vec<SpeakerSummary>> {
    let client = store.client().await?;
    let mut groups = speaker_groups(store, &client).await?;
    if let Some(name) = name {
        let ids = matching_speakers(store, &client, name).await?;
        groups.retain(|g| g.members.iter().any(|m| ids.contains(m)));
    }
    groups.truncate(limit);
    Ok(summaries(store, &client, &groups).await?.0)
}

pub(super) async fn speaker_profile(
    store: &PostgresStore,
    id: i64,
) -> Result<Option<SpeakerProfile>> {
    let client = store.client().await?;
    let groups = speaker_groups(store, &client).await?;
    let Some(group) = groups.into_iter().find(|g| g.members.contains(&id)) else {
        return Ok(None);
    };
    let statement = client
        .prepare_cached(
            "SELECT left(d.published, 7) AS month, count(*) \
             FROM attributions a JOIN documents d ON d.id = a.document \
             WHERE a.speaker_id = ANY($1) AND d.published IS NOT NULL \
             GROUP BY month ORDER BY month",
        )
        .await
        .map_err(store.fail("cannot read the speaker's profile"))?;
    let per_month = client
        .query(&statement, &[&group.members])
        .await
        .map_err(store.fail("cannot read the speaker's profile"))?
        .iter()
        .map(|row| (row.get(0), count(row, 1)))
        .collect();
    let (mut summaries, mut names) =
        summaries(store, &client, std::slice::from_ref(&group)).await?;
    match (summaries.pop(), names.pop()) {
        (Some(summary), Some(names)) => Ok(Some(SpeakerProfile {
            summary,
            names,
            per_month,
        })),
        _ => Ok(None),
    }
}
