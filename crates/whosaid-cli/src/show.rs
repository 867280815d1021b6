//! `whosaid show DOC`: one stored article for reading, with who said what
//! marked in its text.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use whosaid::record::Attribution;
use whosaid::Record;
use whosaid_store::StoredDocument;

use crate::query::{kind_name, one_line, stance_name, truncate_to_width};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// Colours when printing to a terminal and NO_COLOR is unset.
    Auto,
    Always,
    Never,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// SQLite file or postgres:// URL.
    #[arg(long, default_value = whosaid_store::DEFAULT_DB)]
    db: String,
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    color: ColorArg,
    /// The document: its id, or its sha256 (at least 8 leading hex digits).
    #[arg(value_name = "DOC")]
    doc: String,
}

pub fn run(args: ShowArgs) -> Result<ExitCode> {
    let store = crate::query::open_existing(&args.db)?;
    let Some(doc) = store.document(args.doc.trim())? else {
        // The database is not named: a PostgreSQL URL may hold a password.
        eprintln!(
            "whosaid: no document {:?} in the ledger (give an id or at least 8 hex digits of a sha256)",
            args.doc
        );
        return Ok(ExitCode::from(1));
    };
    let stdout = io::stdout();
    let color = match args.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let mut out = BufWriter::new(stdout.lock());
    write_document(&mut out, &doc, color).context("writing to standard output")?;
    out.flush().context("writing to standard output")?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Speaker,
    Cue,
    Content,
}

/// One marked stretch of the text.
#[derive(Clone, Copy, Debug)]
struct Mark {
    start: usize,
    end: usize,
    role: Role,
    attribution: usize,
    color: usize,
}

/// Foreground colours (ANSI 31–36), one per actor; black and white are left
/// out because they vanish on one terminal background or the other.
const PALETTE: [u8; 6] = [36, 33, 35, 32, 34, 31];

/// The colour of an attribution: its speaker's actor's, so that one actor
/// reads in one colour through the article; unresolved speakers get one by
/// attribution.
fn attribution_color(a: &Attribution, record: &Record) -> usize {
    let actor = a.speaker.as_ref().and_then(|s| s.actor);
    match actor {
        Some(id) => id % PALETTE.len(),
        None => (record.actors.len() + a.id) % PALETTE.len(),
    }
}

/// Every span of every attribution that lies on character boundaries of the
/// text; a stored record that breaks the span rule loses only the bad span.
fn marks(record: &Record) -> Vec<Mark> {
    let text = &record.article.text;
    let valid = |s: usize, e: usize| {
        s < e && e <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(e)
    };
    let mut out = Vec::new();
    for a in &record.attributions {
        let color = attribution_color(a, record);
        let mut push = |start: usize, end: usize, role: Role| {
            if valid(start, end) {
                out.push(Mark {
                    start,
                    end,
                    role,
                    attribution: a.id,
                    color,
                });
            }
        };
        if let Some(s) = &a.speaker {
            push(s.start, s.end, Role::Speaker);
        }
        if let Some(c) = &a.cue {
            push(c.start, c.end, Role::Cue);
        }
        match &a.content.spans {
            Some(parts) if !parts.is_empty() => {
                for [s, e] in parts {
                    push(*s, *e, Role::Content);
                }
            }
            _ => push(a.content.start, a.content.end, Role::Content),
        }
    }
    out
}

/// The positions where some mark starts or ends, with the text's ends.
fn boundaries(marks: &[Mark], len: usize) -> Vec<usize> {
    let mut b: Vec<usize> = marks.iter().flat_map(|m| [m.start, m.end]).collect();
    b.push(0);
    b.push(len);
    b.sort_unstable();
    b.dedup();
    b
}

/// The text with brackets: `[N:speaker]`, `{N:cue}`, `«N:content»`, N being
/// the attribution's id. Marks that cross are closed and opened where they
/// fall; the brackets only ever sit between characters.
fn bracketed(record: &Record) -> String {
    let text = &record.article.text;
    let marks = marks(record);
    let mut out = String::with_capacity(text.len() + marks.len() * 6);
    let bounds = boundaries(&marks, text.len());
    for (i, &pos) in bounds.iter().enumerate() {
        // Closing first, the innermost (latest started) first, so that
        // nested marks close in order.
        let mut closing: Vec<&Mark> = marks.iter().filter(|m| m.end == pos).collect();
        closing.sort_by_key(|m| std::cmp::Reverse((m.start, m.role)));
        for m in closing {
            out.push(match m.role {
                Role::Speaker => ']',
                Role::Cue => '}',
                Role::Content => '»',
            });
        }
        let mut opening: Vec<&Mark> = marks.iter().filter(|m| m.start == pos).collect();
        opening.sort_by_key(|m| (std::cmp::Reverse(m.end), m.role));
        for m in opening {
            let open = match m.role {
                Role::Speaker => '[',
                Role::Cue => '{',
                Role::Content => '«',
            };
            out.push(open);
            out.push_str(&m.attribution.to_string());
            out.push(':');
        }
        if let Some(&next) = bounds.get(i + 1) {
            out.push_str(&text[pos..next]);
        }
    }
    out
}

