//! Attribution assembly by rules: direct quotes, reported speech, nominal
//! cues, "according to", headlines and sourceless reports.
//!
//! The rules produce [`Candidate`]s over token ranges; the learned tagger's
//! spans can be turned into the same type ([`from_tagged`]) so that one
//! resolution step (actors, parents, byte spans) serves both.
//!
//! Order matters and is deliberate:
//! 1. direct quotes first, because quotation marks are the most reliable
//!    evidence; the cue and speaker next to a quote are claimed by it;
//! 2. "according to X", headline cues;
//! 3. verbal cues left unclaimed (reported speech); a quote inside their
//!    content makes them mixed and is not attributed on its own;
//! 4. nominal cues ("his insistence that …").
//!
//! A cue whose subject is the author ("I think", "we believe" outside any
//! quote) is the author's voice, not an attribution; it is reported in
//! [`Assembly::authorial_cues`] for the authorial stage.

use std::ops::Range;

use super::lexicon::{self, Cue, Frame};
use super::quotes::Quotes;
use super::text::{Analysis, QuoteDirection, Shape, Token, TokenKind};
use crate::record::{AttributionKind, BlockKind, Stance};

/// An attribution over token ranges, before actors and byte offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub kind: AttributionKind,
    pub source: Option<Range<usize>>,
    /// The source was not written here but carried over from the
    /// attribution before (a quote continued in its own sentence).
    pub source_inherited: bool,
    pub cue: Option<Range<usize>>,
    pub lemma: Option<&'static str>,
    pub addressee: Option<Range<usize>>,
    /// Token ranges of the content, in text order; more than one when the
    /// content is interrupted ("…," he said, "…").
    pub content: Vec<Range<usize>>,
    pub stance: Stance,
    /// Index of the candidate whose content holds this one.
    pub parent: Option<usize>,
}

impl Candidate {
    pub fn content_span(&self) -> Range<usize> {
        let start = self.content.first().map_or(0, |r| r.start);
        let end = self.content.last().map_or(0, |r| r.end);
        start..end
    }
}

/// The reporting clause next to a direct quote ("…,” Trump told reporters").
struct ReportingClause {
    source: Option<Range<usize>>,
    cue_range: Range<usize>,
    cue: Cue,
    addressee: Option<Range<usize>>,
    /// The token after the clause (where a continued quote may open).
    end: usize,
}

/// What the rules found.
#[derive(Debug, Clone, Default)]
pub struct Assembly {
    pub candidates: Vec<Candidate>,
    /// Sentences (indices) where the author speaks as "I"/"we" with a cue.
    pub authorial_cues: Vec<usize>,
}

struct Ctx<'a> {
    text: &'a str,
    a: &'a Analysis,
    quotes: &'a Quotes,
    /// Innermost quote holding each token (marks excluded).
    in_quote: Vec<Option<u32>>,
    /// Tokens already claimed as a cue or source.
    used: Vec<bool>,
    /// Quotes already attributed or absorbed into a content.
    quote_done: Vec<bool>,
    /// The candidate built from each quote.
    quote_candidate: Vec<Option<usize>>,
    out: Assembly,
}

/// Runs every rule over the analysed text.
pub fn assemble(text: &str, analysis: &Analysis, quotes: &Quotes) -> Assembly {
    let mut ctx = Ctx::new(text, analysis, quotes);
    ctx.speaker_prefixes();
    ctx.direct_quotes();
    ctx.according_to();
    ctx.headlines();
    ctx.reported_speech();
    ctx.nominal_cues();
    ctx.continued_quotes();
    let mut out = ctx.out;
    out.candidates
        .sort_by_key(|c| (c.content_span().start, usize::MAX - c.content_span().end));
    assign_parents(&mut out.candidates);
    out
}

/// Gives a source to candidates that have a cue but none (the tagger's
/// often lack one): the noun phrase the rules would take for that cue.
pub fn fill_sources(text: &str, analysis: &Analysis, quotes: &Quotes, cands: &mut [Candidate]) {
    let ctx = Ctx::new(text, analysis, quotes);
    for c in cands.iter_mut() {
        if c.source.is_some() {
            continue;
        }
        let Some(cue) = c.cue.clone() else { continue };
        if cue.is_empty() || cue.end > analysis.tokens.len() {
            continue;
        }
        let region = ctx.region(cue.start);
        let (k, _) = ctx.cue_prefix(cue.start, region.start);
        let mut source = ctx.source_left(k, region.start);
        let content = c.content_span();
        if source.is_none() && cue.end <= content.start.max(cue.end) {
            // "…, said Trump." / "said Trump, “…”"
            source = ctx
                .np_right(cue.end, region.end)
                .filter(|np| np.end <= content.start || np.start >= content.end);
        }
        if source.is_none() && k > region.start {
            // A second verb of the clause ("Trump … and criticized Obama",
            // "agreed, but also contended that …") or a participle after
            // it ("…, accusing her of …") has the clause's subject.
            let before = ctx.word(k - 1);
            let coordinated = matches!(before, "and" | "but");
            let participle = before == "," && ctx.word(cue.start).ends_with("ing");
            if coordinated || participle {
                source = ctx
                    .clause_subject(region.start, k)
                    .filter(|np| np.end < k.saturating_sub(1));
            }
        }
        if let Some(s) = &source {
            let overlaps_content = c.content.iter().any(|r| r.start < s.end && s.start < r.end);
            if !overlaps_content && !ctx.first_person(s) {
                c.source = source;
            }
        }
    }
}

impl<'a> Ctx<'a> {
    fn new(text: &'a str, analysis: &'a Analysis, quotes: &'a Quotes) -> Self {
        let n = analysis.tokens.len();
        let mut in_quote = vec![None; n];
        for (qi, q) in quotes.quotes.iter().enumerate() {
            for part in &q.parts {
                for slot in &mut in_quote[part.clone()] {
                    *slot = Some(qi as u32);
                }
            }
        }
        Ctx {
            text,
            a: analysis,
            quotes,
            in_quote,
            used: vec![false; n],
            quote_done: vec![false; quotes.quotes.len()],
            quote_candidate: vec![None; quotes.quotes.len()],
            out: Assembly::default(),
        }
    }
}

/// Each candidate's parent is the innermost other candidate whose content
/// contains its content and its cue. A sweep with a stack, so linear after
/// the sort.
fn assign_parents(cands: &mut [Candidate]) {
    let mut stack: Vec<usize> = Vec::new();
    for i in 0..cands.len() {
        let span = cands[i].content_span();
        while let Some(&top) = stack.last() {
            if cands[top].content_span().end >= span.end && top != i {
                break;
            }
            stack.pop();
        }
        let anchor = cands[i].cue.as_ref().map_or(span.start, |c| c.start);
        cands[i].parent = stack.iter().rev().take(64).copied().find(|&p| {
            let ps = cands[p].content_span();
            ps.start <= span.start
                && span.end <= ps.end
                && ps != span
                && ps.start <= anchor
                && anchor < ps.end
        });
        stack.push(i);
    }
}

/// A reported content longer than this (in tokens) is cut: real ones are
/// far shorter, and the cap keeps hostile sentences linear.
const MAX_CONTENT_TOKENS: usize = 400;

const ADDRESSEE_PRONOUNS: &[&str] = &["me", "him", "her", "them", "us", "you"];
const OBJECT_LEADS: &[&str] = &[
    "regarding",
    "about",
    "over",
    "of",
    "toward",
    "towards",
    "on",
];

impl<'a> Ctx<'a> {
    fn tok(&self, i: usize) -> &Token {
        &self.a.tokens[i]
    }

