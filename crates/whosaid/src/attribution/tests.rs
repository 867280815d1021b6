//! Tests of the whole attribution stage on fictional fixtures, and of its
//! behaviour on hostile input.

use std::time::{Duration, Instant};

use super::{analyze_with, Attributions, Options};
use crate::article::from_plain_text;
use crate::record::{Article, AttributionKind, AuthorialKind, Record, Source, Stance};

const RULES: Options = Options {
    tagger: false,
    model: None,
    max_quote_marks_per_paragraph: usize::MAX,
};

fn run(text: &str) -> (Article, Attributions) {
    let article = from_plain_text(text.to_string());
    let found = analyze_with(&article, RULES);
    check(&article, &found);
    (article, found)
}

/// Every span slices the text and every index exists.
fn check(article: &Article, found: &Attributions) {
    let record = Record {
        schema: crate::record::SCHEMA.into(),
        source: Source::default(),
        article: article.clone(),
        actors: found.actors.clone(),
        attributions: found.attributions.clone(),
        authorial: found.authorial.clone(),
        warnings: found.warnings.clone(),
    };
    if let Err(e) = record.check_spans() {
        panic!("span check failed: {e}");
    }
}

/// One row: text, then the attribution expected among the results:
/// kind, speaker text, cue text, content text, stance.
type Row = (
    &'static str,
    AttributionKind,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
    Stance,
);

#[test]
fn attributions_table() {
    use AttributionKind::*;
    use Stance::*;
    let rows: &[Row] = &[
        (
            "“The bridge will open in May,” Mayor Ada Quill told reporters.",
            Direct,
            Some("Mayor Ada Quill"),
            Some("told"),
            "The bridge will open in May,",
            Asserts,
        ),
        (
            "“We are ready,” said Tomas Brell, a spokesman for the port.",
            Direct,
            Some("Tomas Brell, a spokesman for the port"),
            Some("said"),
            "We are ready,",
            Asserts,
        ),
        (
            "“The port is full,” said Tomas Brell, chief engineer for the port authority.",
            Direct,
            Some("Tomas Brell, chief engineer for the port authority"),
            Some("said"),
            "The port is full,",
            Asserts,
        ),
        (
            "Ada Quill, head of the bridge council, said the vote was close.",
            Indirect,
            Some("Ada Quill, head of the bridge council"),
            Some("said"),
            "the vote was close",
            Asserts,
        ),
        (
            "Ada Quill, a historian who saw the vote, recalled, “It was close.”",
            Direct,
            Some("Ada Quill, a historian who saw the vote"),
            Some("recalled"),
            "It was close.",
            Asserts,
        ),
        (
            "The minister said: “Nothing has changed.”",
            Direct,
            Some("The minister"),
            Some("said"),
            "Nothing has changed.",
            Asserts,
        ),
        (
            "Senator Lina Oduya denied the accusations.",
            Indirect,
            Some("Senator Lina Oduya"),
            Some("denied"),
            "the accusations",
            Denies,
        ),
        (
            "The council has reaffirmed the findings of the auditors.",
            Indirect,
            Some("The council"),
            Some("has reaffirmed"),
            "the findings of the auditors",
            Affirms,
        ),
        (
            "Kaspar Venn said that the harbour would stay closed until spring.",
            Indirect,
            Some("Kaspar Venn"),
            Some("said"),
            "that the harbour would stay closed until spring",
            Asserts,
        ),
        (
            "The harbour will stay closed, the port authority said.",
            Indirect,
            Some("the port authority"),
            Some("said"),
            "The harbour will stay closed",
            Asserts,
        ),
        (
            "Venn also made remarks on Friday, saying that he “stands by” the plan.",
            Mixed,
            Some("Venn"),
            Some("saying"),
            "that he “stands by” the plan",
            Asserts,
        ),
        (
            "According to The Valley Courier, the mill will close in June.",
            AccordingTo,
            Some("The Valley Courier"),
            Some("According to"),
            "the mill will close in June",
            Reports,
        ),
        (
            "Last week, it was reported that the mill had been sold.",
            Indirect,
            None,
            Some("was reported"),
            "that the mill had been sold",
            Reports,
        ),
        (
            "Her insistence that the vote was fair surprised nobody.",
            Indirect,
            Some("Her"),
            Some("insistence"),
            "that the vote was fair surprised nobody",
            Asserts,
        ),
        (
            "Mayor Quill Denies Bridge Delay, Council Believes Her\n\nThe story follows.",
            Headline,
            Some("Mayor Quill"),
            Some("Denies"),
            "Bridge Delay",
            Denies,
        ),
        (
            "Ada Quill does not believe that the bridge is safe.",
            Indirect,
            Some("Ada Quill"),
            Some("does not believe"),
            "that the bridge is safe",
            Doubts,
        ),
    ];
    for (text, kind, speaker, cue, content, stance) in rows {
        let (_, found) = run(text);
        let hit = found
            .attributions
            .iter()
            .find(|a| a.content.text == *content);
        let Some(a) = hit else {
            panic!(
                "{text:?}: no attribution with content {content:?}; got {:#?}",
                found.attributions
            );
        };
        assert_eq!(a.kind, *kind, "{text:?}");
        assert_eq!(
            a.speaker.as_ref().map(|s| s.text.as_str()),
            *speaker,
            "{text:?}"
        );
        assert_eq!(a.cue.as_ref().map(|s| s.text.as_str()), *cue, "{text:?}");
        assert_eq!(a.stance, *stance, "{text:?}");
    }
}

