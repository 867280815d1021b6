//! SQLite backend (placeholder until the backend lands in this session).
use crate::*;

pub struct SqliteStore {}

impl SqliteStore {
    pub fn open(_path: &str) -> Result<Self> {
        todo!("sqlite backend")
    }
}

impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }
    fn put_batch(&mut self, _documents: &[NewDocument]) -> Result<Vec<PutOutcome>> {
        todo!()
    }
    fn known(&self, _sha256: &[&str]) -> Result<Vec<bool>> {
        todo!()
    }
    fn document(&self, _key: &str) -> Result<Option<StoredDocument>> {
        todo!()
    }
    fn query(&self, _query: &AttributionQuery) -> Result<Vec<AttributionRow>> {
        todo!()
    }
    fn speakers(&self, _name: Option<&str>, _limit: usize) -> Result<Vec<SpeakerSummary>> {
        todo!()
    }
    fn speaker_profile(&self, _id: i64) -> Result<Option<SpeakerProfile>> {
        todo!()
    }
    fn stats(&self) -> Result<Stats> {
        todo!()
    }
    fn for_each_document(
        &self,
        _visit: &mut dyn FnMut(StoredDocument) -> Result<()>,
    ) -> Result<()> {
        todo!()
    }
}
