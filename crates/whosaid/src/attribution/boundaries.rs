//! Span repair after assembly: moves the boundaries of assembled candidates
//! to PolNeAR's conventions where the tagger and the rules systematically
//! miss them (DESIGN.md, "Boundary repair"). Runs once over the candidates,
//! linear in the tokens.

use std::ops::Range;

use super::engine::Candidate;
use super::text::{Analysis, Shape, TokenKind};
use crate::record::AttributionKind;

/// Most words allowed between a mid-sentence reporting clause and the comma
/// that closes it ("…, she said on Saturday, …", "…, he said in an
/// interview, …").
const MAX_CLAUSE_ADJUNCT: usize = 4;

/// Longest source of a mid-sentence reporting clause ("a spokeswoman for
/// the campaign"); longer ones are mostly misread appositives.
const MAX_CLAUSE_SOURCE: usize = 6;

/// Applies every repair to the top-level candidates.
pub fn repair(text: &str, analysis: &Analysis, candidates: &mut [Candidate]) {
    // Proposals first: they are rare, so most texts never pay for the map
    // of which tokens each candidate holds.
    let proposals: Vec<(usize, Vec<Range<usize>>)> = candidates
        .iter()
        .enumerate()
        .filter_map(|(id, c)| Some((id, around_inner_clause(text, analysis, c)?)))
        .collect();
    if proposals.is_empty() {
        return;
    }
    let mut owner = owners(analysis, candidates);
    for (id, parts) in proposals {
        // The new parts must be no other attribution's (PolNeAR is
        // univocal).
        let free = |r: &Range<usize>| {
            owner
                .get(r.clone())
                .is_some_and(|o| o.iter().all(|o| o.is_none_or(|o| o == id)))
        };
        if !parts.iter().all(free) {
            continue;
        }
        for r in &parts {
            for slot in owner.get_mut(r.clone()).into_iter().flatten() {
                *slot = Some(id);
            }
        }
        let c = &mut candidates[id];
        if c.kind == AttributionKind::Indirect && parts.iter().any(|r| has_quote(analysis, r)) {
            c.kind = AttributionKind::Mixed;
        }
        c.content = parts;
    }
}

/// Which candidate's source, cue or content holds each token (the first
/// one, where candidates nest).
fn owners(analysis: &Analysis, candidates: &[Candidate]) -> Vec<Option<usize>> {
    let mut owner = vec![None; analysis.tokens.len()];
    for (id, c) in candidates.iter().enumerate() {
        let roles = c.source.iter().chain(&c.cue).chain(&c.content);
        for r in roles {
            for slot in owner.get_mut(r.clone()).into_iter().flatten() {
                slot.get_or_insert(id);
            }
        }
    }
    owner
}

fn has_quote(analysis: &Analysis, r: &Range<usize>) -> bool {
    analysis
        .tokens
        .get(r.clone())
        .is_some_and(|ts| ts.iter().any(|t| t.quote().is_some()))
}

