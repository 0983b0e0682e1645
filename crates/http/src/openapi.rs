//! The OpenAPI 3.1 document (`GET /openapi.json`) and the interactive page (`GET /docs`,
//! Swagger UI, vendored: nothing is downloaded at build or run time).
//!
//! Generated from the code by `utoipa`: each handler carries its `#[utoipa::path]`, the router
//! is an `utoipa_axum::OpenApiRouter` that registers exactly the documented operations (a
//! route cannot be served without being in the document), the wire types derive their
//! schemas. What every operation shares is added here once: the parameters' types below, the
//! error answers (Everbridge's envelope) and the security schemes (Basic, Bearer).
//!
//! The parameter types are read by the documentation only: the handlers read the query by
//! hand ([`crate::params`]) so that a bad value gets Everbridge's error, not axum's.
#![allow(dead_code)]

use serde::Deserialize;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{RefOr, Response, ResponseBuilder};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

/// The document's frame: what the handlers do not say.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "contacts-server",
        description = "An Everbridge-compatible contacts service: Everbridge's contact, group and \
                       catalog calls, with their envelopes and errors, plus history and restore.\n\n\
                       Authorize with Basic (a user, e.g. `demo`/`demo` after `contacts-server demo`) \
                       or Bearer (a token of `contacts-server token create`).",
        license(name = "Apache-2.0")
    ),
    components(schemas(crate::error::Body<'static>)),
    tags(
        (name = "contacts", description = "Contacts: the batch calls, one contact, the listing, history and restore"),
        (name = "groups", description = "Groups and their members"),
        (name = "catalog", description = "Record types, contact attribute definitions, contact paths, topics"),
        (name = "organizations", description = "The organizations the caller may use"),
        (name = "operations", description = "Health, metrics, this document (no credentials)"),
    )
)]
pub(crate) struct ApiDoc;

/// Completes the document the routes made: what every operation shares.
pub(crate) fn finish(doc: &mut utoipa::openapi::OpenApi) {
    Shared.modify(doc);
}

/// Adds to every operation what all of them share.
struct Shared;

/// The tag of the operations that need no credentials.
pub(crate) const OPERATIONS: &str = "operations";

/// The error answers of an authenticated operation, each Everbridge's envelope.
const ERRORS: [(&str, &str); 10] = [
    ("400", "The request is malformed, or a value is invalid (named in `message` or `errors`)"),
    ("401", "Missing or wrong credentials, or an organization the caller may not use"),
    ("403", "The caller's role may not do this"),
    ("404", "No such contact, group or catalog entry"),
    ("409", "A name or externalId is taken, an entry is in use, or the contacts are busy"),
    ("413", "The batch or the body is larger than the limit"),
    ("422", "An Idempotency-Key used with another request"),
    ("429", "A rate limit was reached (`Retry-After` says when to retry)"),
    ("500", "An internal error (its cause is in the server's log, never in the answer)"),
    ("503", "The database is unavailable (`Retry-After` says when to retry), or the request ran longer than REQUEST_TIMEOUT_SECONDS and was stopped"),
];

impl Modify for Shared {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Basic)
                    .description(Some("A user's name and password (the bare base64 is accepted too)"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token (`contacts-server token create`)"))
                    .build(),
            ),
        );
        let security = vec![
            SecurityRequirement::new("basic", Vec::<String>::new()),
            SecurityRequirement::new("bearer", Vec::<String>::new()),
        ];
        for item in doc.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
                &mut item.head,
                &mut item.options,
                &mut item.trace,
            ];
            for operation in operations.into_iter().flatten() {
                if operation.tags.as_ref().is_some_and(|t| t.iter().any(|t| t == OPERATIONS)) {
                    operation.security = Some(vec![SecurityRequirement::default()]);
                    continue;
                }
                operation.security = Some(security.clone());
                add_errors(operation);
            }
        }
    }
}

