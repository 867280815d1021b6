//! The SQLite schema, as migrations applied in order.
//!
//! `PRAGMA user_version` holds the number of migrations applied; a database
//! with more than [`MIGRATIONS`] knows was written by a newer whosaid and is
//! refused rather than misread. A migration is never edited once released:
//! a change of schema is a new entry at the end.

/// Every migration, the first being the initial schema.
pub(super) const MIGRATIONS: &[&str] = &[INITIAL];

/// The schema version this build writes.
pub(super) const VERSION: i64 = MIGRATIONS.len() as i64;

/// Migration 1.
///
/// `attributions.ord` is the query order itself (see the `sqlite` module
/// documentation): the rowid, so a date range is a rowid range, a page is a
/// rowid scan that stops after `limit` rows, and the full-text index, whose
/// rowids are the same numbers, returns its matches already in order.
/// `speakers` hold per-key counters and `speaker_*` tables per-key
/// aggregates, kept up to date in the ingest transaction, so listings never
/// count over every attribution.
const INITIAL: &str = r#"
CREATE TABLE meta (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (name, value) VALUES ('next_seq', 0), ('documents', 0), ('attributions', 0);

CREATE TABLE documents (
    id                INTEGER PRIMARY KEY,
    sha256            TEXT NOT NULL UNIQUE,
    path              TEXT,
    record_id         TEXT,
    warc_offset       INTEGER,
    url               TEXT,
    host              TEXT,
    site              TEXT,
    site_folded       TEXT,
    title             TEXT,
    published         TEXT,
    published_day     TEXT,
    language          TEXT,
    authors_json      TEXT NOT NULL,
    record_json       BLOB NOT NULL,
    ingested_at       TEXT NOT NULL,
    first_ord         INTEGER,
    attribution_count INTEGER NOT NULL
);
CREATE INDEX documents_site ON documents (site_folded);
CREATE INDEX documents_host ON documents (host);
CREATE INDEX documents_day ON documents (published_day, id);

CREATE TABLE speakers (
    id           INTEGER PRIMARY KEY,
    key          TEXT NOT NULL UNIQUE,
    surname      TEXT NOT NULL,
    words        INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    attributions INTEGER NOT NULL DEFAULT 0,
    documents    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX speakers_surname ON speakers (surname, words);
CREATE INDEX speakers_attributions ON speakers (attributions DESC, id);

CREATE TABLE speaker_names (
    speaker_id INTEGER NOT NULL REFERENCES speakers (id),
    name       TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (speaker_id, name)
) WITHOUT ROWID;

CREATE TABLE speaker_stances (
    speaker_id INTEGER NOT NULL REFERENCES speakers (id),
    stance     TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (speaker_id, stance)
) WITHOUT ROWID;

CREATE TABLE speaker_months (
    speaker_id INTEGER NOT NULL REFERENCES speakers (id),
    month      TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (speaker_id, month)
) WITHOUT ROWID;

-- Documents that quote both a one-word key and a longer key ending in it,
-- so that a folded group counts such a document once.
CREATE TABLE speaker_pairs (
    surname_id INTEGER NOT NULL REFERENCES speakers (id),
    person_id  INTEGER NOT NULL REFERENCES speakers (id),
    documents  INTEGER NOT NULL,
    PRIMARY KEY (surname_id, person_id)
) WITHOUT ROWID;

CREATE TABLE attributions (
    ord          INTEGER PRIMARY KEY,
    document_id  INTEGER NOT NULL REFERENCES documents (id),
    idx          INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    stance       TEXT NOT NULL,
    speaker_id   INTEGER REFERENCES speakers (id),
    speaker_name TEXT,
    speaker_text TEXT,
    cue          TEXT,
    cue_lemma    TEXT,
    content      TEXT NOT NULL,
    parent_idx   INTEGER
);
CREATE INDEX attributions_speaker ON attributions (speaker_id, ord)
    WHERE speaker_id IS NOT NULL;
CREATE INDEX attributions_stance ON attributions (stance, ord);
CREATE INDEX attributions_kind ON attributions (kind, ord);

CREATE VIRTUAL TABLE attribution_text USING fts5 (
    said,
    content = '',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
"#;
