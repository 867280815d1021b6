//! PostgreSQL backend (placeholder until the backend lands in this session).
use crate::*;

pub struct PostgresStore {}

impl PostgresStore {
    pub fn connect(_url: &str) -> Result<Self> {
        todo!("postgres backend")
    }
}

impl Store for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
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
