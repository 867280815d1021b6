//! Arbitrary bytes as a `whosaid/1` record: whatever parses must serialise
//! and parse back to an equal record.
#![no_main]

use libfuzzer_sys::fuzz_target;
use whosaid::Record;

fuzz_target!(|bytes: &[u8]| {
    let Ok(record) = serde_json::from_slice::<Record>(bytes) else {
        return;
    };
    let json = serde_json::to_string(&record).expect("a parsed record serialises");
    let back: Record = serde_json::from_str(&json).expect("a serialised record parses back");
    assert_eq!(back, record, "JSON round trip changed the record");
});
