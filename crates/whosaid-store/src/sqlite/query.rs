//! Reading the SQLite ledger: attribution queries and speaker listings.
//!
//! SQL is assembled only from fixed fragments; every value the user gave
//! travels as a parameter.

use std::collections::{BTreeMap, HashMap};

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, OptionalExtension};

use super::{
    day_code, fold_site, kind_name, parse_kind, parse_stance, stance_name, url_host, SqliteStore,
    SEQ_BITS,
};
use crate::identity::{fold_groups, fold_target, speaker_match, SpeakerMatch};
use crate::*;

/// One speaker key's row.
struct KeyRow {
    id: i64,
    kind: String,
    attributions: i64,
    documents: i64,
}

impl SqliteStore {
    pub(super) fn run_query(&self, q: &AttributionQuery) -> Result<Vec<AttributionRow>> {
        let Some((sql, values)) = self.query_sql(q)? else {
            return Ok(Vec::new());
        };
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .map_err(self.err("cannot prepare the query"))?;
        let mut rows = stmt
            .query(params_from_iter(values))
            .map_err(self.err("cannot run the query"))?;
        let mut out = Vec::new();
        let read = self.err("cannot read a query row");
        while let Some(r) = rows.next().map_err(&read)? {
            let document: i64 = r.get(1).map_err(&read)?;
            let index: i64 = r.get(2).map_err(&read)?;
            let kind: String = r.get(3).map_err(&read)?;
            let stance: String = r.get(4).map_err(&read)?;
            let published_day: Option<String> = r.get(13).map_err(&read)?;
            out.push(AttributionRow {
                document,
                index,
                kind: parse_kind(&kind).ok_or_else(|| {
                    self.data_error(format!("document {document}: unknown kind {kind:?}"))
                })?,
                stance: parse_stance(&stance).ok_or_else(|| {
                    self.data_error(format!("document {document}: unknown stance {stance:?}"))
                })?,
                speaker_id: r.get(5).map_err(&read)?,
                speaker: r.get(6).map_err(&read)?,
                cue: r.get(7).map_err(&read)?,
                content: r.get(8).map_err(&read)?,
                title: r.get(9).map_err(&read)?,
                site: r.get(10).map_err(&read)?,
                published: r.get(11).map_err(&read)?,
                url: r.get(12).map_err(&read)?,
                cursor: Cursor {
                    published: published_day,
                    document,
                    index,
                },
            });
        }
        Ok(out)
    }

    /// The statement and parameters of a query, or `None` when nothing can
    /// match (an unknown speaker, an empty date range). Every argument is
    /// checked before anything is looked up, so a bad one is always an
    /// error.
    fn query_sql(&self, q: &AttributionQuery) -> Result<Option<(String, Vec<Value>)>> {
        let fts = q.about.as_deref().map(fts_query).transpose()?;
        let since = q
            .since
            .as_deref()
            .map(|d| query_day(d, "since"))
            .transpose()?;
        let until = q
            .until
            .as_deref()
            .map(|d| query_day(d, "until"))
            .transpose()?;
        let speaker_ids = q
            .speaker
            .as_deref()
            .map(|n| self.speaker_ids(n))
            .transpose()?;
        // The order key's range: [lo, hi].
        let mut lo: i64 = 0;
        let mut hi: i64 = i64::MAX;
        if let Some(since) = since {
            lo = lo.max(since << SEQ_BITS);
        }
        if let Some(until) = until {
            hi = hi.min(((until + 1) << SEQ_BITS) - 1);
            // Undated rows (day 0) have no date to compare.
            lo = lo.max(1 << SEQ_BITS);
        }
        if let Some(cursor) = &q.after {
            hi = hi.min(self.cursor_ord(cursor)? - 1);
        }
        if lo > hi || speaker_ids.as_ref().is_some_and(Vec::is_empty) {
            return Ok(None);
        }

        let mut conditions: Vec<&str> = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        let mut sql = String::from("WITH page (ord) AS MATERIALIZED (");
        if let Some(fts) = fts {
            // The full-text index drives: its rowids are the order key, so it
            // yields matches newest first and stops after the page.
            sql.push_str(
                "SELECT f.rowid FROM attribution_text f CROSS JOIN attributions a ON a.ord = f.rowid",
            );
            conditions.push("attribution_text MATCH ?");
            values.push(Value::Text(fts));
            conditions.push("f.rowid BETWEEN ? AND ?");
        } else {
            sql.push_str("SELECT a.ord FROM attributions a");
            conditions.push("a.ord BETWEEN ? AND ?");
        }
        values.push(Value::Integer(lo));
        values.push(Value::Integer(hi));
        if let Some(ids) = speaker_ids {
            if let [id] = ids[..] {
                // One key: its index is already in query order, no sort.
                conditions.push("a.speaker_id = ?");
                values.push(Value::Integer(id));
            } else {
                conditions.push("a.speaker_id IN (SELECT value FROM json_each(?))");
                values.push(Value::Text(json_ids(&ids)));
            }
        }
        if let Some(stance) = q.stance {
            conditions.push("a.stance = ?");
            values.push(Value::Text(stance_name(stance).into()));
        }
        if let Some(kind) = q.kind {
            conditions.push("a.kind = ?");
            values.push(Value::Text(kind_name(kind).into()));
        }
        if let Some(site) = &q.site {
            conditions.push(
                "a.document_id IN (SELECT id FROM documents WHERE site_folded = ? OR host = ?)",
            );
            values.push(Value::Text(fold_site(site)));
            values.push(url_host(site).map_or(Value::Null, Value::Text));
        }
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
        sql.push_str(if q.about.is_some() {
            " ORDER BY f.rowid DESC"
        } else {
            " ORDER BY a.ord DESC"
        });
        sql.push_str(" LIMIT ?)");
        // 0: no limit.
        values.push(Value::Integer(if q.limit == 0 {
            -1
        } else {
            q.limit.min(i64::MAX as usize) as i64
        }));
        sql.push_str(
            " SELECT a.ord, a.document_id, a.idx, a.kind, a.stance, a.speaker_id, a.speaker_name,
                     a.cue, a.content, d.title, d.site, d.published, d.url, d.published_day
              FROM page JOIN attributions a ON a.ord = page.ord
                        JOIN documents d ON d.id = a.document_id
              ORDER BY a.ord DESC",
        );
        Ok(Some((sql, values)))
    }

