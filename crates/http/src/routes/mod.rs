//! The routes. Everbridge's paths, with a JSON answer for everything, unknown routes included.

mod catalog;
mod contacts;
mod groups;
mod health;
mod organizations;
mod patch;

use axum::http::{HeaderMap, Uri};
use axum::routing::get;
use axum::Router;

use crate::error::ApiError;
use crate::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/health/live", get(health::live))
        .route("/health/ready", get(health::ready))
        .route("/metrics", get(crate::metrics::render))
        .merge(contacts::router())
        .merge(catalog::router())
        .merge(groups::router())
        .merge(organizations::router())
        .merge(patch::router())
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// An unknown route; or a known resource with an empty organization segment
/// (`/rest/contacts//batch`), which Everbridge answers `401 Missing Organization Id`.
async fn fallback(uri: Uri, _headers: HeaderMap) -> ApiError {
    let segments: Vec<&str> = uri.path().trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["rest", _resource] => ApiError::MissingOrganization,
        ["rest", _resource, "", ..] => ApiError::MissingOrganization,
        ["rest", "contacts", _org, "", ..] => ApiError::MissingContactId,
        _ => ApiError::NotFound(format!("No such resource: {}", uri.path())),
    }
}

/// `http(s)://host/rest/...` for links in envelopes, from the request's `Host` (and
/// `X-Forwarded-Proto` behind a proxy).
pub(crate) fn base_url(headers: &HeaderMap) -> String {
    let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()).unwrap_or("http");
    format!("{scheme}://{host}")
}

/// `If-Match: "3"` (or `W/"3"`, or `3`) → version 3; `*` → any version.
///
/// # Errors
/// 400 when the header carries something else.
pub(crate) fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(v) = headers.get(axum::http::header::IF_MATCH) else {
        return Ok(None);
    };
    let text = v.to_str().unwrap_or("").trim();
    if text == "*" {
        return Ok(None);
    }
    text.trim_start_matches("W/").trim_matches('"').parse().map(Some).map_err(|_| {
        ApiError::BadRequest(format!("If-Match must carry a contact version such as \"3\" (got '{text}')"))
    })
}