#[test]
fn interrupted_quote_is_one_attribution_with_parts() {
    let (_, found) = run("“The tide is late,” the captain said, “and the nets are empty.”");
    assert_eq!(found.attributions.len(), 1, "{:#?}", found.attributions);
    let c = &found.attributions[0].content;
    assert_eq!(c.spans.as_ref().map(Vec::len), Some(2));
}

#[test]
fn colon_introduction_reaches_the_next_paragraph() {
    let (_, found) =
        run("A spokeswoman for the mill told The Valley Courier:\n“The mill is not for sale.”\n");
    let a = found
        .attributions
        .iter()
        .find(|a| a.kind == AttributionKind::Direct)
        .expect("direct");
    assert_eq!(
        a.speaker.as_ref().unwrap().text,
        "A spokeswoman for the mill"
    );
    assert_eq!(a.addressee.as_ref().unwrap().text, "The Valley Courier");
    assert_eq!(a.content.text, "The mill is not for sale.");
}

#[test]
fn quote_over_paragraphs_and_unclosed_quote() {
    let text = "“The first part goes on,” said Ada Quill.\n“And the second part follows.\n“The third part ends it.”\nShe left. “Then this one never closes\nNext paragraph.";
    let (_, found) = run(text);
    assert_eq!(
        found.warnings,
        ["unclosed quotation at paragraph 4; closed at paragraph end"]
    );
    // The quote that runs over two paragraphs is one attribution with two
    // parts; it starts a paragraph of its own, so it inherits the speaker
    // of the quote before rather than joining it.
    let multi = found
        .attributions
        .iter()
        .find(|a| a.content.text.starts_with("And the second"))
        .expect("continued quote");
    assert!(multi.content.text.ends_with("ends it."));
    assert_eq!(multi.content.spans.as_ref().map(Vec::len), Some(2));
    assert_eq!(multi.speaker.as_ref().unwrap().text, "Ada Quill");
}

#[test]
fn quote_after_its_reporting_clause_continues_the_attribution() {
    let (_, found) = run("“The tide is late,” the captain said. “The nets are empty.”");
    assert_eq!(found.attributions.len(), 1, "{:#?}", found.attributions);
    assert_eq!(
        found.attributions[0].content.spans.as_ref().map(Vec::len),
        Some(2)
    );
}

#[test]
fn quote_after_the_rest_of_its_reporting_sentence_continues_it() {
    // (text, parts of the first attribution's content)
    let rows: &[(&str, usize)] = &[
        (
            "“The tide is late,” the captain said, laughing. “The nets are empty.”",
            2,
        ),
        (
            "“The tide is late,” the captain said on Monday. “The nets are empty.”",
            2,
        ),
        (
            "“The tide is late,” said Ada Quill, who runs the harbour. “The nets are empty.”",
            2,
        ),
        // Another cue in between starts a statement of its own.
        (
            "“The tide is late,” the captain said, adding that he was tired. “The nets are empty.”",
            1,
        ),
        // So does a sentence of its own.
        (
            "“The tide is late,” the captain said. The boats stayed in. “The nets are empty.”",
            1,
        ),
    ];
    for (text, parts) in rows {
        let (_, found) = run(text);
        let first = found
            .attributions
            .iter()
            .find(|a| a.content.text.starts_with("The tide"))
            .unwrap_or_else(|| panic!("{text:?}: {:#?}", found.attributions));
        let got = first.content.spans.as_ref().map_or(1, Vec::len);
        assert_eq!(got, *parts, "{text:?}: {:#?}", found.attributions);
    }
}

