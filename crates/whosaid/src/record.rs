//! The `whosaid/1` record: one JSON object per document.
//!
//! These types are the machine-readable output format. `../shared/spec/record.md`
//! describes it for readers outside the project and `schema/record.schema.json`
//! checks it; the three must agree. Fields may be added, never renamed or removed
//! without bumping [`SCHEMA`].
//!
//! Every span is a half-open range of UTF-8 byte offsets into [`Article::text`],
//! and every `text` field equals `article.text[start..end]` exactly.

use serde::{Deserialize, Serialize};

/// The schema name written into every record.
pub const SCHEMA: &str = "whosaid/1";

/// One processed document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub schema: String,
    pub source: Source,
    pub article: Article,
    pub actors: Vec<Actor>,
    pub attributions: Vec<Attribution>,
    pub authorial: Vec<AuthorialSpan>,
    pub warnings: Vec<String>,
}

/// Where the document came from.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Source {
    /// As given on the command line, or `-` for standard input.
    pub path: Option<String>,
    /// WARC-Record-ID (or index) when the document came from a WARC file.
    pub record: Option<String>,
    /// WARC-Target-URI, else canonical/og:url from the page, else null.
    pub url: Option<String>,
    /// Lower-case hex SHA-256 of the raw input bytes.
    pub sha256: String,
}

/// The article itself: metadata and the clean body text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Article {
    pub title: Option<String>,
    pub authors: Vec<String>,
    /// `YYYY-MM-DD` or an RFC 3339 date-time.
    pub published: Option<String>,
    pub site: Option<String>,
    /// BCP 47 primary language subtag, lower case (`en`).
    pub language: Option<String>,
    /// The clean body; blocks separated by a blank line (`"\n\n"`).
    pub text: String,
    pub blocks: Vec<Block>,
}

/// A structural unit of the body text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    pub kind: BlockKind,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    Heading,
    Paragraph,
    Quote,
    ListItem,
}

/// A person, organisation or outlet, with every mention of it in the article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub id: usize,
    /// The fullest name the article gives.
    pub name: String,
    pub kind: ActorKind,
    pub mentions: Vec<Range>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    Person,
    Organization,
    Outlet,
    Group,
    Unknown,
}

/// A bare byte range into the article text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Range {
    pub start: usize,
    pub end: usize,
}

/// Who said what: one attribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribution {
    pub id: usize,
    pub kind: AttributionKind,
    pub speaker: Option<ActorSpan>,
    pub cue: Option<CueSpan>,
    pub addressee: Option<ActorSpan>,
    pub content: ContentSpan,
    pub stance: Stance,
    /// The attribution whose content contains this one.
    pub parent: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttributionKind {
    Direct,
    Indirect,
    Mixed,
    AccordingTo,
    Headline,
}

/// A span that may refer to an actor (a speaker or an addressee).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorSpan {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub actor: Option<usize>,
}

/// The words that mark the attribution ("told reporters", "denied").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CueSpan {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub lemma: String,
}

/// What was said. `spans` is present only when the content is discontinuous.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentSpan {
    pub start: usize,
    pub end: usize,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spans: Option<Vec<[usize; 2]>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    Asserts,
    Denies,
    Believes,
    Doubts,
    Affirms,
    Reports,
    Intends,
}

/// A stretch of the author's own voice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorialSpan {
    pub start: usize,
    pub end: usize,
    pub kind: AuthorialKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorialKind {
    Opinion,
    Hedge,
    Question,
}

