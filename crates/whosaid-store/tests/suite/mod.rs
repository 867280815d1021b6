//! The behaviour every [`Store`] backend must show, run against each of
//! them: `store_suite!(open)` in a backend's test file expands to one
//! `#[test]` per behaviour, and [`run_all`] runs them in one go.
//!
//! `open` gives a fresh, empty store on every call. Records are built with
//! [`DocBuilder`] from sentences written for these tests (fictional people,
//! real-looking names where the identity rule needs them), plus one record
//! made by the real pipeline.

#![allow(dead_code)]

use whosaid::record::{
    Actor, ActorKind, ActorSpan, Article, Attribution, AttributionKind, Block, BlockKind,
    ContentSpan, CueSpan, Range, Source, Stance,
};
use whosaid::Record;
use whosaid_store::{
    AttributionQuery, AttributionRow, Error, NewDocument, PutOutcome, SpeakerProfile,
    SpeakerSummary, Stats, Store, StoredDocument,
};

pub type Open<'a> = &'a dyn Fn() -> Box<dyn Store>;

/// A store together with what must outlive it (a temporary directory, a
/// test database dropped afterwards). Fields drop in order: the store
/// first, closing its files and connections, then the guard.
pub struct Guarded<S, G> {
    pub store: S,
    pub guard: G,
}

impl<S: Store, G: Send> Store for Guarded<S, G> {
    fn backend(&self) -> &'static str {
        self.store.backend()
    }
    fn put_batch(&mut self, documents: &[NewDocument]) -> whosaid_store::Result<Vec<PutOutcome>> {
        self.store.put_batch(documents)
    }
    fn known(&self, sha256: &[&str]) -> whosaid_store::Result<Vec<bool>> {
        self.store.known(sha256)
    }
    fn document(&self, key: &str) -> whosaid_store::Result<Option<StoredDocument>> {
        self.store.document(key)
    }
    fn query(&self, query: &AttributionQuery) -> whosaid_store::Result<Vec<AttributionRow>> {
        self.store.query(query)
    }
    fn speakers(
        &self,
        name: Option<&str>,
        limit: usize,
    ) -> whosaid_store::Result<Vec<SpeakerSummary>> {
        self.store.speakers(name, limit)
    }
    fn speaker_profile(&self, id: i64) -> whosaid_store::Result<Option<SpeakerProfile>> {
        self.store.speaker_profile(id)
    }
    fn stats(&self) -> whosaid_store::Result<Stats> {
        self.store.stats()
    }
    fn optimize(&mut self) -> whosaid_store::Result<()> {
        self.store.optimize()
    }
    fn for_each_document(
        &self,
        visit: &mut dyn FnMut(StoredDocument) -> whosaid_store::Result<()>,
    ) -> whosaid_store::Result<()> {
        self.store.for_each_document(visit)
    }
}

/// One `#[test]` per behaviour of the suite, each on a fresh store from
/// `$open` (a `fn() -> Box<dyn Store>`). With `available = f`, each test
/// first asks `f()` and returns (having printed why) when it says false.
#[allow(unused_macros)]
macro_rules! store_suite {
    ($open:path) => {
        store_suite!($open, available = || true);
    };
    ($open:path, available = $available:expr) => {
        store_suite!(@tests $open, $available;
            put_then_document_returns_the_record,
            document_keys_are_ids_or_digests,
            duplicates_are_stored_once,
            known_reports_stored_digests,
            stats_count_what_is_stored,
            optimize_keeps_every_answer,
            empty_store_answers_empty,
            speaker_query_follows_the_identity_rule,
            surname_folds_only_into_a_dominant_full_name,
            surname_particles_belong_to_the_surname,
            speaker_without_a_key_is_an_invalid_query,
            about_searches_the_content,
            about_treats_hostile_input_as_words,
            stance_and_kind_filter,
            site_matches_name_or_host,
            date_range_filters_and_validates,
            rows_come_newest_first_in_text_order,
            cursor_pages_neither_repeat_nor_lose_rows,
            cursor_pages_with_filters,
            speakers_count_stances_per_folded_identity,
            speakers_by_name_group_by_identity,
            a_folded_group_counts_a_document_once,
            speaker_profile_names_and_months,
            for_each_document_streams_in_id_order,
            unicode_content_round_trips_and_is_searchable,
            unresolved_and_sourceless_speakers,
            pipeline_record_round_trips,
        );
    };
    (@tests $open:path, $available:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let available: &dyn Fn() -> bool = &$available;
                if !available() {
                    return;
                }
                suite::$name(&$open);
            }
        )*
    };
}
#[allow(unused_imports)]
pub(crate) use store_suite;

/// Every behaviour, in order, each on a fresh store.
pub fn run_all(open: Open<'_>) {
    put_then_document_returns_the_record(open);
    document_keys_are_ids_or_digests(open);
    duplicates_are_stored_once(open);
    known_reports_stored_digests(open);
    stats_count_what_is_stored(open);
    empty_store_answers_empty(open);
    speaker_query_follows_the_identity_rule(open);
    surname_folds_only_into_a_dominant_full_name(open);
    surname_particles_belong_to_the_surname(open);
    speaker_without_a_key_is_an_invalid_query(open);
    about_searches_the_content(open);
    about_treats_hostile_input_as_words(open);
    stance_and_kind_filter(open);
    site_matches_name_or_host(open);
    date_range_filters_and_validates(open);
    rows_come_newest_first_in_text_order(open);
    cursor_pages_neither_repeat_nor_lose_rows(open);
    cursor_pages_with_filters(open);
    speakers_count_stances_per_folded_identity(open);
    speakers_by_name_group_by_identity(open);
    a_folded_group_counts_a_document_once(open);
    speaker_profile_names_and_months(open);
    for_each_document_streams_in_id_order(open);
    unicode_content_round_trips_and_is_searchable(open);
    unresolved_and_sourceless_speakers(open);
    pipeline_record_round_trips(open);
}

