//! Python bindings of whosaid: the native module `whosaid._native`, which the
//! Python package `whosaid` (python/whosaid) re-exports.
//!
//! Thin on purpose: Python values in, `whosaid::Input` and `Limits` out, the
//! record back as the dict `json.loads` makes of the CLI's JSON, library
//! errors as `ExtractError`. All the work is the library's; records equal
//! the CLI's for the same bytes because both build the same `Input` (the
//! path as the name, nothing else known).

mod warc;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyString, PyTuple};
use whosaid::{Input, InputKind, Limits, Pipeline};

pyo3::create_exception!(
    whosaid,
    ExtractError,
    PyValueError,
    "A document could not be turned into a record (empty, binary, over a limit, undecodable).\n\n\
     The message is the reason the `whosaid` command prints for the same input, prefixed by \
     the item (`item 3: `, in a batch) and the path when one was given."
);

/// One document's bytes as Python gave them. `bytes` and `str` keep their
/// Python object alive and are read without the GIL, so a batch of them is
/// never copied.
enum Data {
    Bytes(PyBackedBytes),
    /// Already Unicode: the pipeline gets its UTF-8 with the charset said,
    /// so a `<meta charset>` in the text cannot make it decode it again.
    Str(PyBackedStr),
    /// A bytearray can change under us once the GIL is released: copied.
    Owned(Vec<u8>),
}

impl Data {
    /// `None` for a value of another type; an error for a `str` that has no
    /// UTF-8 form (a lone surrogate), Python's own `UnicodeEncodeError`.
    fn from_py(value: &Bound<'_, PyAny>) -> PyResult<Option<Self>> {
        if let Ok(bytes) = value.cast::<PyBytes>() {
            return Ok(Some(Data::Bytes(PyBackedBytes::from(bytes.clone()))));
        }
        if let Ok(text) = value.cast::<PyString>() {
            return PyBackedStr::try_from(text.clone()).map(|s| Some(Data::Str(s)));
        }
        if let Ok(array) = value.cast::<PyByteArray>() {
            return Ok(Some(Data::Owned(array.to_vec())));
        }
        Ok(None)
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Data::Bytes(b) => b,
            Data::Str(s) => s.as_bytes(),
            Data::Owned(v) => v,
        }
    }

    fn is_text(&self) -> bool {
        matches!(self, Data::Str(_))
    }
}

/// One document and what is known about it: the Python side of `Input`.
struct Document {
    data: Data,
    path: Option<String>,
    url: Option<String>,
    charset: Option<String>,
    fallback_date: Option<String>,
    record: Option<String>,
}

impl Document {
    fn input(&self, kind: InputKind) -> Input<'_> {
        Input {
            bytes: self.data.bytes(),
            kind,
            path: self.path.as_deref(),
            url: self.url.as_deref(),
            charset: if self.data.is_text() {
                Some("utf-8")
            } else {
                self.charset.as_deref()
            },
            fallback_date: self.fallback_date.as_deref(),
            record: self.record.as_deref(),
            sha256: None,
        }
    }

    /// How an error names this document: as the CLI does, by its path.
    fn label(&self) -> Option<&str> {
        self.path.as_deref()
    }
}

const DATA_TYPES: &str = "bytes, bytearray or str";

fn data_arg(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Data> {
    Data::from_py(value)
        .map_err(|e| within(value.py(), what, e))?
        .ok_or_else(|| {
            PyTypeError::new_err(format!(
                "{what} must be {DATA_TYPES}, not {}",
                type_name(value)
            ))
        })
}

/// Python's own error about a value, as a `ValueError` naming where the
/// value was (`item 3: ...`).
fn within(py: Python<'_>, what: &str, e: PyErr) -> PyErr {
    PyValueError::new_err(format!("{what}: {}", e.value(py)))
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "an unknown type".to_string())
}

fn input_kind(input: &str) -> PyResult<InputKind> {
    match input {
        "auto" => Ok(InputKind::Auto),
        "html" => Ok(InputKind::Html),
        "text" => Ok(InputKind::Text),
        other => Err(PyValueError::new_err(format!(
            "input must be \"auto\", \"html\" or \"text\", not {other:?}"
        ))),
    }
}

fn check_text_charset(data: &Data, charset: Option<&str>, what: &str) -> PyResult<()> {
    if data.is_text() && charset.is_some() {
        return Err(PyValueError::new_err(format!(
            "{what}: charset applies to bytes only; a str is already decoded"
        )));
    }
    Ok(())
}

