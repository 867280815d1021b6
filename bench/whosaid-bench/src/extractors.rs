//! whosaid and the Rust extraction peers behind one call: page bytes in,
//! body text out.
//!
//! Fairness rules, the same for every extractor:
//! - the timed call starts from the page's bytes (gzip already undone), so
//!   character decoding is inside the timing for everyone: a peer with a
//!   bytes API decodes with its own code, a peer that only takes `&str` gets
//!   the page decoded by whosaid's decoder inside the timed call;
//! - every extractor gets the page URL when its API takes one;
//! - options mirror Python trafilatura's defaults where a peer has them
//!   (comments excluded, fallback extraction on), otherwise the crate's
//!   defaults; text output, never HTML or Markdown.

use crate::pages::Page;

/// A body text, or why the extractor gave none.
pub type Extraction = Result<String, String>;

pub trait Extractor {
    fn extract(&mut self, page: &Page) -> Extraction;
}

/// The extractors this binary was built with, by the names the script uses.
pub fn names() -> Vec<&'static str> {
    let mut names = vec!["whosaid", "whosaid-extract"];
    if cfg!(feature = "peer-trafilatura") {
        names.push("trafilatura-rs");
    }
    if cfg!(feature = "peer-rs-trafilatura") {
        names.push("rs-trafilatura");
    }
    if cfg!(feature = "peer-dom-smoothie") {
        names.push("dom_smoothie");
    }
    if cfg!(feature = "peer-readabilityrs") {
        names.push("readabilityrs");
    }
    names
}

pub fn by_name(name: &str) -> Option<Box<dyn Extractor>> {
    match name {
        "whosaid" => Some(Box::new(Whosaid(whosaid::Pipeline::default()))),
        "whosaid-extract" => Some(Box::new(WhosaidExtract(whosaid::Limits::default()))),
        #[cfg(feature = "peer-trafilatura")]
        "trafilatura-rs" => Some(Box::new(peers::TrafilaturaRs)),
        #[cfg(feature = "peer-rs-trafilatura")]
        "rs-trafilatura" => Some(Box::new(peers::RsTrafilatura)),
        #[cfg(feature = "peer-dom-smoothie")]
        "dom_smoothie" => Some(Box::new(peers::DomSmoothie)),
        #[cfg(feature = "peer-readabilityrs")]
        "readabilityrs" => Some(Box::new(peers::ReadabilityRs)),
        _ => None,
    }
}

/// The whole pipeline, as the CLI runs it: decode, parse, extract, article.
struct Whosaid(whosaid::Pipeline);

impl Extractor for Whosaid {
    fn extract(&mut self, page: &Page) -> Extraction {
        let name = format!("{}.html", page.id);
        let input = whosaid::Input {
            bytes: &page.bytes,
            path: Some(&name),
            url: page.url.as_deref(),
            ..whosaid::Input::default()
        };
        self.0
            .process(&input)
            .map(|record| record.article.text)
            .map_err(|e| e.to_string())
    }
}

/// The extraction stages only, the same work the peers do: decode, parse,
/// extract, article text; `Pipeline::process` without the input hash and the
/// attribution stage. Kept beside the full pipeline so that extraction speed
/// stays comparable with the peers however much later stages cost.
struct WhosaidExtract(whosaid::Limits);

impl Extractor for WhosaidExtract {
    fn extract(&mut self, page: &Page) -> Extraction {
        let name = format!("{}.html", page.id);
        let decoded = whosaid::decode::decode(
            &page.bytes,
            whosaid::decode::DecodeHints {
                kind: whosaid::InputKind::Auto,
                name: Some(&name),
                charset: None,
            },
            self.0.max_input_bytes,
        )
        .map_err(|e| e.to_string())?;
        let article = match decoded.kind {
            whosaid::InputKind::Text => whosaid::article::from_plain_text(decoded.text),
            _ => {
                let page =
                    whosaid::extract::extract_html(&decoded.text, page.url.as_deref(), &self.0)
                        .map_err(|e| e.to_string())?;
                whosaid::article::from_extraction(page.metadata, page.blocks)
            }
        };
        Ok(article.text)
    }
}