/// The text with ANSI styles: speakers bold in their actor's colour, cues
/// underlined, content in its speaker's colour, and a dim `[N]` after each
/// content naming its attribution in the list below.
fn coloured(record: &Record) -> String {
    let text = &record.article.text;
    let marks = marks(record);
    let mut out = String::with_capacity(text.len() * 2);
    let bounds = boundaries(&marks, text.len());
    for (i, &pos) in bounds.iter().enumerate() {
        for m in marks
            .iter()
            .filter(|m| m.end == pos && m.role == Role::Content)
        {
            out.push_str(&format!("\x1b[0;2m[{}]\x1b[0m", m.attribution));
        }
        let Some(&next) = bounds.get(i + 1) else {
            break;
        };
        let active: Vec<&Mark> = marks
            .iter()
            .filter(|m| m.start <= pos && next <= m.end)
            .collect();
        let innermost = |role: Role| {
            active
                .iter()
                .filter(|m| m.role == role)
                .max_by_key(|m| m.start)
                .copied()
        };
        let mut codes: Vec<String> = vec!["0".into()];
        if let Some(s) = innermost(Role::Speaker) {
            codes.push("1".into());
            codes.push(PALETTE[s.color].to_string());
        } else if let Some(c) = innermost(Role::Content) {
            codes.push(PALETTE[c.color].to_string());
        }
        if innermost(Role::Cue).is_some() {
            codes.push("4".into());
        }
        out.push_str(&format!("\x1b[{}m", codes.join(";")));
        out.push_str(&text[pos..next]);
    }
    out.push_str("\x1b[0m");
    out
}

