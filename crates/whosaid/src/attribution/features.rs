//! Tokens and features for the learned attribution tagger.
//!
//! Features are 64-bit hashes of a template id and its values, computed
//! without building strings: each token's lower-cased word is hashed once
//! and window features combine those hashes. The same code runs at training
//! and tagging time, so the model sees exactly the features it was trained
//! on. Templates are listed in DESIGN.md ("Learned tagger").

use crate::attribution::text::{Analysis, QuoteDirection, QuoteLevel, TokenKind};

/// What kind of quotation mark a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteMark {
    None,
    /// “ « „ or a straight `"` that opens.
    OpenDouble,
    /// ” » or a straight `"` that closes.
    CloseDouble,
    /// ‘ or a straight `'` that opens.
    OpenSingle,
    /// ’ or `'` that closes a single quotation.
    CloseSingle,
}

/// Per-token facts computed once per paragraph.
#[derive(Debug, Clone, Copy)]
pub struct TokInfo {
    pub word: u64,
    pub suffix: u64,
    pub shape: u8,
    pub quote: QuoteMark,
    /// Inside a double quotation (the marks themselves excluded).
    pub in_quote: bool,
    pub in_single: bool,
    pub cue: bool,
    pub pronoun: bool,
    pub sentence: u32,
    pub sentence_start: bool,
    pub sentence_end: bool,
    /// Distributional word class ([`WordClasses`]), 0 for an unknown word.
    pub class: u16,
    /// The class's group: a coarser partition of the same words.
    pub group: u16,
    /// Hash of the word without an inflection ending ([`stem_hash`]).
    pub stem: u64,
    /// How often the word played each role in the training annotations
    /// ([`RolePriors`]), packed; 0 for a word too rare to say.
    pub prior: u16,
    /// The same for the word's stem.
    pub stem_prior: u16,
}

// Shapes: coarse classes of how a token is written.
const SHAPE_LOWER: u8 = 0;
const SHAPE_CAP: u8 = 1;
const SHAPE_UPPER: u8 = 2;
const SHAPE_DIGIT: u8 = 3;
const SHAPE_MIXED: u8 = 4;
const SHAPE_PUNCT: u8 = 5;
const SHAPE_QUOTE: u8 = 6;
const SHAPE_COLON: u8 = 7;
const SHAPE_DASH: u8 = 8;
const SHAPE_END: u8 = 9;
const SHAPE_COMMA: u8 = 10;

