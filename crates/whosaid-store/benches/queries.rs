//! Query benchmark: the ledger at a million attributions (issue 4: p95 under
//! 50 ms for speaker, full-text and date-range queries).
//!
//! ```text
//! cargo bench -p whosaid-store --bench queries -- [--db PATH|postgres://…] [--reuse]
//!     [--documents N] [--per-document N] [--queries N] [--seed N] [--batch N]
//! ```
//!
//! 1. **Load.** Generates `--documents` records (default 100,000) of about
//!    `--per-document` attributions each (default 10, so a million in all)
//!    and writes them through [`Store::put_batch`], `--batch` documents per
//!    call, reporting the load rate. The shape is meant to be a news
//!    archive's: speakers drawn Zipf-distributed from 20,000 actors (people,
//!    named with and without titles and by surname alone, organisations,
//!    outlets), quoted content of 10–40 words drawn Zipf-distributed from
//!    30,000 generated words, published dates over five years, 200 sites.
//!    Every record passes [`Record::check_spans`]. Everything follows from
//!    `--seed`: the same data on every run.
//! 2. **Query.** `--queries` queries of each type (default 200), parameters
//!    drawn from the generated data, each with limit 50: a speaker (frequent
//!    and rare, as a user types them: full name, surname, with a title),
//!    full-text (one and two words, common and rare), a date range (a week, a
//!    month, a year) and a speaker within a month or a year. Each query is
//!    timed around [`Store::query`], rows read included; the table gives
//!    p50/p95/p99/max per type and PASS or MISS against 50 ms at p95.
//!
//! The store is SQLite at `target/whosaid-bench/queries-…db` unless `--db`
//! or `WHOSAID_BENCH_POSTGRES` names another. A SQLite file is made afresh
//! on every run unless `--reuse` is given and it already holds the full
//! data; a PostgreSQL database must be empty, or hold the full data with
//! `--reuse`.

use std::collections::HashSet;
use std::process::ExitCode;
use std::time::Instant;

use whosaid::record::{
    Actor, ActorKind, ActorSpan, Article, Attribution, AttributionKind, Block, BlockKind,
    ContentSpan, CueSpan, Range, Record, Source, Stance, SCHEMA,
};
use whosaid_store::{AttributionQuery, NewDocument, Store};

/// Issue 4's bound on the 95th percentile of each query type.
const TARGET_MS: f64 = 50.0;
/// Rows per page, as the CLI asks by default.
const PAGE: usize = 50;
const ACTORS: usize = 20_000;
const WORDS: usize = 30_000;
const SITES: usize = 200;
/// 2021-01-01 to 2025-12-31.
const DAYS: u64 = 1826;
const FIRST_DAY: (i64, i64, i64) = (2021, 1, 1);

struct Config {
    db: String,
    reuse: bool,
    documents: usize,
    per_document: usize,
    queries: usize,
    seed: u64,
    batch: usize,
}

