//! The seed article (`../shared/examples/seed-article.txt` and `.html`)
//! must show the ledger that `../shared/examples/README.md` lists. The files
//! are read when present; without them the test says so and skips.

use std::path::PathBuf;

use whosaid::record::{Attribution, AttributionKind, AuthorialKind, Record, Stance};
use whosaid::{Input, Pipeline};

fn seed(ext: &str) -> Option<Vec<u8>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/examples")
        .join(format!("seed-article.{ext}"));
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            eprintln!("skipping: {} not readable ({e})", path.display());
            None
        }
    }
}

fn record(bytes: &[u8], name: &str) -> Record {
    let input = Input {
        path: Some(name),
        ..Input::new(bytes)
    };
    let record = Pipeline::default().process(&input).expect("a record");
    record.check_spans().expect("spans slice the text");
    record
}

fn actor_named(r: &Record, surname: &str) -> usize {
    let found: Vec<_> = r
        .actors
        .iter()
        .filter(|a| a.name.split(' ').any(|w| w == surname))
        .collect();
    assert_eq!(found.len(), 1, "one actor for {surname}: {found:#?}");
    found[0].id
}

fn speaker_actor(a: &Attribution) -> Option<usize> {
    a.speaker.as_ref().and_then(|s| s.actor)
}

fn find<'r>(r: &'r Record, what: &str, f: impl Fn(&Attribution) -> bool) -> &'r Attribution {
    r.attributions
        .iter()
        .find(|a| f(a))
        .unwrap_or_else(|| panic!("no attribution for {what}"))
}

fn cue_has(a: &Attribution, word: &str) -> bool {
    a.cue.as_ref().is_some_and(|c| c.text.contains(word))
}

fn check_ledger(r: &Record) {
    let trump = actor_named(r, "Trump");
    let putin = actor_named(r, "Putin");
    let pompeo = actor_named(r, "Pompeo");
    let assange = actor_named(r, "Assange");
    assert_eq!(r.actors[trump].name, "Donald Trump");
    assert_eq!(r.actors[putin].name, "Vladimir Putin");

    // Trump's quotes to reporters, the unclosed one included.
    let told = find(r, "told reporters", |a| {
        a.kind == AttributionKind::Direct
            && cue_has(a, "told")
            && a.addressee.as_ref().is_some_and(|x| x.text == "reporters")
    });
    assert_eq!(speaker_actor(told), Some(trump));
    assert!(
        r.attributions
            .iter()
            .any(|a| a.kind == AttributionKind::Direct
                && a.content
                    .text
                    .contains("He did not do what they are saying he did")
                && speaker_actor(a) == Some(trump)),
        "the unclosed quote is Trump's"
    );
    assert!(r
        .warnings
        .iter()
        .any(|w| w.starts_with("unclosed quotation at paragraph")
            && w.ends_with("closed at paragraph end")));

    // Putin's denials as Trump reports them: quotes inside a quote.
    let inner = find(r, "I didn’t do that", |a| {
        a.content.text.starts_with("I didn’t do that")
    });
    assert_eq!(speaker_actor(inner), Some(putin));
    let outer = inner.parent.expect("nested quote has a parent");
    assert_eq!(speaker_actor(&r.attributions[outer]), Some(trump));

    let denied = find(r, "denied the accusations", |a| cue_has(a, "denied"));
    assert_eq!(denied.stance, Stance::Denies);
    assert_eq!(speaker_actor(denied), Some(putin));

    // Pompeo reaffirming and standing by the intelligence community.
    let reaffirmed = find(r, "reaffirmed", |a| cue_has(a, "reaffirmed"));
    assert_eq!(reaffirmed.stance, Stance::Affirms);
    assert_eq!(speaker_actor(reaffirmed), Some(pompeo));
    let stands = find(r, "“stands by”", |a| {
        a.content.text.contains("“stands by”")
    });
    assert_eq!(stands.kind, AttributionKind::Mixed);
    assert_eq!(speaker_actor(stands), Some(pompeo));

    // The spokesperson's quote, introduced by a colon a paragraph before.
    let cia = find(r, "C.I.A. spokesperson", |a| {
        a.speaker
            .as_ref()
            .is_some_and(|s| s.text == "A C.I.A. spokesperson")
    });
    assert_eq!(cia.kind, AttributionKind::Direct);
    assert!(cia.content.text.starts_with("The Director stands by"));
    assert_eq!(
        cia.addressee.as_ref().map(|x| x.text.as_str()),
        Some("The Hill")
    );

    let post = find(r, "according to The Washington Post", |a| {
        a.kind == AttributionKind::AccordingTo
    });
    assert_eq!(
        post.speaker.as_ref().map(|s| s.text.as_str()),
        Some("The Washington Post")
    );

    let offer = find(r, "Assange's offer", |a| cue_has(a, "offered"));
    assert_eq!(speaker_actor(offer), Some(assange));
    assert_eq!(offer.stance, Stance::Intends);

    find(r, "the joint statement", |a| {
        cue_has(a, "announcing") && a.content.text.starts_with("that they will continue")
    });
    let headlines: Vec<_> = r
        .attributions
        .iter()
        .filter(|a| a.kind == AttributionKind::Headline)
        .collect();
    assert!(headlines
        .iter()
        .any(|a| cue_has(a, "Denies") && speaker_actor(a) == Some(putin)));
    assert!(headlines
        .iter()
        .any(|a| cue_has(a, "Believes") && speaker_actor(a) == Some(trump)));
    assert!(headlines
        .iter()
        .any(|a| cue_has(a, "Stands By") && speaker_actor(a) == Some(pompeo)));

    // The author's own voice, apart from the attributions.
    let text = r.article.text.as_str();
    assert!(r.authorial.iter().any(|s| s.kind == AuthorialKind::Opinion
        && text[s.start..s.end].starts_with("I think we can find a clue")));
    assert!(r
        .authorial
        .iter()
        .any(|s| s.kind == AuthorialKind::Question));
    assert!(r.authorial.iter().any(|s| s.kind == AuthorialKind::Hedge));
    assert!(!r
        .attributions
        .iter()
        .any(|a| a.speaker.as_ref().is_some_and(|s| s.text == "I") && a.parent.is_none()));
}

#[test]
fn seed_article_text_ledger() {
    let Some(bytes) = seed("txt") else { return };
    let r = record(&bytes, "seed-article.txt");
    check_ledger(&r);
    assert!(r
        .warnings
        .iter()
        .any(|w| w == "unclosed quotation at paragraph 6; closed at paragraph end"));
}

#[test]
fn seed_article_html_ledger() {
    let Some(bytes) = seed("html") else { return };
    check_ledger(&record(&bytes, "seed-article.html"));
}
