//! Writes a small WARC file of fictional pages, to look at or to check with
//! other WARC tools: `cargo run -p whosaid-warc --example sample -- out.warc.gz`
//! (a name without `.gz` gives a plain file).

use std::fs::File;
use std::io::BufWriter;
use std::process::ExitCode;

use whosaid_warc::WarcWriter;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: sample OUT.warc[.gz]");
        return ExitCode::from(2);
    };
    match write(&path) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sample: {path}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn write(path: &str) -> std::io::Result<()> {
    let file = BufWriter::new(File::create(path)?);
    let mut w = WarcWriter::new(file, path.ends_with(".gz"));
    let date = "2026-03-01T09:30:00Z";
    w.write_record(
        "warcinfo",
        &[
            ("WARC-Date", date),
            ("Content-Type", "application/warc-fields"),
        ],
        b"software: whosaid-warc sample\r\nformat: WARC File Format 1.1\r\n",
    )?;
    let pages = [
        ("harbour", "The harbour board approved the new breakwater, and its chair said \"the town has waited long enough\"."),
        ("library", "The library will open on Sundays from April, the council said on Friday."),
    ];
    for (slug, text) in pages {
        let uri = format!("https://courier.example/{slug}");
        w.write_record(
            "request",
            &[
                ("WARC-Date", date),
                ("WARC-Target-URI", &uri),
                ("Content-Type", "application/http; msgtype=request"),
            ],
            format!("GET /{slug} HTTP/1.1\r\nHost: courier.example\r\n\r\n").as_bytes(),
        )?;
        let body = format!("<!DOCTYPE html><html><head><title>{slug}</title></head><body><p>{text}</p></body></html>");
        w.write_response(
            &uri,
            date,
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8",
            body.as_bytes(),
        )?;
    }
    w.into_inner()?;
    Ok(())
}
