//! The record's invariants as properties, over generated news-like text and
//! HTML and over arbitrary strings and bytes:
//!
//! - every span lies inside `article.text` on character boundaries and its
//!   `text` equals the slice;
//! - a nested attribution's content lies inside its parent's content, and
//!   parents form no cycle;
//! - every actor index exists, and ids are positions;
//! - plain text comes out as it went in (CRLF/CR to LF, BOM dropped);
//! - the JSON round trip gives an equal record;
//! - output is byte-identical across runs and across thread counts.
//!
//! The generator's seed is fixed so that CI runs the same cases every time;
//! set `PROPTEST_CASES` to run more locally. A failure is shrunk and printed
//! by proptest, and can be kept as a regression test (see
//! `tests/fuzz_regressions.rs`).

use std::sync::OnceLock;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed};
use rayon::prelude::*;
use whosaid::{Input, InputKind, Pipeline, Record};

/// Fixed seed and algorithm: CI must run the same cases every time.
fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(0x0005_eed0_fa11_c0de),
        ..Config::default()
    }
}

const WORDS: &[&str] = &[
    "the",
    "council",
    "will",
    "reopen",
    "bridge",
    "on",
    "Monday",
    "after",
    "months",
    "of",
    "repairs",
    "and",
    "it",
    "was",
    "not",
    "clear",
    "whether",
    "funding",
    "would",
    "last",
    "residents",
    "were",
    "told",
    "wait",
    "in",
    "a",
    "statement",
    "Mr.",
    "Dr.",
    "U.S.",
    "3.5",
    "per",
    "cent",
    "2026",
    "\u{e9}t\u{e9}",
    "na\u{ef}ve",
    "\u{1f309}",
    "Stra\u{df}e",
    "\u{412}\u{43e}\u{434}\u{430}",
    "\u{6c34}",
    "it's",
    "don't",
    "rock 'n' roll",
    "'90s",
    "5'11\"",
    "\u{2014}",
    "\u{2013}",
    "\u{2026}",
    "\u{a0}",
    "\u{200b}",
    "\t",
];

const NAMES: &[&str] = &[
    "Tomasz Wren",
    "Ms Vance",
    "Adaeze Okafor",
    "the mayor",
    "the harbour authority",
    "he",
    "she",
    "they",
    "Dr. Ines Salo",
    "a spokeswoman",
    "the Gazette",
    "Mr. O'Brien",
    "Jean-Luc Marchetti",
    "officials",
    "the Ministry of Bridges",
];

const CUES: &[&str] = &[
    "said",
    "told reporters",
    "denied",
    "according to",
    "claimed",
    "believes",
    "confirmed",
    "questioned",
    "reported",
    "added",
    "warned",
    "insisted",
    "said on Tuesday",
    "wrote",
    "rejected",
    "stands by",
    "is convinced",
];

const PUNCT: &[&str] = &[
    ",", ".", ";", ":", "?", "!", "(", ")", "-", "\u{2014}", "...", "&",
];

/// Opening and closing marks of every kind in use, and some misuse.
const QUOTES: &[(&str, &str)] = &[
    ("\"", "\""),
    ("\u{201c}", "\u{201d}"),
    ("\u{2018}", "\u{2019}"),
    ("'", "'"),
    ("\u{ab}", "\u{bb}"),
    ("\u{bb}", "\u{ab}"),
    ("\u{ab}\u{a0}", "\u{a0}\u{bb}"),
    ("\u{201e}", "\u{201c}"),
    ("\u{201a}", "\u{2018}"),
    ("\u{2039}", "\u{203a}"),
    ("\u{300c}", "\u{300d}"),
    ("\u{201d}", "\u{201d}"),
    ("``", "''"),
    ("\u{2033}", "\u{2033}"),
];

/// A word, name, cue or mark, or a quotation around more of them (nested up
/// to three deep), balanced or not.
fn segment() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        8 => select(WORDS).prop_map(str::to_string),
        3 => select(NAMES).prop_map(str::to_string),
        3 => select(CUES).prop_map(str::to_string),
        3 => select(PUNCT).prop_map(str::to_string),
        1 => any::<char>().prop_map(|c| c.to_string()),
    ];
    leaf.prop_recursive(3, 48, 8, |inner| {
        (select(QUOTES), vec(inner, 1..8), 0..6u8).prop_map(|((open, close), parts, shape)| {
            let body = parts.join(" ");
            match shape {
                0 => format!("{open}{body}"),
                1 => format!("{body}{close}"),
                2 => format!("{open}{body}{open}"),
                _ => format!("{open}{body}{close}"),
            }
        })
    })
}