/// The limits as keyword arguments give them, each defaulting to the
/// library's (the CLI's defaults too).
fn limits(
    max_bytes: u64,
    max_depth: usize,
    max_nodes: usize,
    max_attributions: usize,
    max_quote_marks: usize,
    max_seconds: Option<f64>,
) -> PyResult<Limits> {
    let max_time_per_document = match max_seconds {
        None => None,
        Some(secs) => Some(Duration::try_from_secs_f64(secs).map_err(|_| {
            PyValueError::new_err(format!(
                "max_seconds must be a number of seconds from 0 up, or None, not {secs}"
            ))
        })?),
    };
    Ok(Limits {
        max_input_bytes: max_bytes,
        max_dom_depth: max_depth,
        max_dom_nodes: max_nodes,
        max_attributions,
        max_quote_marks_per_paragraph: max_quote_marks,
        max_time_per_document,
    })
}

/// The default of `max_seconds`: the library's time limit; None is none.
fn default_max_seconds() -> Option<f64> {
    Limits::default()
        .max_time_per_document
        .map(|d| d.as_secs_f64())
}

/// Runs the pipeline on one document and writes its record as JSON, the
/// CLI's own serialisation, so that Python reads back exactly what the CLI
/// prints (a tuple in Rust is a list in both), and the writing happens on
/// the worker threads, not under the GIL.
///
/// A panic would be a bug in the library; it becomes this document's error
/// rather than unwinding into Python, so that one bad page cannot take a
/// batch of good ones with it.
fn run(pipeline: &Pipeline, document: &Document, kind: InputKind) -> Result<String, String> {
    match catch_unwind(AssertUnwindSafe(|| {
        pipeline
            .process(&document.input(kind))
            .map(|record| serde_json::to_string(&record))
    })) {
        Ok(Ok(Ok(json))) => Ok(json),
        Ok(Ok(Err(e))) => Err(format!("could not write the record: {e}")),
        Ok(Err(e)) => Err(e.to_string()),
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(format!(
                "internal error, a bug in whosaid (please report it): {message}"
            ))
        }
    }
}

/// The `ExtractError` for a failed document: its message is the reason,
/// prefixed by the item and path that name it; `reason`, `index` and `path`
/// are attributes too.
fn extract_error(py: Python<'_>, reason: &str, index: Option<usize>, path: Option<&str>) -> PyErr {
    let mut message = String::new();
    if let Some(i) = index {
        message.push_str(&format!("item {i}: "));
    }
    if let Some(p) = path {
        message.push_str(p);
        message.push_str(": ");
    }
    message.push_str(reason);
    let err = ExtractError::new_err(message);
    let value = err.value(py);
    // Setting attributes on a fresh exception instance cannot fail short of
    // memory exhaustion; the message alone still says everything then.
    let _ = value.setattr("reason", reason);
    let _ = value.setattr("index", index);
    let _ = value.setattr("path", path);
    err
}

/// Turns records written by `run` into dicts with the standard library's
/// JSON reader, the same reading any Python program gives the CLI's output.
struct Reader<'py> {
    loads: Bound<'py, PyAny>,
}

impl<'py> Reader<'py> {
    fn new(py: Python<'py>) -> PyResult<Self> {
        Ok(Reader {
            loads: py.import("json")?.getattr("loads")?,
        })
    }

    fn read(&self, json: &str) -> PyResult<Bound<'py, PyAny>> {
        self.loads.call1((json,))
    }
}