/// Mixes two 64-bit values into one (a multiply-xorshift step).
#[inline]
pub fn mix(a: u64, b: u64) -> u64 {
    let x = (a ^ b.rotate_left(29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^ (x >> 31)
}

/// FNV-1a over the lower-cased characters, folding curly apostrophes.
fn hash_lower(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    // Most words are ASCII: byte by byte, the same hash without the
    // per-character case-mapping iterator.
    if s.is_ascii() {
        for &b in s.as_bytes() {
            h ^= b.to_ascii_lowercase() as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        return h;
    }
    for c in s.chars() {
        let c = if c == '\u{2019}' { '\'' } else { c };
        for l in c.to_lowercase() {
            h ^= l as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// The hash of a lower-case word, as [`TokInfo::word`] holds it.
pub fn word_hash(word: &str) -> u64 {
    hash_lower(word)
}

/// Inflection endings cut off for [`stem_hash`], longest first.
const STEM_ENDINGS: [&str; 5] = ["ing", "ed", "es", "s", "e"];

/// The hash of a word without one inflection ending ("supported",
/// "supports", "supporting" → "support"; "ridiculed", "ridicule" →
/// "ridicul"), so that a role prior reaches forms too rare to have their
/// own. Crude on purpose: only ASCII words of at least 3 letters left are
/// cut; anything else is its own stem. `whole` is the word's hash.
pub fn stem_hash(word: &str, whole: u64) -> u64 {
    // Stems are hashed apart from words, so that "rat" (from "rates") and
    // the word "rat" do not share a key.
    const STEM: u64 = 0x5_7e4d;
    let bytes = word.as_bytes();
    if word.is_ascii() {
        for ending in STEM_ENDINGS {
            let e = ending.as_bytes();
            if bytes.len() >= e.len() + 3 && bytes[bytes.len() - e.len()..].eq_ignore_ascii_case(e)
            {
                return mix(hash_lower(&word[..bytes.len() - e.len()]), STEM);
            }
        }
    }
    mix(whole, STEM)
}

fn shape(s: &str) -> u8 {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return SHAPE_PUNCT;
    };
    if !first.is_alphanumeric() {
        return match first {
            '"' | '\'' | '\u{201C}' | '\u{201D}' | '\u{2018}' | '\u{2019}' | '\u{00AB}'
            | '\u{00BB}' | '\u{201E}' => SHAPE_QUOTE,
            ':' => SHAPE_COLON,
            '-' | '\u{2013}' | '\u{2014}' | '\u{2015}' | '|' => SHAPE_DASH,
            '.' | '!' | '?' => SHAPE_END,
            ',' | ';' => SHAPE_COMMA,
            _ => SHAPE_PUNCT,
        };
    }
    let (mut upper, mut lower, mut digit) = (0, 0, 0);
    for c in s.chars() {
        if c.is_uppercase() {
            upper += 1
        } else if c.is_lowercase() {
            lower += 1
        } else if c.is_ascii_digit() {
            digit += 1
        }
    }
    if digit > 0 && upper + lower == 0 {
        SHAPE_DIGIT
    } else if digit > 0 {
        SHAPE_MIXED
    } else if upper == 0 {
        SHAPE_LOWER
    } else if lower == 0 {
        SHAPE_UPPER
    } else if first.is_uppercase() {
        SHAPE_CAP
    } else {
        SHAPE_MIXED
    }
}

/// Reporting and attitude predicates, as lemmas; inflected forms are made
/// by [`cue_forms`]. Only a hint: the tagger learns cues from words too.
const CUE_LEMMAS: &[&str] = &[
    "say",
    "tell",
    "add",
    "write",
    "ask",
    "call",
    "note",
    "report",
    "announce",
    "suggest",
    "argue",
    "describe",
    "find",
    "tweet",
    "think",
    "want",
    "continue",
    "declare",
    "explain",
    "acknowledge",
    "accuse",
    "criticize",
    "believe",
    "claim",
    "deny",
    "insist",
    "warn",
    "urge",
    "recall",
    "respond",
    "reply",
    "state",
    "promise",
    "vow",
    "pledge",
    "predict",
    "reveal",
    "indicate",
    "confirm",
    "admit",
    "agree",
    "conclude",
    "contend",
    "assert",
    "maintain",
    "stress",
    "emphasize",
    "mention",
    "remark",
    "complain",
    "charge",
    "allege",
    "question",
    "doubt",
    "fear",
    "hope",
    "expect",
    "know",
    "feel",
    "worry",
    "praise",
    "blame",
    "defend",
    "dismiss",
    "reject",
    "propose",
    "recommend",
    "predict",
    "estimate",
    "show",
    "cite",
    "quote",
    "joke",
    "boast",
    "brag",
    "concede",
    "observe",
    "point",
    "testify",
    "announce",
    "inform",
    "assure",
    "remind",
    "demand",
    "plan",
    "intend",
    "decide",
    "refuse",
    "decline",
    "support",
    "oppose",
    "endorse",
    "seem",
    "appear",
    "suspect",
    "wonder",
    "conclude",
    "speculate",
    "signal",
    "hint",
    "imply",
    "repeat",
    "reiterate",
    "reaffirm",
    "clarify",
    "counter",
    "retort",
    "scoff",
    "shout",
    "yell",
    "whisper",
    "post",
    "email",
    "text",
    "refer",
    "seek",
    "welcome",
    "condemn",
    "attack",
    "slam",
    "chant",
    "echo",
    "discuss",
    "mock",
    "ridicule",
    "prefer",
    "view",
    "consider",
    "accept",
    "denounce",
    "decry",
    "back",
    "criticise",
    "applaud",
    "caution",
    "threaten",
    "reckon",
    "guess",
];

const IRREGULAR: &[&str] = &[
    "said",
    "told",
    "wrote",
    "written",
    "thought",
    "knew",
    "known",
    "felt",
    "found",
    "shown",
    "says",
    "according",
    "statement",
    "interview",
    "told",
    "sought",
    "saw",
    "seen",
];

/// Inflected forms of a lemma: -s, -ed, -ing with the common spelling rules.
fn cue_forms(lemma: &str) -> [String; 4] {
    let stem_e = lemma.strip_suffix('e');
    let (third, past, ing) = if let Some(stem) = lemma
        .strip_suffix('y')
        .filter(|s| !s.ends_with(['a', 'e', 'o', 'u']))
    {
        (
            format!("{stem}ies"),
            format!("{stem}ied"),
            format!("{lemma}ing"),
        )
    } else if let Some(stem) = stem_e {
        (
            format!("{lemma}s"),
            format!("{lemma}d"),
            format!("{stem}ing"),
        )
    } else if lemma.ends_with(['s', 'x', 'z']) || lemma.ends_with("sh") || lemma.ends_with("ch") {
        (
            format!("{lemma}es"),
            format!("{lemma}ed"),
            format!("{lemma}ing"),
        )
    } else {
        (
            format!("{lemma}s"),
            format!("{lemma}ed"),
            format!("{lemma}ing"),
        )
    };
    [lemma.to_string(), third, past, ing]
}

const PRONOUNS: &[&str] = &[
    "he", "she", "they", "i", "we", "you", "it", "who", "him", "her", "them",
];

/// Keys that are already word hashes need one multiply, not SipHash: these
/// maps are looked up for every token.
#[derive(Default, Clone, Copy)]
pub struct WordHasher(u64);

impl std::hash::Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (n ^ self.0).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type WordBuild = std::hash::BuildHasherDefault<WordHasher>;
pub type WordMap<V> = std::collections::HashMap<u64, V, WordBuild>;
type WordSet = std::collections::HashSet<u64, WordBuild>;

/// Hash sets of the lexicons, built once.
struct Lexicons {
    cues: WordSet,
    pronouns: WordSet,
}

fn lexicons() -> &'static Lexicons {
    static LEX: std::sync::OnceLock<Lexicons> = std::sync::OnceLock::new();
    LEX.get_or_init(|| {
        let mut cues = WordSet::default();
        for lemma in CUE_LEMMAS {
            for form in cue_forms(lemma) {
                cues.insert(hash_lower(&form));
            }
        }
        for w in IRREGULAR {
            cues.insert(hash_lower(w));
        }
        let pronouns = PRONOUNS.iter().map(|w| hash_lower(w)).collect();
        Lexicons { cues, pronouns }
    })
}

/// Whether a lower-case word hash is in the reporting-verb lexicon.
pub fn is_cue_word(hash: u64) -> bool {
    lexicons().cues.contains(&hash)
}

/// Facts about each token of paragraph `paragraph` of the analysis:
/// quotation state, sentence position, lexicon membership.
pub fn analyse(text: &str, analysis: &Analysis, paragraph: usize, out: &mut Vec<TokInfo>) {
    out.clear();
    let Some(para) = analysis.paragraphs.get(paragraph) else {
        return;
    };
    let lex = lexicons();
    let tokens = &analysis.tokens[para.tokens.clone()];
    out.reserve(tokens.len());
    let mut in_double = false;
    let mut in_single = false;
    for t in tokens {
        let s = t.text(text);
        let word = hash_lower(s);
        let quote = match t.kind {
            TokenKind::Quote(q) => {
                let opening = match q.direction {
                    QuoteDirection::Opening => true,
                    QuoteDirection::Closing => false,
                    QuoteDirection::Ambiguous => match q.level {
                        QuoteLevel::Double => !in_double,
                        QuoteLevel::Single => !in_single,
                    },
                };
                match (q.level, opening) {
                    (QuoteLevel::Double, true) => QuoteMark::OpenDouble,
                    (QuoteLevel::Double, false) => QuoteMark::CloseDouble,
                    (QuoteLevel::Single, true) => QuoteMark::OpenSingle,
                    (QuoteLevel::Single, false) => QuoteMark::CloseSingle,
                }
            }
            _ => QuoteMark::None,
        };
        match quote {
            QuoteMark::OpenDouble => in_double = true,
            QuoteMark::CloseDouble => {
                in_double = false;
                in_single = false;
            }
            QuoteMark::OpenSingle => in_single = true,
            QuoteMark::CloseSingle => in_single = false,
            QuoteMark::None => {}
        }
        let inside = in_double && quote != QuoteMark::OpenDouble;
        let suffix = {
            let mut cut = s.len().saturating_sub(3);
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            hash_lower(&s[cut..])
        };
        out.push(TokInfo {
            word,
            suffix,
            shape: shape(s),
            quote,
            in_quote: inside,
            in_single,
            cue: lex.cues.contains(&word),
            pronoun: lex.pronouns.contains(&word),
            sentence: 0,
            sentence_start: false,
            sentence_end: false,
            class: 0,
            group: 0,
            stem: stem_hash(s, word),
            prior: 0,
            stem_prior: 0,
        });
    }
    let base = para.tokens.start;
    for (k, si) in para.sentences.clone().enumerate() {
        let Some(sentence) = analysis.sentences.get(si) else {
            continue;
        };
        let range =
            sentence.tokens.start.saturating_sub(base)..sentence.tokens.end.saturating_sub(base);
        let range = range.start.min(out.len())..range.end.min(out.len());
        if range.is_empty() {
            continue;
        }
        for t in &mut out[range.clone()] {
            t.sentence = k as u32;
        }
        out[range.start].sentence_start = true;
        out[range.end - 1].sentence_end = true;
    }
}

/// Number of fine word classes and of their groups.
pub const CLASSES: usize = 256;
pub const GROUPS: usize = 32;
/// Words seen fewer times in the training text get no class.
const CLASS_MIN_COUNT: u32 = 4;
/// Neighbours are described by the most frequent words (plus "other").
const CONTEXT_WORDS: usize = 300;
const KMEANS_ROUNDS: usize = 10;

/// Distributional word classes learned from the training text: words that
/// occur between the same neighbours share a class, so a rare cue ("has
/// backed") or title looks like the common ones. Spherical k-means over
/// neighbour counts, then k-means over the class centres for the groups;
/// deterministic (frequency order, fixed initialisation, sequential sums).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WordClasses {
    /// Word hash to class index (0-based).
    pub(crate) class: WordMap<u8>,
    /// Class index to group index.
    pub(crate) group: Vec<u8>,
}

/// A sparse unit vector: sorted dimensions and their values.
type Sparse = Vec<(u32, f32)>;

impl WordClasses {
    pub fn is_empty(&self) -> bool {
        self.class.is_empty()
    }

    pub fn len(&self) -> usize {
        self.class.len()
    }

    /// Learns classes from the tokens of paragraphs (already analysed).
    pub fn learn<'a>(paragraphs: impl Iterator<Item = &'a [TokInfo]> + Clone) -> WordClasses {
        let mut counts: std::collections::HashMap<u64, u32> = std::collections::HashMap::new();
        for p in paragraphs.clone() {
            for t in p {
                *counts.entry(t.word).or_default() += 1;
            }
        }
        let mut vocab: Vec<(u64, u32)> = counts
            .into_iter()
            .filter(|&(_, c)| c >= CLASS_MIN_COUNT)
            .collect();
        vocab.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        if vocab.len() < CLASSES {
            return WordClasses::default();
        }
        let index: std::collections::HashMap<u64, u32> = vocab
            .iter()
            .enumerate()
            .map(|(i, &(w, _))| (w, i as u32))
            .collect();
        let context = |w: u64| -> u32 {
            index
                .get(&w)
                .map_or(CONTEXT_WORDS as u32, |&i| i.min(CONTEXT_WORDS as u32))
        };
        const EDGE: u32 = CONTEXT_WORDS as u32 + 1;
        let width = (CONTEXT_WORDS + 2) as u32;
        let mut neighbours: Vec<std::collections::HashMap<u32, f32>> =
            vec![std::collections::HashMap::new(); vocab.len()];
        for p in paragraphs {
            for (i, t) in p.iter().enumerate() {
                let Some(&w) = index.get(&t.word) else {
                    continue;
                };
                for (slot, offset) in [-2isize, -1, 1, 2].iter().enumerate() {
                    let j = i as isize + offset;
                    let c = if j < 0 || j as usize >= p.len() {
                        EDGE
                    } else {
                        context(p[j as usize].word)
                    };
                    *neighbours[w as usize]
                        .entry(slot as u32 * width + c)
                        .or_default() += 1.0;
                }
            }
        }
        let vectors: Vec<Sparse> = neighbours
            .into_iter()
            .map(|m| {
                let mut v: Sparse = m.into_iter().map(|(d, c)| (d, c.sqrt())).collect();
                v.sort_unstable_by_key(|&(d, _)| d);
                let norm = v.iter().map(|&(_, x)| x * x).sum::<f32>().sqrt().max(1e-9);
                for (_, x) in &mut v {
                    *x /= norm;
                }
                v
            })
            .collect();
        let dims = 4 * width as usize;
        // Start from words spread over the frequency ranks.
        let mut centres = vec![0f32; CLASSES * dims];
        for k in 0..CLASSES {
            for &(d, x) in &vectors[k * vectors.len() / CLASSES] {
                centres[k * dims + d as usize] = x;
            }
        }
        let assign = kmeans(&vectors, &mut centres, dims, CLASSES);
        let dense: Vec<Sparse> = (0..CLASSES)
            .map(|k| {
                centres[k * dims..(k + 1) * dims]
                    .iter()
                    .enumerate()
                    .filter(|(_, &x)| x != 0.0)
                    .map(|(d, &x)| (d as u32, x))
                    .collect()
            })
            .collect();
        let mut group_centres = vec![0f32; GROUPS * dims];
        for g in 0..GROUPS {
            for &(d, x) in &dense[g * CLASSES / GROUPS] {
                group_centres[g * dims + d as usize] = x;
            }
        }
        let group = kmeans(&dense, &mut group_centres, dims, GROUPS);
        WordClasses {
            class: vocab
                .iter()
                .zip(&assign)
                .map(|(&(w, _), &k)| (w, k))
                .collect(),
            group,
        }
    }

    /// Writes each token's class and group (1-based; 0 when unknown).
    pub fn assign(&self, info: &mut [TokInfo]) {
        for t in info {
            match self.class.get(&t.word) {
                Some(&k) => {
                    t.class = k as u16 + 1;
                    t.group = self.group.get(k as usize).map_or(0, |&g| g as u16 + 1);
                }
                None => {
                    t.class = 0;
                    t.group = 0;
                }
            }
        }
    }
}

/// Spherical k-means: each vector goes to the centre it has the largest dot
/// product with; centres are re-normalised means. Returns the assignment.
fn kmeans(vectors: &[Sparse], centres: &mut [f32], dims: usize, k: usize) -> Vec<u8> {
    let mut assign = vec![0u8; vectors.len()];
    for _ in 0..KMEANS_ROUNDS {
        for (v, a) in vectors.iter().zip(assign.iter_mut()) {
            let mut best = (f32::NEG_INFINITY, 0usize);
            for c in 0..k {
                let centre = &centres[c * dims..(c + 1) * dims];
                let dot: f32 = v.iter().map(|&(d, x)| centre[d as usize] * x).sum();
                if dot > best.0 {
                    best = (dot, c);
                }
            }
            *a = best.1 as u8;
        }
        let mut sums = vec![0f32; k * dims];
        let mut sizes = vec![0usize; k];
        for (v, &a) in vectors.iter().zip(&assign) {
            sizes[a as usize] += 1;
            for &(d, x) in v {
                sums[a as usize * dims + d as usize] += x;
            }
        }
        for c in 0..k {
            // An emptied class keeps its old centre.
            if sizes[c] == 0 {
                continue;
            }
            let s = &mut sums[c * dims..(c + 1) * dims];
            let norm = s.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-9);
            for (dst, &x) in centres[c * dims..(c + 1) * dims].iter_mut().zip(s.iter()) {
                *dst = x / norm;
            }
        }
    }
    assign
}

/// Words seen fewer times outside quotations get no role prior.
const PRIOR_MIN_COUNT: u32 = 3;
/// The roles a prior is counted for, in the order of their 3-bit fields:
/// inside a source, inside a cue, first and last token of a content.
const PRIOR_ROLES: usize = 4;

/// How often each word (and each stem) was part of a source or a cue, or
/// began or ended a content, in the training annotations, among its
/// occurrences outside quotations: a lexicon learnt from the gold spans.
/// PolNeAR's cues are broad ("support", "has faced ridicule", "were
/// rated"), far beyond any reporting-verb list, and a word's own weights
/// only exist once the word is frequent; a bucketed rate is shared by all
/// words with the same behaviour. Training computes it out of fold, so the
/// models learn how far to trust it on words whose labels they have not
/// seen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RolePriors {
    pub(crate) words: WordMap<u16>,
    pub(crate) stems: WordMap<u16>,
}

