//! The history of contacts (SPEC §2): every change is kept as an entry, and any entry can be
//! brought back.
//!
//! An entry is recorded by the unit of work of the change ([`super::ContactTx::record_history`]),
//! in the same transaction, one statement for the whole batch. Each entry holds the contact's
//! state *after* its change (its content and group memberships at that version): the `before`
//! of an entry is the state of the entry before it, so a change is stored once, not twice.

use std::collections::BTreeSet;

use async_trait::async_trait;
use contacts_domain::{Contact, ContactData};

use super::{ContactRef, PageRequest, StoreError};

/// Who makes a change, as its history entry names it: the user (or token) name, and the
/// request's `x-request-id`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub request_id: Option<String>,
}

impl Actor {
    /// An actor without a request id (the command line, tests).
    pub fn named(name: impl Into<String>) -> Self {
        Self { name: name.into(), request_id: None }
    }

    #[must_use]
    pub fn with_request_id(mut self, request_id: Option<String>) -> Self {
        self.request_id = request_id;
        self
    }
}

/// What a change did to its contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    Created,
    Updated,
    Deleted,
    Restored,
}

impl Operation {
    pub const ALL: [Operation; 4] = [Operation::Created, Operation::Updated, Operation::Deleted, Operation::Restored];

    /// As stored and on the wire: `created`, `updated`, `deleted`, `restored`.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Created => "created",
            Operation::Updated => "updated",
            Operation::Deleted => "deleted",
            Operation::Restored => "restored",
        }
    }

    /// The operation named `text` (as [`Operation::as_str`] writes it).
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == text)
    }
}

/// An entry to record: contact `contact_id` reached `version` by `operation`.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRecord {
    pub contact_id: i64,
    pub version: i64,
    pub operation: Operation,
    pub state: Recorded,
}

/// The state an entry records, as the change knows it.
// Most entries are `Known` (a batch's changes): boxing the content would only add an allocation each.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Recorded {
    /// The contact's content and group ids after the change.
    Known { data: ContactData, groups: BTreeSet<i64> },
    /// The change left the content as it was at `version - 1` (a delete, a membership change):
    /// the store carries the previous entry's content forward, and reads the group ids as the
    /// transaction leaves them (so the entry is recorded after the memberships are written).
    Carried,
}

impl HistoryRecord {
    /// An entry of a change whose content and memberships are known.
    pub fn known(
        contact_id: i64,
        version: i64,
        operation: Operation,
        data: ContactData,
        groups: BTreeSet<i64>,
    ) -> Self {
        Self { contact_id, version, operation, state: Recorded::Known { data, groups } }
    }

    /// An entry whose content is carried from the entry before it (see [`Recorded::Carried`]).
    pub fn carried(contact_id: i64, version: i64, operation: Operation) -> Self {
        Self { contact_id, version, operation, state: Recorded::Carried }
    }
}

/// A contact as history recorded it at one version.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryState {
    pub version: i64,
    pub operation: Operation,
    pub changed_at: i64,
    pub changed_by: String,
    pub request_id: Option<String>,
    /// `None` only where the content was never known (an entry carried from one that did not
    /// exist: history switched off for a while).
    pub data: Option<ContactData>,
    pub groups: BTreeSet<i64>,
}

/// One entry as read: the change, and the whole contact before and after it.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub version: i64,
    pub operation: Operation,
    pub changed_at: i64,
    pub changed_by: String,
    pub request_id: Option<String>,
    /// The contact as the previous entry left it; `None` for a creation, after a deletion, and
    /// where no earlier entry is kept.
    pub before: Option<Contact>,
    /// The contact as this change left it; `None` for a deletion.
    pub after: Option<Contact>,
}

/// Reads of the history, and its retention.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait HistoryStore: Send + Sync {
    /// The id of the contact of `org` that `target` names, whatever its status: by id, that
    /// contact; by externalId, the active contact holding it, else the soft-deleted contact
    /// that held it last.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn find_any_contact(&self, org: i64, target: &ContactRef) -> Result<Option<i64>, StoreError>;

    /// One page of the history of contact `contact_id` of `org`, newest first, and the number
    /// of its entries; read from one snapshot.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn contact_history(
        &self,
        org: i64,
        contact_id: i64,
        page: PageRequest,
    ) -> Result<(Vec<HistoryEntry>, u64), StoreError>;

    /// Deletes at most `limit` entries recorded before `before` (epoch milliseconds), of any
    /// organization, but never the newest entry of a contact (so that every contact keeps its
    /// current state, and a deleted one can still be restored). Returns how many went.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn prune_history(&self, before: i64, limit: u32) -> Result<u64, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_read_back_as_written() {
        for op in Operation::ALL {
            assert_eq!(Operation::parse(op.as_str()), Some(op));
        }
        assert_eq!(Operation::parse("Created"), None);
    }
}
