//! Lists the records of WARC files, one line each (offset, type, status,
//! target URI), and the damage found: `cargo run -p whosaid-warc --example
//! index -- FILE...`. Handy beside `warcio index` to compare readers.

use std::path::Path;
use std::process::ExitCode;

use whosaid_warc::WarcReader;

fn main() -> ExitCode {
    let mut damaged = false;
    for path in std::env::args().skip(1) {
        let reader = match WarcReader::open(Path::new(&path)) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("index: {path} {e}");
                damaged = true;
                continue;
            }
        };
        for record in reader {
            match record {
                Ok(r) => {
                    let status = r
                        .http_response()
                        .map(|h| h.status.to_string())
                        .unwrap_or_else(|| "-".into());
                    println!(
                        "{}\t{}\t{}\t{}",
                        r.offset,
                        r.warc_type,
                        status,
                        r.target_uri.as_deref().unwrap_or("-")
                    );
                }
                Err(e) => {
                    eprintln!("index: {path} {e}");
                    damaged = true;
                }
            }
        }
    }
    if damaged {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
