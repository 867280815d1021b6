//! The learned tagger: Source / Cue / Content labels for every token.
//!
//! A first-order structured averaged perceptron over BIO labels, one
//! sequence per paragraph, trained by `whosaid train attribution` on the
//! PolNeAR training split. The trained model ships inside the library
//! ([`Model::builtin`], parsed once on first use). DESIGN.md ("Learned
//! tagger") describes the features, the training and the model file.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use crate::attribution::features::{
    self, LocalKey, ParagraphContext, QuoteMark, RolePriors, TokInfo, WordClasses,
};
use crate::attribution::polnear::GoldAttribution;
use crate::attribution::text::Analysis;
use crate::record::Range as ByteRange;

/// The part a token plays in an attribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Source,
    Cue,
    Content,
}

/// A token's label: outside any attribution, or beginning or inside a span
/// of a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Label {
    Outside,
    Begin(Role),
    Inside(Role),
}

/// Internally the models tag with BILOU labels (see
/// [`features::LABEL_KINDS`]): Last and Unit give the end of a span
/// features of its own, which boundaries of unquoted content need.
const KINDS: usize = features::LABEL_KINDS;
const LABELS: usize = 1 + 3 * KINDS;
const BEGIN: usize = 0;
const INSIDE: usize = 1;
const LAST: usize = 2;
const UNIT: usize = 3;
/// Row of the transition table used before the first token.
const START: usize = LABELS;
const ROLES: [Role; 3] = [Role::Source, Role::Cue, Role::Content];

fn label_index(role: Role, kind: usize) -> usize {
    let r = match role {
        Role::Source => 0,
        Role::Cue => 1,
        Role::Content => 2,
    };
    1 + r * KINDS + kind
}

impl Label {
    fn from_index(i: usize) -> Label {
        if i == 0 || i >= LABELS {
            return Label::Outside;
        }
        let role = ROLES[(i - 1) / KINDS];
        match (i - 1) % KINDS {
            BEGIN | UNIT => Label::Begin(role),
            _ => Label::Inside(role),
        }
    }

    pub fn role(self) -> Option<Role> {
        match self {
            Label::Outside => None,
            Label::Begin(r) | Label::Inside(r) => Some(r),
        }
    }
}

/// A span is open after its Begin or an Inside: the next label must be an
/// Inside or Last of the same role.
fn is_open(l: usize) -> bool {
    l != 0 && l < LABELS && matches!((l - 1) % KINDS, BEGIN | INSIDE)
}

/// BILOU consistency between neighbouring labels.
fn allowed(prev: usize, cur: usize) -> bool {
    if features::label_continues(cur) {
        is_open(prev) && (prev - 1) / KINDS == (cur - 1) / KINDS
    } else {
        !is_open(prev)
    }
}

/// Gold labels as BILOU indices, for one paragraph's labels.
fn bilou(labels: &[Label]) -> Vec<usize> {
    (0..labels.len())
        .map(|i| {
            let (role, begins) = match labels[i] {
                Label::Outside => return 0,
                Label::Begin(r) => (r, true),
                Label::Inside(r) => (r, false),
            };
            let continues = labels.get(i + 1) == Some(&Label::Inside(role));
            let kind = match (begins, continues) {
                (true, true) => BEGIN,
                (true, false) => UNIT,
                (false, true) => INSIDE,
                (false, false) => LAST,
            };
            label_index(role, kind)
        })
        .collect()
}

/// Hashes a feature key that is already a hash: one multiply spreads it
/// over all 64 bits (hashbrown reads the top bits).
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type KeyMap<V> = HashMap<u32, V, BuildHasherDefault<KeyHasher>>;

/// The tagger file is `MAGIC`, then little-endian: version (u32), weight
/// scale (f32), the two models' transition tables (each 14 x 13 f32, the last
/// row for the sequence start), the feature count (u32), and per feature,
/// sorted by key: key (u32), a mask (u32) of the weights present (bits
/// 0-12 the first model's labels, 13-25 the second's) and one i16 per set bit. A
/// weight is its i16 times the scale. Then the word classes: the class
/// count and per class its group (u8 each), the word count (u32) and per
/// word, sorted by hash: the word hash (u64) and its class (u8). Then the
/// role priors (version 4): the word count (u32) and per word, sorted by
/// hash, the hash (u64) and its packed prior (u16); the same for stems.
const MAGIC: &[u8; 8] = b"WSTAGGER";
const VERSION: u32 = 4;

/// Why a model file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    #[error("not a tagger model (bad magic)")]
    Magic,
    #[error("tagger model version {0}, expected {VERSION}")]
    Version(u32),
    #[error("tagger model truncated")]
    Truncated,
}

/// One perceptron as training produces it.
#[derive(Debug, Clone, Default)]
pub struct Model {
    weights: KeyMap<[f32; LABELS]>,
    transitions: [[f32; LABELS]; LABELS + 1],
}

/// Feature keys in the model are the top 32 bits of the feature hash.
#[inline]
fn key(feature: u64) -> u32 {
    (feature >> 32) as u32
}

impl Model {
    fn emissions(&self, feats: &[u64], offsets: &[u32], out: &mut Vec<[f32; LABELS]>) {
        out.clear();
        for w in offsets.windows(2) {
            let mut e = [0f32; LABELS];
            for &f in &feats[w[0] as usize..w[1] as usize] {
                if let Some(fw) = self.weights.get(&key(f)) {
                    for l in 0..LABELS {
                        e[l] += fw[l];
                    }
                }
            }
            out.push(e);
        }
    }
}

/// How many features ahead of the one being summed the tagger asks the
/// CPU to fetch a table slot: the table (tens of MB) does not fit in any
/// cache, so nearly every lookup waits for memory unless its slot was
/// requested while earlier features were being summed.
const PREFETCH_AHEAD: usize = 16;

/// Both models' weights for one feature, alone in a 64-byte cache line.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Row([i16; 2 * LABELS]);

/// Marks an empty slot in [`FeatureTable::keys`]; a feature whose key is
/// this value has its row in [`FeatureTable::zero`] instead.
const NO_KEY: u32 = 0;

/// The tagger's weights by feature key: open addressing with linear
/// probing, at most half full, keys in one array (16 to a cache line, so a
/// probe for an absent feature, common on news text, stays in one line)
/// and each key's weights in a second array at the same index. Unlike a
/// `HashMap`, the slot a key lives in (or starts probing from) is known
/// before the lookup, so [`FeatureTable::prefetch`] can request both lines
/// early; that hides the memory latency that made the lookups a fifth of
/// all ingest time.
#[derive(Clone, Default)]
struct FeatureTable {
    keys: Vec<u32>,
    rows: Vec<Row>,
    zero: Option<Row>,
    /// 64 minus log2 of the slot count: a key's home slot is the top bits
    /// of its multiplicative hash.
    shift: u32,
    len: usize,
}

impl std::fmt::Debug for FeatureTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FeatureTable")
            .field("len", &self.len)
            .field("slots", &self.keys.len())
            .finish()
    }
}

impl FeatureTable {
    /// A later row with the same key replaces an earlier one, as a map's
    /// insert would.
    fn from_rows(rows: impl IntoIterator<Item = (u32, [i16; 2 * LABELS])>) -> FeatureTable {
        let rows: Vec<_> = rows.into_iter().collect();
        let capacity = (rows.len() * 2).next_power_of_two().max(2);
        let mut table = FeatureTable {
            keys: vec![NO_KEY; capacity],
            rows: vec![Row([0; 2 * LABELS]); capacity],
            zero: None,
            shift: 64 - capacity.trailing_zeros(),
            len: 0,
        };
        let mask = capacity - 1;
        for (key, weights) in rows {
            if key == NO_KEY {
                table.len += usize::from(table.zero.is_none());
                table.zero = Some(Row(weights));
                continue;
            }
            let mut i = table.home(key);
            while table.keys[i] != NO_KEY && table.keys[i] != key {
                i = (i + 1) & mask;
            }
            table.len += usize::from(table.keys[i] == NO_KEY);
            table.keys[i] = key;
            table.rows[i] = Row(weights);
        }
        table
    }

