//! Word lists the attribution rules read: reporting cues with their lemma,
//! stance and frame, nominal cues, and the closed classes that bound noun
//! phrases. Built once into hash maps on first use.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use crate::record::Stance;

/// What may follow a verbal cue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    /// A clause, a quote or nothing ("said (that) …").
    Clause,
    /// An addressee, then a clause ("told reporters (that) …").
    Addressee,
    /// An object noun phrase ("denied the accusations").
    Object,
    /// A to-infinitive or an object ("wants to …", "offered to …").
    Intent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cue {
    pub lemma: &'static str,
    pub stance: Stance,
    pub frame: Frame,
    /// How many words the cue spans ("stands by" = 2).
    pub words: usize,
}

use Frame::*;
use Stance::*;

/// lemma, inflected forms (space separated), stance, frame.
const VERBS: &[(&str, &str, Stance, Frame)] = &[
    ("say", "say says said saying", Asserts, Clause),
    ("tell", "tell tells told telling", Asserts, Addressee),
    ("claim", "claim claims claimed claiming", Asserts, Clause),
    ("state", "state states stated stating", Asserts, Clause),
    ("add", "add adds added adding", Asserts, Clause),
    ("note", "note notes noted noting", Asserts, Clause),
    (
        "explain",
        "explain explains explained explaining",
        Asserts,
        Clause,
    ),
    ("argue", "argue argues argued arguing", Asserts, Clause),
    (
        "insist",
        "insist insists insisted insisting",
        Asserts,
        Clause,
    ),
    (
        "declare",
        "declare declares declared declaring",
        Asserts,
        Clause,
    ),
    (
        "announce",
        "announce announces announced announcing",
        Asserts,
        Clause,
    ),
    (
        "write",
        "write writes wrote written writing",
        Asserts,
        Clause,
    ),
    ("tweet", "tweet tweets tweeted tweeting", Asserts, Clause),
    ("post", "posted", Asserts, Clause),
    (
        "assert",
        "assert asserts asserted asserting",
        Asserts,
        Clause,
    ),
    (
        "contend",
        "contend contends contended contending",
        Asserts,
        Clause,
    ),
    (
        "maintain",
        "maintain maintains maintained maintaining",
        Asserts,
        Clause,
    ),
    (
        "emphasize",
        "emphasize emphasizes emphasized emphasizing emphasise emphasised",
        Asserts,
        Clause,
    ),
    (
        "stress",
        "stress stresses stressed stressing",
        Asserts,
        Clause,
    ),
    (
        "remark",
        "remark remarks remarked remarking",
        Asserts,
        Clause,
    ),
    ("comment", "commented commenting", Asserts, Clause),
    (
        "respond",
        "respond responds responded responding",
        Asserts,
        Clause,
    ),
    ("reply", "reply replies replied replying", Asserts, Clause),
    ("answer", "answered answering", Asserts, Clause),
    ("ask", "ask asks asked asking", Asserts, Addressee),
    (
        "suggest",
        "suggest suggests suggested suggesting",
        Asserts,
        Clause,
    ),
    ("warn", "warn warns warned warning", Asserts, Addressee),
    (
        "predict",
        "predict predicts predicted predicting",
        Asserts,
        Clause,
    ),
    (
        "promise",
        "promise promises promised promising",
        Intends,
        Intent,
    ),
    ("vow", "vow vows vowed vowing", Intends, Intent),
    ("pledge", "pledge pledges pledged pledging", Intends, Intent),
    ("accuse", "accuse accuses accused accusing", Asserts, Object),
    ("charge", "charged charging", Asserts, Clause),
    ("allege", "allege alleges alleged alleging", Asserts, Clause),
    (
        "testify",
        "testify testifies testified testifying",
        Asserts,
        Clause,
    ),
    ("boast", "boast boasts boasted boasting", Asserts, Clause),
    (
        "complain",
        "complain complains complained complaining",
        Asserts,
        Clause,
    ),
    ("joke", "joked joking", Asserts, Clause),
    (
        "recall",
        "recall recalls recalled recalling",
        Asserts,
        Clause,
    ),
    (
        "describe",
        "describe describes described describing",
        Asserts,
        Object,
    ),
    ("call", "call calls called calling", Asserts, Object),
    ("urge", "urge urges urged urging", Asserts, Addressee),
    (
        "mention",
        "mention mentions mentioned mentioning",
        Asserts,
        Clause,
    ),
    (
        "indicate",
        "indicate indicates indicated indicating",
        Asserts,
        Clause,
    ),
    ("signal", "signaled signalled signaling", Asserts, Clause),
    ("hint", "hinted hinting", Asserts, Clause),
    (
        "conclude",
        "conclude concludes concluded concluding",
        Asserts,
        Clause,
    ),
    ("observe", "observed observing", Asserts, Clause),
    ("continue", "continued", Asserts, Clause),
    (
        "acknowledge",
        "acknowledge acknowledges acknowledged acknowledging",
        Affirms,
        Clause,
    ),
    ("admit", "admit admits admitted admitting", Affirms, Clause),
    (
        "concede",
        "concede concedes conceded conceding",
        Affirms,
        Clause,
    ),
    (
        "confirm",
        "confirm confirms confirmed confirming",
        Affirms,
        Clause,
    ),
    (
        "reaffirm",
        "reaffirm reaffirms reaffirmed reaffirming",
        Affirms,
        Object,
    ),
    (
        "affirm",
        "affirm affirms affirmed affirming",
        Affirms,
        Clause,
    ),
    (
        "reiterate",
        "reiterate reiterates reiterated reiterating",
        Affirms,
        Clause,
    ),
    ("agree", "agree agrees agreed agreeing", Affirms, Clause),
    (
        "defend",
        "defend defends defended defending",
        Affirms,
        Object,
    ),
    ("verify", "verified", Affirms, Clause),
    ("deny", "deny denies denied denying", Denies, Object),
    (
        "reject",
        "reject rejects rejected rejecting",
        Denies,
        Object,
    ),
    (
        "dismiss",
        "dismiss dismisses dismissed dismissing",
        Denies,
        Object,
    ),
    ("refute", "refute refutes refuted refuting", Denies, Object),
    (
        "dispute",
        "dispute disputes disputed disputing",
        Denies,
        Object,
    ),
    ("rebut", "rebut rebuts rebutted rebutting", Denies, Object),
    (
        "disavow",
        "disavow disavows disavowed disavowing",
        Denies,
        Object,
    ),
    ("contradict", "contradicted contradicting", Denies, Object),
    (
        "believe",
        "believe believes believed believing",
        Believes,
        Clause,
    ),
    ("think", "think thinks thought", Believes, Clause),
    ("feel", "feel feels felt", Believes, Clause),
    ("suspect", "suspect suspects suspected", Believes, Clause),
    ("expect", "expect expects expected", Believes, Clause),
    ("assume", "assume assumes assumed", Believes, Clause),
    ("hope", "hope hopes hoped hoping", Intends, Intent),
    ("fear", "fear fears feared", Believes, Clause),
    ("worry", "worry worries worried", Believes, Clause),
    ("trust", "trusts trusted", Believes, Object),
    ("know", "knows knew", Believes, Clause),
    ("doubt", "doubt doubts doubted doubting", Doubts, Clause),
    (
        "question",
        "question questions questioned questioning",
        Doubts,
        Object,
    ),
    (
        "wonder",
        "wonder wonders wondered wondering",
        Doubts,
        Clause,
    ),
    ("challenge", "challenged challenging", Doubts, Object),
    (
        "criticize",
        "criticize criticizes criticized criticizing criticise criticised",
        Asserts,
        Object,
    ),
    ("praise", "praise praises praised praising", Asserts, Object),
    (
        "report",
        "report reports reported reporting",
        Reports,
        Clause,
    ),
    ("find", "find finds found", Reports, Clause),
    ("show", "show shows showed shown", Reports, Clause),
    (
        "reveal",
        "reveal reveals revealed revealing",
        Reports,
        Clause,
    ),
    ("disclose", "disclosed disclosing", Reports, Clause),
    ("cite", "cite cites cited citing", Reports, Object),
    ("want", "want wants wanted wanting", Intends, Intent),
    ("plan", "plans planned planning", Intends, Intent),
    (
        "intend",
        "intend intends intended intending",
        Intends,
        Intent,
    ),
    ("seek", "seek seeks sought seeking", Intends, Intent),
    ("wish", "wish wishes wished", Intends, Intent),
    ("offer", "offer offers offered offering", Intends, Intent),
    (
        "threaten",
        "threaten threatens threatened threatening",
        Intends,
        Intent,
    ),
    ("decide", "decide decides decided", Intends, Intent),
    ("refuse", "refuse refuses refused refusing", Intends, Intent),
    ("decline", "declined declining", Intends, Intent),
];