#[test]
fn according_to_source_keeps_its_participle_phrase() {
    // (text, the according-to source)
    let rows: &[(&str, &str)] = &[
        (
            "Rust covers a third of the deck, according to a report presented to the harbour board.",
            "a report presented to the harbour board",
        ),
        (
            "According to figures published with the board papers, the ferry lost money.",
            "figures published with the board papers",
        ),
        ("According to Ada Quill, the ferry lost money.", "Ada Quill"),
    ];
    for (text, source) in rows {
        let (_, found) = run(text);
        let according: Vec<_> = found
            .attributions
            .iter()
            .filter(|a| a.kind == AttributionKind::AccordingTo)
            .collect();
        assert_eq!(according.len(), 1, "{text:?}: {:#?}", found.attributions);
        assert_eq!(
            according[0].speaker.as_ref().map(|s| s.text.as_str()),
            Some(*source),
            "{text:?}"
        );
        // The participle inside the source is no cue of its own.
        assert_eq!(
            found.attributions.len(),
            1,
            "{text:?}: {:#?}",
            found.attributions
        );
    }
}

#[test]
fn the_quoted_speaker_s_own_i_want_is_not_a_nested_attribution() {
    let (_, found) = run(
        "“I am not against the repairs. I just want someone to ask us first,” Tomas Brell said.",
    );
    assert_eq!(found.attributions.len(), 1, "{:#?}", found.attributions);
    // Someone else's words inside the quote still are.
    let (_, found) = run("“The mayor told me the bridge was safe,” Tomas Brell said.");
    assert!(
        found.attributions.iter().any(|a| a.parent.is_some()),
        "{:#?}",
        found.attributions
    );
}

/// A tagged candidate for the cue `cue` and the content after it, as the
/// tagger hands them over (no source), through `fill_sources`.
fn tagged_with_source(input: &str, cue: &str) -> (String, super::engine::Candidate) {
    use super::engine::{self, Candidate};
    use super::{quotes, text};
    let article = from_plain_text(input.to_string());
    let analysis = text::analyze(&article.text, &article.blocks);
    let found = quotes::find_quotes(&analysis);
    let at = article.text.find(cue).expect("cue in text");
    let first = analysis.token_at_or_after(at);
    let last = analysis.token_at_or_after(at + cue.len());
    let end = analysis.tokens.len() - 1;
    let mut cands = vec![Candidate {
        kind: AttributionKind::Indirect,
        source: None,
        source_inherited: false,
        cue: Some(first..last),
        lemma: None,
        addressee: None,
        content: std::iter::once(last..end).collect(),
        stance: Stance::Asserts,
        parent: None,
    }];
    engine::fill_sources(&article.text, &analysis, &found, &mut cands);
    (article.text.clone(), cands.remove(0))
}

#[test]
fn a_second_verb_or_participle_takes_the_clause_subject() {
    // (text, cue, source expected)
    let rows: &[(&str, &str, Option<&str>)] = &[
        (
            "Ada Quill has met the board and criticized its plan.",
            "criticized",
            Some("Ada Quill"),
        ),
        (
            "The mayor agreed, but also contended that the toll was low.",
            "contended",
            Some("The mayor"),
        ),
        (
            "Tomas Brell used the ad against her, accusing her of lying.",
            "accusing",
            Some("Tomas Brell"),
        ),
        // Without a comma the noun phrase before the participle is its
        // subject, as PolNeAR has it ("had Republicans wondering about").
        (
            "The plan left the council wondering about its cost.",
            "wondering about",
            Some("the council"),
        ),
    ];
    for (input, cue, source) in rows {
        let (text, c) = tagged_with_source(input, cue);
        let got = c.source.map(|r| {
            let a = super::text::analyze(&text, &from_plain_text(text.clone()).blocks);
            text[a.tokens[r.start].start..a.tokens[r.end - 1].end].to_string()
        });
        assert_eq!(got.as_deref(), *source, "{input:?}");
    }
}