// ---------------------------------------------------------------------------
// Building records.

/// Who an attribution's speaker span is.
#[derive(Clone, Copy)]
pub enum Who<'a> {
    /// A resolved actor: its fullest name in the article, its kind, and the
    /// span as written ("Mr Trump" for the actor "Donald Trump").
    Actor(&'a str, ActorKind, &'a str),
    /// A speaker span that resolved to no actor.
    Unresolved(&'a str),
    /// No source in the text.
    Nobody,
}

pub fn person<'a>(name: &'a str) -> Who<'a> {
    Who::Actor(name, ActorKind::Person, name)
}

/// A person written as `text` in the sentence, resolved to `name`.
pub fn person_as<'a>(name: &'a str, text: &'a str) -> Who<'a> {
    Who::Actor(name, ActorKind::Person, text)
}

pub fn organization<'a>(name: &'a str) -> Who<'a> {
    Who::Actor(name, ActorKind::Organization, name)
}

/// A record under construction: one paragraph per attribution,
/// `"<content>," <speaker> <cue>.`, with every span computed.
pub struct DocBuilder {
    record: Record,
    offset: Option<u64>,
}

/// A document whose sha256 is derived from `n` (distinct `n`, distinct
/// digests).
pub fn doc(n: u64) -> DocBuilder {
    DocBuilder {
        record: Record {
            schema: whosaid::record::SCHEMA.to_string(),
            source: Source {
                path: Some(format!("articles/{n}.html")),
                record: None,
                url: None,
                sha256: sha(n),
            },
            article: Article::default(),
            actors: Vec::new(),
            attributions: Vec::new(),
            authorial: Vec::new(),
            warnings: Vec::new(),
        },
        offset: None,
    }
}

/// A 64-digit lower-case hex digest made from `n`.
pub fn sha(n: u64) -> String {
    format!(
        "{:016x}{:016x}{:016x}{:016x}",
        n.wrapping_mul(0x9e37_79b9_7f4a_7c15),
        n,
        !n,
        n ^ 0x5a5a
    )
}

impl DocBuilder {
    pub fn published(mut self, date: &str) -> Self {
        self.record.article.published = Some(date.to_string());
        self
    }
    pub fn site(mut self, site: &str) -> Self {
        self.record.article.site = Some(site.to_string());
        self
    }
    pub fn url(mut self, url: &str) -> Self {
        self.record.source.url = Some(url.to_string());
        self
    }
    pub fn title(mut self, title: &str) -> Self {
        self.record.article.title = Some(title.to_string());
        self
    }
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// `who` said `content` (direct quote, "said", asserts).
    pub fn said(self, who: Who<'_>, content: &str) -> Self {
        self.quote(
            who,
            content,
            ("said", "say"),
            Stance::Asserts,
            AttributionKind::Direct,
        )
    }

    pub fn quote(
        mut self,
        who: Who<'_>,
        content: &str,
        (cue, lemma): (&str, &str),
        stance: Stance,
        kind: AttributionKind,
    ) -> Self {
        let text = &mut self.record.article.text;
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        let paragraph_start = text.len();
        text.push('"');
        let content_start = text.len();
        text.push_str(content);
        let content_end = text.len();
        text.push_str(",\" ");
        let speaker_text = match who {
            Who::Actor(_, _, written) => written,
            Who::Unresolved(written) => written,
            Who::Nobody => "it was",
        };
        let speaker_start = text.len();
        text.push_str(speaker_text);
        let speaker_end = text.len();
        text.push(' ');
        let cue_start = text.len();
        text.push_str(cue);
        let cue_end = text.len();
        text.push('.');
        self.record.article.blocks.push(Block {
            kind: BlockKind::Paragraph,
            start: paragraph_start,
            end: text.len(),
        });
        let mention = Range {
            start: speaker_start,
            end: speaker_end,
        };
        let actor = match who {
            Who::Actor(name, kind, _) => {
                let id = match self.record.actors.iter().position(|a| a.name == name) {
                    Some(id) => id,
                    None => {
                        self.record.actors.push(Actor {
                            id: self.record.actors.len(),
                            name: name.to_string(),
                            kind,
                            mentions: Vec::new(),
                        });
                        self.record.actors.len() - 1
                    }
                };
                self.record.actors[id].mentions.push(mention);
                Some(id)
            }
            _ => None,
        };
        let speaker = match who {
            Who::Nobody => None,
            _ => Some(ActorSpan {
                start: speaker_start,
                end: speaker_end,
                text: speaker_text.to_string(),
                actor,
            }),
        };
        let id = self.record.attributions.len();
        self.record.attributions.push(Attribution {
            id,
            kind,
            speaker,
            cue: Some(CueSpan {
                start: cue_start,
                end: cue_end,
                text: cue.to_string(),
                lemma: lemma.to_string(),
            }),
            addressee: None,
            content: ContentSpan {
                start: content_start,
                end: content_end,
                text: content.to_string(),
                spans: None,
            },
            stance,
            parent: None,
        });
        self
    }

    pub fn record(self) -> Record {
        self.record
            .check_spans()
            .expect("the builder makes valid spans");
        self.record
    }

    pub fn build(self) -> NewDocument {
        let offset = self.offset;
        NewDocument {
            record: self.record(),
            offset,
        }
    }
}

fn put(store: &mut dyn Store, docs: Vec<NewDocument>) -> Vec<PutOutcome> {
    store.put_batch(&docs).expect("put_batch")
}

