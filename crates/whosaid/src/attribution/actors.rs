//! Actors: who the speakers are, across every way the article names them.
//!
//! Mentions come from capitalised name sequences (with their titles),
//! descriptions ("the Russian president"), organisation and outlet names,
//! and pronouns. Clustering is per article and deliberately simple:
//! - persons share a surname key ("Donald Trump", "President Trump",
//!   "Trump", and the dropped-apostrophe "Trumps");
//! - a title seen with a name ("Russian President Vladimir Putin")
//!   registers descriptions ("russian president", "president") that later
//!   bare descriptions resolve to, most recent first;
//! - he/she/him/her/his go to the most recent compatible named mention
//!   (gender from a small first-name and title lexicon), skipping the
//!   speaker of the quote they stand in (that speaker is "I" there) and,
//!   for him/her, the nearest name of their own sentence (the subject);
//! - a speaker that names nobody known ("A C.I.A. spokesperson", "the
//!   intelligence community") becomes an actor of its own, keyed by its
//!   words, so repeated descriptions join.
//!
//! Actor `name` is the fullest name seen.

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::sync::OnceLock;

use super::engine::Candidate;
use super::lexicon;
use super::quotes::Quotes;
use super::text::{Analysis, Shape, TokenKind};
use crate::record::{Actor, ActorKind, BlockKind, Range as ByteRange};

const TITLES: &[&str] = &[
    "president",
    "director",
    "dictator",
    "senator",
    "sen",
    "secretary",
    "gov",
    "governor",
    "rep",
    "representative",
    "mr",
    "mrs",
    "ms",
    "dr",
    "gen",
    "general",
    "col",
    "lt",
    "chairman",
    "chairwoman",
    "minister",
    "chancellor",
    "king",
    "queen",
    "judge",
    "justice",
    "attorney",
    "founder",
    "ceo",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "leader",
    "candidate",
    "nominee",
    "speaker",
    "mayor",
    "ambassador",
    "commissioner",
    "chief",
    "professor",
    "prof",
    "pope",
    "prince",
    "princess",
    "vice",
    "pollster",
    "adviser",
    "advisor",
    "aide",
    "analyst",
    "official",
    "strategist",
    "lawyer",
    "economist",
    "host",
    "anchor",
    "correspondent",
    "reporter",
    "editor",
    "sheriff",
    "capt",
    "captain",
    "sgt",
    "adm",
    "admiral",
    "premier",
    "emir",
    "sheikh",
    "rev",
    "father",
    "sister",
    "coach",
    "executive",
    "chair",
    "head",
    "commander",
    "lawmaker",
    "congressman",
    "congresswoman",
    "councillor",
    "councilor",
    "councilman",
    "councilwoman",
    "manager",
    "owner",
    "inspector",
];

/// Prepositions that open a place or time adjunct after a name.
const ADJUNCT_PREPOSITIONS: &[&str] = &["in", "at", "on", "during", "after", "before", "from"];

/// `list.contains(&word)` for a list asked about for every name, from a set
/// built on first use: a scan of a hundred names per capitalised run
/// showed in profiles.
macro_rules! exact_set {
    ($list:expr) => {{
        static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
        SET.get_or_init(|| $list.iter().copied().collect())
    }};
}

/// `lexicon::is_in(word, TITLES)`, asked for every token: from a set.
fn is_title(word: &str) -> bool {
    static SET: OnceLock<lexicon::WordSet> = OnceLock::new();
    SET.get_or_init(|| lexicon::WordSet::new(TITLES))
        .contains(word)
}

/// `lexicon::is_in(key, PLACES) || PLACES.contains(&key)`: the first
/// ignores ASCII case up to 12 bytes, the second takes longer names as
/// written.
fn is_place(key: &str) -> bool {
    static SET: OnceLock<lexicon::WordSet> = OnceLock::new();
    SET.get_or_init(|| lexicon::WordSet::new(PLACES))
        .contains(key)
        || exact_set!(PLACES).contains(key)
}

const MALE_TITLES: &[&str] = &[
    "mr",
    "king",
    "prince",
    "father",
    "congressman",
    "chairman",
    "spokesman",
];
const FEMALE_TITLES: &[&str] = &[
    "mrs",
    "ms",
    "queen",
    "princess",
    "sister",
    "congresswoman",
    "chairwoman",
    "spokeswoman",
];

const MALE_NAMES: &[&str] = &[
    "donald",
    "vladimir",
    "mike",
    "michael",
    "julian",
    "barack",
    "george",
    "bill",
    "william",
    "john",
    "james",
    "robert",
    "joe",
    "joseph",
    "bernie",
    "ted",
    "marco",
    "jeb",
    "ben",
    "chris",
    "christopher",
    "paul",
    "mitch",
    "kevin",
    "steve",
    "stephen",
    "steven",
    "mark",
    "david",
    "richard",
    "thomas",
    "tom",
    "charles",
    "daniel",
    "matthew",
    "anthony",
    "jared",
    "rex",
    "jim",
    "jeff",
    "jeffrey",
    "rudy",
    "rudolph",
    "newt",
    "dick",
    "lindsey",
    "rand",
    "sean",
    "kim",
    "xi",
    "emmanuel",
    "angela",
    "boris",
    "justin",
    "recep",
    "benjamin",
    "bashar",
    "hassan",
    "sergei",
    "sergey",
    "dmitry",
    "peter",
    "andrew",
    "brian",
    "eric",
    "scott",
    "gary",
    "frank",
    "jack",
    "harry",
    "henry",
    "edward",
    "ronald",
    "jimmy",
    "al",
    "pat",
    "reince",
    "tim",
    "tony",
    "martin",
    "patrick",
    "jason",
    "adam",
    "alan",
    "larry",
    "roger",
    "carl",
    "ryan",
    "nick",
    "nicholas",
    "sam",
    "samuel",
    "luke",
    "jose",
    "juan",
    "carlos",
    "omar",
    "ali",
    "ahmed",
    "mohammed",
    "muhammad",
    "ivan",
    "alexei",
    "lars",
];