fn main() -> ExitCode {
    match parse_args().and_then(|config| run(&config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("queries: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args() -> Result<Config, String> {
    let mut db = std::env::var("WHOSAID_BENCH_POSTGRES")
        .ok()
        .filter(|s| !s.is_empty());
    let mut config = Config {
        db: String::new(),
        reuse: false,
        documents: 100_000,
        per_document: 10,
        queries: 200,
        seed: 4,
        batch: 1_000,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            let value = args.next().ok_or_else(|| format!("{name} needs a value"))?;
            value
                .parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{name} {value:?} is not a positive number"))
        };
        match arg.as_str() {
            // cargo bench passes --bench to every bench target.
            "--bench" => {}
            "--reuse" => config.reuse = true,
            "--db" => db = Some(args.next().ok_or("--db needs a value")?),
            "--documents" => config.documents = number("--documents")?,
            "--per-document" => config.per_document = number("--per-document")?,
            "--queries" => config.queries = number("--queries")?,
            "--seed" => config.seed = number("--seed")? as u64,
            "--batch" => config.batch = number("--batch")?,
            _ => {
                return Err(format!(
                    "unknown argument {arg:?} (see the doc comment of benches/queries.rs)"
                ))
            }
        }
    }
    config.db = match db {
        Some(db) => db,
        None => {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/whosaid-bench");
            std::fs::create_dir_all(dir).map_err(|e| format!("{dir}: {e}"))?;
            // The workspace's target/, named without the "../..".
            let dir = std::fs::canonicalize(dir)
                .map(|d| d.display().to_string())
                .unwrap_or_else(|_| dir.to_string());
            format!(
                "{dir}/queries-{}x{}-seed{}.db",
                config.documents, config.per_document, config.seed
            )
        }
    };
    Ok(config)
}

fn run(config: &Config) -> Result<(), String> {
    let world = World::new(config.seed);
    let postgres = whosaid_store::is_postgres_url(&config.db);
    if !postgres && !config.reuse {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", config.db));
        }
    }
    let mut store = whosaid_store::open(&config.db).map_err(|e| e.to_string())?;
    let stats = store.stats().map_err(|e| e.to_string())?;
    println!(
        "ledger: {} ({}), seed {}, {} documents x ~{} attributions",
        shown_db(&config.db),
        store.backend(),
        config.seed,
        config.documents,
        config.per_document
    );
    if stats.documents == config.documents as u64 && config.reuse {
        println!(
            "reusing it: {} documents, {} attributions, {} speakers",
            stats.documents, stats.attributions, stats.speakers
        );
    } else if stats.documents != 0 {
        return Err(format!(
            "{} holds {} documents, not the {} this run generates; {}",
            shown_db(&config.db),
            stats.documents,
            config.documents,
            if !postgres {
                "run without --reuse to generate it afresh"
            } else if config.reuse || stats.documents != config.documents as u64 {
                "give an empty database"
            } else {
                "give an empty database, or --reuse to query this one"
            }
        ));
    } else {
        load(store.as_mut(), &world, config)?;
    }
    println!(
        "load average before the queries: {}",
        std::fs::read_to_string("/proc/loadavg")
            .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
            .unwrap_or_else(|_| "?".into())
    );
    let kinds = plan_queries(&world, config);
    measure(store.as_ref(), &kinds)
}

/// A URL's password is not for the terminal.
fn shown_db(db: &str) -> String {
    match (db.find("://"), db.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &db[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &db[..scheme + 3], &db[at..]),
                None => db.to_string(),
            }
        }
        _ => db.to_string(),
    }
}

fn load(store: &mut dyn Store, world: &World, config: &Config) -> Result<(), String> {
    let started = Instant::now();
    let mut generating = 0.0f64;
    let mut writing = 0.0f64;
    let mut attributions = 0usize;
    let mut batch = Vec::with_capacity(config.batch);
    let mut report_at = Instant::now();
    for i in 0..config.documents {
        let t = Instant::now();
        let doc = world.document(i, config.per_document);
        doc.record
            .check_spans()
            .map_err(|e| format!("generated document {i} is invalid (a bug here): {e}"))?;
        attributions += doc.record.attributions.len();
        batch.push(NewDocument {
            record: doc.record,
            offset: None,
        });
        generating += t.elapsed().as_secs_f64();
        if batch.len() == config.batch || i + 1 == config.documents {
            let t = Instant::now();
            let outcomes = store.put_batch(&batch).map_err(|e| e.to_string())?;
            writing += t.elapsed().as_secs_f64();
            if let Some(dup) = outcomes
                .iter()
                .position(|o| matches!(o, whosaid_store::PutOutcome::Duplicate(_)))
            {
                return Err(format!(
                    "document {} of the batch came back as a duplicate: generated sha256 values must be unique",
                    dup
                ));
            }
            batch.clear();
            if report_at.elapsed().as_secs() >= 10 {
                eprintln!(
                    "  {} documents, {attributions} attributions, {:.0} s",
                    i + 1,
                    started.elapsed().as_secs_f64()
                );
                report_at = Instant::now();
            }
        }
    }
    let stats = store.stats().map_err(|e| e.to_string())?;
    println!(
        "loaded {} documents, {} attributions, {} speakers in {:.1} s ({:.1} s generating, {:.1} s in put_batch)",
        stats.documents,
        stats.attributions,
        stats.speakers,
        started.elapsed().as_secs_f64(),
        generating,
        writing
    );
    println!(
        "load rate through put_batch ({} per call): {:.0} documents/s, {:.0} attributions/s",
        config.batch,
        config.documents as f64 / writing,
        attributions as f64 / writing
    );
    if let Ok(meta) = std::fs::metadata(&config.db) {
        println!("database file: {:.0} MB", meta.len() as f64 / 1e6);
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The generated world: words, actors and sites with their frequencies.

/// A small deterministic generator (SplitMix64): the same data on every
/// machine and run, with no dependency.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xa076_1d64_78bd_642f));
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// Ranks 0..n with probability proportional to 1 / (rank + 1)^s.
struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    fn new(n: usize, s: f64) -> Zipf {
        let mut total = 0.0;
        let mut cumulative = Vec::with_capacity(n);
        for rank in 0..n {
            total += 1.0 / ((rank + 1) as f64).powf(s);
            cumulative.push(total);
        }
        for c in &mut cumulative {
            *c /= total;
        }
        Zipf { cumulative }
    }

    fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.unit();
        self.cumulative
            .partition_point(|c| *c <= u)
            .min(self.cumulative.len() - 1)
    }
}

