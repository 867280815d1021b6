//! Quotation detection and pairing.
//!
//! One pass over the quotation-mark tokens with an explicit stack, so the
//! cost is linear in the number of marks whatever the input (every mark is
//! pushed and popped at most once).
//!
//! Conventions this follows:
//! - a quotation that runs over several paragraphs leaves each paragraph
//!   open and reopens the next one with an opening mark; it is one quote
//!   with one part per paragraph;
//! - a quotation still open at a paragraph end whose next paragraph does
//!   not reopen it is closed at that paragraph end, with a warning;
//! - single marks count only inside a double quotation, or in a paragraph
//!   with no double marks (British style), because elsewhere they are
//!   mostly apostrophes; an unpaired single mark is dropped silently;
//! - a quote inside a quote records its parent.

use std::ops::Range;

use super::text::{Analysis, QuoteDirection, QuoteLevel, TokenKind};

/// A paired quotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// Token index of the opening mark.
    pub open: usize,
    /// Token index of the closing mark; `None` when it was closed at a
    /// paragraph end.
    pub close: Option<usize>,
    pub level: QuoteLevel,
    /// Token ranges of the quoted words, one per paragraph, without marks.
    pub parts: Vec<Range<usize>>,
    /// The enclosing quote (index into [`Quotes::quotes`]).
    pub parent: Option<usize>,
}

impl Quote {
    /// All tokens from the first quoted word to the last.
    pub fn span(&self) -> Range<usize> {
        let start = self.parts.first().map_or(0, |p| p.start);
        let end = self.parts.last().map_or(0, |p| p.end);
        start..end
    }

    /// The token after the quotation (after its closing mark, if any).
    pub fn after(&self) -> usize {
        match self.close {
            Some(c) => c + 1,
            None => self.span().end,
        }
    }

