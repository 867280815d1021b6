//! One speaker across articles (placeholder until the rule lands in this session).
