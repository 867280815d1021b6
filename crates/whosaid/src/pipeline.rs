//! The pipeline: configuration, one input in, one record out.

use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::article;
use crate::deadline::Deadline;
use crate::decode::{self, DecodeHints, InputKind};
use crate::error::Result;
use crate::extract;
use crate::record::{Attribution, Record, Source, SCHEMA};

/// Limits on what one document may cost. Crossing one gives an error or a
/// truncated record with a warning, never a hang.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Raw and decompressed input size, in bytes.
    pub max_input_bytes: u64,
    /// Element nesting depth kept from an HTML page; deeper elements are
    /// flattened into their ancestor at this depth.
    pub max_dom_depth: usize,
    /// Elements parsed from an HTML page; the rest of the page is dropped
    /// with a warning.
    pub max_dom_nodes: usize,
    /// Attributions kept per document: past it the first ones (in text
    /// order) are kept with their nested ones, and a warning says how many
    /// were dropped. Bounds the record a hostile text ("he said" 100,000
    /// times) can make.
    pub max_attributions: usize,
    /// Quotation marks in one paragraph past which its quotations are not
    /// paired (a warning says so): a paragraph of thousands of marks is
    /// noise, and every mark would otherwise open or close a span.
    pub max_quote_marks_per_paragraph: usize,
    /// Time one document may take, checked by the stages themselves
    /// (nothing is interrupted): past it during extraction the document
    /// fails with [`crate::Error::TimeLimit`]; past it during attribution
    /// the record keeps the attributions of the paragraphs done so far,
    /// with a warning. `None` is no limit. The default, 10 s, is a backstop
    /// for a pathological page, not a budget: a usual page takes a few
    /// milliseconds and 3.4 MB of news text 0.6 s in a release build here,
    /// so no real article reaches it even on a loaded machine, and a stuck
    /// worker costs a run seconds, not hours. The steps after the tagger
    /// (rules, linking, speakers) run to their end on the paragraphs kept:
    /// see [`crate::attribution::analyze_until`].
    pub max_time_per_document: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 16 * 1024 * 1024,
            max_dom_depth: 512,
            max_dom_nodes: 200_000,
            max_attributions: 10_000,
            max_quote_marks_per_paragraph: 1_000,
            max_time_per_document: Some(Duration::from_secs(10)),
        }
    }
}

/// One document to process: its bytes and what is known about it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Input<'a> {
    pub bytes: &'a [u8],
    pub kind: InputKind,
    /// Path or name as the user gave it; its extension helps decide the kind.
    pub path: Option<&'a str>,
    /// The URL the page was fetched from, when known (a WARC record's target).
    pub url: Option<&'a str>,
    /// Charset from the transport (HTTP `Content-Type`).
    pub charset: Option<&'a str>,
    /// A date from the transport, used when the page has none.
    pub fallback_date: Option<&'a str>,
    /// WARC-Record-ID or another identifier of the record within its file.
    pub record: Option<&'a str>,
    /// The SHA-256 of `bytes` as 64 lower-case hex digits, when the caller
    /// has computed it already (a ledger ingest hashes every document to
    /// find those it has stored). Used as is, unchecked, for the record's
    /// `source.sha256`; `None` makes the pipeline hash the bytes itself.
    pub sha256: Option<&'a str>,
}

impl<'a> Input<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Input {
            bytes,
            ..Default::default()
        }
    }
}

/// A validated, immutable pipeline configuration.
#[derive(Debug, Clone, Default)]
pub struct Pipeline {
    limits: Limits,
}

