//! Stage 4: who said what. Actors, attributions and the author's own voice
//! from the clean article text.

pub mod features;
pub mod polnear;
pub mod tagger;
pub mod text;