/// Packs role counts into [`TokInfo::prior`]: per role 3 bits of rate
/// bucket (1: never, then up to 7: at least three times in four), then 2
/// bits of how much evidence (under 10, under 100, more occurrences).
fn pack_prior(seen: u32, roles: &[u32; PRIOR_ROLES]) -> u16 {
    let mut packed = 0u16;
    for (r, &n) in roles.iter().enumerate() {
        let rate = n as f32 / seen.max(1) as f32;
        let b: u16 = match rate {
            x if x <= 0.0 => 1,
            x if x < 0.02 => 2,
            x if x < 0.1 => 3,
            x if x < 0.25 => 4,
            x if x < 0.5 => 5,
            x if x < 0.75 => 6,
            _ => 7,
        };
        packed |= b << (3 * r);
    }
    let evidence: u16 = match seen {
        0..=9 => 1,
        10..=99 => 2,
        _ => 3,
    };
    packed | evidence << (3 * PRIOR_ROLES)
}

/// The rate bucket of `role` (0 source, 1 cue, 2 content start, 3 content
/// end) in a packed prior; 0 when the word has none.
pub fn prior_bucket(packed: u16, role: usize) -> u64 {
    (packed >> (3 * role) & 7) as u64
}

impl RolePriors {
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn len(&self) -> usize {
        self.words.len() + self.stems.len()
    }

    /// Counts roles over paragraphs with their gold label indices (the
    /// tagger's: 0 Outside, then Begin, Inside, Last, Unit per role).
    pub fn learn<'a>(paragraphs: impl Iterator<Item = (&'a [TokInfo], &'a [usize])>) -> RolePriors {
        type Counts = std::collections::HashMap<u64, (u32, [u32; PRIOR_ROLES])>;
        let (mut words, mut stems) = (Counts::new(), Counts::new());
        for (info, gold) in paragraphs {
            for (t, &l) in info.iter().zip(gold) {
                if t.in_quote || t.quote != QuoteMark::None {
                    continue;
                }
                let kind = l.saturating_sub(1) % LABEL_KINDS;
                let role = label_role(l);
                let hits = [
                    role == 1,
                    role == 2,
                    role == 3 && matches!(kind, 0 | 3),
                    role == 3 && matches!(kind, 2 | 3),
                ];
                for key in [(&mut words, t.word), (&mut stems, t.stem)] {
                    let (map, k) = key;
                    let c = map.entry(k).or_default();
                    c.0 += 1;
                    for (n, hit) in c.1.iter_mut().zip(hits) {
                        *n += hit as u32;
                    }
                }
            }
        }
        let pack = |m: Counts| -> WordMap<u16> {
            m.into_iter()
                .filter(|(_, (seen, _))| *seen >= PRIOR_MIN_COUNT)
                .map(|(k, (seen, roles))| (k, pack_prior(seen, &roles)))
                .collect()
        };
        RolePriors {
            words: pack(words),
            stems: pack(stems),
        }
    }

    /// Writes each token's word and stem priors (0 when unknown).
    pub fn assign(&self, info: &mut [TokInfo]) {
        for t in info {
            t.prior = self.words.get(&t.word).copied().unwrap_or(0);
            t.stem_prior = self.stems.get(&t.stem).copied().unwrap_or(0);
        }
    }
}

