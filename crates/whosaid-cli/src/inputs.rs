//! Turning command-line paths into documents to read.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// One input named on the command line, or found by walking a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSource {
    Stdin,
    File(PathBuf),
}

impl InputSource {
    /// The name used in records and error lines: the path as given, or `-`.
    pub fn display(&self) -> String {
        match self {
            InputSource::Stdin => "-".to_string(),
            InputSource::File(p) => p.display().to_string(),
        }
    }
}

/// An input that could not be listed or read, with the reason.
#[derive(Debug)]
pub struct InputError {
    pub name: String,
    pub reason: String,
}

/// Files inside a directory that are taken as documents.
fn is_document(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    [
        ".html", ".htm", ".xhtml", ".txt", ".warc", ".jsonl", ".ndjson",
    ]
    .iter()
    .any(|ext| name.ends_with(ext))
}

/// Expands the paths: directories are walked recursively in sorted order.
pub fn expand(paths: &[String]) -> (Vec<InputSource>, Vec<InputError>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p == "-" {
            out.push(InputSource::Stdin);
            continue;
        }
        let path = PathBuf::from(p);
        match fs::metadata(&path) {
            Err(e) => errors.push(InputError {
                name: p.clone(),
                reason: io_reason(&e),
            }),
            Ok(m) if m.is_dir() => {
                let before = out.len();
                walk(&path, &mut out, &mut errors);
                if out.len() == before {
                    errors.push(InputError {
                        name: p.clone(),
                        reason: "directory holds no pages (.html, .htm, .txt, .warc, .jsonl, optionally .gz)"
                            .into(),
                    });
                }
            }
            Ok(_) => out.push(InputSource::File(path)),
        }
    }
    (out, errors)
}

fn walk(dir: &Path, out: &mut Vec<InputSource>, errors: &mut Vec<InputError>) {
    // An explicit stack rather than recursion: directory trees can be deep.
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) => {
                errors.push(InputError {
                    name: dir.display().to_string(),
                    reason: io_reason(&e),
                });
                continue;
            }
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        let mut subdirs = Vec::new();
        for p in paths {
            if p.is_dir() {
                subdirs.push(p);
            } else if is_document(&p) {
                out.push(InputSource::File(p));
            }
        }
        // Sorted order overall: a directory's files, then its subdirectories in order.
        stack.extend(subdirs.into_iter().rev());
    }
}

/// Reads an input, refusing more than `limit` bytes without reading them all.
pub fn read(source: &InputSource, limit: u64) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    match source {
        InputSource::Stdin => {
            std::io::stdin()
                .lock()
                .take(limit + 1)
                .read_to_end(&mut buf)
                .map_err(|e| io_reason(&e))?;
        }
        InputSource::File(path) => {
            let file = fs::File::open(path).map_err(|e| io_reason(&e))?;
            let meta = file.metadata().map_err(|e| io_reason(&e))?;
            if meta.is_dir() {
                return Err("is a directory".into());
            }
            if meta.len() > limit {
                return Err(format!(
                    "input is {} bytes, over the limit of {limit} bytes",
                    meta.len()
                ));
            }
            file.take(limit + 1)
                .read_to_end(&mut buf)
                .map_err(|e| io_reason(&e))?;
        }
    }
    if buf.len() as u64 > limit {
        return Err(format!("input is over the limit of {limit} bytes"));
    }
    Ok(buf)
}

pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}
