//! WARC reading (placeholder until the reader lands in this session).
