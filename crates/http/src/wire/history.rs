//! A contact's history as read: entries of `{version, operation, changedAt, changedBy,
//! requestId, before, after}`, `before` and `after` whole contacts as a GET returns them.

use contacts_application::ports::HistoryEntry;
use contacts_domain::Catalog;
use serde::Serialize;

use crate::wire::contact::ContactOut;

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EntryOut<'a> {
    version: i64,
    operation: &'static str,
    changed_at: i64,
    changed_by: &'a str,
    request_id: Option<&'a str>,
    before: Option<ContactOut<'a>>,
    after: Option<ContactOut<'a>>,
}

impl<'a> EntryOut<'a> {
    /// The references of `before` and `after` are named after `catalog` as it is now.
    pub fn new(e: &'a HistoryEntry, catalog: &'a Catalog) -> Self {
        Self {
            version: e.version,
            operation: e.operation.as_str(),
            changed_at: e.changed_at,
            changed_by: &e.changed_by,
            request_id: e.request_id.as_deref(),
            before: e.before.as_ref().map(|c| ContactOut::new(c, catalog)),
            after: e.after.as_ref().map(|c| ContactOut::new(c, catalog)),
        }
    }
}

/// `{"message": "OK", "id", "version", "status": "restored"|"unchanged", "baseUri", "instanceUri"}`:
/// the single-write envelope, with the version the restore reached.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestoreEnvelope {
    pub message: &'static str,
    pub id: i64,
    pub version: i64,
    pub status: &'static str,
    pub base_uri: String,
    pub instance_uri: String,
}