// Template ids: one per feature kind. Changing any of these, or what a
// template hashes, needs a retrained model.
const T_BIAS: u64 = 1;
const T_W: u64 = 2;
const T_WM1: u64 = 3;
const T_WP1: u64 = 4;
const T_WM2: u64 = 5;
const T_WP2: u64 = 6;
const T_WM1_W: u64 = 7;
const T_W_WP1: u64 = 8;
const T_SHAPE: u64 = 9;
const T_SHAPES3: u64 = 10;
const T_SUFFIX: u64 = 11;
const T_QUOTE: u64 = 12;
const T_QUOTE_SHAPE: u64 = 13;
const T_CUE_LEFT: u64 = 14;
const T_CUE_RIGHT: u64 = 15;
const T_CUE_LEFT_WORD: u64 = 16;
const T_CUE_RIGHT_WORD: u64 = 17;
const T_THAT_AFTER_CUE: u64 = 18;
const T_SENT_POS: u64 = 19;
const T_PARA_POS: u64 = 20;
const T_CUE_WINDOW: u64 = 21;
const T_PRONOUN: u64 = 22;
const T_PARA_CONTEXT: u64 = 23;
const T_QUOTE_DIST: u64 = 24;
const T_SENT_END: u64 = 25;
const T_W_QUOTE: u64 = 26;
const T_CUE_BOTH: u64 = 27;
const T_COMMAS: u64 = 28;
const T_SENT_QUOTES: u64 = 29;
const T_SPEAKER_PREFIX: u64 = 30;
const T_SENT_PLACE: u64 = 31;
const T_WORD_CUE_SIDE: u64 = 32;
const T_CLAUSE: u64 = 33;
const T_CLASS: u64 = 34;
const T_GROUP: u64 = 35;
const T_CLASS_M1: u64 = 36;
const T_CLASS_P1: u64 = 37;
const T_GROUPS3: u64 = 38;
const T_CLASS_SIDE: u64 = 39;
const T_CLASS_QUOTE: u64 = 40;
const T_CLAUSE_LEFT: u64 = 41;
const T_CLAUSE_RIGHT: u64 = 42;
const T_WIDE: u64 = 43;
const T_PRIOR: u64 = 44;
const T_PRIOR_STEM: u64 = 45;
const T_PRIOR_WINDOW: u64 = 46;
const T_PRIOR_CUE_NEAR: u64 = 47;

/// Words that open a clause: where unquoted content tends to start or stop.
const CLAUSE_WORDS: &[&str] = &[
    "and", "but", "or", "because", "while", "although", "though", "which", "who", "whom", "whose",
    "where", "when", "after", "before", "if", "since", "so", "that", "whether", "as", "until",
    "unless",
];

fn bucket(d: usize) -> u64 {
    match d {
        0..=3 => d as u64,
        4..=5 => 4,
        6..=8 => 5,
        9..=15 => 6,
        16..=30 => 7,
        _ => 8,
    }
}

/// What the tagger knows about the paragraphs around this one.
#[derive(Debug, Clone, Copy, Default)]
pub struct ParagraphContext {
    /// The previous paragraph ends with a colon ("Caddell continued:").
    pub after_colon: bool,
    /// The previous paragraph ended inside an open quotation.
    pub after_open_quote: bool,
    /// This is the first paragraph (often the headline).
    pub first: bool,
}

/// The tagger's label indices: 0 Outside, then per role (Source, Cue,
/// Content) four: Begin, Inside, Last and Unit (a one-token span).
pub const LABEL_KINDS: usize = 4;

/// The role of a label index: 0 Outside, 1 Source, 2 Cue, 3 Content.
pub fn label_role(l: usize) -> u8 {
    l.div_ceil(LABEL_KINDS) as u8
}

/// Whether a label continues the span of the token before (Inside, Last).
pub fn label_continues(l: usize) -> bool {
    l > 0 && matches!((l - 1) % LABEL_KINDS, 1 | 2)
}

/// For every token, the nearest other token of its sentence to the left
/// and to the right for which `wanted` holds.
fn nearest_in_sentence(
    info: &[TokInfo],
    wanted: impl Fn(&TokInfo) -> bool,
) -> (Vec<Option<usize>>, Vec<Option<usize>>) {
    let n = info.len();
    let mut left: Vec<Option<usize>> = vec![None; n];
    let mut right: Vec<Option<usize>> = vec![None; n];
    let mut last: Option<usize> = None;
    for i in 0..n {
        if i > 0 && info[i].sentence != info[i - 1].sentence {
            last = None;
        }
        left[i] = last;
        if wanted(&info[i]) {
            last = Some(i);
        }
    }
    last = None;
    for i in (0..n).rev() {
        if i + 1 < n && info[i].sentence != info[i + 1].sentence {
            last = None;
        }
        right[i] = last;
        if wanted(&info[i]) {
            last = Some(i);
        }
    }
    (left, right)
}

/// Features of every token of one paragraph, appended to `out` with
/// `offsets[i]..offsets[i + 1]` the features of token `i`.
///
/// With `first_pass` (the first tagger's label indices for the paragraph:
/// 0 Outside, then Begin and Inside of Source, Cue, Content), stacked
/// features describe the tokens' place relative to the predicted cues,
/// sources and contents of their sentence.
pub fn featurise(
    info: &[TokInfo],
    context: ParagraphContext,
    first_pass: Option<&[usize]>,
    out: &mut Vec<u64>,
    offsets: &mut Vec<u32>,
) {
    featurise_into(info, context, first_pass, out, offsets, None, &[]);
}

/// [`featurise`] with each token's [`LOCAL_TEMPLATES`] features written
/// apart, to `locals` with `local_offsets[i]..local_offsets[i + 1]` those
/// of token `i`; `out` then holds only the others. The tagger sums the
/// local ones once per [`LocalKey`] and reuses the sum (`tagger.rs`);
/// training keeps one list, in one order, so that retraining gives the
/// same model. Tokens marked in `skip` (which the tagger leaves untagged)
/// get no features; the others get the same as without it.
pub fn featurise_split(
    info: &[TokInfo],
    context: ParagraphContext,
    out: &mut Vec<u64>,
    offsets: &mut Vec<u32>,
    locals: &mut Vec<u64>,
    local_offsets: &mut Vec<u32>,
    skip: &[bool],
) {
    featurise_into(
        info,
        context,
        None,
        out,
        offsets,
        Some((locals, local_offsets)),
        skip,
    );
}

/// Templates whose features depend only on what [`LocalKey`] holds: the
/// token's own word (and so its suffix, stem, word class, role priors,
/// lexicon flags), how it is written, its quotation state and whether it
/// starts or ends its sentence.
pub const LOCAL_TEMPLATES: u64 = 1 << T_BIAS
    | 1 << T_W
    | 1 << T_SHAPE
    | 1 << T_SUFFIX
    | 1 << T_QUOTE
    | 1 << T_QUOTE_SHAPE
    | 1 << T_W_QUOTE
    | 1 << T_PRONOUN
    | 1 << T_SENT_END
    | 1 << T_CLASS
    | 1 << T_GROUP
    | 1 << T_CLASS_QUOTE
    | 1 << T_PRIOR
    | 1 << T_PRIOR_STEM;

#[inline]
fn is_local(template: u64) -> bool {
    template < 64 && LOCAL_TEMPLATES >> template & 1 == 1
}

/// Everything the [`LOCAL_TEMPLATES`] features of a token are computed
/// from, given one tagger (its word classes and role priors are functions
/// of the word): equal keys mean equal local features.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalKey {
    pub word: u64,
    pub suffix: u64,
    pub state: u32,
}

impl LocalKey {
    pub fn of(t: &TokInfo) -> LocalKey {
        LocalKey {
            word: t.word,
            suffix: t.suffix,
            state: t.shape as u32
                | (t.quote as u32) << 8
                | (t.in_quote as u32) << 12
                | (t.in_single as u32) << 13
                | (t.sentence_start as u32) << 14
                | (t.sentence_end as u32) << 15,
        }
    }
}