/// The whosaid/1 record of one page or text, as a dict: the same record as
/// `whosaid extract --format json PATH` prints for the same bytes.
///
/// `data` is raw bytes (any charset, optionally gzip; decoded as the CLI
/// decodes a file) or a str (already Unicode). `input` is "auto" (HTML or
/// text, decided by `path` and content), "html" or "text". `path` is the
/// name recorded as `source.path` (its extension helps decide the kind);
/// `url`, `charset`, `fallback_date` and `record` are what a WARC record says
/// about the page. The limits default to the library's (DEFAULT_LIMITS);
/// `max_seconds=None` is no time limit. The GIL is released while the
/// pipeline runs.
///
/// Raises ExtractError when the document cannot be read.
#[pyfunction]
#[pyo3(signature = (
    data, *, url=None, input="auto", path=None, charset=None, fallback_date=None, record=None,
    max_bytes=Limits::default().max_input_bytes,
    max_depth=Limits::default().max_dom_depth,
    max_nodes=Limits::default().max_dom_nodes,
    max_attributions=Limits::default().max_attributions,
    max_quote_marks=Limits::default().max_quote_marks_per_paragraph,
    max_seconds=default_max_seconds(),
))]
#[allow(clippy::too_many_arguments)]
fn extract<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    url: Option<String>,
    input: &str,
    path: Option<String>,
    charset: Option<String>,
    fallback_date: Option<String>,
    record: Option<String>,
    max_bytes: u64,
    max_depth: usize,
    max_nodes: usize,
    max_attributions: usize,
    max_quote_marks: usize,
    max_seconds: Option<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    let kind = input_kind(input)?;
    let data = data_arg(data, "data")?;
    check_text_charset(&data, charset.as_deref(), "data")?;
    let document = Document {
        data,
        path,
        url,
        charset,
        fallback_date,
        record,
    };
    let pipeline = Pipeline::new(limits(
        max_bytes,
        max_depth,
        max_nodes,
        max_attributions,
        max_quote_marks,
        max_seconds,
    )?);
    match py.detach(|| run(&pipeline, &document, kind)) {
        Ok(json) => Reader::new(py)?.read(&json),
        Err(reason) => Err(extract_error(py, &reason, None, document.label())),
    }
}

/// Reads one batch item: data alone, `(data, url)`, or a dict with `data`
/// and any of `url`, `path`, `charset`, `fallback_date`, `record`.
fn batch_item(index: usize, item: &Bound<'_, PyAny>) -> PyResult<Document> {
    let what = format!("item {index}");
    let plain = |data| Document {
        data,
        path: None,
        url: None,
        charset: None,
        fallback_date: None,
        record: None,
    };
    if let Some(data) = Data::from_py(item).map_err(|e| within(item.py(), &what, e))? {
        return Ok(plain(data));
    }
    if let Ok(pair) = item.cast::<PyTuple>() {
        if pair.len() != 2 {
            return Err(PyTypeError::new_err(format!(
                "{what}: a tuple must be (data, url), not {} values",
                pair.len()
            )));
        }
        let data = data_arg(&pair.get_item(0)?, &format!("{what}: data"))?;
        let url = optional_str(&pair.get_item(1)?, &what, "url")?;
        return Ok(Document { url, ..plain(data) });
    }
    if let Ok(dict) = item.cast::<PyDict>() {
        const KEYS: [&str; 6] = ["data", "url", "path", "charset", "fallback_date", "record"];
        for key in dict.keys() {
            let known = key
                .extract::<PyBackedStr>()
                .is_ok_and(|k| KEYS.contains(&&*k));
            if !known {
                return Err(PyTypeError::new_err(format!(
                    "{what}: unknown key {}; the keys are {}",
                    key.repr().map(|r| r.to_string()).unwrap_or_default(),
                    KEYS.join(", ")
                )));
            }
        }
        let data = match dict.get_item("data")? {
            Some(data) => data_arg(&data, &format!("{what}: data"))?,
            None => {
                return Err(PyTypeError::new_err(format!(
                    "{what}: a dict needs a \"data\" key"
                )))
            }
        };
        let field = |key: &str| -> PyResult<Option<String>> {
            match dict.get_item(key)? {
                Some(value) => optional_str(&value, &what, key),
                None => Ok(None),
            }
        };
        let charset = field("charset")?;
        check_text_charset(&data, charset.as_deref(), &what)?;
        return Ok(Document {
            data,
            path: field("path")?,
            url: field("url")?,
            charset,
            fallback_date: field("fallback_date")?,
            record: field("record")?,
        });
    }
    Err(PyTypeError::new_err(format!(
        "{what}: expected {DATA_TYPES}, a (data, url) tuple or a dict with \"data\", not {}",
        type_name(item)
    )))
}

fn optional_str(value: &Bound<'_, PyAny>, what: &str, key: &str) -> PyResult<Option<String>> {
    if value.is_none() {
        return Ok(None);
    }
    value.extract::<String>().map(Some).map_err(|_| {
        PyTypeError::new_err(format!(
            "{what}: {key} must be a str or None, not {}",
            type_name(value)
        ))
    })
}

