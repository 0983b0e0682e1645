//! One contact: `POST /rest/contacts/{org}` creates it; `GET|PUT|DELETE
//! /rest/contacts/{org}/{id}?idType=id|externalId` reads, replaces and deletes it. Every write
//! goes through the batch use cases (a batch of one): one write path.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use contacts_application::batch::{BatchKind, BatchOptions, IdType};
use contacts_application::delete::DeleteError;
use contacts_application::ports::ContactRef;

use super::{delete_error, id_type, Body};
use crate::auth::Need;
use crate::body;
use crate::error::ApiError;
use crate::params::Params;
use crate::routes::{base_url, if_match};
use crate::wire::contact::ContactOut;
use crate::wire::envelope::{DeleteEnvelope, ReadEnvelope, WriteEnvelope};
use crate::AppState;

/// The contact named by a path segment: its id (`idType=id`), or its externalId. An id that
/// is not an integer names no contact: 404, as an unknown one.
pub(super) fn target(segment: &str, id_type: IdType) -> Result<ContactRef, ApiError> {
    let s = segment.trim();
    if s.is_empty() {
        return Err(ApiError::MissingContactId);
    }
    match id_type {
        IdType::Id => s.parse().map(ContactRef::Id).map_err(|_| ApiError::ContactNotFound(s.to_owned())),
        IdType::ExternalId => Ok(ContactRef::ExternalId(s.to_owned())),
    }
}

/// The single-write envelope for contact `id` of `org`.
fn written(headers: &HeaderMap, org: i64, id: i64) -> Response {
    let base = format!("{}/rest/contacts/{org}/", base_url(headers));
    Json(WriteEnvelope::new(base, id)).into_response()
}

#[utoipa::path(
    post,
    path = "/rest/contacts/{org}",
    tag = "contacts",
    summary = "Create one contact",
    description = "An externalId that exists already is a conflict (409, code 310), not an update.",
    params(crate::openapi::OrgPath),
    request_body(content = crate::wire::contact::ContactOut<'static>, description = "The contact"),
    responses((status = 200, description = "Created", body = WriteEnvelope))
)]
/// `POST /rest/contacts/{org}`: creates one contact. Unlike the batch insert, an externalId
/// that exists already is a conflict (409, code 310), not an update.
pub(super) async fn create_one(
    State(s): State<AppState>,
    Path(org): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let caller = s.authorize(&headers, &org, Need::WriteContacts).await?;
    let input = body::contact(&body::bytes(body)?)?;
    let opts = BatchOptions { kind: BatchKind::Create, atomic: true, dry_run: false };
    let results = s.batches.run(caller.org, &caller.actor(), vec![Ok(input)], opts).await?;
    let id = results
        .first()
        .and_then(|r| r.id)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a created contact came back without an id: {results:?}")))?;
    Ok(written(&headers, caller.org, id))
}

