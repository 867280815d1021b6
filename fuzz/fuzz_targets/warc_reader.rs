//! Arbitrary bytes as a WARC file: every record and error is drawn, and
//! each record's block is read as an HTTP response. The reader must end (a
//! loop shows up as libFuzzer's timeout) and never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use whosaid_warc::WarcReader;

fuzz_target!(|bytes: &[u8]| {
    let Ok(reader) = WarcReader::new(bytes) else {
        return;
    };
    // A small cap reaches the oversized-record path with small inputs.
    let cap = if bytes.len() % 2 == 0 { 1 << 20 } else { 64 };
    for item in reader.with_max_record_bytes(cap) {
        if let Ok(record) = item {
            if let Some(response) = record.http_response() {
                // De-chunking only ever drops bytes.
                assert!(response.body.len() <= record.block.len());
            }
        }
    }
});
