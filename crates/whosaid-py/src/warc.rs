//! `whosaid.warc_pages(path)`: the pages of a WARC file, read by the same
//! reader and the same rule (`WarcRecord::into_page`) as `whosaid ingest`,
//! so that a Python job (the Spark job among them) extracts exactly the
//! documents, bytes and provenance the command line would.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use whosaid_warc::{ErrorKind, Page, WarcError, WarcReader, HTTP_HEADER_ALLOWANCE};

/// An iterator of the pages of one WARC file (`.warc` or `.warc.gz`, one
/// gzip member per record). Each item is a dict: a page is `{"data": bytes,
/// "url", "charset", "fallback_date", "record", "offset", "path"}`, ready to
/// be an item of `extract_batch`; damage is `{"error": reason, "offset": N,
/// "path"}` and reading goes on after it.
#[pyclass(module = "whosaid._native")]
pub struct WarcPages {
    path: String,
    reader: Option<WarcReader<BufReader<File>>>,
}

#[pymethods]
impl WarcPages {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&mut self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(reader) = self.reader.as_mut() else {
            return Ok(None);
        };
        // Inflating and parsing need no Python objects: other threads run.
        let next = py.detach(|| loop {
            match reader.next() {
                None => return None,
                Some(Err(e)) => return Some(Err(e)),
                Some(Ok(record)) => {
                    if let Some(page) = record.into_page() {
                        return Some(Ok(page));
                    }
                }
            }
        });
        match next {
            None => {
                self.reader = None;
                Ok(None)
            }
            Some(Ok(page)) => page_dict(py, &self.path, page).map(Some),
            Some(Err(e)) => error_dict(py, &self.path, &e).map(Some),
        }
    }
}

fn page_dict<'py>(py: Python<'py>, path: &str, page: Page) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("data", PyBytes::new(py, &page.body))?;
    d.set_item("url", page.target_uri)?;
    d.set_item("charset", page.charset)?;
    d.set_item("fallback_date", page.date)?;
    d.set_item("record", page.record_id)?;
    d.set_item("offset", page.offset)?;
    d.set_item("path", path)?;
    Ok(d)
}

fn error_dict<'py>(py: Python<'py>, path: &str, e: &WarcError) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("error", e.kind.to_string())?;
    d.set_item("offset", e.offset)?;
    d.set_item("path", path)?;
    Ok(d)
}

/// The pages of the WARC file at `path`. `path` is also what each page's
/// `"path"` (and so its record's `source.path`) says, as `whosaid ingest
/// PATH` would. `max_bytes` is the page size limit of `extract` (records
/// larger than it plus room for HTTP headers are skipped as damage).
///
/// Raises `OSError` when the file cannot be opened and `ValueError` when it
/// is not a WARC file.
#[pyfunction]
#[pyo3(signature = (path, *, max_bytes = None))]
pub fn warc_pages(path: PathBuf, max_bytes: Option<u64>) -> PyResult<WarcPages> {
    let name = path.display().to_string();
    let max_bytes = max_bytes.unwrap_or(whosaid::Limits::default().max_input_bytes);
    match WarcReader::open(&path) {
        Ok(reader) => Ok(WarcPages {
            path: name,
            reader: Some(
                reader.with_max_record_bytes(max_bytes.saturating_add(HTTP_HEADER_ALLOWANCE)),
            ),
        }),
        Err(WarcError {
            kind: ErrorKind::Io(io),
            ..
        }) => Err(PyOSError::new_err(format!("{name}: {io}"))),
        Err(e) => Err(pyo3::exceptions::PyValueError::new_err(format!(
            "{name}: {e}"
        ))),
    }
}

/// Adds `warc_pages` and its iterator type to the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<WarcPages>()?;
    m.add_function(wrap_pyfunction!(warc_pages, m)?)?;
    Ok(())
}
