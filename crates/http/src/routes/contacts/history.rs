//! A contact's history (`GET /rest/contacts/{org}/{id}/history?idType&pageNumber&pageSize`) and
//! the restore of a version (`POST /rest/contacts/{org}/{id}/restore?idType&version`).
//!
//! Both name the contact whatever its status: a soft-deleted contact's history is read, and the
//! contact restored, by its id, or by the externalId it had (when no active contact holds it
//! now). Another organization's contacts answer as ones that do not exist.

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use contacts_application::ports::PageRequest;

use super::id_type;
use super::list::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use super::single::target;
use crate::auth::Need;
use crate::error::ApiError;
use crate::params::Params;
use crate::routes::base_url;
use crate::wire::envelope::ListEnvelope;
use crate::wire::history::{EntryOut, RestoreEnvelope};
use crate::AppState;

#[utoipa::path(
    get,
    path = "/rest/contacts/{org}/{id}/history",
    tag = "contacts",
    summary = "A contact's history",
    description = "Every change, newest first, with the contact before and after it; deleted contacts too.",
    params(crate::openapi::ContactPath, crate::openapi::HistoryQuery),
    responses((status = 200, description = "A page of entries", body = ListEnvelope<EntryOut<'static>>))
)]
/// `GET /rest/contacts/{org}/{id}/history`: the list envelope of the entries, newest first.
pub(super) async fn history(
    State(s): State<AppState>,
    Path((org, segment)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let caller = s.authorize(&headers, &org, Need::Read).await?;
    let params = Params::parse(q.as_deref())?;
    let target = target(&segment, id_type(&params)?)?;
    let page = PageRequest {
        number: params.number("pageNumber", 1..=u32::MAX, 1)?,
        size: params.number("pageSize", 1..=MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE)?,
    };
    let (id, entries, total, catalog) = s
        .history
        .page(caller.org, &target, page)
        .await?
        .ok_or_else(|| ApiError::ContactNotFound(target.to_string()))?;
    let data: Vec<EntryOut> = entries.iter().map(|e| EntryOut::new(e, &catalog)).collect();
    let uri = format!("{}/rest/contacts/{}/{id}/history", base_url(&headers), caller.org);
    Ok(Json(ListEnvelope::new(&uri, page.number, page.size, total, data)).into_response())
}

#[utoipa::path(
    post,
    path = "/rest/contacts/{org}/{id}/restore",
    tag = "contacts",
    summary = "Restore a version, or a deleted contact",
    params(crate::openapi::ContactPath, crate::openapi::RestoreQuery),
    responses((status = 200, description = "Restored as a new version", body = RestoreEnvelope))
)]
/// `POST /rest/contacts/{org}/{id}/restore?version=N`: `editor` or `admin`.
pub(super) async fn restore(
    State(s): State<AppState>,
    Path((org, segment)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let caller = s.authorize(&headers, &org, Need::WriteContacts).await?;
    let params = Params::parse(q.as_deref())?;
    let target = target(&segment, id_type(&params)?)?;
    let version = match params.get("version") {
        None => None,
        Some(v) => Some(v.parse::<i64>().ok().filter(|v| *v >= 1).ok_or_else(|| {
            ApiError::BadRequest(format!("Query parameter version must be a contact version from 1 (got '{v}')"))
        })?),
    };
    let restored = s.history.restore(caller.org, &caller.actor(), &target, version).await?;
    let base_uri = format!("{}/rest/contacts/{}/", base_url(&headers), caller.org);
    Ok(Json(RestoreEnvelope {
        message: "OK",
        id: restored.id,
        version: restored.version,
        status: if restored.changed { "restored" } else { "unchanged" },
        instance_uri: format!("{base_uri}{}", restored.id),
        base_uri,
    })
    .into_response())
}
