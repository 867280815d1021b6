//! Tokens, sentences and paragraphs of the clean article text.
//!
//! Every later attribution stage (quotes, rules, the learned tagger) reads
//! this one analysis, so it is plain data with byte offsets into
//! `article.text` and token index ranges, built in one linear pass per
//! paragraph without regular expressions or per-token allocation.
//!
//! Choices that matter downstream:
//! - each quotation mark is its own token and carries its kind (double or
//!   single; curly, straight, guillemet, low-9, corner) and a direction
//!   read from the mark and its neighbours, because quote pairing and the
//!   tagger's features need them;
//! - apostrophes inside words ("didn’t", "Russia’s") and in plural
//!   possessives ("leaders’") stay inside the word, unless a single
//!   quotation is open in the paragraph, in which case "s’" closes it;
//! - dotted abbreviations ("U.S.", "p.m.", "C.I.A.") are one token that
//!   includes the final period;
//! - a sentence never ends inside a quotation that closes later in the same
//!   paragraph, so `"I disagree. This is wrong," he said.` is one sentence.

use std::ops::Range;

use crate::record::{Block, BlockKind};

/// The analysis of one article text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analysis {
    pub tokens: Vec<Token>,
    pub sentences: Vec<Sentence>,
    pub paragraphs: Vec<Paragraph>,
}

/// One token: a word, a number, a punctuation mark or a quotation mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte offsets into the article text, half-open.
    pub start: usize,
    pub end: usize,
    pub kind: TokenKind,
    /// Letter case of a word; [`Shape::Other`] for anything else.
    pub shape: Shape,
    /// Whether whitespace (or the paragraph start) comes right before it.
    pub space_before: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Letters, possibly with digits, internal apostrophes and hyphens,
    /// or a dotted abbreviation.
    Word,
    /// Digits with internal separators ("2,000", "3.5", "10:30").
    Number,
    /// One punctuation or symbol character.
    Punct,
    Quote(QuoteMark),
}

/// Letter case of a word token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Shape {
    /// "said"
    Lower,
    /// "Putin", "McCain"
    Capitalized,
    /// "NATO", "U.S."
    Upper,
    /// "iPhone", or a word in a script without case.
    Other,
}

/// A quotation mark and what it looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct QuoteMark {
    pub level: QuoteLevel,
    pub style: QuoteStyle,
    pub direction: QuoteDirection,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuoteLevel {
    Double,
    Single,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuoteStyle {
    /// “ ” ‘ ’
    Curly,
    /// " ' and the TeX-style `` ''
    Straight,
    /// « » ‹ ›
    Guillemet,
    /// „ ‚
    Low9,
    /// 「 」 『 』
    Corner,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuoteDirection {
    Opening,
    Closing,
    /// A straight mark whose neighbours do not say which it is.
    Ambiguous,
}

/// A sentence: a run of tokens inside one paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// Byte offsets of its first token's start and last token's end.
    pub start: usize,
    pub end: usize,
    /// Indices into [`Analysis::tokens`].
    pub tokens: Range<usize>,
    /// Index into [`Analysis::paragraphs`].
    pub paragraph: usize,
}

/// A paragraph: one block of the article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    /// Byte offsets of the block.
    pub start: usize,
    pub end: usize,
    pub kind: BlockKind,
    /// Indices into [`Analysis::tokens`].
    pub tokens: Range<usize>,
    /// Indices into [`Analysis::sentences`].
    pub sentences: Range<usize>,
}

impl Token {
    /// The token's text; empty if the token does not belong to `text`.
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.start..self.end).unwrap_or("")
    }

    pub fn quote(&self) -> Option<QuoteMark> {
        match self.kind {
            TokenKind::Quote(q) => Some(q),
            _ => None,
        }
    }

    pub fn is_word(&self) -> bool {
        matches!(self.kind, TokenKind::Word | TokenKind::Number)
    }
}

impl Analysis {
    /// The index of the token that contains byte `offset`, or of the first
    /// token after it.
    pub fn token_at_or_after(&self, offset: usize) -> usize {
        self.tokens.partition_point(|t| t.end <= offset)
    }

    /// The sentence that holds token `token`.
    pub fn sentence_of(&self, token: usize) -> Option<usize> {
        let i = self.sentences.partition_point(|s| s.tokens.end <= token);
        (i < self.sentences.len() && self.sentences[i].tokens.contains(&token)).then_some(i)
    }