    /// The order key of the row a cursor names. A cursor is only meaningful
    /// for the store that gave it; one naming no stored attribution is an
    /// error rather than a silent restart from the top.
    fn cursor_ord(&self, cursor: &Cursor) -> Result<i64> {
        let found: Option<i64> = self
            .conn
            .prepare_cached(
                "SELECT a.ord FROM documents d JOIN attributions a
                   ON a.ord BETWEEN d.first_ord AND d.first_ord + d.attribution_count - 1
                 WHERE d.id = ?1 AND a.idx = ?2",
            )
            .and_then(|mut s| {
                s.query_row(params![cursor.document, cursor.index], |r| r.get(0))
                    .optional()
            })
            .map_err(self.err("cannot read the cursor's row"))?;
        found.ok_or_else(|| {
            Error::InvalidQuery(format!(
                "cursor (document {}, attribution {}) names no stored attribution",
                cursor.document, cursor.index
            ))
        })
    }

    /// The speaker ids a name matches by the identity rule (empty when the
    /// name has no key or no such speaker is stored).
    pub(super) fn speaker_ids(&self, name: &str) -> Result<Vec<i64>> {
        let Some(wanted) = speaker_match(name) else {
            return Err(Error::InvalidQuery(format!(
                "speaker {name:?} names no one in particular"
            )));
        };
        match wanted {
            SpeakerMatch::Surname(key) => {
                let mut stmt = self
                    .conn
                    .prepare_cached(
                        "SELECT id FROM speakers WHERE key = ?1
                         UNION
                         SELECT id FROM speakers
                          WHERE surname = ?1 AND words > 1 AND kind = 'person'
                         ORDER BY 1",
                    )
                    .map_err(self.err("cannot prepare the speaker lookup"))?;
                let ids = stmt
                    .query_map([&key], |r| r.get(0))
                    .and_then(|rows| rows.collect())
                    .map_err(self.err("cannot look up speakers"))?;
                Ok(ids)
            }
            SpeakerMatch::FullName { key, surname } => {
                let Some(id) = self.key_id(&key)? else {
                    return Ok(Vec::new());
                };
                let mut ids = vec![id];
                if let Some(surname_id) = self.key_id(&surname)? {
                    if self.fold_map(Some(&surname))?.get(&surname_id) == Some(&id) {
                        ids.push(surname_id);
                    }
                }
                Ok(ids)
            }
        }
    }

    fn key_id(&self, key: &str) -> Result<Option<i64>> {
        self.conn
            .prepare_cached("SELECT id FROM speakers WHERE key = ?1")
            .and_then(|mut s| s.query_row([key], |r| r.get(0)).optional())
            .map_err(self.err("cannot look up a speaker"))
    }

