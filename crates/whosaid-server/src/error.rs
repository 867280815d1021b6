//! Errors: the server's own (at start-up) and the API's (one JSON shape with
//! a stable code for every failed request).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error(transparent)]
    Store(#[from] whosaid_store::Error),
    #[error("CORS origin {origin:?} is not a valid header value")]
    CorsOrigin { origin: String },
    #[error("invalid configuration: {0}")]
    Config(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A failed request, as the client sees it:
/// `{"error": {"code": "...", "message": "..."}}` with the status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    /// Stable snake_case; clients branch on it, never on the message.
    pub code: &'static str,
    pub message: String,
    /// Seconds, sent as `Retry-After` (overload).
    pub retry_after: Option<u32>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this route needs the header Authorization: Bearer <token>, with the server's token",
        )
    }

    pub fn writes_disabled() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "writes_disabled",
            "the server was started without a write token (WHOSAID_TOKEN or --token-file), so it stores nothing",
        )
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the request body is over the limit of {limit} bytes"),
        )
    }

    pub fn unsupported_media_type(found: &str) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!(
                "Content-Type {found:?} is not read; send text/html, text/plain or \
                 application/octet-stream (decided from the bytes)"
            ),
        )
    }

    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "unprocessable", message)
    }

    pub fn overloaded() -> Self {
        ApiError {
            retry_after: Some(1),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "overloaded",
                "every extraction slot is busy; retry shortly",
            )
        }
    }

    pub fn store_unavailable() -> Self {
        ApiError {
            retry_after: Some(5),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "store_unavailable",
                "the ledger cannot be reached; retry later",
            )
        }
    }

    pub fn timeout(seconds: u64) -> Self {
        Self::new(
            StatusCode::GATEWAY_TIMEOUT,
            "timeout",
            format!("the request took longer than {seconds} s and was abandoned"),
        )
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed on this request; the failure is in its log",
        )
    }

    /// The error for a status that some layer answered without a body of
    /// ours (a method the route lacks, a panic caught): the same JSON shape,
    /// with `message` as the layer's text or the status's reason.
    pub fn from_status(status: StatusCode, message: Option<String>) -> Self {
        let code = match status.as_u16() {
            400 => "bad_request",
            401 => "unauthorized",
            403 => "writes_disabled",
            404 => "not_found",
            405 => "method_not_allowed",
            408 | 504 => "timeout",
            413 => "payload_too_large",
            415 => "unsupported_media_type",
            422 => "unprocessable",
            503 => "overloaded",
            s if s < 500 => "bad_request",
            _ => "internal",
        };
        // A 5xx text may be a panic's message: never shown to clients.
        let message = match message {
            Some(m) if !m.trim().is_empty() && !status.is_server_error() => m,
            _ => status
                .canonical_reason()
                .unwrap_or("request failed")
                .to_string(),
        };
        Self::new(status, code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": { "code": self.code, "message": self.message }
        });
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// How a store failure reaches the client: the user's mistake is a 400 with
/// the store's words; an unreachable or unreadable database a 503 (details
/// in the server's log only: they name files and hosts).
pub(crate) fn from_store(e: whosaid_store::Error) -> ApiError {
    match e {
        whosaid_store::Error::InvalidQuery(message) => ApiError::bad_request(message),
        whosaid_store::Error::Data { .. } => {
            eprintln!("whosaid serve: {e}");
            ApiError::internal()
        }
        other => {
            eprintln!("whosaid serve: the ledger failed: {other}");
            ApiError::store_unavailable()
        }
    }
}

/// Whether a store failure means the handle is no longer to be trusted
/// (reopen it next time) rather than a refused question.
pub(crate) fn is_backend_failure(e: &whosaid_store::Error) -> bool {
    !matches!(
        e,
        whosaid_store::Error::InvalidQuery(_) | whosaid_store::Error::Data { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_the_contract_codes() {
        let cases = [
            (400, "bad_request"),
            (401, "unauthorized"),
            (403, "writes_disabled"),
            (404, "not_found"),
            (405, "method_not_allowed"),
            (408, "timeout"),
            (413, "payload_too_large"),
            (415, "unsupported_media_type"),
            (422, "unprocessable"),
            (429, "bad_request"),
            (500, "internal"),
            (503, "overloaded"),
            (504, "timeout"),
        ];
        for (status, code) in cases {
            let e = ApiError::from_status(StatusCode::from_u16(status).unwrap(), None);
            assert_eq!(e.code, code, "{status}");
        }
    }

    #[test]
    fn server_error_text_is_never_shown() {
        let e = ApiError::from_status(
            StatusCode::INTERNAL_SERVER_ERROR,
            Some("panicked at src/lib.rs:12: index out of bounds".into()),
        );
        assert!(!e.message.contains("panicked"), "{}", e.message);
        let e = ApiError::from_status(StatusCode::BAD_REQUEST, Some("bad id".into()));
        assert_eq!(e.message, "bad id");
    }

    #[test]
    fn store_errors_split_into_the_users_and_the_servers() {
        let e = from_store(whosaid_store::Error::InvalidQuery("bad speaker".into()));
        assert_eq!((e.status.as_u16(), e.code), (400, "bad_request"));
        let e = from_store(whosaid_store::Error::NotADatabase {
            path: "/secret/ledger.db".into(),
            reason: "file is not a database".into(),
        });
        assert_eq!((e.status.as_u16(), e.code), (503, "store_unavailable"));
        assert!(!e.message.contains("/secret"), "{}", e.message);
    }
}
