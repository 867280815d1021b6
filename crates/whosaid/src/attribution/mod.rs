//! Stage 4: who said what. Actors, attributions and the author's own voice
//! from the clean article text.

pub mod actors;
pub mod authorial;
pub mod boundaries;
pub mod engine;
pub mod features;
pub mod lexicon;
pub mod polnear;
pub mod quotes;
pub mod tagger;
pub mod text;

use crate::deadline::Deadline;
use crate::record::{Actor, ActorSpan, Article, Attribution, AuthorialSpan, ContentSpan, CueSpan};

/// Everything this stage adds to a record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributions {
    pub actors: Vec<Actor>,
    pub attributions: Vec<Attribution>,
    pub authorial: Vec<AuthorialSpan>,
    pub warnings: Vec<String>,
}

/// Finds actors, attributions and the author's voice in an article.
///
/// Never fails: any text gives a (possibly empty) result, in time linear
/// in the text for all practical inputs.
pub fn analyze(article: &Article) -> Attributions {
    analyze_with(article, Options::default())
}

/// How [`analyze_with`] works.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// Add the learned tagger's attributions to the rules' (where the
    /// library was built with a trained model).
    pub tagger: bool,
    /// With `tagger`: the model to tag with instead of the built-in one (a
    /// model trained on part of the data, to score the pipeline on the rest).
    pub model: Option<&'a tagger::Tagger>,
    /// A paragraph with more quotation marks than this is not paired into
    /// quotations (a warning says so); see [`crate::Limits`].
    pub max_quote_marks_per_paragraph: usize,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            tagger: true,
            model: None,
            max_quote_marks_per_paragraph: usize::MAX,
        }
    }
}

pub fn analyze_with(article: &Article, options: Options<'_>) -> Attributions {
    analyze_until(article, options, &Deadline::NONE)
}

/// [`analyze_with`] under a time limit. The deadline is checked before each
/// paragraph is tagged, the step that takes most of the stage's time (about
/// two thirds); once it has passed, the later paragraphs are left out of
/// every step after it, so the result holds the attributions of the
/// paragraphs done, as if the text ended there, with a warning. The steps
/// after the tagger still run to their end on those paragraphs, unchecked:
/// the stage can end after the deadline by their time, which grows with the
/// paragraphs done like the tagger's (on news text about half the tagger's,
/// on 16 MiB of short sentences naming speakers about two thirds).
pub fn analyze_until(article: &Article, options: Options<'_>, deadline: &Deadline) -> Attributions {
    analyze_while(article, options, &deadline.describe(), |_| {
        !deadline.passed()
    })
}

/// [`analyze_until`] with the deadline's check as `go_on(paragraph)`, so
/// that tests can stop at a paragraph of their choice; `limit` describes
/// the limit for the warning.
pub(crate) fn analyze_while(
    article: &Article,
    options: Options<'_>,
    limit: &str,
    mut go_on: impl FnMut(usize) -> bool,
) -> Attributions {
    let text = article.text.as_str();
    let mut analysis = text::analyze(text, &article.blocks);
    let paragraphs = analysis.paragraphs.len();
    let tagger = match options.model {
        Some(model) => Some(model),
        None => tagger::Tagger::builtin(),
    }
    .filter(|_| options.tagger);
    let (labels, done) = match tagger {
        Some(model) => {
            let (labels, done) = model.tag_while(text, &analysis, go_on);
            (Some(labels), done)
        }
        None if paragraphs > 0 && !go_on(0) => (None, 0),
        None => (None, paragraphs),
    };
    let cut = (done < paragraphs).then(|| {
        keep_paragraphs(&mut analysis, done);
        if done == 0 {
            format!(
                "time limit of {limit} reached before paragraph 1 of {paragraphs}; \
                 no attributions searched"
            )
        } else {
            format!(
                "time limit of {limit} reached after paragraph {done} of {paragraphs}; \
                 later attributions dropped"
            )
        }
    });
    let quotes = quotes::find_quotes_with(&analysis, options.max_quote_marks_per_paragraph);
    let mut assembly = engine::assemble(text, &analysis, &quotes);
    if let Some(mut labels) = labels {
        labels.truncate(analysis.tokens.len());
        let spans = tagger::spans(&analysis, &labels);
        let linked = link_in_windows(text, &analysis, &spans);
        let mut tagged = engine::from_tagged(text, &analysis, &spans, &linked);
        engine::fill_sources(text, &analysis, &quotes, &mut tagged);
        tagged.retain(|c| engine::stands_without_source(text, &analysis, c));
        let rules = std::mem::take(&mut assembly.candidates);
        assembly.candidates = engine::merge(
            &analysis,
            rules,
            tagged,
            engine::MergePolicy::QuotesFromRulesSpeechFromTagger,
        );
    }
    boundaries::repair(text, &analysis, &mut assembly.candidates);
    let mut found = build(text, &analysis, &quotes, assembly);
    found.warnings.extend(cut);
    found
}