impl Pipeline {
    pub fn new(limits: Limits) -> Self {
        Pipeline { limits }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Runs every stage on one document.
    pub fn process(&self, input: &Input<'_>) -> Result<Record> {
        let deadline = Deadline::starting_now(self.limits.max_time_per_document);
        let sha256 = match input.sha256 {
            Some(digest) => digest.to_string(),
            None => hex(&Sha256::digest(input.bytes)),
        };
        let decoded = decode::decode(
            input.bytes,
            DecodeHints {
                kind: input.kind,
                name: input.path,
                charset: input.charset,
            },
            self.limits.max_input_bytes,
        )?;
        let mut warnings = Vec::new();
        if decoded.repaired_double_encoding {
            warnings.push("text was UTF-8 encoded twice; repaired".to_string());
        }
        if decoded.had_errors {
            warnings.push(format!(
                "some bytes were not valid {} and were replaced",
                decoded.encoding
            ));
        }
        let (article, url) = match decoded.kind {
            InputKind::Text => (article::from_plain_text(decoded.text), None),
            _ => {
                let page =
                    extract::extract_html_until(&decoded.text, input.url, &self.limits, &deadline)?;
                warnings.extend(page.warnings);
                let url = page.metadata.url.clone();
                (article::from_extraction(page.metadata, page.blocks), url)
            }
        };
        let mut article = article;
        if article.published.is_none() {
            article.published = input.fallback_date.and_then(extract::dates::normalize_date);
        }
        let mut found = crate::attribution::analyze_until(
            &article,
            crate::attribution::Options {
                max_quote_marks_per_paragraph: self.limits.max_quote_marks_per_paragraph,
                ..Default::default()
            },
            &deadline,
        );
        warnings.extend(found.warnings);
        if let Some(warning) =
            cap_attributions(&mut found.attributions, self.limits.max_attributions)
        {
            warnings.push(warning);
        }
        Ok(Record {
            schema: SCHEMA.to_string(),
            source: Source {
                path: input.path.map(str::to_string),
                record: input.record.map(str::to_string),
                url: input.url.map(str::to_string).or(url),
                sha256,
            },
            article,
            actors: found.actors,
            attributions: found.attributions,
            authorial: found.authorial,
            warnings,
        })
    }
}

/// Keeps the first `max` attributions (ids are in text order) and drops
/// the rest, together with any kept one whose parent is dropped, so that
/// every `parent` still points at a kept attribution; ids and parents are
/// renumbered to stay positions. Returns the warning when anything went.
fn cap_attributions(attributions: &mut Vec<Attribution>, max: usize) -> Option<String> {
    if attributions.len() <= max {
        return None;
    }
    let found = attributions.len();
    // Parents are assigned by containment, so a parent may come after its
    // child in id order: resolve each chain against the kept prefix.
    let mut keep: Vec<bool> = (0..found).map(|i| i < max).collect();
    for i in 0..max {
        let mut at = i;
        let mut steps = 0;
        while let Some(p) = attributions[at].parent {
            steps += 1;
            if p >= found || !keep[p] || steps > found {
                keep[i] = false;
                break;
            }
            at = p;
        }
    }
    let mut new_id = vec![None; found];
    let mut next = 0;
    for (i, k) in keep.iter().enumerate() {
        if *k {
            new_id[i] = Some(next);
            next += 1;
        }
    }
    let mut i = 0;
    attributions.retain(|_| {
        let k = keep[i];
        i += 1;
        k
    });
    for a in attributions.iter_mut() {
        a.id = new_id[a.id].unwrap_or(a.id);
        a.parent = a.parent.and_then(|p| new_id.get(p).copied().flatten());
    }
    Some(format!(
        "{found} attributions found, over the limit of {max}; the first {} kept",
        attributions.len()
    ))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &[u8] = b"<html><body><article><p>The ferry to Lindholm runs again from Monday, \
        the harbour office said.</p></article></body></html>";

    #[test]
    fn a_given_digest_is_used_and_matches_the_computed_one() {
        let pipeline = Pipeline::default();
        let computed = pipeline.process(&Input::new(PAGE)).unwrap();
        assert_eq!(computed.source.sha256, hex(&Sha256::digest(PAGE)));
        assert_eq!(computed.source.sha256.len(), 64);

        let given = pipeline
            .process(&Input {
                sha256: Some(&computed.source.sha256),
                ..Input::new(PAGE)
            })
            .unwrap();
        assert_eq!(
            serde_json::to_string(&given).unwrap(),
            serde_json::to_string(&computed).unwrap()
        );

        // Used as is: the caller vouches for it.
        let other = "0".repeat(64);
        let trusted = pipeline
            .process(&Input {
                sha256: Some(&other),
                ..Input::new(PAGE)
            })
            .unwrap();
        assert_eq!(trusted.source.sha256, other);
    }

    /// Paragraphs of quotes, some with a quote nested inside: enough
    /// attributions to cross a small limit.
    fn many_quotes(paragraphs: usize) -> String {
        (0..paragraphs)
            .map(|i| {
                format!(
                    "\u{201c}The pier {i} will reopen when the inspectors say \u{2018}it is safe\u{2019},\u{201d} \
                     Mayor Ida Lunn said on Tuesday."
                )
            })
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    #[test]
    fn attributions_over_the_limit_are_dropped_with_a_warning() {
        let text = many_quotes(40);
        let input = Input {
            kind: InputKind::Text,
            ..Input::new(text.as_bytes())
        };
        let all = Pipeline::default().process(&input).unwrap();
        assert!(all.attributions.len() >= 40, "{}", all.attributions.len());
        assert!(all.warnings.iter().all(|w| !w.contains("over the limit")));

        let capped = Pipeline::new(Limits {
            max_attributions: 10,
            ..Limits::default()
        })
        .process(&input)
        .unwrap();
        assert!(!capped.attributions.is_empty() && capped.attributions.len() <= 10);
        capped.check_spans().unwrap();
        for (i, a) in capped.attributions.iter().enumerate() {
            assert_eq!(a.id, i);
            // What is kept is exactly what the uncapped record had first.
            let same = all.attributions.iter().find(|b| b.content == a.content);
            assert!(
                same.is_some(),
                "kept attribution {i} is not in the full record"
            );
        }
        let warning = capped
            .warnings
            .iter()
            .find(|w| w.contains("over the limit of 10"))
            .expect("a warning for the cap");
        assert!(warning.starts_with(&format!("{} attributions found", all.attributions.len())));
    }

    fn text_input(text: &str) -> Input<'_> {
        Input {
            kind: InputKind::Text,
            ..Input::new(text.as_bytes())
        }
    }

    fn with_time_limit(limit: Option<Duration>) -> Pipeline {
        Pipeline::new(Limits {
            max_time_per_document: limit,
            ..Limits::default()
        })
    }

    #[test]
    fn a_time_limit_already_passed_keeps_the_article_and_searches_nothing() {
        let text = many_quotes(40);
        let unlimited = with_time_limit(None).process(&text_input(&text)).unwrap();
        assert!(unlimited.attributions.len() >= 40);
        assert!(unlimited.warnings.iter().all(|w| !w.contains("time limit")));

        // A zero limit has passed before the first check: deterministic.
        let stopped = with_time_limit(Some(Duration::ZERO))
            .process(&text_input(&text))
            .unwrap();
        stopped.check_spans().unwrap();
        assert_eq!(stopped.article, unlimited.article);
        assert!(stopped.attributions.is_empty());
        assert!(stopped.actors.is_empty() && stopped.authorial.is_empty());
        assert_eq!(
            stopped.warnings,
            vec!["time limit of 0 s reached before paragraph 1 of 40; no attributions searched"]
        );
    }

    #[test]
    fn a_page_whose_time_limit_passed_before_its_article_is_an_error() {
        let err = with_time_limit(Some(Duration::ZERO))
            .process(&Input::new(PAGE))
            .unwrap_err();
        assert!(matches!(err, crate::Error::TimeLimit { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "time limit of 0 s reached while guarding the page; no article extracted"
        );
    }

    #[test]
    fn a_generous_time_limit_changes_nothing() {
        let text = many_quotes(40);
        let page = format!(
            "<html><body><article>{}</article></body></html>",
            text.split("\n\n")
                .map(|p| format!("<p>{p}</p>"))
                .collect::<String>()
        );
        for input in [text_input(&text), Input::new(page.as_bytes())] {
            let unlimited = with_time_limit(None).process(&input).unwrap();
            assert!(!unlimited.attributions.is_empty());
            for limit in [
                Some(Duration::from_secs(3600)),
                Limits::default().max_time_per_document,
            ] {
                let limited = with_time_limit(limit).process(&input).unwrap();
                assert_eq!(
                    serde_json::to_string(&limited).unwrap(),
                    serde_json::to_string(&unlimited).unwrap(),
                    "{limit:?}"
                );
            }
        }
    }

    #[test]
    fn attribution_stopped_at_a_paragraph_is_that_of_the_text_ending_there() {
        use crate::attribution::{analyze_while, analyze_with, Options};
        let text = many_quotes(12);
        let article = article::from_plain_text(text.clone());
        for done in [1, 5, 11] {
            let stopped = analyze_while(&article, Options::default(), "2 s", |p| p < done);
            assert_eq!(
                stopped.warnings.last().map(String::as_str),
                Some(
                    format!(
                        "time limit of 2 s reached after paragraph {done} of 12; \
                         later attributions dropped"
                    )
                    .as_str()
                )
            );
            // The same as a text of those paragraphs only: nothing found
            // after the cut, nothing before it changed.
            let prefix: Vec<&str> = text.split("\n\n").take(done).collect();
            let short = article::from_plain_text(prefix.join("\n\n"));
            let expected = analyze_with(&short, Options::default());
            assert!(!expected.attributions.is_empty());
            assert_eq!(stopped.attributions, expected.attributions, "cut at {done}");
            assert_eq!(stopped.actors, expected.actors, "cut at {done}");
            assert_eq!(stopped.authorial, expected.authorial, "cut at {done}");
            let record = Record {
                schema: SCHEMA.to_string(),
                source: Source {
                    path: None,
                    record: None,
                    url: None,
                    sha256: "0".repeat(64),
                },
                article: article.clone(),
                actors: stopped.actors,
                attributions: stopped.attributions,
                authorial: stopped.authorial,
                warnings: stopped.warnings,
            };
            record.check_spans().unwrap();
        }
        // Never stopped: no warning, the whole result.
        let whole = analyze_while(&article, Options::default(), "2 s", |_| true);
        assert_eq!(whole, analyze_with(&article, Options::default()));
    }

    /// Whatever paragraph a real clock stops at, the record stays valid and
    /// says where it stopped. (Which paragraph depends on the machine, so
    /// only what holds for every one is checked.)
    #[test]
    fn a_record_cut_by_the_clock_is_valid_wherever_it_stopped() {
        let text = many_quotes(400);
        let record = with_time_limit(Some(Duration::from_millis(1)))
            .process(&text_input(&text))
            .unwrap();
        record.check_spans().unwrap();
        let stop = record
            .warnings
            .iter()
            .find(|w| w.starts_with("time limit of 0.001 s"));
        if let Some(warning) = stop {
            let done: usize = warning
                .split("after paragraph ")
                .nth(1)
                .and_then(|rest| rest.split(' ').next())
                .map_or(0, |n| n.parse().unwrap());
            let end = record
                .article
                .blocks
                .get(done)
                .map_or(usize::MAX, |b| b.start);
            assert!(record.attributions.iter().all(|a| a.content.end <= end));
        }
    }

    fn attribution(id: usize, parent: Option<usize>) -> Attribution {
        use crate::record::{AttributionKind, ContentSpan, Stance};
        Attribution {
            id,
            kind: AttributionKind::Direct,
            speaker: None,
            cue: None,
            addressee: None,
            content: ContentSpan {
                start: id,
                end: id + 1,
                text: String::new(),
                spans: None,
            },
            stance: Stance::Asserts,
            parent,
        }
    }

    #[test]
    fn a_kept_attribution_whose_parent_is_dropped_goes_too() {
        // 1 nests in 0 (parent first), 3 nests in 4 (parent after it), 2
        // stands alone; a cap of 4 drops 4, and 3 with it.
        let mut attributions = vec![
            attribution(0, None),
            attribution(1, Some(0)),
            attribution(2, None),
            attribution(3, Some(4)),
            attribution(4, None),
        ];
        let warning = cap_attributions(&mut attributions, 4).unwrap();
        assert_eq!(
            warning,
            "5 attributions found, over the limit of 4; the first 3 kept"
        );
        let kept: Vec<(usize, Option<usize>, usize)> = attributions
            .iter()
            .map(|a| (a.id, a.parent, a.content.start))
            .collect();
        // Ids renumbered, parents follow; 3 went with its parent 4.
        assert_eq!(kept, vec![(0, None, 0), (1, Some(0), 1), (2, None, 2)]);

        // A chain through the cut: 2's parent 1 is kept but 1's parent 3 is not.
        let mut chain = vec![
            attribution(0, None),
            attribution(1, Some(3)),
            attribution(2, Some(1)),
            attribution(3, None),
        ];
        cap_attributions(&mut chain, 3).unwrap();
        assert_eq!(chain.len(), 1);
        assert_eq!((chain[0].id, chain[0].parent), (0, None));

        // Under the limit nothing changes and there is no warning.
        let mut few = vec![attribution(0, None), attribution(1, Some(0))];
        assert_eq!(cap_attributions(&mut few, 2), None);
        assert_eq!(few.len(), 2);
    }

    #[test]
    fn a_paragraph_over_the_quotation_mark_limit_is_not_paired() {
        let noise = "\" a".repeat(30);
        let text = format!(
            "\u{201c}The ferry is late again,\u{201d} the harbour master said.\n\n{noise}\n\n\
             \u{201c}It will be fixed by Friday,\u{201d} the operator said."
        );
        let input = Input {
            kind: InputKind::Text,
            ..Input::new(text.as_bytes())
        };
        let limited = Pipeline::new(Limits {
            max_quote_marks_per_paragraph: 10,
            ..Limits::default()
        })
        .process(&input)
        .unwrap();
        limited.check_spans().unwrap();
        assert!(
            limited.warnings.iter().any(|w| w
                == "paragraph 2 has 30 quotation marks, over the limit of 10; \
                    its quotations are not paired"),
            "{:?}",
            limited.warnings
        );
        // The other paragraphs keep their quotes.
        let contents: Vec<&str> = limited
            .attributions
            .iter()
            .map(|a| a.content.text.as_str())
            .collect();
        assert!(
            contents.contains(&"The ferry is late again,"),
            "{contents:?}"
        );
        assert!(
            contents.contains(&"It will be fixed by Friday,"),
            "{contents:?}"
        );
        assert!(limited
            .attributions
            .iter()
            .all(|a| !a.content.text.contains(" a\"")));

        // Under the default limit the same paragraph is paired as usual.
        let default = Pipeline::default().process(&input).unwrap();
        assert!(default
            .warnings
            .iter()
            .all(|w| !w.contains("quotation marks, over the limit")));
    }
}
