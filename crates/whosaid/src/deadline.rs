//! The time one document may take ([`crate::Limits::max_time_per_document`]).
//!
//! Stages look at the clock themselves, at their boundaries and between
//! paragraphs, and stop early with what they have: nothing is interrupted
//! from outside, so a stopped document still gives a consistent result.

use std::time::{Duration, Instant};

/// When a document's time is up; [`Deadline::NONE`] never is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Deadline {
    at: Option<Instant>,
    limit: Option<Duration>,
}

impl Deadline {
    /// No time limit.
    pub const NONE: Deadline = Deadline {
        at: None,
        limit: None,
    };

    /// A deadline `limit` from now; `None` gives [`Deadline::NONE`]. A zero
    /// limit has passed already, which makes "stop at once" deterministic.
    pub fn starting_now(limit: Option<Duration>) -> Deadline {
        match limit {
            // A limit too far away to represent is no limit.
            Some(l) => Deadline {
                at: Instant::now().checked_add(l),
                limit: Some(l),
            },
            None => Deadline::NONE,
        }
    }

    pub fn passed(&self) -> bool {
        self.at.is_some_and(|at| Instant::now() >= at)
    }

    /// The limit this deadline was made from, for messages.
    pub fn limit(&self) -> Option<Duration> {
        self.limit
    }

    /// The limit in seconds as people write it ("2", "0.5"), for messages.
    pub fn describe(&self) -> String {
        self.limit
            .map_or_else(|| "none".to_string(), |l| format!("{} s", l.as_secs_f64()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_never_passes_and_zero_has_passed_already() {
        assert!(!Deadline::NONE.passed());
        assert!(!Deadline::starting_now(None).passed());
        assert!(Deadline::starting_now(Some(Duration::ZERO)).passed());
        assert!(!Deadline::starting_now(Some(Duration::from_secs(3600))).passed());
        // Beyond what Instant can hold: no limit rather than a panic.
        assert!(!Deadline::starting_now(Some(Duration::MAX)).passed());
    }

    #[test]
    fn limits_are_described_in_seconds() {
        for (limit, text) in [
            (Some(Duration::from_secs(2)), "2 s"),
            (Some(Duration::from_millis(500)), "0.5 s"),
            (Some(Duration::ZERO), "0 s"),
            (None, "none"),
        ] {
            assert_eq!(Deadline::starting_now(limit).describe(), text);
        }
    }
}