fn stored_ids(outcomes: &[PutOutcome]) -> Vec<i64> {
    outcomes
        .iter()
        .map(|o| match o {
            PutOutcome::Stored(id) => *id,
            PutOutcome::Duplicate(id) => panic!("unexpected duplicate {id}"),
        })
        .collect()
}

fn query(store: &dyn Store, q: AttributionQuery) -> Vec<AttributionRow> {
    store
        .query(&q)
        .unwrap_or_else(|e| panic!("query {q:?}: {e}"))
}

fn by_speaker(store: &dyn Store, name: &str) -> Vec<AttributionRow> {
    query(
        store,
        AttributionQuery {
            speaker: Some(name.into()),
            limit: 1000,
            ..Default::default()
        },
    )
}

fn contents(rows: &[AttributionRow]) -> Vec<&str> {
    let mut c: Vec<&str> = rows.iter().map(|r| r.content.as_str()).collect();
    c.sort();
    c
}

fn in_order(rows: &[AttributionRow]) -> Vec<&str> {
    rows.iter().map(|r| r.content.as_str()).collect()
}

fn all(limit: usize) -> AttributionQuery {
    AttributionQuery {
        limit,
        ..Default::default()
    }
}

/// A small ledger most query tests share: Trump under three names, Ivanka
/// Trump, Putin by surname and full name, an organisation, dates, sites.
fn ledger(store: &mut dyn Store) -> Vec<i64> {
    let docs = vec![
        doc(1)
            .published("2017-11-12")
            .site("Liberty Gazette")
            .url("https://www.liberty-gazette.example/2017/trade")
            .title("Trade talks resume")
            .said(person("Donald Trump"), "We will renegotiate the trade deal")
            .quote(
                person_as("Donald Trump", "Mr Trump"),
                "The tariffs were never the problem",
                ("denied", "deny"),
                Stance::Denies,
                AttributionKind::Indirect,
            )
            .said(person("Vladimir Putin"), "Sanctions hurt everyone")
            .build(),
        doc(2)
            .published("2017-11-14T09:30:00-05:00")
            .site("The Harbour Post")
            .url("http://news.harbour-post.example/a/2")
            .title("A visit to the shipyard")
            .said(
                person("President Trump"),
                "The shipyard will reopen next spring",
            )
            .said(
                person("Ivanka Trump"),
                "Training programs matter for workers",
            )
            .quote(
                organization("The Kremlin"),
                "No meeting was planned",
                ("denied", "deny"),
                Stance::Denies,
                AttributionKind::Direct,
            )
            .build(),
        doc(3)
            .published("2017-10-02")
            .site("Liberty Gazette")
            .url("https://liberty-gazette.example/2017/energy")
            .said(person("Putin"), "Gas prices will stay stable this winter")
            .quote(
                person("Donald J. Trump"),
                "Energy independence is within reach",
                ("believes", "believe"),
                Stance::Believes,
                AttributionKind::Indirect,
            )
            .said(person("Donald Trump"), "Pipelines will be built soon")
            .build(),
        doc(4)
            .title("An undated note")
            .said(person("Trump"), "Nobody has seen the report")
            .build(),
    ];
    stored_ids(&put(store, docs))
}

// ---------------------------------------------------------------------------
// Behaviours.

pub fn put_then_document_returns_the_record(open: Open<'_>) {
    let mut store = open();
    let new = doc(10)
        .published("2020-02-29")
        .site("Example Daily")
        .url("https://example.org/x")
        .title("Leap day")
        .offset(4096)
        .said(person("Ada Quill"), "Leap years keep the calendar honest")
        .build();
    let expected = new.record.clone();
    let ids = stored_ids(&put(store.as_mut(), vec![new]));
    let stored: StoredDocument = store.document(&ids[0].to_string()).unwrap().unwrap();
    assert_eq!(stored.id, ids[0]);
    assert_eq!(stored.offset, Some(4096));
    assert_eq!(stored.record, expected);
    assert!(!stored.ingested_at.is_empty());
}

pub fn document_keys_are_ids_or_digests(open: Open<'_>) {
    let mut store = open();
    let ids = stored_ids(&put(
        store.as_mut(),
        vec![
            doc(11).said(person("Ada Quill"), "One").build(),
            doc(12).build(),
        ],
    ));
    let digest = sha(12);
    for key in [
        ids[1].to_string(),
        digest.clone(),
        digest.to_uppercase(),
        digest[..8].to_string(),
        digest[..20].to_string(),
    ] {
        let found = store.document(&key).unwrap();
        assert_eq!(found.map(|d| d.id), Some(ids[1]), "key {key}");
    }
    assert!(store.document("999999").unwrap().is_none());
    assert!(store.document(&sha(13)).unwrap().is_none());
    for bad in ["", "abc", "not-a-key", "12345678zz", &"f".repeat(65)] {
        assert!(
            matches!(store.document(bad), Err(Error::InvalidQuery(_))),
            "key {bad:?} must be refused"
        );
    }
}

pub fn duplicates_are_stored_once(open: Open<'_>) {
    let mut store = open();
    let first = doc(20).said(person("Ada Quill"), "First words").build();
    let again = doc(20).said(person("Ada Quill"), "First words").build();
    let outcomes = put(store.as_mut(), vec![first.clone(), again, doc(21).build()]);
    let PutOutcome::Stored(id) = outcomes[0] else {
        panic!("first copy must be stored: {outcomes:?}")
    };
    assert_eq!(outcomes[1], PutOutcome::Duplicate(id));
    assert!(matches!(outcomes[2], PutOutcome::Stored(_)));
    let outcomes = put(store.as_mut(), vec![first]);
    assert_eq!(outcomes, vec![PutOutcome::Duplicate(id)]);
    let stats = store.stats().unwrap();
    assert_eq!((stats.documents, stats.attributions), (2, 1));
    assert_eq!(by_speaker(store.as_ref(), "Ada Quill").len(), 1);
    assert_eq!(store.put_batch(&[]).unwrap(), vec![]);
}

