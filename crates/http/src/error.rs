//! The one place that knows HTTP statuses: every failure becomes an Everbridge error body
//! `{"message", "status", "code"?, "errors"?}`. Internal causes go to the log, never out.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use contacts_application::batch::{BatchError, ItemResult};
use contacts_application::catalog::CatalogError;
use contacts_application::groups::GroupError;
use contacts_application::history::RestoreError;
use contacts_application::StoreError;
use contacts_domain::ErrorCode;
use serde::Serialize;

/// One failing item of a batch, as written in `errors`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ItemError {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub code: u16,
    pub message: String,
}

impl ItemError {
    /// One entry per field error of a failed item.
    pub fn of_result(r: &ItemResult) -> Vec<ItemError> {
        r.errors
            .iter()
            .map(|e| ItemError {
                index: Some(r.index),
                id: r.id,
                external_id: r.external_id.clone(),
                field: (!e.field.is_empty()).then(|| e.field.clone()),
                code: e.code.code(),
                message: e.message.clone(),
            })
            .collect()
    }
}

/// One failing operation of a PATCH (or the body as a whole), as written in `detail`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PatchDetail {
    /// Which operation or field: the operation's `path`, or the field that failed validation.
    pub details: String,
    pub error_message: String,
    /// The operation as sent; `null` when the body as a whole is at fault.
    pub error_patch: serde_json::Value,
}

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("Missing Organization Id")]
    MissingOrganization,
    #[error("Org {0} is invalid.")]
    OrganizationInvalid(String),
    #[error("Invalid or missing credentials")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("Missing Contact Id")]
    MissingContactId,
    #[error("Contact {0} not found.")]
    ContactNotFound(String),
    /// Contact ids or externalIds that are not active contacts of the organization (membership
    /// calls, batch delete): Everbridge answers 401.
    #[error("contactIds invalid to the organization {0}")]
    ContactIdsInvalid(i64),
    /// Item failures (a batch, or a single write): status, message and code of the first.
    #[error("{} item(s) failed", .0.len())]
    Items(Vec<ItemResult>),
    /// A PATCH that failed: Everbridge's `{"message", "status", "detail": [...]}`.
    #[error("Patch failed due to input invalid!")]
    PatchFailed(Vec<PatchDetail>),
    /// Malformed JSON, wrong types, bad parameters.
    #[error("{0}")]
    BadRequest(String),
    /// A catalog id or name that exists already.
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    NotFound(String),
    #[error("Method not allowed")]
    MethodNotAllowed,
    /// A rate limit (`RATE_LIMIT_PER_MINUTE`) was reached: retry after that many seconds.
    #[error("Too many requests for this {scope}: at most {per_minute} per minute; retry after {retry_after} s")]
    RateLimited { scope: &'static str, per_minute: u32, retry_after: u64 },
    #[error("The service is busy with concurrent changes to the same contacts; retry the request")]
    Busy,
    /// An `Idempotency-Key` header that is empty, too long or not printable ASCII.
    #[error("The Idempotency-Key header must hold 1 to 255 printable ASCII characters")]
    IdempotencyKeyInvalid,
    /// An `Idempotency-Key` already used with another request (body, path, query or caller).
    #[error("Idempotency-Key {0} was used with another request")]
    IdempotencyKeyReused(String),
    /// The first request with this `Idempotency-Key` has not answered yet.
    #[error("A request with Idempotency-Key {0} is in progress")]
    IdempotencyKeyInProgress(String),
    /// The request ran longer than `REQUEST_TIMEOUT_SECONDS` and was stopped (its transaction
    /// rolled back unless it had committed; its `Idempotency-Key` freed).
    #[error("The request took longer than {0} s and was stopped; retry it")]
    TimedOut(u64),
    /// The database is out of reach (restarting, failing over, every connection busy): nothing
    /// was changed by this request; retry it after `Retry-After`.
    #[error("The database is unavailable; retry the request")]
    Unavailable(#[source] anyhow::Error),
    #[error("Internal server error")]
    Internal(#[source] anyhow::Error),
}

/// The HTTP status, body `status` and whether `code` is written, for an item code.
pub fn item_status(code: ErrorCode) -> (StatusCode, u16, bool) {
    match code {
        ErrorCode::RecordTypeNotFound => (StatusCode::BAD_REQUEST, 300, true),
        ErrorCode::GroupNotFound
        | ErrorCode::AttributeNotFound
        | ErrorCode::PathNotFound
        | ErrorCode::TopicNotFound
        | ErrorCode::AttributeValueNotAllowed
        | ErrorCode::Invalid
        | ErrorCode::DuplicateInBatch => (StatusCode::BAD_REQUEST, 400, true),
        ErrorCode::ExternalIdTaken => (StatusCode::CONFLICT, 409, true),
        ErrorCode::VersionMismatch => (StatusCode::PRECONDITION_FAILED, 412, true),
        ErrorCode::ContactNotFound => (StatusCode::NOT_FOUND, 404, true),
        ErrorCode::MissingContactId => (StatusCode::NOT_FOUND, 404, false),
    }
}

/// Everbridge's error envelope: every answer that is not a success.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = ErrorEnvelope)]
pub(crate) struct Body<'a> {
    message: &'a str,
    /// The HTTP status (for an item's error, the status its code maps to).
    status: u16,
    /// Everbridge's code of the first failing item (e.g. 404, 310).
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<u16>,
    /// Every error of every failing item of a batch.
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<Vec<ItemError>>,
    /// Every failing operation of a PATCH.
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a [PatchDetail]>,
}

/// The `Retry-After` of a 503 for an unavailable database: a restart takes PostgreSQL a second
/// or two (the pg_restart drill, README "Reliability").
pub const UNAVAILABLE_RETRY_AFTER_SECONDS: u64 = 2;

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::MissingOrganization
            | ApiError::OrganizationInvalid(_)
            | ApiError::Unauthenticated
            | ApiError::ContactIdsInvalid(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::MissingContactId | ApiError::ContactNotFound(_) | ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Items(items) => {
                first_error(items).map_or(StatusCode::BAD_REQUEST, |(_, e)| item_status(e.code).0)
            }
            ApiError::BadRequest(_) | ApiError::PatchFailed(_) | ApiError::IdempotencyKeyInvalid => {
                StatusCode::BAD_REQUEST
            }
            ApiError::Conflict(_) | ApiError::Busy | ApiError::IdempotencyKeyInProgress(_) => StatusCode::CONFLICT,
            ApiError::IdempotencyKeyReused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::TimedOut(_) | ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl ApiError {
    /// Whether the failure says nothing about the request itself (a server error, a transient
    /// conflict): such an answer is not replayed to an `Idempotency-Key` retry, which runs again.
    pub fn is_transient(&self) -> bool {
        matches!(self, ApiError::Busy | ApiError::TimedOut(_) | ApiError::Unavailable(_) | ApiError::Internal(_))
    }
}

fn first_error(items: &[ItemResult]) -> Option<(&ItemResult, &contacts_domain::FieldError)> {
    items.iter().find_map(|r| r.errors.first().map(|e| (r, e)))
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        match &self {
            ApiError::Internal(cause) => tracing::error!(error = format!("{cause:#}"), "request failed"),
            ApiError::Unavailable(cause) => tracing::warn!(error = format!("{cause:#}"), "database unavailable"),
            _ => {}
        }
        let text = self.to_string();
        if let ApiError::PatchFailed(detail) = &self {
            let body = Body { message: &text, status: status.as_u16(), code: None, errors: None, detail: Some(detail) };
            return (status, Json(body)).into_response();
        }
        let mut body = Body { message: &text, status: status.as_u16(), code: None, errors: None, detail: None };
        if let ApiError::ContactNotFound(_) = &self {
            body.code = Some(404);
        }
        let first_message;
        if let ApiError::Items(items) = &self {
            if let Some((_, e)) = first_error(items) {
                let (_, body_status, with_code) = item_status(e.code);
                first_message = e.message.clone();
                body.message = &first_message;
                body.status = body_status;
                body.code = with_code.then(|| e.code.code());
            }
            body.errors = Some(items.iter().flat_map(ItemError::of_result).collect());
        }
        let mut response = (status, Json(&body)).into_response();
        if status == StatusCode::UNAUTHORIZED && matches!(self, ApiError::Unauthenticated) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"contacts\""));
        }
        if let ApiError::RateLimited { retry_after, .. } = &self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
        }
        if let ApiError::Unavailable(_) = &self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(UNAVAILABLE_RETRY_AFTER_SECONDS));
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Duplicate(m) => ApiError::Conflict(m),
            StoreError::MissingReference(m) => ApiError::BadRequest(m),
            StoreError::Conflict => ApiError::Busy,
            StoreError::ExternalIdTaken(ext) => {
                ApiError::Conflict(format!("externalId {ext} already belongs to another contact"))
            }
            StoreError::Unavailable(e) => ApiError::Unavailable(e),
            StoreError::Unknown(e) => ApiError::Internal(e),
        }
    }
}

