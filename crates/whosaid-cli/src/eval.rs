//! `whosaid eval`: score the pipeline against annotated data.
//!
//! Extraction (WCXB layout: `html/NNNN.html.gz` + `ground-truth/NNNN.json`):
//! - body: bag-of-words F1 per page, tokens `\w+` lowercased, counted as a
//!   multiset, averaged over pages (a page with no gold and no predicted
//!   words scores 1);
//! - title: exact match after lower-casing and dropping punctuation;
//! - author: the predicted authors joined, compared with the gold author
//!   string as word sequences (lower-cased, punctuation, "by" and "and"
//!   dropped); a page with no gold author is right only when none is found;
//! - date: the `YYYY-MM-DD` part equal; no gold date is right only when none
//!   is found.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::OnceLock;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use rayon::prelude::*;
use regex::Regex;
use serde::Serialize;
use whosaid::{Input, Pipeline};

#[derive(Subcommand, Debug)]
pub enum EvalCommand {
    /// Body F1 and title / author / date accuracy on a WCXB-layout folder.
    Extraction(ExtractionArgs),
    /// Source / Cue / Content and pair scores on a PolNeAR-format folder.
    Attribution(crate::eval_attribution::AttributionArgs),
}

#[derive(Args, Debug)]
pub struct ExtractionArgs {
    /// Folder with html/ and ground-truth/.
    #[arg(default_value = "../shared/data/wcxb-articles-dev")]
    data: PathBuf,
    /// Write one JSON line per page (scores, predicted and gold metadata) here.
    #[arg(long)]
    details: Option<PathBuf>,
    /// Only the first N pages (by name).
    #[arg(long)]
    limit: Option<usize>,
}

pub fn run(cmd: EvalCommand) -> Result<ExitCode> {
    match cmd {
        EvalCommand::Extraction(args) => extraction(args),
        EvalCommand::Attribution(args) => crate::eval_attribution::run(args),
    }
}

#[derive(Debug, Serialize)]
struct PageScore {
    id: String,
    body_f1: f64,
    body_precision: f64,
    body_recall: f64,
    title_ok: bool,
    author_ok: bool,
    date_ok: bool,
    title: Option<String>,
    gold_title: Option<String>,
    authors: Vec<String>,
    gold_author: Option<String>,
    date: Option<String>,
    gold_date: Option<String>,
    error: Option<String>,
}

fn extraction(args: ExtractionArgs) -> Result<ExitCode> {
    let html_dir = args.data.join("html");
    let truth_dir = args.data.join("ground-truth");
    if !html_dir.is_dir() || !truth_dir.is_dir() {
        bail!(
            "{}: expected html/ and ground-truth/ folders inside",
            args.data.display()
        );
    }
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&html_dir)
        .with_context(|| format!("reading {}", html_dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.to_string_lossy().ends_with(".html.gz") || p.to_string_lossy().ends_with(".html")
        })
        .collect();
    pages.sort();
    if let Some(n) = args.limit {
        pages.truncate(n);
    }
    if pages.is_empty() {
        bail!("{}: no pages", html_dir.display());
    }
    let pipeline = Pipeline::default();
    let scores: Vec<PageScore> = pages
        .par_iter()
        .map(|page| score_page(&pipeline, page, &truth_dir))
        .collect::<Result<_>>()?;

    let n = scores.len() as f64;
    let mean = |f: &dyn Fn(&PageScore) -> f64| scores.iter().map(f).sum::<f64>() / n;
    let acc = |f: &dyn Fn(&PageScore) -> bool| scores.iter().filter(|s| f(s)).count() as f64 / n;
    let errors = scores.iter().filter(|s| s.error.is_some()).count();
    println!(
        "extraction on {} ({} pages, {} failed)",
        args.data.display(),
        scores.len(),
        errors
    );
    println!(
        "body     F1 {:.3}  precision {:.3}  recall {:.3}",
        mean(&|s| s.body_f1),
        mean(&|s| s.body_precision),
        mean(&|s| s.body_recall)
    );
    println!("title    accuracy {:.3}", acc(&|s| s.title_ok));
    println!("author   accuracy {:.3}", acc(&|s| s.author_ok));
    println!("date     accuracy {:.3}", acc(&|s| s.date_ok));
    if let Some(path) = args.details {
        let mut f = std::io::BufWriter::new(
            std::fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?,
        );
        for s in &scores {
            serde_json::to_writer(&mut f, s)?;
            writeln!(f)?;
        }
        f.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}