pub fn known_reports_stored_digests(open: Open<'_>) {
    let mut store = open();
    put(store.as_mut(), vec![doc(30).build()]);
    let (a, b) = (sha(30), sha(31));
    assert_eq!(
        store.known(&[a.as_str(), b.as_str()]).unwrap(),
        vec![true, false]
    );
    assert_eq!(store.known(&[]).unwrap(), Vec::<bool>::new());
}

pub fn stats_count_what_is_stored(open: Open<'_>) {
    let mut store = open();
    ledger(store.as_mut());
    // Speakers: Donald Trump (with "trump", which folds into him: he holds
    // 4 of the 5 attributions of Trumps with first names), Ivanka Trump,
    // Vladimir Putin (with "putin"), the Kremlin.
    assert_eq!(
        store.stats().unwrap(),
        Stats {
            documents: 4,
            attributions: 10,
            speakers: 4,
        }
    );
}

pub fn optimize_keeps_every_answer(open: Open<'_>) {
    let mut store = open();
    store.optimize().unwrap();
    ledger(store.as_mut());
    let before = (
        query(store.as_ref(), all(100)),
        by_speaker(store.as_ref(), "Trump"),
        store.stats().unwrap(),
    );
    store.optimize().unwrap();
    let after = (
        query(store.as_ref(), all(100)),
        by_speaker(store.as_ref(), "Trump"),
        store.stats().unwrap(),
    );
    assert!(!before.0.is_empty());
    assert_eq!(before, after);
}

pub fn empty_store_answers_empty(open: Open<'_>) {
    let store = open();
    assert_eq!(store.stats().unwrap(), Stats::default());
    assert!(query(store.as_ref(), all(10)).is_empty());
    assert!(by_speaker(store.as_ref(), "Trump").is_empty());
    assert!(store.speakers(None, 10).unwrap().is_empty());
    assert!(store.speaker_profile(1).unwrap().is_none());
    assert!(store.document("1").unwrap().is_none());
    let mut seen = 0;
    store
        .for_each_document(&mut |_| {
            seen += 1;
            Ok(())
        })
        .unwrap();
    assert_eq!(seen, 0);
}

pub fn speaker_query_follows_the_identity_rule(open: Open<'_>) {
    let mut store = open();
    ledger(store.as_mut());
    let s = store.as_ref();
    let donald = [
        "Energy independence is within reach",
        "Nobody has seen the report",
        "Pipelines will be built soon",
        "The shipyard will reopen next spring",
        "The tariffs were never the problem",
        "We will renegotiate the trade deal",
    ];
    // Trump, Donald Trump, President Trump: one speaker (the surname folds
    // into Donald Trump, who holds 4 of the 5 full-name Trump quotes: 80%).
    assert_eq!(contents(&by_speaker(s, "Donald Trump")), donald);
    assert_eq!(
        contents(&by_speaker(s, "President Donald J. Trump")),
        donald
    );
    // A bare surname asks for every Trump: Ivanka too.
    let mut every_trump = donald.to_vec();
    every_trump.push("Training programs matter for workers");
    every_trump.sort();
    assert_eq!(contents(&by_speaker(s, "Trump")), every_trump);
    assert_eq!(contents(&by_speaker(s, "President Trump")), every_trump);
    assert_eq!(contents(&by_speaker(s, "Mr. Trump")), every_trump);
    // Ivanka Trump is not Donald Trump.
    assert_eq!(
        contents(&by_speaker(s, "Ivanka Trump")),
        ["Training programs matter for workers"]
    );
    // "Putin" folds into Vladimir Putin, the only Putin with a first name.
    let putin = [
        "Gas prices will stay stable this winter",
        "Sanctions hurt everyone",
    ];
    assert_eq!(contents(&by_speaker(s, "Vladimir Putin")), putin);
    assert_eq!(
        contents(&by_speaker(s, "Russian President Vladimir Putin")),
        putin
    );
    assert_eq!(contents(&by_speaker(s, "Putin")), putin);
    // Organisations by their name, without the article.
    assert_eq!(
        contents(&by_speaker(s, "the Kremlin")),
        ["No meeting was planned"]
    );
    assert!(by_speaker(s, "Nobody Known").is_empty());
    // Every row names its speaker id; the folded surname's rows keep their
    // own key's id but the name as the article gave it.
    let rows = by_speaker(s, "Vladimir Putin");
    assert!(rows.iter().all(|r| r.speaker_id.is_some()));
    let names: Vec<_> = rows.iter().map(|r| r.speaker.as_deref()).collect();
    assert!(names.contains(&Some("Putin")) && names.contains(&Some("Vladimir Putin")));
}

