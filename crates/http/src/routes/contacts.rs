//! Contacts: Update / Insert / Delete Contacts (Batch), the single-contact calls
//! ([`single`]), the listing ([`list`]), and a contact's history and restore ([`history`]).

mod history;
mod idempotency;
mod list;
mod single;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use contacts_application::batch::{BatchKind, BatchOptions, IdType};
use contacts_application::delete::DeleteError;
use contacts_application::ports::ContactRef;
use contacts_domain::UpdateMode;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Caller, Need};
use crate::body;
use crate::error::ApiError;
use crate::params::Params;
use crate::wire::envelope::BatchEnvelope;
use crate::AppState;

type Body = Result<Bytes, BytesRejection>;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(update_batch, insert_batch, delete_batch, single::get_batch_named))
        .routes(routes!(
            list::list,
            single::create_one,
            missing_contact_id_put,
            missing_contact_id_patch,
            missing_contact_id_delete
        ))
        .routes(routes!(single::get_one, single::replace_one, single::delete_one))
        .routes(routes!(history::history))
        .routes(routes!(history::restore))
}

/// The `Idempotency-Key` header of the batch calls.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
struct IdempotencyKey {
    /// Any printable ASCII, 1 to 255 characters: a retry with the same key and body gets the
    /// first answer (`Idempotent-Replayed: true`) for 24 hours.
    #[param(rename = "Idempotency-Key")]
    idempotency_key: Option<String>,
}

/// A write to `/rest/contacts/{org}` without a contact id (three methods, one answer).
#[utoipa::path(
    put,
    path = "/rest/contacts/{org}",
    tag = "contacts",
    summary = "A write without a contact id",
    description = "Answers `404 Missing Contact Id`, as Everbridge does.",
    params(crate::openapi::OrgPath),
    responses((status = 404, description = "Missing Contact Id", body = crate::error::Body<'static>))
)]
async fn missing_contact_id_put() -> ApiError {
    ApiError::MissingContactId
}

#[utoipa::path(
    patch,
    path = "/rest/contacts/{org}",
    tag = "contacts",
    summary = "A write without a contact id",
    description = "Answers `404 Missing Contact Id`, as Everbridge does.",
    params(crate::openapi::OrgPath),
    responses((status = 404, description = "Missing Contact Id", body = crate::error::Body<'static>))
)]
async fn missing_contact_id_patch() -> ApiError {
    ApiError::MissingContactId
}

#[utoipa::path(
    delete,
    path = "/rest/contacts/{org}",
    tag = "contacts",
    summary = "A write without a contact id",
    description = "Answers `404 Missing Contact Id`, as Everbridge does.",
    params(crate::openapi::OrgPath),
    responses((status = 404, description = "Missing Contact Id", body = crate::error::Body<'static>))
)]
async fn missing_contact_id_delete() -> ApiError {
    ApiError::MissingContactId
}

/// `idType=id|externalId` (default `id`).
fn id_type(params: &Params) -> Result<IdType, ApiError> {
    params.choice("idType", &[("id", IdType::Id), ("externalId", IdType::ExternalId)], IdType::Id)
}

/// `PUT /rest/contacts/{org}/batch?idType&updateType&atomic&dryRun`
#[utoipa::path(
    put,
    path = "/rest/contacts/{org}/batch",
    tag = "contacts",
    summary = "Update Contacts (Batch)",
    description = "A full-replace update (`updateType=full`, the default): an omitted field is cleared. \
                   Items name their contact by `id` or, with `idType=externalId`, by `externalId`.",
    params(crate::openapi::OrgPath, crate::openapi::UpdateBatchQuery, IdempotencyKey),
    request_body(
        content = Vec<crate::wire::contact::ContactOut<'static>>,
        description = "The contacts, as read (read-only fields are ignored). The example is the API \
                       documentation's: with `idType=externalId` it updates the demo's contact `001` \
                       (`contacts-server demo`, then insert it with the POST example).",
        example = json!([{
            "externalId": "001", "firstName": "F", "lastName": "L", "recordTypeId": 1533823015714817_i64,
            "groups": [1, 2, 3],
            "contactAttributes": [{"orgAttrId": 1509768514502692_i64, "values": ["option1", "option2"]}],
            "paths": [{"pathId": 241901148045319_i64, "countryCode": "CN", "value": "17525889654"}]
        }])
    ),
    responses((status = 200, description = "What became of each item", body = BatchEnvelope))
)]
async fn update_batch(
    State(s): State<AppState>,
    Path(org): Path<String>,
    RawQuery(q): RawQuery,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref())?;
    let id_type = id_type(&params)?;
    let mode = params.choice(
        "updateType",
        &[("full", UpdateMode::Full), ("partial", UpdateMode::Partial)],
        UpdateMode::Full,
    )?;
    let kind = BatchKind::Update { id_type, mode };
    run_batch(s, &org, &params, Requested { method: &method, uri: &uri, headers: &headers, body }, kind).await
}