#[test]
fn a_tagged_cue_without_a_source_stands_only_when_impersonal() {
    use super::engine::{stands_without_source, Candidate};
    // (text, cue, kept without a source)
    let rows: &[(&str, &str, bool)] = &[
        (
            "The bridge is expected to open in May.",
            "is expected",
            true,
        ),
        ("It seemed that the ferry would stop.", "seemed", true),
        (
            "Rising tolls, criticizing the council.",
            "criticizing",
            false,
        ),
    ];
    for (input, cue, kept) in rows {
        let article = from_plain_text(input.to_string());
        let analysis = super::text::analyze(&article.text, &article.blocks);
        let at = article.text.find(cue).expect("cue in text");
        let first = analysis.token_at_or_after(at);
        let last = analysis.token_at_or_after(at + cue.len());
        let mut c = Candidate {
            kind: AttributionKind::Indirect,
            source: None,
            source_inherited: false,
            cue: Some(first..last),
            lemma: None,
            addressee: None,
            content: std::iter::once(last..analysis.tokens.len()).collect(),
            stance: Stance::Asserts,
            parent: None,
        };
        assert_eq!(
            stands_without_source(&article.text, &analysis, &c),
            *kept,
            "{input:?}"
        );
        // With a source any cue stands.
        c.source = Some(0..1);
        assert!(
            stands_without_source(&article.text, &analysis, &c),
            "{input:?}"
        );
    }
}

#[test]
fn transcript_turns_are_attributions_of_their_speakers() {
    let text = "Partial transcript as follows:\n\n\"QUILL: Let us start with the bridge. Why close it now?\n\n\"BRELL: Well, look, the deck is rusting.\n\n\"It will not last another winter, and that is the fact.\n\n\"UPDATE: The council voted on Thursday night.\"\n";
    let (_, found) = run(text);
    let turns: Vec<_> = found
        .attributions
        .iter()
        .filter(|a| a.cue.as_ref().is_some_and(|c| c.text == ":"))
        .collect();
    let speakers: Vec<_> = turns
        .iter()
        .map(|a| a.speaker.as_ref().map(|s| s.text.as_str()))
        .collect();
    // A label ("UPDATE:") is no speaker.
    assert_eq!(
        speakers,
        [Some("QUILL"), Some("BRELL")],
        "{:#?}",
        found.attributions
    );
    // A paragraph that reopens the quote without a speaker goes on.
    assert_eq!(turns[1].content.spans.as_ref().map(Vec::len), Some(2));
    assert!(turns[1].content.text.starts_with("Well, look"));
}

#[test]
fn nested_quotes_and_pronouns_resolve() {
    let text = "Judge Mira Tal questioned Governor Piet Arno on Monday.\n“Every time he sees me he says, ‘I did nothing wrong,’ and I believe him,” Tal said.";
    let (_, found) = run(text);
    let outer = found
        .attributions
        .iter()
        .position(|a| a.kind == AttributionKind::Direct && a.parent.is_none())
        .expect("outer quote");
    let inner = found
        .attributions
        .iter()
        .find(|a| a.content.text == "I did nothing wrong,")
        .expect("inner quote");
    assert_eq!(inner.parent, Some(outer));
    let arno = found
        .actors
        .iter()
        .position(|a| a.name == "Piet Arno")
        .expect("actor");
    let tal = found
        .actors
        .iter()
        .position(|a| a.name == "Mira Tal")
        .expect("actor");
    assert_eq!(inner.speaker.as_ref().and_then(|s| s.actor), Some(arno));
    assert_eq!(
        found.attributions[outer]
            .speaker
            .as_ref()
            .and_then(|s| s.actor),
        Some(tal)
    );
}

#[test]
fn titles_and_surnames_join_one_actor() {
    let text = "Ruritanian President Oskar Lend met the envoy.\nThe Ruritanian president denied the report. Lend later said he was tired.\n“I am tired,” he said.";
    let (_, found) = run(text);
    let lend: Vec<_> = found
        .actors
        .iter()
        .filter(|a| a.name.contains("Lend"))
        .collect();
    assert_eq!(lend.len(), 1, "{:#?}", found.actors);
    assert_eq!(lend[0].name, "Oskar Lend");
    let id = lend[0].id;
    for a in &found.attributions {
        if let Some(s) = &a.speaker {
            assert_eq!(s.actor, Some(id), "speaker {:?}", s.text);
        }
    }
}