pub fn surname_folds_only_into_a_dominant_full_name(open: Open<'_>) {
    let mut store = open();
    // Two Hales quoted comparably often: "Hale" alone stays ambiguous.
    let mut docs = Vec::new();
    for i in 0..3 {
        docs.push(
            doc(100 + i)
                .said(person("Mark Hale"), &format!("Mark speaks {i}"))
                .build(),
        );
        docs.push(
            doc(200 + i)
                .said(person("Nora Hale"), &format!("Nora speaks {i}"))
                .build(),
        );
    }
    docs.push(
        doc(300)
            .said(person("Hale"), "Someone named Hale spoke")
            .build(),
    );
    put(store.as_mut(), docs);
    let s = store.as_ref();
    assert_eq!(
        by_speaker(s, "Mark Hale").len(),
        3,
        "Hale must not fold into Mark"
    );
    assert_eq!(
        by_speaker(s, "Nora Hale").len(),
        3,
        "Hale must not fold into Nora"
    );
    assert_eq!(by_speaker(s, "Hale").len(), 7);

    // Once Mark Hale holds 80% of the Hale quotes, the surname is his: the
    // decision follows the stored counts, whatever the ingest order.
    let more: Vec<_> = (0..9)
        .map(|i| {
            doc(400 + i)
                .said(person("Mark Hale"), &format!("Mark again {i}"))
                .build()
        })
        .collect();
    put(store.as_mut(), more);
    let s = store.as_ref();
    assert_eq!(by_speaker(s, "Mark Hale").len(), 13);
    assert_eq!(by_speaker(s, "Nora Hale").len(), 3);
}

pub fn surname_particles_belong_to_the_surname(open: Open<'_>) {
    let mut store = open();
    put(
        store.as_mut(),
        vec![
            doc(90)
                .said(person("Ursula von der Leyen"), "The budget is agreed")
                .build(),
            doc(91)
                .said(person("von der Leyen"), "Talks continue tomorrow")
                .build(),
            doc(92)
                .said(person("Marine Le Pen"), "We will vote against it")
                .build(),
        ],
    );
    let s = store.as_ref();
    let both = ["Talks continue tomorrow", "The budget is agreed"];
    assert_eq!(contents(&by_speaker(s, "von der Leyen")), both);
    assert_eq!(contents(&by_speaker(s, "Ursula von der Leyen")), both);
    assert!(by_speaker(s, "Leyen").is_empty());
    assert_eq!(
        contents(&by_speaker(s, "Le Pen")),
        ["We will vote against it"]
    );
    assert!(by_speaker(s, "Pen").is_empty());
}

pub fn speaker_without_a_key_is_an_invalid_query(open: Open<'_>) {
    let mut store = open();
    ledger(store.as_mut());
    for name in ["he", "officials", "a spokesperson", "", "   "] {
        let q = AttributionQuery {
            speaker: Some(name.into()),
            limit: 10,
            ..Default::default()
        };
        assert!(
            matches!(store.query(&q), Err(Error::InvalidQuery(_))),
            "speaker {name:?}"
        );
    }
}

fn about(store: &dyn Store, words: &str) -> Vec<AttributionRow> {
    query(
        store,
        AttributionQuery {
            about: Some(words.into()),
            limit: 100,
            ..Default::default()
        },
    )
}

pub fn about_searches_the_content(open: Open<'_>) {
    let mut store = open();
    ledger(store.as_mut());
    let s = store.as_ref();
    assert_eq!(
        contents(&about(s, "trade deal")),
        ["We will renegotiate the trade deal"]
    );
    // Every word must occur, in any order.
    assert_eq!(
        contents(&about(s, "deal trade")),
        ["We will renegotiate the trade deal"]
    );
    assert!(about(s, "trade shipyard").is_empty());
    // Case and inflection do not matter.
    assert_eq!(contents(&about(s, "SANCTION")), ["Sanctions hurt everyone"]);
    assert_eq!(
        contents(&about(s, "tariff")),
        ["The tariffs were never the problem"]
    );
    // Only the content is searched, not the speaker's name.
    assert!(about(s, "Ivanka").is_empty());
}

pub fn about_treats_hostile_input_as_words(open: Open<'_>) {
    let mut store = open();
    let docs = vec![doc(40)
        .said(person("Ada Quill"), "Say \"NEAR\" OR nothing at all")
        .said(person("Ada Quill"), "Stars * and quotes are plain text")
        .build()];
    put(store.as_mut(), docs);
    let s = store.as_ref();
    for input in [
        "NEAR(",
        "OR",
        "\"NEAR\"",
        "nothing OR",
        "said: nothing",
        "- nothing",
        "^nothing",
        "nothing*",
        "(nothing",
        "{said}: nothing",
    ] {
        let rows = store
            .query(&AttributionQuery {
                about: Some(input.into()),
                limit: 10,
                ..Default::default()
            })
            .unwrap_or_else(|e| panic!("about {input:?}: {e}"));
        // Every input above is words found in the first quote (the syntax
        // characters are dropped by the tokenizer) or nothing at all.
        assert!(
            rows.iter().all(|r| r.content.starts_with("Say")),
            "about {input:?}: {rows:?}"
        );
    }
    assert_eq!(about(s, "NEAR(").len(), 1);
    assert_eq!(about(s, "OR").len(), 1);
    // Words that are only syntax leave nothing to search for.
    for input in ["\"", "*", "( )", "", "  "] {
        let result = store.query(&AttributionQuery {
            about: Some(input.into()),
            limit: 10,
            ..Default::default()
        });
        assert!(
            matches!(result, Err(Error::InvalidQuery(_))),
            "about {input:?}: {result:?}"
        );
    }
}

pub fn stance_and_kind_filter(open: Open<'_>) {
    let mut store = open();
    ledger(store.as_mut());
    let s = store.as_ref();
    let denies = query(
        s,
        AttributionQuery {
            stance: Some(Stance::Denies),
            limit: 100,
            ..Default::default()
        },
    );
    assert_eq!(
        contents(&denies),
        [
            "No meeting was planned",
            "The tariffs were never the problem"
        ]
    );
    let indirect = query(
        s,
        AttributionQuery {
            kind: Some(AttributionKind::Indirect),
            limit: 100,
            ..Default::default()
        },
    );
    assert_eq!(
        contents(&indirect),
        [
            "Energy independence is within reach",
            "The tariffs were never the problem"
        ]
    );
    let both = query(
        s,
        AttributionQuery {
            stance: Some(Stance::Denies),
            kind: Some(AttributionKind::Direct),
            speaker: Some("Kremlin".into()),
            limit: 100,
            ..Default::default()
        },
    );
    assert_eq!(contents(&both), ["No meeting was planned"]);
    assert!(query(
        s,
        AttributionQuery {
            stance: Some(Stance::Intends),
            limit: 100,
            ..Default::default()
        }
    )
    .is_empty());
}

