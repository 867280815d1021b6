//! The whole pipeline on damaged and random input: it may refuse a document
//! with an error, but never panics, and every record it gives keeps its
//! spans inside the text (`Record::check_spans`).
//!
//! Inputs come from a fixed-seed generator, so a failure reproduces; the
//! failing input is written to the temp dir and named in the message.

use std::path::{Path, PathBuf};

use whosaid::{Input, InputKind, Pipeline};

/// xorshift64: small, deterministic, good enough to scramble inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn examples() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(&p).expect("reading an example"))
        })
        .collect()
}

/// Runs one input through the pipeline as HTML, as text and by guess.
fn check(what: &str, bytes: &[u8]) {
    let pipeline = Pipeline::default();
    for kind in [InputKind::Auto, InputKind::Html, InputKind::Text] {
        let result = std::panic::catch_unwind(|| {
            pipeline.process(&Input {
                bytes,
                kind,
                path: Some("input.html"),
                ..Input::default()
            })
        });
        let keep = || {
            let path = std::env::temp_dir().join(format!(
                "whosaid-robustness-{}.bin",
                what.replace(|c: char| !c.is_ascii_alphanumeric(), "-")
            ));
            let _ = std::fs::write(&path, bytes);
            path.display().to_string()
        };
        match result {
            Err(_) => panic!("{what} ({kind:?}) panicked; input kept in {}", keep()),
            Ok(Err(_refused)) => {}
            Ok(Ok(record)) => {
                if let Err(e) = record.check_spans() {
                    panic!("{what} ({kind:?}): {e}; input kept in {}", keep());
                }
            }
        }
    }
}

/// The example pages cut at random points, with random bytes flipped, and
/// with random stretches deleted or repeated.
#[test]
fn damaged_examples() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for (name, page) in examples() {
        for round in 0..8 {
            let mut bytes = page.clone();
            match round % 4 {
                0 => bytes.truncate(rng.below(bytes.len())),
                1 => {
                    for _ in 0..20 {
                        let at = rng.below(bytes.len());
                        bytes[at] = rng.next() as u8;
                    }
                }
                2 => {
                    let start = rng.below(bytes.len());
                    let end = (start + rng.below(400)).min(bytes.len());
                    bytes.drain(start..end);
                }
                _ => {
                    let start = rng.below(bytes.len());
                    let end = (start + rng.below(300)).min(bytes.len());
                    let piece = bytes[start..end].to_vec();
                    let at = rng.below(bytes.len());
                    for _ in 0..rng.below(5) + 1 {
                        bytes.splice(at..at, piece.iter().copied());
                    }
                }
            }
            check(&format!("{name} round {round}"), &bytes);
        }
    }
}

/// Article-like text assembled from the pieces the attribution stage reacts
/// to: quotation marks of every kind, cues, names, pronouns, paragraph
/// breaks, in random order and unbalanced.
#[test]
fn random_quotes_and_cues() {
    const PIECES: &[&str] = &[
        "\u{201c}",
        "\u{201d}",
        "\u{2018}",
        "\u{2019}",
        "\"",
        "'",
        "\u{ab}",
        "\u{bb}",
        " said ",
        " told reporters ",
        " according to ",
        " denied that ",
        " Ms Vance",
        " he",
        " she",
        " the council",
        " Tomasz Wren",
        ", ",
        ". ",
        "? ",
        "\n\n",
        "\n",
        " It was fine",
        " and",
        " \u{2014} ",
        "Mr.",
        " U.S.",
        " 3.5 per cent",
        " \u{e9}t\u{e9}",
        "\u{1f600}",
        "\t",
        "\u{a0}",
        "\r\n",
        "\u{200b}",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for case in 0..60 {
        let mut text = String::new();
        for _ in 0..rng.below(300) + 1 {
            text.push_str(PIECES[rng.below(PIECES.len())]);
        }
        check(&format!("text case {case}"), text.as_bytes());
        let html = format!(
            "<html><body><article><p>{}</p></article></body></html>",
            text.replace("\n\n", "</p><p>")
        );
        check(&format!("html case {case}"), html.as_bytes());
    }
}

/// Random bytes, some looking like markup.
#[test]
fn random_bytes() {
    let mut rng = Rng(0xdead_beef_cafe_f00d);
    for case in 0..80 {
        let len = rng.below(3000);
        let markup = case % 2 == 0;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                if markup && rng.below(4) == 0 {
                    b"<>/=\"' !-pa"[rng.below(11)]
                } else {
                    rng.next() as u8
                }
            })
            .collect();
        check(&format!("bytes case {case}"), &bytes);
    }
}
