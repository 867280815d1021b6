//! `whosaid query` and `whosaid speakers`: questions to the ledger, answered
//! as a table for reading or as JSON/CSV for other tools.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use serde::Serialize;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
use whosaid::record::{AttributionKind, Stance};
use whosaid_store::{AttributionQuery, AttributionRow, SpeakerSummary, Store, STANCES};

/// The conditions of an attribution search, shared by `query` and `export`.
#[derive(Args, Debug, Clone, Default)]
pub struct QueryFlags {
    /// A speaker as you would name them ("Trump", "President Trump").
    #[arg(long, value_name = "NAME")]
    pub speaker: Option<String>,
    /// Words that must all occur in what was said.
    #[arg(long, value_name = "WORDS")]
    pub about: Option<String>,
    /// asserts, denies, believes, doubts, affirms, reports or intends.
    #[arg(long, value_parser = parse_stance, value_name = "STANCE")]
    pub stance: Option<Stance>,
    /// direct, indirect, mixed, according_to or headline.
    #[arg(long, value_parser = parse_kind, value_name = "KIND")]
    pub kind: Option<AttributionKind>,
    /// The site's name or the URL's host, case-insensitive.
    #[arg(long, value_name = "SITE")]
    pub site: Option<String>,
    /// Articles published on or after this day (YYYY-MM-DD).
    #[arg(long, value_parser = parse_day, value_name = "DATE")]
    pub since: Option<String>,
    /// Articles published on or before this day (YYYY-MM-DD).
    #[arg(long, value_parser = parse_day, value_name = "DATE")]
    pub until: Option<String>,
}

impl QueryFlags {
    /// Whether any condition was given (export treats "none" as "everything").
    pub fn is_empty(&self) -> bool {
        self.speaker.is_none()
            && self.about.is_none()
            && self.stance.is_none()
            && self.kind.is_none()
            && self.site.is_none()
            && self.since.is_none()
            && self.until.is_none()
    }

    pub fn to_query(&self, limit: usize) -> AttributionQuery {
        AttributionQuery {
            speaker: self.speaker.clone(),
            about: self.about.clone(),
            stance: self.stance,
            kind: self.kind,
            site: self.site.clone(),
            since: self.since.clone(),
            until: self.until.clone(),
            limit,
            after: None,
        }
    }
}

// The CLI's flags and the HTTP API read these words the same way.
pub use whosaid_store::{parse_day, parse_kind, parse_stance};

pub fn stance_name(stance: Stance) -> &'static str {
    stance.as_str()
}

pub fn kind_name(kind: AttributionKind) -> &'static str {
    kind.as_str()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RowFormat {
    /// Aligned columns for reading.
    Table,
    /// One JSON array.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// A header row, then one row per line.
    Csv,
}

#[derive(Args, Debug)]
pub struct QueryArgs {
    /// SQLite file or postgres:// URL.
    #[arg(long, default_value = whosaid_store::DEFAULT_DB)]
    db: String,
    #[command(flatten)]
    flags: QueryFlags,
    /// Most rows printed.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    #[arg(long, value_enum, default_value_t = RowFormat::Table)]
    format: RowFormat,
}

/// Opens a ledger to read. Unlike `ingest`, reading never creates one: a
/// mistyped path is an error, not a new empty database.
pub fn open_existing(db: &str) -> Result<Box<dyn Store>> {
    if !whosaid_store::is_postgres_url(db) && !std::path::Path::new(db).exists() {
        anyhow::bail!("{db}: no such ledger (whosaid ingest --db {db} ... creates one)");
    }
    Ok(whosaid_store::open(db)?)
}

pub fn run_query(args: QueryArgs) -> Result<ExitCode> {
    let store = open_existing(&args.db)?;
    let rows = store.query(&args.flags.to_query(args.limit))?;
    let stdout = io::stdout();
    let width = output_width(stdout.is_terminal());
    let mut out = BufWriter::new(stdout.lock());
    write_rows(&mut out, &rows, args.format, width).context("writing to standard output")?;
    out.flush().context("writing to standard output")?;
    Ok(ExitCode::SUCCESS)
}