/// A reporting clause set off by commas inside its sentence ("Within
/// marriages, they said, women now have more say.", "Fundraising,
/// according to the campaign, has surged."): PolNeAR's content is the
/// sentence on both sides of the clause, two parts, while the tagger
/// links the cue to one side only. Returns the two parts when `c`'s source
/// and cue form such a clause and its content lies in that sentence.
fn around_inner_clause(
    text: &str,
    analysis: &Analysis,
    c: &Candidate,
) -> Option<Vec<Range<usize>>> {
    if c.parent.is_some()
        || !matches!(
            c.kind,
            AttributionKind::Indirect | AttributionKind::Mixed | AttributionKind::AccordingTo
        )
    {
        return None;
    }
    let cue = c.cue.clone()?;
    let source = c.source.clone()?;
    // Only a speech cue of the lexicon makes a reporting clause: other
    // tagged cues between commas are mostly appositives or adverbials.
    if c.lemma.is_none() || source.len() > MAX_CLAUSE_SOURCE {
        return None;
    }
    let clause = cue.start.min(source.start)..cue.end.max(source.end);
    let sentence = &analysis.sentences[analysis.sentence_of(clause.start)?];
    let sentence_tokens = sentence.tokens.clone();
    if !sentence_tokens.contains(&clause.end.checked_sub(1)?) {
        return None;
    }
    // The source and the cue must be the whole clause (nothing between them
    // but the words of the two).
    let gap = if cue.start >= source.end {
        source.end..cue.start
    } else {
        cue.end..source.start
    };
    if !gap.is_empty() {
        return None;
    }
    let is = |i: usize, s: &str| analysis.tokens.get(i).is_some_and(|t| t.text(text) == s);
    let open_comma = clause.start.checked_sub(1)?;
    if open_comma <= sentence_tokens.start || !is(open_comma, ",") {
        return None;
    }
    let close_comma = (clause.end..sentence_tokens.end)
        .take(MAX_CLAUSE_ADJUNCT + 1)
        .find(|&i| !analysis.tokens[i].is_word())?;
    if !is(close_comma, ",") {
        return None;
    }
    // A name after the cue is an addressee or an outlet ("told WKOW, the
    // station in Madison, …"), and what follows its comma an appositive.
    let named = analysis.tokens[clause.end..close_comma].iter().any(|t| {
        matches!(t.shape, Shape::Capitalized | Shape::Upper) && !is_day_or_month(t.text(text))
    });
    // A relative clause after the comma describes the source ("according
    // to the institute, which tracks …").
    let relative = analysis.tokens.get(close_comma + 1).is_some_and(|t| {
        let w = t.text(text);
        ["which", "who", "whom", "whose", "where"]
            .iter()
            .any(|r| w.eq_ignore_ascii_case(r))
    });
    if named || relative {
        return None;
    }
    let before = lead_trimmed(text, analysis, sentence_tokens.start..open_comma);
    let after = end_trimmed(analysis, close_comma + 1..sentence_tokens.end);
    let words = |r: &Range<usize>| {
        analysis.tokens[r.clone()]
            .iter()
            .filter(|t| t.is_word())
            .count()
    };
    if words(&before) == 0 || words(&after) < 2 {
        return None;
    }
    // A quotation mark right at either edge of the clause makes it a direct
    // quote's clause, which the quote rules own.
    let quote_at = |i: usize| analysis.tokens.get(i).is_some_and(|t| t.quote().is_some());
    if quote_at(open_comma - 1) || quote_at(close_comma + 1) || quote_at(before.start) {
        return None;
    }
    // The content the candidate has must be this sentence's.
    let inside =
        |r: &Range<usize>| r.start >= sentence_tokens.start && r.end <= sentence_tokens.end;
    if c.content.is_empty() || !c.content.iter().all(inside) {
        return None;
    }
    let parts = vec![before, after];
    (parts != c.content).then_some(parts)
}

fn is_day_or_month(word: &str) -> bool {
    const NAMES: [&str; 18] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    NAMES.contains(&word)
}

/// `r` without a leading coordinating conjunction ("But within marriages,
/// they said, …": PolNeAR leaves the conjunction out of the content, and
/// a conjunction alone before the clause out altogether).
fn lead_trimmed(text: &str, analysis: &Analysis, r: Range<usize>) -> Range<usize> {
    let first = analysis.tokens.get(r.start).map(|t| t.text(text));
    let conjunction = first.is_some_and(|w| {
        ["and", "but", "so", "yet", "or"]
            .iter()
            .any(|c| w.eq_ignore_ascii_case(c))
    });
    if conjunction {
        r.start + 1..r.end
    } else {
        r
    }
}