    fn word(&self, i: usize) -> &'a str {
        self.a.tokens.get(i).map_or("", |t| t.text(self.text))
    }

    fn is_punct(&self, i: usize, p: &str) -> bool {
        self.a
            .tokens
            .get(i)
            .is_some_and(|t| t.kind == TokenKind::Punct)
            && self.word(i) == p
    }

    fn is_quote_mark(&self, i: usize) -> bool {
        self.a.tokens.get(i).is_some_and(|t| t.quote().is_some())
    }

    fn lower_word(&self, i: usize) -> bool {
        self.a
            .tokens
            .get(i)
            .is_some_and(|t| t.shape == Shape::Lower)
    }

    fn in_heading(&self, i: usize) -> bool {
        self.a
            .paragraph_of(i)
            .is_some_and(|p| self.a.paragraphs[p].kind == BlockKind::Heading)
    }

    /// The tokens a rule may look at around token `i`: its sentence, cut to
    /// the quote part that holds `i` if it is quoted.
    fn region(&self, i: usize) -> Range<usize> {
        let Some(s) = self.a.sentence_of(i) else {
            return i..i + 1;
        };
        let mut r = self.a.sentences[s].tokens.clone();
        if let Some(q) = self.in_quote[i] {
            if let Some(part) = self.quotes.quotes[q as usize]
                .parts
                .iter()
                .find(|p| p.contains(&i))
            {
                r.start = r.start.max(part.start);
                r.end = r.end.min(part.end);
            }
        }
        r
    }

    fn cue_at(&self, i: usize) -> Option<Cue> {
        let t = self.a.tokens.get(i)?;
        if t.kind != TokenKind::Word {
            return None;
        }
        let next = self
            .a
            .tokens
            .get(i + 1)
            .filter(|n| n.kind == TokenKind::Word && n.space_before)
            .map(|n| n.text(self.text));
        lexicon::verb_cue(t.text(self.text), next)
    }

    /// Walks left over auxiliaries and adverbs that belong to the cue.
    fn cue_prefix(&self, cue_start: usize, floor: usize) -> (usize, bool) {
        let mut k = cue_start;
        let mut negated = false;
        let floor = floor.max(cue_start.saturating_sub(6));
        while k > floor {
            let t = self.tok(k - 1);
            let w = self.word(k - 1);
            let adverb = t.shape == Shape::Lower && w.len() > 4 && w.ends_with("ly");
            if t.kind != TokenKind::Word || !(lexicon::is_cue_prefix(w) || adverb) {
                break;
            }
            if t.shape != Shape::Lower && k - 1 != floor {
                break;
            }
            negated |= lexicon::is_in(w, lexicon::NEGATIONS);
            k -= 1;
        }
        // "to" belongs to the cue only after "seem"/"appear".
        while k < cue_start && self.word(k).eq_ignore_ascii_case("to") {
            k += 1;
        }
        (k, negated)
    }

    /// A noun phrase ending right before `end`, no further left than
    /// `floor`: "longtime Democratic pollster Pat Caddell", "he",
    /// "the Russian president", "C.I.A. Director Mike Pompeo".
    fn np_left(&self, end: usize, floor: usize) -> Option<Range<usize>> {
        let mut i = end;
        let mut count = 0;
        let mut content_words = 0;
        let heading = end > 0 && self.in_heading(end - 1);
        while i > floor && count < 12 {
            let j = i - 1;
            let t = *self.tok(j);
            let w = self.word(j);
            match t.kind {
                TokenKind::Word | TokenKind::Number => {
                    let lower = t.shape == Shape::Lower;
                    let sentence_first = self
                        .a
                        .sentence_of(j)
                        .is_some_and(|s| self.a.sentences[s].tokens.start == j);
                    if lexicon::is_in(w, lexicon::SUBJECT_PRONOUNS) && !w.eq_ignore_ascii_case("it")
                    {
                        if count == 0 {
                            return Some(j..end);
                        }
                        break;
                    }
                    if lexicon::is_determiner(w) && (lower || sentence_first) {
                        if content_words > 0 && !w.eq_ignore_ascii_case("that") {
                            i = j;
                            // "a spokeswoman for the mill": the phrase goes on
                            // left of "of"/"for" when a noun stands there.
                            if j >= floor + 2
                                && matches!(self.word(j - 1), "of" | "for")
                                && self.tok(j - 2).kind == TokenKind::Word
                                && !lexicon::is_np_stop(self.word(j - 2))
                                && self.cue_at(j - 2).is_none()
                            {
                                i = j - 1;
                                count += 1;
                                continue;
                            }
                        }
                        break;
                    }
                    // "Director of National Intelligence", "a spokeswoman
                    // for the mill".
                    if matches!(w, "of" | "for") && content_words > 0 && j > floor {
                        let before = self.tok(j - 1);
                        if before.kind == TokenKind::Word && !lexicon::is_np_stop(self.word(j - 1))
                        {
                            i = j;
                            count += 1;
                            continue;
                        }
                        break;
                    }
                    if w == "and" && content_words > 0 && j > floor {
                        let right = self.tok(j + 1).shape;
                        if right != Shape::Lower
                            && self.tok(j - 1).shape != Shape::Lower
                            && self.tok(j - 1).kind == TokenKind::Word
                        {
                            i = j;
                            count += 1;
                            continue;
                        }
                        break;
                    }
                    let stop = if lower || sentence_first || heading {
                        lexicon::is_np_stop(w)
                    } else {
                        false
                    };
                    if stop {
                        break;
                    }
                    // A cue word after a possessive or determiner is a noun:
                    // "the community’s report".
                    let noun_use = j > floor && {
                        let p = self.word(j - 1);
                        p.ends_with("’s") || p.ends_with("'s") || lexicon::is_determiner(p)
                    };
                    if lower
                        && ((self.cue_at(j).is_some() && !noun_use)
                            || (w.len() > 4 && w.ends_with("ly")))
                    {
                        break;
                    }
                    if lower && heading {
                        break;
                    }
                    i = j;
                    count += 1;
                    content_words += 1;
                }
                TokenKind::Punct if w == "." && j > floor && content_words > 0 => {
                    // "Sen. Ted Cruz": a title's period.
                    let before = self.tok(j - 1);
                    if before.end == t.start
                        && before.shape == Shape::Capitalized
                        && self.word(j - 1).len() <= 4
                    {
                        i = j;
                        continue;
                    }
                    break;
                }
                _ => break,
            }
        }
        (content_words > 0).then_some(i..end)
    }

    /// The source left of a cue starting at `k`: a noun phrase, the phrase
    /// before a relative pronoun ("the community who claim"), or a phrase
    /// with its appositive ("Douglas Brinkley, a historian who attended
    /// the session, recalled").
    fn source_left(&self, k: usize, floor: usize) -> Option<Range<usize>> {
        if let Some(np) = self.np_left(k, floor) {
            return Some(np);
        }
        if k <= floor {
            return None;
        }
        if matches!(self.word(k - 1), "who" | "which") {
            return self.np_left(k - 1, floor);
        }
        if !self.is_punct(k - 1, ",") {
            return None;
        }
        let close = k - 1;
        let mut c = close;
        while c > floor && close - c < 25 {
            c -= 1;
            if self.is_quote_mark(c) || self.is_punct(c, ";") {
                return None;
            }
            if self.is_punct(c, ",") {
                if c + 1 >= close {
                    return None;
                }
                let first = self.word(c + 1);
                // "Hillary Clinton, at a later press gaggle, said": an
                // aside, not part of the source.
                if matches!(
                    first,
                    "at" | "in" | "on" | "during" | "after" | "speaking" | "when" | "while"
                ) {
                    return self.np_left(c, floor);
                }
                if !self.opens_appositive(c + 1, close) {
                    return None;
                }
                let np = self.np_left(c, floor)?;
                return Some(np.start..close);
            }
        }
        None
    }

    /// A noun phrase starting at `start`, no further right than `limit`.
    fn np_right(&self, start: usize, limit: usize) -> Option<Range<usize>> {
        let mut i = start;
        let mut content_words = 0;
        while i < limit && i - start < 10 {
            let t = *self.tok(i);
            let w = self.word(i);
            match t.kind {
                TokenKind::Word | TokenKind::Number => {
                    let lower = t.shape == Shape::Lower;
                    if lexicon::is_in(w, lexicon::SUBJECT_PRONOUNS) && !w.eq_ignore_ascii_case("it")
                    {
                        return (i == start).then_some(i..i + 1);
                    }
                    if lexicon::is_determiner(w) && i == start {
                        i += 1;
                        continue;
                    }
                    let after_possessive = i > start && {
                        let p = self.word(i - 1);
                        p.ends_with("’s") || p.ends_with("'s")
                    };
                    if lower
                        && (lexicon::is_np_stop(w)
                            || (self.cue_at(i).is_some() && !after_possessive)
                            || (w.len() > 4 && w.ends_with("ly")))
                    {
                        if w == "of" && content_words > 0 && self.tok(i + 1).shape != Shape::Lower {
                            i += 1;
                            continue;
                        }
                        break;
                    }
                    if !lower && content_words > 0 && self.cue_at(i).is_some() && self.in_heading(i)
                    {
                        break;
                    }
                    content_words += 1;
                    i += 1;
                }
                TokenKind::Punct if w == "." && content_words > 0 && i + 1 < limit => {
                    let before = self.tok(i - 1);
                    if before.end == t.start
                        && before.shape == Shape::Capitalized
                        && self.word(i - 1).len() <= 4
                        && matches!(self.tok(i + 1).shape, Shape::Capitalized | Shape::Upper)
                    {
                        i += 1;
                        continue;
                    }
                    break;
                }
                _ => break,
            }
        }
        if content_words > 0 && self.is_punct(i, "(") {
            // "Sen. Claire McCaskill (D-Mo.)"
            if let Some(close) = (i + 1..limit.min(i + 8)).find(|&j| self.is_punct(j, ")")) {
                i = close + 1;
            }
        }
        (content_words > 0).then_some(start..i)
    }

    /// After a noun phrase ending at `np_end`: the end of an appositive
    /// (", a former Obama administration official who runs Crosscut
    /// Strategies"), at the next comma or the region's end.
    fn appositive_end(&self, np_end: usize, limit: usize) -> Option<usize> {
        if !self.is_punct(np_end, ",") || np_end + 1 >= limit {
            return None;
        }
        if !self.opens_appositive(np_end + 1, limit) {
            return None;
        }
        let mut i = np_end + 1;
        while i < limit && i - np_end <= 25 {
            let t = self.tok(i);
            if t.quote().is_some() {
                return None;
            }
            if self.is_punct(i, ",") || self.is_punct(i, ";") {
                return Some(i);
            }
            i += 1;
        }
        let mut end = i.min(limit);
        while end > np_end + 1 && self.tok(end - 1).kind == TokenKind::Punct {
            end -= 1;
        }
        (i >= limit).then_some(end)
    }

    /// Whether an appositive may open at token `i` (after a comma): a
    /// determiner or "who" ("a former official", "who runs …"), or a bare
    /// title phrase of one to four words before "of", "for" or "at"
    /// ("head of the Tax Policy Center", "chief strategist for the RNC",
    /// "founder and CEO of …"), as PolNeAR's sources include them.
    fn opens_appositive(&self, i: usize, limit: usize) -> bool {
        let first = self.word(i);
        if matches!(first, "a" | "an" | "the" | "who")
            || (self.lower_word(i) && lexicon::is_determiner(first))
        {
            return true;
        }
        // A capitalised first word may still be a title ("House editor
        // for the Cook Political Report"); the "of"/"for"/"at" decides.
        if self.tok(i).kind != TokenKind::Word {
            return false;
        }
        let mut j = i;
        while j < limit && j - i < 5 {
            let w = self.word(j);
            if j > i && matches!(w, "of" | "for" | "at") {
                return true;
            }
            let t = self.tok(j);
            let title_word = t.kind == TokenKind::Word
                && (w == "and" || !lexicon::is_np_stop(w))
                && self.cue_at(j).is_none()
                && !(t.shape == Shape::Lower && w.len() > 4 && w.ends_with("ly"))
                && !(t.shape == Shape::Lower && w.ends_with("ing"));
            if !title_word {
                return false;
            }
            j += 1;
        }
        false
    }

    /// The addressee right after a cue ("told reporters", "told The Hill").
    fn addressee_at(&self, i: usize, limit: usize) -> Option<Range<usize>> {
        if i >= limit {
            return None;
        }
        let w = self.word(i);
        if lexicon::is_in(w, ADDRESSEE_PRONOUNS) {
            return Some(i..i + 1);
        }
        if w.eq_ignore_ascii_case("that") {
            return None;
        }
        let np = self.np_right(i, limit)?;
        (np.len() <= 5).then_some(np)
    }

    fn first_person(&self, r: &Range<usize>) -> bool {
        r.len() == 1 && matches!(self.word(r.start), "I" | "we" | "We" | "us")
    }

    fn push(&mut self, c: Candidate) -> usize {
        for r in [&c.source, &c.cue].into_iter().flatten() {
            for u in &mut self.used[r.clone()] {
                *u = true;
            }
        }
        self.out.candidates.push(c);
        self.out.candidates.len() - 1
    }

    /// Trims trailing punctuation, and closing quotation marks whose
    /// opening mark is outside the range, from a content range.
    fn trim(&self, mut r: Range<usize>) -> Range<usize> {
        while r.end > r.start {
            let t = self.tok(r.end - 1);
            let drop = match t.kind {
                TokenKind::Punct => true,
                TokenKind::Quote(_) => match self
                    .in_quote
                    .get(r.end.saturating_sub(2))
                    .copied()
                    .flatten()
                {
                    Some(q) => self.quotes.quotes[q as usize].open < r.start,
                    None => true,
                },
                _ => false,
            };
            if !drop {
                break;
            }
            r.end -= 1;
        }
        while r.start < r.end && self.tok(r.start).kind == TokenKind::Punct {
            r.start += 1;
        }
        r
    }

    // -----------------------------------------------------------------
    // 0. Transcripts: "WALLACE: …", "Pat Caddell: …"

    /// The speaker named at the start of paragraph `p` before a colon
    /// (`"PENCE: Well, look, …`): the name's tokens and the colon. One to
    /// four capitalised words (titles' periods allowed), after an opening
    /// quotation mark at most, then a sentence of at least four words.
    /// Labels ("UPDATE:", "The Latest:", "Editor's Note:", "Q:") are not
    /// speakers; single letters are left out because PolNeAR does not mark
    /// Q-and-A interviews so.
    fn speaker_prefix(&self, p: usize) -> Option<(Range<usize>, usize)> {
        const LABELS: &[&str] = &[
            "update",
            "updated",
            "video",
            "watch",
            "email",
            "note",
            "editor’s",
            "editor's",
            "photo",
            "photos",
            "related",
            "read",
            "latest",
            "source",
            "sources",
            "correction",
            "clarification",
            "name",
            "age",
            "city",
            "advertisement",
            "listen",
            "transcript",
            "pledged",
            "superdelegates",
            "breaking",
            "exclusive",
            "poll",
            "warning",
            "opinion",
            "analysis",
            "editorial",
            "live",
            "wow",
            "look",
            "revealed",
            "boom",
            "busted",
            "bombshell",
            "so",
            "contributing",
            "paid",
            "just",
            "big",
            "by",
        ];
        let para = &self.a.paragraphs[p];
        let mut i = para.tokens.start;
        if self.is_quote_mark(i) {
            i += 1;
        }
        let name_start = i;
        let mut words = 0;
        while i < para.tokens.end && words <= 4 {
            let t = self.tok(i);
            match t.kind {
                TokenKind::Word if t.shape != Shape::Lower => {
                    if lexicon::is_in(self.word(i), LABELS) {
                        return None;
                    }
                    words += 1;
                }
                TokenKind::Punct if self.word(i) == "." && words > 0 => {}
                TokenKind::Punct if self.word(i) == ":" => break,
                _ => return None,
            }
            i += 1;
        }
        if words == 0 || words > 4 || !self.is_punct(i, ":") {
            return None;
        }
        // "Iowa: Tim Albrecht, Brad Anderson, …" lists, not speech.
        let name_text = self
            .text
            .get(self.tok(name_start).start..self.tok(i - 1).end);
        if name_text.is_some_and(|n| lexicon::is_in(n, super::actors::PLACES)) {
            return None;
        }
        if i - name_start == 1 && self.word(name_start).chars().count() < 2 {
            return None;
        }
        let after = i + 1..para.tokens.end;
        let opens_with_word = self
            .a
            .tokens
            .get(after.start)
            .is_some_and(|t| t.kind == TokenKind::Word || t.quote().is_some());
        let word_count = after.clone().filter(|&j| self.tok(j).is_word()).count();
        (opens_with_word && word_count >= 4).then_some((name_start..i, i))
    }

    /// Turns of a transcript, and "Name: …" headlines: the speaker, the
    /// colon as the cue (as PolNeAR marks them) and the rest of the
    /// paragraph. Paragraphs after it that reopen the quotation without a
    /// speaker of their own go on with the same turn. The quotation marks
    /// around the turns are then this attribution's, not a quote to
    /// attribute again.
    fn speaker_prefixes(&mut self) {
        let count = self.a.paragraphs.len();
        let mut p = 0;
        while p < count {
            let Some((name, colon)) = self.speaker_prefix(p) else {
                p += 1;
                continue;
            };
            let para = &self.a.paragraphs[p];
            let heading = para.kind == BlockKind::Heading;
            let reopened = self.is_quote_mark(para.tokens.start);
            let mut content = vec![self.trim(colon + 1..para.tokens.end)];
            let mut next = p + 1;
            while reopened && next < count && next - p <= 10 {
                let np = &self.a.paragraphs[next];
                let first_word = np.tokens.start + 1;
                let continues = self.is_quote_mark(np.tokens.start)
                    && first_word < np.tokens.end
                    && self.tok(first_word).kind == TokenKind::Word
                    // Any "Name:" or "Label:" opening starts something else.
                    && !(np.tokens.start..np.tokens.end.min(np.tokens.start + 7))
                        .any(|j| self.is_punct(j, ":"));
                if !continues {
                    break;
                }
                content.push(self.trim(first_word..np.tokens.end));
                next += 1;
            }
            content.retain(|r| !r.is_empty());
            if content.is_empty() {
                p += 1;
                continue;
            }
            let end = self.a.paragraphs[next - 1].tokens.end;
            for qi in 0..self.quotes.quotes.len() {
                let q = &self.quotes.quotes[qi];
                if q.parent.is_none() && q.open >= para.tokens.start && q.open < end {
                    self.quote_done[qi] = true;
                }
            }
            let id = self.push(Candidate {
                kind: if heading {
                    AttributionKind::Headline
                } else {
                    AttributionKind::Direct
                },
                source: Some(name),
                source_inherited: false,
                cue: Some(colon..colon + 1),
                lemma: Some("say"),
                addressee: None,
                content,
                stance: Stance::Asserts,
                parent: None,
            });
            for qi in 0..self.quotes.quotes.len() {
                if self.quote_done[qi] && self.quote_candidate[qi].is_none() {
                    let q = &self.quotes.quotes[qi];
                    if q.open >= self.a.paragraphs[p].tokens.start && q.open < end {
                        self.quote_candidate[qi] = Some(id);
                    }
                }
            }
            p = next;
        }
    }

    // -----------------------------------------------------------------
    // 1. Direct quotes

    fn direct_quotes(&mut self) {
        for qi in 0..self.quotes.quotes.len() {
            if self.quote_done[qi] {
                continue;
            }
            let q = self.quotes.quotes[qi].clone();
            let after = q.after();
            let found = self
                .speaker_after(after, q.close.is_some())
                .or_else(|| self.speaker_before(q.open));
            let Some(ReportingClause {
                source,
                cue_range,
                cue,
                addressee,
                end: end_of_clause,
            }) = found
            else {
                continue;
            };
            let mut content = q.parts.clone();
            self.quote_done[qi] = true;
            // "…," he said, "…": the second quote continues the content.
            if let Some(next) = self.continuation_quote(qi, end_of_clause) {
                content.extend(self.quotes.quotes[next].parts.iter().cloned());
                self.quote_done[next] = true;
                let id = self.out.candidates.len();
                self.quote_candidate[next] = Some(id);
            }
            let id = self.push(Candidate {
                kind: AttributionKind::Direct,
                source,
                source_inherited: false,
                cue: Some(cue_range),
                lemma: Some(cue.lemma),
                addressee,
                content,
                stance: cue.stance,
                parent: None,
            });
            self.quote_candidate[qi] = Some(id);
        }
    }

    /// `…,” Trump told reporters` / `…,” said Trump` / `…,” he said`.
    /// Returns the reporting clause after the quote.
    fn speaker_after(&self, at: usize, closed: bool) -> Option<ReportingClause> {
        if !closed || at >= self.a.tokens.len() {
            return None;
        }
        // "…our greatest shame.” ― Sonya Herridge": a dash and a name.
        if matches!(self.word(at), "\u{2015}" | "\u{2014}" | "\u{2013}" | "-")
            && self.a.paragraph_of(at) == self.a.paragraph_of(at - 1)
        {
            let limit = self.region(at).end.max(at + 1);
            if let Some(np) = self.np_right(at + 1, limit) {
                let named = (np.start..np.end)
                    .all(|t| self.tok(t).shape != Shape::Lower || self.word(t) == ".");
                if named && self.clause_ends_at(np.end, limit) {
                    let dash = Cue {
                        lemma: "say",
                        stance: Stance::Asserts,
                        frame: Frame::Clause,
                        words: 1,
                    };
                    return Some(ReportingClause {
                        source: Some(np.clone()),
                        cue_range: at..at + 1,
                        cue: dash,
                        addressee: None,
                        end: np.end,
                    });
                }
            }
        }
        let mut i = at;
        if self.is_punct(i, ",") || self.is_punct(i, "\u{2014}") || self.is_punct(i, "\u{2013}") {
            i += 1;
        }
        let region = self.region(i.min(self.a.tokens.len() - 1));
        let limit = region.end;
        if i >= limit || self.used[i] || self.a.paragraph_of(i) != self.a.paragraph_of(at - 1) {
            return None;
        }
        // A new sentence starting with a capital after the quote is not a
        // reporting clause unless a cue follows at once.
        let (source, cue_start) = if let Some(cue) = self.cue_at(i) {
            // "…,” said Kenneth Baer, a former official."
            let np = self.np_right(i + cue.words, limit).map(|np| {
                match self.appositive_end(np.end, limit) {
                    Some(e) => np.start..e,
                    None => np,
                }
            });
            (np, i)
        } else {
            let mut np = self.np_right(i, limit)?;
            let mut c = np.end;
            // "…,” Kenneth Baer, a former official, said."
            if let Some(e) = self.appositive_end(np.end, limit) {
                if self.is_punct(e, ",") {
                    np.end = e;
                    c = e + 1;
                }
            }
            // "he also said", "Trump later told"
            while c < limit
                && self.lower_word(c)
                && lexicon::is_cue_prefix(self.word(c))
                && self.cue_at(c).is_none()
            {
                c += 1;
            }
            self.cue_at(c)?;
            (Some(np), c)
        };
        let cue = self.cue_at(cue_start)?;
        let cue_end = cue_start + cue.words;
        let mut end = cue_end;
        if let Some(s) = &source {
            end = end.max(s.end);
        }
        let addressee = if cue.frame == Frame::Addressee {
            let a = self.addressee_at(end, limit);
            if let Some(a) = &a {
                end = a.end;
            }
            a
        } else {
            None
        };
        if !self.clause_ends_at(end, limit) {
            return None;
        }
        Some(ReportingClause {
            source,
            cue_range: cue_start..cue_end,
            cue,
            addressee,
            end,
        })
    }

    /// Whether a reporting clause may end before token `i`: punctuation, a
    /// quotation mark, the region's end, or a time or place adjunct ("on
    /// Tuesday", "in a statement").
    fn clause_ends_at(&self, i: usize, limit: usize) -> bool {
        if i >= limit {
            return true;
        }
        let t = self.tok(i);
        match t.kind {
            TokenKind::Punct => self.word(i) != "(",
            TokenKind::Quote(_) => true,
            _ => {
                let w = self.word(i);
                lexicon::is_in(w, lexicon::TIME_WORDS)
                    || lexicon::is_in(
                        w,
                        &[
                            "in", "on", "at", "during", "after", "before", "while", "from", "when",
                            "as", "last", "this", "earlier", "later",
                        ],
                    )
            }
        }
    }

    /// `Trump said: “…` / `he says, ‘…` / a paragraph ending in
    /// `A spokesperson told The Hill:` before a quoted paragraph.
    fn speaker_before(&self, open: usize) -> Option<ReportingClause> {
        if open == 0 {
            return None;
        }
        let lead = open - 1;
        if !(self.is_punct(lead, ":") || self.is_punct(lead, ",")) {
            return None;
        }
        let para_first = self
            .a
            .paragraph_of(open)
            .is_some_and(|p| self.a.paragraphs[p].tokens.start == open);
        if para_first && !self.is_punct(lead, ":") {
            return None;
        }
        let region = self.region(lead);
        let floor = region.start.max(lead.saturating_sub(12));
        // The cue is the nearest one to the left; only an addressee or time
        // words may stand between it and the colon.
        let mut c = lead;
        while c > floor {
            c -= 1;
            if self.used[c] || self.is_quote_mark(c) {
                return None;
            }
            if let Some(cue) = self.cue_at(c) {
                if !self.lower_word(c) && !self.in_heading(c) {
                    continue;
                }
                let cue_end = c + cue.words;
                let mut between = cue_end;
                let addressee = if cue.frame == Frame::Addressee {
                    self.addressee_at(cue_end, lead)
                } else {
                    None
                };
                if let Some(a) = &addressee {
                    between = a.end;
                }
                while between < lead && lexicon::is_in(self.word(between), lexicon::TIME_WORDS) {
                    between += 1;
                }
                let inverted = self.np_right(between, lead).filter(|np| np.end == lead);
                if between != lead && inverted.is_none() {
                    return None;
                }
                let (k, _) = self.cue_prefix(c, region.start);
                let mut source = self.source_left(k, region.start).or(inverted);
                if source.is_none() && self.word(c).ends_with("ing") {
                    source = self.clause_subject(region.start, k);
                }
                return Some(ReportingClause {
                    source,
                    cue_range: k..cue_end,
                    cue,
                    addressee,
                    end: open,
                });
            }
        }
        None
    }

    /// The quote that continues quote `qi` after its reporting clause.
    fn continuation_quote(&self, qi: usize, clause_end: usize) -> Option<usize> {
        let next = qi + 1..self.quotes.quotes.len();
        let next = next
            .into_iter()
            .take(16)
            .find(|&j| self.quotes.quotes[j].parent == self.quotes.quotes[qi].parent)?;
        let nq = &self.quotes.quotes[next];
        let mut i = clause_end;
        while i < nq.open && (self.is_punct(i, ",") || self.is_punct(i, ":")) {
            i += 1;
        }
        (i == nq.open && clause_end > self.quotes.quotes[qi].open && !self.quote_done[next])
            .then_some(next)
    }

    /// Whether the tokens from `from` up to the quote opening at `open`
    /// only finish the reporting sentence that ends before it: `“…,” she
    /// said, clapping. “…”`, `“…,” he said in August. “…”`, `said Tim
    /// Hess, who introduced him to bankers. “…”`. PolNeAR (and a reader)
    /// counts the second quote as the same statement; a sentence of its
    /// own between them, another quotation or another cue (`adding that
    /// …`) makes it a new one.
    fn clause_tail_only(&self, from: usize, open: usize) -> bool {
        if from == 0 || from >= open {
            return false;
        }
        let (Some(s_last), Some(s_open)) = (self.a.sentence_of(from - 1), self.a.sentence_of(open))
        else {
            return false;
        };
        // A cue inside a relative clause ("who has challenged the board")
        // or "referring to" describes the speaker or the quote; it opens
        // no statement of its own.
        let mut relative = false;
        s_open == s_last + 1
            && self.a.sentences[s_open].tokens.start == open
            && (from..open).all(|t| {
                relative |= matches!(self.word(t), "who" | "which");
                let own_cue = self.tok(t).kind == TokenKind::Word
                    && !relative
                    && self.cue_at(t).is_some_and(|c| c.lemma != "refer");
                !self.used[t] && self.tok(t).quote().is_none() && !own_cue
            })
    }

    /// A full-sentence quote with no reporting clause of its own, right
    /// after an attributed quote: the same speaker goes on.
    fn continued_quotes(&mut self) {
        for qi in 0..self.quotes.quotes.len() {
            if self.quote_done[qi] || self.quotes.quotes[qi].parent.is_some() {
                continue;
            }
            let q = &self.quotes.quotes[qi];
            let starts_sentence = self
                .a
                .sentence_of(q.open)
                .is_some_and(|s| self.a.sentences[s].tokens.start == q.open);
            if !starts_sentence || q.word_count(self.a) < 4 {
                continue;
            }
            let Some(p) = self.a.paragraph_of(q.open) else {
                continue;
            };
            // The nearest attributed quote before, in this or the previous
            // paragraph (quotes come in text order, so the search stops
            // at the paragraph before).
            let mut prev = None;
            for j in (0..qi).rev() {
                let qj = &self.quotes.quotes[j];
                let Some(pj) = self.a.paragraph_of(qj.open) else {
                    break;
                };
                if pj + 1 < p {
                    break;
                }
                if let (Some(id), None) = (self.quote_candidate[j], qj.parent) {
                    prev = Some(id);
                    break;
                }
            }
            let Some(prev) = prev else { continue };
            let parts = q.parts.clone();
            self.quote_done[qi] = true;
            // Right after the attribution, with only punctuation between,
            // the quote goes on: one attribution with several parts (as
            // PolNeAR and readers count it).
            let c = &self.out.candidates[prev];
            let last = c
                .content
                .iter()
                .map(|r| r.end)
                .chain(c.cue.iter().map(|r| r.end))
                .chain(c.source.iter().map(|r| r.end))
                .max()
                .unwrap_or(0);
            let adjacent = (last..q.open)
                .all(|t| matches!(self.tok(t).kind, TokenKind::Punct | TokenKind::Quote(_)))
                || self.clause_tail_only(last, q.open);
            let same_paragraph = self.a.paragraph_of(last.saturating_sub(1)) == Some(p);
            if adjacent && same_paragraph && c.kind == AttributionKind::Direct {
                self.out.candidates[prev].content.extend(parts);
                self.quote_candidate[qi] = Some(prev);
                continue;
            }
            let source = c.source.clone();
            self.out.candidates.push(Candidate {
                kind: AttributionKind::Direct,
                source,
                source_inherited: true,
                cue: None,
                lemma: None,
                addressee: None,
                content: parts,
                stance: Stance::Asserts,
                parent: None,
            });
            self.quote_candidate[qi] = Some(self.out.candidates.len() - 1);
        }
    }

    // -----------------------------------------------------------------
    // 2. "according to", headlines

    fn according_to(&mut self) {
        for i in 0..self.a.tokens.len().saturating_sub(1) {
            if !self.word(i).eq_ignore_ascii_case("according")
                || self.word(i + 1) != "to"
                || self.used[i]
            {
                continue;
            }
            let region = self.region(i);
            let leading = i == region.start || self.is_quote_mark(i.wrapping_sub(1));
            // The source runs to the next punctuation: "a report presented
            // to the committee". Before its clause ("According to X, …")
            // only a comma may end it, else the clause would join it.
            let end = self.phrase_end(i + 2, region.end);
            let source = if end > i + 2 && (!leading || self.is_punct(end, ",")) {
                Some(i + 2..end)
            } else {
                self.np_right(i + 2, region.end)
            };
            let Some(source) = source.filter(|s| (s.start..s.end).any(|t| self.tok(t).is_word()))
            else {
                continue;
            };
            let content = if leading {
                // "According to X, …"
                let mut s = source.end;
                if self.is_punct(s, ",") {
                    s += 1;
                }
                self.trim(s..region.end.min(s + MAX_CONTENT_TOKENS))
            } else if i > region.start && self.is_punct(i - 1, ",") {
                self.trim(region.start.max(i.saturating_sub(MAX_CONTENT_TOKENS))..i - 1)
            } else {
                continue;
            };
            if content.is_empty() {
                continue;
            }
            self.absorb_quotes(&content);
            self.push(Candidate {
                kind: AttributionKind::AccordingTo,
                source: Some(source),
                source_inherited: false,
                cue: Some(i..i + 2),
                lemma: Some("according to"),
                addressee: None,
                content: vec![content],
                stance: Stance::Reports,
                parent: None,
            });
        }
    }

    /// Where the phrase after "according to" ends: at the next punctuation
    /// or quotation mark, so that a participle and its complement stay in
    /// the source ("a report presented to the council's committee",
    /// "figures published with the committee papers"), as PolNeAR marks
    /// them (378 of 394 such sources in train end at punctuation). Returns
    /// `start` when no punctuation comes within 20 tokens.
    fn phrase_end(&self, start: usize, limit: usize) -> usize {
        let mut j = start;
        while j < limit && j - start < 20 {
            let t = self.tok(j);
            if t.quote().is_some() || (t.kind == TokenKind::Punct && self.word(j) != "-") {
                return j;
            }
            j += 1;
        }
        if j >= limit {
            return limit;
        }
        start
    }

    fn headlines(&mut self) {
        for p in 0..self.a.paragraphs.len() {
            if self.a.paragraphs[p].kind != BlockKind::Heading {
                continue;
            }
            let range = self.a.paragraphs[p].tokens.clone();
            // Clauses of a headline are separated by commas or colons.
            let mut clause_start = range.start;
            for i in range.clone() {
                if self.is_punct(i, ",") || self.is_punct(i, ";") {
                    clause_start = i + 1;
                    continue;
                }
                let Some(cue) = self.cue_at(i) else { continue };
                if i == clause_start || self.used[i] {
                    continue;
                }
                let Some(source) = self.np_left(i, clause_start) else {
                    continue;
                };
                let mut end = i + cue.words;
                while end < range.end.min(i + MAX_CONTENT_TOKENS)
                    && !self.is_punct(end, ",")
                    && !self.is_punct(end, ";")
                    && self.tok(end).kind != TokenKind::Punct
                {
                    end += 1;
                }
                let content = self.trim(i + cue.words..end);
                if content.is_empty() {
                    continue;
                }
                self.push(Candidate {
                    kind: AttributionKind::Headline,
                    source: Some(source),
                    source_inherited: false,
                    cue: Some(i..i + cue.words),
                    lemma: Some(cue.lemma),
                    addressee: None,
                    content: vec![content],
                    stance: cue.stance,
                    parent: None,
                });
            }
        }
    }

    // -----------------------------------------------------------------
    // 3. Reported speech

    fn reported_speech(&mut self) {
        let n = self.a.tokens.len();
        let mut i = 0;
        while i < n {
            let Some(cue) = self.cue_at(i) else {
                i += 1;
                continue;
            };
            let next = i + cue.words;
            if self.used[i] || !self.lower_word(i) || self.in_heading(i) {
                i = next;
                continue;
            }
            if let Some(c) = self.reported_at(i, cue) {
                self.push(c);
            }
            i = next;
        }
    }

    fn reported_at(&mut self, i: usize, cue: Cue) -> Option<Candidate> {
        let region = self.region(i);
        // A cue word used as a noun: "the claims", "his report".
        if i > region.start {
            let before = self.word(i - 1);
            if lexicon::is_determiner(before) || before.ends_with("’s") || before.ends_with("'s")
            {
                return None;
            }
        }
        let cue_end = i + cue.words;
        let (k, negated) = self.cue_prefix(i, region.start);
        let mut stance = if negated {
            lexicon::negate(cue.stance)
        } else {
            cue.stance
        };
        let mut cue_range = k..cue_end;
        let mut source = self.source_left(k, region.start);
        // "they released a joint statement announcing …": the noun phrase
        // is an object; the speaker is the clause's subject.
        let participle = self.word(i).ends_with("ing");
        if let Some(np) = &source {
            let object = np.start > region.start
                && self.lower_word(np.start - 1)
                && !lexicon::is_np_stop(self.word(np.start - 1))
                && self.cue_at(np.start - 1).is_none();
            if participle && object {
                source = None;
            }
        }
        let mut sourceless = false;
        if source.is_none()
            && k > region.start
            && k < i
            && self.word(k - 1).eq_ignore_ascii_case("it")
        {
            // "it was reported that …"
            sourceless = true;
            stance = if negated {
                lexicon::negate(cue.stance)
            } else {
                cue.stance
            };
        }
        let sentence_end_clause = k > region.start && self.is_punct(k - 1, ",");
        if source.is_none() && !sourceless {
            if sentence_end_clause || self.is_quote_mark(k.wrapping_sub(1)) {
                // "…, said Trump."
                source = self
                    .np_right(cue_end, region.end)
                    .filter(|np| self.clause_ends_at(np.end, region.end));
            }
            if source.is_none() && participle {
                source = self.clause_subject(region.start, k);
            }
        }
        if source.is_none() && !sourceless {
            return None;
        }
        if let Some(s) = &source {
            if self.first_person(s) {
                // Outside quotes "I think" is the author's voice; inside
                // one ("I just want someone to ask us") it is the quoted
                // speaker's own, which the quote already attributes.
                if self.in_quote[i].is_none() {
                    if let Some(sentence) = self.a.sentence_of(i) {
                        self.out.authorial_cues.push(sentence);
                    }
                }
                return None;
            }
        }
        if sourceless {
            cue_range = (k - 1).max(region.start) + 1..cue_end;
        }
        // Content after the cue, or before it when the clause ends the
        // sentence.
        let mut start = cue_end;
        if let Some(s) = &source {
            if s.start >= cue_end {
                start = s.end;
            }
        }
        let addressee = if cue.frame == Frame::Addressee {
            self.addressee_at(start, region.end)
        } else {
            None
        };
        if let Some(a) = &addressee {
            start = a.end;
        }
        while start < region.end
            && (lexicon::is_in(self.word(start), lexicon::TIME_WORDS) || self.is_punct(start, ","))
        {
            start += 1;
        }
        if self.is_punct(start, ":") {
            start += 1;
        }
        let content = if start >= region.end
            || self.tok(start).kind == TokenKind::Punct && !self.is_punct(start, "(")
        {
            // Nothing follows: "…, Trump said."
            let before = source
                .as_ref()
                .map_or(cue_range.start, |s| s.start.min(cue_range.start));
            if before > region.start && self.is_punct(before - 1, ",") {
                self.trim(region.start.max(before.saturating_sub(MAX_CONTENT_TOKENS))..before - 1)
            } else {
                return None;
            }
        } else {
            let lead = self.word(start);
            if matches!(lead, "and" | "or" | "but" | "again" | "too" | "either") {
                return None;
            }
            if cue.frame == Frame::Object
                && lexicon::is_in(lead, OBJECT_LEADS)
                && start + 1 < region.end
            {
                start += 1;
            }
            let end = self.clause_end(
                start,
                region.end,
                cue.frame == Frame::Object || cue.frame == Frame::Intent,
            );
            self.trim(start..end)
        };
        if content.is_empty() || !self.a.tokens[content.clone()].iter().any(|t| t.is_word()) {
            return None;
        }
        // Contents made only of a quote already attributed are that quote.
        if self.in_quote[i].is_none() && self.covered_by_direct(&content) {
            return None;
        }
        let mixed = self.absorb_quotes(&content);
        Some(Candidate {
            kind: if mixed {
                AttributionKind::Mixed
            } else {
                AttributionKind::Indirect
            },
            source,
            source_inherited: false,
            cue: Some(cue_range),
            lemma: Some(cue.lemma),
            addressee,
            content: vec![content],
            stance,
            parent: None,
        })
    }

    /// The subject at the start of the clause before `before`, after an
    /// introductory phrase ("Later, they …", "On Saturday, Pompeo …").
    fn clause_subject(&self, start: usize, before: usize) -> Option<Range<usize>> {
        let mut s = start;
        let first = self.word(s);
        let intro = lexicon::is_np_stop(first)
            || first.ends_with("ly")
            || matches!(first, "Later" | "Earlier" | "Last" | "Next");
        if intro {
            let comma = (s..before.min(s + 12)).find(|&j| self.is_punct(j, ","))?;
            s = comma + 1;
        }
        let mut np = self.np_right(s, before)?;
        // A lower-case "-ed" word after a capitalised one is the clause's
        // verb, not part of its subject: "Tomas Brell used the ad …".
        if let Some(verb) = (np.start + 1..np.end).find(|&j| {
            self.lower_word(j)
                && self.word(j).ends_with("ed")
                && !self.lower_word(j - 1)
                && self.tok(j - 1).kind == TokenKind::Word
        }) {
            np.end = verb;
        }
        Some(np)
    }

    /// Where a reported clause starting at `start` ends: the sentence end,
    /// a semicolon, ", and" before another cue, a comma before a new
    /// subject, and with `short`, any comma outside quotes.
    fn clause_end(&self, start: usize, limit: usize, short: bool) -> usize {
        let limit = limit.min(start + MAX_CONTENT_TOKENS);
        let mut i = start;
        while i < limit {
            let w = self.word(i);
            let t = self.tok(i);
            if t.kind == TokenKind::Punct {
                if w == ";" {
                    return i;
                }
                if w == ","
                    && self.in_quote[i].is_none_or(|q| self.quotes.quotes[q as usize].open < start)
                {
                    if short {
                        return i;
                    }
                    let nw = self.word(i + 1);
                    if i + 1 < limit
                        && lexicon::is_in(nw, lexicon::SUBJECT_PRONOUNS)
                        && self.lower_word(i + 1)
                    {
                        return i;
                    }
                    // A coordinated clause is usually a new statement
                    // ("…, and warned North Korea to …").
                    if matches!(
                        nw,
                        "and" | "but" | "while" | "so" | "although" | "though" | "which"
                    ) {
                        return i;
                    }
                }
            }
            i += 1;
        }
        limit
    }

    fn covered_by_direct(&self, content: &Range<usize>) -> bool {
        let words: Vec<usize> = content.clone().filter(|&t| self.tok(t).is_word()).collect();
        !words.is_empty()
            && words.iter().all(|&t| {
                self.in_quote[t].is_some_and(|q| {
                    self.quote_done[q as usize] && self.quotes.quotes[q as usize].parent.is_none()
                })
            })
    }

    /// Marks the top quotes inside `content` as part of it; true if any.
    fn absorb_quotes(&mut self, content: &Range<usize>) -> bool {
        let mut any = false;
        let first = self
            .quotes
            .quotes
            .partition_point(|q| q.open < content.start);
        for qi in first..self.quotes.quotes.len() {
            let q = &self.quotes.quotes[qi];
            if q.open >= content.start && q.open < content.end {
                if !self.quote_done[qi] {
                    self.quote_done[qi] = true;
                }
                any = true;
            }
            if q.open >= content.end {
                break;
            }
        }
        any
    }

    // -----------------------------------------------------------------
    // 4. Nominal cues

    fn nominal_cues(&mut self) {
        let n = self.a.tokens.len();
        for i in 0..n.saturating_sub(1) {
            if self.used[i] || !self.lower_word(i) || self.word(i + 1) != "that" {
                continue;
            }
            let Some(cue) = lexicon::noun_cue(self.word(i)) else {
                continue;
            };
            let region = self.region(i);
            // The owner: "his", "Trump’s", "Trumps" (a dropped apostrophe).
            let mut j = i;
            while j > region.start
                && i - j < 4
                && self.lower_word(j - 1)
                && !lexicon::is_determiner(self.word(j - 1))
                && !lexicon::is_np_stop(self.word(j - 1))
            {
                j -= 1;
            }
            if j == region.start {
                continue;
            }
            let owner = j - 1;
            let ow = self.word(owner);
            let possessive = matches!(
                ow.to_ascii_lowercase().as_str(),
                "his" | "her" | "their" | "its" | "our"
            ) || ow.ends_with("’s")
                || ow.ends_with("'s")
                || ow.ends_with("s’")
                || (self.tok(owner).shape == Shape::Capitalized && ow.ends_with('s'));
            if !possessive {
                continue;
            }
            let source = if self.tok(owner).shape == Shape::Lower {
                owner..owner + 1
            } else {
                self.np_left(owner + 1, region.start)
                    .unwrap_or(owner..owner + 1)
            };
            let end = self.nominal_end(i + 1, region.end);
            let content = self.trim(i + 1..end);
            if content.len() < 2 {
                continue;
            }
            let mixed = self.absorb_quotes(&content);
            self.push(Candidate {
                kind: if mixed {
                    AttributionKind::Mixed
                } else {
                    AttributionKind::Indirect
                },
                source: Some(source),
                source_inherited: false,
                cue: Some(j..i + 1),
                lemma: Some(cue.lemma),
                addressee: None,
                content: vec![content],
                stance: cue.stance,
                parent: None,
            });
        }
    }

    /// A nominal content ends at the first comma outside quotes, or right
    /// after a quote closed by a comma ("…are “damaging,” might be").
    fn nominal_end(&self, start: usize, limit: usize) -> usize {
        let limit = limit.min(start + MAX_CONTENT_TOKENS);
        let mut i = start;
        while i < limit {
            if self.is_punct(i, ",") || self.is_punct(i, ";") {
                return match self.in_quote[i] {
                    Some(q) if self.quotes.quotes[q as usize].open >= start => {
                        self.quotes.quotes[q as usize].close.map_or(i, |c| c + 1)
                    }
                    _ => i,
                };
            }
            if let Some(m) = self.tok(i).quote() {
                if m.direction == QuoteDirection::Closing && i > start && self.is_punct(i - 1, ",")
                {
                    return i + 1;
                }
            }
            i += 1;
        }
        limit
    }
}