    /// The paragraph that holds token `token`.
    pub fn paragraph_of(&self, token: usize) -> Option<usize> {
        let i = self.paragraphs.partition_point(|p| p.tokens.end <= token);
        (i < self.paragraphs.len() && self.paragraphs[i].tokens.contains(&token)).then_some(i)
    }
}

/// Tokenises `text` and splits it into sentences within the paragraphs that
/// `blocks` give. Blocks that do not lie on character boundaries inside the
/// text, or that overlap an earlier block, are skipped; without blocks every
/// non-empty line is a paragraph.
pub fn analyze(text: &str, blocks: &[Block]) -> Analysis {
    let mut analysis = Analysis {
        tokens: Vec::with_capacity(text.len() / 5 + 1),
        ..Default::default()
    };
    let mut zones = Vec::new();
    let mut previous_end = 0;
    let mut add = |analysis: &mut Analysis, start: usize, end: usize, kind: BlockKind| {
        if start >= end || start < previous_end || text.get(start..end).is_none() {
            return;
        }
        previous_end = end;
        add_paragraph(analysis, text, start, end, kind, &mut zones);
    };
    if blocks.is_empty() {
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let content = line.trim_end_matches(['\n', '\r']);
            let lead = content.len() - content.trim_start().len();
            let trimmed = content.trim();
            if !trimmed.is_empty() {
                let start = offset + lead;
                add(
                    &mut analysis,
                    start,
                    start + trimmed.len(),
                    BlockKind::Paragraph,
                );
            }
            offset += line.len();
        }
    } else {
        for b in blocks {
            add(&mut analysis, b.start, b.end.min(text.len()), b.kind);
        }
    }
    analysis
}

fn add_paragraph(
    analysis: &mut Analysis,
    text: &str,
    start: usize,
    end: usize,
    kind: BlockKind,
    zones: &mut Vec<(usize, usize)>,
) {
    let first_token = analysis.tokens.len();
    tokenize(text, start, end, &mut analysis.tokens);
    let tokens = first_token..analysis.tokens.len();
    let first_sentence = analysis.sentences.len();
    quoted_zones(&analysis.tokens[tokens.clone()], zones);
    split_sentences(
        text,
        &analysis.tokens,
        tokens.clone(),
        zones,
        analysis.paragraphs.len(),
        &mut analysis.sentences,
    );
    analysis.paragraphs.push(Paragraph {
        start,
        end,
        kind,
        tokens,
        sentences: first_sentence..analysis.sentences.len(),
    });
}

// ---------------------------------------------------------------------------
// Tokens

fn is_space(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c, '\u{200B}' | '\u{FEFF}' | '\u{200E}' | '\u{200F}')
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

/// Characters that may make up a word. Outside ASCII and Latin-1 anything
/// that is not whitespace or a known punctuation block counts, so that
/// scripts with combining marks stay whole words.
#[inline(always)]
fn is_word_char(c: char) -> bool {
    // Asked for every char of every word: ASCII answers without the
    // Unicode tables.
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    if c.is_alphanumeric() {
        return true;
    }
    let u = c as u32;
    u >= 0x300
        && !is_space(c)
        && !(0x2000..=0x206F).contains(&u) // general punctuation
        && !(0x2190..=0x2BFF).contains(&u) // arrows, symbols, boxes
        && !(0x3000..=0x303F).contains(&u) // CJK punctuation
        && !(0xFE30..=0xFE4F).contains(&u)
        && !(0xFF00..=0xFF0F).contains(&u)
        && !(0xFF1A..=0xFF20).contains(&u)
        && !(0xFF3B..=0xFF40).contains(&u)
        && !(0xFF5B..=0xFF65).contains(&u)
}

fn quote_char(c: char) -> Option<(QuoteLevel, QuoteStyle, QuoteDirection)> {
    use QuoteDirection::*;
    use QuoteLevel::*;
    use QuoteStyle::*;
    Some(match c {
        '"' => (Double, Straight, Ambiguous),
        '\'' => (Single, Straight, Ambiguous),
        '\u{201C}' => (Double, Curly, Opening),
        '\u{201D}' => (Double, Curly, Closing),
        '\u{201F}' => (Double, Curly, Opening),
        '\u{2018}' => (Single, Curly, Opening),
        '\u{2019}' => (Single, Curly, Closing),
        '\u{201B}' => (Single, Curly, Opening),
        '\u{201E}' => (Double, Low9, Opening),
        '\u{201A}' => (Single, Low9, Opening),
        '\u{00AB}' => (Double, Guillemet, Opening),
        '\u{00BB}' => (Double, Guillemet, Closing),
        '\u{2039}' => (Single, Guillemet, Opening),
        '\u{203A}' => (Single, Guillemet, Closing),
        '\u{300C}' | '\u{300E}' => (Double, Corner, Opening),
        '\u{300D}' | '\u{300F}' => (Double, Corner, Closing),
        '\u{FF02}' => (Double, Straight, Ambiguous),
        _ => return None,
    })
}