/// `r` without the sentence's closing punctuation (quotation marks stay:
/// they belong to a quote inside the content).
fn end_trimmed(analysis: &Analysis, mut r: Range<usize>) -> Range<usize> {
    while r.end > r.start && analysis.tokens[r.end - 1].kind == TokenKind::Punct {
        r.end -= 1;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::text;
    use crate::record::Stance;

    /// Token range of the words `needle` in `text`.
    fn range(analysis: &Analysis, text: &str, needle: &str) -> Range<usize> {
        let start = text.find(needle).expect("needle in text");
        let end = start + needle.len();
        let first = analysis.token_at_or_after(start);
        let last = analysis.tokens.partition_point(|t| t.end <= end);
        first..last
    }

    fn candidate(
        analysis: &Analysis,
        text: &str,
        source: &str,
        cue: &str,
        content: &str,
    ) -> Candidate {
        Candidate {
            kind: AttributionKind::Indirect,
            source: Some(range(analysis, text, source)),
            source_inherited: false,
            cue: Some(range(analysis, text, cue)),
            lemma: Some("say"),
            addressee: None,
            content: vec![range(analysis, text, content)],
            stance: Stance::Asserts,
            parent: None,
        }
    }

    fn shown(analysis: &Analysis, text: &str, c: &Candidate) -> Vec<String> {
        c.content
            .iter()
            .map(|r| {
                text[analysis.tokens[r.start].start..analysis.tokens[r.end - 1].end].to_string()
            })
            .collect()
    }

    #[test]
    fn a_reporting_clause_inside_its_sentence_splits_the_content() {
        let t = "But by next spring, the gardener said, the orchard will bear plums.";
        let a = text::analyze(t, &[]);
        let mut cands = vec![candidate(
            &a,
            t,
            "the gardener",
            "said",
            "the orchard will bear plums",
        )];
        repair(t, &a, &mut cands);
        assert_eq!(
            shown(&a, t, &cands[0]),
            ["by next spring", "the orchard will bear plums"]
        );
    }

    #[test]
    fn according_to_and_adjuncts_before_the_comma() {
        let t = "Ticket sales, according to the club, rose sharply. \
                 The roof, she said on Tuesday, needs new tiles.";
        let a = text::analyze(t, &[]);
        let mut cands = vec![
            candidate(&a, t, "the club", "according to", "Ticket sales"),
            candidate(&a, t, "she", "said", "needs new tiles"),
        ];
        cands[0].kind = AttributionKind::AccordingTo;
        repair(t, &a, &mut cands);
        assert_eq!(shown(&a, t, &cands[0]), ["Ticket sales", "rose sharply"]);
        assert_eq!(shown(&a, t, &cands[1]), ["The roof", "needs new tiles"]);
    }

    /// Repairs the candidates that `spans` (source, cue, content, whether
    /// the cue is a lexicon word) give in `t` and checks that none changed.
    fn assert_unchanged(t: &str, spans: &[(&str, &str, &str, bool)]) {
        let a = text::analyze(t, &[]);
        let mut cands: Vec<Candidate> = spans
            .iter()
            .map(|&(source, cue, content, known)| {
                let mut c = candidate(&a, t, source, cue, content);
                c.lemma = c.lemma.filter(|_| known);
                c
            })
            .collect();
        let before = cands.clone();
        repair(t, &a, &mut cands);
        assert_eq!(cands, before, "{t}");
    }

    #[test]
    fn clauses_at_the_edge_or_claimed_text_are_left_alone() {
        // The clause ends the sentence: nothing after it to join.
        assert_unchanged(
            "The orchard will bear plums, the gardener said.",
            &[("the gardener", "said", "The orchard will bear plums", true)],
        );
        // The part before the clause is another attribution's.
        assert_unchanged(
            "Prices, traders expect, will fall, the bank said.",
            &[
                ("traders", "expect", "will fall", true),
                ("the bank", "said", "Prices", true),
            ],
        );
        // A name after the cue is an addressee, and what follows an
        // appositive; a conjunction alone before the clause is no content.
        assert_unchanged(
            "The vote was close, she told Reuters, the agency in London. \
             And, he said, the count goes on tomorrow.",
            &[
                ("she", "told", "The vote was close", true),
                ("he", "said", "the count goes on tomorrow", true),
            ],
        );
        // A cue outside the lexicon is no reporting clause.
        assert_unchanged(
            "The orchard, the gardener planted, will bear plums.",
            &[("the gardener", "planted", "will bear plums", false)],
        );
        // A direct quote's clause belongs to the quote rules.
        assert_unchanged(
            "\u{201c}We grow,\u{201d} she said, \u{201c}and we sell.\u{201d}",
            &[("she", "said", "We grow", true)],
        );
    }
}