const FEMALE_NAMES: &[&str] = &[
    "hillary",
    "melania",
    "ivanka",
    "nancy",
    "elizabeth",
    "kamala",
    "sarah",
    "mary",
    "patricia",
    "jennifer",
    "linda",
    "barbara",
    "susan",
    "jessica",
    "karen",
    "lisa",
    "michelle",
    "laura",
    "kellyanne",
    "theresa",
    "nikki",
    "condoleezza",
    "madeleine",
    "maria",
    "anna",
    "anne",
    "ann",
    "emma",
    "olivia",
    "sophia",
    "julia",
    "rachel",
    "rebecca",
    "amy",
    "kate",
    "katherine",
    "catherine",
    "jane",
    "joan",
    "helen",
    "margaret",
    "diane",
    "dianne",
    "debbie",
    "deborah",
    "sheryl",
    "hope",
    "sonya",
    "eva",
    "marine",
    "ursula",
    "jill",
    "claire",
    "carly",
    "tulsi",
    "elise",
    "alexandria",
    "ilhan",
    "ayanna",
    "rashida",
];

const OUTLETS: &[&str] = &[
    "hill",
    "washington post",
    "new york times",
    "cnn",
    "fox news",
    "fox",
    "reuters",
    "associated press",
    "ap",
    "politico",
    "bbc",
    "nbc",
    "abc",
    "cbs",
    "msnbc",
    "npr",
    "bloomberg",
    "axios",
    "breitbart",
    "huffington post",
    "usa today",
    "wall street journal",
    "guardian",
    "times",
    "newsweek",
    "atlantic",
    "vox",
    "daily beast",
    "daily mail",
    "buzzfeed",
    "new yorker",
    "post",
    "tass",
    "ria novosti",
    "rt",
    "sputnik",
    "al jazeera",
    "los angeles times",
    "chicago tribune",
    "financial times",
    "economist",
    "the hill",
];

const ORG_WORDS: &[&str] = &[
    "committee",
    "party",
    "department",
    "agency",
    "kremlin",
    "congress",
    "senate",
    "house",
    "administration",
    "ministry",
    "council",
    "commission",
    "union",
    "bureau",
    "office",
    "court",
    "campaign",
    "foundation",
    "institute",
    "university",
    "corporation",
    "inc",
    "company",
    "association",
    "network",
    "army",
    "navy",
    "pentagon",
    "wikileaks",
    "fbi",
    "cia",
    "c.i.a.",
    "f.b.i.",
    "nato",
    "isis",
    "government",
    "parliament",
    "duma",
    "police",
    "board",
    "group",
    "coalition",
    "organization",
    "organisation",
    "federation",
    "bank",
    "fund",
    "service",
    "services",
    "force",
    "forces",
    "court",
    "republicans",
    "democrats",
    "gop",
    "dnc",
    "rnc",
    "u.n.",
    "apec",
    "center",
    "centre",
];

pub(crate) const PLACES: &[&str] = &[
    "russia",
    "united states",
    "u.s.",
    "us",
    "america",
    "syria",
    "vietnam",
    "moscow",
    "washington",
    "north korea",
    "pyongyang",
    "china",
    "iran",
    "ukraine",
    "europe",
    "texas",
    "beijing",
    "london",
    "paris",
    "berlin",
    "germany",
    "france",
    "britain",
    "uk",
    "u.k.",
    "japan",
    "korea",
    "south korea",
    "israel",
    "iraq",
    "afghanistan",
    "turkey",
    "mexico",
    "canada",
    "new york",
    "california",
    "florida",
    "asia",
    "africa",
    "crimea",
    "damascus",
    "kiev",
    "kyiv",
    "tehran",
    "da nang",
    "hanoi",
    "virginia",
    "ohio",
    "iowa",
];

