//! Packs page files into a WARC file, one `response` record each, to feed
//! whole folders of pages through WARC reading:
//! `cargo run -p whosaid-warc --example pack -- OUT.warc.gz PAGE...`.
//! Gzip pages (`.gz`) are stored with `Content-Encoding: gzip`, as a crawler
//! would store a compressed response; URIs are made up from the file names.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::process::ExitCode;

use whosaid_warc::WarcWriter;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((out, pages)) = args.split_first() else {
        eprintln!("usage: pack OUT.warc[.gz] PAGE...");
        return ExitCode::from(2);
    };
    match pack(out, pages) {
        Ok(n) => {
            eprintln!("pack: {n} pages into {out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("pack: {e}");
            ExitCode::FAILURE
        }
    }
}

fn pack(out: &str, pages: &[String]) -> Result<usize, String> {
    let file = File::create(out).map_err(|e| format!("{out}: {e}"))?;
    let mut w = WarcWriter::new(BufWriter::new(file), out.ends_with(".gz"));
    for page in pages {
        let body = std::fs::read(page).map_err(|e| format!("{page}: {e}"))?;
        let name = Path::new(page)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = name.strip_suffix(".gz").unwrap_or(&name);
        let mut head = String::from("HTTP/1.1 200 OK\r\nContent-Type: text/html");
        if stem.len() != name.len() {
            head.push_str("\r\nContent-Encoding: gzip");
        }
        let uri = format!("https://pack.invalid/{stem}");
        w.write_response(&uri, "2026-01-01T00:00:00Z", &head, &body)
            .map_err(|e| format!("{out}: {e}"))?;
    }
    w.into_inner().map_err(|e| format!("{out}: {e}"))?;
    Ok(pages.len())
}