/// `POST /rest/contacts/{org}/batch`: insert, or full replace by externalId.
#[utoipa::path(
    post,
    path = "/rest/contacts/{org}/batch",
    tag = "contacts",
    summary = "Insert Contacts (Batch)",
    description = "Creates each contact; an item whose externalId exists updates that contact (full replace).",
    params(crate::openapi::OrgPath, crate::openapi::InsertBatchQuery, IdempotencyKey),
    request_body(
        content = Vec<crate::wire::contact::ContactOut<'static>>,
        description = "The contacts",
        example = json!([{"externalId": "001", "firstName": "F", "lastName": "L", "recordTypeId": 1533823015714817_i64}])
    ),
    responses((status = 200, description = "What became of each item", body = BatchEnvelope))
)]
async fn insert_batch(
    State(s): State<AppState>,
    Path(org): Path<String>,
    RawQuery(q): RawQuery,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref())?;
    run_batch(s, &org, &params, Requested { method: &method, uri: &uri, headers: &headers, body }, BatchKind::Insert)
        .await
}

/// What a batch handler received, for authorization and `Idempotency-Key`.
struct Requested<'a> {
    method: &'a Method,
    uri: &'a Uri,
    headers: &'a HeaderMap,
    body: Body,
}

/// Authorizes the caller, reads the body and runs `apply` on it once per `Idempotency-Key`
/// (see [`idempotency`]): the one path of every batch write.
async fn authorized_once<F, Fut>(s: &AppState, org: &str, req: Requested<'_>, apply: F) -> Result<Response, ApiError>
where
    F: FnOnce(Caller, axum::body::Bytes) -> Fut,
    Fut: std::future::Future<Output = Result<Response, ApiError>>,
{
    let caller = s.authorize(req.headers, org, Need::WriteContacts).await?;
    let bytes = body::bytes(req.body)?;
    let fingerprint = idempotency::Request { method: req.method, uri: req.uri, headers: req.headers, body: &bytes };
    let run = apply(caller.clone(), bytes.clone());
    idempotency::once(s, &caller, fingerprint, run).await
}

async fn run_batch(
    s: AppState,
    org: &str,
    params: &Params,
    req: Requested<'_>,
    kind: BatchKind,
) -> Result<Response, ApiError> {
    let opts = BatchOptions { kind, atomic: params.flag("atomic", true)?, dry_run: params.flag("dryRun", false)? };
    let batches = &s.batches;
    authorized_once(&s, org, req, |caller, bytes| async move {
        let items = body::batch_items(&bytes)?;
        let results = batches.run(caller.org, &caller.actor(), items, opts).await?;
        Ok(Json(BatchEnvelope::new(&results, opts.dry_run)).into_response())
    })
    .await
}

#[utoipa::path(
    delete,
    path = "/rest/contacts/{org}/batch",
    tag = "contacts",
    summary = "Delete Contacts (Batch)",
    params(crate::openapi::OrgPath, crate::openapi::IdTypeQuery, IdempotencyKey),
    request_body(content = Vec<crate::openapi::ContactRefDoc>, description = "Contact ids, or externalIds with `idType=externalId`"),
    responses((status = 200, description = "The deleted contacts", body = BatchEnvelope))
)]
/// `DELETE /rest/contacts/{org}/batch?idType=id|externalId`, body `[id, "id", ...]` (or
/// externalIds): a soft delete of all of them, or of none when any is not a contact of the
/// organization (401 `contactIds invalid to the organization <org>`).
async fn delete_batch(
    State(s): State<AppState>,
    Path(org): Path<String>,
    RawQuery(q): RawQuery,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let req = Requested { method: &method, uri: &uri, headers: &headers, body };
    let batches = &s.batches;
    authorized_once(&s, &org, req, |caller, bytes| async move {
        let params = Params::parse(q.as_deref())?;
        let targets = delete_targets(&bytes, id_type(&params)?)?;
        let results = batches.delete(caller.org, &caller.actor(), &targets).await.map_err(|e| match e {
            DeleteError::NotFound(missing) => {
                let missing: Vec<String> = missing.iter().map(ToString::to_string).collect();
                tracing::info!(missing = missing.join(","), "delete names contacts not in the organization");
                ApiError::ContactIdsInvalid(caller.org)
            }
            other => delete_error(other),
        })?;
        Ok(Json(BatchEnvelope::new(&results, false)).into_response())
    })
    .await
}

