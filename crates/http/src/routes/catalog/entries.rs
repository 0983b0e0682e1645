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

/// The three handlers of one catalog kind, each with its OpenAPI operation: `utoipa` reads its
/// attribute's paths and texts as literals (`tt`), so one kind's operations are written once.
// rustfmt re-indents attributes inside macro bodies on every run (not idempotent).
#[rustfmt::skip]
macro_rules! entry_handlers {
    ($kind:ident, $segment:tt, $path:tt, $out:ident, $in:ident,
     $get:ident $get_summary:tt, $put:ident $put_summary:tt, $delete:ident $delete_summary:tt) => {
        #[utoipa::path(
            get,
            path = $path,
            tag = "catalog",
            summary = $get_summary,
            params(crate::openapi::EntryPath),
            responses((status = 200, description = "The entry", body = ReadEnvelope<$out>))
        )]
        async fn $get(s: State<AppState>, p: Path<(String, String)>, h: HeaderMap) -> Result<Response, ApiError> {
            get_entry(s, p, h, CatalogKind::$kind).await
        }

        #[utoipa::path(
            put,
            path = $path,
            tag = "catalog",
            summary = $put_summary,
            params(crate::openapi::EntryPath),
            request_body(content = $in),
            responses((status = 200, description = "Replaced", body = WriteEnvelope))
        )]
        async fn $put(
            s: State<AppState>,
            p: Path<(String, String)>,
            h: HeaderMap,
            b: Body,
        ) -> Result<Response, ApiError> {
            put_entry(s, p, h, b, $segment, CatalogKind::$kind).await
        }

        #[utoipa::path(
            delete,
            path = $path,
            tag = "catalog",
            summary = $delete_summary,
            params(crate::openapi::EntryPath),
            responses((status = 200, description = "Deleted", body = DeleteEnvelope))
        )]
        async fn $delete(s: State<AppState>, p: Path<(String, String)>, h: HeaderMap) -> Result<Response, ApiError> {
            delete_entry(s, p, h, CatalogKind::$kind).await
        }
    };
}

entry_handlers!(RecordType, "recordTypes", "/rest/recordTypes/{org}/{id}", RecordTypeOut, RecordTypeIn,
    get_record_type "Get a record type",
    put_record_type "Replace a record type (its id stays)",
    delete_record_type "Delete a record type (409 while contacts use it)");
entry_handlers!(Attribute, "contactAttributes", "/rest/contactAttributes/{org}/{id}", AttributeOut, AttributeIn,
    get_attribute "Get a contact attribute definition",
    put_attribute "Replace a contact attribute definition (its id stays)",
    delete_attribute "Delete a contact attribute definition (409 while contacts use it)");
entry_handlers!(Path, "contactPaths", "/rest/contactPaths/{org}/{id}", PathOut, PathIn,
    get_path "Get a contact path",
    put_path "Replace a contact path (its id stays)",
    delete_path "Delete a contact path (409 while contacts use it)");
entry_handlers!(Topic, "topics", "/rest/topics/{org}/{id}", TopicOut, TopicIn,
    get_topic "Get a topic",
    put_topic "Replace a topic (its id stays)",
    delete_topic "Delete a topic (409 while contacts use it)");

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
