//! `GET /rest/contacts/{org}`: the contact listing, filtered, sorted and paged by the store.
//!
//! - Filters `contactIds`, `externalIds`, `groupIds` (members of any of the groups), each
//!   repeated or comma-separated; `searchType=AND` (the default: a contact matches every filter
//!   given) or `OR` (at least one).
//! - `sortBy=lastModifiedDate|externalId|lastName` (quotes tolerated), `direction=ASC|DESC`:
//!   `lastModifiedDate` defaults to `DESC` (newest first), the others to `ASC`. Without
//!   `sortBy`, contacts come in creation (id) order. The id breaks ties, so every order is total.
//! - `pageNumber` (from 1), `pageSize` 1..3000 (default 100). A page past the end is an empty
//!   page, not an error. The page links carry the filters and the sort.

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use contacts_application::ports::{ContactFilter, Direction, ListQuery, PageRequest, SearchType, SortKey};

use crate::auth::Need;
use crate::error::ApiError;
use crate::params::Params;
use crate::routes::base_url;
use crate::wire::contact::ContactOut;
use crate::wire::envelope::ListEnvelope;
use crate::AppState;

/// The largest `pageSize`.
pub(super) const MAX_PAGE_SIZE: u32 = 3000;
pub(super) const DEFAULT_PAGE_SIZE: u32 = 100;

const SORT_KEYS: [(&str, SortKey); 3] = [
    ("lastModifiedDate", SortKey::LastModifiedDate),
    ("externalId", SortKey::ExternalId),
    ("lastName", SortKey::LastName),
];
const DIRECTIONS: [(&str, Direction); 2] = [("ASC", Direction::Asc), ("DESC", Direction::Desc)];
const SEARCH_TYPES: [(&str, SearchType); 2] = [("AND", SearchType::And), ("OR", SearchType::Or)];

/// The listing asked for, and the query its page links repeat (URL-encoded, without paging).
fn list_query(params: &Params) -> Result<(ListQuery, String), ApiError> {
    let page = PageRequest {
        number: params.number("pageNumber", 1..=u32::MAX, 1)?,
        size: params.number("pageSize", 1..=MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE)?,
    };
    let sort = params.choice("sortBy", &SORT_KEYS, SortKey::Id)?;
    let default_direction = if sort == SortKey::LastModifiedDate { Direction::Desc } else { Direction::Asc };
    let direction = params.choice("direction", &DIRECTIONS, default_direction)?;
    let filter = ContactFilter {
        contact_ids: params.ids("contactIds")?,
        external_ids: params.list("externalIds").into_iter().map(str::to_owned).collect(),
        group_ids: params.ids("groupIds")?,
        search: params.choice("searchType", &SEARCH_TYPES, SearchType::And)?,
    };

    let mut link: Vec<(&str, String)> = Vec::new();
    let joined = |ids: &[i64]| ids.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
    if !filter.contact_ids.is_empty() {
        link.push(("contactIds", joined(&filter.contact_ids)));
    }
    // Repeated rather than joined: an externalId may hold any character but a comma.
    link.extend(filter.external_ids.iter().map(|e| ("externalIds", e.clone())));
    if !filter.group_ids.is_empty() {
        link.push(("groupIds", joined(&filter.group_ids)));
    }
    if params.get("searchType").is_some() {
        link.push(("searchType", name(&SEARCH_TYPES, filter.search).into()));
    }
    if params.get("sortBy").is_some() {
        link.push(("sortBy", name(&SORT_KEYS, sort).into()));
    }
    if params.get("sortBy").is_some() || params.get("direction").is_some() {
        link.push(("direction", name(&DIRECTIONS, direction).into()));
    }
    let link = serde_urlencoded::to_string(&link)
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("encoding the page links")))?;
    Ok((ListQuery { filter, sort, direction, page }, link))
}