/// Whether a character before a quotation mark lets the mark open.
fn opens_after(prev: Option<char>) -> bool {
    match prev {
        None => true,
        Some(c) => {
            is_space(c)
                || matches!(
                    c,
                    '(' | '['
                        | '{'
                        | '\u{2014}'
                        | '\u{2013}'
                        | '-'
                        | '/'
                        | '\u{201C}'
                        | '\u{2018}'
                        | '\u{00AB}'
                        | '\u{201E}'
                        | '"'
                        | '\''
                )
        }
    }
}

/// Whether a character after a quotation mark lets the mark close.
fn closes_before(next: Option<char>) -> bool {
    match next {
        None => true,
        Some(c) => {
            is_space(c)
                || matches!(
                    c,
                    '.' | ','
                        | ';'
                        | ':'
                        | '!'
                        | '?'
                        | ')'
                        | ']'
                        | '}'
                        | '\u{2014}'
                        | '\u{2013}'
                        | '\u{2026}'
                        | '\u{201D}'
                        | '\u{2019}'
                        | '\u{00BB}'
                        | '"'
                        | '\''
                        | '-'
                )
        }
    }
}

fn context_direction(prev: Option<char>, next: Option<char>) -> QuoteDirection {
    let may_open = opens_after(prev);
    let may_close = closes_before(next);
    match (may_open, may_close) {
        (true, false) => QuoteDirection::Opening,
        (false, true) => QuoteDirection::Closing,
        _ => match prev {
            // `"Fine,"he said` and `said:"Fine"` without the usual space.
            Some('.' | ',' | '!' | '?' | ';') => QuoteDirection::Closing,
            Some(':') => QuoteDirection::Opening,
            _ => QuoteDirection::Ambiguous,
        },
    }
}

/// A small cursor over one paragraph's characters.
struct Cursor<'t> {
    text: &'t str,
    end: usize,
}

/// `end` and every `start` given are char boundaries (the paragraph's, and
/// positions stepped by whole chars), so an ASCII byte next to a position
/// is the char there: most text is read without decoding or boundary checks.
impl Cursor<'_> {
    fn peek_at(&self, pos: usize) -> Option<char> {
        if pos >= self.end {
            return None;
        }
        match self.text.as_bytes().get(pos) {
            Some(&b) if b.is_ascii() => Some(char::from(b)),
            _ => self.text.get(pos..self.end)?.chars().next(),
        }
    }
    fn prev_char(&self, pos: usize, start: usize) -> Option<char> {
        if pos <= start {
            return None;
        }
        match self.text.as_bytes().get(pos - 1) {
            Some(&b) if b.is_ascii() && self.text.is_char_boundary(start) => Some(char::from(b)),
            _ => self.text.get(start..pos)?.chars().next_back(),
        }
    }
}