pub fn site_matches_name_or_host(open: Open<'_>) {
    let mut store = open();
    ledger(store.as_mut());
    let s = store.as_ref();
    let site = |site: &str| {
        query(
            s,
            AttributionQuery {
                site: Some(site.into()),
                limit: 100,
                ..Default::default()
            },
        )
        .len()
    };
    assert_eq!(site("Liberty Gazette"), 6);
    assert_eq!(site("liberty gazette"), 6);
    assert_eq!(site("LIBERTY GAZETTE"), 6);
    assert_eq!(site("liberty-gazette.example"), 6);
    assert_eq!(site("www.liberty-gazette.example"), 6);
    assert_eq!(site("https://liberty-gazette.example/"), 6);
    assert_eq!(site("news.harbour-post.example"), 3);
    assert_eq!(site("the harbour post"), 3);
    assert_eq!(
        site("Harbour"),
        0,
        "a site is matched whole, not by substring"
    );
    assert_eq!(site("nowhere.example"), 0);
}

pub fn date_range_filters_and_validates(open: Open<'_>) {
    let mut store = open();
    ledger(store.as_mut());
    let s = store.as_ref();
    let range = |since: Option<&str>, until: Option<&str>| {
        query(
            s,
            AttributionQuery {
                since: since.map(String::from),
                until: until.map(String::from),
                limit: 100,
                ..Default::default()
            },
        )
        .len()
    };
    assert_eq!(range(None, None), 10);
    assert_eq!(range(Some("2017-11-01"), None), 6);
    assert_eq!(range(Some("2017-11-13"), None), 3);
    // Inclusive at both ends; the day of a date-time is its own day.
    assert_eq!(range(Some("2017-11-14"), Some("2017-11-14")), 3);
    assert_eq!(range(Some("2017-11-12"), Some("2017-11-12")), 3);
    // Undated documents have no date to compare: left out of any range.
    assert_eq!(range(None, Some("2017-11-30")), 9);
    assert_eq!(range(None, Some("2017-10-02")), 3);
    assert_eq!(range(Some("2017-11-15"), Some("2017-11-13")), 0);
    for bad in [
        "2017-13-01",
        "2017-02-30",
        "yesterday",
        "2017/11/12",
        "17-11-12",
        "",
    ] {
        for (since, until) in [(Some(bad), None), (None, Some(bad))] {
            let result = store.query(&AttributionQuery {
                since: since.map(String::from),
                until: until.map(String::from),
                limit: 10,
                ..Default::default()
            });
            assert!(
                matches!(result, Err(Error::InvalidQuery(_))),
                "since {since:?} until {until:?}: {result:?}"
            );
        }
    }
}

pub fn rows_come_newest_first_in_text_order(open: Open<'_>) {
    let mut store = open();
    let ids = ledger(store.as_mut());
    let rows = query(store.as_ref(), all(100));
    assert_eq!(
        in_order(&rows),
        [
            // 2017-11-14
            "The shipyard will reopen next spring",
            "Training programs matter for workers",
            "No meeting was planned",
            // 2017-11-12
            "We will renegotiate the trade deal",
            "The tariffs were never the problem",
            "Sanctions hurt everyone",
            // 2017-10-02
            "Gas prices will stay stable this winter",
            "Energy independence is within reach",
            "Pipelines will be built soon",
            // undated
            "Nobody has seen the report",
        ]
    );
    let first = &rows[0];
    assert_eq!(first.document, ids[1]);
    assert_eq!(first.index, 0);
    assert_eq!(first.title.as_deref(), Some("A visit to the shipyard"));
    assert_eq!(first.site.as_deref(), Some("The Harbour Post"));
    assert_eq!(
        first.published.as_deref(),
        Some("2017-11-14T09:30:00-05:00")
    );
    assert_eq!(
        first.url.as_deref(),
        Some("http://news.harbour-post.example/a/2")
    );
    assert_eq!(first.cue.as_deref(), Some("said"));
    assert_eq!(first.speaker.as_deref(), Some("President Trump"));
    assert_eq!(first.cursor.document, ids[1]);
    assert_eq!(first.cursor.index, 0);
    // Same day, newer document first.
    let mut store = open();
    let ids = stored_ids(&put(
        store.as_mut(),
        vec![
            doc(50)
                .published("2021-05-05")
                .said(person("Ada Quill"), "older")
                .build(),
            doc(51)
                .published("2021-05-05")
                .said(person("Ada Quill"), "newer")
                .build(),
        ],
    ));
    let rows = query(store.as_ref(), all(10));
    assert_eq!(in_order(&rows), ["newer", "older"]);
    assert_eq!(rows[0].document, ids[1]);
}

/// Pages through `base` `page` rows at a time, following cursors.
fn pages(store: &dyn Store, base: &AttributionQuery, page: usize) -> Vec<AttributionRow> {
    let mut out: Vec<AttributionRow> = Vec::new();
    let mut q = base.clone();
    q.limit = page;
    for _ in 0..10_000 {
        let rows = query(store, q.clone());
        assert!(rows.len() <= page);
        let Some(last) = rows.last() else { break };
        q.after = Some(last.cursor.clone());
        out.extend(rows);
    }
    out
}