/// The error answers an operation does not document itself.
fn add_errors(operation: &mut Operation) {
    for (status, description) in ERRORS {
        if operation.responses.responses.contains_key(status) {
            continue;
        }
        let response: Response = ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                utoipa::openapi::ContentBuilder::new()
                    .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorEnvelope")))
                    .build(),
            )
            .build();
        operation.responses.responses.insert(status.to_owned(), RefOr::T(response));
    }
}

/// How the contact of a path segment is named.
#[derive(Deserialize, ToSchema)]
pub(crate) enum IdType {
    #[serde(rename = "id")]
    Id,
    #[serde(rename = "externalId")]
    ExternalId,
}

/// What an omitted field means in an update.
#[derive(Deserialize, ToSchema)]
pub(crate) enum UpdateType {
    /// An omitted field is cleared ("This is NOT a partial update").
    #[serde(rename = "full")]
    Full,
    /// An omitted field is kept.
    #[serde(rename = "partial")]
    Partial,
}

#[derive(Deserialize, ToSchema)]
pub(crate) enum ByType {
    #[serde(rename = "id")]
    Id,
    #[serde(rename = "name")]
    Name,
}

#[derive(Deserialize, ToSchema)]
pub(crate) enum SearchType {
    #[serde(rename = "AND")]
    And,
    #[serde(rename = "OR")]
    Or,
}

#[derive(Deserialize, ToSchema)]
pub(crate) enum SortBy {
    #[serde(rename = "lastModifiedDate")]
    LastModifiedDate,
    #[serde(rename = "externalId")]
    ExternalId,
    #[serde(rename = "lastName")]
    LastName,
}

#[derive(Deserialize, ToSchema)]
pub(crate) enum Direction {
    #[serde(rename = "ASC")]
    Asc,
    #[serde(rename = "DESC")]
    Desc,
}

/// `{org}`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct OrgPath {
    /// The organization's id.
    org: i64,
}

/// `{org}` and a contact's `{id}`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct ContactPath {
    /// The organization's id.
    org: i64,
    /// The contact's id, or its externalId with `idType=externalId`.
    id: String,
}

/// `{org}` and a catalog entry's `{id}`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct EntryPath {
    /// The organization's id.
    org: i64,
    /// The entry's id (for a contact path: its `pathId`).
    id: i64,
}

/// `{org}` and a group's `{group}`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct GroupPath {
    /// The organization's id.
    org: i64,
    /// The group's id, or its name (`queryType` says which; without it an integer is an id).
    group: String,
}

/// A page of a list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PageQuery {
    /// 1-based (default 1); a page past the end is empty.
    #[param(minimum = 1)]
    page_number: Option<u32>,
    /// 1 to 3000.
    #[param(minimum = 1, maximum = 3000)]
    page_size: Option<u32>,
}

/// `idType`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IdTypeQuery {
    /// How `{id}` (or the body's items) name contacts (default `id`).
    #[param(inline)]
    id_type: Option<IdType>,
}

/// The options of Update Contacts (Batch).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UpdateBatchQuery {
    /// How items name their contact: `id` (default) or `externalId`.
    #[param(inline)]
    id_type: Option<IdType>,
    /// `full` (default): an omitted field is cleared; `partial`: kept.
    #[param(inline)]
    update_type: Option<UpdateType>,
    /// All or nothing (default `true`); `false` writes the valid items and reports the rest.
    atomic: Option<bool>,
    /// Validate and report, write nothing (default `false`).
    dry_run: Option<bool>,
}

/// The options of Insert Contacts (Batch).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InsertBatchQuery {
    /// All or nothing (default `true`).
    atomic: Option<bool>,
    /// Validate and report, write nothing (default `false`).
    dry_run: Option<bool>,
    /// Accepted and ignored, as Everbridge's `version=0|1`.
    version: Option<i64>,
}