const GROUP_HEADS: &[&str] = &[
    "community",
    "officials",
    "leaders",
    "voters",
    "critics",
    "experts",
    "government",
    "administration",
    "republicans",
    "democrats",
    "lawmakers",
    "analysts",
    "russians",
    "americans",
    "people",
    "members",
    "supporters",
    "aides",
    "sources",
    "investigators",
    "agencies",
    "nations",
    "countries",
    "staff",
    "team",
    "democrats",
    "media",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gender {
    Male,
    Female,
    Unknown,
}

/// A name or description mention found before resolution.
#[derive(Debug, Clone)]
struct Mention {
    tokens: Range<usize>,
    actor: usize,
    possessive: bool,
    quoted: bool,
    sentence: usize,
}

/// Mentions in text order: by first token, and those that start at the same
/// token in the order they were added. A B-tree because speakers resolved
/// after the names pass add mentions all over the text: inserting each into
/// a sorted list moved every later one, which made the resolver quadratic
/// (11 s of 18 on a 16 MiB text of short sentences).
#[derive(Default)]
struct Mentions {
    by_start: BTreeMap<(usize, usize), Mention>,
    added: usize,
}

impl Mentions {
    fn insert(&mut self, mention: Mention) {
        self.by_start
            .insert((mention.tokens.start, self.added), mention);
        self.added += 1;
    }

    /// Mentions that start before token `t`, nearest first.
    fn before(&self, t: usize) -> impl Iterator<Item = &Mention> {
        self.by_start.range(..(t, 0)).rev().map(|(_, m)| m)
    }

    /// Mentions that start inside `tokens`, in text order.
    fn starting_in(&self, tokens: &Range<usize>) -> impl DoubleEndedIterator<Item = &Mention> {
        let end = tokens.end.max(tokens.start);
        self.by_start
            .range((tokens.start, 0)..(end, 0))
            .map(|(_, m)| m)
    }
}

struct Building {
    name: String,
    name_words: usize,
    kind: ActorKind,
    gender: Gender,
    mentions: Vec<ByteRange>,
}

/// Actors of the article and the actor of each candidate's speaker and
/// addressee.
pub struct Resolution {
    pub actors: Vec<Actor>,
    pub speakers: Vec<Option<usize>>,
    pub addressees: Vec<Option<usize>>,
}

struct Resolver<'a> {
    text: &'a str,
    a: &'a Analysis,
    in_quote: Vec<bool>,
    actors: Vec<Building>,
    by_surname: HashMap<String, usize>,
    by_key: HashMap<String, usize>,
    /// description → (token position, actor), in text order.
    descriptions: HashMap<String, Vec<(usize, usize)>>,
    /// Words in the longest description registered: a longer key cannot
    /// match one.
    longest_description: usize,
    mentions: Mentions,
    /// Mentions and descriptions moved or looked at, a search in a sorted
    /// list counting one: the resolver's cost independent of the machine,
    /// so that tests can check how it grows.
    work: Cell<usize>,
}

fn lower_key(words: &[&str]) -> String {
    let mut s = String::new();
    for w in words {
        if !s.is_empty() {
            s.push(' ');
        }
        let w = strip_possessive(w);
        if w.is_ascii() {
            // `to_lowercase` without its own allocation.
            let from = s.len();
            s.push_str(w);
            s[from..].make_ascii_lowercase();
        } else {
            s.push_str(&w.to_lowercase());
        }
    }
    s
}

/// `f(&word.to_lowercase())`, lower-cased on the stack for a short ASCII
/// word: the name lists are asked about every word of every name.
fn with_lowercase<R>(word: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 32];
    if let Some(lowered) = buf.get_mut(..word.len()).filter(|_| word.is_ascii()) {
        lowered.copy_from_slice(word.as_bytes());
        lowered.make_ascii_lowercase();
        if let Ok(lowered) = std::str::from_utf8(lowered) {
            return f(lowered);
        }
    }
    f(&word.to_lowercase())
}

/// `key.trim_start_matches("the ")` without building a substring searcher.
fn without_leading_the(mut key: &str) -> &str {
    while let Some(rest) = key.strip_prefix("the ") {
        key = rest;
    }
    key
}

fn strip_possessive(w: &str) -> &str {
    w.strip_suffix("’s")
        .or_else(|| w.strip_suffix("'s"))
        .or_else(|| w.strip_suffix('’'))
        .or_else(|| w.strip_suffix('\''))
        .unwrap_or(w)
}

fn is_possessive(w: &str) -> bool {
    w.ends_with("’s") || w.ends_with("'s") || w.ends_with("s’")
}

/// Resolves mentions, clusters them into actors, and gives each
/// candidate's speaker and addressee an actor where the article makes it
/// clear.
pub fn resolve(text: &str, a: &Analysis, quotes: &Quotes, candidates: &[Candidate]) -> Resolution {
    resolve_counting(text, a, quotes, candidates).0
}