fn score_page(pipeline: &Pipeline, page: &Path, truth_dir: &Path) -> Result<PageScore> {
    let file_name = page
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let id = file_name.split('.').next().unwrap_or_default().to_string();
    let truth_path = truth_dir.join(format!("{id}.json"));
    let truth: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&truth_path).with_context(|| format!("reading {}", truth_path.display()))?,
    )
    .with_context(|| format!("parsing {}", truth_path.display()))?;
    let gold = &truth["ground_truth"];
    let gold_str = |k: &str| {
        gold[k]
            .as_str()
            .map(str::to_string)
            .filter(|s| !s.trim().is_empty())
    };
    let gold_body = gold_str("main_content").unwrap_or_default();
    let gold_title = gold_str("title");
    let gold_author = gold_str("author");
    let gold_date = gold_str("publish_date");
    let url = truth["url"].as_str();

    let bytes = std::fs::read(page).with_context(|| format!("reading {}", page.display()))?;
    let path = page.to_string_lossy();
    let result = pipeline.process(&Input {
        bytes: &bytes,
        path: Some(&path),
        url,
        ..Input::default()
    });
    let (record, error) = match result {
        Ok(r) => (Some(r), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let article = record.map(|r| r.article).unwrap_or_default();
    let (p, r, f) = bag_of_words_f1(&article.text, &gold_body);
    Ok(PageScore {
        id,
        body_f1: f,
        body_precision: p,
        body_recall: r,
        title_ok: normalize_title(article.title.as_deref().unwrap_or(""))
            == normalize_title(gold_title.as_deref().unwrap_or("")),
        author_ok: author_words(&article.authors.join(" , "))
            == author_words(gold_author.as_deref().unwrap_or("")),
        date_ok: date_part(article.published.as_deref()) == date_part(gold_date.as_deref()),
        title: article.title,
        gold_title,
        authors: article.authors,
        gold_author,
        date: article.published,
        gold_date,
        error,
    })
}

fn word_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"\w+").expect("valid regex"))
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    word_regex()
        .find_iter(text)
        .map(|m| m.as_str().to_lowercase())
}

/// Precision, recall and F1 of the predicted text's words against the gold's.
pub fn bag_of_words_f1(predicted: &str, gold: &str) -> (f64, f64, f64) {
    let mut counts: HashMap<String, i64> = HashMap::new();
    let mut gold_total = 0i64;
    for w in words(gold) {
        *counts.entry(w).or_default() += 1;
        gold_total += 1;
    }
    let mut pred_total = 0i64;
    let mut overlap = 0i64;
    for w in words(predicted) {
        pred_total += 1;
        if let Some(c) = counts.get_mut(&w) {
            if *c > 0 {
                *c -= 1;
                overlap += 1;
            }
        }
    }
    if pred_total == 0 && gold_total == 0 {
        return (1.0, 1.0, 1.0);
    }
    if pred_total == 0 || gold_total == 0 || overlap == 0 {
        return (0.0, 0.0, 0.0);
    }
    let p = overlap as f64 / pred_total as f64;
    let r = overlap as f64 / gold_total as f64;
    (p, r, 2.0 * p * r / (p + r))
}

/// Lower-cased words joined by single spaces: punctuation and case ignored.
pub fn normalize_title(t: &str) -> String {
    words(t).collect::<Vec<_>>().join(" ")
}

fn author_words(a: &str) -> Vec<String> {
    words(a).filter(|w| w != "by" && w != "and").collect()
}

fn date_part(d: Option<&str>) -> Option<String> {
    d.map(|d| d.trim().chars().take(10).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bag_of_words_counts_multiplicity() {
        let (p, r, f) = bag_of_words_f1("the the cat", "the cat sat");
        assert!((p - 2.0 / 3.0).abs() < 1e-9);
        assert!((r - 2.0 / 3.0).abs() < 1e-9);
        assert!((f - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(bag_of_words_f1("", ""), (1.0, 1.0, 1.0));
        assert_eq!(bag_of_words_f1("x", ""), (0.0, 0.0, 0.0));
    }

    #[test]
    fn titles_compare_without_case_or_punctuation() {
        assert_eq!(
            normalize_title("What’s Next — for Trump?"),
            normalize_title("what s next for trump")
        );
        assert_ne!(
            normalize_title("What's next"),
            normalize_title("What's next | Site")
        );
    }

    #[test]
    fn authors_compare_as_words() {
        assert_eq!(
            author_words("By Jane Doe and John Roe"),
            author_words("Jane Doe, John Roe")
        );
        assert_ne!(author_words("Jane Doe"), author_words("Jane Doe, John Roe"));
    }
}