fn featurise_into(
    info: &[TokInfo],
    context: ParagraphContext,
    first_pass: Option<&[usize]>,
    out: &mut Vec<u64>,
    offsets: &mut Vec<u32>,
    mut locals: Option<(&mut Vec<u64>, &mut Vec<u32>)>,
    skip: &[bool],
) {
    out.clear();
    offsets.clear();
    if let Some((l, lo)) = &mut locals {
        l.clear();
        lo.clear();
    }
    let n = info.len();
    let stacked = first_pass
        .filter(|f| f.len() == n)
        .map(|f| Stacked::new(info, f));
    // Nearest lexicon cue to the left and right within the sentence.
    let (cue_left, cue_right) = nearest_in_sentence(info, |t| t.cue && !t.in_quote);
    // The same for the words the training annotations made a cue in at
    // least a quarter of their unquoted occurrences (PolNeAR's broad
    // predicates, "support", "opposed", that the lexicon does not hold).
    // Counting them as lexicon cues above instead did not score higher.
    let (prior_cue_left, prior_cue_right) =
        nearest_in_sentence(info, |t| !t.in_quote && prior_bucket(t.prior, 1) >= 5);
    let that = word_hash("that");
    let comma_word = word_hash(",");
    let clause_words: [u64; CLAUSE_WORDS.len()] = {
        let mut w = [0u64; CLAUSE_WORDS.len()];
        for (slot, word) in w.iter_mut().zip(CLAUSE_WORDS) {
            *slot = word_hash(word);
        }
        w
    };
    // Prefix counts of commas and clause openers, for "how many clause
    // boundaries lie between this token and the cue".
    let mut comma_prefix = Vec::with_capacity(n + 1);
    let mut opener_prefix = Vec::with_capacity(n + 1);
    comma_prefix.push(0u32);
    opener_prefix.push(0u32);
    for t in info {
        let last_c = comma_prefix.last().copied().unwrap_or(0);
        let last_o = opener_prefix.last().copied().unwrap_or(0);
        comma_prefix.push(last_c + (t.word == comma_word) as u32);
        opener_prefix.push(last_o + clause_words.contains(&t.word) as u32);
    }
    let complementisers = [that, word_hash("whether"), word_hash("if"), word_hash(":")];
    let mut last_boundary: Option<usize> = None;
    let mut commas_since_start = 0u64;
    // Distance to the last quote mark seen, and whether the sentence has one.
    let mut last_quote: Option<usize> = None;
    let mut sentence_has_quote = vec![false; n];
    {
        let mut start = 0;
        for i in 0..=n {
            if i == n || (i > 0 && info[i].sentence != info[i - 1].sentence) {
                let has = info[start..i].iter().any(|t| t.quote != QuoteMark::None);
                for s in &mut sentence_has_quote[start..i] {
                    *s = has;
                }
                start = i;
            }
        }
    }
    // A transcript or headline speaker: up to four capitalised words at
    // the paragraph start, then a colon ("WALLACE:", "Pat Caddell:").
    let colon = word_hash(":");
    let prefix_colon = info
        .iter()
        .take(5)
        .position(|t| t.word == colon)
        .filter(|&c| {
            c > 0
                && info[..c]
                    .iter()
                    .all(|t| matches!(t.shape, SHAPE_CAP | SHAPE_UPPER | SHAPE_PUNCT))
        });
    // Start and end token of each token's sentence.
    let mut sentence_start_at = vec![0usize; n];
    let mut sentence_end_at = vec![0usize; n];
    {
        let mut start = 0;
        for i in 0..=n {
            if i == n || (i > 0 && info[i].sentence != info[i - 1].sentence) {
                for k in start..i {
                    sentence_start_at[k] = start;
                    sentence_end_at[k] = i;
                }
                start = i;
            }
        }
    }
    let ctx = (context.after_colon as u64)
        | (context.after_open_quote as u64) << 1
        | (context.first as u64) << 2;
    let word = |j: isize| -> u64 {
        if j < 0 {
            0x53_5441_5254 // "START"
        } else if j as usize >= n {
            0x45_4e44 // "END"
        } else {
            info[j as usize].word
        }
    };
    let shape_at = |j: isize| -> u64 {
        if j < 0 || j as usize >= n {
            99
        } else {
            info[j as usize].shape as u64
        }
    };
    for i in 0..n {
        offsets.push(out.len() as u32);
        if let Some((l, lo)) = &mut locals {
            lo.push(l.len() as u32);
        }
        let t = &info[i];
        let ii = i as isize;
        if t.sentence_start {
            commas_since_start = 0;
        }
        if skip.get(i) == Some(&true) {
            // What the features of later tokens count, as the full loop
            // below would leave it.
            if t.sentence_start {
                last_boundary = None;
            }
            if t.quote != QuoteMark::None {
                last_quote = Some(i);
            }
            if t.word == comma_word {
                commas_since_start += 1;
            }
            if clause_words.contains(&t.word) || t.word == comma_word || t.shape == SHAPE_COLON {
                last_boundary = Some(i);
            }
            continue;
        }
        let qstate = t.in_quote as u64 | (t.in_single as u64) << 1 | (t.quote as u64) << 2;
        let mut f = |template: u64, value: u64| {
            let feature = mix(template, value);
            match &mut locals {
                Some((l, _)) if is_local(template) => l.push(feature),
                _ => out.push(feature),
            }
        };
        f(T_BIAS, 0);
        f(T_W, t.word);
        f(T_WM1, word(ii - 1));
        f(T_WP1, word(ii + 1));
        f(T_WM2, word(ii - 2));
        f(T_WP2, word(ii + 2));
        f(T_WM1_W, mix(word(ii - 1), t.word));
        f(T_W_WP1, mix(t.word, word(ii + 1)));
        f(T_SHAPE, t.shape as u64);
        f(
            T_SHAPES3,
            shape_at(ii - 1) | shape_at(ii) << 8 | shape_at(ii + 1) << 16,
        );
        f(T_SUFFIX, t.suffix);
        f(T_QUOTE, qstate);
        f(T_QUOTE_SHAPE, qstate | (t.shape as u64) << 8);
        f(T_W_QUOTE, mix(t.word, t.in_quote as u64));
        let left = cue_left[i].map(|c| i - c);
        let right = cue_right[i].map(|c| c - i);
        f(
            T_CUE_LEFT,
            left.map_or(99, bucket) | (t.in_quote as u64) << 8,
        );
        f(
            T_CUE_RIGHT,
            right.map_or(99, bucket) | (t.in_quote as u64) << 8,
        );
        f(
            T_CUE_BOTH,
            left.map_or(99, bucket) | right.map_or(99, bucket) << 8 | (t.shape as u64) << 16,
        );
        if let Some(c) = cue_left[i] {
            f(T_CUE_LEFT_WORD, info[c].word);
            let after = info.get(c + 1).map(|a| a.word);
            f(
                T_THAT_AFTER_CUE,
                (after == Some(that)) as u64 | ((i == c + 1) as u64) << 1,
            );
        }
        if let Some(c) = cue_right[i] {
            f(T_CUE_RIGHT_WORD, info[c].word);
        }
        let sent_pos = if t.sentence_start {
            0
        } else if info[i.saturating_sub(1)].sentence_start {
            1
        } else {
            2
        };
        f(T_SENT_POS, sent_pos | (t.shape as u64) << 4);
        f(T_PARA_POS, bucket(i) | ctx << 8);
        f(
            T_CUE_WINDOW,
            (ii > 0 && info[i - 1].cue) as u64
                | (t.cue as u64) << 1
                | ((i + 1 < n && info[i + 1].cue) as u64) << 2,
        );
        f(T_PRONOUN, t.pronoun as u64 | (t.sentence_start as u64) << 1);
        f(
            T_PARA_CONTEXT,
            ctx | (t.in_quote as u64) << 4 | bucket(i).min(3) << 8,
        );
        if t.quote != QuoteMark::None {
            last_quote = Some(i);
        }
        f(
            T_QUOTE_DIST,
            last_quote.map_or(99, |q| bucket(i - q)) | (t.in_quote as u64) << 8,
        );
        f(T_SENT_END, t.sentence_end as u64 | (t.shape as u64) << 4);
        if t.word == comma_word {
            commas_since_start += 1;
        }
        f(
            T_COMMAS,
            commas_since_start.min(4) | (t.in_quote as u64) << 4,
        );
        f(
            T_SENT_QUOTES,
            sentence_has_quote[i] as u64
                | (t.in_quote as u64) << 1
                | (left.is_some() as u64) << 2
                | (right.is_some() as u64) << 3,
        );
        let prefix = match prefix_colon {
            None => 0,
            Some(c) if i < c => 1,
            Some(c) if i == c => 2,
            Some(_) => 3,
        };
        f(T_SPEAKER_PREFIX, prefix | (t.shape as u64) << 4);
        f(
            T_SENT_PLACE,
            bucket(i - sentence_start_at[i])
                | bucket(sentence_end_at[i] - 1 - i) << 8
                | (t.in_quote as u64) << 16,
        );
        if let Some(c) = cue_left[i] {
            // Reported clause after its cue: "said that …", "said …, and …".
            let after = info.get(c + 1).map_or(0, |a| a.word);
            let commas = comma_prefix[i] - comma_prefix[c + 1];
            let openers = opener_prefix[i] - opener_prefix[c + 1];
            f(
                T_CLAUSE_LEFT,
                complementisers.contains(&after) as u64
                    | (commas.min(2) as u64) << 1
                    | (openers.min(2) as u64) << 3
                    | bucket(sentence_end_at[i] - 1 - i).min(5) << 5
                    | (t.in_quote as u64) << 9
                    | ((i == c + 1) as u64) << 10,
            );
        }
        if let Some(c) = cue_right[i] {
            // Clause before its cue: "…, he said." runs back to the start.
            let commas = comma_prefix[c] - comma_prefix[i + 1];
            let openers = opener_prefix[c] - opener_prefix[i + 1];
            let cue_ends = sentence_end_at[i] - c <= 4;
            let comma_before = (c.saturating_sub(4)..c).any(|j| info[j].word == comma_word);
            f(
                T_CLAUSE_RIGHT,
                (commas.min(2) as u64)
                    | (openers.min(2) as u64) << 2
                    | (cue_ends as u64) << 4
                    | (comma_before as u64) << 5
                    | bucket(i - sentence_start_at[i]).min(5) << 6
                    | (t.in_quote as u64) << 10,
            );
        }
        let side = match (left, right) {
            (Some(1), _) => 1,
            (_, Some(1)) => 2,
            (Some(_), None) => 3,
            (None, Some(_)) => 4,
            (Some(_), Some(_)) => 5,
            (None, None) => 0,
        };
        f(T_WORD_CUE_SIDE, mix(t.word, side));
        if t.sentence_start {
            last_boundary = None;
        }
        let clause_word = clause_words.contains(&t.word);
        let after_comma = i > 0 && info[i - 1].word == comma_word;
        f(
            T_CLAUSE,
            clause_word as u64
                | (after_comma as u64) << 1
                | last_boundary.map_or(99, |b| bucket(i - b)) << 4
                | (t.in_quote as u64) << 12
                | side << 16,
        );
        if clause_word || t.word == comma_word || t.shape == SHAPE_COLON {
            last_boundary = Some(i);
        }
        let class_at = |j: isize| -> u64 {
            if j < 0 || j as usize >= n {
                0xffff
            } else {
                info[j as usize].class as u64
            }
        };
        let group_at = |j: isize| -> u64 {
            if j < 0 || j as usize >= n {
                0xffff
            } else {
                info[j as usize].group as u64
            }
        };
        f(T_CLASS, t.class as u64);
        f(T_GROUP, t.group as u64);
        f(T_CLASS_M1, class_at(ii - 1));
        f(T_CLASS_P1, class_at(ii + 1));
        f(
            T_GROUPS3,
            group_at(ii - 1) | group_at(ii) << 16 | group_at(ii + 1) << 32,
        );
        f(T_CLASS_SIDE, t.class as u64 | side << 16);
        f(T_CLASS_QUOTE, t.class as u64 | (t.in_quote as u64) << 16);
        f(T_WIDE, mix(word(ii - 3), 1));
        f(T_WIDE, mix(word(ii + 3), 2));
        f(T_WIDE, mix(mix(word(ii - 2), word(ii - 1)), 3));
        f(T_WIDE, mix(mix(word(ii + 1), word(ii + 2)), 4));
        f(T_WIDE, class_at(ii - 2) | 5 << 16);
        f(T_WIDE, class_at(ii + 2) | 6 << 16);
        let prior_at = |j: isize, role: usize| -> u64 {
            if j < 0 || j as usize >= n {
                15
            } else {
                prior_bucket(info[j as usize].prior, role)
            }
        };
        let quoted = (t.in_quote as u64) << 8;
        for role in 0..PRIOR_ROLES {
            f(
                T_PRIOR,
                prior_bucket(t.prior, role) | (role as u64) << 4 | quoted,
            );
        }
        f(
            T_PRIOR,
            (t.prior >> (3 * PRIOR_ROLES)) as u64 | 1 << 12 | quoted,
        );
        if t.prior == 0 {
            // A word too rare for its own prior borrows its stem's.
            f(
                T_PRIOR_STEM,
                prior_bucket(t.stem_prior, 0) | prior_bucket(t.stem_prior, 1) << 4 | quoted,
            );
        }
        for role in 0..2 {
            f(
                T_PRIOR_WINDOW,
                prior_at(ii - 1, role)
                    | prior_at(ii, role) << 4
                    | prior_at(ii + 1, role) << 8
                    | (role as u64) << 12
                    | (t.in_quote as u64) << 16,
            );
        }
        f(
            T_PRIOR_CUE_NEAR,
            prior_cue_left[i].map_or(99, |c| bucket(i - c))
                | prior_cue_right[i].map_or(99, |c| bucket(c - i)) << 8
                | (t.in_quote as u64) << 16
                | (t.shape as u64) << 20,
        );
        if let Some(st) = &stacked {
            st.features(info, i, out);
        }
    }
    offsets.push(out.len() as u32);
    if let Some((l, lo)) = &mut locals {
        lo.push(l.len() as u32);
    }
}

