//! Contacts: Update Contacts (Batch), Insert Contacts (Batch), get, replace and list.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use contacts_application::batch::{BatchKind, BatchOptions, IdType};
use contacts_application::ports::PageRequest;
use contacts_domain::UpdateMode;

use super::base_url;
use crate::auth::Need;
use crate::body;
use crate::error::ApiError;
use crate::params::Params;
use crate::wire::contact::ContactOut;
use crate::wire::envelope::{BatchEnvelope, ListEnvelope, ReadEnvelope, WriteEnvelope};
use crate::AppState;

type Body = Result<Bytes, BytesRejection>;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/rest/contacts/{org}/batch", put(update_batch).post(insert_batch))
        .route(
            "/rest/contacts/{org}",
            get(list).put(missing_contact_id).patch(missing_contact_id).delete(missing_contact_id),
        )
        .route("/rest/contacts/{org}/{id}", get(get_one).put(replace_one))
}

/// A write to `/rest/contacts/{org}` without a contact id.
async fn missing_contact_id() -> ApiError {
    ApiError::MissingContactId
}

/// `PUT /rest/contacts/{org}/batch?idType&updateType&atomic&dryRun`
async fn update_batch(
    State(s): State<AppState>,
    Path(org): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref())?;
    let id_type = params.choice("idType", &[("id", IdType::Id), ("externalId", IdType::ExternalId)], IdType::Id)?;
    let mode = params.choice(
        "updateType",
        &[("full", UpdateMode::Full), ("partial", UpdateMode::Partial)],
        UpdateMode::Full,
    )?;
    run_batch(s, &org, &params, &headers, body, BatchKind::Update { id_type, mode }).await
}

/// `POST /rest/contacts/{org}/batch`: insert, or full replace by externalId.
async fn insert_batch(
    State(s): State<AppState>,
    Path(org): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref())?;
    run_batch(s, &org, &params, &headers, body, BatchKind::Insert).await
}

async fn run_batch(
    s: AppState,
    org: &str,
    params: &Params,
    headers: &HeaderMap,
    body: Body,
    kind: BatchKind,
) -> Result<Response, ApiError> {
    let caller = s.authorize(headers, org, Need::WriteContacts).await?;
    let opts = BatchOptions { kind, atomic: params.flag("atomic", true)?, dry_run: params.flag("dryRun", false)? };
    let bytes = body::bytes(body)?;
    let items = body::batch_items(&bytes)?;
    let results = s.batches.run(caller.org, &caller.username, items, opts).await?;
    Ok(Json(BatchEnvelope::new(&results, opts.dry_run)).into_response())
}

/// A contact id from a path segment; anything else is a contact that does not exist.
fn contact_id(segment: &str) -> Result<i64, ApiError> {
    let s = segment.trim();
    if s.is_empty() {
        return Err(ApiError::MissingContactId);
    }
    s.parse().map_err(|_| ApiError::ContactNotFound(s.to_owned()))
}

/// `GET /rest/contacts/{org}/{id}`, with the version as `ETag`.
async fn get_one(
    State(s): State<AppState>,
    Path((org, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let caller = s.authorize(&headers, &org, Need::Read).await?;
    let id = contact_id(&id)?;
    let (contact, catalog) =
        s.queries.get(caller.org, id).await?.ok_or_else(|| ApiError::ContactNotFound(id.to_string()))?;
    let mut response = Json(ReadEnvelope::new(ContactOut::new(&contact, &catalog))).into_response();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", contact.version)) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    Ok(response)
}

/// `If-Match: "3"` (or `W/"3"`, or `3`) → version 3.
fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(v) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = v.to_str().unwrap_or("").trim();
    if text == "*" {
        return Ok(None);
    }
    let bare = text.trim_start_matches("W/").trim_matches('"');
    bare.parse().map(Some).map_err(|_| {
        ApiError::BadRequest(format!("If-Match must carry a contact version such as \"3\" (got '{text}')"))
    })
}

/// `PUT /rest/contacts/{org}/{id}`: a full replace; the body's `id` is ignored.
async fn replace_one(
    State(s): State<AppState>,
    Path((org, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let caller = s.authorize(&headers, &org, Need::WriteContacts).await?;
    let id = contact_id(&id)?;
    let mut input = body::contact(&body::bytes(body)?)?;
    input.id = Some(id);
    if let Some(v) = if_match(&headers)? {
        input.version = Some(v);
    }
    let opts = BatchOptions {
        kind: BatchKind::Update { id_type: IdType::Id, mode: UpdateMode::Full },
        atomic: true,
        dry_run: false,
    };
    let results = s.batches.run(caller.org, &caller.username, vec![Ok(input)], opts).await?;
    let base = format!("{}/rest/contacts/{}/", base_url(&headers), caller.org);
    Ok(Json(WriteEnvelope::new(base, results.first().and_then(|r| r.id).unwrap_or(id))).into_response())
}

/// `GET /rest/contacts/{org}?pageNumber&pageSize`
async fn list(
    State(s): State<AppState>,
    Path(org): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let caller = s.authorize(&headers, &org, Need::Read).await?;
    let params = Params::parse(q.as_deref())?;
    let page = PageRequest {
        number: params.number("pageNumber", 1..=u32::MAX, 1)?,
        size: params.number("pageSize", 1..=3000, 100)?,
    };
    let (contacts, total, catalog) = s.queries.list(caller.org, page).await?;
    let data: Vec<ContactOut> = contacts.iter().map(|c| ContactOut::new(c, &catalog)).collect();
    let uri = format!("{}/rest/contacts/{}", base_url(&headers), caller.org);
    Ok(Json(ListEnvelope::new(&uri, page.number, page.size, total, data)).into_response())
}