fn key(r: &AttributionRow) -> (i64, i64) {
    (r.document, r.index)
}

pub fn cursor_pages_neither_repeat_nor_lose_rows(open: Open<'_>) {
    let mut store = open();
    let mut docs = Vec::new();
    let dates = ["2019-01-01", "2019-01-02", "2018-12-31"];
    for n in 0..40u64 {
        let mut b = doc(500 + n);
        if n % 7 != 0 {
            b = b.published(dates[n as usize % dates.len()]);
        }
        for i in 0..(n % 4) {
            b = b.said(person("Ada Quill"), &format!("quote {n}-{i}"));
        }
        docs.push(b.build());
    }
    // Two batches, so that ids and dates interleave.
    let rest = docs.split_off(25);
    put(store.as_mut(), docs);
    put(store.as_mut(), rest);
    let everything = query(store.as_ref(), all(0));
    assert_eq!(everything.len(), 60);
    for page in [1, 3, 7, 50, 100] {
        let paged = pages(store.as_ref(), &all(page), page);
        let a: Vec<_> = paged.iter().map(key).collect();
        let b: Vec<_> = everything.iter().map(key).collect();
        assert_eq!(a, b, "page size {page}");
    }
}

pub fn cursor_pages_with_filters(open: Open<'_>) {
    let mut store = open();
    let mut docs = Vec::new();
    for n in 0..30u64 {
        let b = doc(600 + n)
            .published(&format!("2022-03-{:02}", 1 + n % 28))
            .said(person("Ada Quill"), &format!("harbour plan {n}"))
            .said(person("Ben Quill"), &format!("harbour budget {n}"))
            .said(person("Ada Quill"), &format!("other matter {n}"));
        docs.push(b.build());
    }
    put(store.as_mut(), docs);
    let s = store.as_ref();
    let q = AttributionQuery {
        speaker: Some("Ada Quill".into()),
        about: Some("harbour".into()),
        since: Some("2022-03-05".into()),
        ..Default::default()
    };
    let whole = query(
        s,
        AttributionQuery {
            limit: 0,
            ..q.clone()
        },
    );
    assert_eq!(whole.len(), 24);
    assert!(whole.iter().all(|r| r.content.starts_with("harbour plan")));
    let paged = pages(s, &q, 4);
    assert_eq!(
        paged.iter().map(key).collect::<Vec<_>>(),
        whole.iter().map(key).collect::<Vec<_>>()
    );
    // A cursor naming no stored row is refused, not silently restarted.
    let mut bad = q.clone();
    bad.limit = 5;
    bad.after = Some(whosaid_store::Cursor {
        published: None,
        document: 987_654,
        index: 0,
    });
    assert!(matches!(s.query(&bad), Err(Error::InvalidQuery(_))));
}

pub fn speakers_count_stances_per_folded_identity(open: Open<'_>) {
    let mut store = open();
    ledger(store.as_mut());
    let list = store.speakers(None, 10).unwrap();
    // Most attributions first; equal counts by speaker id (first stored first).
    let counts: Vec<_> = list.iter().map(|s| s.attributions).collect();
    assert_eq!(counts, [6, 2, 1, 1]);
    let donald = &list[0];
    assert_eq!(donald.name, "Donald Trump");
    assert_eq!(donald.kind, "person");
    assert_eq!(donald.documents, 4);
    assert_eq!(
        donald.stances,
        vec![
            (Stance::Asserts, 4),
            (Stance::Denies, 1),
            (Stance::Believes, 1)
        ]
    );
    // Two Putin names, one quote each: the tie goes to the first name in
    // alphabetical order.
    assert_eq!(list[1].name, "Putin");
    assert_eq!(list[1].documents, 2);
    assert_eq!(list[2].name, "Ivanka Trump");
    assert_eq!(list[3].name, "The Kremlin");
    assert_eq!(list[3].kind, "organization");
    assert_eq!(list[3].stances, vec![(Stance::Denies, 1)]);
    // The limit applies to groups.
    assert_eq!(store.speakers(None, 2).unwrap(), list[..2].to_vec());
}

pub fn speakers_by_name_group_by_identity(open: Open<'_>) {
    let mut store = open();
    ledger(store.as_mut());
    let trumps = store.speakers(Some("Trump"), 10).unwrap();
    let names: Vec<_> = trumps
        .iter()
        .map(|s| (s.name.as_str(), s.attributions))
        .collect();
    assert_eq!(names, [("Donald Trump", 6), ("Ivanka Trump", 1)]);
    let donald = store.speakers(Some("President Donald Trump"), 10).unwrap();
    assert_eq!(donald, trumps[..1].to_vec());
    let ivanka = store.speakers(Some("Ivanka Trump"), 10).unwrap();
    assert_eq!(ivanka, trumps[1..].to_vec());
    assert!(store.speakers(Some("Nobody Known"), 10).unwrap().is_empty());
}

pub fn a_folded_group_counts_a_document_once(open: Open<'_>) {
    let mut store = open();
    // The pipeline left "Quill" and "Ada Quill" as two actors of one article.
    put(
        store.as_mut(),
        vec![
            doc(80)
                .said(person("Ada Quill"), "First")
                .said(person("Quill"), "Second")
                .build(),
            doc(81).said(person("Quill"), "Third").build(),
            doc(82).said(person("Ada Quill"), "Fourth").build(),
        ],
    );
    let list = store.speakers(None, 10).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].attributions, list[0].documents), (4, 3));
    assert_eq!(list[0].name, "Ada Quill");
    assert_eq!(store.stats().unwrap().speakers, 1);
}