    /// Which one-word keys fold into which person (by id), for every
    /// surname or only `surname`: the rule of
    /// [`fold_target`](crate::identity::fold_target) on the counts stored now.
    pub(super) fn fold_map(&self, surname: Option<&str>) -> Result<HashMap<i64, i64>> {
        let sql = format!(
            "SELECT s.id, f.id, f.attributions
               FROM speakers s JOIN speakers f
                 ON f.surname = s.key AND f.words > 1 AND f.kind = 'person'
              WHERE s.words = 1 AND s.kind IN ('person', 'unknown') {}
              ORDER BY s.id",
            if surname.is_some() {
                "AND s.key = ?1"
            } else {
                ""
            }
        );
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .map_err(self.err("cannot prepare the surname folding"))?;
        let mut rows = match surname {
            Some(key) => stmt.query([key]),
            None => stmt.query([]),
        }
        .map_err(self.err("cannot fold surnames"))?;
        let mut candidates: BTreeMap<i64, Vec<(i64, u64)>> = BTreeMap::new();
        let read = self.err("cannot read the surname folding");
        while let Some(r) = rows.next().map_err(&read)? {
            let (s, f, n): (i64, i64, i64) = (
                r.get(0).map_err(&read)?,
                r.get(1).map_err(&read)?,
                r.get(2).map_err(&read)?,
            );
            candidates.entry(s).or_default().push((f, n.max(0) as u64));
        }
        Ok(candidates
            .into_iter()
            .filter_map(|(s, c)| fold_target(&c).map(|f| (s, f)))
            .collect())
    }

    pub(super) fn list_speakers(
        &self,
        name: Option<&str>,
        limit: usize,
    ) -> Result<Vec<SpeakerSummary>> {
        let limit = if limit == 0 { usize::MAX } else { limit };
        let folds = self.fold_map(None)?;
        // Each group: its representative (the person a surname folds into,
        // else the key itself) and its members.
        let ids = match name {
            Some(name) => self.speaker_ids(name)?,
            None => self.top_groups(&folds, limit)?,
        };
        let groups = fold_groups(ids, &folds);
        let mut summaries = groups
            .into_iter()
            .map(|(rep, members)| self.summary(rep, &members))
            .collect::<Result<Vec<_>>>()?;
        summaries.sort_by(|a, b| b.attributions.cmp(&a.attributions).then(a.id.cmp(&b.id)));
        summaries.truncate(limit);
        Ok(summaries)
    }