/// The failures of a delete other than contacts not found (which each route words itself).
fn delete_error(e: DeleteError) -> ApiError {
    match e {
        DeleteError::TooLarge { limit, got } => {
            ApiError::TooLarge(format!("The batch has {got} items; at most {limit} are allowed (MAX_BATCH_SIZE)"))
        }
        DeleteError::NotFound(missing) => {
            ApiError::ContactNotFound(missing.first().map(ToString::to_string).unwrap_or_default())
        }
        DeleteError::Store(e) => e.into(),
    }
}

/// A delete body: a JSON array of contact ids (numbers or strings holding integers) or, with
/// `idType=externalId`, of externalIds (strings, or numbers taken as their digits).
///
/// # Errors
/// 400 when the body is not an array, or naming the first element that is not an identifier.
fn delete_targets(bytes: &[u8], id_type: IdType) -> Result<Vec<ContactRef>, ApiError> {
    let Value::Array(items) = body::json(bytes)? else {
        return Err(ApiError::BadRequest(match id_type {
            IdType::Id => "The request body must be a JSON array of contact ids".into(),
            IdType::ExternalId => "The request body must be a JSON array of externalIds".into(),
        }));
    };
    items
        .iter()
        .enumerate()
        .map(|(index, v)| {
            let text = match v {
                Value::String(s) => Some(s.trim().to_owned()),
                Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
                _ => None,
            };
            let target = match (id_type, text) {
                (IdType::Id, Some(t)) => t.parse().ok().map(ContactRef::Id),
                (IdType::ExternalId, Some(t)) if !t.is_empty() => Some(ContactRef::ExternalId(t)),
                _ => None,
            };
            target.ok_or_else(|| {
                let what = if id_type == IdType::Id { "a contact id" } else { "an externalId" };
                ApiError::BadRequest(format!("Item {index} of the body is not {what}: {v}"))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delete_bodies_take_ids_as_numbers_or_strings() {
        let ids = delete_targets(br#"[1, "2", " 3 "]"#, IdType::Id).unwrap();
        assert_eq!(ids, vec![ContactRef::Id(1), ContactRef::Id(2), ContactRef::Id(3)]);
        let exts = delete_targets(br#"["a", 12]"#, IdType::ExternalId).unwrap();
        assert_eq!(exts, vec![ContactRef::ExternalId("a".into()), ContactRef::ExternalId("12".into())]);
        for (body, id_type, message) in [
            (&br#"["1x"]"#[..], IdType::Id, "Item 0 of the body is not a contact id: \"1x\""),
            (br#"[1, 2.5]"#, IdType::Id, "Item 1 of the body is not a contact id: 2.5"),
            (br#"[1, null]"#, IdType::ExternalId, "Item 1 of the body is not an externalId: null"),
            (br#"["a", " "]"#, IdType::ExternalId, "Item 1 of the body is not an externalId: \" \""),
            (br#"{"ids": [1]}"#, IdType::Id, "The request body must be a JSON array of contact ids"),
        ] {
            let Err(ApiError::BadRequest(m)) = delete_targets(body, id_type) else { panic!("a 400 for {body:?}") };
            assert_eq!(m, message);
        }
    }
}