fn free_sentence() -> impl Strategy<Value = String> {
    (
        vec(segment(), 1..14),
        select(&[".", "?", "!", "", ".\u{201d}"][..]),
    )
        .prop_map(|(parts, end)| format!("{}{end}", parts.join(" ")))
}

/// Sentences shaped the way news reports speech, and free ones.
fn sentence() -> impl Strategy<Value = String> {
    let quote = select(QUOTES);
    prop_oneof![
        3 => free_sentence(),
        2 => (quote.clone(), free_sentence(), select(NAMES), select(CUES))
            .prop_map(|((o, c), s, n, cue)| format!("{o}{s},{c} {n} {cue}.")),
        1 => (select(NAMES), select(CUES), free_sentence())
            .prop_map(|(n, cue, s)| format!("{n} {cue} that {s}")),
        1 => (select(NAMES), free_sentence())
            .prop_map(|(n, s)| format!("According to {n}, {s}")),
        1 => (select(NAMES), select(CUES), quote, free_sentence())
            .prop_map(|(n, cue, (o, c), s)| format!("{n} {cue}: {o}{s}{c}")),
    ]
}

fn paragraph() -> impl Strategy<Value = String> {
    vec(sentence(), 1..5).prop_map(|s| s.join(" "))
}

/// A plain-text article: paragraphs with any line ending, sometimes a BOM.
fn news_text() -> impl Strategy<Value = String> {
    (
        vec(paragraph(), 1..7),
        select(&["\n\n", "\n", "\r\n\r\n", "\r\n", "\r", "\n \n"][..]),
        any::<bool>(),
    )
        .prop_map(|(paras, sep, bom)| {
            let body = paras.join(sep);
            if bom {
                format!("\u{feff}{body}")
            } else {
                body
            }
        })
}

/// News text with a few random bytes spliced in, mostly breaking its UTF-8.
fn news_bytes() -> impl Strategy<Value = Vec<u8>> {
    (
        news_text(),
        vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    )
        .prop_map(|(text, noise)| {
            let mut bytes = text.into_bytes();
            for (at, byte) in noise {
                let at = at.index(bytes.len() + 1);
                bytes.insert(at, byte);
            }
            bytes
        })
}

/// Writes marks as HTML entities in one of several styles.
fn entities(text: &str, style: u8) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match (style, c) {
            (0, '&') => out.push_str("&amp;"),
            (0, '<') => out.push_str("&lt;"),
            (0, c) => out.push(c),
            (1, '"') => out.push_str("&quot;"),
            (1, '\u{201c}') => out.push_str("&ldquo;"),
            (1, '\u{201d}') => out.push_str("&rdquo;"),
            (1, '\u{2019}') => out.push_str("&rsquo;"),
            (1, '\u{a0}') => out.push_str("&nbsp;"),
            (1, '&') => out.push_str("&amp;"),
            (1, '<') => out.push_str("&lt;"),
            (2, c) if !c.is_ascii_alphanumeric() && c != ' ' => {
                out.push_str(&format!("&#{};", c as u32))
            }
            (3, c) if !c.is_ascii_alphanumeric() && c != ' ' => {
                out.push_str(&format!("&#x{:X};", c as u32))
            }
            // Raw markup characters and a bogus entity, as broken pages have.
            (_, '&') => out.push_str("&bogus;&"),
            (_, c) => out.push(c),
        }
    }
    out
}