    /// Number of word tokens quoted.
    pub fn word_count(&self, analysis: &Analysis) -> usize {
        self.parts
            .iter()
            .flat_map(|p| analysis.tokens[p.clone()].iter())
            .filter(|t| t.is_word())
            .count()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Quotes {
    /// In order of their opening marks.
    pub quotes: Vec<Quote>,
    pub warnings: Vec<String>,
}

struct Open {
    quote: usize,
    level: QuoteLevel,
}

/// Pairs the quotation marks of the analysed text.
pub fn find_quotes(analysis: &Analysis) -> Quotes {
    find_quotes_with(analysis, usize::MAX)
}

/// As [`find_quotes`], but a paragraph with more than
/// `max_marks_per_paragraph` quotation marks is not paired at all (its
/// marks are left as plain tokens) and a warning says so: pairing is linear,
/// but a paragraph of thousands of marks is noise, not quotations.
pub fn find_quotes_with(analysis: &Analysis, max_marks_per_paragraph: usize) -> Quotes {
    let tokens = &analysis.tokens;
    let mut quotes: Vec<Quote> = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut warnings = Vec::new();
    for (p_index, paragraph) in analysis.paragraphs.iter().enumerate() {
        let range = paragraph.tokens.clone();
        let marks = tokens
            .get(range.clone())
            .map_or(0, |ts| ts.iter().filter(|t| t.quote().is_some()).count());
        let too_many = marks > max_marks_per_paragraph;
        let mut i = range.start;
        // A quotation carried over from the previous paragraph continues
        // if this paragraph opens with a mark of its level.
        if let Some(outer) = stack.first() {
            let level = outer.level;
            let reopens = tokens
                .get(i)
                .and_then(|t| t.quote())
                .is_some_and(|q| q.level == level && q.direction != QuoteDirection::Closing)
                && i < range.end
                && !too_many;
            let quote = outer.quote;
            if reopens {
                stack.truncate(1);
                quotes[quote].parts.push(i + 1..i + 1);
                i += 1;
            } else {
                if p_index > 0 {
                    warnings.push(format!(
                        "unclosed quotation at paragraph {p_index}; closed at paragraph end"
                    ));
                }
                stack.clear();
            }
        }
        if too_many {
            warnings.push(format!(
                "paragraph {} has {marks} quotation marks, over the limit of \
                 {max_marks_per_paragraph}; its quotations are not paired",
                p_index + 1
            ));
            continue;
        }
        let doubles_here = tokens[range.clone()]
            .iter()
            .any(|t| t.quote().is_some_and(|q| q.level == QuoteLevel::Double));
        while i < range.end {
            let TokenKind::Quote(mark) = tokens[i].kind else {
                i += 1;
                continue;
            };
            let inside_double = stack.iter().any(|o| o.level == QuoteLevel::Double);
            if mark.level == QuoteLevel::Single && !inside_double && doubles_here {
                i += 1;
                continue;
            }
            let open_of_level = stack.iter().rposition(|o| o.level == mark.level);
            let closes = match mark.direction {
                QuoteDirection::Closing => true,
                QuoteDirection::Opening => false,
                QuoteDirection::Ambiguous => open_of_level.is_some(),
            };
            if closes {
                if let Some(at) = open_of_level {
                    // Single quotes left open inside were apostrophes.
                    for dropped in stack.drain(at + 1..) {
                        quotes[dropped.quote].parts.clear();
                    }
                    if let Some(open) = stack.pop() {
                        let q = &mut quotes[open.quote];
                        q.close = Some(i);
                        if let Some(last) = q.parts.last_mut() {
                            last.end = i;
                        }
                    }
                }
            } else {
                quotes.push(Quote {
                    open: i,
                    close: None,
                    level: mark.level,
                    parts: std::iter::once(i + 1..i + 1).collect(),
                    parent: stack.last().map(|o| o.quote),
                });
                stack.push(Open {
                    quote: quotes.len() - 1,
                    level: mark.level,
                });
            }
            i += 1;
        }
        // Whatever is still open runs to the paragraph end for now; only
        // the outermost double quotation may carry over.
        for (depth, open) in stack.iter().enumerate() {
            let q = &mut quotes[open.quote];
            if let Some(last) = q.parts.last_mut() {
                last.end = range.end;
            }
            if depth > 0 || open.level == QuoteLevel::Single {
                q.parts.clear();
            }
        }
        stack.retain(|o| o.level == QuoteLevel::Double);
        stack.truncate(1);
    }
    if !stack.is_empty() {
        warnings.push(format!(
            "unclosed quotation at paragraph {}; closed at paragraph end",
            analysis.paragraphs.len()
        ));
    }
    compact(quotes, analysis, warnings)
}

/// Drops quotes with no words (and those cleared as apostrophes), trims
/// trailing empty parts and renumbers parents.
fn compact(quotes: Vec<Quote>, analysis: &Analysis, warnings: Vec<String>) -> Quotes {
    // A dropped quote passes its place as parent to its own kept parent;
    // parents come before children, so theirs is already resolved.
    let mut new_index = vec![None; quotes.len()];
    let mut kept: Vec<Quote> = Vec::with_capacity(quotes.len());
    for (i, mut q) in quotes.into_iter().enumerate() {
        q.parts.retain(|p| p.start < p.end);
        let inherited = q.parent.and_then(|p| new_index[p]);
        if q.parts.is_empty() || q.word_count(analysis) == 0 {
            new_index[i] = inherited;
            continue;
        }
        q.parent = inherited;
        new_index[i] = Some(kept.len());
        kept.push(q);
    }
    Quotes {
        quotes: kept,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::super::text::analyze;
    use super::*;

    fn quoted(text: &str) -> (Vec<Vec<String>>, Vec<Option<usize>>, Vec<String>) {
        let a = analyze(text, &[]);
        let q = find_quotes(&a);
        let parts = q
            .quotes
            .iter()
            .map(|x| {
                x.parts
                    .iter()
                    .map(|p| text[a.tokens[p.start].start..a.tokens[p.end - 1].end].to_string())
                    .collect()
            })
            .collect();
        let parents = q.quotes.iter().map(|x| x.parent).collect();
        (parts, parents, q.warnings)
    }

    #[test]
    fn pairs_table() {
        let rows: &[(&str, &[&[&str]])] = &[
            ("“Go home,” she said.", &[&["Go home,"]]),
            ("\"Go,\" he said, \"now.\"", &[&["Go,"], &["now."]]),
            ("She said: «Non, merci.»", &[&["Non, merci."]]),
            ("Er sagte „Nein“ dazu", &[&["Nein"]]),
            ("The leaders’ talks went well.", &[]),
            ("He called it a ‘farce’ today.", &[&["farce"]]),
            (
                "“First part.\n“Second part,” he said.",
                &[&["First part.", "Second part,"]],
            ),
            (
                "“Never closed, he said.\nNext one.",
                &[&["Never closed, he said."]],
            ),
            ("“ ” empty", &[]),
        ];
        for (input, expected) in rows {
            let (parts, _, _) = quoted(input);
            let expected: Vec<Vec<String>> = expected
                .iter()
                .map(|p| p.iter().map(|s| s.to_string()).collect())
                .collect();
            assert_eq!(parts, expected, "input {input:?}");
        }
    }

    #[test]
    fn nested_quote_has_parent() {
        let (parts, parents, warnings) =
            quoted("“He told me, ‘I didn’t do it,’ and I believe him,” she said.");
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[1], ["I didn’t do it,"]);
        assert_eq!(parents, [None, Some(0)]);
        assert!(warnings.is_empty());
    }

    #[test]
    fn unclosed_quote_warns_with_paragraph_number() {
        let (_, _, warnings) = quoted("Intro.\n“Open and never closed.\nNext paragraph.");
        assert_eq!(
            warnings,
            ["unclosed quotation at paragraph 2; closed at paragraph end"]
        );
        let (_, _, warnings) = quoted("Intro.\n“Open at the very end");
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn ten_thousand_marks_are_linear() {
        for mark in ["\"", "“", "”", "‘", "'", "“‘"] {
            let text = mark.repeat(10_000) + " word";
            let started = std::time::Instant::now();
            let a = analyze(&text, &[]);
            let _ = find_quotes(&a);
            assert!(started.elapsed().as_secs() < 5, "mark {mark}");
        }
        let text = "“a ".repeat(10_000);
        let a = analyze(&text, &[]);
        let q = find_quotes(&a);
        assert!(q.quotes.len() <= 10_000);
    }
}