    /// The representatives of the `limit` groups with the most
    /// attributions (a person's own plus those of a surname folded into
    /// them), from the per-key counters alone: only those groups are then
    /// summarised.
    fn top_groups(&self, folds: &HashMap<i64, i64>, limit: usize) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, attributions FROM speakers")
            .map_err(self.err("cannot prepare the speaker listing"))?;
        let counts: HashMap<i64, i64> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect())
            .map_err(self.err("cannot list speakers"))?;
        let mut totals: HashMap<i64, i64> = HashMap::with_capacity(counts.len());
        for (id, n) in &counts {
            let rep = folds.get(id).copied().unwrap_or(*id);
            *totals.entry(rep).or_default() += n;
        }
        let mut ranked: Vec<(i64, i64)> = totals.into_iter().collect();
        ranked.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(limit);
        Ok(ranked.into_iter().map(|(id, _)| id).collect())
    }

    fn key_row(&self, id: i64) -> Result<Option<KeyRow>> {
        self.conn
            .prepare_cached("SELECT id, kind, attributions, documents FROM speakers WHERE id = ?1")
            .and_then(|mut s| {
                s.query_row([id], |r| {
                    Ok(KeyRow {
                        id: r.get(0)?,
                        kind: r.get(1)?,
                        attributions: r.get(2)?,
                        documents: r.get(3)?,
                    })
                })
                .optional()
            })
            .map_err(self.err("cannot read a speaker"))
    }

    /// The summary of a group of keys shown as `rep`.
    fn summary(&self, rep: i64, members: &[i64]) -> Result<SpeakerSummary> {
        let mut rows = Vec::with_capacity(members.len());
        for id in members {
            if let Some(row) = self.key_row(*id)? {
                rows.push(row);
            }
        }
        let kind = rows
            .iter()
            .find(|r| r.id == rep)
            .map_or_else(|| "unknown".to_string(), |r| r.kind.clone());
        let attributions: i64 = rows.iter().map(|r| r.attributions).sum();
        let mut documents: i64 = rows.iter().map(|r| r.documents).sum();
        if rows.len() > 1 {
            // An article quoting both keys counts once.
            let both: i64 = self
                .conn
                .prepare_cached(
                    "SELECT coalesce(sum(documents), 0) FROM speaker_pairs
                      WHERE surname_id IN (SELECT value FROM json_each(?1))
                        AND person_id IN (SELECT value FROM json_each(?1))",
                )
                .and_then(|mut s| s.query_row([json_ids(members)], |r| r.get(0)))
                .map_err(self.err("cannot count a speaker's documents"))?;
            documents -= both;
        }
        let stance_counts = self.aggregate(
            "SELECT stance, sum(n) FROM speaker_stances
              WHERE speaker_id IN (SELECT value FROM json_each(?1)) GROUP BY stance",
            members,
        )?;
        let stances = STANCES
            .iter()
            .filter_map(|s| {
                let n = stance_counts
                    .iter()
                    .find(|(name, _)| name == stance_name(*s))
                    .map_or(0, |(_, n)| *n);
                (n > 0).then_some((*s, n))
            })
            .collect();
        let names = self.names(members)?;
        Ok(SpeakerSummary {
            id: rep,
            name: names.first().map(|(n, _)| n.clone()).unwrap_or_default(),
            kind,
            attributions: attributions.max(0) as u64,
            documents: documents.max(0) as u64,
            stances,
        })
    }

    /// Names of a group, most frequent first (ties by name, for a stable
    /// answer).
    fn names(&self, members: &[i64]) -> Result<Vec<(String, u64)>> {
        let mut names = self.aggregate(
            "SELECT name, sum(n) FROM speaker_names
              WHERE speaker_id IN (SELECT value FROM json_each(?1)) GROUP BY name",
            members,
        )?;
        names.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(names)
    }

    /// `(label, count)` rows of an aggregate over a group of keys.
    fn aggregate(&self, sql: &str, members: &[i64]) -> Result<Vec<(String, u64)>> {
        self.conn
            .prepare_cached(sql)
            .and_then(|mut s| {
                s.query_map([json_ids(members)], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64))
                })?
                .collect()
            })
            .map_err(self.err("cannot read a speaker's aggregates"))
    }

    pub(super) fn profile(&self, id: i64) -> Result<Option<SpeakerProfile>> {
        let Some(key): Option<String> = self
            .conn
            .prepare_cached("SELECT key FROM speakers WHERE id = ?1")
            .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
            .map_err(self.err("cannot read a speaker"))?
        else {
            return Ok(None);
        };
        let surname = crate::identity::last_word(&key).to_string();
        let folds = self.fold_map(Some(&surname))?;
        // The group `id` belongs to: a folded surname shows as its person.
        let rep = folds.get(&id).copied().unwrap_or(id);
        let mut members = vec![rep];
        members.extend(folds.iter().filter(|(_, p)| **p == rep).map(|(s, _)| *s));
        let summary = self.summary(rep, &members)?;
        let names = self.names(&members)?;
        let mut per_month = self.aggregate(
            "SELECT month, sum(n) FROM speaker_months
              WHERE speaker_id IN (SELECT value FROM json_each(?1)) GROUP BY month",
            &members,
        )?;
        per_month.sort();
        Ok(Some(SpeakerProfile {
            summary,
            names,
            per_month,
        }))
    }
}

/// A user's `since`/`until`, validated, as a day number of the order key.
fn query_day(text: &str, flag: &str) -> Result<i64> {
    let text = text.trim();
    match day_code(text) {
        Some(code) => Ok(code),
        None => Err(Error::InvalidQuery(format!(
            "--{flag} {text:?} is not a date as YYYY-MM-DD (between 1600 and 3034)"
        ))),
    }
}

/// At most this many words in a full-text search: more is not a question
/// an analyst asks, and each word is one more index walk.
const MAX_ABOUT_WORDS: usize = 32;

/// The user's words as an FTS5 query that cannot be FTS5 syntax: each
/// whitespace-separated word a quoted phrase (quotes doubled), all required.
/// Words without a letter or digit are dropped, as the tokenizer would drop
/// them; an error when nothing is left or there are too many.
pub(crate) fn fts_query(about: &str) -> Result<String> {
    let phrases: Vec<String> = about
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    if phrases.is_empty() {
        return Err(Error::InvalidQuery(format!(
            "--about {about:?} has no words to search for"
        )));
    }
    if phrases.len() > MAX_ABOUT_WORDS {
        return Err(Error::InvalidQuery(format!(
            "--about has {} words; at most {MAX_ABOUT_WORDS} are searched for",
            phrases.len()
        )));
    }
    Ok(phrases.join(" AND "))
}