#[test]
fn they_resolves_to_a_recent_group_only() {
    let text = "The two leaders said that the talks had gone well.\nLater, they released a joint statement announcing that the ferry would run again.\n\nThe Admiralty said that it was ready.\nIn May they said that the port was safe.";
    let (_, found) = run(text);
    let speaker = |content: &str| {
        found
            .attributions
            .iter()
            .find(|a| a.content.text.contains(content))
            .and_then(|a| a.speaker.clone())
            .unwrap_or_else(|| panic!("no attribution with {content:?}: {found:#?}"))
    };
    let joint = speaker("ferry would run again");
    assert_eq!(joint.text, "they");
    let group = joint.actor.map(|id| found.actors[id].name.as_str());
    assert_eq!(group, Some("two leaders"), "{:#?}", found.actors);
    // Two paragraphs on, with an organisation in between: no guess.
    let later = speaker("port was safe");
    assert_eq!(later.actor, None, "{:#?}", found.actors);
}

#[test]
fn authorial_voice_table() {
    let rows: &[(&str, AuthorialKind)] = &[
        ("I think the plan will fail.", AuthorialKind::Opinion),
        (
            "It seems the council has lost its way.",
            AuthorialKind::Hedge,
        ),
        (
            "So what does the mayor want from the port?",
            AuthorialKind::Question,
        ),
        ("The best we can do is wait.", AuthorialKind::Opinion),
    ];
    for (text, kind) in rows {
        let (_, found) = run(text);
        assert_eq!(
            found.authorial.first().map(|s| s.kind),
            Some(*kind),
            "{text:?}"
        );
        assert!(
            found.attributions.is_empty(),
            "{text:?}: {:#?}",
            found.attributions
        );
    }
    let (_, found) = run("“Do you think it works?” she asked.");
    assert!(found.authorial.is_empty());
}

fn within(limit: Duration, what: &str, f: impl FnOnce()) {
    let started = Instant::now();
    f();
    assert!(
        started.elapsed() < limit,
        "{what} took {:?}",
        started.elapsed()
    );
}

#[test]
fn hostile_inputs_give_a_result_in_linear_time() {
    let inputs: Vec<(&str, String)> = vec![
        ("empty", String::new()),
        ("blank lines", "\n\n\n".into()),
        ("ten thousand straight marks", "\"".repeat(10_000)),
        ("ten thousand curly marks", "“ said ”".repeat(10_000)),
        ("nested marks", "“‘".repeat(5_000) + &"’”".repeat(5_000)),
        (
            "quotes with speakers",
            "“Yes,” he said, “no.” ".repeat(3_000),
        ),
        (
            "another script",
            "Он сказал: «Нет». 彼は「いいえ」と言った。 قال: «لا».".repeat(200),
        ),
        (
            "control characters",
            "\u{0}\u{1}said\u{7f}“\u{1b}[31m”\u{8}".repeat(1_000),
        ),
        (
            "cue words only",
            "said told said denied according to ".repeat(20_000),
        ),
        ("pronouns only", "he said he told him he ".repeat(20_000)),
    ];
    for (what, text) in &inputs {
        within(Duration::from_secs(10), what, || {
            let _ = run(text);
        });
    }
}

#[test]
fn five_megabyte_paragraph_without_punctuation() {
    let text = "the quiet harbour waits for ships ".repeat(5 * 1024 * 1024 / 34);
    within(Duration::from_secs(60), "5 MB paragraph", || {
        let (_, found) = run(&text);
        assert!(found.attributions.is_empty());
    });
}

#[test]
fn with_the_tagger_hostile_input_stays_linear() {
    let inputs = [
        ("speakers", "“Yes,” he said, “no.” ".repeat(8_000)),
        (
            "cue words",
            "said told said denied according to ".repeat(6_000),
        ),
        ("marks", "\"".repeat(10_000)),
    ];
    for (what, text) in &inputs {
        within(Duration::from_secs(60), what, || {
            let article = from_plain_text(text.clone());
            let found = super::analyze(&article);
            check(&article, &found);
        });
    }
}

