//! One entry of the catalog: get, update (its id stays) and delete a record type, contact
//! attribute definition, contact path or topic at `/rest/{resource}/{org}/{id}`. Reads are any
//! granted role's; writes are `admin`'s.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use contacts_application::ports::CatalogKind;
use contacts_domain::{RecordType, Topic};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Need;
use crate::body;
use crate::error::ApiError;
use crate::routes::base_url;
use crate::wire::catalog::{
    AttributeIn, AttributeOut, PathIn, PathOut, RecordTypeIn, RecordTypeOut, TopicIn, TopicOut,
};
use crate::wire::envelope::{DeleteEnvelope, ReadEnvelope, WriteEnvelope};
use crate::AppState;

type Body = Result<Bytes, BytesRejection>;

/// GET, PUT and DELETE of one entry of each kind.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_record_type, put_record_type, delete_record_type))
        .routes(routes!(get_attribute, put_attribute, delete_attribute))
        .routes(routes!(get_path, put_path, delete_path))
        .routes(routes!(get_topic, put_topic, delete_topic))
}

#[utoipa::path(
    get,
    path = "/rest/recordTypes/{org}/{id}",
    tag = "catalog",
    summary = "Get a record type",
    params(crate::openapi::EntryPath),
    responses((status = 200, description = "The record type", body = ReadEnvelope<RecordTypeOut>))
)]
async fn get_record_type(s: State<AppState>, p: Path<(String, String)>, h: HeaderMap) -> Result<Response, ApiError> {
    get_entry(s, p, h, CatalogKind::RecordType).await
}

#[utoipa::path(
    put,
    path = "/rest/recordTypes/{org}/{id}",
    tag = "catalog",
    summary = "Replace a record type (its id stays)",
    params(crate::openapi::EntryPath),
    request_body(content = RecordTypeIn),
    responses((status = 200, description = "Replaced", body = WriteEnvelope))
)]
async fn put_record_type(
    s: State<AppState>,
    p: Path<(String, String)>,
    h: HeaderMap,
    b: Body,
) -> Result<Response, ApiError> {
    put_entry(s, p, h, b, "recordTypes", CatalogKind::RecordType).await
}

#[utoipa::path(
    delete,
    path = "/rest/recordTypes/{org}/{id}",
    tag = "catalog",
    summary = "Delete a record type (409 while contacts use it)",
    params(crate::openapi::EntryPath),
    responses((status = 200, description = "Deleted", body = DeleteEnvelope))
)]
async fn delete_record_type(s: State<AppState>, p: Path<(String, String)>, h: HeaderMap) -> Result<Response, ApiError> {
    delete_entry(s, p, h, CatalogKind::RecordType).await
}

#[utoipa::path(
    get,
    path = "/rest/contactAttributes/{org}/{id}",
    tag = "catalog",
    summary = "Get a contact attribute definition",
    params(crate::openapi::EntryPath),
    responses((status = 200, description = "The contact attribute definition", body = ReadEnvelope<AttributeOut>))
)]
async fn get_attribute(s: State<AppState>, p: Path<(String, String)>, h: HeaderMap) -> Result<Response, ApiError> {
    get_entry(s, p, h, CatalogKind::Attribute).await
}

#[utoipa::path(
    put,
    path = "/rest/contactAttributes/{org}/{id}",
    tag = "catalog",
    summary = "Replace a contact attribute definition (its id stays)",
    params(crate::openapi::EntryPath),
    request_body(content = AttributeIn),
    responses((status = 200, description = "Replaced", body = WriteEnvelope))
)]
async fn put_attribute(
    s: State<AppState>,
    p: Path<(String, String)>,
    h: HeaderMap,
    b: Body,
) -> Result<Response, ApiError> {
    put_entry(s, p, h, b, "contactAttributes", CatalogKind::Attribute).await
}

#[utoipa::path(
    delete,
    path = "/rest/contactAttributes/{org}/{id}",
    tag = "catalog",
    summary = "Delete a contact attribute definition (409 while contacts use it)",
    params(crate::openapi::EntryPath),
    responses((status = 200, description = "Deleted", body = DeleteEnvelope))
)]
async fn delete_attribute(s: State<AppState>, p: Path<(String, String)>, h: HeaderMap) -> Result<Response, ApiError> {
    delete_entry(s, p, h, CatalogKind::Attribute).await
}

#[utoipa::path(
    get,
    path = "/rest/contactPaths/{org}/{id}",
    tag = "catalog",
    summary = "Get a contact path",
    params(crate::openapi::EntryPath),
    responses((status = 200, description = "The contact path", body = ReadEnvelope<PathOut>))
)]
async fn get_path(s: State<AppState>, p: Path<(String, String)>, h: HeaderMap) -> Result<Response, ApiError> {
    get_entry(s, p, h, CatalogKind::Path).await
}

#[utoipa::path(
    put,
    path = "/rest/contactPaths/{org}/{id}",
    tag = "catalog",
    summary = "Replace a contact path (its id stays)",
    params(crate::openapi::EntryPath),
    request_body(content = PathIn),
    responses((status = 200, description = "Replaced", body = WriteEnvelope))
)]
async fn put_path(s: State<AppState>, p: Path<(String, String)>, h: HeaderMap, b: Body) -> Result<Response, ApiError> {
    put_entry(s, p, h, b, "contactPaths", CatalogKind::Path).await
}