/// Leaves paragraphs `0..keep` in `analysis`, with their sentences and
/// tokens; spans into the text stay valid, later steps see a shorter text.
fn keep_paragraphs(analysis: &mut text::Analysis, keep: usize) {
    let Some(first_dropped) = analysis.paragraphs.get(keep) else {
        return;
    };
    let (tokens, sentences) = (first_dropped.tokens.start, first_dropped.sentences.start);
    analysis.tokens.truncate(tokens);
    analysis.sentences.truncate(sentences);
    analysis.paragraphs.truncate(keep);
}

/// Spans linked at most [`LINK_WINDOW`] at a time. `tagger::link` looks
/// for each content's nearest cue among all spans, so one call costs the
/// square of their number; windows keep a hostile document (a 5 MB
/// paragraph of "he said") linear. A window boundary can only cut a link
/// between spans thousands of spans apart.
fn link_in_windows(
    text: &str,
    analysis: &text::Analysis,
    spans: &[tagger::RoleSpan],
) -> Vec<tagger::LinkedSpans> {
    if spans.len() <= LINK_WINDOW {
        return tagger::link(text, analysis, spans);
    }
    let mut out = Vec::new();
    for (w, window) in spans.chunks(LINK_WINDOW).enumerate() {
        let offset = w * LINK_WINDOW;
        out.extend(
            tagger::link(text, analysis, window)
                .into_iter()
                .map(|l| tagger::LinkedSpans {
                    source: l.source.map(|i| i + offset),
                    cue: l.cue.map(|i| i + offset),
                    content: l.content.into_iter().map(|i| i + offset).collect(),
                }),
        );
    }
    out
}

const LINK_WINDOW: usize = 1_000;

fn build(
    text: &str,
    analysis: &text::Analysis,
    quotes: &quotes::Quotes,
    assembly: engine::Assembly,
) -> Attributions {
    let candidates = assembly.candidates;
    let resolution = actors::resolve(text, analysis, quotes, &candidates);
    let mut quoted = vec![false; analysis.tokens.len()];
    for q in &quotes.quotes {
        for p in &q.parts {
            for slot in &mut quoted[p.clone()] {
                *slot = true;
            }
        }
    }
    let authorial = authorial::find(
        text,
        analysis,
        &quoted,
        &candidates,
        &assembly.authorial_cues,
    );
    let bytes = |r: &std::ops::Range<usize>| -> (usize, usize) {
        let start = analysis.tokens.get(r.start).map_or(0, |t| t.start);
        let end = analysis
            .tokens
            .get(r.end.saturating_sub(1))
            .map_or(start, |t| t.end);
        (start, end.max(start))
    };
    let slice = |s: usize, e: usize| text.get(s..e).unwrap_or("").to_string();
    let attributions = candidates
        .iter()
        .enumerate()
        .map(|(id, c)| {
            let parts: Vec<[usize; 2]> = c
                .content
                .iter()
                .map(|r| {
                    let (s, e) = bytes(r);
                    [s, e]
                })
                .collect();
            let start = parts.first().map_or(0, |p| p[0]);
            let end = parts.last().map_or(start, |p| p[1]).max(start);
            Attribution {
                id,
                kind: c.kind,
                speaker: c.source.as_ref().map(|r| {
                    let (s, e) = bytes(r);
                    ActorSpan {
                        start: s,
                        end: e,
                        text: slice(s, e),
                        actor: resolution.speakers[id],
                    }
                }),
                cue: c.cue.as_ref().map(|r| {
                    let (s, e) = bytes(r);
                    CueSpan {
                        start: s,
                        end: e,
                        text: slice(s, e),
                        // A cue outside the lexicon (the tagger's) is its
                        // own lemma, lower-cased.
                        lemma: c
                            .lemma
                            .map_or_else(|| slice(s, e).to_lowercase(), str::to_string),
                    }
                }),
                addressee: c.addressee.as_ref().map(|r| {
                    let (s, e) = bytes(r);
                    ActorSpan {
                        start: s,
                        end: e,
                        text: slice(s, e),
                        actor: resolution.addressees[id],
                    }
                }),
                content: ContentSpan {
                    start,
                    end,
                    text: slice(start, end),
                    spans: (parts.len() > 1).then_some(parts),
                },
                stance: c.stance,
                parent: c.parent,
            }
        })
        .collect();
    Attributions {
        actors: resolution.actors,
        attributions,
        authorial,
        warnings: quotes.warnings.clone(),
    }
}

#[cfg(test)]
mod tests;
