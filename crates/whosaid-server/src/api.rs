//! The route handlers: each reads its parameters, calls the pipeline or the
//! ledger off the async threads, and answers JSON.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use whosaid::record::{AttributionKind, Stance};
use whosaid::{Input, InputKind, Record};
use whosaid_store::{
    AttributionQuery, AttributionRow, NewDocument, PutOutcome, SpeakerSummary, STANCES,
};

use crate::error::ApiError;
use crate::params::{decode_cursor, encode_cursor, Params};
use crate::AppState;

type Shared = State<Arc<AppState>>;
type ApiResult = Result<Response, ApiError>;

const DEFAULT_PAGE: usize = 50;
const MAX_PAGE: usize = 500;
/// Attributions shown on an actor's page.
const RECENT: usize = 20;

pub(crate) async fn healthz(State(state): Shared) -> Response {
    let version = env!("CARGO_PKG_VERSION");
    match state.ledger.ping().await {
        Ok(()) => Json(json!({"status": "ok", "store": "ok", "version": version})).into_response(),
        Err(e) => {
            // The health document and the error shape in one: monitors read
            // `store`, clients of the API read `error`.
            let body = json!({
                "status": "unavailable",
                "store": "unavailable",
                "version": version,
                "error": {"code": e.code, "message": e.message},
            });
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}

pub(crate) async fn openapi() -> Response {
    json_text(crate::OPENAPI)
}

fn json_text(text: &'static str) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        )],
        text,
    )
        .into_response()
}

pub(crate) async fn page() -> Response {
    asset_response("text/html; charset=utf-8", crate::assets::INDEX_HTML)
}

/// Only the files built into the binary: the name picks from a fixed
/// list and never reaches the file system.
pub(crate) async fn asset(Path(name): Path<String>) -> ApiResult {
    let (content_type, body) = match name.as_str() {
        "app.js" => ("text/javascript; charset=utf-8", crate::assets::APP_JS),
        "app.css" => ("text/css; charset=utf-8", crate::assets::APP_CSS),
        _ => return Err(ApiError::not_found(format!("no asset {name:?}"))),
    };
    Ok(asset_response(content_type, body))
}

fn asset_response(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            // The files change with the binary; a browser asks again.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}

pub(crate) async fn fallback() -> ApiError {
    ApiError::not_found("no such route; GET /v1/openapi.json lists them")
}

/// What a POST body is: the page's bytes and how to read them.
struct Upload {
    bytes: Bytes,
    kind: InputKind,
    charset: Option<String>,
    url: Option<String>,
}

async fn read_upload(
    state: &AppState,
    query: Option<&str>,
    headers: &HeaderMap,
    body: Body,
) -> Result<Upload, ApiError> {
    let params = Params::parse(query, &["url", "input"])?;
    let (content_kind, charset) = content_kind(headers)?;
    let kind = match params.get("input") {
        None => content_kind,
        Some(word) => match word.trim().to_ascii_lowercase().as_str() {
            "auto" => InputKind::Auto,
            "html" => InputKind::Html,
            "text" => InputKind::Text,
            _ => {
                return Err(ApiError::bad_request(format!(
                    "input: {word:?} is not one of auto, html, text"
                )))
            }
        },
    };
    let bytes = read_body(body, headers, state.config.max_body_bytes).await?;
    Ok(Upload {
        bytes,
        kind,
        charset,
        url: params.string("url"),
    })
}

/// The input kind and charset a `Content-Type` names; a type that is
/// neither a page nor text nor raw bytes (JSON, a form, an image) is a 415.
fn content_kind(headers: &HeaderMap) -> Result<(InputKind, Option<String>), ApiError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok((InputKind::Auto, None));
    };
    let text = value
        .to_str()
        .map_err(|_| ApiError::unsupported_media_type("(not ASCII)"))?;
    let mut parts = text.split(';');
    let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let charset = parts.find_map(|p| {
        let (name, value) = p.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"').to_string())
    });
    let kind = match essence.as_str() {
        "text/html" | "application/xhtml+xml" => InputKind::Html,
        "text/plain" => InputKind::Text,
        // The second is what `curl --data-binary @page.html` sends unless
        // told otherwise: the bytes are the page all the same.
        "application/octet-stream" | "application/x-www-form-urlencoded" | "" => InputKind::Auto,
        _ => return Err(ApiError::unsupported_media_type(text)),
    };
    Ok((kind, charset))
}