/// Turns the learned tagger's linked spans into candidates, for the same
/// resolution as the rules' (see DESIGN.md).
pub fn from_tagged(
    text: &str,
    analysis: &Analysis,
    spans: &[super::tagger::RoleSpan],
    linked: &[super::tagger::LinkedSpans],
) -> Vec<Candidate> {
    // The author as "I"/"we" outside any quotation is the authorial
    // stage's, not an attribution (the rules do the same).
    let quoted = open_double_quote(analysis);
    let authorial = |l: &super::tagger::LinkedSpans| {
        l.source.and_then(|s| spans.get(s)).is_some_and(|s| {
            s.tokens.len() == 1
                && matches!(
                    analysis.tokens.get(s.tokens.start).map(|t| t.text(text)),
                    Some("I" | "we" | "We")
                )
                && !quoted.get(s.tokens.start).copied().unwrap_or(false)
        })
    };
    linked
        .iter()
        // A content with neither cue nor source says nothing about who spoke.
        .filter(|l| {
            !l.content.is_empty() && !authorial(l) && (l.cue.is_some() || l.source.is_some())
        })
        .map(|l| {
            let cue = l.cue.and_then(|c| spans.get(c)).map(|s| s.tokens.clone());
            let cue_info = cue.as_ref().and_then(|c| {
                (c.start..c.end).find_map(|i| {
                    let t = analysis.tokens.get(i)?;
                    let next = analysis.tokens.get(i + 1).map(|n| n.text(text));
                    lexicon::verb_cue(t.text(text), next)
                        .or_else(|| lexicon::noun_cue(t.text(text)))
                })
            });
            let is_according = cue.as_ref().is_some_and(|c| {
                analysis
                    .tokens
                    .get(c.start)
                    .is_some_and(|t| t.text(text).eq_ignore_ascii_case("according"))
            });
            let content: Vec<Range<usize>> = l
                .content
                .iter()
                .filter_map(|&c| spans.get(c))
                .map(|s| s.tokens.clone())
                .collect();
            // Direct when every word is quoted, mixed when some are.
            let (mut words, mut quoted_words) = (0usize, 0usize);
            for i in content.iter().flat_map(|r| r.clone()) {
                if analysis.tokens.get(i).is_some_and(|t| t.is_word()) {
                    words += 1;
                    quoted_words += usize::from(quoted.get(i).copied().unwrap_or(false));
                }
            }
            Candidate {
                kind: if is_according {
                    AttributionKind::AccordingTo
                } else if words > 0 && quoted_words == words {
                    AttributionKind::Direct
                } else if quoted_words > 0 {
                    AttributionKind::Mixed
                } else {
                    AttributionKind::Indirect
                },
                // A source from another sentence than its cue is a
                // linking guess; the rules look again in the cue's own
                // sentence (`fill_sources`).
                source: l
                    .source
                    .and_then(|s| spans.get(s))
                    .map(|s| s.tokens.clone())
                    .filter(|s| match &cue {
                        Some(c) => analysis.sentence_of(s.start) == analysis.sentence_of(c.start),
                        None => true,
                    }),
                source_inherited: false,
                cue,
                lemma: if is_according {
                    Some("according to")
                } else {
                    cue_info.map(|c| c.lemma)
                },
                addressee: None,
                content,
                stance: if is_according {
                    Stance::Reports
                } else {
                    cue_info.map_or(Stance::Asserts, |c| c.stance)
                },
                parent: None,
            }
        })
        .collect()
}