fn json_ids(ids: &[i64]) -> String {
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("[{}]", list.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use whosaid::record::Stance;

    /// The plans the speed targets rest on (1 million attributions, a page
    /// of 50 in well under 50 ms): no query sorts or counts its whole
    /// result before the page.
    #[test]
    fn query_plans_read_only_the_page() {
        let store = SqliteStore::open(":memory:").unwrap();
        store
            .conn
            .execute_batch(
                "INSERT INTO speakers (id, key, surname, words, kind) VALUES
                   (1, 'ada quill', 'quill', 2, 'person'), (2, 'quill', 'quill', 1, 'person'),
                   (3, 'ben quill', 'quill', 2, 'person');",
            )
            .unwrap();
        let plan = |q: AttributionQuery| -> String {
            let (sql, values) = store.query_sql(&q).unwrap().unwrap();
            let mut stmt = store
                .conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap();
            let rows: Vec<String> = stmt
                .query_map(params_from_iter(values), |r| r.get::<_, String>(3))
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            // Only the inner page matters; the outer sort is over the page.
            let inner: Vec<&String> = rows
                .iter()
                .take_while(|line| !line.starts_with("SCAN page"))
                .collect();
            format!("{inner:?}")
        };
        let query = |f: &dyn Fn(&mut AttributionQuery)| {
            let mut q = AttributionQuery {
                limit: 50,
                ..Default::default()
            };
            f(&mut q);
            q
        };
        let cases: &[(&str, AttributionQuery, &[&str], &[&str])] = &[
            (
                "date range",
                query(&|q| {
                    q.since = Some("2020-01-01".into());
                    q.until = Some("2020-01-31".into());
                }),
                &["USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"],
                &["TEMP B-TREE", "SCAN a"],
            ),
            (
                "one speaker key",
                query(&|q| q.speaker = Some("Ben Quill".into())),
                &["COVERING INDEX attributions_speaker (speaker_id=? AND ord>? AND ord<?)"],
                &["TEMP B-TREE", "SCAN a"],
            ),
            (
                "a surname: several keys, sorted from the index alone",
                query(&|q| q.speaker = Some("Quill".into())),
                &["COVERING INDEX attributions_speaker"],
                &["SCAN a"],
            ),
            (
                "full text",
                query(&|q| q.about = Some("harbour plans".into())),
                &[
                    "SCAN f VIRTUAL TABLE INDEX",
                    "SEARCH a USING INTEGER PRIMARY KEY",
                ],
                &["TEMP B-TREE"],
            ),
            (
                "full text in a date range",
                query(&|q| {
                    q.about = Some("harbour".into());
                    q.since = Some("2020-01-01".into());
                }),
                &["SCAN f VIRTUAL TABLE INDEX"],
                &["TEMP B-TREE"],
            ),
            (
                "stance",
                query(&|q| q.stance = Some(Stance::Denies)),
                &["COVERING INDEX attributions_stance"],
                &["TEMP B-TREE"],
            ),
        ];
        for (name, q, wanted, unwanted) in cases {
            let plan = plan(q.clone());
            for w in *wanted {
                assert!(plan.contains(w), "{name}: {w:?} not in {plan}");
            }
            for u in *unwanted {
                assert!(!plan.contains(u), "{name}: {u:?} in {plan}");
            }
        }
    }

    #[test]
    fn fts_queries_quote_every_word() {
        let cases: &[(&str, Option<&str>)] = &[
            ("tax cuts", Some("\"tax\" AND \"cuts\"")),
            ("\"", None),
            ("* NEAR( OR", Some("\"NEAR(\" AND \"OR\"")),
            ("say \"hi\"", Some("\"say\" AND \"\"\"hi\"\"\"")),
            ("   ", None),
            ("O'Brien", Some("\"O'Brien\"")),
        ];
        for (input, want) in cases {
            assert_eq!(fts_query(input).ok().as_deref(), *want, "{input:?}");
        }
        assert!(fts_query(&"word ".repeat(MAX_ABOUT_WORDS)).is_ok());
        assert!(fts_query(&"word ".repeat(MAX_ABOUT_WORDS + 1)).is_err());
    }
}