/// Which rule candidates survive a merge with no tagged candidate at all,
/// by policy: (text, kind of the rule candidate, kept by
/// QuotesFromRules, kept by QuotesFromRulesSpeechFromTagger).
#[test]
fn rule_candidates_the_tagger_did_not_see() {
    use super::engine::{self, MergePolicy};
    use super::{quotes, text};
    let rows = [
        (
            "The mayor said the bridge would reopen in May.",
            AttributionKind::Indirect,
            true,
            false,
        ),
        (
            "The mayor said the bridge was “perfectly safe” now.",
            AttributionKind::Mixed,
            true,
            true,
        ),
        (
            "“The bridge is closed,” the mayor said.",
            AttributionKind::Direct,
            true,
            true,
        ),
    ];
    for (input, kind, quotes_from_rules, speech_from_tagger) in rows {
        let article = from_plain_text(input.to_string());
        let analysis = text::analyze(&article.text, &article.blocks);
        let found = quotes::find_quotes(&analysis);
        let rules = engine::assemble(&article.text, &analysis, &found).candidates;
        assert!(
            rules.iter().any(|c| c.kind == kind),
            "{input}: the rules find a {kind:?} candidate: {rules:?}"
        );
        for (policy, expected) in [
            (MergePolicy::QuotesFromRules, quotes_from_rules),
            (
                MergePolicy::QuotesFromRulesSpeechFromTagger,
                speech_from_tagger,
            ),
        ] {
            let merged = engine::merge(&analysis, rules.clone(), Vec::new(), policy);
            assert_eq!(
                merged.iter().any(|c| c.kind == kind),
                expected,
                "{input} under {policy:?}: {merged:?}"
            );
        }
    }
}

/// A rule attribution nested in a quotation is structure PolNeAR does not
/// score; it survives the merge under every policy.
#[test]
fn nested_reported_speech_survives_the_merge() {
    use super::engine::{self, MergePolicy};
    use super::{quotes, text};
    let input = "“He told me he denied it, and I believe him,” the senator said.";
    let article = from_plain_text(input.to_string());
    let analysis = text::analyze(&article.text, &article.blocks);
    let found = quotes::find_quotes(&analysis);
    let rules = engine::assemble(&article.text, &analysis, &found).candidates;
    let inner = rules
        .iter()
        .filter(|c| c.kind == AttributionKind::Indirect)
        .count();
    assert!(
        inner > 0,
        "the rules find reported speech inside the quote: {rules:?}"
    );
    let merged = engine::merge(
        &analysis,
        rules,
        Vec::new(),
        MergePolicy::QuotesFromRulesSpeechFromTagger,
    );
    assert_eq!(
        merged
            .iter()
            .filter(|c| c.kind == AttributionKind::Indirect)
            .count(),
        inner
    );
    assert!(merged
        .iter()
        .filter(|c| c.kind == AttributionKind::Indirect)
        .all(|c| c.parent.is_some()));
}

/// A speaker span cut by the tagger still names the person in it: one
/// starting inside the name, one running on into a place adjunct.
#[test]
fn speaker_spans_around_a_name_resolve_to_its_person() {
    use super::engine::Candidate;
    use super::{actors, quotes, text};
    let input = "Senator Harriet Vance met the council. \
                 Vance in Eastvale said the bridge would reopen.";
    let article = from_plain_text(input.to_string());
    let analysis = text::analyze(&article.text, &article.blocks);
    let found = quotes::find_quotes(&analysis);
    let token = |word: &str, nth: usize| {
        analysis
            .tokens
            .iter()
            .enumerate()
            .filter(|(_, t)| t.text(&article.text) == word)
            .nth(nth)
            .map(|(i, _)| i)
            .unwrap()
    };
    let cue = token("said", 0);
    let content = cue + 1..token(".", 1);
    for source in [
        token("Vance", 0)..token("met", 0),
        token("Vance", 1)..token("Eastvale", 0) + 1,
    ] {
        let candidate = Candidate {
            kind: AttributionKind::Indirect,
            source: Some(source.clone()),
            source_inherited: false,
            cue: Some(cue..cue + 1),
            lemma: Some("say"),
            addressee: None,
            content: vec![content.clone()],
            stance: Stance::Asserts,
            parent: None,
        };
        let resolution = actors::resolve(&article.text, &analysis, &found, &[candidate]);
        let speaker = resolution.speakers[0].map(|a| resolution.actors[a].name.as_str());
        assert_eq!(speaker, Some("Harriet Vance"), "source {source:?}");
        assert_eq!(
            resolution
                .actors
                .iter()
                .filter(|a| a.name.contains("Vance"))
                .count(),
            1
        );
    }
}