#[utoipa::path(
    get,
    path = "/rest/contacts/{org}/{id}",
    tag = "contacts",
    summary = "Get one contact",
    params(crate::openapi::ContactPath, crate::openapi::IdTypeQuery),
    responses((status = 200, description = "The contact; its version is the `ETag`", body = ReadEnvelope<ContactOut<'static>>,
        headers(("ETag" = String, description = "The contact's version, for `If-Match`"))))
)]
/// `GET /rest/contacts/{org}/{id}?idType=id|externalId`, with the version as `ETag`.
pub(super) async fn get_one(
    State(s): State<AppState>,
    Path((org, segment)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    read(s, &org, &segment, q.as_deref(), &headers).await
}

#[utoipa::path(
    get,
    path = "/rest/contacts/{org}/batch",
    tag = "contacts",
    summary = "Get the contact named `batch`",
    description = "The route of the batch calls, read as a single contact: the contact whose externalId \
                   (with `idType=externalId`) is `batch`.",
    params(crate::openapi::OrgPath, crate::openapi::IdTypeQuery),
    responses((status = 200, description = "The contact", body = ReadEnvelope<ContactOut<'static>>))
)]
/// `GET /rest/contacts/{org}/batch`: the route of the batch calls, read as the contact whose
/// externalId (with `idType=externalId`) is `batch`.
pub(super) async fn get_batch_named(
    State(s): State<AppState>,
    Path(org): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    read(s, &org, "batch", q.as_deref(), &headers).await
}

async fn read(
    s: AppState,
    org: &str,
    segment: &str,
    q: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let caller = s.authorize(headers, org, Need::Read).await?;
    let target = target(segment, id_type(&Params::parse(q)?)?)?;
    let (contact, catalog) =
        s.queries.get_by(caller.org, &target).await?.ok_or_else(|| ApiError::ContactNotFound(target.to_string()))?;
    let mut response = Json(ReadEnvelope::new(ContactOut::new(&contact, &catalog))).into_response();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", contact.version)) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    Ok(response)
}

#[utoipa::path(
    put,
    path = "/rest/contacts/{org}/{id}",
    tag = "contacts",
    summary = "Replace one contact (full)",
    description = "An omitted field is cleared. With `idType=externalId`, a body `externalId` that differs renames the contact.",
    params(crate::openapi::ContactPath, crate::openapi::IdTypeQuery,
        ("If-Match" = Option<String>, Header, description = "The version the change is based on (`\"3\"`), or `*`")),
    request_body(content = crate::wire::contact::ContactOut<'static>, description = "The contact"),
    responses((status = 200, description = "Replaced", body = WriteEnvelope),
        (status = 412, description = "The contact's version is not the one of `If-Match`", body = crate::error::Body<'static>))
)]
/// `PUT /rest/contacts/{org}/{id}?idType=id|externalId`: a full replace of the contact the URI
/// names; the body's `id` is ignored, a different `externalId` renames it. `If-Match` (else a
/// `version` in the body) must match the stored version.
pub(super) async fn replace_one(
    State(s): State<AppState>,
    Path((org, segment)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let caller = s.authorize(&headers, &org, Need::WriteContacts).await?;
    let target = target(&segment, id_type(&Params::parse(q.as_deref())?)?)?;
    let mut input = body::contact(&body::bytes(body)?)?;
    if let Some(v) = if_match(&headers)? {
        input.version = Some(v);
    }
    let result = s.batches.replace_one(caller.org, &caller.actor(), &target, input).await?;
    let id = match (result.id, &target) {
        (Some(id), _) | (None, &ContactRef::Id(id)) => id,
        (None, ContactRef::ExternalId(_)) => {
            return Err(ApiError::Internal(anyhow::anyhow!("a replaced contact came back without an id: {result:?}")))
        }
    };
    Ok(written(&headers, caller.org, id))
}

#[utoipa::path(
    delete,
    path = "/rest/contacts/{org}/{id}",
    tag = "contacts",
    summary = "Delete one contact (soft)",
    params(crate::openapi::ContactPath, crate::openapi::IdTypeQuery),
    responses((status = 200, description = "Deleted", body = DeleteEnvelope))
)]
/// `DELETE /rest/contacts/{org}/{id}?idType=id|externalId`: a soft delete, answered
/// `{"message": "OK", "id"}`.
pub(super) async fn delete_one(
    State(s): State<AppState>,
    Path((org, segment)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let caller = s.authorize(&headers, &org, Need::WriteContacts).await?;
    let target = target(&segment, id_type(&Params::parse(q.as_deref())?)?)?;
    let results =
        s.batches.delete(caller.org, &caller.actor(), std::slice::from_ref(&target)).await.map_err(|e| match e {
            DeleteError::NotFound(_) => ApiError::ContactNotFound(target.to_string()),
            other => delete_error(other),
        })?;
    let id = results
        .first()
        .and_then(|r| r.id)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a deleted contact came back without an id: {results:?}")))?;
    Ok(Json(DeleteEnvelope::new(id)).into_response())
}