/// Two-word cues read as one: first word's forms, second word, lemma.
const PHRASAL: &[(&str, &str, &str, Stance, Frame)] = &[
    ("stand", "by", "stand by", Affirms, Object),
    ("point", "out", "point out", Asserts, Clause),
    ("call", "for", "call for", Intends, Object),
    (
        "express",
        "skepticism",
        "express skepticism",
        Doubts,
        Object,
    ),
    ("express", "doubt", "express doubt", Doubts, Object),
    ("express", "doubts", "express doubt", Doubts, Object),
    ("express", "concern", "express concern", Doubts, Object),
    (
        "express",
        "confidence",
        "express confidence",
        Believes,
        Object,
    ),
    ("refer", "to", "refer to", Asserts, Object),
    ("insist", "on", "insist on", Asserts, Object),
];

const PHRASAL_FORMS: &[(&str, &str)] = &[
    ("stand", "stand stands stood standing"),
    ("point", "point points pointed pointing"),
    ("call", "call calls called calling"),
    ("express", "express expresses expressed expressing"),
    ("refer", "refer refers referred referring"),
    ("insist", "insist insists insisted insisting"),
];

/// Nouns that carry a reported content ("his insistence that …").
const NOUNS: &[(&str, &str, Stance)] = &[
    ("statement", "statement statements", Asserts),
    ("insistence", "insistence", Asserts),
    ("claim", "claim claims", Asserts),
    ("assertion", "assertion assertions", Asserts),
    ("argument", "argument", Asserts),
    ("announcement", "announcement", Asserts),
    ("allegation", "allegation allegations", Asserts),
    ("accusation", "accusation accusations", Asserts),
    ("warning", "warning warnings", Asserts),
    ("suggestion", "suggestion", Asserts),
    ("remark", "remarks", Asserts),
    ("comment", "comments", Asserts),
    ("testimony", "testimony", Asserts),
    ("denial", "denial denials", Denies),
    ("admission", "admission", Affirms),
    ("confirmation", "confirmation", Affirms),
    ("belief", "belief beliefs", Believes),
    ("view", "view", Believes),
    ("fear", "fear fears", Believes),
    ("hope", "hope", Intends),
    ("promise", "promise pledge", Intends),
    ("doubt", "doubts", Doubts),
    ("report", "report", Reports),
    ("finding", "finding findings", Reports),
    ("assessment", "assessment", Reports),
    ("conclusion", "conclusion", Reports),
];