async fn read_body(body: Body, headers: &HeaderMap, limit: usize) -> Result<Bytes, ApiError> {
    // A declared length over the limit is refused before any byte is read.
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::payload_too_large(limit));
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<LengthLimitError>() => Err(ApiError::payload_too_large(limit)),
        Err(e) => Err(ApiError::bad_request(format!(
            "the request body could not be read: {e}"
        ))),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Runs the pipeline on a blocking thread once an extraction slot is free;
/// waits for one at most `extraction_queue_wait`, then answers overloaded.
async fn extract(
    state: &AppState,
    upload: Upload,
    sha256: Option<String>,
) -> Result<Record, ApiError> {
    let permit = match tokio::time::timeout(
        state.config.extraction_queue_wait,
        state.extractions.clone().acquire_owned(),
    )
    .await
    {
        Ok(Ok(permit)) => permit,
        _ => return Err(ApiError::overloaded()),
    };
    let pipeline = state.pipeline.clone();
    let task = tokio::task::spawn_blocking(move || {
        // Held until the pipeline returns, even when the request timed out
        // and nobody waits for the answer: the cap counts real work.
        let _permit = permit;
        let input = Input {
            bytes: &upload.bytes,
            kind: upload.kind,
            path: None,
            url: upload.url.as_deref(),
            charset: upload.charset.as_deref(),
            fallback_date: None,
            record: None,
            sha256: sha256.as_deref(),
        };
        pipeline.process(&input)
    });
    match task.await {
        Ok(Ok(record)) => Ok(record),
        Ok(Err(whosaid::Error::TooLarge { limit, .. })) => Err(ApiError::payload_too_large(
            usize::try_from(limit).unwrap_or(usize::MAX),
        )),
        Ok(Err(e)) => Err(ApiError::unprocessable(e.to_string())),
        Err(e) => {
            eprintln!("whosaid serve: the pipeline failed: {e}");
            Err(ApiError::internal())
        }
    }
}

pub(crate) async fn post_extract(
    State(state): Shared,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    let upload = read_upload(&state, query.as_deref(), &headers, body).await?;
    let record = extract(&state, upload, None).await?;
    Ok(Json(record).into_response())
}