impl From<BatchError> for ApiError {
    fn from(e: BatchError) -> Self {
        match e {
            BatchError::TooLarge { limit, got } => {
                ApiError::TooLarge(format!("The batch has {got} items; at most {limit} are allowed (MAX_BATCH_SIZE)"))
            }
            BatchError::Rejected(items) => ApiError::Items(items),
            BatchError::Store(e) => e.into(),
        }
    }
}

impl From<CatalogError> for ApiError {
    fn from(e: CatalogError) -> Self {
        match e {
            CatalogError::Invalid { .. } => ApiError::BadRequest(e.to_string()),
            CatalogError::NotFound { .. } => ApiError::NotFound(e.to_string()),
            CatalogError::InUse { .. } => ApiError::Conflict(e.to_string()),
            CatalogError::Store(e) => e.into(),
        }
    }
}

impl From<GroupError> for ApiError {
    fn from(e: GroupError) -> Self {
        match e {
            GroupError::Invalid { .. } | GroupError::Cycle { .. } => ApiError::BadRequest(e.to_string()),
            GroupError::NotFound(_) => ApiError::NotFound(e.to_string()),
            GroupError::HasSubgroups { .. } => ApiError::Conflict(e.to_string()),
            GroupError::ContactsInvalid { org } => ApiError::ContactIdsInvalid(org),
            GroupError::Store(e) => e.into(),
        }
    }
}