    #[inline]
    fn home(&self, key: u32) -> usize {
        ((key as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    #[inline]
    fn get(&self, key: u32) -> Option<&[i16; 2 * LABELS]> {
        if key == NO_KEY {
            return self.zero.as_ref().map(|r| &r.0);
        }
        let mask = self.keys.len().wrapping_sub(1);
        let mut i = self.home(key);
        // At most half full, so a probe always ends at an empty slot.
        while let Some(&k) = self.keys.get(i) {
            if k == key {
                return self.rows.get(i).map(|r| &r.0);
            }
            if k == NO_KEY {
                return None;
            }
            i = (i + 1) & mask;
        }
        None
    }

    /// Asks the CPU to start loading `key`'s home slot and row; no effect
    /// on results, and none at all off x86-64.
    #[inline]
    fn prefetch(&self, key: u32) {
        #[cfg(target_arch = "x86_64")]
        {
            let i = self.home(key);
            if let (Some(k), Some(row)) = (self.keys.get(i), self.rows.get(i)) {
                use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
                // SAFETY: a prefetch is a hint that never faults and
                // changes no memory; both addresses are live elements of
                // this table anyway.
                unsafe {
                    _mm_prefetch::<_MM_HINT_T0>((k as *const u32).cast());
                    _mm_prefetch::<_MM_HINT_T0>((row as *const Row).cast());
                }
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = key;
    }

    fn len(&self) -> usize {
        self.len
    }

    fn iter(&self) -> impl Iterator<Item = (u32, &[i16; 2 * LABELS])> {
        let zero = self.zero.as_ref().map(|r| (NO_KEY, &r.0));
        let rest = self
            .keys
            .iter()
            .zip(&self.rows)
            .filter(|&(&k, _)| k != NO_KEY)
            .map(|(&k, r)| (k, &r.0));
        zero.into_iter().chain(rest)
    }
}

static BUILTIN: &[u8] = include_bytes!("model/tagger.bin");

/// The trained tagger: two perceptrons. The first tags from the text
/// alone; the second also sees the first one's labels of the whole
/// sentence (stacking). Both models' weights for a feature sit together as
/// i16, so one lookup serves both passes and sums stay integers.
#[derive(Debug, Clone, Default)]
pub struct Tagger {
    /// No bit-set filter in front: on PolNeAR dev 95% of a text's
    /// features are in the model, so a filter only added a memory read
    /// (measured 5% slower overall with one).
    table: FeatureTable,
    scale: f32,
    transitions: [[[f32; LABELS]; LABELS + 1]; 2],
    classes: WordClasses,
    priors: RolePriors,
    /// Which tagger the calling thread's [`TaggerCache`] were made with:
    /// unique per built or loaded tagger (a clone has the same weights
    /// and keeps it); 0 for the empty default.
    id: u64,
}

/// Gives each tagger built or loaded an id of its own.
fn next_tagger_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Slots in each thread's [`TaggerCache`]: 8,192 of 128 bytes, 1 MiB, about
/// the size of a core's L2 cache. News text repeats its words, so most
/// tokens find their sum there.
const LOCAL_SUM_BITS: u32 = 13;

/// Marks an empty [`LocalSlot`]: no token has this state.
const EMPTY_STATE: u32 = u32::MAX;

/// One token kind's summed local weights (both models).
#[derive(Clone, Copy)]
#[repr(C, align(128))]
struct LocalSlot {
    key: LocalKey,
    sum: [i32; 2 * LABELS],
}

/// What each thread keeps of the tagger's work, across paragraphs and
/// documents. First, the summed weights of each token's local features
/// ([`features::LOCAL_TEMPLATES`]: a third of its features, those that
/// depend only on the word, how it is written and its quotation state),
/// by [`LocalKey`], in a direct-mapped table. A hit replaces some twenty
/// table lookups, each of which waits on memory, with one; the sums are
/// i32 and exact, so the tags are the same as without the cache.
///
/// Beside them, the same way, what the tagger's maps say of each word (its
/// class and group, its role priors and its stem's): three hash lookups
/// per token, most of which miss the CPU's caches, become one slot that
/// most often is in them.
struct TaggerCache {
    tagger: u64,
    slots: Vec<LocalSlot>,
    words: Vec<WordSlot>,
}

/// A word's facts from the tagger's maps ([`WordClasses`], [`RolePriors`]).
#[derive(Clone, Copy)]
struct WordSlot {
    word: u64,
    stem: u64,
    class: u16,
    group: u16,
    prior: u16,
    stem_prior: u16,
}

/// Marks an empty [`WordSlot`]: no class has this number.
const EMPTY_CLASS: u16 = u16::MAX;

impl TaggerCache {
    fn new() -> TaggerCache {
        let empty = LocalSlot {
            key: LocalKey {
                word: 0,
                suffix: 0,
                state: EMPTY_STATE,
            },
            sum: [0; 2 * LABELS],
        };
        let no_word = WordSlot {
            word: 0,
            stem: 0,
            class: EMPTY_CLASS,
            group: 0,
            prior: 0,
            stem_prior: 0,
        };
        TaggerCache {
            tagger: 0,
            slots: vec![empty; 1 << LOCAL_SUM_BITS],
            words: vec![no_word; 1 << LOCAL_SUM_BITS],
        }
    }

    /// Empties the cache when it holds another tagger's sums.
    fn serve(&mut self, tagger: u64) {
        if self.tagger != tagger {
            for slot in &mut self.slots {
                slot.key.state = EMPTY_STATE;
            }
            for slot in &mut self.words {
                slot.class = EMPTY_CLASS;
            }
            self.tagger = tagger;
        }
    }

    /// The slot for `key`, and whether it already holds `key`'s sum.
    #[inline]
    fn slot(&mut self, key: LocalKey) -> (&mut LocalSlot, bool) {
        let h = features::mix(key.word ^ key.suffix.rotate_left(17), key.state as u64);
        let slot = &mut self.slots[slot_index(h)];
        let hit = slot.key == key;
        (slot, hit)
    }

    /// Sets each token's word class and role priors as `tagger`'s maps
    /// give them, from the cache where it holds the word.
    fn assign(&mut self, tagger: &Tagger, info: &mut [TokInfo]) {
        self.serve(tagger.id);
        for t in info {
            let slot = &mut self.words[slot_index(features::mix(t.word, t.stem))];
            if slot.class != EMPTY_CLASS && slot.word == t.word && slot.stem == t.stem {
                t.class = slot.class;
                t.group = slot.group;
                t.prior = slot.prior;
                t.stem_prior = slot.stem_prior;
            } else {
                let one = std::slice::from_mut(t);
                tagger.classes.assign(one);
                tagger.priors.assign(one);
                *slot = WordSlot {
                    word: t.word,
                    stem: t.stem,
                    class: t.class,
                    group: t.group,
                    prior: t.prior,
                    stem_prior: t.stem_prior,
                };
            }
        }
    }
}

/// The slot of a key hashed to `h` in either of [`TaggerCache`]'s tables:
/// its top bits (the mask only spares a bounds check).
#[inline]
fn slot_index(h: u64) -> usize {
    (h >> (64 - LOCAL_SUM_BITS)) as usize & ((1 << LOCAL_SUM_BITS) - 1)
}

thread_local! {
    static TAGGER_CACHE: RefCell<TaggerCache> = RefCell::new(TaggerCache::new());
}

impl Tagger {
    /// The tagger trained on PolNeAR that ships with the library; `None`
    /// if the embedded file is unreadable (a build without a trained model).
    pub fn builtin() -> Option<&'static Tagger> {
        static TAGGER: OnceLock<Option<Tagger>> = OnceLock::new();
        TAGGER
            .get_or_init(|| Tagger::from_bytes(BUILTIN).ok())
            .as_ref()
    }

    /// Joins two trained models, dropping weights under `min_weight` in
    /// absolute value.
    pub fn from_models(
        first: &Model,
        second: &Model,
        classes: WordClasses,
        priors: RolePriors,
        min_weight: f32,
    ) -> Tagger {
        let max = [first, second]
            .iter()
            .flat_map(|m| m.weights.values().flat_map(|w| w.iter()))
            .fold(0f32, |m, w| m.max(w.abs()));
        let scale = if max > 0.0 { max / 32767.0 } else { 1.0 };
        let mut table: KeyMap<[i16; 2 * LABELS]> = KeyMap::default();
        for (half, model) in [first, second].iter().enumerate() {
            for (&k, w) in &model.weights {
                for (l, &x) in w.iter().enumerate() {
                    if x.abs() < min_weight {
                        continue;
                    }
                    let q = (x / scale).round().clamp(-32767.0, 32767.0) as i16;
                    if q != 0 {
                        table.entry(k).or_insert([0; 2 * LABELS])[half * LABELS + l] = q;
                    }
                }
            }
        }
        Tagger {
            table: FeatureTable::from_rows(table),
            scale,
            transitions: [first.transitions, second.transitions],
            classes,
            priors,
            id: next_tagger_id(),
        }
    }

    /// Number of features with a weight.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.len() == 0
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Tagger, ModelError> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(8)? != MAGIC {
            return Err(ModelError::Magic);
        }
        let version = r.u32()?;
        if version != VERSION {
            return Err(ModelError::Version(version));
        }
        let mut tagger = Tagger {
            scale: r.f32()?,
            ..Tagger::default()
        };
        for table in tagger.transitions.iter_mut() {
            for row in table.iter_mut() {
                for w in row.iter_mut() {
                    *w = r.f32()?;
                }
            }
        }
        let n = r.u32()? as usize;
        let mut rows = Vec::with_capacity(n.min(bytes.len() / 8));
        for _ in 0..n {
            let k = r.u32()?;
            let mask = r.u32()?;
            let mut w = [0i16; 2 * LABELS];
            for (l, slot) in w.iter_mut().enumerate() {
                if mask & (1 << l) != 0 {
                    *slot = r.i16()?;
                }
            }
            rows.push((k, w));
        }
        tagger.table = FeatureTable::from_rows(rows);
        let classes = r.u32()? as usize;
        tagger.classes.group = r.take(classes)?.to_vec();
        let words = r.u32()? as usize;
        tagger.classes.class.reserve(words.min(bytes.len() / 9));
        for _ in 0..words {
            let word = r.u64()?;
            let class = r.take(1)?[0];
            tagger.classes.class.insert(word, class);
        }
        for map in [&mut tagger.priors.words, &mut tagger.priors.stems] {
            let n = r.u32()? as usize;
            map.reserve(n.min(bytes.len() / 10));
            for _ in 0..n {
                let word = r.u64()?;
                let prior = r.take(2)?;
                map.insert(word, u16::from_le_bytes([prior[0], prior[1]]));
            }
        }
        tagger.id = next_tagger_id();
        Ok(tagger)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut rows: Vec<(u32, &[i16; 2 * LABELS])> = self.table.iter().collect();
        rows.sort_unstable_by_key(|&(k, _)| k);
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&self.scale.to_le_bytes());
        for table in &self.transitions {
            for row in table {
                for w in row {
                    out.extend_from_slice(&w.to_le_bytes());
                }
            }
        }
        out.extend_from_slice(&(rows.len() as u32).to_le_bytes());
        for (k, w) in rows {
            let mask = w
                .iter()
                .enumerate()
                .fold(0u32, |m, (l, &v)| if v != 0 { m | 1 << l } else { m });
            out.extend_from_slice(&k.to_le_bytes());
            out.extend_from_slice(&mask.to_le_bytes());
            for v in w.iter().filter(|&&v| v != 0) {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
        out.extend_from_slice(&(self.classes.group.len() as u32).to_le_bytes());
        out.extend_from_slice(&self.classes.group);
        let mut words: Vec<(&u64, &u8)> = self.classes.class.iter().collect();
        words.sort();
        out.extend_from_slice(&(words.len() as u32).to_le_bytes());
        for (w, c) in words {
            out.extend_from_slice(&w.to_le_bytes());
            out.push(*c);
        }
        for map in [&self.priors.words, &self.priors.stems] {
            let mut words: Vec<(&u64, &u16)> = map.iter().collect();
            words.sort();
            out.extend_from_slice(&(words.len() as u32).to_le_bytes());
            for (w, p) in words {
                out.extend_from_slice(&w.to_le_bytes());
                out.extend_from_slice(&p.to_le_bytes());
            }
        }
        out
    }

    /// One label per token of `analysis`.
    pub fn tag(&self, text: &str, analysis: &Analysis) -> Vec<Label> {
        self.tag_while(text, analysis, |_| true).0
    }

    /// [`Tagger::tag`] that stops before paragraph `p` when `go_on(p)` says
    /// no (a time limit); also returns how many paragraphs were tagged (the
    /// later ones are all Outside).
    pub fn tag_while(
        &self,
        text: &str,
        analysis: &Analysis,
        mut go_on: impl FnMut(usize) -> bool,
    ) -> (Vec<Label>, usize) {
        let mut labels = Vec::with_capacity(analysis.tokens.len());
        let mut scratch = Scratch::default();
        for p in 0..analysis.paragraphs.len() {
            if !go_on(p) {
                labels.resize(analysis.tokens.len(), Label::Outside);
                return (labels, p);
            }
            let context = scratch.next_paragraph(text, analysis, p);
            TAGGER_CACHE.with_borrow_mut(|cache| cache.assign(self, &mut scratch.info));
            self.tag_paragraph(&mut scratch, context);
            // Tokens outside every paragraph (none in practice) stay Outside.
            let para = &analysis.paragraphs[p];
            labels.resize(para.tokens.start, Label::Outside);
            labels.extend(scratch.path.iter().map(|&l| Label::from_index(l)));
        }
        labels.resize(analysis.tokens.len(), Label::Outside);
        (labels, analysis.paragraphs.len())
    }

    /// Adds both models' weights for `feature`, if the table has any.
    #[inline]
    fn add_weights(&self, acc: &mut [i32; 2 * LABELS], feature: u64) {
        if let Some(fw) = self.table.get(key(feature)) {
            for (a, &x) in acc.iter_mut().zip(fw.iter()) {
                *a += x as i32;
            }
        }
    }

    /// Labels the paragraph in `scratch.info` into `scratch.path`: the
    /// first model's pass, then the second's on the same text features
    /// plus the stacked ones. Tokens of sentences that [`untagged`] rules
    /// out are labelled Outside without looking up their weights.
    fn tag_paragraph(&self, scratch: &mut Scratch, context: ParagraphContext) {
        untagged(
            &scratch.info,
            context,
            &mut scratch.signal,
            &mut scratch.skip,
        );
        let skip = &scratch.skip;
        features::featurise_split(
            &scratch.info,
            context,
            &mut scratch.feats,
            &mut scratch.offsets,
            &mut scratch.locals,
            &mut scratch.local_offsets,
            &scratch.skip,
        );
        scratch.sums.clear();
        TAGGER_CACHE.with_borrow_mut(|cache| {
            cache.serve(self.id);
            let feats = &scratch.feats;
            let locals = &scratch.locals;
            for (t, (w, lw)) in scratch
                .offsets
                .windows(2)
                .zip(scratch.local_offsets.windows(2))
                .enumerate()
            {
                let Some(info) = scratch.info.get(t) else {
                    break;
                };
                if skip.get(t) == Some(&true) {
                    scratch.sums.push([0; 2 * LABELS]);
                    continue;
                }
                let (slot, hit) = cache.slot(LocalKey::of(info));
                if !hit {
                    slot.sum = [0; 2 * LABELS];
                    for &f in &locals[lw[0] as usize..lw[1] as usize] {
                        self.add_weights(&mut slot.sum, f);
                    }
                    slot.key = LocalKey::of(info);
                }
                let mut acc = slot.sum;
                for j in w[0] as usize..w[1] as usize {
                    if let Some(&ahead) = feats.get(j + PREFETCH_AHEAD) {
                        self.table.prefetch(key(ahead));
                    }
                    self.add_weights(&mut acc, feats[j]);
                }
                scratch.sums.push(acc);
            }
        });
        let scale = self.scale;
        let emissions = |sums: &[[i32; 2 * LABELS]], half: usize, out: &mut Vec<[f32; LABELS]>| {
            out.clear();
            out.extend(sums.iter().map(|acc| {
                let mut e = [0f32; LABELS];
                for (l, slot) in e.iter_mut().enumerate() {
                    *slot = acc[half * LABELS + l] as f32 * scale;
                }
                e
            }));
        };
        emissions(&scratch.sums, 0, &mut scratch.emissions);
        only_outside(&mut scratch.emissions, skip);
        viterbi_outside(
            &scratch.emissions,
            &self.transitions[0],
            &mut scratch.back,
            &mut scratch.first,
            skip,
        );
        features::featurise_stacked(
            &scratch.info,
            &scratch.first,
            &mut scratch.feats,
            &mut scratch.offsets,
            &scratch.skip,
        );
        let feats = &scratch.feats;
        for (t, w) in scratch.offsets.windows(2).enumerate() {
            let Some(acc) = scratch.sums.get_mut(t) else {
                break;
            };
            if skip.get(t) == Some(&true) {
                continue;
            }
            for j in w[0] as usize..w[1] as usize {
                if let Some(&ahead) = feats.get(j + PREFETCH_AHEAD) {
                    self.table.prefetch(key(ahead));
                }
                if let Some(fw) = self.table.get(key(feats[j])) {
                    for l in LABELS..2 * LABELS {
                        acc[l] += fw[l] as i32;
                    }
                }
            }
        }
        emissions(&scratch.sums, 1, &mut scratch.emissions);
        only_outside(&mut scratch.emissions, skip);
        viterbi_outside(
            &scratch.emissions,
            &self.transitions[1],
            &mut scratch.back,
            &mut scratch.path,
            skip,
        );
    }
}

/// How likely a word must be to be a cue, as a bucket of its role prior
/// ([`features::prior_bucket`], 0-7), for its sentence to be tagged
/// without a lexicon cue, quotation mark or colon. 5 is where the
/// training annotations made the word a cue in at least a quarter of its
/// unquoted occurrences (the same cut as the prior-cue features).
const LIKELY_CUE_BUCKET: u64 = 5;

/// Marks in `skip` the tokens of the paragraph's sentences that show
/// nothing an attribution is made of: no lexicon cue, no word that the
/// training annotations often made a cue, no quotation mark or quoted
/// word, no colon. The tagger labels them Outside without looking at
/// their features, which are a third of the tokens of ordinary news pages
/// (the 711 WCXB dev pages) and a tenth of PolNeAR's. Measured with
/// models trained on half of PolNeAR train and scored on the other half
/// (both ways), pair F1 and every exact F1 stay within 0.001: the
/// attributions of such sentences are ones the tagger hardly ever found.
/// A paragraph after one that ends in a colon or inside an open quotation
/// is tagged whole: it is often the content of a cue before it.
fn untagged(
    info: &[TokInfo],
    context: ParagraphContext,
    signal: &mut Vec<bool>,
    skip: &mut Vec<bool>,
) {
    skip.clear();
    if context.after_colon || context.after_open_quote {
        skip.resize(info.len(), false);
        return;
    }
    let colon = features::word_hash(":");
    signal.clear();
    for t in info {
        let sentence = t.sentence as usize;
        if signal.len() <= sentence {
            signal.resize(sentence + 1, false);
        }
        let shows = t.cue
            || t.quote != QuoteMark::None
            || t.in_quote
            || t.in_single
            || t.word == colon
            || features::prior_bucket(t.prior, 1) >= LIKELY_CUE_BUCKET
            || features::prior_bucket(t.stem_prior, 1) >= LIKELY_CUE_BUCKET;
        if shows {
            signal[sentence] = true;
        }
    }
    skip.extend(
        info.iter()
            .map(|t| signal.get(t.sentence as usize) == Some(&false)),
    );
}

/// Leaves Outside as the only label of the tokens marked in `skip`.
fn only_outside(emissions: &mut [[f32; LABELS]], skip: &[bool]) {
    for (e, _) in emissions.iter_mut().zip(skip).filter(|&(_, &s)| s) {
        *e = [f32::NEG_INFINITY; LABELS];
        e[0] = 0.0;
    }
}

/// Tags with the built-in model; all Outside when there is none.
pub fn tag(text: &str, analysis: &Analysis) -> Vec<Label> {
    match Tagger::builtin() {
        Some(m) => m.tag(text, analysis),
        None => vec![Label::Outside; analysis.tokens.len()],
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        let s = self
            .bytes
            .get(self.at..self.at + n)
            .ok_or(ModelError::Truncated)?;
        self.at += n;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, ModelError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn f32(&mut self) -> Result<f32, ModelError> {
        Ok(f32::from_bits(self.u32()?))
    }
    fn u64(&mut self) -> Result<u64, ModelError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    fn i16(&mut self) -> Result<i16, ModelError> {
        let b = self.take(2)?;
        Ok(i16::from_le_bytes([b[0], b[1]]))
    }
}

/// Buffers reused from paragraph to paragraph.
#[derive(Default)]
struct Scratch {
    info: Vec<TokInfo>,
    previous_ends_colon: bool,
    previous_open_quote: bool,
    feats: Vec<u64>,
    offsets: Vec<u32>,
    locals: Vec<u64>,
    local_offsets: Vec<u32>,
    /// Per sentence of the paragraph: whether it shows a sign of an
    /// attribution ([`untagged`]).
    signal: Vec<bool>,
    /// Per token: left Outside untagged.
    skip: Vec<bool>,
    emissions: Vec<[f32; LABELS]>,
    sums: Vec<[i32; 2 * LABELS]>,
    back: Vec<[u8; LABELS]>,
    first: Vec<usize>,
    path: Vec<usize>,
}

impl Scratch {
    /// Analyses paragraph `p` into `self.info` and says what came before it.
    fn next_paragraph(&mut self, text: &str, analysis: &Analysis, p: usize) -> ParagraphContext {
        let context = ParagraphContext {
            after_colon: p > 0 && self.previous_ends_colon,
            after_open_quote: p > 0 && self.previous_open_quote,
            first: p == 0,
        };
        features::analyse(text, analysis, p, &mut self.info);
        let last_token = analysis.paragraphs[p]
            .tokens
            .clone()
            .last()
            .and_then(|i| analysis.tokens.get(i));
        self.previous_ends_colon = last_token.is_some_and(|t| t.text(text) == ":");
        self.previous_open_quote = self
            .info
            .last()
            .is_some_and(|t| t.in_quote || t.quote == QuoteMark::OpenDouble);
        context
    }
}

/// Best label path under the BIO constraints.
fn viterbi(
    emissions: &[[f32; LABELS]],
    transitions: &[[f32; LABELS]; LABELS + 1],
    back: &mut Vec<[u8; LABELS]>,
    path: &mut Vec<usize>,
) {
    viterbi_outside(emissions, transitions, back, path, &[]);
}

/// [`viterbi`] where the tokens marked in `only_outside` have emissions
/// that allow Outside alone ([`only_outside`]): for them only Outside's
/// best predecessor is sought, the same one the full step would find.
fn viterbi_outside(
    emissions: &[[f32; LABELS]],
    transitions: &[[f32; LABELS]; LABELS + 1],
    back: &mut Vec<[u8; LABELS]>,
    path: &mut Vec<usize>,
    only_outside: &[bool],
) {
    path.clear();
    let n = emissions.len();
    if n == 0 {
        return;
    }
    back.clear();
    back.resize(n, [0; LABELS]);
    // BIO constraints as impossible transitions, so the inner loop has no
    // branches.
    let mut trans = *transitions;
    for (p, row) in trans.iter_mut().enumerate() {
        for (l, w) in row.iter_mut().enumerate() {
            if !allowed(p, l) {
                *w = f32::NEG_INFINITY;
            }
        }
    }
    let mut score = [0f32; LABELS];
    for l in 0..LABELS {
        score[l] = trans[START][l] + emissions[0][l];
    }
    // Every predecessor, the forbidden ones at minus infinity: a dense
    // loop without branches that vectorises, where a loop over just the
    // allowed ones (61 of 169 pairs) mispredicted its exits. Predecessors
    // are tried in the same order with the same strict comparison, so ties
    // resolve as before.
    for (t, step) in emissions.iter().enumerate().skip(1) {
        if only_outside.get(t) == Some(&true) {
            let mut best = f32::NEG_INFINITY;
            let mut arg = 0u8;
            for (p, (&from, row)) in score.iter().zip(&trans).enumerate() {
                let v = from + row[0];
                if v > best {
                    best = v;
                    arg = p as u8;
                }
            }
            score = [f32::NEG_INFINITY; LABELS];
            score[0] = best + step[0];
            back[t] = [arg; LABELS];
            continue;
        }
        let mut best = [f32::NEG_INFINITY; LABELS];
        let mut arg = [0u8; LABELS];
        for (p, (&from, row)) in score.iter().zip(&trans).enumerate() {
            for ((b, a), &w) in best.iter_mut().zip(arg.iter_mut()).zip(row) {
                let v = from + w;
                if v > *b {
                    *b = v;
                    *a = p as u8;
                }
            }
        }
        for ((s, b), e) in score.iter_mut().zip(best).zip(step) {
            *s = b + e;
        }
        back[t] = arg;
    }
    // The path may not end inside an open span.
    let mut last = 0;
    for l in 0..LABELS {
        if !is_open(l) && score[l] > score[last] {
            last = l;
        }
    }
    path.resize(n, 0);
    path[n - 1] = last;
    for t in (1..n).rev() {
        path[t - 1] = back[t][path[t]] as usize;
    }
}

/// A labelled span: consecutive tokens of one role, never across
/// paragraphs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSpan {
    pub role: Role,
    /// Indices into the analysis' tokens.
    pub tokens: Range<usize>,
    /// Byte offsets into the text.
    pub start: usize,
    pub end: usize,
}

/// Turns labels into spans. A Begin always starts a new span; an Inside
/// after a different role (impossible from [`Tagger::tag`]) starts one too.
/// Content spans lose their outer quotation marks.
pub fn spans(analysis: &Analysis, labels: &[Label]) -> Vec<RoleSpan> {
    let mut out: Vec<RoleSpan> = Vec::new();
    for para in &analysis.paragraphs {
        let mut open: Option<RoleSpan> = None;
        for i in para.tokens.clone() {
            let (Some(tok), Some(&label)) = (analysis.tokens.get(i), labels.get(i)) else {
                break;
            };
            let continues = matches!((label, &open), (Label::Inside(r), Some(s)) if s.role == r);
            if continues {
                if let Some(s) = open.as_mut() {
                    s.tokens.end = i + 1;
                    s.end = tok.end;
                }
                continue;
            }
            out.extend(open.take());
            if let Some(role) = label.role() {
                open = Some(RoleSpan {
                    role,
                    tokens: i..i + 1,
                    start: tok.start,
                    end: tok.end,
                });
            }
        }
        out.extend(open.take());
    }
    // The record's content excludes the quotation marks, which PolNeAR
    // (and so the tagger) often includes.
    for s in out.iter_mut().filter(|s| s.role == Role::Content) {
        let is_mark = |i: usize| analysis.tokens.get(i).is_some_and(|t| t.quote().is_some());
        while s.tokens.len() > 1 && is_mark(s.tokens.start) {
            s.tokens.start += 1;
        }
        while s.tokens.len() > 1 && is_mark(s.tokens.end - 1) {
            s.tokens.end -= 1;
        }
        if let (Some(first), Some(last)) = (
            analysis.tokens.get(s.tokens.start),
            analysis.tokens.get(s.tokens.end - 1),
        ) {
            s.start = first.start;
            s.end = last.end;
        }
    }
    out
}

/// An attribution assembled from tagged spans: indices into the span list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedSpans {
    pub source: Option<usize>,
    pub cue: Option<usize>,
    /// One or more content spans, in text order.
    pub content: Vec<usize>,
}

/// The simplest linking that explains the tags: each content takes the
/// nearest cue in its paragraph (same sentence first), or, in a paragraph
/// without cues, the last cue of a previous paragraph that ends with a
/// colon or left a quotation open; each cue takes the nearest source in its
/// paragraph (same sentence first); contents that share a cue become one
/// discontinuous content. Cues without content are dropped.
pub fn link(text: &str, analysis: &Analysis, spans: &[RoleSpan]) -> Vec<LinkedSpans> {
    // Spans come in text order, so the nearest ones are neighbours in the
    // list; looking at most LINK_WINDOW spans each way keeps a paragraph
    // with thousands of spans linear.
    const LINK_WINDOW: usize = 64;
    let paragraph: Vec<Option<usize>> = spans
        .iter()
        .map(|s| analysis.paragraph_of(s.tokens.start))
        .collect();
    let sentence: Vec<Option<usize>> = spans
        .iter()
        .map(|s| analysis.sentence_of(s.tokens.start))
        .collect();
    let gap = |a: &RoleSpan, b: &RoleSpan| {
        if a.tokens.end <= b.tokens.start {
            b.tokens.start - a.tokens.end
        } else {
            a.tokens.start.saturating_sub(b.tokens.end)
        }
    };
    let nearest = |from: usize, role: Role| -> Option<usize> {
        let lo = from.saturating_sub(LINK_WINDOW);
        let hi = (from + LINK_WINDOW + 1).min(spans.len());
        (lo..hi)
            .filter(|&j| j != from && spans[j].role == role && paragraph[j] == paragraph[from])
            .min_by_key(|&j| {
                (
                    sentence[j] != sentence[from],
                    gap(&spans[from], &spans[j]),
                    j,
                )
            })
    };
    let mut linked: Vec<LinkedSpans> = Vec::new();
    let mut by_cue: HashMap<usize, usize> = HashMap::new();
    let mut carried_cue: Option<usize> = None;
    let mut last_cue: Option<usize> = None;
    let mut last_paragraph: Option<usize> = None;
    for (i, c) in spans.iter().enumerate() {
        let p = paragraph[i];
        if p != last_paragraph {
            // A cue carries into the next paragraph only right after a
            // colon or an open quotation.
            if let (Some(lp), Some(np)) = (last_paragraph, p) {
                let carries = np == lp + 1 && paragraph_hands_on(text, analysis, lp);
                if !carries {
                    carried_cue = None;
                }
                let last_cue_there = last_cue.filter(|&k| paragraph[k] == Some(lp));
                if carries && last_cue_there.is_some() {
                    carried_cue = last_cue_there;
                }
            }
            last_paragraph = p;
        }
        if c.role == Role::Cue {
            last_cue = Some(i);
        }
        if c.role != Role::Content {
            continue;
        }
        let cue = nearest(i, Role::Cue).or(carried_cue);
        match cue.and_then(|k| by_cue.get(&k)) {
            Some(&at) => linked[at].content.push(i),
            None => {
                if let Some(k) = cue {
                    by_cue.insert(k, linked.len());
                }
                linked.push(LinkedSpans {
                    source: cue.and_then(|k| nearest(k, Role::Source)),
                    cue,
                    content: vec![i],
                });
            }
        }
    }
    linked
}

/// Whether paragraph `p` hands its speaker on to the next one: it ends
/// with a colon ("Caddell continued:"), or with a quotation still open (a
/// quote running over several paragraphs).
fn paragraph_hands_on(text: &str, analysis: &Analysis, p: usize) -> bool {
    use crate::attribution::text::{QuoteDirection, QuoteLevel};
    let Some(para) = analysis.paragraphs.get(p) else {
        return false;
    };
    let toks = analysis.tokens.get(para.tokens.clone()).unwrap_or(&[]);
    if toks.last().is_some_and(|t| t.text(text) == ":") {
        return true;
    }
    let mut open = false;
    for q in toks.iter().filter_map(|t| t.quote()) {
        if q.level == QuoteLevel::Double {
            open = match q.direction {
                QuoteDirection::Opening => true,
                QuoteDirection::Closing => false,
                QuoteDirection::Ambiguous => !open,
            };
        }
    }
    open
}

// ---------------------------------------------------------------------------
// Training

/// Settings of [`train`]; the defaults are the ones the shipped model was
/// trained with.
#[derive(Debug, Clone, Copy)]
pub struct TrainConfig {
    pub epochs: usize,
    /// Features seen fewer times in the training data are dropped.
    pub min_count: u32,
    /// Weights smaller than this in absolute value are left out of the
    /// model (keeps the file small; perceptron weights count updates).
    pub min_weight: f32,
    /// Seed of the shuffling of sequences between epochs.
    pub seed: u64,
    /// The second model learns from first-pass labels made by first models
    /// that did not see the document: documents are split into this many
    /// folds by their index.
    pub folds: usize,
    /// Passive-aggressive updates (PA-I, Hamming loss) with this
    /// aggressiveness; `None`: the perceptron's unit steps. On the training
    /// texts split in two, PA-I scored about 0.01 higher on every role and
    /// on pairs (DESIGN.md).
    pub passive_aggressive: Option<f32>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: 30,
            min_count: 3,
            seed: 0x5eed,
            folds: 4,
            min_weight: 8.0,
            passive_aggressive: Some(0.01),
        }
    }
}

/// One training sequence: a paragraph's features (as ids) and gold labels.
struct Sequence {
    feats: Vec<u32>,
    offsets: Vec<u32>,
    gold: Vec<usize>,
}

/// The gold label of every token: a token belongs to a role span when it
/// overlaps one of its fragments; each fragment starts with Begin.
pub fn gold_labels(analysis: &Analysis, gold: &[GoldAttribution]) -> Vec<Label> {
    let mut labels = vec![Label::Outside; analysis.tokens.len()];
    let mut mark = |ranges: &[ByteRange], role: Role| {
        for r in ranges {
            let first = analysis.token_at_or_after(r.start);
            let mut begun = false;
            for (t, label) in analysis.tokens.iter().zip(labels.iter_mut()).skip(first) {
                if t.start >= r.end {
                    break;
                }
                *label = if begun {
                    Label::Inside(role)
                } else {
                    Label::Begin(role)
                };
                begun = true;
            }
        }
    };
    for a in gold {
        mark(&a.source, Role::Source);
        mark(&a.cue, Role::Cue);
        mark(&a.content, Role::Content);
    }
    // An Inside that follows a different role (overlapping gold spans) is
    // made a Begin so that every gold sequence is a legal path.
    for i in 0..labels.len() {
        if let Label::Inside(r) = labels[i] {
            let prev = i.checked_sub(1).map(|j| labels[j]);
            let same_paragraph = i > 0 && analysis.paragraph_of(i) == analysis.paragraph_of(i - 1);
            if !same_paragraph || prev.and_then(Label::role) != Some(r) {
                labels[i] = Label::Begin(r);
            }
        }
    }
    labels
}

/// A training document: its text, the analysis of it and gold attributions.
pub struct TrainingDocument<'a> {
    pub text: &'a str,
    pub analysis: &'a Analysis,
    pub gold: &'a [GoldAttribution],
}

