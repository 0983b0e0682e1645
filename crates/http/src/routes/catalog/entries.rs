//! One entry of the catalog: get, update (its id stays) and delete a record type, contact
//! attribute definition, contact path or topic at `/rest/{resource}/{org}/{id}`. Reads are any
//! granted role's; writes are `admin`'s.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use axum::Json;
use contacts_application::ports::CatalogKind;
use contacts_domain::{RecordType, Topic};
use serde::Serialize;

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

/// The catalog resources with single-entry routes, by their path segment.
pub(super) const KINDS: [(&str, CatalogKind); 4] = [
    ("recordTypes", CatalogKind::RecordType),
    ("contactAttributes", CatalogKind::Attribute),
    ("contactPaths", CatalogKind::Path),
    ("topics", CatalogKind::Topic),
];

/// GET, PUT and DELETE of one entry of `kind` (resource `segment`).
pub(super) fn methods(segment: &'static str, kind: CatalogKind) -> MethodRouter<AppState> {
    axum::routing::get(move |s: State<AppState>, p: Path<(String, String)>, h: HeaderMap| get_entry(s, p, h, kind))
        .put(move |s: State<AppState>, p: Path<(String, String)>, h: HeaderMap, b: Body| {
            put_entry(s, p, h, b, segment, kind)
        })
        .delete(move |s: State<AppState>, p: Path<(String, String)>, h: HeaderMap| delete_entry(s, p, h, kind))
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
