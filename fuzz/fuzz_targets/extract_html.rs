//! Arbitrary bytes through the whole pipeline, kind guessed and forced to
//! HTML: refusing is fine, panicking is not, and every record keeps its spans
//! inside its text and survives a JSON round trip unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use whosaid::{Input, InputKind, Pipeline, Record};

fuzz_target!(|bytes: &[u8]| {
    let pipeline = Pipeline::default();
    for kind in [InputKind::Auto, InputKind::Html] {
        let input = Input {
            bytes,
            kind,
            path: Some("page.html"),
            ..Input::default()
        };
        if let Ok(record) = pipeline.process(&input) {
            check(&record);
        }
    }
});

fn check(record: &Record) {
    if let Err(e) = record.check_spans() {
        panic!("span invariant broken: {e}");
    }
    let json = serde_json::to_string(record).expect("a record serialises");
    let back: Record = serde_json::from_str(&json).expect("a record's JSON parses back");
    assert_eq!(&back, record, "JSON round trip changed the record");
}