/// Pronounceable made-up words, unique, so no real text is involved.
fn made_up_words(rng: &mut Rng, n: usize, syllables: (usize, usize)) -> Vec<String> {
    const ONSETS: &[&str] = &[
        "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z",
        "br", "cr", "dr", "fr", "gr", "pl", "st", "tr", "ch", "sh", "th", "",
    ];
    const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ea", "ou", "y"];
    const CODAS: &[&str] = &["", "", "", "n", "r", "s", "l", "m", "nd", "st"];
    let mut seen = HashSet::with_capacity(n);
    let mut words = Vec::with_capacity(n);
    while words.len() < n {
        let count = syllables.0 + rng.below(syllables.1 - syllables.0 + 1);
        let mut w = String::new();
        for _ in 0..count {
            w.push_str(ONSETS[rng.below(ONSETS.len())]);
            w.push_str(VOWELS[rng.below(VOWELS.len())]);
            w.push_str(CODAS[rng.below(CODAS.len())]);
        }
        if w.len() >= 2 && seen.insert(w.clone()) {
            words.push(w);
        }
    }
    words
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

struct ActorDef {
    /// "Given Surname" for a person, the whole name otherwise.
    name: String,
    surname: Option<String>,
    kind: ActorKind,
}

struct Site {
    name: String,
    host: String,
}

const TITLES: &[&str] = &[
    "Senator",
    "Mayor",
    "Dr.",
    "Minister",
    "Governor",
    "President",
    "Secretary of State",
    "Gen.",
    "Professor",
];
/// (cue, lemma, stance, reported speech rather than a quotation).
const CUES: &[(&str, &str, Stance, bool)] = &[
    ("said", "say", Stance::Asserts, false),
    ("said", "say", Stance::Asserts, false),
    ("said", "say", Stance::Asserts, false),
    ("said", "say", Stance::Asserts, true),
    ("said", "say", Stance::Asserts, true),
    ("told reporters", "tell", Stance::Asserts, false),
    ("claimed", "claim", Stance::Asserts, true),
    ("denied", "deny", Stance::Denies, true),
    ("believes", "believe", Stance::Believes, true),
    ("questioned whether", "question", Stance::Doubts, true),
    ("confirmed", "confirm", Stance::Affirms, true),
    ("pledged", "pledge", Stance::Intends, true),
];

struct World {
    seed: u64,
    words: Vec<String>,
    word_freq: Zipf,
    actors: Vec<ActorDef>,
    actor_freq: Zipf,
    sites: Vec<Site>,
    site_freq: Zipf,
}

/// One generated document with what the query planner needs to draw
/// parameters from it.
struct Generated {
    record: Record,
    day: u64,
    /// Per attribution: the speaker's actor rank, when it has a speaker.
    speakers: Vec<Option<usize>>,
    /// Per attribution: the word ranks of its content.
    content: Vec<Vec<usize>>,
}

impl World {
    fn new(seed: u64) -> World {
        let mut rng = Rng::new(seed, 1);
        // Frequent words are short, as in real text (Zipf's law of
        // abbreviation): sorted by length, the shortest take the top ranks.
        let mut words = made_up_words(&mut rng, WORDS, (1, 3));
        words.sort_by_key(String::len);
        let given = made_up_words(&mut rng, 2_000, (2, 3));
        let surnames = made_up_words(&mut rng, 40_000, (2, 4));
        let org_words = made_up_words(&mut rng, 6_000, (2, 3));
        let mut actors = Vec::with_capacity(ACTORS);
        let mut names = HashSet::new();
        // 70% people, 25% organisations, 5% outlets; ranks (and so
        // frequencies) mixed across kinds.
        while actors.len() < ACTORS {
            let roll = rng.below(100);
            let actor = if roll < 70 {
                let surname = capitalised(&surnames[rng.below(surnames.len())]);
                ActorDef {
                    name: format!("{} {surname}", capitalised(&given[rng.below(given.len())])),
                    surname: Some(surname),
                    kind: ActorKind::Person,
                }
            } else if roll < 95 {
                let a = capitalised(&org_words[rng.below(org_words.len())]);
                let b = capitalised(&org_words[rng.below(org_words.len())]);
                let name = match rng.below(5) {
                    0 => format!("Ministry of {a}"),
                    // Not "Group": the identity rule reads it as generic.
                    1 => format!("{a} Holdings"),
                    2 => format!("{a} {b} Institute"),
                    3 => format!("University of {a}"),
                    _ => format!("{a} Workers Union"),
                };
                ActorDef {
                    name,
                    surname: None,
                    kind: ActorKind::Organization,
                }
            } else {
                let a = capitalised(&org_words[rng.below(org_words.len())]);
                let paper = ["Herald", "Gazette", "Courier", "Post", "Ledger"][rng.below(5)];
                ActorDef {
                    name: format!("The {a} {paper}"),
                    surname: None,
                    kind: ActorKind::Outlet,
                }
            };
            if names.insert(actor.name.clone()) {
                actors.push(actor);
            }
        }
        let sites = (0..SITES)
            .map(|i| {
                let w = &org_words[(i * 29) % org_words.len()];
                let paper = ["Times", "Tribune", "Chronicle", "Observer"][i % 4];
                Site {
                    name: format!("The {} {paper}", capitalised(w)),
                    host: format!("www.{w}{}.example", paper.to_lowercase()),
                }
            })
            .collect();
        World {
            seed,
            words,
            word_freq: Zipf::new(WORDS, 1.0),
            actors,
            actor_freq: Zipf::new(ACTORS, 1.0),
            sites,
            site_freq: Zipf::new(SITES, 0.8),
        }
    }

    /// Document `i`: the same for the same seed, independent of the others,
    /// so queries can draw parameters from any document without the store.
    fn document(&self, i: usize, per_document: usize) -> Generated {
        let mut rng = Rng::new(self.seed, 1_000 + i as u64);
        let day = rng.below(DAYS as usize) as u64;
        let published = date_after(FIRST_DAY, day);
        let site = &self.sites[self.site_freq.sample(&mut rng)];
        let count = per_document / 2 + rng.below(per_document + 1);

        // The article's cast: who is quoted, and how the article names them.
        let cast_size = 1 + rng.below(5);
        let mut cast: Vec<usize> = Vec::with_capacity(cast_size);
        while cast.len() < cast_size {
            let rank = self.actor_freq.sample(&mut rng);
            if !cast.contains(&rank) {
                cast.push(rank);
            }
        }
        let named: Vec<String> = cast
            .iter()
            .map(|&rank| {
                let actor = &self.actors[rank];
                match (&actor.surname, rng.below(100)) {
                    // Some articles only ever give the surname.
                    (Some(surname), 0..=14) => surname.clone(),
                    (Some(_), 15..=34) => {
                        format!("{} {}", TITLES[rng.below(TITLES.len())], actor.name)
                    }
                    _ => actor.name.clone(),
                }
            })
            .collect();

        let mut text = String::new();
        let mut blocks = Vec::new();
        let mut attributions = Vec::with_capacity(count);
        let mut speakers = Vec::with_capacity(count);
        let mut content_ranks = Vec::with_capacity(count);
        let mut mentions: Vec<Vec<Range>> = vec![Vec::new(); cast.len()];
        let mut mentioned = vec![false; cast.len()];

        let title = self.sentence(&mut rng, 6, 6).0;
        let lead = self.sentence(&mut rng, 15, 20).0;
        push_block(&mut text, &mut blocks, |t| {
            t.push_str(&lead);
            t.push('.');
        });
        for n in 0..count {
            let who = (!rng.chance(0.08)).then(|| rng.below(cast.len()));
            let (quoted, ranks) = self.sentence(&mut rng, 10, 31);
            let &(cue, lemma, stance, reported) = &CUES[rng.below(CUES.len())];
            let start = text.len();
            let mut speaker = None;
            let mut cue_span = None;
            let content;
            let kind;
            // The name as written here: in full the first time, then the
            // surname for people.
            let spoken_name = |c: usize, mentioned: &[bool]| -> String {
                match (&self.actors[cast[c]].surname, mentioned[c]) {
                    (Some(surname), true) => surname.clone(),
                    _ => named[c].clone(),
                }
            };
            match who {
                None => {
                    text.push_str("It was reported that ");
                    content = span(&mut text, &lower_first(&quoted));
                    text.push('.');
                    kind = AttributionKind::Indirect;
                }
                Some(c) if !reported => {
                    text.push('\u{201c}');
                    content = span(&mut text, &quoted);
                    text.push_str(",\u{201d} ");
                    let name = spoken_name(c, &mentioned);
                    speaker = Some((c, span(&mut text, &name)));
                    text.push(' ');
                    cue_span = Some(span(&mut text, cue));
                    text.push('.');
                    kind = AttributionKind::Direct;
                }
                Some(c) => {
                    let name = spoken_name(c, &mentioned);
                    speaker = Some((c, span(&mut text, &name)));
                    text.push(' ');
                    cue_span = Some(span(&mut text, cue));
                    text.push_str(" that ");
                    content = span(&mut text, &lower_first(&quoted));
                    text.push('.');
                    kind = AttributionKind::Indirect;
                }
            }
            if rng.chance(0.5) {
                text.push(' ');
                text.push_str(&self.sentence(&mut rng, 8, 12).0);
                text.push('.');
            }
            blocks.push(Block {
                kind: BlockKind::Paragraph,
                start,
                end: text.len(),
            });
            text.push_str("\n\n");

            let speaker_span = speaker.map(|(c, (s, e))| {
                mentions[c].push(Range { start: s, end: e });
                mentioned[c] = true;
                (c, s, e)
            });
            speakers.push(speaker_span.map(|(c, _, _)| cast[c]));
            content_ranks.push(ranks);
            attributions.push((
                n,
                kind,
                stance,
                speaker_span,
                cue_span.map(|s| (s, cue, lemma)),
                content,
            ));
        }
        let trimmed = text.trim_end().len();
        text.truncate(trimmed);

        // Actors in order of first mention, as the pipeline numbers them.
        let mut actor_ids = vec![None; cast.len()];
        let mut actors = Vec::new();
        for (_, _, _, speaker, _, _) in &attributions {
            if let Some((c, _, _)) = speaker {
                if actor_ids[*c].is_none() {
                    actor_ids[*c] = Some(actors.len());
                    actors.push(Actor {
                        id: actors.len(),
                        name: named[*c].clone(),
                        kind: self.actors[cast[*c]].kind,
                        mentions: mentions[*c].clone(),
                    });
                }
            }
        }
        let attributions = attributions
            .into_iter()
            .map(|(id, kind, stance, speaker, cue, (s, e))| Attribution {
                id,
                kind,
                speaker: speaker.map(|(c, s, e)| ActorSpan {
                    start: s,
                    end: e,
                    text: text[s..e].to_string(),
                    actor: actor_ids[c],
                }),
                cue: cue.map(|((s, e), _, lemma)| CueSpan {
                    start: s,
                    end: e,
                    text: text[s..e].to_string(),
                    lemma: lemma.to_string(),
                }),
                addressee: None,
                content: ContentSpan {
                    start: s,
                    end: e,
                    text: text[s..e].to_string(),
                    spans: None,
                },
                stance,
                parent: None,
            })
            .collect();

        let slug: Vec<&str> = title.split(' ').take(5).collect();
        let url = format!(
            "https://{}/{}/{}-{i}",
            site.host,
            published.replace('-', "/"),
            slug.join("-").to_lowercase()
        );
        let authors = if rng.chance(0.7) {
            let actor = &self.actors[rng.below(ACTORS)];
            vec![actor.name.clone()]
        } else {
            Vec::new()
        };
        Generated {
            record: Record {
                schema: SCHEMA.to_string(),
                source: Source {
                    path: Some(format!("generated/{i:07}.html")),
                    record: None,
                    url: Some(url),
                    sha256: fake_sha256(self.seed, i),
                },
                article: Article {
                    title: Some(title),
                    authors,
                    published: Some(published),
                    site: Some(site.name.clone()),
                    language: Some("en".into()),
                    text,
                    blocks,
                },
                actors,
                attributions,
                authorial: Vec::new(),
                warnings: Vec::new(),
            },
            day,
            speakers,
            content: content_ranks,
        }
    }

    /// `fewest` to `fewest + spread - 1` Zipf-drawn words, the first
    /// capitalised, with the words' ranks.
    fn sentence(&self, rng: &mut Rng, fewest: usize, spread: usize) -> (String, Vec<usize>) {
        let n = fewest + rng.below(spread);
        let mut s = String::new();
        let mut ranks = Vec::with_capacity(n);
        for k in 0..n {
            let rank = self.word_freq.sample(rng);
            ranks.push(rank);
            if k == 0 {
                s.push_str(&capitalised(&self.words[rank]));
            } else {
                s.push(' ');
                s.push_str(&self.words[rank]);
            }
        }
        (s, ranks)
    }
}

fn push_block(text: &mut String, blocks: &mut Vec<Block>, write: impl FnOnce(&mut String)) {
    let start = text.len();
    write(text);
    blocks.push(Block {
        kind: BlockKind::Paragraph,
        start,
        end: text.len(),
    });
    text.push_str("\n\n");
}

/// Appends `s` and returns its byte range.
fn span(text: &mut String, s: &str) -> (usize, usize) {
    let start = text.len();
    text.push_str(s);
    (start, text.len())
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A stand-in for the sha256 of a page that was never fetched: 64 hex
/// digits, unique per (seed, document), which is all the store asks of it.
fn fake_sha256(seed: u64, i: usize) -> String {
    let mut rng = Rng::new(seed, 0x5a25_6000_u64.wrapping_add(i as u64));
    (0..4).map(|_| format!("{:016x}", rng.next())).collect()
}

/// `YYYY-MM-DD` of `days` after `start`.
fn date_after(start: (i64, i64, i64), days: u64) -> String {
    let (y, m, d) = civil_from_days(days_from_civil(start.0, start.1, start.2) + days as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (Hinnant).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

// ---------------------------------------------------------------------------
// Queries.

/// Which of a content's distinct word ranks (sorted) a full-text query uses.
type WordChoice = fn(&[usize]) -> Vec<usize>;

/// One row of the table: a sub-kind of a query type with its queries.
struct Kind {
    family: &'static str,
    name: String,
    queries: Vec<AttributionQuery>,
}

fn plan_queries(world: &World, config: &Config) -> Vec<Kind> {
    let mut rng = Rng::new(world.seed, 2);
    let n = config.queries;
    let split = |parts: usize, k: usize| n / parts + usize::from(k < n % parts);
    let doc = |rng: &mut Rng| world.document(rng.below(config.documents), config.per_document);
    let page = |q: AttributionQuery| AttributionQuery { limit: PAGE, ..q };
    let mut kinds = Vec::new();

    // A speaker as a user would type them.
    let typed = |rng: &mut Rng, rank: usize| -> String {
        let actor = &world.actors[rank];
        match (&actor.surname, rng.below(4)) {
            (Some(surname), 0) => surname.clone(),
            (Some(_), 1) => format!("{} {}", TITLES[rng.below(TITLES.len())], actor.name),
            _ => actor.name.clone(),
        }
    };
    // Frequent: one of the 50 most quoted, typed any way. Rare: a speaker
    // of rank 2,000 or beyond from a generated document, named as that
    // article names them or by surname (by the identity rule a full name
    // the store never saw finds nothing), with the day of that document.
    let frequent = |rng: &mut Rng| {
        let rank = rng.below(50);
        typed(rng, rank)
    };
    let rare = |rng: &mut Rng| -> (String, u64) {
        // A tiny --documents may hold no speaker that rare: any speaker then.
        let mut tries = 0;
        loop {
            let least_rank = if tries < 1_000 { 2_000 } else { 0 };
            tries += 1;
            let g = doc(rng);
            let found = g
                .speakers
                .iter()
                .zip(&g.record.attributions)
                .find_map(|(rank, a)| {
                    let rank = (*rank).filter(|r| *r >= least_rank)?;
                    let actor = a.speaker.as_ref()?.actor?;
                    Some((rank, g.record.actors.get(actor)?.name.clone()))
                });
            if let Some((rank, name)) = found {
                let name = match (&world.actors[rank].surname, rng.chance(0.3)) {
                    (Some(surname), true) => surname.clone(),
                    _ => name,
                };
                return (name, g.day);
            }
        }
    };
    for (k, (label, pick)) in [
        ("frequent", &frequent as &dyn Fn(&mut Rng) -> String),
        ("rare", &|rng: &mut Rng| rare(rng).0),
    ]
    .into_iter()
    .enumerate()
    {
        let queries = (0..split(2, k))
            .map(|_| {
                page(AttributionQuery {
                    speaker: Some(pick(&mut rng)),
                    ..Default::default()
                })
            })
            .collect();
        kinds.push(Kind {
            family: "speaker",
            name: format!("speaker, {label}"),
            queries,
        });
    }

    // Full text: words of a real content, its most and least frequent.
    let shapes: [(&str, WordChoice); 4] = [
        ("1 word, common", |r| vec![r[0]]),
        ("1 word, rare", |r| vec![r[r.len() - 1]]),
        ("2 words, common", |r| r[..2.min(r.len())].to_vec()),
        ("2 words, rare", |r| r[r.len().saturating_sub(2)..].to_vec()),
    ];
    for (k, (label, choose)) in shapes.into_iter().enumerate() {
        let queries = (0..split(4, k))
            .map(|_| {
                let g = doc(&mut rng);
                let a = rng.below(g.content.len());
                let mut ranks = g.content[a].clone();
                ranks.sort_unstable();
                ranks.dedup();
                let words: Vec<&str> = choose(&ranks)
                    .into_iter()
                    .map(|r| world.words[r].as_str())
                    .collect();
                page(AttributionQuery {
                    about: Some(words.join(" ")),
                    ..Default::default()
                })
            })
            .collect();
        kinds.push(Kind {
            family: "full-text",
            name: format!("full-text, {label}"),
            queries,
        });
    }

    // Date ranges anywhere in the five years.
    let range = |rng: &mut Rng, days: u64| -> (String, String) {
        let start = rng.below((DAYS - days + 1) as usize) as u64;
        (
            date_after(FIRST_DAY, start),
            date_after(FIRST_DAY, start + days - 1),
        )
    };
    for (k, (label, days)) in [("a week", 7), ("a month", 30), ("a year", 365)]
        .into_iter()
        .enumerate()
    {
        let queries = (0..split(3, k))
            .map(|_| {
                let (since, until) = range(&mut rng, days);
                page(AttributionQuery {
                    since: Some(since),
                    until: Some(until),
                    ..Default::default()
                })
            })
            .collect();
        kinds.push(Kind {
            family: "date range",
            name: format!("date range, {label}"),
            queries,
        });
    }

    // A speaker within a month or a year around one of their quotes, so that
    // rare speakers have something to find.
    for (k, (label, days)) in [
        ("frequent, a month", 30u64),
        ("frequent, a year", 365),
        ("rare, a month", 30),
        ("rare, a year", 365),
    ]
    .into_iter()
    .enumerate()
    {
        let queries = (0..split(4, k))
            .map(|_| {
                let (name, since, until) = if k < 2 {
                    let name = frequent(&mut rng);
                    let (since, until) = range(&mut rng, days);
                    (name, since, until)
                } else {
                    let (name, day) = rare(&mut rng);
                    let start = day.saturating_sub(rng.below(days as usize) as u64);
                    let start = start.min(DAYS - days);
                    (
                        name,
                        date_after(FIRST_DAY, start),
                        date_after(FIRST_DAY, start + days - 1),
                    )
                };
                page(AttributionQuery {
                    speaker: Some(name),
                    since: Some(since),
                    until: Some(until),
                    ..Default::default()
                })
            })
            .collect();
        kinds.push(Kind {
            family: "speaker + dates",
            name: format!("speaker + dates, {label}"),
            queries,
        });
    }
    kinds
}

fn measure(store: &dyn Store, kinds: &[Kind]) -> Result<(), String> {
    println!(
        "{} queries per type, limit {PAGE}, timed around Store::query (rows read included); no warm-up\n",
        kinds
            .iter()
            .filter(|k| k.family == kinds[0].family)
            .map(|k| k.queries.len())
            .sum::<usize>()
    );
    let header = format!(
        "{:<34} | {:>4} | {:>5} | {:>5} | {:>7} | {:>7} | {:>7} | {:>7} |",
        "query", "n", "rows", "empty", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    println!("{header}");
    println!("{}", "-".repeat(header.len()));
    let mut family_times: Vec<(&str, Vec<f64>)> = Vec::new();
    for kind in kinds {
        let mut times = Vec::with_capacity(kind.queries.len());
        let mut rows = 0usize;
        let mut empty = 0usize;
        for q in &kind.queries {
            let t = Instant::now();
            let found = store
                .query(q)
                .map_err(|e| format!("{} query {q:?} failed: {e}", kind.name))?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            rows += found.len();
            empty += usize::from(found.is_empty());
        }
        println!(
            "{} |",
            row(
                &kind.name,
                &times,
                rows as f64 / times.len().max(1) as f64,
                empty
            )
        );
        match family_times.iter_mut().find(|(f, _)| *f == kind.family) {
            Some((_, all)) => all.extend(&times),
            None => family_times.push((kind.family, times)),
        }
    }
    println!();
    let mut missed = Vec::new();
    for (family, times) in &family_times {
        let p95 = percentile(times, 95.0);
        let verdict = if p95 < TARGET_MS { "PASS" } else { "MISS" };
        if p95 >= TARGET_MS {
            missed.push(*family);
        }
        println!(
            "{} | {verdict} (p95 < {TARGET_MS} ms)",
            row(&format!("{family} (all)"), times, f64::NAN, usize::MAX)
        );
    }
    if !missed.is_empty() {
        println!("\nmissed: {}", missed.join(", "));
    }
    Ok(())
}

fn row(name: &str, times: &[f64], rows: f64, empty: usize) -> String {
    let rows = if rows.is_nan() {
        String::new()
    } else {
        format!("{rows:.1}")
    };
    let empty = if empty == usize::MAX {
        String::new()
    } else {
        empty.to_string()
    };
    format!(
        "{name:<34} | {:>4} | {rows:>5} | {empty:>5} | {:>7.2} | {:>7.2} | {:>7.2} | {:>7.2}",
        times.len(),
        percentile(times, 50.0),
        percentile(times, 95.0),
        percentile(times, 99.0),
        percentile(times, 100.0),
    )
}

/// Nearest-rank percentile.
fn percentile(times: &[f64], p: f64) -> f64 {
    if times.is_empty() {
        return f64::NAN;
    }
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