pub(crate) async fn post_document(
    State(state): Shared,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> ApiResult {
    state.authorize(&headers)?;
    let upload = read_upload(&state, query.as_deref(), &headers, body).await?;
    let sha256 = sha256_hex(&upload.bytes);
    // Bytes stored before are answered without running the pipeline.
    let digest = sha256.clone();
    let known = state
        .ledger
        .call(move |store| {
            if store.known(&[digest.as_str()])?[0] {
                Ok(store.document(&digest)?.map(|d| d.id))
            } else {
                Ok(None)
            }
        })
        .await?;
    if let Some(id) = known {
        return Ok(stored_response(id, &sha256, false));
    }
    let record = extract(&state, upload, Some(sha256.clone())).await?;
    let outcome = state
        .ledger
        .call(move |store| {
            store.put_batch(&[NewDocument {
                record,
                offset: None,
            }])
        })
        .await?;
    match outcome.first() {
        Some(PutOutcome::Stored(id)) => Ok(stored_response(*id, &sha256, true)),
        Some(PutOutcome::Duplicate(id)) => Ok(stored_response(*id, &sha256, false)),
        None => Err(ApiError::internal()),
    }
}

fn stored_response(id: i64, sha256: &str, stored: bool) -> Response {
    let body = Json(json!({"id": id, "sha256": sha256, "stored": stored}));
    if stored {
        let location = HeaderValue::try_from(format!("/v1/documents/{id}"))
            .unwrap_or(HeaderValue::from_static("/v1/documents"));
        (StatusCode::CREATED, [(header::LOCATION, location)], body).into_response()
    } else {
        body.into_response()
    }
}

pub(crate) async fn get_document(
    State(state): Shared,
    Path(key): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult {
    Params::parse(query.as_deref(), &[])?;
    let lookup = key.clone();
    let found = state
        .ledger
        .call(move |store| store.document(&lookup))
        .await?;
    let Some(document) = found else {
        return Err(ApiError::not_found(format!("no document {key:?}")));
    };
    Ok(Json(DocumentJson {
        id: document.id,
        ingested_at: document.ingested_at,
        offset: document.offset,
        record: document.record,
    })
    .into_response())
}

/// A stored document. Structs rather than `json!` keep the fields in the
/// order the contract lists them (a `json!` object sorts them).
#[derive(Serialize)]
struct DocumentJson {
    id: i64,
    ingested_at: String,
    offset: Option<u64>,
    record: Record,
}

#[derive(Serialize)]
struct AttributionPage {
    items: Vec<AttributionItem>,
    next_cursor: Option<String>,
}

#[derive(Serialize)]
struct ActorJson {
    id: i64,
    name: String,
    kind: String,
    attributions: u64,
    documents: u64,
    /// Every stance, zero or not, so that clients need no list of their own.
    stances: serde_json::Map<String, Value>,
}

#[derive(Serialize)]
struct ActorList {
    items: Vec<ActorJson>,
}

#[derive(Serialize)]
struct NameCount {
    name: String,
    count: u64,
}

#[derive(Serialize)]
struct MonthCount {
    month: String,
    count: u64,
}

#[derive(Serialize)]
struct ActorProfileJson {
    #[serde(flatten)]
    actor: ActorJson,
    names: Vec<NameCount>,
    per_month: Vec<MonthCount>,
    recent: Vec<AttributionItem>,
}

/// One attribution found, as the API lists it.
#[derive(Serialize)]
struct AttributionItem {
    document: i64,
    index: i64,
    kind: AttributionKind,
    stance: Stance,
    speaker: Option<String>,
    speaker_id: Option<i64>,
    cue: Option<String>,
    content: String,
    title: Option<String>,
    site: Option<String>,
    published: Option<String>,
    url: Option<String>,
}

impl From<AttributionRow> for AttributionItem {
    fn from(row: AttributionRow) -> Self {
        AttributionItem {
            document: row.document,
            index: row.index,
            kind: row.kind,
            stance: row.stance,
            speaker: row.speaker,
            speaker_id: row.speaker_id,
            cue: row.cue,
            content: row.content,
            title: row.title,
            site: row.site,
            published: row.published,
            url: row.url,
        }
    }
}

pub(crate) async fn get_attributions(State(state): Shared, RawQuery(query): RawQuery) -> ApiResult {
    let params = Params::parse(
        query.as_deref(),
        &[
            "speaker", "q", "stance", "kind", "site", "since", "until", "limit", "cursor",
        ],
    )?;
    let limit = params.limit(DEFAULT_PAGE, MAX_PAGE)?;
    let search = AttributionQuery {
        speaker: params.string("speaker"),
        about: params.string("q"),
        stance: params.parsed("stance", whosaid_store::parse_stance)?,
        kind: params.parsed("kind", whosaid_store::parse_kind)?,
        site: params.string("site"),
        since: params.parsed("since", whosaid_store::parse_day)?,
        until: params.parsed("until", whosaid_store::parse_day)?,
        // One row more than asked tells whether another page follows.
        limit: limit + 1,
        after: params.get("cursor").map(decode_cursor).transpose()?,
    };
    let mut rows = state
        .ledger
        .call(move |store| store.query(&search))
        .await
        .map_err(api_words)?;
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|r| encode_cursor(&r.cursor))
    } else {
        None
    };
    Ok(Json(AttributionPage {
        items: rows.into_iter().map(AttributionItem::from).collect(),
        next_cursor,
    })
    .into_response())
}

/// The store words its refusals for the command line (`--about`); here
/// they name the API's parameters.
fn api_words(mut e: ApiError) -> ApiError {
    if e.code == "bad_request" {
        for (flag, param) in [("--about", "q"), ("--since", "since"), ("--until", "until")] {
            e.message = e.message.replace(flag, param);
        }
    }
    e
}

