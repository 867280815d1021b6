//! Every record the pipeline gives validates against
//! `schema/record.schema.json`, over generated pages whose metadata is
//! messy (dates, languages, authors and URLs in every shape, valid or not)
//! and over arbitrary text. The schema's patterns for `published`,
//! `language` and `sha256` are where a loose normaliser would show.
//!
//! The generator's seed is fixed so that CI runs the same cases every time;
//! set `PROPTEST_CASES` to run more locally.

use std::path::Path;
use std::sync::OnceLock;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed};
use serde_json::Value;
use whosaid::{Input, InputKind, Pipeline, Record};

fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(0x0000_5c4e_3a00_0042),
        ..Config::default()
    }
}

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/record.schema.json");
        let text = std::fs::read_to_string(&path).expect("reading the schema");
        let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
        jsonschema::draft202012::new(&schema).expect("the schema compiles")
    })
}

/// Dates as pages write them, well and badly.
fn date() -> impl Strategy<Value = String> {
    prop_oneof![
        select(
            &[
                "2026-03-01",
                "2026-03-01T09:30:00Z",
                "2026-03-01T09:30:00.123+05:30",
                "2026-03-01T09:30:00+0530",
                "2026-03-01 09:30",
                "2026-02-30",
                "2026-13-45T99:99:99+25:00",
                "0000-00-00",
                "9999-12-31T23:59:60Z",
                "March 3, 2026",
                "3 March 2026, 4:05 PM EST",
                "Tuesday, March 3, 2026 4:05 p.m.",
                "03/04/2026",
                "1772496000",
                "Updated 2 hours ago",
                "",
                "2026",
                "2026-03",
                "20260301T093000Z",
                "\u{661}\u{669}\u{669}\u{669}-\u{661}\u{662}-\u{663}\u{661}",
            ][..]
        )
        .prop_map(str::to_string),
        (
            1u32..10000,
            0u32..20,
            0u32..40,
            0u32..30,
            0u32..70,
            any::<bool>()
        )
            .prop_map(|(y, m, d, h, min, zoned)| {
                let zone = if zoned { "Z" } else { "-04:00" };
                format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:00{zone}")
            }),
        any::<String>(),
    ]
}

fn language() -> impl Strategy<Value = String> {
    prop_oneof![
        select(
            &[
                "en",
                "EN",
                "en-US",
                "en_GB",
                "zh-Hant-TW",
                "x",
                "",
                "123",
                "fr-",
                "-en",
                "i-klingon",
                "sgn-BE-FR",
                "en-US-x-twain",
                "\u{e9}n",
                "english",
                "abcdefghij",
            ][..]
        )
        .prop_map(str::to_string),
        "[a-zA-Z0-9_-]{0,12}",
        any::<String>(),
    ]
}

/// Attribute values are quoted with `"`; keep them from closing early.
fn attr(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

fn text_escape(value: &str) -> String {
    value.replace('&', "&amp;").replace('<', "&lt;")
}

const SENTENCES: &[&str] = &[
    "\u{201c}We will reopen the bridge on Monday,\u{201d} the mayor said.",
    "Tomasz Wren told reporters that the repairs had cost more than planned.",
    "According to the harbour authority, the ferries will run until June.",
    "Ms Vance denied that the council had ignored the warnings: \u{201c}We listened to \u{2018}every\u{2019} word.\u{201d}",
    "\"It's not over,\" she added, \"not by a long way.",
    "Residents were not convinced.",
    "The Gazette reported on Tuesday that the vote was delayed.",
    "Is this really the end? Nobody could say.",
];

fn page() -> impl Strategy<Value = (Vec<u8>, Option<String>)> {
    (
        date(),
        date(),
        language(),
        vec(any::<String>(), 0..3),
        vec(select(SENTENCES), 1..12),
        any::<String>(),
        prop::option::of(date()),
        0..4u8,
    )
        .prop_map(
            |(meta_date, time_date, lang, authors, sentences, url, fallback, shape)| {
                let mut head = format!(
                    "<meta property=\"article:published_time\" content=\"{}\">",
                    attr(&meta_date)
                );
                for a in &authors {
                    head.push_str(&format!("<meta name=\"author\" content=\"{}\">", attr(a)));
                }
                head.push_str(&format!(
                    "<link rel=\"canonical\" href=\"{}\">",
                    attr(&url)
                ));
                if shape & 1 == 1 {
                    head.push_str(&format!(
                        "<script type=\"application/ld+json\">{{\"@type\":\"NewsArticle\",\"datePublished\":{},\"inLanguage\":{},\"author\":{{\"name\":{}}}}}</script>",
                        Value::from(meta_date.as_str()),
                        Value::from(lang.as_str()),
                        Value::from(authors.first().map_or("", String::as_str)),
                    ));
                }
                let byline = authors.first().map_or(String::new(), |a| {
                    format!("<p class=\"byline\">By {}</p>", text_escape(a))
                });
                let body: String = sentences
                    .chunks(3)
                    .map(|c| format!("<p>{}</p>", c.join(" ")))
                    .collect();
                let page = format!(
                    "<!doctype html><html lang=\"{}\"><head><title>Bridge to reopen</title>{head}</head><body><article><h1>Bridge to reopen</h1>{byline}<time datetime=\"{}\">{}</time>{body}</article></body></html>",
                    attr(&lang),
                    attr(&time_date),
                    text_escape(&time_date),
                );
                (page.into_bytes(), fallback)
            },
        )
}

fn assert_valid(record: &Record) -> Result<(), TestCaseError> {
    let value = serde_json::to_value(record).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let errors: Vec<String> = validator()
        .iter_errors(&value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    prop_assert!(
        errors.is_empty(),
        "record breaks the schema: {}\narticle: {}",
        errors.join("; "),
        serde_json::to_string(&value["article"]).unwrap_or_default()
    );
    // The text printed is the text parsed: the JSON itself round-trips.
    let json = serde_json::to_string(record).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let back: Record =
        serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&back, record);
    Ok(())
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn records_of_messy_pages_validate((bytes, fallback) in page(), url in prop::option::of(any::<String>())) {
        let input = Input {
            bytes: &bytes,
            kind: InputKind::Auto,
            path: Some("page.html"),
            url: url.as_deref(),
            fallback_date: fallback.as_deref(),
            record: Some("<urn:uuid:1>"),
            ..Input::default()
        };
        if let Ok(record) = Pipeline::default().process(&input) {
            assert_valid(&record)?;
        }
    }

    #[test]
    fn records_of_arbitrary_text_validate(text in any::<String>(), fallback in prop::option::of(date())) {
        for kind in [InputKind::Text, InputKind::Html] {
            let input = Input {
                bytes: text.as_bytes(),
                kind,
                fallback_date: fallback.as_deref(),
                ..Input::default()
            };
            if let Ok(record) = Pipeline::default().process(&input) {
                assert_valid(&record)?;
            }
        }
    }
}