/// The filters and order of the contact list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListQuery {
    /// 1-based (default 1).
    #[param(minimum = 1)]
    page_number: Option<u32>,
    /// 1 to 3000 (default 100).
    #[param(minimum = 1, maximum = 3000)]
    page_size: Option<u32>,
    /// Comma-separated externalIds.
    external_ids: Option<String>,
    /// Comma-separated contact ids.
    contact_ids: Option<String>,
    /// Comma-separated group ids.
    group_ids: Option<String>,
    /// How the filters combine (default `AND`).
    #[param(inline)]
    search_type: Option<SearchType>,
    /// The order (default: by id).
    #[param(inline)]
    sort_by: Option<SortBy>,
    /// `ASC` or `DESC` (`lastModifiedDate` defaults to `DESC`).
    #[param(inline)]
    direction: Option<Direction>,
}

/// The history's page and how `{id}` names the contact.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HistoryQuery {
    /// How `{id}` names the contact (default `id`).
    #[param(inline)]
    id_type: Option<IdType>,
    /// 1-based (default 1).
    #[param(minimum = 1)]
    page_number: Option<u32>,
    /// 1 to 3000 (default 100).
    #[param(minimum = 1, maximum = 3000)]
    page_size: Option<u32>,
}

/// The version to restore.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RestoreQuery {
    /// How `{id}` names the contact (default `id`).
    #[param(inline)]
    id_type: Option<IdType>,
    /// The version to bring back; without it, a deleted contact's last state before deletion.
    #[param(minimum = 1)]
    version: Option<i64>,
}

/// How a group segment is read.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GroupQuery {
    /// `id` or `name`; without it an integer is an id, anything else a name.
    #[param(inline)]
    query_type: Option<ByType>,
}

/// Which group, and how the body names contacts.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MembershipQuery {
    /// Whether `groupId` or `groupName` names the group (default: whichever is given).
    #[param(inline)]
    by_type: Option<ByType>,
    group_id: Option<i64>,
    group_name: Option<String>,
    /// How the body names contacts (default `id`).
    #[param(inline)]
    id_type: Option<IdType>,
}

/// Which groups' members, and the page.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MembersQuery {
    #[param(inline)]
    by_type: Option<ByType>,
    group_id: Option<i64>,
    /// Comma-separated group ids.
    group_ids: Option<String>,
    group_name: Option<String>,
    /// 1-based (default 1).
    #[param(minimum = 1)]
    page_number: Option<u32>,
    /// 1 to 3000 (default 100).
    #[param(minimum = 1, maximum = 3000)]
    page_size: Option<u32>,
}

/// A contact id or externalId in a body (numbers and strings are both read).
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
#[schema(as = ContactRef)]
pub(crate) enum ContactRefDoc {
    Id(i64),
    Name(String),
}

/// `{"status": "UP"}`, or `DOWN` with a message.
#[derive(serde::Serialize, ToSchema)]
pub(crate) struct Health {
    status: String,
    message: Option<String>,
}

/// One operation of a PATCH.
#[derive(Deserialize, ToSchema)]
pub(crate) struct PatchOperation {
    /// `add`, `remove`, `replace`, `copy`, `move` or `test`.
    op: String,
    /// Everbridge's selector, e.g. `/paths/pathId:241901148045319/value`.
    path: String,
    value: Option<serde_json::Value>,
    from: Option<String>,
}

/// A group lookup's result: the group, or `{"id": 0}` when there is none.
#[derive(serde::Serialize, ToSchema)]
#[serde(untagged)]
pub(crate) enum GroupLookup {
    Found(crate::wire::catalog::GroupOut),
    Missing(NoGroup),
}

/// No such group: `{"id": 0}` (exactly 0, nothing else: a group's own id is never 0, so the
/// two answers cannot be confused, which schemathesis found they could be).
#[derive(serde::Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoGroup {
    #[schema(minimum = 0, maximum = 0)]
    id: i64,
}

/// `{"code": 100, "message": "OK"}`.
#[derive(serde::Serialize, ToSchema)]
pub(crate) struct MembershipAnswer {
    code: i64,
    message: String,
}
