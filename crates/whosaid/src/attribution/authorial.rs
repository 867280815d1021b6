//! The author's own voice: sentences outside quotations that carry a
//! first-person opinion, a hedge or a (rhetorical) question.
//!
//! Sentence level on purpose: the record marks where the author speaks,
//! and a sentence is the smallest unit a reader would quote. A sentence
//! that reports a quotation is the quoted person's, never the author's.

use std::ops::Range;

use super::engine::Candidate;
use super::text::{Analysis, TokenKind};
use crate::record::{AttributionKind, AuthorialKind, AuthorialSpan};

const FIRST_PERSON: &[&str] = &[
    "I", "we", "We", "us", "our", "Our", "my", "My", "me", "I'm", "I’m", "we’re", "we're", "We’re",
    "We're", "I've", "I’ve", "we’ve", "we've", "We’ve", "let’s", "Let’s", "let's", "Let's",
];

/// Pairs of words that hedge ("it seems"), matched lower-case.
const HEDGE_PAIRS: &[(&str, &str)] = &[
    ("it", "seems"),
    ("it", "appears"),
    ("it", "might"),
    ("it", "may"),
    ("it", "could"),
    ("might", "be"),
    ("may", "be"),
    ("seem", "to"),
    ("seems", "to"),
    ("seemed", "to"),
    ("appears", "to"),
    ("is", "likely"),
];

const HEDGE_WORDS: &[&str] = &[
    "perhaps",
    "probably",
    "possibly",
    "presumably",
    "arguably",
    "apparently",
    "seemingly",
];

/// Finds authorial sentences. `opinion_sentences` are sentences where the
/// rules saw the author as the subject of a cue ("I think").
pub fn find(
    text: &str,
    a: &Analysis,
    quoted: &[bool],
    candidates: &[Candidate],
    opinion_sentences: &[usize],
) -> Vec<AuthorialSpan> {
    // Sentences that hold a direct quote's content or cue belong to the
    // quoted speaker.
    let mut reported = vec![false; a.sentences.len()];
    for c in candidates {
        if !matches!(c.kind, AttributionKind::Direct | AttributionKind::Mixed) {
            continue;
        }
        let ranges: Vec<Range<usize>> = c.content.iter().cloned().chain(c.cue.clone()).collect();
        for r in ranges {
            for t in [r.start, r.end.saturating_sub(1)] {
                if let Some(s) = a.sentence_of(t) {
                    reported[s] = true;
                }
            }
        }
    }
    let mut opinion = vec![false; a.sentences.len()];
    for &s in opinion_sentences {
        if let Some(slot) = opinion.get_mut(s) {
            *slot = true;
        }
    }
    let mut out = Vec::new();
    for (si, s) in a.sentences.iter().enumerate() {
        if reported[si] {
            continue;
        }
        let tokens = &a.tokens[s.tokens.clone()];
        let outside: Vec<usize> = s
            .tokens
            .clone()
            .filter(|&t| !quoted.get(t).copied().unwrap_or(false) && a.tokens[t].quote().is_none())
            .collect();
        if !outside.iter().any(|&t| a.tokens[t].is_word()) {
            continue;
        }
        let last_outside = outside.last().map(|&t| a.tokens[t].text(text));
        let kind = if last_outside == Some("?") && tokens.iter().filter(|t| t.is_word()).count() > 2
        {
            Some(AuthorialKind::Question)
        } else if opinion[si]
            || outside
                .iter()
                .any(|&t| is_first_person(a.tokens[t].text(text)))
        {
            Some(AuthorialKind::Opinion)
        } else if hedged(text, a, &outside) {
            Some(AuthorialKind::Hedge)
        } else {
            None
        };
        if let Some(kind) = kind {
            out.push(AuthorialSpan {
                start: s.start,
                end: s.end,
                kind,
            });
        }
    }
    out
}

/// `FIRST_PERSON.contains(&word)`, asked for every token outside
/// quotations: the first byte turns most words away before the list.
fn is_first_person(word: &str) -> bool {
    matches!(
        word.as_bytes().first(),
        Some(b'I' | b'w' | b'W' | b'u' | b'o' | b'O' | b'm' | b'M' | b'l' | b'L')
    ) && FIRST_PERSON.contains(&word)
}

/// A hedge word, or two adjacent words that hedge, among the words outside
/// quotations. One pass, without collecting the words.
fn hedged(text: &str, a: &Analysis, outside: &[usize]) -> bool {
    let mut previous: Option<&str> = None;
    for &t in outside {
        if a.tokens[t].kind != TokenKind::Word {
            continue;
        }
        let w = a.tokens[t].text(text);
        if HEDGE_WORDS.iter().any(|h| h.eq_ignore_ascii_case(w)) {
            return true;
        }
        if previous.is_some_and(|p| {
            HEDGE_PAIRS
                .iter()
                .any(|(x, y)| p.eq_ignore_ascii_case(x) && w.eq_ignore_ascii_case(y))
        }) {
            return true;
        }
        previous = Some(w);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_person_prefilter_keeps_every_listed_word() {
        for word in FIRST_PERSON {
            assert!(is_first_person(word), "{word}");
        }
        for word in ["i", "Me", "Us", "they", "", "’m", "MY"] {
            assert_eq!(
                is_first_person(word),
                FIRST_PERSON.contains(&word),
                "{word}"
            );
        }
    }
}