/// Names as they appear in the JSON record (and in stores and tables built
/// from it), one place for every crate that writes or parses them.
macro_rules! record_names {
    ($ty:ident { $($variant:ident => $name:literal),* $(,)? }) => {
        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),*];

            /// The name used in the JSON record.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),*
                }
            }

            /// The value with this record name, if any (exact match).
            pub fn from_name(name: &str) -> Option<$ty> {
                match name {
                    $($name => Some($ty::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

record_names!(ActorKind {
    Person => "person",
    Organization => "organization",
    Outlet => "outlet",
    Group => "group",
    Unknown => "unknown",
});

record_names!(AttributionKind {
    Direct => "direct",
    Indirect => "indirect",
    Mixed => "mixed",
    AccordingTo => "according_to",
    Headline => "headline",
});

record_names!(Stance {
    Asserts => "asserts",
    Denies => "denies",
    Believes => "believes",
    Doubts => "doubts",
    Affirms => "affirms",
    Reports => "reports",
    Intends => "intends",
});

record_names!(AuthorialKind {
    Opinion => "opinion",
    Hedge => "hedge",
    Question => "question",
});

record_names!(BlockKind {
    Heading => "heading",
    Paragraph => "paragraph",
    Quote => "quote",
    ListItem => "list_item",
});

impl Record {
    /// Checks the span invariants: every span lies inside `article.text` on
    /// character boundaries, every `text` equals its slice, and every actor
    /// and parent index exists. Returns a description of the first violation.
    pub fn check_spans(&self) -> Result<(), String> {
        let text = self.article.text.as_str();
        let slice = |what: &str, start: usize, end: usize| -> Result<&str, String> {
            if start > end || end > text.len() {
                return Err(format!(
                    "{what} [{start}, {end}) lies outside the text ({} bytes)",
                    text.len()
                ));
            }
            text.get(start..end)
                .ok_or_else(|| format!("{what} [{start}, {end}) is not on character boundaries"))
        };
        for (i, b) in self.article.blocks.iter().enumerate() {
            slice(&format!("block {i}"), b.start, b.end)?;
        }
        for a in &self.actors {
            for m in &a.mentions {
                slice(&format!("actor {} mention", a.id), m.start, m.end)?;
            }
        }
        let check_actor = |what: &str, s: &ActorSpan| -> Result<(), String> {
            if slice(what, s.start, s.end)? != s.text {
                return Err(format!("{what} text differs from its slice"));
            }
            if let Some(id) = s.actor {
                if id >= self.actors.len() {
                    return Err(format!("{what} points at missing actor {id}"));
                }
            }
            Ok(())
        };
        for a in &self.attributions {
            let id = a.id;
            if let Some(s) = &a.speaker {
                check_actor(&format!("attribution {id} speaker"), s)?;
            }
            if let Some(s) = &a.addressee {
                check_actor(&format!("attribution {id} addressee"), s)?;
            }
            if let Some(c) = &a.cue {
                if slice(&format!("attribution {id} cue"), c.start, c.end)? != c.text {
                    return Err(format!("attribution {id} cue text differs from its slice"));
                }
            }
            let c = &a.content;
            if slice(&format!("attribution {id} content"), c.start, c.end)? != c.text {
                return Err(format!(
                    "attribution {id} content text differs from its slice"
                ));
            }
            if let Some(spans) = &c.spans {
                for [s, e] in spans {
                    slice(&format!("attribution {id} content part"), *s, *e)?;
                    if *s < c.start || *e > c.end {
                        return Err(format!(
                            "attribution {id} content part lies outside the content"
                        ));
                    }
                }
            }
            if let Some(p) = a.parent {
                let parent = self
                    .attributions
                    .get(p)
                    .ok_or_else(|| format!("attribution {id} has missing parent {p}"))?;
                if c.start < parent.content.start || c.end > parent.content.end {
                    return Err(format!(
                        "attribution {id} lies outside its parent's content"
                    ));
                }
            }
        }
        for (i, s) in self.authorial.iter().enumerate() {
            slice(&format!("authorial {i}"), s.start, s.end)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names must be exactly what serde writes, or stores and tables
    /// would disagree with the JSON record.
    fn agrees_with_serde<T>(all: &[T], name: fn(&T) -> &'static str, parse: fn(&str) -> Option<T>)
    where
        T: Serialize + PartialEq + std::fmt::Debug + Copy,
    {
        for value in all {
            let json = serde_json::to_value(value).unwrap();
            assert_eq!(json.as_str(), Some(name(value)));
            assert_eq!(parse(name(value)), Some(*value));
        }
    }

    #[test]
    fn record_names_are_the_serde_names() {
        agrees_with_serde(ActorKind::ALL, |v| v.as_str(), ActorKind::from_name);
        agrees_with_serde(
            AttributionKind::ALL,
            |v| v.as_str(),
            AttributionKind::from_name,
        );
        agrees_with_serde(Stance::ALL, |v| v.as_str(), Stance::from_name);
        agrees_with_serde(AuthorialKind::ALL, |v| v.as_str(), AuthorialKind::from_name);
        agrees_with_serde(BlockKind::ALL, |v| v.as_str(), BlockKind::from_name);
        assert_eq!(Stance::from_name("Denies"), None);
        assert_eq!(AttributionKind::ALL.len(), 5);
        assert_eq!(Stance::ALL.len(), 7);
    }
}