/// The line width for tables: the terminal's when printing to one, else 80.
pub fn output_width(terminal: bool) -> usize {
    if terminal {
        if let Some((_, cols)) = console::Term::stdout().size_checked() {
            return usize::from(cols).max(40);
        }
    }
    80
}

pub const ROW_CSV_HEADER: [&str; 12] = [
    "document",
    "index",
    "published",
    "speaker",
    "speaker_id",
    "kind",
    "stance",
    "cue",
    "content",
    "title",
    "site",
    "url",
];

/// Writes attribution rows in any of the formats. The CSV and JSON Lines
/// forms are also what `export` writes for a query.
pub fn write_rows(
    out: &mut dyn Write,
    rows: &[AttributionRow],
    format: RowFormat,
    width: usize,
) -> io::Result<()> {
    match format {
        RowFormat::Table => write_row_table(out, rows, width),
        RowFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, rows)?;
            writeln!(out)
        }
        RowFormat::Jsonl => {
            for row in rows {
                serde_json::to_writer(&mut *out, row)?;
                writeln!(out)?;
            }
            Ok(())
        }
        RowFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(ROW_CSV_HEADER).map_err(csv_to_io)?;
            for row in rows {
                write_row_csv(&mut w, row)?;
            }
            w.flush()
        }
    }
}

pub fn write_row_csv<W: Write>(w: &mut csv::Writer<W>, row: &AttributionRow) -> io::Result<()> {
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    w.write_record([
        row.document.to_string(),
        row.index.to_string(),
        opt(&row.published),
        opt(&row.speaker),
        row.speaker_id.map(|i| i.to_string()).unwrap_or_default(),
        kind_name(row.kind).to_string(),
        stance_name(row.stance).to_string(),
        opt(&row.cue),
        row.content.clone(),
        opt(&row.title),
        opt(&row.site),
        opt(&row.url),
    ])
    .map_err(csv_to_io)
}

pub fn csv_to_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