/// [`resolve`] and its work (see `Resolver::work`).
fn resolve_counting(
    text: &str,
    a: &Analysis,
    quotes: &Quotes,
    candidates: &[Candidate],
) -> (Resolution, usize) {
    let mut in_quote = vec![false; a.tokens.len()];
    for q in &quotes.quotes {
        for p in &q.parts {
            for slot in &mut in_quote[p.clone()] {
                *slot = true;
            }
        }
    }
    let mut r = Resolver {
        text,
        a,
        in_quote,
        actors: Vec::new(),
        by_surname: HashMap::new(),
        by_key: HashMap::new(),
        descriptions: HashMap::new(),
        longest_description: 0,
        mentions: Mentions::default(),
        work: Cell::new(0),
    };
    r.names();
    r.descriptions_pass();
    let mut speakers = vec![None; candidates.len()];
    let mut addressees = vec![None; candidates.len()];
    for (i, c) in candidates.iter().enumerate() {
        // The speaker of the nearest enclosing direct quote: "I" there is
        // that speaker, and "he" is someone else.
        let mut quote_speaker = None;
        let mut up = c.parent;
        let mut hops = 0;
        while let (Some(p), true) = (up, hops < 64) {
            if candidates[p].kind == crate::record::AttributionKind::Direct {
                quote_speaker = speakers.get(p).copied().flatten();
                break;
            }
            up = candidates[p].parent;
            hops += 1;
        }
        let first_person = c
            .source
            .as_ref()
            .is_some_and(|s| s.len() == 1 && matches!(a.tokens[s.start].text(text), "I" | "me"));
        if first_person && quote_speaker.is_some() {
            speakers[i] = quote_speaker;
        } else if let Some(s) = &c.source {
            // The speaker of a quote is looked for before the quote.
            let before = c.content_span().start.min(s.start);
            speakers[i] = r.actor_for_span(s.clone(), before, quote_speaker, true);
        }
        if let Some(ad) = &c.addressee {
            addressees[i] = r.actor_for_span(ad.clone(), ad.start, None, false);
        }
    }
    // Pronouns that are not speakers still count as mentions.
    let mut quote_speaker_at: Vec<Option<usize>> = vec![None; a.tokens.len()];
    for (i, c) in candidates.iter().enumerate() {
        if c.kind != crate::record::AttributionKind::Direct {
            continue;
        }
        for p in &c.content {
            for slot in quote_speaker_at.get_mut(p.clone()).into_iter().flatten() {
                *slot = speakers[i];
            }
        }
    }
    let speaker_of_quote = |tok: usize| quote_speaker_at.get(tok).copied().flatten();
    let mut extra = Vec::new();
    for t in 0..a.tokens.len() {
        let w = a.tokens[t].text(text);
        if !matches!(
            w,
            "he" | "He" | "him" | "his" | "His" | "she" | "She" | "her" | "Her"
        ) {
            continue;
        }
        let exclude = if r.in_quote[t] {
            speaker_of_quote(t)
        } else {
            None
        };
        if let Some(actor) = r.pronoun(t, t, exclude) {
            extra.push((actor, t));
        }
    }
    for (actor, t) in extra {
        let tok = a.tokens[t];
        r.actors[actor].mentions.push(ByteRange {
            start: tok.start,
            end: tok.end,
        });
    }
    // Only actors that are mentioned as more than a place survive; ids are
    // renumbered densely.
    let mut actors = Vec::with_capacity(r.actors.len());
    for (id, b) in r.actors.into_iter().enumerate() {
        let mut mentions = b.mentions;
        mentions.sort();
        mentions.dedup();
        actors.push(Actor {
            id,
            name: b.name,
            kind: b.kind,
            mentions,
        });
    }
    let resolution = Resolution {
        actors,
        speakers,
        addressees,
    };
    (resolution, r.work.get())
}

impl<'a> Resolver<'a> {
    fn count(&self, steps: usize) {
        self.work.set(self.work.get().saturating_add(steps));
    }