/// Only the stacked features of a paragraph (see [`featurise`]); the
/// tagger adds them to the text features it already looked up. Tokens
/// marked in `skip` get none.
pub fn featurise_stacked(
    info: &[TokInfo],
    first_pass: &[usize],
    out: &mut Vec<u64>,
    offsets: &mut Vec<u32>,
    skip: &[bool],
) {
    out.clear();
    offsets.clear();
    let stacked = (first_pass.len() == info.len()).then(|| Stacked::new(info, first_pass));
    for i in 0..info.len() {
        offsets.push(out.len() as u32);
        if let (Some(st), false) = (&stacked, skip.get(i) == Some(&true)) {
            st.features(info, i, out);
        }
    }
    offsets.push(out.len() as u32);
}

const S_SELF: u64 = 101;
const S_WINDOW: u64 = 102;
const S_CUE_NEAR: u64 = 103;
const S_COMMAS_TO_CUE: u64 = 104;
const S_SOURCE_SIDE: u64 = 105;
const S_SENT_CONTENT: u64 = 106;
const S_WORD_SELF: u64 = 107;
const S_EDGES: u64 = 108;
const S_PARA: u64 = 109;
const S_RUN: u64 = 110;
const S_NEIGHBOUR_SENTENCES: u64 = 111;
const S_CUE_WORD: u64 = 112;

/// Sentence-level facts from the first tagger's labels.
struct Stacked {
    role: Vec<u8>,
    label: Vec<u8>,
    cue_left: Vec<Option<usize>>,
    cue_right: Vec<Option<usize>>,
    source_left: Vec<bool>,
    source_right: Vec<bool>,
    comma_prefix: Vec<u32>,
    sentence_content: Vec<u8>,
    sentence_bounds: Vec<(usize, usize)>,
    paragraph_has_cue: bool,
    run_length: Vec<u8>,
}

