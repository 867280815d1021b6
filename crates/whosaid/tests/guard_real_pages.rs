//! The pre-parse guard must never touch an ordinary page: its model of the
//! tree builder is approximate, and this checks that the approximation never
//! mistakes real-world markup for hostile nesting. Reads the WCXB dev pages
//! from `../shared` and skips, saying so, when they are absent.

use std::borrow::Cow;
use std::io::Read;
use std::path::Path;

use whosaid::extract::guard::guard;
use whosaid::Limits;

#[test]
fn real_pages_pass_the_guard_untouched() {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/wcxb-articles-dev/html");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipping: {} is absent", dir.display());
        return;
    };
    // A quarter of the default depth: real pages must be far below it.
    let limits = Limits {
        max_dom_depth: Limits::default().max_dom_depth / 4,
        ..Limits::default()
    };
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".html.gz"))
        .collect();
    paths.sort();
    let mut pages = 0;
    let mut touched = Vec::new();
    // Every sixteenth page keeps a debug-build run to a second or two;
    // WHOSAID_ALL_PAGES=1 checks them all.
    let step = if std::env::var_os("WHOSAID_ALL_PAGES").is_some() {
        1
    } else {
        16
    };
    for path in paths.into_iter().step_by(step) {
        let Ok(file) = std::fs::File::open(&path) else {
            continue;
        };
        let mut bytes = Vec::new();
        if flate2::read::MultiGzDecoder::new(file)
            .read_to_end(&mut bytes)
            .is_err()
        {
            continue;
        }
        let html = String::from_utf8_lossy(&bytes);
        let guarded = guard(&html, &limits);
        if !matches!(guarded.html, Cow::Borrowed(_)) {
            touched.push(format!("{}: {:?}", path.display(), guarded.warnings));
        }
        pages += 1;
    }
    if pages == 0 {
        eprintln!("skipping: no .html.gz pages in {}", dir.display());
        return;
    }
    assert!(
        touched.is_empty(),
        "{} of {pages} real pages rewritten at depth {}:\n{}",
        touched.len(),
        limits.max_dom_depth,
        touched.join("\n")
    );
}