/// The records of many documents, in their order, computed on `threads`
/// threads (default: one per core) with the GIL released.
///
/// Each item is bytes or str as for extract(), a `(data, url)` tuple, or a
/// dict with "data" and any of "url", "path", "charset", "fallback_date",
/// "record". With errors="raise" (the default) the first failed item raises
/// ExtractError ("item 3: empty input") and the items after it may not be
/// processed; with errors="return" its ExtractError stands in the list in
/// place of its record and the others are returned. An item of the wrong
/// type raises TypeError before any work starts. Ctrl-C interrupts a long
/// batch (KeyboardInterrupt) within a fraction of a second.
#[pyfunction]
#[pyo3(signature = (
    items, *, threads=None, input="auto", errors="raise",
    max_bytes=Limits::default().max_input_bytes,
    max_depth=Limits::default().max_dom_depth,
    max_nodes=Limits::default().max_dom_nodes,
    max_attributions=Limits::default().max_attributions,
    max_quote_marks=Limits::default().max_quote_marks_per_paragraph,
    max_seconds=default_max_seconds(),
))]
#[allow(clippy::too_many_arguments)]
fn extract_batch<'py>(
    py: Python<'py>,
    items: &Bound<'py, PyAny>,
    threads: Option<usize>,
    input: &str,
    errors: &str,
    max_bytes: u64,
    max_depth: usize,
    max_nodes: usize,
    max_attributions: usize,
    max_quote_marks: usize,
    max_seconds: Option<f64>,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let kind = input_kind(input)?;
    let return_errors = match errors {
        "raise" => false,
        "return" => true,
        other => {
            return Err(PyValueError::new_err(format!(
                "errors must be \"raise\" or \"return\", not {other:?}"
            )))
        }
    };
    if threads == Some(0) {
        return Err(PyValueError::new_err("threads must be at least 1"));
    }
    let mut documents = Vec::new();
    for (index, item) in items.try_iter()?.enumerate() {
        documents.push(batch_item(index, &item?)?);
    }
    let pipeline = Pipeline::new(limits(
        max_bytes,
        max_depth,
        max_nodes,
        max_attributions,
        max_quote_marks,
        max_seconds,
    )?);
    let threads = threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .min(documents.len().max(1));
    let batch = Batch {
        pipeline: &pipeline,
        documents: &documents,
        kind,
        stop_at_first_error: !return_errors,
    };
    let (records, failures) = if threads <= 1 {
        batch.on_this_thread(py)?
    } else {
        batch.on_threads(py, threads)?
    };
    let mut failures = failures.into_iter();
    let mut out = Vec::with_capacity(documents.len());
    for (index, record) in records.into_iter().enumerate() {
        match record {
            Some(record) => out.push(record),
            None => {
                // Failures come in index order and only for missing records.
                let (failed, reason) = failures.next().unwrap_or((index, String::new()));
                let err = extract_error(py, &reason, Some(failed), documents[failed].label());
                if !return_errors {
                    return Err(err);
                }
                out.push(err.into_value(py).into_bound(py).into_any());
            }
        }
    }
    Ok(out)
}

/// How often a thread waiting for workers wakes to let Python's signal
/// handlers run, so that Ctrl-C stops a long batch promptly.
const SIGNAL_CHECK: Duration = Duration::from_millis(50);

/// The records of a batch as Python objects, in item order (`None` where
/// the item failed or was not processed), and the failures by index.
type Outcome<'py> = (Vec<Option<Bound<'py, PyAny>>>, Vec<(usize, String)>);

/// One `extract_batch` call's work.
struct Batch<'a> {
    pipeline: &'a Pipeline,
    documents: &'a [Document],
    kind: InputKind,
    /// errors="raise": once an item fails, no item after it is started (the
    /// ones before it still are, in case one of them fails too).
    stop_at_first_error: bool,
}