/// The wire name of a choice.
fn name<T: PartialEq>(choices: &[(&'static str, T)], value: T) -> &'static str {
    choices.iter().find(|(_, v)| *v == value).map_or("", |(n, _)| n)
}

#[utoipa::path(
    get,
    path = "/rest/contacts/{org}",
    tag = "contacts",
    operation_id = "list_contacts",
    summary = "List contacts",
    params(crate::openapi::OrgPath, crate::openapi::ListQuery),
    responses((status = 200, description = "A page of contacts", body = ListEnvelope<ContactOut<'static>>))
)]
/// `GET /rest/contacts/{org}?pageNumber&pageSize&contactIds&externalIds&groupIds&searchType&sortBy&direction`
pub(crate) async fn list(
    State(s): State<AppState>,
    Path(org): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let caller = s.authorize(&headers, &org, Need::Read).await?;
    let (query, link) = list_query(&Params::parse(q.as_deref())?)?;
    let (contacts, total, catalog) = s.queries.list(caller.org, &query).await?;
    let data: Vec<ContactOut> = contacts.iter().map(|c| ContactOut::new(c, &catalog)).collect();
    let uri = format!("{}/rest/contacts/{}", base_url(&headers), caller.org);
    Ok(Json(ListEnvelope::with_query(&uri, &link, query.page.number, query.page.size, total, data)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> Result<(ListQuery, String), ApiError> {
        list_query(&Params::parse(Some(q)).unwrap())
    }

    #[test]
    fn defaults_are_every_contact_by_id_100_a_page() {
        let (q, link) = parse("_=123").unwrap();
        assert_eq!(q, ListQuery::page(1, 100));
        assert_eq!(link, "");
    }

    #[test]
    fn last_modified_date_sorts_newest_first_unless_told_otherwise() {
        let (q, link) = parse("sortBy=%22lastModifiedDate%22").unwrap();
        assert_eq!((q.sort, q.direction), (SortKey::LastModifiedDate, Direction::Desc));
        assert_eq!(link, "sortBy=lastModifiedDate&direction=DESC");
        let (q, _) = parse("sortBy=lastmodifieddate&direction=asc").unwrap();
        assert_eq!(q.direction, Direction::Asc);
        for key in ["externalId", "lastName"] {
            let (q, _) = parse(&format!("sortBy={key}")).unwrap();
            assert_eq!(q.direction, Direction::Asc, "{key}");
        }
    }

    #[test]
    fn filters_are_read_repeated_or_comma_separated_and_kept_in_the_links() {
        let (q, link) =
            parse("contactIds=1,2&contactIds=3&externalIds=a%26b&externalIds=c,d&groupIds=%221%22&searchType=or")
                .unwrap();
        assert_eq!(q.filter.contact_ids, vec![1, 2, 3]);
        assert_eq!(q.filter.external_ids, vec!["a&b", "c", "d"]);
        assert_eq!(q.filter.group_ids, vec![1]);
        assert_eq!(q.filter.search, SearchType::Or);
        assert_eq!(link, "contactIds=1%2C2%2C3&externalIds=a%26b&externalIds=c&externalIds=d&groupIds=1&searchType=OR");
    }

    #[test]
    fn bad_values_are_400_naming_the_parameter() {
        for (q, starts) in [
            ("pageSize=0", "Query parameter pageSize must be an integer from 1 to 3000"),
            ("pageSize=5000", "Query parameter pageSize must be an integer from 1 to 3000"),
            ("sortBy=firstName", "Query parameter sortBy must be one of lastModifiedDate, externalId, lastName"),
            ("direction=UP", "Query parameter direction must be one of ASC, DESC"),
            ("searchType=XOR", "Query parameter searchType must be one of AND, OR"),
            ("contactIds=1,x", "Query parameter contactIds must hold integer ids"),
            ("groupIds=abc", "Query parameter groupIds must hold integer ids"),
        ] {
            let Err(ApiError::BadRequest(m)) = parse(q) else { panic!("a 400 for {q}") };
            assert!(m.starts_with(starts), "{q}: {m}");
        }
    }
}
