//! The organization catalog: list and create record types, groups, contact attribute
//! definitions, contact paths and topics; get, update and delete one entry ([`entries`]).
//! Writing is `admin`'s.

mod entries;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::{Json, Router};
use contacts_domain::Catalog;
use serde::Serialize;

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

pub(super) fn router() -> Router<AppState> {
    let router = Router::new()
        .route(
            "/rest/recordTypes/{org}",
            lister("recordTypes", |c, org| c.record_types.iter().map(|r| RecordTypeOut::new(org, r)).collect())
                .post(create_record_type),
        )
        .route(
            "/rest/groups/{org}",
            lister("groups", |c, org| c.groups.iter().map(|g| GroupOut::new(org, g)).collect()).post(create_group),
        )
        .route(
            "/rest/contactAttributes/{org}",
            lister("contactAttributes", |c, org| c.attributes.iter().map(|a| AttributeOut::new(org, a)).collect())
                .post(create_attribute),
        )
        .route(
            "/rest/contactPaths/{org}",
            lister("contactPaths", |c, org| c.paths.iter().map(|p| PathOut::new(org, p)).collect()).post(create_path),
        )
        .route(
            "/rest/topics/{org}",
            lister("topics", |c, org| c.topics.iter().map(|t| TopicOut::new(org, t)).collect()).post(create_topic),
        );
    entries::KINDS.into_iter().fold(router, |router, (segment, kind)| {
        router.route(&format!("/rest/{segment}/{{org}}/{{id}}"), entries::methods(segment, kind))
    })
}

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
/// wire shape, one page of them. One handler for every catalog kind.
fn lister<T: Serialize + Send + 'static>(
    resource: &'static str,
    select: fn(&Catalog, i64) -> Vec<T>,
) -> MethodRouter<AppState> {
    get(
        move |State(s): State<AppState>, Path(org): Path<String>, RawQuery(q): RawQuery, headers: HeaderMap| async move {
            let org = s.authorize(&headers, &org, Need::Read).await?.org;
            let catalog = s.catalog.catalog(org).await?;
            page(resource, org, &headers, q.as_deref(), select(&catalog, org))
        },
    )
}

fn created(resource: &str, org: i64, headers: &HeaderMap, id: i64) -> Response {
    Json(WriteEnvelope::new(format!("{}/rest/{resource}/{org}/", base_url(headers)), id)).into_response()
}

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