    fn word(&self, i: usize) -> &'a str {
        self.a.tokens.get(i).map_or("", |t| t.text(self.text))
    }

    fn sentence(&self, i: usize) -> usize {
        self.a.sentence_of(i).unwrap_or(0)
    }

    fn new_actor(&mut self, name: String, words: usize, kind: ActorKind, gender: Gender) -> usize {
        self.actors.push(Building {
            name,
            name_words: words,
            kind,
            gender,
            mentions: Vec::new(),
        });
        self.actors.len() - 1
    }

    fn add_mention(&mut self, actor: usize, tokens: Range<usize>) {
        let (Some(first), Some(last)) = (
            self.a.tokens.get(tokens.start),
            self.a.tokens.get(tokens.end.saturating_sub(1)),
        ) else {
            return;
        };
        let possessive = is_possessive(last.text(self.text));
        self.actors[actor].mentions.push(ByteRange {
            start: first.start,
            end: last.end,
        });
        self.count(1);
        self.mentions.insert(Mention {
            quoted: self.in_quote[tokens.start],
            sentence: self.sentence(tokens.start),
            tokens,
            actor,
            possessive,
        });
    }

    /// Capitalised runs: full names with titles first (they create
    /// persons), then single surnames and organisations.
    fn names(&mut self) {
        let runs = self.runs();
        let mut pending = Vec::new();
        for run in runs {
            let words: Vec<&str> = run
                .clone()
                .map(|i| self.word(i))
                .filter(|w| *w != ".")
                .collect();
            let words: Vec<&str> = words.into_iter().collect();
            let last_title = words
                .iter()
                .rposition(|w| is_title(strip_possessive(w).trim_end_matches('.')));
            // A lowercase title right before the run: "WikiLeaks founder
            // Julian Assange".
            let title_before = run.start > 0
                && self.a.tokens[run.start - 1].shape == Shape::Lower
                && is_title(self.word(run.start - 1));
            let name_from = last_title.map_or(0, |t| t + 1);
            let name_words = &words[name_from..];
            let key = lower_key(name_words);
            let heading = self
                .a
                .paragraph_of(run.start)
                .is_some_and(|p| self.a.paragraphs[p].kind == BlockKind::Heading);
            if name_words.is_empty() {
                // Only a title: "The Director"; resolved as a description.
                let desc = lower_key(&words);
                pending.push((run, Some(desc)));
                continue;
            }
            if is_place(&key) {
                continue;
            }
            let first_gender = with_lowercase(name_words[0], |first| {
                if exact_set!(MALE_NAMES).contains(first) {
                    Some(Gender::Male)
                } else if exact_set!(FEMALE_NAMES).contains(first) {
                    Some(Gender::Female)
                } else {
                    None
                }
            });
            let gender = if let Some(gender) = first_gender {
                gender
            } else if let Some(t) = last_title {
                let t = words[t].trim_end_matches('.').to_lowercase();
                if MALE_TITLES.contains(&t.as_str()) {
                    Gender::Male
                } else if FEMALE_TITLES.contains(&t.as_str()) {
                    Gender::Female
                } else {
                    Gender::Unknown
                }
            } else {
                Gender::Unknown
            };
            let org = name_words.iter().any(|w| {
                with_lowercase(strip_possessive(w), |w| exact_set!(ORG_WORDS).contains(w))
            });
            let outlets = exact_set!(OUTLETS);
            let outlet =
                outlets.contains(without_leading_the(&key)) || outlets.contains(key.as_str());
            let personish = !org
                && !outlet
                && !heading
                && (gender != Gender::Unknown || last_title.is_some() || title_before)
                && name_words.len() <= 4;
            if personish {
                let surname = key.rsplit(' ').next().unwrap_or(&key).to_string();
                let actor = match self.by_surname.get(&surname) {
                    Some(&a) => a,
                    None => {
                        let a = self.new_actor(
                            name_words.join(" "),
                            name_words.len(),
                            ActorKind::Person,
                            gender,
                        );
                        self.by_surname.insert(surname, a);
                        a
                    }
                };
                if name_words.len() > self.actors[actor].name_words {
                    self.actors[actor].name = name_words
                        .iter()
                        .map(|w| strip_possessive(w))
                        .collect::<Vec<_>>()
                        .join(" ");
                    self.actors[actor].name_words = name_words.len();
                }
                if self.actors[actor].gender == Gender::Unknown {
                    self.actors[actor].gender = gender;
                }
                let name_start = self.token_of_word(&run, name_from);
                self.add_mention(actor, name_start..run.end);
                if let Some(t) = last_title {
                    let desc_words = &words[..=t];
                    self.register_description(lower_key(desc_words), run.start, actor);
                    self.register_description(lower_key(&desc_words[t..]), run.start, actor);
                }
                if title_before {
                    let title = self.word(run.start - 1).to_lowercase();
                    self.register_description(title.clone(), run.start, actor);
                    if run.start >= 2 && self.a.tokens[run.start - 2].shape != Shape::Lower {
                        let org = strip_possessive(self.word(run.start - 2)).to_lowercase();
                        self.register_description(format!("{org} {title}"), run.start, actor);
                    }
                }
            } else if org || outlet {
                let kind = if outlet {
                    ActorKind::Outlet
                } else {
                    ActorKind::Organization
                };
                let mut name_start = self.token_of_word(&run, name_from);
                // Outlets keep their article: "The Hill".
                let mut written: Vec<&str> = name_words.to_vec();
                if outlet && name_from == 0 && run.start > 0 && self.word(run.start - 1) == "The" {
                    name_start = run.start - 1;
                    written.insert(0, "The");
                }
                let actor = self.keyed_actor(without_leading_the(&key).to_string(), &written, kind);
                self.add_mention(actor, name_start..run.end);
            } else {
                pending.push((run, None));
            }
        }
        // Single surnames ("Trump", "Putin’s", "Trumps") and descriptions
        // made of a title only.
        for (run, desc) in pending {
            if let Some(desc) = desc {
                if let Some(actor) = self.description(&desc, run.start) {
                    self.add_mention(actor, run);
                }
                continue;
            }
            // "Harriet Vance" when "Ms Vance" made Vance a person: the
            // whole run is a mention and may be the fullest name.
            let last = strip_possessive(self.word(run.end - 1)).to_lowercase();
            let heading = self
                .a
                .paragraph_of(run.start)
                .is_some_and(|p| self.a.paragraphs[p].kind == BlockKind::Heading);
            let name_like = !heading && run.clone().all(|i| !lexicon::is_np_stop(self.word(i)));
            if name_like && run.len() >= 2 && run.len() <= 4 {
                if let Some(&actor) = self.by_surname.get(&last) {
                    let words: Vec<&str> = run
                        .clone()
                        .map(|i| strip_possessive(self.word(i)))
                        .collect();
                    if words.len() > self.actors[actor].name_words {
                        self.actors[actor].name = words.join(" ");
                        self.actors[actor].name_words = words.len();
                    }
                    self.add_mention(actor, run);
                    continue;
                }
            }
            for i in run.clone() {
                let w = strip_possessive(self.word(i)).to_lowercase();
                let found = self.by_surname.get(&w).copied().or_else(|| {
                    w.strip_suffix('s')
                        .and_then(|b| self.by_surname.get(b).copied())
                });
                if let Some(actor) = found {
                    self.add_mention(actor, i..i + 1);
                } else if let Some(&actor) = self.by_key.get(&w) {
                    self.add_mention(actor, i..i + 1);
                }
            }
        }
    }

    fn token_of_word(&self, run: &Range<usize>, word_index: usize) -> usize {
        let mut seen = 0;
        for i in run.clone() {
            if self.word(i) == "." {
                continue;
            }
            if seen == word_index {
                return i;
            }
            seen += 1;
        }
        run.end
    }

    fn keyed_actor(&mut self, key: String, words: &[&str], kind: ActorKind) -> usize {
        if let Some(&a) = self.by_key.get(&key) {
            return a;
        }
        // Only a final possessive is the speaker's own ("the Kremlin’s");
        // inside the phrase it belongs to it ("a report presented to the
        // council's committee").
        let last = words.len().saturating_sub(1);
        let name = words
            .iter()
            .enumerate()
            .map(|(i, w)| if i == last { strip_possessive(w) } else { w })
            .collect::<Vec<_>>()
            .join(" ");
        let a = self.new_actor(name, words.len(), kind, Gender::Unknown);
        self.by_key.insert(key, a);
        a
    }

    fn register_description(&mut self, desc: String, at: usize, actor: usize) {
        if desc.is_empty() {
            return;
        }
        self.longest_description = self.longest_description.max(desc.split(' ').count());
        // Names are read in text order, so each list stays sorted by `at`.
        self.descriptions.entry(desc).or_default().push((at, actor));
    }

    /// The actor a description refers to at token `at`: the most recent
    /// one registered before it, else the first registered after.
    fn description(&self, desc: &str, at: usize) -> Option<usize> {
        let words: Vec<&str> = desc
            .split(' ')
            .filter(|w| !lexicon::is_determiner(w))
            .collect();
        // "the Russian president" also tries "president".
        let first = words.len().saturating_sub(self.longest_description);
        for from in first..words.len() {
            let key = words[from..].join(" ");
            if let Some(list) = self.descriptions.get(&key) {
                self.count(1);
                let after = list.partition_point(|(p, _)| *p <= at);
                let before = after.checked_sub(1).and_then(|i| list.get(i));
                return before.or(list.first()).map(|(_, a)| *a);
            }
        }
        None
    }

    /// Lower-case descriptions in the text: "the Russian president".
    fn descriptions_pass(&mut self) {
        let n = self.a.tokens.len();
        for i in 0..n {
            if !self.word(i).eq_ignore_ascii_case("the") {
                continue;
            }
            let mut j = i + 1;
            while j < n && j - i <= 3 && self.a.tokens[j].kind == TokenKind::Word {
                let w = self.word(j);
                if is_title(strip_possessive(w)) {
                    let next_is_name = self
                        .a
                        .tokens
                        .get(j + 1)
                        .is_some_and(|t| t.shape == Shape::Capitalized);
                    if !next_is_name && self.a.tokens[j].shape == Shape::Lower {
                        let words: Vec<&str> = (i + 1..=j).map(|k| self.word(k)).collect();
                        if let Some(actor) = self.description(&lower_key(&words), i) {
                            self.add_mention(actor, i..j + 1);
                        }
                    }
                    break;
                }
                j += 1;
            }
        }
    }

    /// Maximal runs of capitalised words, without a sentence's first word
    /// when that is a common word, and with title periods ("Sen.").
    fn runs(&self) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        for para in &self.a.paragraphs {
            self.runs_in(para.tokens.clone(), &mut out);
        }
        out
    }

    fn runs_in(&self, range: Range<usize>, out: &mut Vec<Range<usize>>) {
        let n = range.end;
        let mut i = range.start;
        while i < n {
            let t = self.a.tokens[i];
            let capital =
                t.kind == TokenKind::Word && matches!(t.shape, Shape::Capitalized | Shape::Upper);
            if !capital {
                i += 1;
                continue;
            }
            let start = i;
            let mut end = i;
            while end < n {
                let u = self.a.tokens[end];
                let w = u.text(self.text);
                let cap = u.kind == TokenKind::Word
                    && matches!(u.shape, Shape::Capitalized | Shape::Upper);
                if cap && (end == start || u.space_before) {
                    end += 1;
                    if is_possessive(w) {
                        break;
                    }
                    continue;
                }
                // "Sen." keeps going, a sentence's final period does not.
                if w == "." && end > start && !u.space_before {
                    let prev = self.word(end - 1);
                    if prev.len() <= 4
                        && is_title(prev)
                        && self
                            .a
                            .tokens
                            .get(end + 1)
                            .is_some_and(|n| n.shape == Shape::Capitalized)
                    {
                        end += 1;
                        continue;
                    }
                }
                break;
            }
            let mut s = start;
            // Drop common words that are capitalised for being first.
            while s < end {
                let w = self.word(s);
                let first_of_sentence = self
                    .a
                    .sentence_of(s)
                    .is_some_and(|x| self.a.sentences[x].tokens.start == s)
                    || s == 0
                    || self.a.tokens[s - 1].quote().is_some();
                let common = lexicon::is_np_stop(w)
                    || lexicon::is_determiner(w)
                    || lexicon::is_in(w, lexicon::SUBJECT_PRONOUNS)
                    || w.ends_with("ly")
                    || w == "The"
                    || w == "A";
                if common && (first_of_sentence || w == "The" || lexicon::is_determiner(w)) {
                    s += 1;
                } else {
                    break;
                }
            }
            if s < end {
                out.push(s..end);
            }
            i = end.max(i + 1);
        }
    }

    /// The actor of a speaker or addressee span.
    fn actor_for_span(
        &mut self,
        span: Range<usize>,
        before: usize,
        exclude: Option<usize>,
        create: bool,
    ) -> Option<usize> {
        // A known mention inside the span: the one that ends it (the head),
        // else a person followed only by an appositive ("the council's
        // chief, Harriet Vance,") or by a place or time adjunct ("Putin in
        // Vietnam", which a tagged source may take in).
        // A span that starts inside a name ("Putin in Vietnam" after
        // "Vladimir") counts that name as inside it too.
        let prev = self
            .mentions
            .before(span.start)
            .next()
            .filter(|m| m.tokens.end > span.start);
        self.count(1);
        let inside = || {
            prev.into_iter()
                .chain(self.mentions.starting_in(&span))
                .inspect(|_| self.count(1))
        };
        let known = inside()
            .rev()
            .find(|m| m.tokens.end == span.end)
            .or_else(|| {
                inside().find(|m| {
                    m.tokens.end < span.end
                        && self.actors[m.actor].kind == ActorKind::Person
                        && (self.a.tokens[m.tokens.end].kind == TokenKind::Punct
                            || ADJUNCT_PREPOSITIONS.contains(&self.word(m.tokens.end)))
                })
            })
            .map(|m| m.actor);
        if known.is_some() {
            return known;
        }
        let words: Vec<&str> = span.clone().map(|i| self.word(i)).collect();
        if words.len() == 1 {
            let w = words[0];
            if matches!(w, "he" | "He" | "she" | "She") {
                let actor = self.pronoun(span.start, before, exclude)?;
                let t = self.a.tokens[span.start];
                self.actors[actor].mentions.push(ByteRange {
                    start: t.start,
                    end: t.end,
                });
                return Some(actor);
            }
            if matches!(w, "they" | "They") {
                let actor = self.plural_pronoun(span.start, before)?;
                let t = self.a.tokens[span.start];
                self.actors[actor].mentions.push(ByteRange {
                    start: t.start,
                    end: t.end,
                });
                return Some(actor);
            }
            if lexicon::is_in(w, lexicon::SUBJECT_PRONOUNS)
                || lexicon::is_in(w, &["me", "him", "her", "them", "us", "his", "their"])
            {
                return None;
            }
        }
        let key = lower_key(&words);
        if let Some(actor) = self.description(&key, span.start) {
            if words.len() <= 4 {
                self.add_mention(actor, span);
                return Some(actor);
            }
        }
        if !create
            && !words
                .iter()
                .any(|w| w.chars().next().is_some_and(char::is_uppercase))
        {
            return None;
        }
        let bare = key
            .split(' ')
            .skip_while(|w| lexicon::is_determiner(w))
            .collect::<Vec<_>>()
            .join(" ");
        if bare.is_empty() || lexicon::is_in(&bare, PLACES) {
            return None;
        }
        let head = bare.rsplit(' ').next().unwrap_or("");
        let kind = if OUTLETS.contains(&bare.as_str()) {
            ActorKind::Outlet
        } else if ORG_WORDS.contains(&head) {
            ActorKind::Organization
        } else if GROUP_HEADS.contains(&head) {
            ActorKind::Group
        } else if TITLES.contains(&head) {
            ActorKind::Person
        } else {
            ActorKind::Unknown
        };
        let actor = self.keyed_actor(bare, &words, kind);
        self.add_mention(actor, span);
        Some(actor)
    }

    /// The antecedent of "they" at token `t`: the nearest group ("the two
    /// leaders", "both sides") mentioned before token `before` in the same
    /// or the previous paragraph. Organisations are left out on purpose:
    /// "they" after "the Kremlin" is as often its officials as the
    /// Kremlin, and a wrong actor is worse than none.
    fn plural_pronoun(&self, t: usize, before: usize) -> Option<usize> {
        const PARAGRAPHS_BACK: usize = 1;
        let inside = self.in_quote[t];
        let paragraph = self.a.paragraph_of(t).unwrap_or(0);
        for m in self.mentions.before(before).take(60) {
            self.count(1);
            let p = self.a.paragraph_of(m.tokens.start).unwrap_or(0);
            if p + PARAGRAPHS_BACK < paragraph {
                break;
            }
            if m.quoted && !inside {
                continue;
            }
            if self.actors[m.actor].kind == ActorKind::Group {
                return Some(m.actor);
            }
        }
        None
    }

    /// The antecedent of the pronoun at token `t`, among named mentions
    /// before token `before`.
    fn pronoun(&self, t: usize, before: usize, exclude: Option<usize>) -> Option<usize> {
        let w = self.word(t).to_ascii_lowercase();
        let gender = match w.as_str() {
            "he" | "him" | "his" => Gender::Male,
            "she" | "her" => Gender::Female,
            _ => return None,
        };
        let object = matches!(w.as_str(), "him" | "her");
        let inside = self.in_quote[t];
        let sentence = self.sentence(t);
        let paragraph = self.a.paragraph_of(t).unwrap_or(0);
        for allow_possessive in [false, true] {
            let mut skipped_subject = false;
            // The nearest mentions only: salience fades, and the bound
            // keeps long documents linear.
            for m in self.mentions.before(before).take(60) {
                self.count(1);
                let p = self.a.paragraph_of(m.tokens.start).unwrap_or(0);
                if p + 4 < paragraph {
                    break;
                }
                let actor = &self.actors[m.actor];
                if actor.kind != ActorKind::Person
                    || (actor.gender != gender && actor.gender != Gender::Unknown)
                {
                    continue;
                }
                if Some(m.actor) == exclude || (m.quoted && !inside) {
                    continue;
                }
                if object && m.sentence == sentence && !skipped_subject && !m.possessive {
                    skipped_subject = true;
                    continue;
                }
                if m.possessive && !allow_possessive && m.sentence != sentence {
                    continue;
                }
                return Some(m.actor);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::{engine, quotes, text};

    #[test]
    fn lowercase_helpers_answer_like_the_std_ones() {
        for word in [
            "Smith",
            "SMITH",
            "Éric",
            "MÜLLER",
            "",
            "a-Very-Long-Hyphenated-Name-Of-Forty-Bytes",
        ] {
            assert_eq!(with_lowercase(word, str::to_string), word.to_lowercase());
        }
        let words = ["The", "New", "York", "Times’s", "ÉCOLE", "O'Neil's"];
        let expected: Vec<String> = words
            .iter()
            .map(|w| strip_possessive(w).to_lowercase())
            .collect();
        assert_eq!(lower_key(&words), expected.join(" "));
        for key in ["the the hill", "the hill", "hill", "the ", "thе hill", ""] {
            assert_eq!(
                without_leading_the(key),
                key.trim_start_matches("the "),
                "{key}"
            );
        }
    }

    #[test]
    fn name_lists_answer_like_their_scans() {
        for list in [PLACES, MALE_NAMES, ORG_WORDS, OUTLETS] {
            for word in list
                .iter()
                .chain(&["united states", "UNITED STATES", "Senate", ""])
            {
                for form in [word.to_string(), word.to_uppercase()] {
                    assert_eq!(
                        is_place(&form),
                        lexicon::is_in(&form, PLACES) || PLACES.contains(&form.as_str()),
                        "{form}"
                    );
                }
                assert_eq!(
                    exact_set!(MALE_NAMES).contains(word),
                    MALE_NAMES.contains(word)
                );
                assert_eq!(
                    exact_set!(ORG_WORDS).contains(word),
                    ORG_WORDS.contains(word)
                );
                assert_eq!(exact_set!(OUTLETS).contains(word), OUTLETS.contains(word));
            }
        }
        assert!(is_place("united states") && !is_place("UNITED STATES"));
    }

    /// Short sentences naming speakers the way news does: full names with
    /// titles, surnames, titles alone, unnamed groups and pronouns, in
    /// paragraphs of five.
    fn name_bearing_text(sentences: usize) -> String {
        const FIRST: &[&str] = &["John", "Mary", "Vladimir", "Hillary", "Omar"];
        const SURNAMES: &[&str] = &["Smith", "Jones", "Brown", "Taylor", "Walker", "Evans"];
        const TITLES: &[&str] = &["Senator", "President", "Ms", "Gov."];
        let mut text = String::new();
        for i in 0..sentences {
            let first = FIRST[i % FIRST.len()];
            let surname = SURNAMES[(i / 3) % SURNAMES.len()];
            let title = TITLES[(i / 7) % TITLES.len()];
            let sentence = match i % 8 {
                0 => format!("{title} {first} {surname} said the plan would work."),
                1 => format!("{surname} told reporters it failed."),
                2 => "He said nothing more.".to_string(),
                3 => "Officials said the vote failed.".to_string(),
                4 => format!("\u{201c}We will win,\u{201d} {surname} said."),
                5 => "The senator said she disagreed.".to_string(),
                6 => "A spokesman for the group said it was false.".to_string(),
                _ => "Local residents said they were afraid.".to_string(),
            };
            text.push_str(&sentence);
            text.push_str(if i % 5 == 4 { "\n\n" } else { " " });
        }
        text
    }

    /// The resolver's work on `sentences` sentences of [`name_bearing_text`]
    /// (rules only: the tagger adds nothing the resolver handles otherwise,
    /// and is slow in a debug build).
    fn resolution_work(sentences: usize) -> (Resolution, usize) {
        let article = crate::article::from_plain_text(name_bearing_text(sentences));
        let analysis = text::analyze(&article.text, &article.blocks);
        let quotes = quotes::find_quotes_with(&analysis, usize::MAX);
        let assembly = engine::assemble(&article.text, &analysis, &quotes);
        resolve_counting(&article.text, &analysis, &quotes, &assembly.candidates)
    }

    #[test]
    fn resolution_work_grows_linearly_with_the_text() {
        let (small, small_work) = resolution_work(4_000);
        let (large, large_work) = resolution_work(8_000);
        // The text exercises what costs: speakers the names pass did not
        // see (added in text order), descriptions, pronouns.
        assert!(small.speakers.iter().filter(|s| s.is_some()).count() > 2_000);
        assert!(large.actors.len() >= small.actors.len());
        // Twice the text, about twice the work; a quadratic resolver does
        // four times (it did: 16 MiB took 11 s of 18).
        assert!(
            large_work < small_work * 5 / 2,
            "work {small_work} on 4,000 sentences, {large_work} on 8,000"
        );
    }

    /// Megabytes of speakers under a short time limit: a record that says
    /// where the limit stopped the search, or the time-limit error, never
    /// a run that ignores the limit. How far past the limit it ends is not
    /// asserted (a loaded machine decides that); the growth of the work is,
    /// above.
    #[test]
    fn megabytes_of_speakers_stop_at_the_time_limit() {
        use crate::{Input, InputKind, Limits, Pipeline};
        let text = name_bearing_text(100_000);
        assert!(text.len() > 3_000_000, "{} bytes", text.len());
        let pipeline = Pipeline::new(Limits {
            max_time_per_document: Some(std::time::Duration::from_millis(500)),
            ..Limits::default()
        });
        let input = Input {
            kind: InputKind::Text,
            ..Input::new(text.as_bytes())
        };
        match pipeline.process(&input) {
            Ok(record) => {
                record.check_spans().unwrap();
                assert!(
                    record
                        .warnings
                        .iter()
                        .any(|w| w.starts_with("time limit of 0.5 s reached")),
                    "{:?}",
                    record.warnings
                );
            }
            Err(e) => assert!(matches!(e, crate::Error::TimeLimit { .. }), "{e}"),
        }
    }
}
