//! `Idempotency-Key` on the batch calls (SPEC §3.3): the first request with a key runs and its
//! answer is recorded; a retry with the same key and the same request gets that answer again,
//! with `Idempotent-Replayed: true`, and applies nothing.
//!
//! - Keys are per organization, and the request's fingerprint covers the caller (username),
//!   the method, the path, the query (parameters sorted) and the body bytes: the same key with
//!   another request is `422`, so one user never reads another's answer through a shared key.
//! - While the first request runs, a retry is `409` (never a second run: claiming the key is
//!   atomic in the store).
//! - Successes and client errors are recorded (a failed batch fails again the same way); a
//!   server error or a transient conflict (`Busy`), a panic or a dropped request frees the key
//!   so that a retry runs. Keys expire after 24 hours.
//! - A key left in progress by a server that stopped mid-request (killed, crashed) is free
//!   again once twice `REQUEST_TIMEOUT_SECONDS` have passed since it was claimed: no request
//!   runs that long (the server stops it), so its first request is over; a retry then runs
//!   anew. Until then a retry is `409`, as while the first request runs.
//! - Limits: a request dropped after its batch committed but before its answer was recorded
//!   frees the key (a retry would apply again); an answer that could not be recorded leaves
//!   the key in progress until it expires (retries are `409`, never a second application).

use std::future::Future;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use contacts_application::ports::{Begin, IdempotencyStore};
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::AppState;

const KEY: &str = "idempotency-key";
const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// The longest key accepted.
pub(crate) const MAX_KEY_LEN: usize = 255;

/// The parts of a request its fingerprint is made of.
pub(super) struct Request<'a> {
    pub method: &'a Method,
    pub uri: &'a Uri,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// Runs `run` once per `Idempotency-Key` of the caller's organization (without the header,
/// simply runs it). Call it after authorization and before anything is applied.
///
/// # Errors
/// 400 for an invalid key, 422 for a key used with another request, 409 while the key's
/// first request runs; the errors of `run` otherwise.
pub(super) async fn once(
    s: &AppState,
    caller: &Caller,
    req: Request<'_>,
    run: impl Future<Output = Result<Response, ApiError>>,
) -> Result<Response, ApiError> {
    let Some(key) = key(req.headers)? else {
        return run.await;
    };
    let hash = fingerprint(&caller.username, &req);
    let now = now_ms();
    // A claim older than twice the longest a request may run is not running any more: its
    // server stopped before it could free the key (a kill, a crash, a power cut).
    let lease = i64::try_from(s.services.request_timeout.as_millis()).unwrap_or(i64::MAX / 4).saturating_mul(2);
    match s.idempotency.begin(caller.org, &key, &hash, now, now.saturating_sub(lease)).await? {
        Begin::New => {}
        Begin::Replay { status, body } => return Ok(replay(status, body)),
        Begin::Mismatch => return Err(ApiError::IdempotencyKeyReused(key)),
        Begin::InProgress => return Err(ApiError::IdempotencyKeyInProgress(key)),
    }
    let claim = Claim { store: s.idempotency.clone(), org: caller.org, key: Some(key) };
    let response = match run.await {
        Err(e) if e.is_transient() => {
            claim.abandon().await;
            return Err(e);
        }
        answer => answer.into_response(),
    };
    let (parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(e) => {
            claim.abandon().await;
            return Err(ApiError::Internal(anyhow::Error::new(e).context("buffering a batch answer")));
        }
    };
    claim.finish(parts.status.as_u16(), &bytes).await;
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

/// The request's `Idempotency-Key`, if any.
///
/// # Errors
/// 400 when it is empty, longer than [`MAX_KEY_LEN`] or not printable ASCII.
fn key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(KEY) else { return Ok(None) };
    let key = value.to_str().map(str::trim).unwrap_or_default();
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
        return Err(ApiError::IdempotencyKeyInvalid);
    }
    Ok(Some(key.to_owned()))
}