fn actor_json(s: &SpeakerSummary) -> ActorJson {
    let stances = STANCES
        .iter()
        .map(|stance| {
            let n = s
                .stances
                .iter()
                .find(|(st, _)| st == stance)
                .map_or(0, |(_, n)| *n);
            (stance.as_str().to_string(), n.into())
        })
        .collect();
    ActorJson {
        id: s.id,
        name: s.name.clone(),
        kind: s.kind.clone(),
        attributions: s.attributions,
        documents: s.documents,
        stances,
    }
}

pub(crate) async fn get_actors(State(state): Shared, RawQuery(query): RawQuery) -> ApiResult {
    let params = Params::parse(query.as_deref(), &["q", "limit"])?;
    let limit = params.limit(DEFAULT_PAGE, MAX_PAGE)?;
    let name = params.string("q");
    let speakers = state
        .ledger
        .call(move |store| store.speakers(name.as_deref(), limit))
        .await?;
    Ok(Json(ActorList {
        items: speakers.iter().map(actor_json).collect(),
    })
    .into_response())
}

pub(crate) async fn get_actor(
    State(state): Shared,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult {
    Params::parse(query.as_deref(), &[])?;
    let id: i64 = id
        .trim()
        .parse()
        .map_err(|_| ApiError::bad_request(format!("id: {id:?} is not an actor id (a number)")))?;
    let found = state
        .ledger
        .call(move |store| {
            let Some(profile) = store.speaker_profile(id)? else {
                return Ok(None);
            };
            // The store searches by name, not id: ask by the actor's own
            // name (which may match others of that name) and keep this
            // actor's rows. A name that matches no one leaves the list empty.
            let search = AttributionQuery {
                speaker: Some(profile.summary.name.clone()),
                limit: RECENT * 10,
                ..Default::default()
            };
            let recent: Vec<AttributionRow> = match store.query(&search) {
                Ok(rows) => rows
                    .into_iter()
                    .filter(|r| r.speaker_id == Some(id))
                    .take(RECENT)
                    .collect(),
                Err(whosaid_store::Error::InvalidQuery(_)) => Vec::new(),
                Err(e) => return Err(e),
            };
            Ok(Some((profile, recent)))
        })
        .await?;
    let Some((profile, recent)) = found else {
        return Err(ApiError::not_found(format!("no actor {id}")));
    };
    Ok(Json(ActorProfileJson {
        actor: actor_json(&profile.summary),
        names: profile
            .names
            .into_iter()
            .map(|(name, count)| NameCount { name, count })
            .collect(),
        per_month: profile
            .per_month
            .into_iter()
            .map(|(month, count)| MonthCount { month, count })
            .collect(),
        recent: recent.into_iter().map(AttributionItem::from).collect(),
    })
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_pick_the_input_kind() {
        let cases = [
            (None, Ok((InputKind::Auto, None))),
            (Some("text/html"), Ok((InputKind::Html, None))),
            (
                Some("text/html; charset=ISO-8859-1"),
                Ok((InputKind::Html, Some("ISO-8859-1"))),
            ),
            (
                Some("Text/Plain;charset=\"utf-8\""),
                Ok((InputKind::Text, Some("utf-8"))),
            ),
            (
                Some("application/octet-stream"),
                Ok((InputKind::Auto, None)),
            ),
            (Some("application/xhtml+xml"), Ok((InputKind::Html, None))),
            (
                Some("application/x-www-form-urlencoded"),
                Ok((InputKind::Auto, None)),
            ),
            (Some("application/json"), Err(415)),
            (Some("multipart/form-data; boundary=x"), Err(415)),
            (Some("image/png"), Err(415)),
        ];
        for (value, expected) in cases {
            let mut headers = HeaderMap::new();
            if let Some(v) = value {
                headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(v));
            }
            let got = content_kind(&headers);
            match expected {
                Ok((kind, charset)) => {
                    let (k, c) = got.unwrap();
                    assert_eq!(k, kind, "{value:?}");
                    assert_eq!(c.as_deref(), charset, "{value:?}");
                }
                Err(status) => assert_eq!(got.unwrap_err().status.as_u16(), status, "{value:?}"),
            }
        }
    }

    #[test]
    fn store_messages_name_the_api_parameters() {
        let e = api_words(ApiError::bad_request(
            "--about \"!!\" has no words to search for",
        ));
        assert_eq!(e.message, "q \"!!\" has no words to search for");
    }
}