/// Words before a cue that belong to it (PolNeAR marks "has said",
/// "also said").
pub const CUE_PREFIX: &[&str] = &[
    "has",
    "have",
    "had",
    "will",
    "would",
    "was",
    "is",
    "were",
    "are",
    "be",
    "been",
    "did",
    "does",
    "do",
    "could",
    "may",
    "might",
    "should",
    "can",
    "must",
    "also",
    "previously",
    "repeatedly",
    "reportedly",
    "later",
    "again",
    "once",
    "then",
    "never",
    "not",
    "n't",
    "already",
    "still",
    "often",
    "publicly",
    "privately",
    "recently",
    "just",
    "even",
    "always",
    "long",
    "further",
    "quickly",
    "first",
    "since",
    "now",
    "yet",
    "flatly",
    "strongly",
    "firmly",
    "seem",
    "seems",
    "seemed",
    "appear",
    "appears",
    "appeared",
    "to",
    "didn’t",
    "didn't",
    "doesn’t",
    "doesn't",
    "don’t",
    "don't",
    "hasn’t",
    "hasn't",
    "haven’t",
    "haven't",
    "won’t",
    "won't",
    "wouldn’t",
    "wouldn't",
    "isn’t",
    "isn't",
    "wasn’t",
    "wasn't",
    "cannot",
    "can’t",
    "can't",
    "outright",
    "exactly",
    "directly",
];

