//! The benchmark's pages, read into memory before anything is timed.
//!
//! Two layouts: a WCXB-style folder (`html/NNNN.html[.gz]` beside
//! `ground-truth/NNNN.json`), or a plain folder of `*.html[.gz]` pages without
//! ground truth. Pages are sorted by file name so that every extractor, in
//! Rust or Python, sees them in the same order.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// One page, decompressed, with what its ground truth says when there is one.
pub struct Page {
    /// The file name without `.html` / `.html.gz`.
    pub id: String,
    /// The page as served (gzip already undone: decompression is not timed).
    pub bytes: Vec<u8>,
    /// The URL the page was fetched from, from the ground truth.
    pub url: Option<String>,
}

/// Where a data folder keeps its pages and (optional) ground truth.
pub struct Layout {
    pub html_dir: PathBuf,
    pub truth_dir: Option<PathBuf>,
}

impl Layout {
    pub fn of(data: &Path) -> Result<Layout> {
        let html_dir = data.join("html");
        let truth_dir = data.join("ground-truth");
        if html_dir.is_dir() {
            return Ok(Layout {
                html_dir,
                truth_dir: truth_dir.is_dir().then_some(truth_dir),
            });
        }
        if data.is_dir() {
            return Ok(Layout {
                html_dir: data.to_path_buf(),
                truth_dir: None,
            });
        }
        bail!("{}: not a folder", data.display())
    }

    pub fn truth_path(&self, id: &str) -> Option<PathBuf> {
        self.truth_dir
            .as_ref()
            .map(|dir| dir.join(format!("{id}.json")))
            .filter(|p| p.is_file())
    }
}

/// The page id of a file name, or None when the file is not a page.
pub fn page_id(file_name: &str) -> Option<&str> {
    file_name
        .strip_suffix(".html.gz")
        .or_else(|| file_name.strip_suffix(".html"))
        .filter(|id| !id.is_empty())
}

/// Reads every page of the folder, decompressed, with its URL.
pub fn load(layout: &Layout, limit: Option<usize>) -> Result<Vec<Page>> {
    let mut files: Vec<(String, PathBuf)> = std::fs::read_dir(&layout.html_dir)
        .with_context(|| format!("reading {}", layout.html_dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?;
            let id = page_id(name)?.to_string();
            Some((id, path))
        })
        .collect();
    files.sort();
    if let Some(n) = limit {
        files.truncate(n);
    }
    if files.is_empty() {
        bail!(
            "{}: no *.html or *.html.gz pages",
            layout.html_dir.display()
        );
    }
    files
        .into_iter()
        .map(|(id, path)| {
            let raw =
                std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
                let mut out = Vec::with_capacity(raw.len() * 5);
                flate2::read::MultiGzDecoder::new(&raw[..])
                    .read_to_end(&mut out)
                    .with_context(|| format!("decompressing {}", path.display()))?;
                out
            } else {
                raw
            };
            let url = match layout.truth_path(&id) {
                Some(truth) => read_truth(&truth)?["url"].as_str().map(str::to_string),
                None => None,
            };
            Ok(Page { id, bytes, url })
        })
        .collect()
}

pub fn read_truth(path: &Path) -> Result<serde_json::Value> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("parsing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_ids_drop_the_html_suffixes() {
        let cases = [
            ("0001.html.gz", Some("0001")),
            ("rain-due.html", Some("rain-due")),
            ("notes.txt", None),
            (".html", None),
            ("0001.json", None),
        ];
        for (name, want) in cases {
            assert_eq!(page_id(name), want, "{name}");
        }
    }
}