fn tokenize(text: &str, start: usize, end: usize, out: &mut Vec<Token>) {
    let cur = Cursor { text, end };
    let mut pos = start;
    let mut single_open = false;
    let mut space_before = true;
    while let Some(c) = cur.peek_at(pos) {
        let len = c.len_utf8();
        if is_space(c) {
            pos += len;
            space_before = true;
            continue;
        }
        let prev = cur.prev_char(pos, start);
        let next = cur.peek_at(pos + len);
        // An apostrophe before a decade or a clipped word: "’90s", "'em".
        if is_apostrophe(c) && opens_after(prev) && !single_open {
            if let Some(word_end) = clipped_word(&cur, pos + len) {
                push_word(text, pos, word_end, TokenKind::Word, space_before, out);
                pos = word_end;
                space_before = false;
                continue;
            }
        }
        if let Some((level, style, direction)) = quote_char(c) {
            let direction = match (style, direction) {
                (QuoteStyle::Straight, _) => context_direction(prev, next),
                (QuoteStyle::Curly | QuoteStyle::Guillemet, d) if level == QuoteLevel::Double => {
                    // A mark used the wrong way round (”Fine” or »Fine«)
                    // is read by its place.
                    match context_direction(prev, next) {
                        QuoteDirection::Ambiguous => d,
                        ctx => ctx,
                    }
                }
                (_, d) => d,
            };
            if level == QuoteLevel::Single {
                match direction {
                    QuoteDirection::Opening => single_open = true,
                    QuoteDirection::Closing => single_open = false,
                    QuoteDirection::Ambiguous => single_open = !single_open,
                }
            }
            out.push(Token {
                start: pos,
                end: pos + len,
                kind: TokenKind::Quote(QuoteMark {
                    level,
                    style,
                    direction,
                }),
                shape: Shape::Other,
                space_before,
            });
            pos += len;
            space_before = false;
            continue;
        }
        if c == '`' && next == Some('`') {
            out.push(quote_token(
                pos,
                pos + 2,
                QuoteDirection::Opening,
                space_before,
            ));
            pos += 2;
            space_before = false;
            continue;
        }
        if is_word_char(c) {
            let (word_end, kind) = scan_word(&cur, pos, single_open);
            push_word(text, pos, word_end, kind, space_before, out);
            pos = word_end;
            space_before = false;
            continue;
        }
        out.push(Token {
            start: pos,
            end: pos + len,
            kind: TokenKind::Punct,
            shape: Shape::Other,
            space_before,
        });
        pos += len;
        space_before = false;
    }
}

fn quote_token(start: usize, end: usize, direction: QuoteDirection, space_before: bool) -> Token {
    Token {
        start,
        end,
        kind: TokenKind::Quote(QuoteMark {
            level: QuoteLevel::Double,
            style: QuoteStyle::Straight,
            direction,
        }),
        shape: Shape::Other,
        space_before,
    }
}

/// After an apostrophe at `pos`: the end of "90s", "em", "til", "n" when
/// the apostrophe belongs to them.
fn clipped_word(cur: &Cursor<'_>, pos: usize) -> Option<usize> {
    let mut p = pos;
    let mut digits = 0;
    while let Some(c) = cur.peek_at(p) {
        if !c.is_ascii_digit() {
            break;
        }
        digits += 1;
        p += 1;
    }
    if digits == 2 {
        if cur.peek_at(p) == Some('s') {
            p += 1;
        }
        return (!cur.peek_at(p).is_some_and(is_word_char)).then_some(p);
    }
    if digits > 0 {
        return None;
    }
    for clipped in ["em", "til", "cause", "n"] {
        let end = pos + clipped.len();
        if cur.text.get(pos..end.min(cur.end)) == Some(clipped)
            && !cur.peek_at(end).is_some_and(is_word_char)
            && !cur.peek_at(end).is_some_and(is_apostrophe)
        {
            return Some(end);
        }
    }
    None
}

/// Scans a word or number starting at `start`; returns its end and kind.
fn scan_word(cur: &Cursor<'_>, start: usize, single_open: bool) -> (usize, TokenKind) {
    let mut pos = start;
    let mut letters = false;
    let mut segment_len = 0;
    while let Some(c) = cur.peek_at(pos) {
        if is_word_char(c) {
            letters |= !c.is_ascii_digit();
            segment_len += 1;
            pos += c.len_utf8();
            continue;
        }
        let after = cur.peek_at(pos + c.len_utf8());
        let prev_digit = cur
            .prev_char(pos, start)
            .is_some_and(|p| p.is_ascii_digit());
        let joins = match c {
            '.' | ',' | ':' if prev_digit => after.is_some_and(|a| a.is_ascii_digit()),
            '.' if segment_len <= 2 && !prev_digit => {
                // Dotted abbreviation: "U.S.", "p.m.", "C.I.A.", "Ph.D."
                if let Some(end) = dotted_abbreviation(cur, start) {
                    return (end, TokenKind::Word);
                }
                false
            }
            c if is_apostrophe(c) => {
                match after {
                    Some(a) if is_word_char(a) => true,
                    // "leaders’": a plural possessive unless a single
                    // quotation waits to be closed.
                    _ => {
                        let before = cur.prev_char(pos, start);
                        if matches!(before, Some('s' | 'S')) && !single_open && letters {
                            pos += c.len_utf8();
                        }
                        false
                    }
                }
            }
            c if is_hyphen(c) => after.is_some_and(is_word_char),
            _ => false,
        };
        if !joins {
            break;
        }
        segment_len = 0;
        pos += c.len_utf8();
    }
    let kind = if letters {
        TokenKind::Word
    } else {
        TokenKind::Number
    };
    (pos, kind)
}