pub const NEGATIONS: &[&str] = &[
    "not",
    "never",
    "n't",
    "didn’t",
    "didn't",
    "doesn’t",
    "doesn't",
    "don’t",
    "don't",
    "hasn’t",
    "hasn't",
    "haven’t",
    "haven't",
    "won’t",
    "won't",
    "wouldn’t",
    "wouldn't",
    "isn’t",
    "isn't",
    "wasn’t",
    "wasn't",
    "cannot",
    "can’t",
    "can't",
];

/// Lower-case words that end a noun phrase walked leftwards or rightwards.
const NP_STOP: &[&str] = &[
    "and",
    "or",
    "but",
    "nor",
    "so",
    "yet",
    "if",
    "when",
    "while",
    "because",
    "although",
    "though",
    "since",
    "after",
    "before",
    "until",
    "unless",
    "whether",
    "that",
    "which",
    "who",
    "whom",
    "whose",
    "where",
    "what",
    "why",
    "how",
    "to",
    "in",
    "on",
    "at",
    "by",
    "with",
    "from",
    "into",
    "onto",
    "about",
    "against",
    "during",
    "over",
    "under",
    "between",
    "through",
    "without",
    "as",
    "than",
    "like",
    "for",
    "is",
    "was",
    "are",
    "were",
    "be",
    "been",
    "being",
    "has",
    "have",
    "had",
    "do",
    "does",
    "did",
    "will",
    "would",
    "can",
    "could",
    "may",
    "might",
    "must",
    "should",
    "shall",
    "not",
    "also",
    "then",
    "there",
    "here",
    "it",
    "him",
    "them",
    "us",
    "me",
    "you",
    "this",
    "these",
    "those",
    "however",
    "meanwhile",
    "instead",
    "just",
    "only",
    "even",
    "still",
    "now",
    "again",
    "too",
    "very",
    "said",
    "says",
    "say",
    "told",
    "its",
    "because",
    "upon",
    "via",
    "per",
    "whereas",
    "rather",
    "ever",
    "never",
    "always",
    "simply",
    "already",
    "soon",
    "perhaps",
    "maybe",
];

/// Determiners that open a noun phrase (and end a leftward walk).
pub const DETERMINERS: &[&str] = &[
    "the", "a", "an", "his", "her", "their", "our", "my", "your", "its", "this", "that", "these",
    "those", "some", "many", "most", "several", "both", "two", "three", "four", "other", "another",
    "each", "every", "all", "any", "few", "no",
];

pub const SUBJECT_PRONOUNS: &[&str] = &["he", "she", "they", "i", "we", "you", "it"];

/// FNV-1a with a final multiply: the tables are looked up for every
/// token with short words, and SipHash's defence against chosen keys buys
/// nothing for a fixed table.
struct WordHasher(u64);

