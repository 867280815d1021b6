//! whosaid: raw news pages to a ledger of who said what.
//!
//! The library is one pipeline of plain stages with typed data between them:
//!
//! 1. [`decode`]: raw bytes (gzip or not, any charset) to Unicode text;
//! 2. [`extract`]: an HTML page to metadata and body blocks (plain text is
//!    split into blocks as it stands);
//! 3. [`article`]: blocks to the clean `article.text` with block offsets, the
//!    one text every later span points into;
//! 4. [`attribution`]: actors, attributions (rules and a learned tagger)
//!    and the author's own voice, all as spans into `article.text`.
//!
//! ```
//! let pipeline = whosaid::Pipeline::default();
//! let page = br#"<html><head><title>Rain due | The Gazette</title></head><body>
//!   <article><h1>Rain due</h1><p>"Bring an umbrella," the forecaster said on Monday morning.</p>
//!   <p>The rain will last until Thursday, according to the weather service.</p></article></body></html>"#;
//! let record = pipeline.process(&whosaid::Input::new(page)).unwrap();
//! assert_eq!(record.article.title.as_deref(), Some("Rain due"));
//! assert!(record.article.text.starts_with("\"Bring an umbrella,\""));
//! ```

pub mod article;
pub mod attribution;
pub mod decode;
pub mod error;
pub mod extract;
pub mod pipeline;
pub mod record;

pub use decode::InputKind;
pub use error::{Error, Result};
pub use pipeline::{Input, Limits, Pipeline};
pub use record::Record;