impl From<RestoreError> for ApiError {
    fn from(e: RestoreError) -> Self {
        match e {
            RestoreError::NotFound(target) => ApiError::ContactNotFound(target.to_string()),
            RestoreError::VersionNotFound { .. } => ApiError::NotFound(e.to_string()),
            RestoreError::VersionRequired { .. } => ApiError::BadRequest(e.to_string()),
            RestoreError::Rejected(item) => ApiError::Items(vec![item]),
            RestoreError::Store(e) => e.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use contacts_application::batch::ItemStatus;
    use contacts_domain::FieldError;

    async fn render(e: ApiError) -> (StatusCode, serde_json::Value, Option<HeaderValue>) {
        let r = e.into_response();
        let status = r.status();
        let auth = r.headers().get(header::WWW_AUTHENTICATE).cloned();
        let bytes = axum::body::to_bytes(r.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap(), auth)
    }

    fn failed(index: usize, code: ErrorCode, field: &str, message: &str) -> ItemResult {
        ItemResult {
            index,
            id: Some(7),
            external_id: Some("e7".into()),
            status: ItemStatus::Failed,
            version: None,
            errors: vec![FieldError::new(field, code, message)],
        }
    }

    #[tokio::test]
    async fn each_item_code_maps_to_its_http_status_body_status_and_code() {
        let table = [
            (ErrorCode::RecordTypeNotFound, 400, 300, Some(300)),
            (ErrorCode::GroupNotFound, 400, 400, Some(301)),
            (ErrorCode::AttributeNotFound, 400, 400, Some(302)),
            (ErrorCode::PathNotFound, 400, 400, Some(303)),
            (ErrorCode::TopicNotFound, 400, 400, Some(304)),
            (ErrorCode::AttributeValueNotAllowed, 400, 400, Some(305)),
            (ErrorCode::ExternalIdTaken, 409, 409, Some(310)),
            (ErrorCode::Invalid, 400, 400, Some(320)),
            (ErrorCode::DuplicateInBatch, 400, 400, Some(321)),
            (ErrorCode::VersionMismatch, 412, 412, Some(330)),
            (ErrorCode::ContactNotFound, 404, 404, Some(404)),
            (ErrorCode::MissingContactId, 404, 404, None),
        ];
        for (code, http, body_status, body_code) in table {
            let (status, body, _) = render(ApiError::Items(vec![failed(3, code, "f", "the message")])).await;
            assert_eq!(status.as_u16(), http, "{code:?}");
            assert_eq!(body["status"], body_status, "{code:?}");
            assert_eq!(body["code"].as_u64().map(|c| c as u16), body_code, "{code:?}");
            assert_eq!(body["message"], "the message", "{code:?}");
            assert_eq!(body["errors"][0]["index"], 3);
            assert_eq!(body["errors"][0]["code"], code.code());
        }
    }

    #[tokio::test]
    async fn a_batch_failure_takes_the_first_item_and_lists_every_one() {
        let items = vec![
            failed(1, ErrorCode::RecordTypeNotFound, "recordTypeId", "The externalId recordType not found in org."),
            failed(4, ErrorCode::Invalid, "paths[0].value", "bad"),
        ];
        let (status, body, _) = render(ApiError::Items(items)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["status"], 300);
        assert_eq!(body["code"], 300);
        assert_eq!(body["message"], "The externalId recordType not found in org.");
        assert_eq!(body["errors"].as_array().unwrap().len(), 2);
        assert_eq!(body["errors"][1]["field"], "paths[0].value");
    }

    #[tokio::test]
    async fn request_level_errors_map_to_the_error_table() {
        let table: Vec<(ApiError, u16, &str)> = vec![
            (ApiError::MissingOrganization, 401, "Missing Organization Id"),
            (ApiError::OrganizationInvalid("9".into()), 401, "Org 9 is invalid."),
            (ApiError::Unauthenticated, 401, "Invalid or missing credentials"),
            (ApiError::Forbidden("viewers may not write".into()), 403, "viewers may not write"),
            (ApiError::MissingContactId, 404, "Missing Contact Id"),
            (ApiError::ContactNotFound("5".into()), 404, "Contact 5 not found."),
            (ApiError::ContactIdsInvalid(7), 401, "contactIds invalid to the organization 7"),
            (ApiError::BadRequest("bad json".into()), 400, "bad json"),
            (ApiError::TooLarge("too many".into()), 413, "too many"),
            (ApiError::Conflict("exists".into()), 409, "exists"),
            (
                ApiError::RateLimited { scope: "organization", per_minute: 60, retry_after: 2 },
                429,
                "Too many requests for this organization: at most 60 per minute; retry after 2 s",
            ),
            (ApiError::TimedOut(300), 503, "The request took longer than 300 s and was stopped; retry it"),
            (
                ApiError::Unavailable(anyhow::anyhow!("connection refused")),
                503,
                "The database is unavailable; retry the request",
            ),
            (ApiError::Internal(anyhow::anyhow!("SELECT secret FROM pg")), 500, "Internal server error"),
        ];
        for (error, http, message) in table {
            let (status, body, auth) = render(error).await;
            assert_eq!(status.as_u16(), http, "{message}");
            assert_eq!(body["status"], http, "{message}");
            assert_eq!(body["message"], message);
            assert_eq!(auth.is_some(), message == "Invalid or missing credentials", "{message}");
        }
    }

    #[tokio::test]
    async fn idempotency_key_errors_map_to_400_422_and_409() {
        let table: Vec<(ApiError, u16, &str)> = vec![
            (
                ApiError::IdempotencyKeyInvalid,
                400,
                "The Idempotency-Key header must hold 1 to 255 printable ASCII characters",
            ),
            (ApiError::IdempotencyKeyReused("k1".into()), 422, "Idempotency-Key k1 was used with another request"),
            (ApiError::IdempotencyKeyInProgress("k1".into()), 409, "A request with Idempotency-Key k1 is in progress"),
        ];
        for (error, http, message) in table {
            assert!(!error.is_transient(), "{message}");
            let (status, body, auth) = render(error).await;
            assert_eq!(status.as_u16(), http, "{message}");
            assert_eq!(body, serde_json::json!({"message": message, "status": http}));
            assert!(auth.is_none());
        }
    }

    #[test]
    fn only_server_errors_and_busy_are_transient() {
        assert!(ApiError::Busy.is_transient());
        assert!(ApiError::Internal(anyhow::anyhow!("down")).is_transient());
        assert!(!ApiError::BadRequest("bad".into()).is_transient());
        assert!(!ApiError::Items(vec![]).is_transient());
    }

    #[tokio::test]
    async fn group_and_catalog_errors_map_to_everbridge_bodies() {
        use contacts_application::groups::GroupKey;
        use contacts_application::ports::CatalogKind;
        let table: Vec<(ApiError, u16, &str)> = vec![
            (GroupError::NotFound(GroupKey::Name("g".into())).into(), 404, "Group g not found."),
            (GroupError::ContactsInvalid { org: 3 }.into(), 401, "contactIds invalid to the organization 3"),
            (
                GroupError::HasSubgroups { group: 4, subgroups: 2 }.into(),
                409,
                "Group 4 is the parent of 2 groups; delete or move them first",
            ),
            (GroupError::Cycle { group: 4, parent: 5 }.into(), 400, "Group 5 cannot be the parent of group 4"),
            (CatalogError::NotFound { kind: CatalogKind::Topic, id: 9 }.into(), 404, "Topic 9 not found."),
            (
                CatalogError::InUse { kind: CatalogKind::Path, id: 9, contacts: 2, message: "in use".into() }.into(),
                409,
                "in use",
            ),
        ];
        for (error, http, message) in table {
            let (status, body, auth) = render(error).await;
            assert_eq!(status.as_u16(), http, "{message}");
            assert_eq!(body["status"], http, "{message}");
            assert!(body["message"].as_str().unwrap().starts_with(message), "{body}");
            assert!(auth.is_none());
        }
    }

    #[tokio::test]
    async fn restore_errors_map_to_404_400_and_the_item_s_own_status() {
        use contacts_application::ports::ContactRef;
        let table: Vec<(ApiError, u16, Option<u16>, &str)> = vec![
            (RestoreError::NotFound(ContactRef::ExternalId("x".into())).into(), 404, Some(404), "Contact x not found."),
            (
                RestoreError::VersionNotFound { id: 5, version: 9 }.into(),
                404,
                None,
                "Version 9 of contact 5 not found.",
            ),
            (
                RestoreError::VersionRequired { id: 5 }.into(),
                400,
                None,
                "Contact 5 is active: say which version to restore (?version=N)",
            ),
            (
                RestoreError::Rejected(failed(0, ErrorCode::ExternalIdTaken, "externalId", "taken")).into(),
                409,
                Some(310),
                "taken",
            ),
            (
                RestoreError::Rejected(failed(0, ErrorCode::GroupNotFound, "groups[0]", "group 9 not found")).into(),
                400,
                Some(301),
                "group 9 not found",
            ),
        ];
        for (error, http, code, message) in table {
            let (status, body, _) = render(error).await;
            assert_eq!((status.as_u16(), body["message"].as_str()), (http, Some(message)), "{body}");
            assert_eq!(body["code"].as_u64().map(|c| c as u16), code, "{body}");
        }
    }

    #[tokio::test]
    async fn a_failed_patch_lists_every_failing_operation_in_everbridge_s_shape() {
        let op = serde_json::json!({"op": "remove", "path": "/groups/value:2"});
        let detail = vec![PatchDetail {
            details: "/groups/value:2".into(),
            error_message: "the contact is not a member of group 2".into(),
            error_patch: op.clone(),
        }];
        let (status, body, auth) = render(ApiError::PatchFailed(detail)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body,
            serde_json::json!({
                "message": "Patch failed due to input invalid!",
                "status": 400,
                "detail": [{
                    "details": "/groups/value:2",
                    "errorMessage": "the contact is not a member of group 2",
                    "errorPatch": op,
                }],
            })
        );
        assert!(auth.is_none());
    }

    #[test]
    fn store_errors_never_leak_their_cause() {
        let e: ApiError = StoreError::Unknown(anyhow::anyhow!("relation contacts does not exist")).into();
        assert_eq!(e.to_string(), "Internal server error");
        assert!(matches!(ApiError::from(StoreError::Conflict), ApiError::Busy));
        let e: ApiError = StoreError::Unavailable(anyhow::anyhow!("SELECT 1: connection refused")).into();
        assert_eq!(e.to_string(), "The database is unavailable; retry the request");
        assert!(e.is_transient(), "an outage's answer is not replayed to a retry with the same key");
    }

    #[tokio::test]
    async fn an_unavailable_database_says_when_to_retry() {
        let response = ApiError::Unavailable(anyhow::anyhow!("the database system is shutting down")).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], UNAVAILABLE_RETRY_AFTER_SECONDS.to_string().as_str());
    }
}