impl Batch<'_> {
    /// One document at a time on the calling thread, the GIL released for
    /// each and signal handlers run between them.
    fn on_this_thread<'py>(&self, py: Python<'py>) -> PyResult<Outcome<'py>> {
        let reader = Reader::new(py)?;
        let mut records = Vec::with_capacity(self.documents.len());
        let mut failures = Vec::new();
        for (index, document) in self.documents.iter().enumerate() {
            match py.detach(|| run(self.pipeline, document, self.kind)) {
                Ok(json) => records.push(Some(reader.read(&json)?)),
                Err(reason) => {
                    records.push(None);
                    failures.push((index, reason));
                    if self.stop_at_first_error {
                        break;
                    }
                }
            }
            py.check_signals()?;
        }
        records.resize_with(self.documents.len(), || None);
        Ok((records, failures))
    }

    /// On `threads` threads of our own, started for this call: never a
    /// global pool, which a process that forks after a call (multiprocessing,
    /// PySpark's workers) would inherit without its threads and hang on.
    /// Each worker takes the next document when it is free, so one slow page
    /// holds up nothing else; this thread turns records into dicts as they
    /// arrive, while the workers go on, and runs signal handlers between.
    fn on_threads<'py>(&self, py: Python<'py>, threads: usize) -> PyResult<Outcome<'py>> {
        use crossbeam_channel as channel;
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

        let count = self.documents.len();
        let next = AtomicUsize::new(0);
        // Items from here on are not started: the first failed index in
        // raise mode, 0 once the caller stops the batch.
        let stop_at = AtomicUsize::new(count);
        let cancelled = AtomicBool::new(false);
        let reader = Reader::new(py)?;
        let mut records: Vec<Option<Bound<'py, PyAny>>> = Vec::with_capacity(count);
        records.resize_with(count, || None);
        let mut failures = Vec::new();

        let worker = |sender: channel::Sender<(usize, Result<String, String>)>| loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            if index >= stop_at.load(Ordering::Relaxed) || cancelled.load(Ordering::Relaxed) {
                return;
            }
            let result = run(self.pipeline, &self.documents[index], self.kind);
            if result.is_err() && self.stop_at_first_error {
                stop_at.fetch_min(index, Ordering::Relaxed);
            }
            if sender.send((index, result)).is_err() {
                return;
            }
        };

        let outcome = std::thread::scope(|scope| -> PyResult<()> {
            let (sender, receiver) = channel::unbounded();
            let mut started = 0;
            for i in 0..threads {
                let sender = sender.clone();
                let spawned = std::thread::Builder::new()
                    .name(format!("whosaid-{i}"))
                    .spawn_scoped(scope, || worker(sender));
                // Fewer threads than asked (the system refused more) still
                // finish the batch; none at all is an error.
                if spawned.is_ok() {
                    started += 1;
                }
            }
            drop(sender);
            if started == 0 {
                return Err(PyValueError::new_err(format!(
                    "could not start any of {threads} threads"
                )));
            }
            // Whatever ends the loop, the workers must be gone before the
            // scope joins them with the GIL held: told to stop, then waited
            // for with it released.
            let finish = |result: PyResult<()>| {
                if result.is_err() {
                    stop_at.store(0, Ordering::Relaxed);
                    cancelled.store(true, Ordering::Relaxed);
                }
                py.detach(|| while receiver.recv().is_ok() {});
                result
            };
            loop {
                let message = py.detach(|| receiver.recv_timeout(SIGNAL_CHECK));
                match message {
                    Ok((index, Ok(json))) => match reader.read(&json) {
                        Ok(record) => records[index] = Some(record),
                        Err(e) => return finish(Err(e)),
                    },
                    Ok((index, Err(reason))) => failures.push((index, reason)),
                    Err(channel::RecvTimeoutError::Timeout) => {}
                    Err(channel::RecvTimeoutError::Disconnected) => return Ok(()),
                }
                if let Err(e) = py.check_signals() {
                    return finish(Err(e));
                }
            }
        });
        outcome?;
        failures.sort_unstable_by_key(|(index, _)| *index);
        if self.stop_at_first_error {
            failures.truncate(1);
        }
        Ok((records, failures))
    }
}

/// The cross-article key of a speaker's name, as the ledger groups
/// speakers ("Sen. Ada Lunn" and "Ada Lunn" share "ada lunn"), or None for
/// a name that names no one in particular ("he", "officials").
#[pyfunction]
fn speaker_key(name: &str) -> Option<String> {
    whosaid::identity::speaker_key(name)
}

/// The library's limits, under the keyword arguments' names.
fn default_limits(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let limits = Limits::default();
    let dict = PyDict::new(py);
    dict.set_item("max_bytes", limits.max_input_bytes)?;
    dict.set_item("max_depth", limits.max_dom_depth)?;
    dict.set_item("max_nodes", limits.max_dom_nodes)?;
    dict.set_item("max_attributions", limits.max_attributions)?;
    dict.set_item("max_quote_marks", limits.max_quote_marks_per_paragraph)?;
    dict.set_item("max_seconds", default_max_seconds())?;
    Ok(dict)
}

#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_function(wrap_pyfunction!(extract, m)?)?;
    m.add_function(wrap_pyfunction!(extract_batch, m)?)?;
    m.add_function(wrap_pyfunction!(speaker_key, m)?)?;
    warc::register(m)?;
    m.add("ExtractError", py.get_type::<ExtractError>())?;
    m.add("DEFAULT_LIMITS", default_limits(py)?)?;
    m.add("SCHEMA", whosaid::record::SCHEMA)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
