//! Groups (listing and creating them is in [`super::catalog`]):
//! - `GET|PUT|DELETE /rest/groups/{org}/{idOrName}?queryType=id|name`: a group that a lookup
//!   does not find answers `200 {"message": "OK", "result": {"id": 0}}`, as Everbridge does
//!   (integrations test `result.id` to decide whether to create it); PUT and DELETE of a group
//!   that does not exist are 404.
//! - `POST|DELETE /rest/groups/{org}/contacts?byType=id|name&groupId=&groupName=&idType=id|externalId`:
//!   add or remove members, answering `{"code": 100, "message": "OK"}`.
//! - `GET /rest/contacts/groups/{org}?byType&groupId|groupIds&groupName&pageNumber&pageSize`:
//!   the active members, as the contact listing shows contacts.
//!
//! Reads are any granted role's, memberships `editor`'s and `admin`'s, the rest `admin`'s.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use contacts_application::groups::{GroupError, GroupKey, MembershipChange};
use contacts_application::ports::PageRequest;
use contacts_domain::Group;
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::base_url;
use crate::auth::Need;
use crate::body;
use crate::error::ApiError;
use crate::params::Params;
use crate::wire::catalog::{contact_refs, GroupIn, GroupOut};
use crate::wire::contact::ContactOut;
use crate::wire::envelope::{DeleteEnvelope, ListEnvelope, ReadEnvelope, WriteEnvelope};
use crate::AppState;

type Body = Result<Bytes, BytesRejection>;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        // The static segment wins over `{group}`: a group named `contacts` is read and changed
        // here too (GET, PUT), and deleted by its id.
        .routes(routes!(get_group_named_contacts, put_group_named_contacts, add_members, remove_members))
        .routes(routes!(get_group, put_group, delete_group))
        .routes(routes!(members))
}

/// The group a path segment names: by `queryType` (`id` or `name`); without it, by id when the
/// segment is an integer, else by name. `None`: an id that is not one (no such group).
fn group_key(params: &Params, segment: &str) -> Result<Option<GroupKey>, ApiError> {
    let segment = segment.trim();
    let by_name = params.choice("queryType", &[("id", Some(false)), ("name", Some(true))], None)?;
    let id = segment.trim_matches('"').parse::<i64>();
    Ok(match (by_name, id) {
        (Some(true), _) | (None, Err(_)) => Some(GroupKey::Name(segment.to_owned())),
        (_, Ok(id)) => Some(GroupKey::Id(id)),
        (Some(false), Err(_)) => None,
    })
}

/// The group `segment` names, which must exist (PUT, DELETE).
async fn existing_group(s: &AppState, org: i64, params: &Params, segment: &str) -> Result<Group, ApiError> {
    let missing = || GroupError::NotFound(GroupKey::Name(segment.trim().to_owned()));
    let key = group_key(params, segment)?.ok_or_else(missing)?;
    s.groups.find(org, &key).await?.ok_or_else(|| GroupError::NotFound(key).into())
}