/// One block of a page: its text, element, nesting, entity style and
/// whether its tags are left open.
type PageBlock = (String, &'static str, usize, u8, bool);

/// A page around news paragraphs: nested wrappers, entities, open tags,
/// boilerplate, and sometimes a few random bytes spliced in.
fn news_html() -> impl Strategy<Value = Vec<u8>> {
    let block = (
        paragraph(),
        select(&["p", "blockquote", "h2", "li", "div", "span", "q", "td"][..]),
        0..6usize,
        0..5u8,
        any::<bool>(),
    );
    (
        free_sentence(),
        vec(block, 1..8),
        any::<bool>(),
        vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
    )
        .prop_map(|(title, blocks, boilerplate, noise)| {
            let blocks: Vec<PageBlock> = blocks;
            let mut page = format!(
                "<!doctype html><html><head><meta charset=\"utf-8\"><title>{}</title></head><body>",
                entities(&title, 1)
            );
            if boilerplate {
                page.push_str("<nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav>");
            }
            page.push_str("<article>");
            for (text, tag, depth, style, open) in &blocks {
                for _ in 0..*depth {
                    page.push_str("<div class=\"wrap\">");
                }
                page.push_str(&format!("<{tag}>{}", entities(text, *style)));
                if !open {
                    page.push_str(&format!("</{tag}>"));
                    for _ in 0..*depth {
                        page.push_str("</div>");
                    }
                }
            }
            page.push_str("</article>");
            if boilerplate {
                page.push_str("<footer>Copyright The Gazette</footer>");
            }
            page.push_str("</body></html>");
            let mut bytes = page.into_bytes();
            for (at, byte) in noise {
                let at = at.index(bytes.len() + 1);
                bytes.insert(at, byte);
            }
            bytes
        })
}

/// Checks every invariant of one record, independently of
/// `Record::check_spans` (which is checked too).
fn invariants(record: &Record) -> Result<(), String> {
    record.check_spans()?;
    let text = record.article.text.as_str();
    let slice = |what: &str, start: usize, end: usize| -> Result<&str, String> {
        text.get(start..end)
            .ok_or_else(|| format!("{what} [{start}, {end}) is not a slice of the text"))
    };
    let same = |what: &str, start: usize, end: usize, claimed: &str| -> Result<(), String> {
        if slice(what, start, end)? == claimed {
            Ok(())
        } else {
            Err(format!("{what} text {claimed:?} is not its slice"))
        }
    };
    for b in &record.article.blocks {
        slice("block", b.start, b.end)?;
    }
    for (i, actor) in record.actors.iter().enumerate() {
        if actor.id != i {
            return Err(format!("actor at {i} has id {}", actor.id));
        }
        for m in &actor.mentions {
            slice("mention", m.start, m.end)?;
        }
    }
    let actor_exists = |what: &str, actor: Option<usize>| -> Result<(), String> {
        match actor {
            Some(a) if a >= record.actors.len() => Err(format!(
                "{what} points at actor {a} of {}",
                record.actors.len()
            )),
            _ => Ok(()),
        }
    };
    for (i, a) in record.attributions.iter().enumerate() {
        if a.id != i {
            return Err(format!("attribution at {i} has id {}", a.id));
        }
        if let Some(s) = &a.speaker {
            same("speaker", s.start, s.end, &s.text)?;
            actor_exists("speaker", s.actor)?;
        }
        if let Some(s) = &a.addressee {
            same("addressee", s.start, s.end, &s.text)?;
            actor_exists("addressee", s.actor)?;
        }
        if let Some(c) = &a.cue {
            same("cue", c.start, c.end, &c.text)?;
        }
        same("content", a.content.start, a.content.end, &a.content.text)?;
        for [s, e] in a.content.spans.iter().flatten() {
            slice("content part", *s, *e)?;
        }
        // Walk up the parents: each contains its child, and the walk ends.
        let (mut child, mut steps) = (a, 0);
        while let Some(p) = child.parent {
            let parent = record
                .attributions
                .get(p)
                .ok_or_else(|| format!("attribution {i} has missing parent {p}"))?;
            if child.content.start < parent.content.start || child.content.end > parent.content.end
            {
                return Err(format!(
                    "attribution {} lies outside its parent {p}'s content",
                    child.id
                ));
            }
            steps += 1;
            if steps > record.attributions.len() {
                return Err(format!("attribution {i}'s parents form a cycle"));
            }
            child = parent;
        }
    }
    for s in &record.authorial {
        slice("authorial span", s.start, s.end)?;
    }
    let json = serde_json::to_string(record).map_err(|e| format!("serialising: {e}"))?;
    let back: Record = serde_json::from_str(&json).map_err(|e| format!("parsing back: {e}"))?;
    if &back != record {
        return Err("the JSON round trip changed the record".to_string());
    }
    Ok(())
}

fn process(bytes: &[u8], kind: InputKind) -> Option<Record> {
    Pipeline::default()
        .process(&Input {
            bytes,
            kind,
            path: Some("input"),
            ..Input::default()
        })
        .ok()
}

fn check_all_kinds(bytes: &[u8], kinds: &[InputKind]) -> Result<(), TestCaseError> {
    for &kind in kinds {
        if let Some(record) = process(bytes, kind) {
            invariants(&record).map_err(|e| TestCaseError::fail(format!("{kind:?}: {e}")))?;
        }
    }
    Ok(())
}

/// What plain-text input must come out as.
fn plain_text_as_read(input: &str) -> String {
    input
        .strip_prefix('\u{feff}')
        .unwrap_or(input)
        .replace("\r\n", "\n")
        .replace('\r', "\n")
}

fn json_of(bytes: &[u8], kind: InputKind) -> String {
    match Pipeline::default().process(&Input {
        bytes,
        kind,
        path: Some("input"),
        ..Input::default()
    }) {
        Ok(record) => serde_json::to_string(&record).unwrap(),
        Err(e) => format!("error: {e}"),
    }
}

fn pool(threads: usize) -> &'static rayon::ThreadPool {
    static POOLS: OnceLock<[rayon::ThreadPool; 2]> = OnceLock::new();
    let pools = POOLS.get_or_init(|| {
        [1, 4].map(|n| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .unwrap()
        })
    });
    &pools[usize::from(threads != 1)]
}

