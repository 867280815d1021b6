//! Quality and speed of each extractor's run, side by side.
//!
//! Body quality is scored here, in one place, for every extractor (Python
//! ones included), so that tokenisation and lower-casing cannot differ
//! between them. The metric is the one `whosaid eval extraction` reports
//! (crates/whosaid-cli/src/eval.rs): bag-of-words F1 per page, tokens `\w+`
//! lower-cased, counted as a multiset, averaged over pages; a page with no
//! gold and no predicted words scores 1. Keep the two in step.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;

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

/// Summary of per-page times, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    pub median: f64,
    pub mean: f64,
    pub p95: f64,
    pub total_s: f64,
}

impl Timing {
    /// None for an empty run.
    pub fn of(times_ms: &[f64]) -> Option<Timing> {
        if times_ms.is_empty() {
            return None;
        }
        let mut sorted = times_ms.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        // Nearest rank: the smallest time at or above 95% of the pages.
        let rank = ((0.95 * n as f64).ceil() as usize).clamp(1, n);
        let total: f64 = sorted.iter().sum();
        Some(Timing {
            median,
            mean: total / n as f64,
            p95: sorted[rank - 1],
            total_s: total / 1000.0,
        })
    }

    pub fn pages_per_second(&self) -> f64 {
        if self.mean > 0.0 {
            1000.0 / self.mean
        } else {
            f64::INFINITY
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bag_of_words_counts_multiplicity() {
        let cases: [(&str, &str, (f64, f64, f64)); 5] = [
            (
                "the the cat",
                "the cat sat",
                (2.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0),
            ),
            ("", "", (1.0, 1.0, 1.0)),
            ("x", "", (0.0, 0.0, 0.0)),
            ("", "x", (0.0, 0.0, 0.0)),
            ("The CAT, the cat.", "the cat the cat", (1.0, 1.0, 1.0)),
        ];
        for (predicted, gold, want) in cases {
            let got = bag_of_words_f1(predicted, gold);
            for (g, w) in [(got.0, want.0), (got.1, want.1), (got.2, want.2)] {
                assert!((g - w).abs() < 1e-9, "{predicted:?} vs {gold:?}: {got:?}");
            }
        }
    }

    #[test]
    fn timing_uses_median_mean_and_nearest_rank_p95() {
        assert_eq!(Timing::of(&[]), None);
        let odd = Timing::of(&[3.0, 1.0, 2.0]).expect("non-empty");
        assert_eq!((odd.median, odd.mean, odd.p95), (2.0, 2.0, 3.0));
        let even = Timing::of(&[4.0, 1.0, 2.0, 3.0]).expect("non-empty");
        assert_eq!(even.median, 2.5);
        let hundred: Vec<f64> = (1..=100).map(f64::from).collect();
        let t = Timing::of(&hundred).expect("non-empty");
        assert_eq!(t.p95, 95.0);
        assert!((t.pages_per_second() - 1000.0 / 50.5).abs() < 1e-9);
    }
}