#[utoipa::path(
    delete,
    path = "/rest/contactPaths/{org}/{id}",
    tag = "catalog",
    summary = "Delete a contact path (409 while contacts use it)",
    params(crate::openapi::EntryPath),
    responses((status = 200, description = "Deleted", body = DeleteEnvelope))
)]
async fn delete_path(s: State<AppState>, p: Path<(String, String)>, h: HeaderMap) -> Result<Response, ApiError> {
    delete_entry(s, p, h, CatalogKind::Path).await
}

#[utoipa::path(
    get,
    path = "/rest/topics/{org}/{id}",
    tag = "catalog",
    summary = "Get a topic",
    params(crate::openapi::EntryPath),
    responses((status = 200, description = "The topic", body = ReadEnvelope<TopicOut>))
)]
async fn get_topic(s: State<AppState>, p: Path<(String, String)>, h: HeaderMap) -> Result<Response, ApiError> {
    get_entry(s, p, h, CatalogKind::Topic).await
}

#[utoipa::path(
    put,
    path = "/rest/topics/{org}/{id}",
    tag = "catalog",
    summary = "Replace a topic (its id stays)",
    params(crate::openapi::EntryPath),
    request_body(content = TopicIn),
    responses((status = 200, description = "Replaced", body = WriteEnvelope))
)]
async fn put_topic(s: State<AppState>, p: Path<(String, String)>, h: HeaderMap, b: Body) -> Result<Response, ApiError> {
    put_entry(s, p, h, b, "topics", CatalogKind::Topic).await
}

#[utoipa::path(
    delete,
    path = "/rest/topics/{org}/{id}",
    tag = "catalog",
    summary = "Delete a topic (409 while contacts use it)",
    params(crate::openapi::EntryPath),
    responses((status = 200, description = "Deleted", body = DeleteEnvelope))
)]
async fn delete_topic(s: State<AppState>, p: Path<(String, String)>, h: HeaderMap) -> Result<Response, ApiError> {
    delete_entry(s, p, h, CatalogKind::Topic).await
}

/// The entry id of a path segment; anything else names an entry that does not exist.
fn entry_id(kind: CatalogKind, segment: &str) -> Result<i64, ApiError> {
    let s = segment.trim().trim_matches('"');
    s.parse().map_err(|_| ApiError::NotFound(format!("{} {s} not found.", kind.label())))
}

fn read<T: Serialize>(entry: Option<T>, kind: CatalogKind, id: i64) -> Result<Response, ApiError> {
    let entry = entry.ok_or_else(|| ApiError::NotFound(format!("{} {id} not found.", kind.label())))?;
    Ok(Json(ReadEnvelope::new(entry)).into_response())
}

/// `GET /rest/{resource}/{org}/{id}` → `{"message": "OK", "result": {...}}`.
async fn get_entry(
    State(s): State<AppState>,
    Path((org, id)): Path<(String, String)>,
    headers: HeaderMap,
    kind: CatalogKind,
) -> Result<Response, ApiError> {
    let org = s.authorize(&headers, &org, Need::Read).await?.org;
    let id = entry_id(kind, &id)?;
    let c = s.catalog.catalog(org).await?;
    match kind {
        CatalogKind::RecordType => read(c.record_type(id).map(|r| RecordTypeOut::new(org, r)), kind, id),
        CatalogKind::Attribute => read(c.attribute(id).map(|a| AttributeOut::new(org, a)), kind, id),
        CatalogKind::Path => read(c.path(id).map(|p| PathOut::new(org, p)), kind, id),
        CatalogKind::Topic => read(c.topic(id).map(|t| TopicOut::new(org, t)), kind, id),
    }
}

/// `PUT /rest/{resource}/{org}/{id}`: replaces the entry (an `id` in the body is ignored).
async fn put_entry(
    State(s): State<AppState>,
    Path((org, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
    segment: &'static str,
    kind: CatalogKind,
) -> Result<Response, ApiError> {
    let org = s.authorize(&headers, &org, Need::ChangeCatalog).await?.org;
    let id = entry_id(kind, &id)?;
    let bytes = body::bytes(body)?;
    match kind {
        CatalogKind::RecordType => {
            let input: RecordTypeIn = body::validated(&bytes)?;
            s.catalog.update_record_type(org, RecordType { id, ..input.into() }).await?;
        }
        CatalogKind::Attribute => {
            let input: AttributeIn = body::validated(&bytes)?;
            let def = input.into_def().map_err(ApiError::BadRequest)?;
            s.catalog.update_attribute(org, contacts_domain::AttributeDef { id, ..def }).await?;
        }
        CatalogKind::Path => {
            let input: PathIn = body::validated(&bytes)?;
            let def = input.into_def().map_err(ApiError::BadRequest)?;
            s.catalog.update_path(org, contacts_domain::PathDef { path_id: id, ..def }).await?;
        }
        CatalogKind::Topic => {
            let input: TopicIn = body::validated(&bytes)?;
            s.catalog.update_topic(org, Topic { id, ..input.into() }).await?;
        }
    }
    let base = format!("{}/rest/{segment}/{org}/", base_url(&headers));
    Ok(Json(WriteEnvelope::new(base, id)).into_response())
}

/// `DELETE /rest/{resource}/{org}/{id}` → `{"message": "OK", "id"}`; 409 while contacts use it.
async fn delete_entry(
    State(s): State<AppState>,
    Path((org, id)): Path<(String, String)>,
    headers: HeaderMap,
    kind: CatalogKind,
) -> Result<Response, ApiError> {
    let org = s.authorize(&headers, &org, Need::ChangeCatalog).await?.org;
    let id = entry_id(kind, &id)?;
    s.catalog.delete(org, kind, id).await?;
    Ok(Json(DeleteEnvelope::new(id)).into_response())
}