impl Stacked {
    fn new(info: &[TokInfo], first: &[usize]) -> Stacked {
        let n = info.len();
        let role: Vec<u8> = first.iter().map(|&l| label_role(l)).collect();
        let label: Vec<u8> = first.iter().map(|&l| l as u8).collect();
        let mut cue_left = vec![None; n];
        let mut cue_right = vec![None; n];
        let mut source_left = vec![false; n];
        let mut source_right = vec![false; n];
        let mut last = None;
        let mut seen_source = false;
        for i in 0..n {
            if i > 0 && info[i].sentence != info[i - 1].sentence {
                last = None;
                seen_source = false;
            }
            cue_left[i] = last;
            source_left[i] = seen_source;
            if role[i] == 2 {
                last = Some(i);
            }
            if role[i] == 1 {
                seen_source = true;
            }
        }
        last = None;
        seen_source = false;
        for i in (0..n).rev() {
            if i + 1 < n && info[i].sentence != info[i + 1].sentence {
                last = None;
                seen_source = false;
            }
            cue_right[i] = last;
            source_right[i] = seen_source;
            if role[i] == 2 {
                last = Some(i);
            }
            if role[i] == 1 {
                seen_source = true;
            }
        }
        let comma = word_hash(",");
        let mut comma_prefix = Vec::with_capacity(n + 1);
        let mut c = 0;
        comma_prefix.push(0);
        for t in info {
            if t.word == comma {
                c += 1;
            }
            comma_prefix.push(c);
        }
        let mut sentence_content = vec![0u8; n];
        let mut sentence_bounds = vec![(0, 0); n];
        let mut start = 0;
        for i in 0..=n {
            if i == n || (i > 0 && info[i].sentence != info[i - 1].sentence) {
                let len = i - start;
                let content = role[start..i].iter().filter(|&&r| r == 3).count();
                let frac = if len == 0 {
                    0
                } else {
                    (content * 4).div_ceil(len) as u8
                };
                for k in start..i {
                    sentence_content[k] = frac;
                    sentence_bounds[k] = (start, i);
                }
                start = i;
            }
        }
        // Length of the first-pass span each token is in.
        let mut run_length = vec![0u8; n];
        let mut i = 0;
        while i < n {
            let mut j = i + 1;
            while j < n && role[j] == role[i] && label_continues(label[j] as usize) {
                j += 1;
            }
            let b = bucket(j - i) as u8;
            for r in &mut run_length[i..j] {
                *r = b;
            }
            i = j;
        }
        Stacked {
            paragraph_has_cue: role.contains(&2),
            role,
            label,
            cue_left,
            cue_right,
            source_left,
            source_right,
            comma_prefix,
            sentence_content,
            sentence_bounds,
            run_length,
        }
    }

