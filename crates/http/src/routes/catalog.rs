//! The organization catalog: list and create record types, groups, contact attribute
//! definitions, contact paths and topics; get, update and delete one entry ([`entries`]).
//! Writing is `admin`'s.

mod entries;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use contacts_domain::Catalog;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::base_url;
use crate::auth::Need;
use crate::body;
use crate::error::ApiError;
use crate::params::Params;
use crate::wire::catalog::{
    AttributeIn, AttributeOut, GroupIn, GroupOut, PathIn, PathOut, RecordTypeIn, RecordTypeOut, TopicIn, TopicOut,
};
use crate::wire::envelope::{ListEnvelope, WriteEnvelope};
use crate::AppState;

type Body = Result<Bytes, BytesRejection>;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_record_types, create_record_type))
        .routes(routes!(list_groups, create_group))
        .routes(routes!(list_attributes, create_attribute))
        .routes(routes!(list_paths, create_path))
        .routes(routes!(list_topics, create_topic))
        .merge(entries::router())
}

/// A catalog kind's list handler, with its OpenAPI operation (paths and texts as `tt`
/// literals, which `utoipa` reads as written).
// rustfmt re-indents attributes inside macro bodies on every run (not idempotent).
#[rustfmt::skip]
macro_rules! list_handler {
    ($name:ident, $path:tt, $tag:tt, $summary:tt, $out:ident, $resource:tt, $select:expr) => {
        #[utoipa::path(
            get,
            path = $path,
            tag = $tag,
            summary = $summary,
            params(crate::openapi::OrgPath, crate::openapi::PageQuery),
            responses((status = 200, description = "A page of the entries", body = ListEnvelope<$out>))
        )]
        async fn $name(
            State(s): State<AppState>,
            Path(org): Path<String>,
            RawQuery(q): RawQuery,
            headers: HeaderMap,
        ) -> Result<Response, ApiError> {
            list(s, &org, q.as_deref(), &headers, $resource, $select).await
        }
    };
}

list_handler!(
    list_record_types,
    "/rest/recordTypes/{org}",
    "catalog",
    "List record types",
    RecordTypeOut,
    "recordTypes",
    |c, org| c.record_types.iter().map(|r| RecordTypeOut::new(org, r)).collect()
);
list_handler!(list_groups, "/rest/groups/{org}", "groups", "List groups", GroupOut, "groups", |c, org| c
    .groups
    .iter()
    .map(|g| GroupOut::new(org, g))
    .collect());
list_handler!(
    list_attributes,
    "/rest/contactAttributes/{org}",
    "catalog",
    "List contact attribute definitions",
    AttributeOut,
    "contactAttributes",
    |c, org| c.attributes.iter().map(|a| AttributeOut::new(org, a)).collect()
);
list_handler!(
    list_paths,
    "/rest/contactPaths/{org}",
    "catalog",
    "List contact paths",
    PathOut,
    "contactPaths",
    |c, org| c.paths.iter().map(|p| PathOut::new(org, p)).collect()
);
list_handler!(list_topics, "/rest/topics/{org}", "catalog", "List topics", TopicOut, "topics", |c, org| c
    .topics
    .iter()
    .map(|t| TopicOut::new(org, t))
    .collect());

/// A page of an in-memory list (catalogs are small), in the list envelope.
fn page<T: Serialize>(
    resource: &str,
    org: i64,
    headers: &HeaderMap,
    q: Option<&str>,
    all: Vec<T>,
) -> Result<Response, ApiError> {
    let params = Params::parse(q)?;
    let number = params.number("pageNumber", 1..=u32::MAX, 1)?;
    let size = params.number("pageSize", 1..=3000, 3000)?;
    let total = all.len() as u64;
    let skip = (number as usize - 1).saturating_mul(size as usize);
    let data: Vec<T> = all.into_iter().skip(skip).take(size as usize).collect();
    let uri = format!("{}/rest/{resource}/{org}", base_url(headers));
    Ok(Json(ListEnvelope::new(&uri, number, size, total, data)).into_response())
}