/// For each token, whether an opening double quotation mark of its
/// paragraph is still open there (a cheap check for the tagger's spans).
fn open_double_quote(analysis: &Analysis) -> Vec<bool> {
    let mut out = vec![false; analysis.tokens.len()];
    for p in &analysis.paragraphs {
        let mut open = false;
        for i in p.tokens.clone() {
            out[i] = open;
            if let Some(q) = analysis.tokens[i].quote() {
                if q.level == super::text::QuoteLevel::Double {
                    open = match q.direction {
                        QuoteDirection::Opening => true,
                        QuoteDirection::Closing => false,
                        QuoteDirection::Ambiguous => !open,
                    };
                }
            }
        }
    }
    out
}

/// The parts of `range` whose tokens are not marked in `covered`.
fn uncovered_runs(range: Range<usize>, covered: &[bool]) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    let mut start = None;
    for i in range.clone() {
        let is_covered = covered.get(i).copied().unwrap_or(false);
        match (is_covered, start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                runs.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push(s..range.end);
    }
    runs
}

/// Whether a candidate may stay without a source: it has one, or its cue
/// is a passive or impersonal predicate ("is expected to", "was
/// announced", "it seems", "appeared"). A tagged cue of any other kind for
/// which neither the tagger nor the rules (`fill_sources`) found a source
/// is mostly no attribution at all in PolNeAR: on dev 20 of 82 such
/// candidates matched one.
pub fn stands_without_source(text: &str, analysis: &Analysis, c: &Candidate) -> bool {
    let Some(cue) = c.cue.as_ref().filter(|_| c.source.is_none()) else {
        return true;
    };
    analysis.tokens.get(cue.clone()).is_some_and(|tokens| {
        tokens.iter().any(|t| {
            lexicon::is_in(
                t.text(text),
                &[
                    "is", "was", "are", "were", "be", "been", "being", "it", "seem", "seems",
                    "seemed", "appear", "appears", "appeared",
                ],
            )
        })
    })
}