impl Default for WordHasher {
    fn default() -> Self {
        WordHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        // hashbrown reads both the low and the top bits.
        (self.0 ^ self.0 >> 29).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

type WordTable<V> = HashMap<&'static str, V, BuildHasherDefault<WordHasher>>;

/// What a verb form starts: its phrasal cues by particle, and its own cue.
/// One entry per form, so a token costs one lookup, not two.
#[derive(Default)]
struct VerbForm {
    phrasal: Vec<(&'static str, Cue)>,
    cue: Option<Cue>,
}

struct Tables {
    verbs: WordTable<VerbForm>,
    nouns: WordTable<Cue>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut verbs = WordTable::default();
        for &(lemma, forms, stance, frame) in VERBS {
            for form in forms.split(' ') {
                verbs.entry(form).or_insert_with(VerbForm::default).cue = Some(Cue {
                    lemma,
                    stance,
                    frame,
                    words: 1,
                });
            }
        }
        for &(head, particle, lemma, stance, frame) in PHRASAL {
            let forms = PHRASAL_FORMS
                .iter()
                .find(|(h, _)| *h == head)
                .map_or(head, |(_, f)| *f);
            for form in forms.split(' ') {
                let cue = Cue {
                    lemma,
                    stance,
                    frame,
                    words: 2,
                };
                let known: &mut VerbForm = verbs.entry(form).or_default();
                // A later entry for the same pair wins, as a map insert would.
                match known.phrasal.iter_mut().find(|(p, _)| *p == particle) {
                    Some(slot) => slot.1 = cue,
                    None => known.phrasal.push((particle, cue)),
                }
            }
        }
        let mut nouns = WordTable::default();
        for &(lemma, forms, stance) in NOUNS {
            for form in forms.split(' ') {
                nouns.insert(
                    form,
                    Cue {
                        lemma,
                        stance,
                        frame: Clause,
                        words: 1,
                    },
                );
            }
        }
        Tables { verbs, nouns }
    })
}

/// Lower-cases ASCII into `buf` (cue words are ASCII); `None` for words
/// too long to be cues.
fn lower<'b>(word: &str, buf: &'b mut [u8; 24]) -> Option<&'b str> {
    let bytes = word.as_bytes();
    if bytes.len() > buf.len() || !word.is_ascii() {
        return None;
    }
    for (d, s) in buf.iter_mut().zip(bytes) {
        *d = s.to_ascii_lowercase();
    }
    std::str::from_utf8(&buf[..bytes.len()]).ok()
}

/// The verbal cue that `word` (and `next`, for phrasal cues) forms.
pub fn verb_cue(word: &str, next: Option<&str>) -> Option<Cue> {
    let t = tables();
    let mut a = [0u8; 24];
    let w = lower(word, &mut a)?;
    let form = t.verbs.get(w)?;
    if let Some(next) = next {
        if !form.phrasal.is_empty() {
            let mut b = [0u8; 24];
            if let Some(n) = lower(next, &mut b) {
                if let Some((_, cue)) = form.phrasal.iter().find(|(p, _)| *p == n) {
                    return Some(*cue);
                }
            }
        }
    }
    form.cue
}

pub fn noun_cue(word: &str) -> Option<Cue> {
    let mut a = [0u8; 24];
    let w = lower(word, &mut a)?;
    tables().nouns.get(w).copied()
}

pub fn is_in(word: &str, list: &[&str]) -> bool {
    word.len() <= 12 && list.iter().any(|w| w.eq_ignore_ascii_case(word))
}

/// A word list for the lists asked about for every token: the same answers
/// as [`is_in`] (words of at most 12 bytes, ASCII case ignored) from one
/// hash lookup instead of a scan.
pub struct WordSet(std::collections::HashSet<Vec<u8>, BuildHasherDefault<WordHasher>>);

impl WordSet {
    pub fn new(list: &[&str]) -> WordSet {
        WordSet(
            list.iter()
                .map(|w| w.to_ascii_lowercase().into_bytes())
                .collect(),
        )
    }