fn write_row_table(out: &mut dyn Write, rows: &[AttributionRow], width: usize) -> io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "no attributions found");
    }
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                r.published
                    .as_deref()
                    .map(|d| d.chars().take(10).collect())
                    .unwrap_or_else(|| "-".into()),
                r.speaker.clone().unwrap_or_else(|| "(no source)".into()),
                stance_name(r.stance).to_string(),
                one_line(&r.content),
                r.site.clone().unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    let header = ["DATE", "SPEAKER", "STANCE", "QUOTE", "SITE"];
    let mut widths = [0usize; 5];
    for (i, h) in header.iter().enumerate() {
        widths[i] = h.width();
    }
    for row in &cells {
        for i in 0..5 {
            widths[i] = widths[i].max(row[i].width());
        }
    }
    // The quote is what the reader came for: it keeps at least 40% of the
    // line, and speaker and site share what is left (two parts to one).
    let gaps = 4 * 2;
    let quote_min = (width * 2 / 5).max(20).min(widths[3]);
    let room = width.saturating_sub(widths[0] + widths[2] + gaps + quote_min);
    if widths[1] + widths[4] > room {
        let speaker = widths[1].min((room * 2 / 3).max(8));
        widths[4] = widths[4].min(room.saturating_sub(speaker).max(6));
        widths[1] = speaker;
    }
    let others = widths[0] + widths[1] + widths[2] + widths[4] + gaps;
    widths[3] = widths[3].min(width.saturating_sub(others).max(10));
    let mut line = |cols: [&str; 5]| -> io::Result<()> {
        let mut s = String::new();
        for (i, c) in cols.iter().enumerate() {
            let cell = truncate_to_width(c, widths[i]);
            s.push_str(&cell);
            if i < 4 {
                s.push_str(&" ".repeat(widths[i] - cell.width() + 2));
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    line(header)?;
    for row in &cells {
        line([&row[0], &row[1], &row[2], &row[3], &row[4]])?;
    }
    Ok(())
}

/// Newlines and runs of spaces collapsed: a table row is one line.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The longest prefix that fits in `width` terminal columns, with "…" when
/// cut. Cuts between characters only, never inside one.
pub fn truncate_to_width(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    if width > 0 {
        out.push('…');
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SpeakerFormat {
    Table,
    Json,
    Csv,
}

#[derive(Args, Debug)]
pub struct SpeakersArgs {
    /// SQLite file or postgres:// URL.
    #[arg(long, default_value = whosaid_store::DEFAULT_DB)]
    db: String,
    /// Only the actors this name refers to.
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    #[arg(long, default_value_t = 20)]
    limit: usize,
    #[arg(long, value_enum, default_value_t = SpeakerFormat::Table)]
    format: SpeakerFormat,
}

pub fn run_speakers(args: SpeakersArgs) -> Result<ExitCode> {
    let store = open_existing(&args.db)?;
    let speakers = store.speakers(args.name.as_deref(), args.limit)?;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    write_speakers(&mut out, &speakers, args.format).context("writing to standard output")?;
    out.flush().context("writing to standard output")?;
    Ok(ExitCode::SUCCESS)
}

/// A speaker as JSON: stances as an object keyed by stance name, easier to
/// read from other languages than pairs.
#[derive(Serialize)]
struct SpeakerJson<'a> {
    id: i64,
    name: &'a str,
    kind: &'a str,
    attributions: u64,
    documents: u64,
    stances: serde_json::Map<String, serde_json::Value>,
}

fn stance_count(s: &SpeakerSummary, stance: Stance) -> u64 {
    s.stances
        .iter()
        .find(|(st, _)| *st == stance)
        .map(|(_, n)| *n)
        .unwrap_or(0)
}

pub fn write_speakers(
    out: &mut dyn Write,
    speakers: &[SpeakerSummary],
    format: SpeakerFormat,
) -> io::Result<()> {
    match format {
        SpeakerFormat::Json => {
            let rows: Vec<SpeakerJson> = speakers
                .iter()
                .map(|s| SpeakerJson {
                    id: s.id,
                    name: &s.name,
                    kind: &s.kind,
                    attributions: s.attributions,
                    documents: s.documents,
                    stances: s
                        .stances
                        .iter()
                        .map(|(st, n)| (stance_name(*st).to_string(), (*n).into()))
                        .collect(),
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &rows)?;
            writeln!(out)
        }
        SpeakerFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            let mut header = vec!["id", "name", "kind", "attributions", "documents"];
            header.extend(STANCES.iter().map(|s| stance_name(*s)));
            w.write_record(&header).map_err(csv_to_io)?;
            for s in speakers {
                let mut rec = vec![
                    s.id.to_string(),
                    s.name.clone(),
                    s.kind.clone(),
                    s.attributions.to_string(),
                    s.documents.to_string(),
                ];
                rec.extend(STANCES.iter().map(|st| stance_count(s, *st).to_string()));
                w.write_record(&rec).map_err(csv_to_io)?;
            }
            w.flush()
        }
        SpeakerFormat::Table => {
            if speakers.is_empty() {
                return writeln!(out, "no speakers found");
            }
            let name_width = speakers
                .iter()
                .map(|s| s.name.width().min(32))
                .max()
                .unwrap_or(0)
                .max("SPEAKER".len());
            let kind_width = speakers
                .iter()
                .map(|s| s.kind.width())
                .max()
                .unwrap_or(0)
                .max("KIND".len());
            let pad = |s: &str, w: usize| {
                let cell = truncate_to_width(s, w);
                let fill = w.saturating_sub(cell.width());
                format!("{cell}{}", " ".repeat(fill))
            };
            writeln!(
                out,
                "{}  {}  {:>6}  {:>5}  STANCES",
                pad("SPEAKER", name_width),
                pad("KIND", kind_width),
                "QUOTES",
                "DOCS"
            )?;
            for s in speakers {
                let stances = s
                    .stances
                    .iter()
                    .map(|(st, n)| format!("{} {n}", stance_name(*st)))
                    .collect::<Vec<_>>()
                    .join(", ");
                writeln!(
                    out,
                    "{}  {}  {:>6}  {:>5}  {}",
                    pad(&s.name, name_width),
                    pad(&s.kind, kind_width),
                    s.attributions,
                    s.documents,
                    stances
                )?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_counts_columns_not_bytes() {
        let cases = [
            ("short", 10, "short"),
            ("exactly ten", 11, "exactly ten"),
            ("a longer sentence", 8, "a longe…"),
            ("日本語のテキスト", 7, "日本語…"),
            ("Müller sagte", 7, "Müller…"),
            ("anything", 0, ""),
        ];
        for (input, width, expected) in cases {
            let got = truncate_to_width(input, width);
            assert_eq!(got, expected, "{input} at {width}");
            assert!(got.width() <= width);
        }
    }

    fn row(speaker: Option<&str>, content: &str) -> AttributionRow {
        AttributionRow {
            document: 3,
            index: 1,
            kind: AttributionKind::Direct,
            stance: Stance::Denies,
            speaker_id: Some(7),
            speaker: speaker.map(str::to_string),
            cue: Some("denied".into()),
            content: content.into(),
            title: Some("A title, with a comma".into()),
            site: Some("The Gazette".into()),
            published: Some("2020-05-01".into()),
            url: None,
            cursor: whosaid_store::Cursor {
                published: Some("2020-05-01".into()),
                document: 3,
                index: 1,
            },
        }
    }

    #[test]
    fn table_rows_fit_the_width() {
        let rows = vec![
            row(
                Some("Mayor Ada Quint"),
                &"the bridge will open in spring ".repeat(10),
            ),
            row(None, "short\nline"),
        ];
        for width in [60, 80, 120] {
            let mut out = Vec::new();
            write_rows(&mut out, &rows, RowFormat::Table, width).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert_eq!(text.lines().count(), 3, "{text}");
            for line in text.lines() {
                assert!(line.width() <= width, "{width}: {line:?}");
            }
            if width >= 80 {
                assert!(text.contains("(no source)"), "{text}");
            }
            assert!(text.contains("short line"));
        }
    }

    #[test]
    fn csv_quotes_fields_with_commas_and_quotes() {
        let rows = vec![row(Some("Ada \"The Bridge\" Quint"), "yes, \"no\"\nmaybe")];
        let mut out = Vec::new();
        write_rows(&mut out, &rows, RowFormat::Csv, 80).unwrap();
        let mut reader = csv::Reader::from_reader(out.as_slice());
        let header = reader.headers().unwrap().clone();
        assert_eq!(header.len(), 12);
        let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!(records.len(), 1);
        assert_eq!(&records[0][3], "Ada \"The Bridge\" Quint");
        assert_eq!(&records[0][8], "yes, \"no\"\nmaybe");
        assert_eq!(&records[0][9], "A title, with a comma");
    }

    #[test]
    fn jsonl_is_one_row_per_line() {
        let rows = vec![row(Some("A"), "one"), row(Some("B"), "two")];
        let mut out = Vec::new();
        write_rows(&mut out, &rows, RowFormat::Jsonl, 80).unwrap();
        let text = String::from_utf8(out).unwrap();
        let back: Vec<AttributionRow> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(back, rows);
    }

    #[test]
    fn speaker_csv_has_a_column_per_stance() {
        let s = SpeakerSummary {
            id: 1,
            name: "Ada Quint".into(),
            kind: "person".into(),
            attributions: 5,
            documents: 2,
            stances: vec![(Stance::Asserts, 4), (Stance::Denies, 1)],
        };
        let mut out = Vec::new();
        write_speakers(&mut out, &[s], SpeakerFormat::Csv).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next().unwrap(),
            "id,name,kind,attributions,documents,asserts,denies,believes,doubts,affirms,reports,intends"
        );
        assert_eq!(
            lines.next().unwrap(),
            "1,Ada Quint,person,5,2,4,1,0,0,0,0,0"
        );
    }
}