#[utoipa::path(
    get,
    path = "/rest/groups/{org}/{group}",
    tag = "groups",
    summary = "Get a group by id or name",
    description = "A group that does not exist answers `200 {\"message\": \"OK\", \"result\": {\"id\": 0}}`, as Everbridge does.",
    params(crate::openapi::GroupPath, crate::openapi::GroupQuery),
    responses((status = 200, description = "The group, or `{\"id\": 0}`", body = ReadEnvelope<crate::openapi::GroupLookup>))
)]
/// `GET /rest/groups/{org}/{idOrName}?queryType=id|name`
async fn get_group(
    State(s): State<AppState>,
    Path((org, group)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let org = s.authorize(&headers, &org, Need::Read).await?.org;
    let params = Params::parse(q.as_deref())?;
    let found = match group_key(&params, &group)? {
        Some(key) => s.groups.find(org, &key).await?,
        None => None,
    };
    Ok(match found {
        Some(g) => Json(ReadEnvelope::new(GroupOut::new(org, &g))).into_response(),
        None => Json(ReadEnvelope::new(json!({"id": 0}))).into_response(),
    })
}

#[utoipa::path(
    put,
    path = "/rest/groups/{org}/{group}",
    tag = "groups",
    summary = "Replace a group",
    params(crate::openapi::GroupPath, crate::openapi::GroupQuery),
    request_body(content = GroupIn),
    responses((status = 200, description = "Replaced", body = WriteEnvelope))
)]
/// `PUT /rest/groups/{org}/{idOrName}?queryType=id|name`: replaces the name, parent (absent,
/// null, 0 or -1: top level) and description; the id stays.
async fn put_group(
    State(s): State<AppState>,
    Path((org, group)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let org = s.authorize(&headers, &org, Need::ChangeCatalog).await?.org;
    let params = Params::parse(q.as_deref())?;
    let input: GroupIn = body::validated(&body::bytes(body)?)?;
    let id = existing_group(&s, org, &params, &group).await?.id;
    let g = s.groups.update(org, Group { id, ..input.into() }).await?;
    let base = format!("{}/rest/groups/{org}/", base_url(&headers));
    Ok(Json(WriteEnvelope::new(base, g.id)).into_response())
}

#[utoipa::path(
    delete,
    path = "/rest/groups/{org}/{group}",
    tag = "groups",
    summary = "Delete a group",
    params(crate::openapi::GroupPath, crate::openapi::GroupQuery),
    responses((status = 200, description = "Deleted", body = DeleteEnvelope))
)]
/// `DELETE /rest/groups/{org}/{idOrName}?queryType=id|name` → `{"message": "OK", "id"}`.
async fn delete_group(
    State(s): State<AppState>,
    Path((org, group)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let caller = s.authorize(&headers, &org, Need::ChangeCatalog).await?;
    let params = Params::parse(q.as_deref())?;
    let id = existing_group(&s, caller.org, &params, &group).await?.id;
    s.groups.delete(caller.org, id, &caller.actor()).await?;
    Ok(Json(DeleteEnvelope::new(id)).into_response())
}

#[utoipa::path(
    get,
    path = "/rest/groups/{org}/contacts",
    tag = "groups",
    summary = "Get the group named `contacts`",
    params(crate::openapi::OrgPath, crate::openapi::GroupQuery),
    responses((status = 200, description = "The group, or `{\"id\": 0}`", body = ReadEnvelope<crate::openapi::GroupLookup>))
)]
async fn get_group_named_contacts(
    s: State<AppState>,
    Path(org): Path<String>,
    q: RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    get_group(s, Path((org, "contacts".to_owned())), q, headers).await
}

#[utoipa::path(
    put,
    path = "/rest/groups/{org}/contacts",
    tag = "groups",
    summary = "Replace the group named `contacts`",
    params(crate::openapi::OrgPath, crate::openapi::GroupQuery),
    request_body(content = GroupIn),
    responses((status = 200, description = "Replaced", body = WriteEnvelope))
)]
async fn put_group_named_contacts(
    s: State<AppState>,
    Path(org): Path<String>,
    q: RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    put_group(s, Path((org, "contacts".to_owned())), q, headers, body).await
}

/// The groups a membership or members call names: `byType=id` with `groupId` (or `groupIds`),
/// `byType=name` with `groupName`; without `byType`, whichever is given (ids first).
fn named_groups(params: &Params) -> Result<Vec<GroupKey>, ApiError> {
    let by_name = params.choice("byType", &[("id", Some(false)), ("name", Some(true))], None)?;
    let mut ids = params.ids("groupId")?;
    ids.extend(params.ids("groupIds")?);
    // One name: names may hold commas.
    let names: Vec<GroupKey> = params.get("groupName").map(|n| GroupKey::Name(n.to_owned())).into_iter().collect();
    let keys = match by_name {
        Some(true) => names,
        Some(false) => ids.into_iter().map(GroupKey::Id).collect(),
        None if !ids.is_empty() => ids.into_iter().map(GroupKey::Id).collect(),
        None => names,
    };
    if keys.is_empty() {
        let wanted = match by_name {
            Some(true) => "groupName is required with byType=name",
            Some(false) => "groupId is required with byType=id",
            None => "groupId or groupName is required",
        };
        return Err(ApiError::BadRequest(wanted.into()));
    }
    Ok(keys)
}

