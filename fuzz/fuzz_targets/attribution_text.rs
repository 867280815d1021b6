//! Arbitrary UTF-8 as plain text (`--input text`): the attribution engine
//! sees the input almost unchanged, so this reaches quotation pairing, cues
//! and actors without the HTML extractor in between.
#![no_main]

use libfuzzer_sys::fuzz_target;
use whosaid::{Input, InputKind, Pipeline, Record};

fuzz_target!(|text: &str| {
    let input = Input {
        bytes: text.as_bytes(),
        kind: InputKind::Text,
        path: Some("story.txt"),
        ..Input::default()
    };
    if let Ok(record) = Pipeline::default().process(&input) {
        if let Err(e) = record.check_spans() {
            panic!("span invariant broken: {e}");
        }
        let json = serde_json::to_string(&record).expect("a record serialises");
        let back: Record = serde_json::from_str(&json).expect("a record's JSON parses back");
        assert_eq!(back, record, "JSON round trip changed the record");
    }
});