pub fn speaker_profile_names_and_months(open: Open<'_>) {
    let mut store = open();
    ledger(store.as_mut());
    let donald = store.speakers(Some("Donald Trump"), 1).unwrap().remove(0);
    let profile = store.speaker_profile(donald.id).unwrap().unwrap();
    assert_eq!(profile.summary, donald);
    assert_eq!(
        profile.names,
        vec![
            ("Donald Trump".to_string(), 3),
            ("Donald J. Trump".to_string(), 1),
            ("President Trump".to_string(), 1),
            ("Trump".to_string(), 1),
        ]
    );
    assert_eq!(
        profile.per_month,
        vec![("2017-10".to_string(), 2), ("2017-11".to_string(), 3)]
    );
    // The folded surname's own id shows the same person.
    let trump_only = by_speaker(store.as_ref(), "Trump")
        .into_iter()
        .find(|r| r.speaker.as_deref() == Some("Trump"))
        .unwrap();
    let via_surname = store
        .speaker_profile(trump_only.speaker_id.unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(via_surname.summary.id, donald.id);
    assert!(store.speaker_profile(987_654).unwrap().is_none());
}

pub fn for_each_document_streams_in_id_order(open: Open<'_>) {
    let mut store = open();
    let ids = ledger(store.as_mut());
    let mut seen = Vec::new();
    store
        .for_each_document(&mut |d| {
            assert_eq!(d.record.source.sha256.len(), 64);
            seen.push(d.id);
            Ok(())
        })
        .unwrap();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
    // A visitor's error stops the walk and comes back.
    let mut visits = 0;
    let result = store.for_each_document(&mut |_| {
        visits += 1;
        Err(Error::InvalidQuery("stop here".into()))
    });
    assert!(matches!(result, Err(Error::InvalidQuery(m)) if m == "stop here"));
    assert_eq!(visits, 1);
}

pub fn unicode_content_round_trips_and_is_searchable(open: Open<'_>) {
    let mut store = open();
    let new = doc(60)
        .published("2023-07-14")
        .site("Le Quotidien Fictif")
        .title("Été à Montréal")
        .said(person("Zoë Brontë"), "Le café de la gare ferme à l'été")
        .said(person("Seán Ó Ceallaigh"), "Tá an fháilte ann — 欢迎 🎉")
        .build();
    let expected = new.record.clone();
    let ids = stored_ids(&put(store.as_mut(), vec![new]));
    let s = store.as_ref();
    assert_eq!(
        s.document(&ids[0].to_string()).unwrap().unwrap().record,
        expected
    );
    // Diacritics fold in full-text search.
    assert_eq!(about(s, "cafe").len(), 1);
    assert_eq!(about(s, "CAFÉ").len(), 1);
    assert_eq!(about(s, "fháilte").len(), 1);
    // Names keep their diacritics and match case-insensitively.
    assert_eq!(by_speaker(s, "ZOË BRONTË").len(), 1);
    assert_eq!(by_speaker(s, "Brontë").len(), 1);
    let rows = query(s, all(10));
    assert_eq!(rows[1].content, "Tá an fháilte ann — 欢迎 🎉");
    assert_eq!(rows[1].speaker.as_deref(), Some("Seán Ó Ceallaigh"));
}

pub fn unresolved_and_sourceless_speakers(open: Open<'_>) {
    let mut store = open();
    let new = doc(70)
        .published("2024-01-01")
        .said(Who::Unresolved("a witness"), "The lights went out at nine")
        .said(Who::Nobody, "The bridge is closed")
        .said(
            Who::Actor("officials", ActorKind::Group, "officials"),
            "Repairs take a week",
        )
        .build();
    put(store.as_mut(), vec![new]);
    let rows = query(store.as_ref(), all(10));
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].speaker.as_deref(), Some("a witness"));
    assert_eq!(rows[0].speaker_id, None);
    assert_eq!(rows[1].speaker, None);
    assert_eq!(rows[1].speaker_id, None);
    // An actor whose name has no key ("officials") is no speaker across
    // articles, but the row still says who.
    assert_eq!(rows[2].speaker.as_deref(), Some("officials"));
    assert_eq!(rows[2].speaker_id, None);
    let stats = store.stats().unwrap();
    assert_eq!((stats.attributions, stats.speakers), (3, 0));
    assert!(store.speakers(None, 10).unwrap().is_empty());
}

pub fn pipeline_record_round_trips(open: Open<'_>) {
    let mut store = open();
    let page = "Harbour vote delayed\n\n\
        \"We need another month to read the plans,\" said councillor Mira Osei on Tuesday.\n\n\
        The harbour authority denied that the plans had changed.\n";
    let record = whosaid::Pipeline::default()
        .process(&whosaid::Input {
            path: Some("harbour.txt"),
            ..whosaid::Input::new(page.as_bytes())
        })
        .unwrap();
    assert!(
        !record.attributions.is_empty(),
        "the pipeline found no attribution in the test text"
    );
    let expected = record.clone();
    let ids = stored_ids(&put(
        store.as_mut(),
        vec![NewDocument {
            record,
            offset: None,
        }],
    ));
    let stored = store.document(&expected.source.sha256).unwrap().unwrap();
    assert_eq!(stored.id, ids[0]);
    assert_eq!(stored.record, expected);
    let rows = query(store.as_ref(), all(100));
    assert_eq!(rows.len(), expected.attributions.len());
    for (row, a) in rows.iter().zip(&expected.attributions) {
        assert_eq!(row.index, a.id as i64);
        assert_eq!(row.content, a.content.text);
        assert_eq!(row.stance, a.stance);
    }
    assert!(!about(store.as_ref(), "plans").is_empty());
}