/// Decodes a page for a peer that only takes text, the way whosaid does, so
/// that such a peer pays the same decoding cost as whosaid, no more.
#[allow(dead_code)] // unused when only bytes-API peers are built
fn decode_for_peer(page: &Page) -> Result<String, String> {
    let name = format!("{}.html", page.id);
    whosaid::decode::decode(
        &page.bytes,
        whosaid::decode::DecodeHints {
            kind: whosaid::InputKind::Html,
            name: Some(&name),
            charset: None,
        },
        whosaid::Limits::default().max_input_bytes,
    )
    .map(|decoded| decoded.text)
    .map_err(|e| format!("decode: {e}"))
}

mod peers {
    #[allow(unused_imports)]
    use super::{decode_for_peer, Extraction, Extractor};
    #[allow(unused_imports)]
    use crate::pages::Page;

    /// `trafilatura` 0.6 (a port of go-trafilatura).
    #[cfg(feature = "peer-trafilatura")]
    pub struct TrafilaturaRs;

    #[cfg(feature = "peer-trafilatura")]
    impl Extractor for TrafilaturaRs {
        fn extract(&mut self, page: &Page) -> Extraction {
            let html = decode_for_peer(page)?;
            let mut options = trafilatura::Options::default()
                .with_fallback(true)
                .with_exclude_comments(true);
            if let Some(url) = page.url.as_deref().and_then(|u| url::Url::parse(u).ok()) {
                options = options.with_url(url);
            }
            trafilatura::extract(&html, &options)
                .map(|result| result.content_text)
                .map_err(|e| e.to_string())
        }
    }

    /// `rs-trafilatura` 0.2 (its own port of Python trafilatura); its bytes
    /// API detects the charset itself.
    #[cfg(feature = "peer-rs-trafilatura")]
    pub struct RsTrafilatura;

    #[cfg(feature = "peer-rs-trafilatura")]
    impl Extractor for RsTrafilatura {
        fn extract(&mut self, page: &Page) -> Extraction {
            let options = rs_trafilatura::Options {
                include_comments: false,
                url: page.url.clone(),
                ..rs_trafilatura::Options::default()
            };
            rs_trafilatura::extract_bytes_with_options(&page.bytes, &options)
                .map(|result| result.content_text)
                .map_err(|e| e.to_string())
        }
    }

    /// `dom_smoothie` 0.19 (a Readability.js port on dom_query). Formatted
    /// text mode: the raw mode is the DOM's textContent, which glues the
    /// words of adjacent blocks together.
    #[cfg(feature = "peer-dom-smoothie")]
    pub struct DomSmoothie;

    #[cfg(feature = "peer-dom-smoothie")]
    impl Extractor for DomSmoothie {
        fn extract(&mut self, page: &Page) -> Extraction {
            let html = decode_for_peer(page)?;
            let config = dom_smoothie::Config {
                text_mode: dom_smoothie::TextMode::Formatted,
                ..dom_smoothie::Config::default()
            };
            let mut readability =
                dom_smoothie::Readability::new(html, page.url.as_deref(), Some(config))
                    .map_err(|e| e.to_string())?;
            readability
                .parse()
                .map(|article| article.text_content.to_string())
                .map_err(|e| e.to_string())
        }
    }

    /// `readabilityrs` 0.1 (a Readability.js port on scraper); its only text
    /// output is the article's textContent.
    #[cfg(feature = "peer-readabilityrs")]
    pub struct ReadabilityRs;

    #[cfg(feature = "peer-readabilityrs")]
    impl Extractor for ReadabilityRs {
        fn extract(&mut self, page: &Page) -> Extraction {
            let html = decode_for_peer(page)?;
            let options = readabilityrs::ReadabilityOptions::default();
            let readability =
                readabilityrs::Readability::new(&html, page.url.as_deref(), Some(options))
                    .map_err(|e| e.to_string())?;
            readability
                .parse()
                .and_then(|article| article.text_content)
                .ok_or_else(|| "no article found".to_string())
        }
    }
}