    pub fn contains(&self, word: &str) -> bool {
        let mut buf = [0u8; 12];
        let Some(lowered) = buf.get_mut(..word.len()) else {
            return false;
        };
        for (d, s) in lowered.iter_mut().zip(word.as_bytes()) {
            *d = s.to_ascii_lowercase();
        }
        self.0.contains(&*lowered)
    }
}

/// `is_in(word, list)` for a list asked about for every token or name:
/// the set is built on first use.
fn in_set(set: &'static OnceLock<WordSet>, list: &[&str], word: &str) -> bool {
    set.get_or_init(|| WordSet::new(list)).contains(word)
}

pub fn is_np_stop(word: &str) -> bool {
    static SET: OnceLock<WordSet> = OnceLock::new();
    in_set(&SET, NP_STOP, word)
}

/// `is_in(word, DETERMINERS)`.
pub fn is_determiner(word: &str) -> bool {
    static SET: OnceLock<WordSet> = OnceLock::new();
    in_set(&SET, DETERMINERS, word)
}

/// `is_in(word, CUE_PREFIX)`.
pub fn is_cue_prefix(word: &str) -> bool {
    static SET: OnceLock<WordSet> = OnceLock::new();
    in_set(&SET, CUE_PREFIX, word)
}

/// Stance after negation: not believing is doubting, not denying is
/// affirming, not confirming is doubting. Speech verbs keep their stance:
/// "did not say that X" reports no stance toward X worth flipping.
pub fn negate(stance: Stance) -> Stance {
    match stance {
        Believes => Doubts,
        Doubts => Believes,
        Denies => Affirms,
        Affirms => Doubts,
        other => other,
    }
}

/// Weekdays and other time words that may sit between a cue and its
/// content ("said Tuesday that …").
pub const TIME_WORDS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "today",
    "yesterday",
    "tonight",
    "recently",
    "later",
    "earlier",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::type_complexity)]
    fn cues_table() {
        let rows: &[(&str, Option<&str>, Option<(&str, Stance)>)] = &[
            ("said", None, Some(("say", Asserts))),
            ("Denies", None, Some(("deny", Denies))),
            ("stood", Some("by"), Some(("stand by", Affirms))),
            ("Stands", Some("By"), Some(("stand by", Affirms))),
            (
                "expressed",
                Some("skepticism"),
                Some(("express skepticism", Doubts)),
            ),
            ("believes", Some("him"), Some(("believe", Believes))),
            ("table", None, None),
            ("ñandú", None, None),
        ];
        for (word, next, expected) in rows {
            let got = verb_cue(word, *next).map(|c| (c.lemma, c.stance));
            assert_eq!(got, *expected, "{word} {next:?}");
        }
        assert_eq!(noun_cue("insistence").map(|c| c.lemma), Some("insistence"));
        assert_eq!(negate(Believes), Doubts);
    }

    #[test]
    fn per_token_lists_answer_like_is_in() {
        type Asks = fn(&str) -> bool;
        let lists: [(&[&str], Asks); 3] = [
            (NP_STOP, is_np_stop),
            (DETERMINERS, is_determiner),
            (CUE_PREFIX, is_cue_prefix),
        ];
        for (list, asks) in lists {
            for word in list.iter().chain(&["Senator", "said", "", "reportedly"]) {
                for form in [word.to_string(), word.to_uppercase(), word.to_lowercase()] {
                    assert_eq!(asks(&form), is_in(&form, list), "{form}");
                }
            }
        }
        assert!(is_determiner("The") && is_cue_prefix("NOT") && !is_np_stop("Senator"));
    }

    #[test]
    fn word_set_answers_like_is_in() {
        let list = ["the", "Senator", "ñu", "twelve-chars", "thirteen-char"];
        let set = WordSet::new(&list);
        for word in [
            "the",
            "THE",
            "senator",
            "SENATOR",
            "Ñu",
            "ñU",
            "twelve-CHARS",
            "thirteen-char",
            "",
            "sen",
        ] {
            assert_eq!(set.contains(word), is_in(word, &list), "{word}");
        }
    }
}
