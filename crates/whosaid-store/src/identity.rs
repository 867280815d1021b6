//! One speaker across articles: the identity rule both backends apply.
//!
//! A name's key is [`speaker_key`] (from the library, `whosaid::identity`,
//! where the rule is documented): actors with equal keys are one speaker.
//! This module adds what only the ledger needs, deciding from stored counts
//! which surname stands for which person.
//!
//! # Surnames
//!
//! Articles often give only a surname. A one-word key (`trump`) of a person
//! or of an actor of unknown kind *folds into* a multi-word person key ending
//! in that word (`donald trump`) when that person key is the only one ending
//! in the word, or when it holds at least 80% of the attributions of all such
//! person keys ([`fold_target`]). Organisations, outlets and groups never
//! fold: `house` is not `white house`. Folding is
//! decided when a query runs, from the counts then stored, never when a
//! document is ingested, so the answer never depends on ingest order.
//!
//! A query for a speaker ([`SpeakerMatch`]) then means:
//! - a one-word name (`Trump`): that key and every multi-word person key
//!   ending in it (`donald trump`, `ivanka trump`): the user did not say which;
//! - a fuller name (`Donald Trump`, `President Donald Trump`): that key, plus
//!   the one-word key `trump` when it folds into `donald trump`. `Ivanka Trump`
//!   never matches `Donald Trump`; `Putin` folds into `Vladimir Putin` as long
//!   as no other Putin is quoted comparably often.
//!
//! Listings group a folded surname with the full name it folds into, shown
//! under the group's most frequent name as written in articles.

pub use whosaid::identity::{is_single_word, last_word, speaker_key};

/// Speakers grouped as listings show them: each group under its
/// representative (the person a surname folds into, else the key itself),
/// holding the ids given and, since a listing by name may hold a folded
/// surname but not its person or the reverse, every surname folded into a
/// listed person. `folds` maps a surname's id to its person's id.
pub(crate) fn fold_groups(
    ids: impl IntoIterator<Item = i64>,
    folds: &std::collections::HashMap<i64, i64>,
) -> std::collections::BTreeMap<i64, Vec<i64>> {
    let mut groups: std::collections::BTreeMap<i64, Vec<i64>> = Default::default();
    for id in ids {
        let rep = folds.get(&id).copied().unwrap_or(id);
        let members = groups.entry(rep).or_insert_with(|| vec![rep]);
        if !members.contains(&id) {
            members.push(id);
        }
    }
    for (surname, person) in folds {
        if let Some(members) = groups.get_mut(person) {
            if !members.contains(surname) {
                members.push(*surname);
            }
        }
    }
    groups
}

/// What a query for a speaker matches, by the rule in the module
/// documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpeakerMatch {
    /// A one-word key: itself and every multi-word person key ending in it.
    Surname(String),
    /// A multi-word key: itself, and the one-word key `surname` when that
    /// folds into `key` ([`fold_target`]).
    FullName { key: String, surname: String },
}

/// How the store should match the speaker a user typed; `None` when the
/// name has no key ("he", "officials").
pub fn speaker_match(name: &str) -> Option<SpeakerMatch> {
    let key = speaker_key(name)?;
    if is_single_word(&key) {
        Some(SpeakerMatch::Surname(key))
    } else {
        let surname = last_word(&key).to_string();
        Some(SpeakerMatch::FullName { key, surname })
    }
}

/// The person a one-word key folds into, given the multi-word person keys
/// ending in that word as `(speaker id, attributions)`: the only one, or the
/// one holding at least 80% of their attributions; otherwise none (the
/// surname stays its own speaker, as ambiguous).
pub fn fold_target(candidates: &[(i64, u64)]) -> Option<i64> {
    match candidates {
        [] => None,
        [(only, _)] => Some(*only),
        _ => {
            let total: u64 = candidates.iter().map(|(_, n)| n).sum();
            // Two keys cannot both hold 80%, so the first maximum is the only
            // possible answer, whatever order the backend listed them in.
            let (id, top) = candidates
                .iter()
                .copied()
                .max_by_key(|&(id, n)| (n, std::cmp::Reverse(id)))?;
            // Integer arithmetic: 5·top ≥ 4·total is top/total ≥ 80% exactly.
            (top.saturating_mul(5) >= total.saturating_mul(4)).then_some(id)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding() {
        type Case = (&'static [(i64, u64)], Option<i64>);
        let cases: &[Case] = &[
            (&[], None),
            (&[(7, 1)], Some(7)),
            (&[(7, 80), (9, 20)], Some(7)),
            (&[(7, 79), (9, 21)], None),
            (&[(9, 20), (7, 80)], Some(7)),
            (&[(7, 50), (9, 50)], None),
            (&[(7, 8), (8, 1), (9, 1)], Some(7)),
            (&[(7, 7), (8, 2), (9, 1)], None),
        ];
        for (candidates, want) in cases {
            assert_eq!(fold_target(candidates), *want, "{candidates:?}");
        }
    }

    #[test]
    fn matches() {
        assert_eq!(
            speaker_match("President Trump"),
            Some(SpeakerMatch::Surname("trump".into()))
        );
        assert_eq!(
            speaker_match("Donald J. Trump"),
            Some(SpeakerMatch::FullName {
                key: "donald trump".into(),
                surname: "trump".into()
            })
        );
        assert_eq!(speaker_match("officials"), None);
    }
}