struct TrainingParagraph {
    info: Vec<TokInfo>,
    context: ParagraphContext,
    gold: Vec<usize>,
    doc: usize,
}

/// Hashed features of one paragraph and where each token's begin.
struct Hashed {
    feats: Vec<u64>,
    offsets: Vec<u32>,
}

fn hash_features(p: &TrainingParagraph, first_pass: Option<&[usize]>) -> Hashed {
    let mut h = Hashed {
        feats: Vec::new(),
        offsets: Vec::new(),
    };
    features::featurise(&p.info, p.context, first_pass, &mut h.feats, &mut h.offsets);
    h
}

/// Trains the two models. Deterministic for the same documents in the same
/// order and the same configuration. `progress` receives a line per stage
/// and epoch.
pub fn train(
    docs: &[TrainingDocument<'_>],
    config: TrainConfig,
    mut progress: impl FnMut(&str),
) -> Tagger {
    let mut paragraphs = Vec::new();
    // A text annotated twice comes as neighbouring documents with the same
    // text: both go into one fold, or the second model would learn from
    // first-pass labels made by a model that had seen the text.
    let mut group = 0usize;
    for (di, doc) in docs.iter().enumerate() {
        if di > 0 && docs[di - 1].text != doc.text {
            group += 1;
        }
        let labels = gold_labels(doc.analysis, doc.gold);
        let mut scratch = Scratch::default();
        for p in 0..doc.analysis.paragraphs.len() {
            let context = scratch.next_paragraph(doc.text, doc.analysis, p);
            let gold = bilou(&labels[doc.analysis.paragraphs[p].tokens.clone()]);
            if gold.is_empty() {
                continue;
            }
            paragraphs.push(TrainingParagraph {
                info: scratch.info.clone(),
                context,
                gold,
                doc: group,
            });
        }
    }
    progress("word classes");
    let classes = WordClasses::learn(paragraphs.iter().map(|p| p.info.as_slice()));
    progress(&format!("{} words in classes", classes.len()));
    for p in &mut paragraphs {
        classes.assign(&mut p.info);
    }
    let folds = config.folds.max(2);
    // Role priors out of fold: a paragraph's priors are counted on the
    // other folds' annotations, so no model learns to trust a prior that
    // was made from the very labels it is fitted to. The shipped priors
    // are counted on everything.
    for fold in 0..folds {
        let priors = RolePriors::learn(
            paragraphs
                .iter()
                .filter(|p| p.doc % folds != fold)
                .map(|p| (p.info.as_slice(), p.gold.as_slice())),
        );
        for p in paragraphs.iter_mut().filter(|p| p.doc % folds == fold) {
            priors.assign(&mut p.info);
        }
    }
    let priors = RolePriors::learn(
        paragraphs
            .iter()
            .map(|p| (p.info.as_slice(), p.gold.as_slice())),
    );
    progress(&format!(
        "{} words and stems with role priors",
        priors.len()
    ));
    let base: Vec<Hashed> = paragraphs.iter().map(|p| hash_features(p, None)).collect();
    let all: Vec<usize> = (0..paragraphs.len()).collect();
    progress("first model");
    let first = fit(&base, &paragraphs, &all, config, &mut progress);

    let mut first_pass: Vec<Vec<usize>> = vec![Vec::new(); paragraphs.len()];
    let mut emissions = Vec::new();
    let mut back = Vec::new();
    for fold in 0..folds {
        let (held, rest): (Vec<usize>, Vec<usize>) = all
            .iter()
            .partition(|&&i| paragraphs[i].doc % folds == fold);
        progress(&format!("fold {} of {folds}", fold + 1));
        let model = fit(&base, &paragraphs, &rest, config, &mut |_| {});
        for i in held {
            model.emissions(&base[i].feats, &base[i].offsets, &mut emissions);
            viterbi(
                &emissions,
                &model.transitions,
                &mut back,
                &mut first_pass[i],
            );
        }
    }
    drop(base);
    let stacked: Vec<Hashed> = paragraphs
        .iter()
        .zip(&first_pass)
        .map(|(p, l)| hash_features(p, Some(l)))
        .collect();
    progress("second model");
    let second = fit(&stacked, &paragraphs, &all, config, &mut progress);
    Tagger::from_models(&first, &second, classes, priors, config.min_weight)
}

/// One structured averaged perceptron over the paragraphs `which`.
fn fit(
    hashed: &[Hashed],
    paragraphs: &[TrainingParagraph],
    which: &[usize],
    config: TrainConfig,
    progress: &mut dyn FnMut(&str),
) -> Model {
    let mut counts: HashMap<u64, u32> = HashMap::new();
    for &i in which {
        for &f in &hashed[i].feats {
            *counts.entry(f).or_default() += 1;
        }
    }
    let mut kept: Vec<u64> = counts
        .iter()
        .filter(|(_, &c)| c >= config.min_count)
        .map(|(&f, _)| f)
        .collect();
    kept.sort_unstable();
    drop(counts);
    let ids: HashMap<u64, u32> = kept
        .iter()
        .enumerate()
        .map(|(i, &f)| (f, i as u32))
        .collect();
    let sequences: Vec<Sequence> = which
        .iter()
        .map(|&i| {
            let h = &hashed[i];
            let mut feats = Vec::with_capacity(h.feats.len());
            let mut offsets = Vec::with_capacity(h.offsets.len());
            for w in h.offsets.windows(2) {
                offsets.push(feats.len() as u32);
                feats.extend(
                    h.feats[w[0] as usize..w[1] as usize]
                        .iter()
                        .filter_map(|f| ids.get(f).copied()),
                );
            }
            offsets.push(feats.len() as u32);
            Sequence {
                feats,
                offsets,
                gold: paragraphs[i].gold.clone(),
            }
        })
        .collect();
    drop(ids);
    progress(&format!(
        "{} sequences, {} features kept",
        sequences.len(),
        kept.len()
    ));
    let nf = kept.len();
    let mut w = vec![[0f32; LABELS]; nf];
    let mut acc = vec![[0f32; LABELS]; nf];
    let mut tw = [[0f32; LABELS]; LABELS + 1];
    let mut tacc = [[0f32; LABELS]; LABELS + 1];
    let mut c = 1f32;
    let mut order: Vec<usize> = (0..sequences.len()).collect();
    let mut rng = config.seed | 1;
    let mut emissions = Vec::new();
    let mut back = Vec::new();
    let mut path = Vec::new();
    let mut diff = Vec::new();
    let (mut steps, mut updates) = (0f64, 0u64);
    for epoch in 0..config.epochs {
        // Fisher-Yates with xorshift64: fixed seed, fixed order.
        for i in (1..order.len()).rev() {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            order.swap(i, (rng % (i as u64 + 1)) as usize);
        }
        let mut wrong = 0usize;
        let mut total = 0usize;
        for &si in &order {
            let s = &sequences[si];
            emissions.clear();
            for win in s.offsets.windows(2) {
                let mut e = [0f32; LABELS];
                for &f in &s.feats[win[0] as usize..win[1] as usize] {
                    let fw = &w[f as usize];
                    for l in 0..LABELS {
                        e[l] += fw[l];
                    }
                }
                emissions.push(e);
            }
            viterbi(&emissions, &tw, &mut back, &mut path);
            total += s.gold.len();
            if path == s.gold {
                c += 1.0;
                continue;
            }
            let step = match config.passive_aggressive {
                None => 1.0,
                Some(aggressiveness) => {
                    let step = pa_step(s, &path, &emissions, &tw, &mut diff, aggressiveness);
                    steps += step as f64;
                    updates += 1;
                    step
                }
            };
            for t in 0..s.gold.len() {
                let (g, p) = (s.gold[t], path[t]);
                let (gp, pp) = if t == 0 {
                    (START, START)
                } else {
                    (s.gold[t - 1], path[t - 1])
                };
                if (gp, g) != (pp, p) {
                    tw[gp][g] += step;
                    tacc[gp][g] += c * step;
                    tw[pp][p] -= step;
                    tacc[pp][p] -= c * step;
                }
                if g == p {
                    continue;
                }
                wrong += 1;
                let range = s.offsets[t] as usize..s.offsets[t + 1] as usize;
                for &f in &s.feats[range] {
                    let f = f as usize;
                    w[f][g] += step;
                    acc[f][g] += c * step;
                    w[f][p] -= step;
                    acc[f][p] -= c * step;
                }
            }
            c += 1.0;
        }
        progress(&format!(
            "epoch {}: {:.4} of training tokens wrong",
            epoch + 1,
            wrong as f64 / total.max(1) as f64
        ));
    }
    // Weights in units of an average step, as the perceptron's count unit
    // steps: the same pruning threshold means the same for both.
    let unit = if updates > 0 {
        progress(&format!("mean step {:.5}", steps / updates as f64));
        (updates as f64 / steps) as f32
    } else {
        1.0
    };
    let mut model = Model::default();
    for (row, (tw, ta)) in model.transitions.iter_mut().zip(tw.iter().zip(&tacc)) {
        for l in 0..LABELS {
            row[l] = (tw[l] - ta[l] / c) * unit;
        }
    }
    for (i, &f) in kept.iter().enumerate() {
        let mut avg = [0f32; LABELS];
        for l in 0..LABELS {
            avg[l] = (w[i][l] - acc[i][l] / c) * unit;
        }
        if avg.iter().any(|&x| x != 0.0) {
            let slot = model.weights.entry(key(f)).or_insert([0.0; LABELS]);
            for l in 0..LABELS {
                slot[l] += avg[l];
            }
        }
    }
    model
}

/// The PA-I step for a wrong path: the smallest change of the weights
/// that scores the gold path above the predicted one by its Hamming loss,
/// capped at `aggressiveness`. `diff` is scratch space.
fn pa_step(
    s: &Sequence,
    path: &[usize],
    emissions: &[[f32; LABELS]],
    tw: &[[f32; LABELS]; LABELS + 1],
    diff: &mut Vec<(u64, f32)>,
    aggressiveness: f32,
) -> f32 {
    let mut margin = 0f32;
    let mut loss = 0f32;
    diff.clear();
    for t in 0..s.gold.len() {
        let (g, p) = (s.gold[t], path[t]);
        let (gp, pp) = if t == 0 {
            (START, START)
        } else {
            (s.gold[t - 1], path[t - 1])
        };
        margin += emissions[t][g] - emissions[t][p] + tw[gp][g] - tw[pp][p];
        if (gp, g) != (pp, p) {
            // Transition weights sit after every feature's: ids past u32.
            diff.push(((1 << 40) | (gp * 16 + g) as u64, 1.0));
            diff.push(((1 << 40) | (pp * 16 + p) as u64, -1.0));
        }
        if g == p {
            continue;
        }
        loss += 1.0;
        for &f in &s.feats[s.offsets[t] as usize..s.offsets[t + 1] as usize] {
            diff.push(((f as u64) << 4 | g as u64, 1.0));
            diff.push(((f as u64) << 4 | p as u64, -1.0));
        }
    }
    diff.sort_unstable_by_key(|&(k, _)| k);
    let mut norm = 0f32;
    let mut i = 0;
    while i < diff.len() {
        let mut sum = 0f32;
        let k = diff[i].0;
        while i < diff.len() && diff[i].0 == k {
            sum += diff[i].1;
            i += 1;
        }
        norm += sum * sum;
    }
    if norm == 0.0 {
        return 0.0;
    }
    ((loss - margin) / norm).clamp(0.0, aggressiveness)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::text::analyze;

    fn range(text: &str, needle: &str) -> ByteRange {
        let start = text.find(needle).unwrap();
        ByteRange {
            start,
            end: start + needle.len(),
        }
    }

    #[test]
    fn gold_labels_follow_spans() {
        let text = "“We will win,” Trump said.";
        let analysis = analyze(text, &[]);
        let gold = [GoldAttribution {
            source: vec![range(text, "Trump")],
            cue: vec![range(text, "said")],
            content: vec![range(text, "We will win,")],
        }];
        let labels = gold_labels(&analysis, &gold);
        let words: Vec<(&str, Label)> = analysis
            .tokens
            .iter()
            .map(|t| t.text(text))
            .zip(labels.iter().copied())
            .collect();
        use Label::*;
        assert_eq!(
            words,
            [
                ("“", Outside),
                ("We", Begin(Role::Content)),
                ("will", Inside(Role::Content)),
                ("win", Inside(Role::Content)),
                (",", Inside(Role::Content)),
                ("”", Outside),
                ("Trump", Begin(Role::Source)),
                ("said", Begin(Role::Cue)),
                (".", Outside),
            ]
        );
        let spans = spans(&analysis, &labels);
        assert_eq!(spans.len(), 3);
        assert_eq!(&text[spans[0].start..spans[0].end], "We will win,");
        let linked = link(text, &analysis, &spans);
        assert_eq!(
            linked,
            [LinkedSpans {
                source: Some(1),
                cue: Some(2),
                content: vec![0]
            }]
        );
    }

    #[test]
    fn bilou_marks_span_ends_and_single_tokens() {
        use Label::*;
        let labels = [
            Outside,
            Begin(Role::Source),
            Begin(Role::Cue),
            Begin(Role::Content),
            Inside(Role::Content),
            Inside(Role::Content),
        ];
        assert_eq!(
            bilou(&labels),
            [
                0,
                label_index(Role::Source, UNIT),
                label_index(Role::Cue, UNIT),
                label_index(Role::Content, BEGIN),
                label_index(Role::Content, INSIDE),
                label_index(Role::Content, LAST),
            ]
        );
        let path = bilou(&labels);
        for w in path.windows(2) {
            assert!(allowed(w[0], w[1]), "{w:?}");
        }
        assert!(!is_open(*path.last().unwrap()));
        assert_eq!(
            path.iter()
                .map(|&l| Label::from_index(l))
                .collect::<Vec<_>>(),
            labels
        );
    }

    #[test]
    fn viterbi_never_starts_with_inside() {
        let mut e = vec![[0f32; LABELS]; 3];
        e[0][label_index(Role::Cue, INSIDE)] = 10.0;
        let mut path = Vec::new();
        viterbi(&e, &[[0.0; LABELS]; LABELS + 1], &mut Vec::new(), &mut path);
        assert_ne!(path[0], label_index(Role::Cue, INSIDE));
        viterbi(
            &[],
            &[[0.0; LABELS]; LABELS + 1],
            &mut Vec::new(),
            &mut path,
        );
        assert!(path.is_empty());
    }

    #[test]
    fn a_tiny_model_learns_and_round_trips() {
        let text = "“Go,” Ann said.\n\n“Stop,” Bob said.\n\nRain fell.";
        let analysis = analyze(text, &[]);
        let gold = [
            GoldAttribution {
                source: vec![range(text, "Ann")],
                cue: vec![range(text, "said")],
                content: vec![range(text, "Go,")],
            },
            GoldAttribution {
                source: vec![range(text, "Bob")],
                cue: vec![ByteRange {
                    start: text.rfind("said").unwrap(),
                    end: text.rfind("said").unwrap() + 4,
                }],
                content: vec![range(text, "Stop,")],
            },
        ];
        // Two copies, so that each fold's first model has seen the text.
        let doc = || TrainingDocument {
            text,
            analysis: &analysis,
            gold: &gold,
        };
        let docs = [doc(), doc()];
        let expected = gold_labels(&analysis, &gold);
        let mut tagger = None;
        for passive_aggressive in [None, Some(0.01)] {
            let config = TrainConfig {
                epochs: 5,
                min_count: 1,
                seed: 1,
                folds: 2,
                min_weight: 0.0,
                passive_aggressive,
            };
            let trained = train(&docs, config, |_| {});
            assert_eq!(
                trained.tag(text, &analysis),
                expected,
                "updates {passive_aggressive:?}"
            );
            tagger = Some(trained);
        }
        let tagger = tagger.unwrap();
        let bytes = tagger.to_bytes();
        let again = Tagger::from_bytes(&bytes).unwrap();
        assert_eq!(again.tag(text, &analysis), expected);
        // "said" is seen four times: enough for a role prior, kept in the file.
        assert!(!tagger.priors.is_empty());
        assert_eq!(again.priors, tagger.priors);
        assert!(matches!(
            Tagger::from_bytes(&bytes[..bytes.len() - 1]),
            Err(ModelError::Truncated)
        ));
        assert!(matches!(
            Tagger::from_bytes(b"nonsense"),
            Err(ModelError::Magic)
        ));
    }

    /// From zero weights the PA step is loss / |feature difference|^2,
    /// with repeated features adding up before squaring, and capped.
    #[test]
    fn passive_aggressive_step_table() {
        let outside = 0;
        let begin_source = label_index(Role::Source, 0);
        // (features of the one token, cap, expected step): the difference
        // holds the two transitions from the start and each feature at
        // the gold (+) and the predicted (-) label.
        let rows: [(&[u32], f32, f32); 3] = [
            (&[0, 1], 1.0, 1.0 / 6.0),
            (&[0, 0], 1.0, 1.0 / 10.0),
            (&[0, 1], 0.1, 0.1),
        ];
        for (feats, cap, expected) in rows {
            let s = Sequence {
                feats: feats.to_vec(),
                offsets: vec![0, feats.len() as u32],
                gold: vec![begin_source],
            };
            let emissions = vec![[0f32; LABELS]];
            let tw = [[0f32; LABELS]; LABELS + 1];
            let step = pa_step(&s, &[outside], &emissions, &tw, &mut Vec::new(), cap);
            assert!(
                (step - expected).abs() < 1e-6,
                "{feats:?} cap {cap}: {step}"
            );
        }
    }

    /// The flat table answers as a map would: every key of the shipped
    /// model (and the reserved empty key, and a repeated key) finds its
    /// row, keys it does not hold find nothing, and iteration yields each
    /// stored key once.
    #[test]
    fn feature_table_answers_like_a_map() {
        let tagger = Tagger::builtin().expect("the embedded model parses");
        let mut rows: Vec<(u32, [i16; 2 * LABELS])> =
            tagger.table.iter().map(|(k, w)| (k, *w)).collect();
        let row = |n: i16| {
            let mut w = [0i16; 2 * LABELS];
            w[(n as usize) % (2 * LABELS)] = n;
            w
        };
        rows.push((NO_KEY, row(7)));
        let repeated = rows[0].0;
        rows.push((repeated, row(9)));
        let mut expected: HashMap<u32, [i16; 2 * LABELS]> = HashMap::new();
        for &(k, w) in &rows {
            expected.insert(k, w);
        }
        let table = FeatureTable::from_rows(rows);
        assert_eq!(table.len(), expected.len());
        for (&k, w) in &expected {
            assert_eq!(table.get(k), Some(w), "key {k}");
        }
        let mut absent = 0;
        let mut k = 0x1234_5678u32;
        for _ in 0..100_000 {
            k = k.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            if !expected.contains_key(&k) {
                assert_eq!(table.get(k), None, "key {k}");
                absent += 1;
            }
        }
        assert!(absent > 90_000);
        let mut seen: Vec<u32> = table.iter().map(|(k, _)| k).collect();
        seen.sort_unstable();
        let mut keys: Vec<u32> = expected.keys().copied().collect();
        keys.sort_unstable();
        assert_eq!(seen, keys);
        assert_eq!(FeatureTable::default().get(1), None);
        assert_eq!(FeatureTable::default().get(NO_KEY), None);
    }

    /// The model file is the same bytes after a load: the flat table keeps
    /// every feature and its weights.
    #[test]
    fn the_shipped_model_round_trips_byte_for_byte() {
        let tagger = Tagger::builtin().expect("the embedded model parses");
        assert!(
            tagger.to_bytes() == BUILTIN,
            "to_bytes differs from the file"
        );
    }

    #[test]
    fn the_shipped_model_loads_and_finds_a_plain_attribution() {
        let tagger = Tagger::builtin().expect("the embedded model parses");
        assert!(tagger.len() > 10_000);
        let text = "“We will build the bridge by May,” the mayor of Eastvale said on Tuesday.";
        let analysis = analyze(text, &[]);
        let spans = spans(&analysis, &tagger.tag(text, &analysis));
        let found: Vec<(Role, &str)> = spans
            .iter()
            .map(|s| (s.role, &text[s.start..s.end]))
            .collect();
        assert!(found.contains(&(Role::Cue, "said")), "{found:?}");
        assert!(
            found
                .iter()
                .any(|&(r, t)| r == Role::Source && t.contains("mayor")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|&(r, t)| r == Role::Content && t.starts_with("We will build")),
            "{found:?}"
        );
    }

    /// The shortcut for tokens that can only be Outside finds the path
    /// the full search finds, on random scores and random masks.
    #[test]
    fn outside_only_tokens_keep_the_best_path() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut transitions = [[0f32; LABELS]; LABELS + 1];
        for row in transitions.iter_mut() {
            for w in row.iter_mut() {
                *w = (next() % 2001) as f32 / 100.0 - 10.0;
            }
        }
        for round in 0..200 {
            let n = 1 + round % 40;
            let mut emissions: Vec<[f32; LABELS]> = (0..n)
                .map(|_| std::array::from_fn(|_| (next() % 2001) as f32 / 100.0 - 10.0))
                .collect();
            let mask: Vec<bool> = (0..n).map(|_| next() % 3 == 0).collect();
            only_outside(&mut emissions, &mask);
            let (mut back, mut full, mut short) = (Vec::new(), Vec::new(), Vec::new());
            viterbi(&emissions, &transitions, &mut back, &mut full);
            viterbi_outside(&emissions, &transitions, &mut back, &mut short, &mask);
            assert_eq!(full, short, "round {round}");
            for (l, &m) in full.iter().zip(&mask) {
                assert!(!m || *l == 0);
            }
        }
    }

    /// Which sentences the tagger leaves Outside untagged: those with no
    /// lexicon cue, likely cue, quotation or colon, unless the paragraph
    /// follows a colon or an open quotation.
    #[test]
    fn sentences_without_a_sign_of_attribution_go_untagged() {
        let text = "The bridge opened in May. Officials said it cost less. \
                    \u{201c}It is finished,\u{201d} she added. Traffic was light. \
                    The plan: more lanes. Tolls stayed low.";
        let analysis = analyze(text, &[]);
        let mut info = Vec::new();
        features::analyse(text, &analysis, 0, &mut info);
        let untagged_sentences = |info: &[TokInfo], context| {
            let (mut signal, mut skip) = (Vec::new(), Vec::new());
            untagged(info, context, &mut signal, &mut skip);
            let mut sentences: Vec<u32> = info
                .iter()
                .zip(&skip)
                .filter(|&(_, &s)| s)
                .map(|(t, _)| t.sentence)
                .collect();
            sentences.dedup();
            sentences
        };
        assert_eq!(
            untagged_sentences(&info, ParagraphContext::default()),
            [0, 3, 5]
        );
        let after_colon = ParagraphContext {
            after_colon: true,
            ..ParagraphContext::default()
        };
        assert!(untagged_sentences(&info, after_colon).is_empty());
        // A word that the annotations often made a cue is a sign too
        // (here "opened", given such a role prior).
        let opened = features::word_hash("opened");
        for t in info.iter_mut().filter(|t| t.word == opened) {
            t.prior = (LIKELY_CUE_BUCKET as u16) << 3;
        }
        assert_eq!(
            untagged_sentences(&info, ParagraphContext::default()),
            [3, 5]
        );
    }

    /// A thread's cache of local sums, warm with another text's words or
    /// made with another tagger, changes no label.
    #[test]
    fn cached_local_sums_change_no_label() {
        let tagger = Tagger::builtin().expect("the embedded model parses");
        let other = Tagger::from_bytes(&tagger.to_bytes()).expect("round trip");
        assert_ne!(tagger.id, other.id);
        let first = "\u{201c}Prices will fall,\u{201d} the minister said on Monday. \
                     She told reporters that the plan stands.";
        let second = "The minister said prices will fall. \u{201c}The plan stands,\u{201d} \
                      she told reporters, adding that talks \u{201c}went well.\u{201d}";
        let cold = |text: &'static str| {
            std::thread::spawn(move || {
                let analysis = analyze(text, &[]);
                Tagger::builtin().map(|t| t.tag(text, &analysis))
            })
            .join()
            .expect("tagging thread")
        };
        let expected = cold(second).expect("model");
        let analysis = analyze(first, &[]);
        other.tag(first, &analysis);
        tagger.tag(first, &analysis);
        let analysis = analyze(second, &[]);
        assert_eq!(tagger.tag(second, &analysis), expected);
        assert_eq!(other.tag(second, &analysis), expected);
        assert_eq!(tagger.tag(second, &analysis), expected);
    }

    #[test]
    fn linking_many_spans_in_one_paragraph_is_linear() {
        let text = "“Yes,” he said. ".repeat(20_000);
        let analysis = analyze(&text, &[]);
        let mut spans = Vec::new();
        for (i, t) in analysis.tokens.iter().enumerate() {
            let role = match t.text(&text) {
                "Yes" => Role::Content,
                "he" => Role::Source,
                "said" => Role::Cue,
                _ => continue,
            };
            spans.push(RoleSpan {
                role,
                tokens: i..i + 1,
                start: t.start,
                end: t.end,
            });
        }
        let started = std::time::Instant::now();
        let linked = link(&text, &analysis, &spans);
        assert_eq!(linked.len(), 20_000);
        assert!(linked.iter().all(|l| l.source.is_some() && l.cue.is_some()));
        assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    }

    #[test]
    fn tagging_odd_input_does_not_panic() {
        for text in [
            "",
            "\"\"\"\"\"\"",
            "“",
            "Путин сказал: «Нет».",
            "\u{0}\u{1}said",
        ] {
            let analysis = analyze(text, &[]);
            let labels = tag(text, &analysis);
            assert_eq!(labels.len(), analysis.tokens.len());
            let s = spans(&analysis, &labels);
            let _ = link(text, &analysis, &s);
        }
    }
}