/// "U.S." from `start`: at least two short letter segments, each closed by
/// a period. Returns the end after the last period.
fn dotted_abbreviation(cur: &Cursor<'_>, start: usize) -> Option<usize> {
    let mut pos = start;
    let mut segments = 0;
    let mut last_good = None;
    loop {
        let mut letters = 0;
        while let Some(c) = cur.peek_at(pos) {
            if !c.is_alphabetic() {
                break;
            }
            letters += 1;
            pos += c.len_utf8();
        }
        if letters == 0 || letters > 3 || cur.peek_at(pos) != Some('.') {
            break;
        }
        pos += 1;
        segments += 1;
        if segments >= 2 {
            last_good = Some(pos);
        }
    }
    last_good
}

fn push_word(
    text: &str,
    start: usize,
    end: usize,
    kind: TokenKind,
    space_before: bool,
    out: &mut Vec<Token>,
) {
    let shape = if kind == TokenKind::Word {
        word_shape(text.get(start..end).unwrap_or(""))
    } else {
        Shape::Other
    };
    out.push(Token {
        start,
        end,
        kind,
        shape,
        space_before,
    });
}

fn word_shape(word: &str) -> Shape {
    if word.is_ascii() {
        ascii_word_shape(word.as_bytes())
    } else {
        unicode_word_shape(word)
    }
}

fn unicode_word_shape(word: &str) -> Shape {
    let mut upper = 0;
    let mut lower = 0;
    let mut first_upper = None;
    for c in word.chars() {
        if c.is_uppercase() {
            upper += 1;
        } else if c.is_lowercase() {
            lower += 1;
        } else {
            continue;
        }
        if first_upper.is_none() {
            first_upper = Some(c.is_uppercase());
        }
    }
    shape_of_counts(upper, lower, first_upper)
}

/// [`word_shape`] of an ASCII word, byte by byte (no decoding, no Unicode
/// case tables): most words of most pages.
fn ascii_word_shape(word: &[u8]) -> Shape {
    let mut upper = 0;
    let mut lower = 0;
    let mut first_upper = None;
    for &b in word {
        if b.is_ascii_uppercase() {
            upper += 1;
        } else if b.is_ascii_lowercase() {
            lower += 1;
        } else {
            continue;
        }
        first_upper.get_or_insert(b.is_ascii_uppercase());
    }
    shape_of_counts(upper, lower, first_upper)
}

fn shape_of_counts(upper: usize, lower: usize, first_upper: Option<bool>) -> Shape {
    match (upper, lower, first_upper) {
        (0, 0, _) => Shape::Other,
        (0, _, _) => Shape::Lower,
        (_, 0, _) if upper > 1 => Shape::Upper,
        (_, _, Some(true)) => Shape::Capitalized,
        _ => Shape::Other,
    }
}

// ---------------------------------------------------------------------------
// Sentences

/// Byte ranges strictly inside quotations that open and close within the
/// paragraph (outermost pairs only). Double marks decide when the paragraph
/// has any; otherwise single marks do (British style).
fn quoted_zones(tokens: &[Token], zones: &mut Vec<(usize, usize)>) {
    zones.clear();
    let has_double = tokens
        .iter()
        .any(|t| t.quote().is_some_and(|q| q.level == QuoteLevel::Double));
    let level = if has_double {
        QuoteLevel::Double
    } else {
        QuoteLevel::Single
    };
    let mut depth = 0usize;
    let mut outer_start = 0;
    for t in tokens {
        let Some(q) = t.quote() else { continue };
        if q.level != level {
            continue;
        }
        let opens = match q.direction {
            QuoteDirection::Opening => true,
            QuoteDirection::Closing => false,
            QuoteDirection::Ambiguous => depth == 0,
        };
        if opens {
            if depth == 0 {
                outer_start = t.end;
            }
            depth += 1;
        } else if depth > 0 {
            depth -= 1;
            if depth == 0 {
                zones.push((outer_start, t.start));
            }
        }
    }
}

/// Titles and other abbreviations after which a period never ends a
/// sentence (lower case, without the period).
const NEVER_ENDS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "sen", "sens", "rep", "reps", "gov", "govs", "lt", "col",
    "gen", "maj", "capt", "cpt", "sgt", "adm", "cmdr", "cdr", "brig", "pvt", "cpl", "st", "ste",
    "mt", "ft", "pres", "supt", "atty", "rev", "fr", "hon", "amb", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "vs", "v", "etc", "approx", "dept",
    "univ", "mssrs", "messrs", "ave", "blvd", "rd", "ln", "fig", "vol", "gens", "insp", "det",
];