pub fn write_document(out: &mut dyn Write, doc: &StoredDocument, color: bool) -> io::Result<()> {
    let r = &doc.record;
    let a = &r.article;
    let (bold, reset) = if color {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("", "")
    };
    writeln!(
        out,
        "{bold}{}{reset}",
        a.title.as_deref().unwrap_or("(no title)")
    )?;
    let about: Vec<&str> = [
        a.site.as_deref(),
        a.published.as_deref(),
        r.source.url.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !about.is_empty() {
        writeln!(out, "{}", about.join(" · "))?;
    }
    if !a.authors.is_empty() {
        writeln!(out, "by {}", a.authors.join(", "))?;
    }
    let mut provenance = format!("document {} · sha256 {}", doc.id, r.source.sha256);
    if let Some(path) = &r.source.path {
        provenance.push_str(&format!(" · {path}"));
    }
    if let Some(record) = &r.source.record {
        provenance.push_str(&format!(" · record {record}"));
    }
    if let Some(offset) = doc.offset {
        provenance.push_str(&format!(" · offset {offset}"));
    }
    writeln!(out, "{provenance}")?;
    writeln!(out)?;
    if color {
        writeln!(out, "{}", coloured(r))?;
    } else {
        writeln!(out, "{}", bracketed(r))?;
    }
    writeln!(out)?;
    if r.attributions.is_empty() {
        writeln!(out, "No attributions.")?;
    } else {
        writeln!(out, "{bold}Attributions ({}){reset}", r.attributions.len())?;
    }
    for at in &r.attributions {
        writeln!(out, "{}", attribution_line(r, at))?;
        writeln!(
            out,
            "     «{}»",
            truncate_to_width(&one_line(&at.content.text), 200)
        )?;
    }
    if !r.warnings.is_empty() {
        writeln!(out)?;
        writeln!(out, "{bold}Warnings{reset}")?;
        for w in &r.warnings {
            writeln!(out, "  - {w}")?;
        }
    }
    Ok(())
}

/// `#N kind, stance: speaker -> actor, cue "…" (lemma), to addressee, inside #P`.
fn attribution_line(r: &Record, at: &Attribution) -> String {
    let mut line = format!(
        "  #{} {}, {}: ",
        at.id,
        kind_name(at.kind),
        stance_name(at.stance)
    );
    match &at.speaker {
        None => line.push_str("(no source)"),
        Some(s) => {
            line.push_str(&one_line(&s.text));
            if let Some(actor) = s.actor.and_then(|id| r.actors.get(id)) {
                line.push_str(&format!(" -> {}", actor.name));
            }
        }
    }
    if let Some(c) = &at.cue {
        line.push_str(&format!(", cue \"{}\" ({})", one_line(&c.text), c.lemma));
    }
    if let Some(ad) = &at.addressee {
        line.push_str(&format!(", to {}", one_line(&ad.text)));
    }
    if let Some(p) = at.parent {
        line.push_str(&format!(", inside #{p}"));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use whosaid::record::*;

    /// A small record written by hand: "Ada Quint said the bridge is safe."
    /// with a nested quote and a multi-byte character inside the content.
    fn record() -> Record {
        let text = "Ada Quint said “the bridge is safe,” adding: the café “stays open”.";
        let find = |s: &str| {
            let start = text.find(s).unwrap();
            (start, start + s.len())
        };
        let (ss, se) = find("Ada Quint");
        let (cs, ce) = find("said");
        let (ts, te) = find("the bridge is safe,");
        let (ns, ne) = find("stays open");
        let (os, oe) = find("the café “stays open”");
        Record {
            schema: SCHEMA.into(),
            source: Source {
                path: Some("t.html".into()),
                record: None,
                url: Some("https://news.invalid/a".into()),
                sha256: "ab".repeat(32),
            },
            article: Article {
                title: Some("Bridge safe".into()),
                authors: vec!["Lee Fenn".into()],
                published: Some("2021-03-04".into()),
                site: Some("The Gazette".into()),
                language: Some("en".into()),
                text: text.into(),
                blocks: vec![Block {
                    kind: BlockKind::Paragraph,
                    start: 0,
                    end: text.len(),
                }],
            },
            actors: vec![Actor {
                id: 0,
                name: "Ada Quint".into(),
                kind: ActorKind::Person,
                mentions: vec![Range { start: ss, end: se }],
            }],
            attributions: vec![
                Attribution {
                    id: 0,
                    kind: AttributionKind::Direct,
                    speaker: Some(ActorSpan {
                        start: ss,
                        end: se,
                        text: "Ada Quint".into(),
                        actor: Some(0),
                    }),
                    cue: Some(CueSpan {
                        start: cs,
                        end: ce,
                        text: "said".into(),
                        lemma: "say".into(),
                    }),
                    addressee: None,
                    content: ContentSpan {
                        start: ts,
                        end: te,
                        text: "the bridge is safe,".into(),
                        spans: None,
                    },
                    stance: Stance::Asserts,
                    parent: None,
                },
                Attribution {
                    id: 1,
                    kind: AttributionKind::Indirect,
                    speaker: None,
                    cue: None,
                    addressee: None,
                    content: ContentSpan {
                        start: os,
                        end: oe,
                        text: "the café “stays open”".into(),
                        spans: None,
                    },
                    stance: Stance::Asserts,
                    parent: None,
                },
                Attribution {
                    id: 2,
                    kind: AttributionKind::Direct,
                    speaker: None,
                    cue: None,
                    addressee: None,
                    content: ContentSpan {
                        start: ns,
                        end: ne,
                        text: "stays open".into(),
                        spans: None,
                    },
                    stance: Stance::Asserts,
                    parent: Some(1),
                },
            ],
            authorial: vec![],
            warnings: vec![],
        }
    }

    #[test]
    fn brackets_mark_every_span_and_keep_the_text() {
        let r = record();
        r.check_spans().unwrap();
        let out = bracketed(&r);
        assert_eq!(
            out,
            "[0:Ada Quint] {0:said} “«0:the bridge is safe,»” adding: «1:the café “«2:stays open»”»."
        );
        let stripped: String = out
            .replace("[0:", "")
            .replace("{0:", "")
            .replace("«0:", "")
            .replace("«1:", "")
            .replace("«2:", "")
            .chars()
            .filter(|c| !matches!(c, '[' | ']' | '{' | '}' | '«' | '»'))
            .collect();
        assert_eq!(stripped, r.article.text);
    }

    #[test]
    fn spans_off_character_boundaries_are_dropped_not_sliced() {
        let mut r = record();
        let inside_e_acute = r.article.text.find('é').unwrap() + 1;
        r.attributions[1].content.start = inside_e_acute;
        r.attributions[0].cue.as_mut().unwrap().end = r.article.text.len() + 5;
        let out = bracketed(&r);
        assert!(!out.contains("«1:"));
        assert!(!out.contains("{0:"));
        assert!(out.contains("[0:Ada Quint]"));
        let coloured = coloured(&r);
        assert!(coloured.contains("café"));
    }

    #[test]
    fn colours_follow_the_speaker_and_strip_back_to_the_text() {
        let r = record();
        let out = coloured(&r);
        assert!(out.contains("\x1b[0;1;36mAda Quint"), "{out:?}");
        assert!(out.contains(";4msaid"), "{out:?}");
        // Remove escape sequences and the [N] tags: the text is left.
        let mut plain = String::new();
        let mut chars = out.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for d in chars.by_ref() {
                    if d == 'm' {
                        break;
                    }
                }
            } else {
                plain.push(c);
            }
        }
        for tag in ["[0]", "[1]", "[2]"] {
            assert!(plain.contains(tag), "{tag}");
            plain = plain.replace(tag, "");
        }
        assert_eq!(plain, r.article.text);
    }

    #[test]
    fn the_listing_names_actor_cue_and_parent() {
        let r = record();
        let doc = StoredDocument {
            id: 9,
            offset: Some(1234),
            ingested_at: "2026-01-01T00:00:00Z".into(),
            record: r,
        };
        let mut out = Vec::new();
        write_document(&mut out, &doc, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with(
            "Bridge safe\nThe Gazette · 2021-03-04 · https://news.invalid/a\nby Lee Fenn\n"
        ));
        assert!(text.contains("document 9 · sha256 abab"));
        assert!(text.contains("offset 1234"));
        assert!(text.contains("#0 direct, asserts: Ada Quint -> Ada Quint, cue \"said\" (say)"));
        assert!(text.contains("#2 direct, asserts: (no source), inside #1"));
        assert!(!text.contains('\x1b'));
    }
}
