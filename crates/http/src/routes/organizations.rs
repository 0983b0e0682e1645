//! `GET /rest/organizations`: the organizations granted to the caller (any role), as a list
//! envelope of `{id, name}` by id. The one call without an organization in its path.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::base_url;
use crate::error::ApiError;
use crate::params::Params;
use crate::wire::catalog::OrganizationOut;
use crate::wire::envelope::ListEnvelope;
use crate::AppState;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

#[utoipa::path(
    get,
    path = "/rest/organizations",
    operation_id = "list_organizations",
    tag = "organizations",
    summary = "The organizations the caller may use",
    params(crate::openapi::PageQuery),
    responses((status = 200, description = "A page of organizations", body = ListEnvelope<OrganizationOut>))
)]
async fn list(State(s): State<AppState>, RawQuery(q): RawQuery, headers: HeaderMap) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref())?;
    let number = params.number("pageNumber", 1..=u32::MAX, 1)?;
    let size = params.number("pageSize", 1..=3000, 100)?;
    let user = s.authenticate(&headers).await?;
    let granted: Vec<i64> = user.grants.iter().map(|(org, _)| *org).collect();
    let organizations = s.directory.organizations(&granted).await?;
    let total = organizations.len() as u64;
    let skip = (number as usize - 1).saturating_mul(size as usize);
    let data: Vec<OrganizationOut> =
        organizations.iter().skip(skip).take(size as usize).map(OrganizationOut::new).collect();
    let uri = format!("{}/rest/organizations", base_url(&headers));
    Ok(Json(ListEnvelope::new(&uri, number, size, total, data)).into_response())
}