proptest! {
    #![proptest_config(config(96))]

    #[test]
    fn news_text_keeps_every_invariant(text in news_text()) {
        check_all_kinds(text.as_bytes(), &[InputKind::Text, InputKind::Auto])?;
    }

    #[test]
    fn plain_text_comes_out_as_it_went_in(text in news_text()) {
        let Some(record) = process(text.as_bytes(), InputKind::Text) else {
            // Only text that looks binary or holds nothing may be refused.
            let controls = text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c' | '\x1b') && (c as u32) < 0x20);
            prop_assert!(controls || text.trim().is_empty(), "news text refused: {:?}", text);
            return Ok(());
        };
        // A repair of double-encoded UTF-8 rewrites the text on purpose.
        if !record.warnings.iter().any(|w| w.contains("encoded twice")) {
            prop_assert_eq!(&record.article.text, &plain_text_as_read(&text));
        }
    }

    #[test]
    fn news_html_keeps_every_invariant(page in news_html()) {
        check_all_kinds(&page, &[InputKind::Html, InputKind::Auto])?;
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn news_text_with_stray_bytes_keeps_every_invariant(bytes in news_bytes()) {
        check_all_kinds(&bytes, &[InputKind::Text, InputKind::Html, InputKind::Auto])?;
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn arbitrary_strings_keep_every_invariant(text in any::<String>()) {
        check_all_kinds(text.as_bytes(), &[InputKind::Text, InputKind::Html, InputKind::Auto])?;
    }

    #[test]
    fn arbitrary_bytes_keep_every_invariant(bytes in vec(any::<u8>(), 0..2048)) {
        check_all_kinds(&bytes, &[InputKind::Text, InputKind::Html, InputKind::Auto])?;
    }
}

proptest! {
    #![proptest_config(config(16))]

    /// Two runs, and pools of one and four threads, give the same bytes:
    /// no hash order, global state or thread-local leaks into a record.
    #[test]
    fn output_is_identical_across_runs_and_thread_counts(
        texts in vec(news_text(), 1..6),
        pages in vec(news_html(), 1..6),
    ) {
        let inputs: Vec<(Vec<u8>, InputKind)> = texts
            .into_iter()
            .map(|t| (t.into_bytes(), InputKind::Text))
            .chain(pages.into_iter().map(|p| (p, InputKind::Auto)))
            .collect();
        let run = |threads: usize| -> Vec<String> {
            pool(threads).install(|| {
                inputs.par_iter().map(|(bytes, kind)| json_of(bytes, *kind)).collect()
            })
        };
        let one = run(1);
        prop_assert_eq!(&one, &run(1), "two runs on one thread differ");
        prop_assert_eq!(&one, &run(4), "one thread and four threads differ");
    }
}