#[utoipa::path(
    post,
    path = "/rest/groups/{org}/contacts",
    tag = "groups",
    summary = "Add contacts to a group",
    params(crate::openapi::OrgPath, crate::openapi::MembershipQuery),
    request_body(content = Vec<crate::openapi::ContactRefDoc>, description = "Contact ids, or externalIds with `idType=externalId`"),
    responses((status = 200, description = "Added", body = crate::openapi::MembershipAnswer))
)]
async fn add_members(
    s: State<AppState>,
    o: Path<String>,
    q: RawQuery,
    h: HeaderMap,
    b: Body,
) -> Result<Response, ApiError> {
    change_members(s, o, q, h, b, MembershipChange::Add).await
}

#[utoipa::path(
    delete,
    path = "/rest/groups/{org}/contacts",
    tag = "groups",
    summary = "Remove contacts from a group",
    params(crate::openapi::OrgPath, crate::openapi::MembershipQuery),
    request_body(content = Vec<crate::openapi::ContactRefDoc>, description = "Contact ids, or externalIds with `idType=externalId`"),
    responses((status = 200, description = "Removed", body = crate::openapi::MembershipAnswer))
)]
async fn remove_members(
    s: State<AppState>,
    o: Path<String>,
    q: RawQuery,
    h: HeaderMap,
    b: Body,
) -> Result<Response, ApiError> {
    change_members(s, o, q, h, b, MembershipChange::Remove).await
}

/// `POST|DELETE /rest/groups/{org}/contacts`: adds the contacts of the body to the group, or
/// removes them from it.
async fn change_members(
    State(s): State<AppState>,
    Path(org): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Body,
    change: MembershipChange,
) -> Result<Response, ApiError> {
    let caller = s.authorize(&headers, &org, Need::WriteContacts).await?;
    let params = Params::parse(q.as_deref())?;
    let mut groups = named_groups(&params)?;
    if groups.len() > 1 {
        return Err(ApiError::BadRequest("A membership call names one group".into()));
    }
    let group = groups.remove(0);
    let by_external_id = params.choice("idType", &[("id", false), ("externalId", true)], false)?;
    let refs = contact_refs(body::json(&body::bytes(body)?)?, by_external_id).map_err(ApiError::BadRequest)?;
    let limit = s.batches.max_batch();
    if refs.len() > limit {
        return Err(ApiError::TooLarge(format!(
            "The call names {} contacts; at most {limit} are allowed (MAX_BATCH_SIZE)",
            refs.len()
        )));
    }
    let changed = s.groups.change_members(caller.org, &group, &refs, change, &caller.actor()).await?;
    tracing::info!(changed, group = %group, "group memberships changed");
    Ok(Json(json!({"code": 100, "message": "OK"})).into_response())
}

#[utoipa::path(
    get,
    path = "/rest/contacts/groups/{org}",
    tag = "groups",
    summary = "Members of a group",
    params(crate::openapi::OrgPath, crate::openapi::MembersQuery),
    responses((status = 200, description = "A page of the members", body = ListEnvelope<ContactOut<'static>>))
)]
/// `GET /rest/contacts/groups/{org}`: the active members of the group(s), by id.
async fn members(
    State(s): State<AppState>,
    Path(org): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let caller = s.authorize(&headers, &org, Need::Read).await?;
    let params = Params::parse(q.as_deref())?;
    let groups = named_groups(&params)?;
    let page = PageRequest {
        number: params.number("pageNumber", 1..=u32::MAX, 1)?,
        size: params.number("pageSize", 1..=3000, 100)?,
    };
    let (contacts, total, catalog) = s.groups.members(caller.org, &groups, page).await?;
    let data: Vec<ContactOut> = contacts.iter().map(|c| ContactOut::new(c, &catalog)).collect();
    let uri = format!("{}/rest/contacts/groups/{}", base_url(&headers), caller.org);
    let link = link_query(&groups);
    Ok(Json(ListEnvelope::with_query(&uri, &link, page.number, page.size, total, data)).into_response())
}

/// The groups of a members call, as the page links repeat them.
fn link_query(groups: &[GroupKey]) -> String {
    let ids: Vec<String> = groups
        .iter()
        .filter_map(|g| match g {
            GroupKey::Id(id) => Some(id.to_string()),
            GroupKey::Name(_) => None,
        })
        .collect();
    let pairs: Vec<(&str, String)> = match groups.first() {
        Some(GroupKey::Name(name)) => vec![("byType", "name".into()), ("groupName", name.clone())],
        _ => vec![("byType", "id".into()), ("groupIds", ids.join(","))],
    };
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}