/// Which source wins when the rules and the tagger find the same content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergePolicy {
    /// The rules' candidate is kept; the tagger only adds what they missed.
    RulesFirst,
    /// Direct quotes, headlines and "according to" from the rules are
    /// kept; for everything else the tagger's candidate wins.
    QuotesFromRules,
    /// As `QuotesFromRules`, but where the tagger found nothing the rules'
    /// reported speech survives only when it quotes (mixed) or is nested
    /// in a quotation (structure PolNeAR does not score): measured on
    /// PolNeAR (DESIGN.md, "Rules and the learned tagger together"), the
    /// plain reported speech the tagger passes over is mostly not an
    /// attribution there.
    QuotesFromRulesSpeechFromTagger,
}

/// Combines rule and tagger candidates: two candidates are the same
/// attribution when their contents share at least half of the smaller
/// content's tokens. Linear in the tokens: coverage is a bitmap.
pub fn merge(
    analysis: &Analysis,
    rules: Vec<Candidate>,
    tagged: Vec<Candidate>,
    policy: MergePolicy,
) -> Vec<Candidate> {
    let token_count = analysis.tokens.len();
    let strong = |c: &Candidate| match policy {
        MergePolicy::RulesFirst => true,
        MergePolicy::QuotesFromRules | MergePolicy::QuotesFromRulesSpeechFromTagger => matches!(
            c.kind,
            AttributionKind::Direct | AttributionKind::Headline | AttributionKind::AccordingTo
        ),
    };
    let cover = |cands: &[&Candidate]| {
        let mut covered = vec![false; token_count];
        for c in cands {
            for r in &c.content {
                for slot in covered.get_mut(r.clone()).into_iter().flatten() {
                    *slot = true;
                }
            }
        }
        covered
    };
    let overlaps = |c: &Candidate, covered: &[bool]| {
        let total: usize = c.content.iter().map(|r| r.len()).sum();
        let hit: usize = c
            .content
            .iter()
            .map(|r| {
                covered
                    .get(r.clone())
                    .map_or(0, |s| s.iter().filter(|&&b| b).count())
            })
            .sum();
        total > 0 && hit * 2 >= total
    };
    let (kept_rules, weak_rules): (Vec<Candidate>, Vec<Candidate>) =
        rules.into_iter().partition(|c| strong(c));
    let strong_cover = cover(&kept_rules.iter().collect::<Vec<_>>());
    // A token is one attribution's cue or source at most (PolNeAR is
    // univocal): a tagged cue inside a kept rule's source ("a report
    // presented to the committee" after "according to") is part of it.
    let mut strong_cues = vec![false; token_count];
    for r in kept_rules
        .iter()
        .flat_map(|c| c.cue.iter().chain(c.source.iter()).cloned())
    {
        for slot in strong_cues.get_mut(r).into_iter().flatten() {
            *slot = true;
        }
    }
    // Every token belongs to at most one attribution: a tagged candidate
    // that shares its cue with a kept rule is that rule's attribution read
    // differently, and content the rules already attribute is cut out of
    // the rest (else a quote and its cue reappear inside another content).
    let tagged: Vec<Candidate> = tagged
        .into_iter()
        .filter(|c| !overlaps(c, &strong_cover))
        .filter(|c| {
            !c.cue.as_ref().is_some_and(|r| {
                strong_cues
                    .get(r.clone())
                    .is_some_and(|s| s.iter().any(|&b| b))
            })
        })
        .filter_map(|mut c| {
            c.content = c
                .content
                .iter()
                .flat_map(|r| uncovered_runs(r.clone(), &strong_cover))
                .collect();
            (!c.content.is_empty()).then_some(c)
        })
        .collect();
    let tagged_cover = cover(&tagged.iter().collect::<Vec<_>>());
    let mut out = kept_rules;
    // A weak rule survives only where the tagger saw nothing at all: a
    // partial overlap is the same statement cut differently, and two
    // versions of it would count twice.
    let touches = |c: &Candidate| {
        c.content.iter().chain(c.cue.iter()).any(|r| {
            tagged_cover
                .get(r.clone())
                .is_some_and(|s| s.iter().any(|&b| b))
        })
    };
    match policy {
        MergePolicy::QuotesFromRulesSpeechFromTagger => {
            let quoted = open_double_quote(analysis);
            let nested = |c: &Candidate| {
                c.cue
                    .as_ref()
                    .is_some_and(|r| quoted.get(r.start).copied().unwrap_or(false))
            };
            out.extend(
                weak_rules
                    .into_iter()
                    .filter(|c| !touches(c) && (c.kind == AttributionKind::Mixed || nested(c))),
            );
        }
        _ => out.extend(weak_rules.into_iter().filter(|c| !touches(c))),
    }
    out.extend(tagged);
    out.sort_by_key(|c| (c.content_span().start, usize::MAX - c.content_span().end));
    assign_parents(&mut out);
    out
}