/// `GET /rest/{resource}/{org}`: the entries `select` picks from the org's catalog, in their
/// wire shape, one page of them. One body for every catalog kind.
async fn list<T: Serialize>(
    s: AppState,
    org: &str,
    q: Option<&str>,
    headers: &HeaderMap,
    resource: &'static str,
    select: fn(&Catalog, i64) -> Vec<T>,
) -> Result<Response, ApiError> {
    let org = s.authorize(headers, org, Need::Read).await?.org;
    let catalog = s.catalog.catalog(org).await?;
    page(resource, org, headers, q, select(&catalog, org))
}

fn created(resource: &str, org: i64, headers: &HeaderMap, id: i64) -> Response {
    Json(WriteEnvelope::new(format!("{}/rest/{resource}/{org}/", base_url(headers)), id)).into_response()
}

#[utoipa::path(
    post,
    path = "/rest/recordTypes/{org}",
    tag = "catalog",
    summary = "Create a record type",
    description = "An explicit id is kept; without one, an id is generated.",
    params(crate::openapi::OrgPath),
    request_body(content = RecordTypeIn),
    responses((status = 200, description = "Created", body = WriteEnvelope))
)]
async fn create_record_type(
    State(s): State<AppState>,
    Path(org): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let org = s.authorize(&headers, &org, Need::ChangeCatalog).await?.org;
    let input: RecordTypeIn = body::validated(&body::bytes(body)?)?;
    let r = s.catalog.create_record_type(org, input.into()).await?;
    Ok(created("recordTypes", org, &headers, r.id))
}

#[utoipa::path(
    post,
    path = "/rest/groups/{org}",
    tag = "groups",
    summary = "Create a group",
    description = "An explicit id is kept; without one, an id is generated.",
    params(crate::openapi::OrgPath),
    request_body(content = GroupIn),
    responses((status = 200, description = "Created", body = WriteEnvelope))
)]
async fn create_group(
    State(s): State<AppState>,
    Path(org): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let org = s.authorize(&headers, &org, Need::ChangeCatalog).await?.org;
    let input: GroupIn = body::validated(&body::bytes(body)?)?;
    let g = s.catalog.create_group(org, input.into()).await?;
    Ok(created("groups", org, &headers, g.id))
}

#[utoipa::path(
    post,
    path = "/rest/contactAttributes/{org}",
    tag = "catalog",
    summary = "Create a contact attribute definition",
    description = "An explicit id is kept; without one, an id is generated.",
    params(crate::openapi::OrgPath),
    request_body(content = AttributeIn),
    responses((status = 200, description = "Created", body = WriteEnvelope))
)]
async fn create_attribute(
    State(s): State<AppState>,
    Path(org): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let org = s.authorize(&headers, &org, Need::ChangeCatalog).await?.org;
    let input: AttributeIn = body::validated(&body::bytes(body)?)?;
    let def = input.into_def().map_err(ApiError::BadRequest)?;
    let a = s.catalog.create_attribute(org, def).await?;
    Ok(created("contactAttributes", org, &headers, a.id))
}

#[utoipa::path(
    post,
    path = "/rest/contactPaths/{org}",
    tag = "catalog",
    summary = "Create a contact path",
    description = "An explicit id is kept; without one, an id is generated.",
    params(crate::openapi::OrgPath),
    request_body(content = PathIn),
    responses((status = 200, description = "Created", body = WriteEnvelope))
)]
async fn create_path(
    State(s): State<AppState>,
    Path(org): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let org = s.authorize(&headers, &org, Need::ChangeCatalog).await?.org;
    let input: PathIn = body::validated(&body::bytes(body)?)?;
    let def = input.into_def().map_err(ApiError::BadRequest)?;
    let p = s.catalog.create_path(org, def).await?;
    Ok(created("contactPaths", org, &headers, p.path_id))
}

#[utoipa::path(
    post,
    path = "/rest/topics/{org}",
    tag = "catalog",
    summary = "Create a topic",
    description = "An explicit id is kept; without one, an id is generated.",
    params(crate::openapi::OrgPath),
    request_body(content = TopicIn),
    responses((status = 200, description = "Created", body = WriteEnvelope))
)]
async fn create_topic(
    State(s): State<AppState>,
    Path(org): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let org = s.authorize(&headers, &org, Need::ChangeCatalog).await?.org;
    let input: TopicIn = body::validated(&body::bytes(body)?)?;
    let t = s.catalog.create_topic(org, input.into()).await?;
    Ok(created("topics", org, &headers, t.id))
}
