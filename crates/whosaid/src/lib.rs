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
//! let page = br#"<html><head><title>Rain due all week | The Gazette</title></head><body>
//!   <nav><a href="/">Home</a> <a href="/weather">Weather</a></nav>
//!   <article><h1>Rain due all week</h1>
//!   <p>"Bring an umbrella," the forecaster said on Monday morning, as the first band of rain reached the coast.</p>
//!   <p>The rain will last until Thursday, according to the weather service, with the heaviest showers overnight.</p>
//!   </article><footer>Copyright The Gazette</footer></body></html>"#;
//! let record = pipeline.process(&whosaid::Input::new(page)).unwrap();
//! assert_eq!(record.article.title.as_deref(), Some("Rain due all week"));
//! assert!(record.article.text.starts_with("\"Bring an umbrella,\""));
//! assert!(!record.article.text.contains("Copyright"));
//! let quote = &record.attributions[0];
//! assert_eq!(quote.content.text, "Bring an umbrella,");
//! assert_eq!(quote.speaker.as_ref().unwrap().text, "the forecaster");
//! ```

pub mod article;
pub mod attribution;
pub mod deadline;
pub mod decode;
pub mod error;
pub mod extract;
mod hashing;
pub mod identity;
pub mod pipeline;
pub mod record;

pub use deadline::Deadline;
pub use decode::InputKind;
pub use error::{Error, Result};
pub use pipeline::{Input, Limits, Pipeline};
pub use record::Record;
