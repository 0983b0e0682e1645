//! `PATCH /rest/contacts/{org}/{id}?idType=id|externalId`: Everbridge's JSON-Patch dialect
//! (`application/json-patch+json`, or `application/json`), a JSON array of
//! `{"op": "add"|"replace"|"remove", "path", "value"}` applied whole or not at all
//! ([`contacts_domain::patch`]). Success is the single-write envelope; any failing operation is
//! `400 {"message": "Patch failed due to input invalid!", "status": 400, "detail": [...]}`.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use contacts_application::batch::{ItemResult, ItemStatus};
use contacts_application::patch::PatchContactError;
use contacts_application::ports::ContactRef;
use contacts_domain::patch::{parse_patch, PatchError};
use contacts_domain::{ErrorCode, FieldError};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{base_url, if_match};
use crate::auth::Need;
use crate::body;
use crate::error::{ApiError, PatchDetail};
use crate::params::Params;
use crate::wire::envelope::WriteEnvelope;
use crate::AppState;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(patch_one))
}

#[utoipa::path(
    patch,
    path = "/rest/contacts/{org}/{id}",
    tag = "contacts",
    summary = "Patch one contact (Everbridge's JSON-Patch dialect)",
    params(crate::openapi::ContactPath, crate::openapi::IdTypeQuery,
        ("If-Match" = Option<String>, Header, description = "The version the change is based on")),
    request_body(content = Vec<crate::openapi::PatchOperation>, content_type = "application/json-patch+json",
        description = "Operations: `/paths/pathId:241901148045319/value`, `/groups/value:13885629267972`, `/groupsName/-`, ..."),
    responses((status = 200, description = "Patched", body = WriteEnvelope),
        (status = 412, description = "The contact's version is not the one of `If-Match`", body = crate::error::Body<'static>))
)]
/// `PATCH /rest/contacts/{org}/{id}?idType=id|externalId`, with an optional `If-Match`.
async fn patch_one(
    State(s): State<AppState>,
    Path((org, segment)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let caller = s.authorize(&headers, &org, Need::WriteContacts).await?;
    let target = target(&segment, &Params::parse(q.as_deref())?)?;
    let version = if_match(&headers)?;
    content_type(&headers)?;
    let value = body::json(&body::bytes(body)?).map_err(|e| match e {
        ApiError::BadRequest(message) => failed(vec![PatchError::body("body", message)]),
        other => other,
    })?;
    let ops = parse_patch(value).map_err(failed)?;
    let done = s.patches.patch(caller.org, &caller.actor(), &target, &ops, version).await.map_err(api_error)?;
    let base = format!("{}/rest/contacts/{}/", base_url(&headers), caller.org);
    Ok(Json(WriteEnvelope::new(base, done.id)).into_response())
}

/// The contact the path segment names: an id (`idType=id`, the default; one that is not an
/// integer names no contact), or an externalId.
fn target(segment: &str, params: &Params) -> Result<ContactRef, ApiError> {
    let by_external_id = params.choice("idType", &[("id", false), ("externalId", true)], false)?;
    let s = segment.trim();
    if s.is_empty() {
        return Err(ApiError::MissingContactId);
    }
    if by_external_id {
        return Ok(ContactRef::ExternalId(s.to_owned()));
    }
    s.parse().map(ContactRef::Id).map_err(|_| ApiError::ContactNotFound(s.to_owned()))
}

/// JSON Patch's media type, plain JSON, any `+json` type, or none at all (lenient); anything
/// else is a patch that cannot be read.
fn content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let text = value.to_str().unwrap_or("");
    let mime = text.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let json =
        mime.is_empty() || mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"));
    if json {
        return Ok(());
    }
    Err(failed(vec![PatchError::body(
        "Content-Type",
        format!("the body must be application/json-patch+json (or application/json), not '{text}'"),
    )]))
}

fn failed(errors: Vec<PatchError>) -> ApiError {
    ApiError::PatchFailed(
        errors
            .into_iter()
            .map(|e| PatchDetail { details: e.details, error_message: e.message, error_patch: e.op })
            .collect(),
    )
}

/// One failed item in the error table's shape (412 code 330, 409 code 310).
fn item_error(id: i64, field: &str, code: ErrorCode, message: String) -> ApiError {
    ApiError::Items(vec![ItemResult {
        index: 0,
        id: Some(id),
        external_id: None,
        status: ItemStatus::Failed,
        version: None,
        errors: vec![FieldError::new(field, code, message)],
    }])
}

fn api_error(e: PatchContactError) -> ApiError {
    let message = e.to_string();
    match e {
        PatchContactError::NotFound(target) => ApiError::ContactNotFound(target.to_string()),
        PatchContactError::VersionMismatch { id, .. } => item_error(id, "version", ErrorCode::VersionMismatch, message),
        PatchContactError::ExternalIdTaken { id, .. } => {
            item_error(id, "externalId", ErrorCode::ExternalIdTaken, message)
        }
        PatchContactError::Rejected(errors) => failed(errors),
        PatchContactError::Store(e) => e.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use serde_json::Value;

    fn with_type(t: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_str(t).unwrap());
        h
    }

    #[test]
    fn json_patch_and_json_bodies_are_accepted_others_refused() {
        for ok in [
            "application/json-patch+json",
            "application/json; charset=utf-8",
            "Application/JSON",
            "application/merge-patch+json",
        ] {
            assert!(content_type(&with_type(ok)).is_ok(), "{ok}");
        }
        assert!(content_type(&HeaderMap::new()).is_ok());
        for bad in ["text/plain", "application/x-www-form-urlencoded", "application/xml"] {
            assert!(matches!(content_type(&with_type(bad)), Err(ApiError::PatchFailed(_))), "{bad}");
        }
    }

    #[test]
    fn the_contact_is_named_by_id_or_external_id() {
        let by_id = Params::parse(None).unwrap();
        let by_ext = Params::parse(Some("idType=externalId")).unwrap();
        assert_eq!(target("42", &by_id).unwrap(), ContactRef::Id(42));
        assert!(matches!(target("abc", &by_id), Err(ApiError::ContactNotFound(s)) if s == "abc"));
        assert_eq!(target("abc", &by_ext).unwrap(), ContactRef::ExternalId("abc".into()));
        assert!(matches!(target(" ", &by_id), Err(ApiError::MissingContactId)));
    }

    #[test]
    fn use_case_errors_map_to_the_error_table() {
        let not_found = api_error(PatchContactError::NotFound(ContactRef::Id(5)));
        assert!(matches!(&not_found, ApiError::ContactNotFound(s) if s == "5"));
        let stale = api_error(PatchContactError::VersionMismatch { id: 5, given: 1, stored: 2 });
        assert!(matches!(&stale, ApiError::Items(items) if items[0].errors[0].code == ErrorCode::VersionMismatch));
        let rejected = api_error(PatchContactError::Rejected(vec![PatchError::body("body", "not an array")]));
        let ApiError::PatchFailed(detail) = rejected else { panic!("expected PatchFailed") };
        assert_eq!(detail[0].error_patch, Value::Null);
    }
}