/// Words that begin sentences; after an abbreviation ("the U.S.") a
/// period ends the sentence only when one of these follows.
const SENTENCE_STARTERS: &[&str] = &[
    "the",
    "a",
    "an",
    "he",
    "she",
    "it",
    "they",
    "we",
    "i",
    "you",
    "this",
    "that",
    "these",
    "those",
    "there",
    "but",
    "and",
    "or",
    "so",
    "yet",
    "in",
    "on",
    "at",
    "for",
    "with",
    "as",
    "if",
    "when",
    "while",
    "after",
    "before",
    "his",
    "her",
    "its",
    "their",
    "our",
    "my",
    "your",
    "some",
    "many",
    "most",
    "no",
    "not",
    "what",
    "who",
    "why",
    "how",
    "where",
    "however",
    "still",
    "now",
    "then",
    "meanwhile",
    "also",
    "both",
    "each",
    "all",
    "one",
    "since",
];

fn lower_in(word: &str, list: &[&str]) -> bool {
    word.len() <= 10 && list.iter().any(|w| w.eq_ignore_ascii_case(word))
}

fn split_sentences(
    text: &str,
    tokens: &[Token],
    range: Range<usize>,
    zones: &[(usize, usize)],
    paragraph: usize,
    out: &mut Vec<Sentence>,
) {
    let mut begin = range.start;
    let mut zone = 0;
    let mut i = range.start;
    while i < range.end {
        let t = tokens[i];
        let word = t.text(text);
        let terminal = match t.kind {
            TokenKind::Punct => matches!(word, "." | "!" | "?" | "\u{2026}" | "\u{203D}"),
            TokenKind::Word => word.len() > 1 && word.ends_with('.'),
            _ => false,
        };
        if !terminal {
            i += 1;
            continue;
        }
        // Take in further terminators, closing quotes and brackets.
        let mut j = i + 1;
        while j < range.end {
            let u = tokens[j];
            let more = match u.kind {
                TokenKind::Quote(q) => q.direction != QuoteDirection::Opening && !u.space_before,
                TokenKind::Punct => {
                    matches!(u.text(text), "." | "!" | "?" | "\u{2026}" | ")" | "]")
                        && !u.space_before
                }
                _ => false,
            };
            if !more {
                break;
            }
            j += 1;
        }
        if j < range.end && ends_sentence(text, tokens, i, j, zones, &mut zone) {
            out.push(sentence(tokens, begin..j, paragraph));
            begin = j;
        }
        i = j;
    }
    if begin < range.end {
        out.push(sentence(tokens, begin..range.end, paragraph));
    }
}

/// Whether the terminator at token `at`, with what follows it up to `next`,
/// ends a sentence before token `next`.
fn ends_sentence(
    text: &str,
    tokens: &[Token],
    at: usize,
    next: usize,
    zones: &[(usize, usize)],
    zone: &mut usize,
) -> bool {
    let boundary = tokens[next - 1].end;
    while *zone < zones.len() && zones[*zone].1 < boundary {
        *zone += 1;
    }
    if let Some(&(s, e)) = zones.get(*zone) {
        if s < boundary && boundary <= e {
            return false;
        }
    }
    let following = tokens[next];
    if !following.space_before {
        return false;
    }
    let starts_new = match following.kind {
        TokenKind::Word => following.shape != Shape::Lower,
        TokenKind::Number => true,
        TokenKind::Quote(q) => q.direction != QuoteDirection::Closing,
        TokenKind::Punct => matches!(
            following.text(text),
            "(" | "[" | "\u{2014}" | "-" | "\u{2022}"
        ),
    };
    if !starts_new {
        return false;
    }
    let term = tokens[at];
    let term_text = term.text(text);
    if term.kind == TokenKind::Word {
        // "the U.S. The" ends; "U.S. Elections", "5 p.m. Friday" do not.
        return following.kind == TokenKind::Word
            && lower_in(following.text(text), SENTENCE_STARTERS);
    }
    if term_text != "." || at == 0 {
        return true;
    }
    let before = tokens[at - 1];
    if before.end != term.start || before.kind != TokenKind::Word {
        return true;
    }
    let word = before.text(text);
    // An initial: "J. K. Rowling".
    if word.chars().count() == 1 && before.shape == Shape::Capitalized {
        return false;
    }
    if lower_in(word, NEVER_ENDS) {
        return false;
    }
    if word.eq_ignore_ascii_case("no") && following.kind == TokenKind::Number {
        return false;
    }
    true
}