    fn features(&self, info: &[TokInfo], i: usize, out: &mut Vec<u64>) {
        let n = info.len();
        let lab = |j: isize| -> u64 {
            if j < 0 || j as usize >= n {
                15
            } else {
                self.label[j as usize] as u64
            }
        };
        let ii = i as isize;
        let t = &info[i];
        let mut f = |template: u64, value: u64| out.push(mix(template, value));
        f(S_SELF, lab(ii) | (t.in_quote as u64) << 4);
        f(S_WINDOW, lab(ii - 1) | lab(ii) << 4 | lab(ii + 1) << 8);
        f(S_WINDOW, lab(ii - 2) | lab(ii - 1) << 4 | 1 << 12);
        f(S_WINDOW, lab(ii + 1) | lab(ii + 2) << 4 | 2 << 12);
        let left = self.cue_left[i].map(|c| i - c);
        let right = self.cue_right[i].map(|c| c - i);
        f(
            S_CUE_NEAR,
            left.map_or(99, bucket) | right.map_or(99, bucket) << 8 | (t.in_quote as u64) << 16,
        );
        // Which predicate the nearest predicted cue is: "told" takes an
        // addressee, "according to" a source after it.
        if let Some(c) = self.cue_left[i] {
            f(
                S_CUE_WORD,
                mix(
                    info[c].word,
                    bucket(i - c).min(4) | (t.in_quote as u64) << 4,
                ),
            );
        }
        if let Some(c) = self.cue_right[i] {
            f(
                S_CUE_WORD,
                mix(
                    info[c].word,
                    bucket(c - i).min(4) | 1 << 3 | (t.in_quote as u64) << 4,
                ),
            );
        }
        if let Some(c) = self.cue_right[i] {
            let commas = self.comma_prefix[c] - self.comma_prefix[i + 1];
            f(S_COMMAS_TO_CUE, commas.min(3) as u64 | 1 << 4);
        }
        if let Some(c) = self.cue_left[i] {
            let commas = self.comma_prefix[i] - self.comma_prefix[c + 1];
            f(S_COMMAS_TO_CUE, commas.min(3) as u64 | 2 << 4);
        }
        f(
            S_SOURCE_SIDE,
            self.source_left[i] as u64
                | (self.source_right[i] as u64) << 1
                | (self.role[i] as u64) << 2,
        );
        f(
            S_SENT_CONTENT,
            self.sentence_content[i] as u64 | (self.role[i] as u64) << 4,
        );
        f(S_WORD_SELF, mix(t.word, lab(ii)));
        let (s, e) = self.sentence_bounds[i];
        f(
            S_EDGES,
            self.role[s] as u64
                | (self.role[e.saturating_sub(1).max(s)] as u64) << 4
                | (self.role[i] as u64) << 8,
        );
        f(
            S_PARA,
            self.paragraph_has_cue as u64 | (self.role[i] as u64) << 4,
        );

        f(
            S_RUN,
            self.run_length[i] as u64 | (self.role[i] as u64) << 4,
        );
        // Content that runs over a sentence break: the role at the end of
        // the sentence before and at the start of the one after.
        let before = s.checked_sub(1).map_or(9, |j| self.role[j] as u64);
        let after = self.role.get(e).map_or(9, |&r| r as u64);
        f(
            S_NEIGHBOUR_SENTENCES,
            before | after << 4 | (self.role[i] as u64) << 8 | (t.in_quote as u64) << 12,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::text::analyze;

    #[test]
    fn ascii_fast_path_hashes_like_the_character_path() {
        let by_chars = |s: &str| {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for c in s.chars() {
                let c = if c == '\u{2019}' { '\'' } else { c };
                for l in c.to_lowercase() {
                    h ^= l as u64;
                    h = h.wrapping_mul(0x0000_0100_0000_01b3);
                }
            }
            h
        };
        for word in [
            "",
            "Said",
            "SAID",
            "o'Neill",
            "U.S.",
            "x-Ray9",
            "caf\u{e9}",
            "it\u{2019}s",
        ] {
            assert_eq!(hash_lower(word), by_chars(word), "{word}");
        }
        assert_eq!(hash_lower("it\u{2019}s"), hash_lower("It's"));
    }

    fn info(text: &str) -> (Vec<&str>, Vec<TokInfo>) {
        let analysis = analyze(text, &[]);
        let mut out = Vec::new();
        analyse(text, &analysis, 0, &mut out);
        let words = analysis.tokens.iter().map(|t| t.text(text)).collect();
        (words, out)
    }

    #[test]
    fn quotation_state_follows_marks_not_apostrophes() {
        let (w, i) = info("\"Clinton's team,\" she said, \"is 'tired.'\"");
        let inside: Vec<&str> = w
            .iter()
            .zip(&i)
            .filter(|(_, t)| t.in_quote)
            .map(|(w, _)| *w)
            .collect();
        assert_eq!(
            inside,
            ["Clinton's", "team", ",", "is", "'", "tired", ".", "'"]
        );
        assert!(i.iter().filter(|t| t.in_single).count() >= 2);
    }

    #[test]
    fn sentence_marks_come_from_the_analysis() {
        let (w, i) = info("Sen. Smith said “No.” Then U.S. officials left. Done");
        let starts: Vec<&str> = w
            .iter()
            .zip(&i)
            .filter(|(_, t)| t.sentence_start)
            .map(|(w, _)| *w)
            .collect();
        assert_eq!(starts, ["Sen", "Then", "Done"]);
        assert!(i.last().unwrap().sentence_end);
    }

    /// The tagger sums a token's local features once per [`LocalKey`] and
    /// reuses the sum for every token with an equal key: right only if
    /// the key determines them, whatever the context. Fails when a
    /// template that reads a neighbour or the sentence is counted local.
    #[test]
    fn equal_local_keys_mean_equal_local_features() {
        let text = "\u{201c}We said it,\u{201d} Smith said. Smith said that SMITH said \
                    \u{201c}it\u{2019}s fine\u{201d} and it's said, he said. Said Smith: \
                    'we said' it. \"Said,\" said Smith, \"said.\" Smith";
        let (words, mut info) = info(text);
        // As the tagger assigns them: word classes and priors by word.
        for t in &mut info {
            t.class = (t.word % 5) as u16;
            t.group = t.class / 2;
            t.prior = (t.word % 7) as u16 * 0x111;
            t.stem_prior = (t.stem % 3) as u16 * 0x111;
        }
        let context = ParagraphContext {
            after_colon: true,
            ..ParagraphContext::default()
        };
        let (mut all, mut all_offsets) = (Vec::new(), Vec::new());
        featurise(&info, context, None, &mut all, &mut all_offsets);
        let (mut rest, mut offsets, mut locals, mut local_offsets) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        featurise_split(
            &info,
            context,
            &mut rest,
            &mut offsets,
            &mut locals,
            &mut local_offsets,
            &[],
        );
        let of = |f: &[u64], o: &[u32], i: usize| f[o[i] as usize..o[i + 1] as usize].to_vec();
        let mut shared = 0;
        for i in 0..info.len() {
            let mut split = of(&rest, &offsets, i);
            split.extend(of(&locals, &local_offsets, i));
            split.sort_unstable();
            let mut whole = of(&all, &all_offsets, i);
            whole.sort_unstable();
            assert_eq!(split, whole, "token {i} {:?}", words[i]);
            for j in 0..i {
                if LocalKey::of(&info[i]) == LocalKey::of(&info[j]) {
                    shared += 1;
                    assert_eq!(
                        of(&locals, &local_offsets, i),
                        of(&locals, &local_offsets, j),
                        "tokens {j} and {i} ({:?})",
                        words[i]
                    );
                }
            }
        }
        assert!(shared >= 10, "only {shared} pairs of tokens share a key");
    }

    #[test]
    fn cue_lexicon_has_inflections() {
        for w in [
            "said", "denies", "denied", "denying", "tweeted", "argues", "worries",
        ] {
            assert!(is_cue_word(word_hash(w)), "{w}");
        }
        assert!(!is_cue_word(word_hash("table")));
    }

    #[test]
    fn every_token_gets_its_templates() {
        let (_, i) = info("“We will win,” Trump said. He added that it was over.");
        let (mut f, mut o) = (Vec::new(), Vec::new());
        featurise(&i, ParagraphContext::default(), None, &mut f, &mut o);
        assert_eq!(o.len(), i.len() + 1);
        assert!(o.windows(2).all(|w| w[1] - w[0] >= 25));
    }

    #[test]
    fn word_classes_group_words_with_the_same_neighbours() {
        // Fictional sentences: verbs between the same kinds of words.
        let mut text = String::new();
        let names = ["Ann", "Bob", "Cal", "Dee", "Eve", "Fay", "Gus", "Hal"];
        let verbs = ["said", "argued", "claimed", "insisted"];
        let nouns = ["bridge", "road", "park", "school", "tax", "budget"];
        for (k, name) in names.iter().cycle().take(400).enumerate() {
            let verb = verbs[k % verbs.len()];
            let noun = nouns[k % nouns.len()];
            text.push_str(&format!("{name} {verb} the {noun} was {k}.\n"));
        }
        let analysis = analyze(&text, &[]);
        let mut paragraphs = Vec::new();
        for p in 0..analysis.paragraphs.len() {
            let mut out = Vec::new();
            analyse(&text, &analysis, p, &mut out);
            paragraphs.push(out);
        }
        let learn = || WordClasses::learn(paragraphs.iter().map(|p| p.as_slice()));
        let classes = learn();
        assert_eq!(classes, learn(), "deterministic");
        // Fewer words than classes: nothing learned, nothing assigned.
        assert!(classes.is_empty());
        let mut many = paragraphs.clone();
        for k in 0..CLASSES * 2 {
            let text = format!("w{k} x{k} y{k} z{k}");
            let mut out = Vec::new();
            let a = analyze(&text, &[]);
            analyse(&text, &a, 0, &mut out);
            for _ in 0..CLASS_MIN_COUNT {
                many.push(out.clone());
            }
        }
        let classes = WordClasses::learn(many.iter().map(|p| p.as_slice()));
        assert!(!classes.is_empty());
        let class_of = |w: &str| classes.class.get(&word_hash(w)).copied();
        assert!(class_of("said").is_some());
        assert!(class_of("nowhere").is_none());
        let mut sample = paragraphs[0].clone();
        classes.assign(&mut sample);
        // "Ann said the bridge was 0.": the number is too rare for a class.
        assert!(sample[..5].iter().all(|t| t.class > 0 && t.group > 0));
        assert_eq!(sample[5].class, 0);
    }

    #[test]
    fn stems_join_inflections_and_differ_from_words() {
        let stem = |w: &str| stem_hash(w, word_hash(w));
        assert_eq!(stem("supported"), stem("supports"));
        assert_eq!(stem("supporting"), stem("Support"));
        assert_eq!(stem("ridiculed"), stem("ridicule"));
        assert_ne!(stem("rates"), word_hash("rat"));
        // Too short to cut, and not ASCII: the word is its own stem.
        assert_eq!(stem("is"), mix(word_hash("is"), 0x5_7e4d));
        assert_eq!(stem("naïveté"), mix(word_hash("naïveté"), 0x5_7e4d));
    }

    #[test]
    fn role_priors_count_gold_roles_outside_quotations() {
        // Fictional: "backs" is a cue each time, "Ann" a source, "the" starts
        // the content; inside the quotation "backs" is no cue and not counted.
        let mut paragraphs = Vec::new();
        for _ in 0..4 {
            let text = "Ann backs the plan. “He backs it,” Ann said.";
            let analysis = analyze(text, &[]);
            let mut info = Vec::new();
            analyse(text, &analysis, 0, &mut info);
            // Tokens: Ann backs the plan . “ He backs it , ” Ann said .
            // Labels: Source Unit (4), Cue Unit (8), Content Begin (9),
            // Content Last (11), the rest Outside but "said" (Cue Unit).
            let mut gold = vec![0usize; info.len()];
            gold[0] = 4;
            gold[1] = 8;
            gold[2] = 9;
            gold[3] = 11;
            gold[12] = 8;
            paragraphs.push((info, gold));
        }
        let priors =
            RolePriors::learn(paragraphs.iter().map(|(i, g)| (i.as_slice(), g.as_slice())));
        let mut sample = paragraphs[0].0.clone();
        priors.assign(&mut sample);
        let (ann, backs, the, plan) = (sample[0], sample[1], sample[2], sample[3]);
        // Ann: source 1 time in 2 outside quotes; backs: always a cue
        // (the quoted one not counted); the: always starts the content.
        assert_eq!(prior_bucket(ann.prior, 0), 6);
        assert_eq!(prior_bucket(backs.prior, 1), 7);
        assert_eq!(prior_bucket(backs.prior, 0), 1);
        assert_eq!(prior_bucket(the.prior, 2), 7);
        assert_eq!(prior_bucket(plan.prior, 3), 7);
        assert_eq!(prior_bucket(plan.prior, 2), 1);
        // The quoted "backs" gets the word's prior all the same.
        assert_eq!(sample[7].prior, backs.prior);
        // A word never seen has none; its stem may ("backed" → "back").
        let text = "Bob backed nothing.";
        let analysis = analyze(text, &[]);
        let mut info = Vec::new();
        analyse(text, &analysis, 0, &mut info);
        priors.assign(&mut info);
        assert_eq!(info[1].prior, 0);
        assert_eq!(prior_bucket(info[1].stem_prior, 1), 7);
        assert_eq!(info[2].prior, 0);
        assert_eq!(info[2].stem_prior, 0);
    }

    #[test]
    fn a_missing_paragraph_gives_no_tokens() {
        let analysis = analyze("", &[]);
        let mut out = vec![];
        analyse("", &analysis, 3, &mut out);
        assert!(out.is_empty());
    }
}
