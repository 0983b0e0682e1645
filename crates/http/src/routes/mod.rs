//! The routes. Everbridge's paths, with a JSON answer for everything, unknown routes included.

mod catalog;
mod contacts;
mod groups;
mod health;
mod organizations;
mod patch;

use axum::http::{HeaderMap, Uri};
use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::AppState;

/// Every route, each with its OpenAPI operation (`utoipa_axum`: a route is registered from its
/// `#[utoipa::path]`, so none is served undocumented), and the document they make.
pub(crate) fn router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, doc) = OpenApiRouter::with_openapi(crate::openapi::ApiDoc::openapi())
        .routes(routes!(health::live))
        .routes(routes!(health::ready))
        .routes(routes!(crate::metrics::render))
        .merge(contacts::router())
        .merge(catalog::router())
        .merge(groups::router())
        .merge(organizations::router())
        .merge(patch::router())
        .split_for_parts();
    (router.fallback(fallback).method_not_allowed_fallback(method_not_allowed), doc)
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

#[cfg(test)]
mod tests {
    /// Every source that builds routes. A route added with axum's `route` or `nest` would be
    /// served without an OpenAPI operation; `utoipa_axum`'s `routes!` registers a handler from
    /// its `#[utoipa::path]`, so the document and the router cannot differ.
    const SOURCES: [(&str, &str); 9] = [
        ("routes/mod.rs", include_str!("mod.rs")),
        ("routes/contacts.rs", include_str!("contacts.rs")),
        ("routes/catalog.rs", include_str!("catalog.rs")),
        ("routes/catalog/entries.rs", include_str!("catalog/entries.rs")),
        ("routes/groups.rs", include_str!("groups.rs")),
        ("routes/organizations.rs", include_str!("organizations.rs")),
        ("routes/patch.rs", include_str!("patch.rs")),
        ("routes/health.rs", include_str!("health.rs")),
        ("lib.rs", include_str!("../lib.rs")),
    ];

    #[test]
    fn routes_are_registered_only_with_their_openapi_operation() {
        let forbidden = [[".", "route("].concat(), [".", "nest("].concat(), [".", "route_service("].concat()];
        for (file, text) in SOURCES {
            for pattern in &forbidden {
                assert!(!text.contains(pattern.as_str()), "{file} registers a route with {pattern}: use routes!()");
            }
        }
        let registered: usize = SOURCES.iter().map(|(_, text)| text.matches("routes!(").count()).sum();
        assert!(registered >= 20, "{registered}");
    }
}