fn sentence(tokens: &[Token], range: Range<usize>, paragraph: usize) -> Sentence {
    Sentence {
        start: tokens[range.start].start,
        end: tokens[range.end - 1].end,
        tokens: range,
        paragraph,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_word_shape_answers_like_the_unicode_one() {
        for word in [
            "said", "Said", "SAID", "U.S", "iPhone", "McDonald", "90s", "x2", "X2", "A", "a", "3",
            "-", "o'Neil", "O'Neil", "NYC's", "",
        ] {
            assert_eq!(
                ascii_word_shape(word.as_bytes()),
                unicode_word_shape(word),
                "{word}"
            );
        }
        assert_eq!(word_shape("Éric"), Shape::Capitalized);
        assert_eq!(word_shape("SAID"), Shape::Upper);
    }

    #[test]
    fn cursor_reads_like_slicing_at_every_byte() {
        let text = "Ab \u{2019}90s “Né” 東京, x.";
        for (start, end) in [(0, text.len()), (3, text.len() - 1), (1, 2)] {
            let cur = Cursor { text, end };
            for pos in 0..=text.len() + 1 {
                let peek = (pos < end)
                    .then(|| text.get(pos..end).and_then(|t| t.chars().next()))
                    .flatten();
                assert_eq!(cur.peek_at(pos), peek, "peek {pos}");
                let prev = (pos > start)
                    .then(|| text.get(start..pos).and_then(|t| t.chars().next_back()))
                    .flatten();
                assert_eq!(cur.prev_char(pos, start), prev, "prev {start} {pos}");
            }
        }
    }

    fn words(text: &str) -> Vec<&str> {
        let a = analyze(text, &[]);
        a.tokens.iter().map(|t| t.text(text)).collect()
    }

    fn sentences(text: &str) -> Vec<&str> {
        let a = analyze(text, &[]);
        a.sentences.iter().map(|s| &text[s.start..s.end]).collect()
    }

    #[test]
    fn tokens_table() {
        let rows: &[(&str, &[&str])] = &[
            ("He didn’t go.", &["He", "didn’t", "go", "."]),
            ("a face-to-face talk", &["a", "face-to-face", "talk"]),
            (
                "2,000 people, 3.5 percent",
                &["2,000", "people", ",", "3.5", "percent"],
            ),
            (
                "the U.S. and C.I.A. at 5 p.m.",
                &["the", "U.S.", "and", "C.I.A.", "at", "5", "p.m."],
            ),
            ("Russia’s plan", &["Russia’s", "plan"]),
            ("the leaders’ talks", &["the", "leaders’", "talks"]),
            ("in the ’90s era", &["in", "the", "’90s", "era"]),
            ("“Yes,” she said", &["“", "Yes", ",", "”", "she", "said"]),
            ("‘I didn’t,’ he", &["‘", "I", "didn’t", ",", "’", "he"]),
            ("‘the bosses’ ok", &["‘", "the", "bosses", "’", "ok"]),
            ("Sen. Ted Cruz", &["Sen", ".", "Ted", "Cruz"]),
            ("$5 — 10%", &["$", "5", "—", "10", "%"]),
            ("«Oui» dit-il", &["«", "Oui", "»", "dit-il"]),
            ("", &[]),
        ];
        for (input, expected) in rows {
            assert_eq!(words(input), *expected, "input {input:?}");
        }
    }

    #[test]
    fn quote_kinds_table() {
        use QuoteDirection::*;
        use QuoteLevel::*;
        use QuoteStyle::*;
        let rows: &[(&str, QuoteLevel, QuoteStyle, QuoteDirection)] = &[
            ("x “a", Double, Curly, Opening),
            ("a” x", Double, Curly, Closing),
            ("x \"a", Double, Straight, Opening),
            ("a,\" x", Double, Straight, Closing),
            ("a\"b", Double, Straight, Ambiguous),
            ("x 'a", Single, Straight, Opening),
            ("x ‘a", Single, Curly, Opening),
            ("x „a", Double, Low9, Opening),
            ("x «a", Double, Guillemet, Opening),
            ("x ›a", Single, Guillemet, Closing),
            ("x ”a", Double, Curly, Opening),
            ("x 「a", Double, Corner, Opening),
        ];
        for (input, level, style, direction) in rows {
            let a = analyze(input, &[]);
            let q = a.tokens.iter().find_map(|t| t.quote());
            assert_eq!(
                q,
                Some(QuoteMark {
                    level: *level,
                    style: *style,
                    direction: *direction
                }),
                "input {input:?}"
            );
        }
    }

    #[test]
    fn sentences_table() {
        let rows: &[(&str, &[&str])] = &[
            ("One here. Two there.", &["One here.", "Two there."]),
            (
                "\"I disagree. This is wrong,\" he said. Then he left.",
                &["\"I disagree. This is wrong,\" he said.", "Then he left."],
            ),
            (
                "He said “Stop.” Then he left.",
                &["He said “Stop.”", "Then he left."],
            ),
            (
                "The U.S. Army and the C.I.A. agreed.",
                &["The U.S. Army and the C.I.A. agreed."],
            ),
            (
                "It came from the U.S. The rest did not.",
                &["It came from the U.S.", "The rest did not."],
            ),
            (
                "Sen. Ted Cruz spoke. Lt. Col. Jane Roe left.",
                &["Sen. Ted Cruz spoke.", "Lt. Col. Jane Roe left."],
            ),
            (
                "On Jan. 5 it rained in St. Louis at 5 p.m. Friday.",
                &["On Jan. 5 it rained in St. Louis at 5 p.m. Friday."],
            ),
            (
                "J. K. Rowling wrote. Fans read.",
                &["J. K. Rowling wrote.", "Fans read."],
            ),
            ("Why? Nobody knows!", &["Why?", "Nobody knows!"]),
            ("“Why?” she asked.", &["“Why?” she asked."]),
            (
                "He won (barely.) Next time.",
                &["He won (barely.)", "Next time."],
            ),
            ("no punctuation at all", &["no punctuation at all"]),
        ];
        for (input, expected) in rows {
            assert_eq!(sentences(input), *expected, "input {input:?}");
        }
    }

    #[test]
    fn unclosed_quote_does_not_swallow_the_paragraph() {
        let s = sentences("“He spoke. He left. He came back.");
        assert_eq!(s.len(), 3);
    }

    #[test]
    fn paragraphs_from_blocks_and_lines() {
        let text = "Title here\n\nFirst one. Second one.\n\nThird.";
        let blocks = [
            Block {
                kind: BlockKind::Heading,
                start: 0,
                end: 10,
            },
            Block {
                kind: BlockKind::Paragraph,
                start: 12,
                end: 34,
            },
            Block {
                kind: BlockKind::Paragraph,
                start: 36,
                end: 42,
            },
            // Out of range and overlapping blocks are skipped.
            Block {
                kind: BlockKind::Paragraph,
                start: 40,
                end: 400,
            },
        ];
        let a = analyze(text, &blocks);
        assert_eq!(a.paragraphs.len(), 3);
        assert_eq!(a.sentences.len(), 4);
        assert_eq!(a.paragraphs[1].sentences, 1..3);
        assert_eq!(a.sentences[3].paragraph, 2);
        let plain = analyze("one line\ntwo line\n\n", &[]);
        assert_eq!(plain.paragraphs.len(), 2);
        assert_eq!(a.sentence_of(3), Some(1));
        assert_eq!(a.paragraph_of(0), Some(0));
    }

    #[test]
    fn offsets_slice_the_text() {
        let text = "Él dijo «sí». 東京で会った。 \u{0007}Ctrl “q” ok";
        let a = analyze(text, &[]);
        for t in &a.tokens {
            assert!(text
                .get(t.start..t.end)
                .is_some_and(|s| !s.trim().is_empty()));
        }
        for s in &a.sentences {
            assert!(text.get(s.start..s.end).is_some());
        }
    }

    #[test]
    fn hostile_inputs_are_linear_and_safe() {
        let quotes = "\"".repeat(10_000) + &"“‘’”'".repeat(2_000);
        let a = analyze(&quotes, &[]);
        assert_eq!(a.tokens.len(), 20_000);
        let long = "word ".repeat(1_000_000);
        let started = std::time::Instant::now();
        let a = analyze(&long, &[]);
        assert_eq!(a.sentences.len(), 1);
        assert!(started.elapsed().as_secs() < 10);
        let dots = ". ".repeat(100_000) + &"U.S.".repeat(10_000);
        let _ = analyze(&dots, &[]);
        let _ = analyze("\u{0}\u{1}\u{7f}", &[]);
    }
}