/// SHA-256 of the caller, method, path, query (its parameters sorted) and body, each
/// length-prefixed so that no two requests share one input.
fn fingerprint(username: &str, req: &Request<'_>) -> Vec<u8> {
    let mut query: Vec<&str> = req.uri.query().unwrap_or_default().split('&').filter(|p| !p.is_empty()).collect();
    query.sort_unstable();
    let query = query.join("&");
    let mut hash = Sha256::new();
    for part in
        [username.as_bytes(), req.method.as_str().as_bytes(), req.uri.path().as_bytes(), query.as_bytes(), req.body]
    {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    hash.finalize().to_vec()
}

/// The recorded answer, sent again.
fn replay(status: u16, body: Vec<u8>) -> Response {
    metrics::counter!("contacts_idempotent_replays_total").increment(1);
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(REPLAYED, HeaderValue::from_static("true"));
    response
}

fn now_ms() -> i64 {
    contacts_application::now_millis()
}

/// A claimed key. Dropped without [`finish`](Claim::finish) (a panic, a dropped request), it
/// frees the key in the background.
struct Claim {
    store: Arc<dyn IdempotencyStore>,
    org: i64,
    key: Option<String>,
}

impl Claim {
    async fn finish(mut self, status: u16, body: &[u8]) {
        let Some(key) = self.key.take() else { return };
        if let Err(e) = self.store.finish(self.org, &key, status, body).await {
            // The batch is applied: keep the key claimed (retries are 409 until it expires)
            // rather than free it for a second application.
            tracing::error!(error = format!("{e:#}"), key, "cannot record the answer of an idempotency key");
        }
    }

    async fn abandon(mut self) {
        if let Some(key) = self.key.take() {
            abandon(&*self.store, self.org, &key).await;
        }
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        let Some(key) = self.key.take() else { return };
        let (store, org) = (self.store.clone(), self.org);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move { abandon(&*store, org, &key).await });
        }
    }
}

async fn abandon(store: &dyn IdempotencyStore, org: i64, key: &str) {
    if let Err(e) = store.abandon(org, key).await {
        tracing::error!(error = format!("{e:#}"), key, "cannot free an idempotency key");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request<'a>(method: &'a Method, uri: &'a Uri, headers: &'a HeaderMap, body: &'a [u8]) -> Request<'a> {
        Request { method, uri, headers, body }
    }

    #[test]
    fn keys_are_printable_ascii_of_at_most_255_characters() {
        let mut headers = HeaderMap::new();
        assert!(key(&headers).unwrap().is_none());
        for (value, ok) in [("k1", true), (" k 1 ", true), ("", false), ("  ", false)] {
            headers.insert(KEY, HeaderValue::from_str(value).unwrap());
            assert_eq!(key(&headers).is_ok(), ok, "{value:?}");
        }
        headers.insert(KEY, HeaderValue::from_str(&"k".repeat(MAX_KEY_LEN)).unwrap());
        assert_eq!(key(&headers).unwrap().unwrap().len(), MAX_KEY_LEN);
        headers.insert(KEY, HeaderValue::from_str(&"k".repeat(MAX_KEY_LEN + 1)).unwrap());
        assert!(matches!(key(&headers), Err(ApiError::IdempotencyKeyInvalid)));
        headers.insert(KEY, HeaderValue::from_bytes("é".as_bytes()).unwrap());
        assert!(matches!(key(&headers), Err(ApiError::IdempotencyKeyInvalid)));
    }

    #[test]
    fn the_fingerprint_covers_caller_method_path_query_and_body_and_not_the_query_order() {
        let h = HeaderMap::new();
        let (put, post) = (Method::PUT, Method::POST);
        let uri: Uri = "/rest/contacts/1/batch?atomic=false&idType=id".parse().unwrap();
        let reordered: Uri = "/rest/contacts/1/batch?idType=id&atomic=false".parse().unwrap();
        let other_query: Uri = "/rest/contacts/1/batch?atomic=true&idType=id".parse().unwrap();
        let base = fingerprint("u", &request(&put, &uri, &h, b"[]"));
        assert_eq!(base.len(), 32);
        assert_eq!(base, fingerprint("u", &request(&put, &reordered, &h, b"[]")));
        for other in [
            fingerprint("v", &request(&put, &uri, &h, b"[]")),
            fingerprint("u", &request(&post, &uri, &h, b"[]")),
            fingerprint("u", &request(&put, &other_query, &h, b"[]")),
            fingerprint("u", &request(&put, &uri, &h, b"[ ]")),
        ] {
            assert_ne!(base, other);
        }
    }
}
