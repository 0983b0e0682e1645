//! Contacts: reads, and units of work over many contacts at once.

use async_trait::async_trait;
use contacts_domain::{Contact, ContactData};

use super::StoreError;

/// One page of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based.
    pub number: u32,
    pub size: u32,
}

/// A contact to update: its id, new content and new version.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactUpdate {
    pub id: i64,
    pub data: ContactData,
    pub version: i64,
}

/// Reads of contacts outside a unit of work.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ContactReader: Send + Sync {
    /// The active contact `id` of `org`, if any.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn get_contact(&self, org: i64, id: i64) -> Result<Option<Contact>, StoreError>;

    /// One page of the active contacts of `org` in a stable order (by id), and the total count.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn list_contacts(&self, org: i64, page: PageRequest) -> Result<(Vec<Contact>, u64), StoreError>;
}

/// Starts units of work: transactions over contacts.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait UnitOfWork: Send + Sync {
    /// Begins a transaction. Dropping it without [`ContactTx::commit`] rolls it back.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn begin(&self) -> Result<Box<dyn ContactTx>, StoreError>;
}

/// A transaction over the contacts of one organization. Each call is a fixed number of
/// statements, whatever the number of contacts it carries.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ContactTx: Send {
    /// Locks (in id order, so that concurrent batches never deadlock) and loads the active
    /// contacts of `org` whose id is in `ids` or whose externalId is in `external_ids`.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] on a transient conflict; [`StoreError::Unknown`] otherwise.
    async fn lock_contacts(
        &mut self,
        org: i64,
        ids: &[i64],
        external_ids: &[String],
    ) -> Result<Vec<Contact>, StoreError>;

    /// The active contacts of `org` holding any of `external_ids`: `(externalId, id)` pairs.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn external_id_owners(&mut self, org: i64, external_ids: &[String])
        -> Result<Vec<(String, i64)>, StoreError>;

    /// Inserts new contacts (version 1) and returns their generated ids, in input order.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when a concurrent transaction claimed one of the externalIds;
    /// [`StoreError::MissingReference`] when a catalog entry vanished meanwhile.
    async fn insert_contacts(
        &mut self,
        org: i64,
        contacts: &[ContactData],
        actor: &str,
        now: i64,
    ) -> Result<Vec<i64>, StoreError>;

    /// Replaces the content of existing contacts and sets their version.
    ///
    /// # Errors
    /// As [`ContactTx::insert_contacts`].
    async fn update_contacts(
        &mut self,
        org: i64,
        updates: &[ContactUpdate],
        actor: &str,
        now: i64,
    ) -> Result<(), StoreError>;

    /// Adds `(group id, contact id)` memberships; existing ones are left as they are.
    ///
    /// # Errors
    /// [`StoreError::MissingReference`] when a group vanished meanwhile.
    async fn add_memberships(&mut self, org: i64, memberships: &[(i64, i64)]) -> Result<(), StoreError>;

    /// Removes `(group id, contact id)` memberships; absent ones are ignored. Only the
    /// membership calls and PATCH remove memberships: a batch update never does.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn remove_memberships(&mut self, org: i64, memberships: &[(i64, i64)]) -> Result<(), StoreError>;

    /// Commits.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when a deferred constraint fails because of a concurrent
    /// transaction; [`StoreError::Unknown`] otherwise.
    async fn commit(&mut self) -> Result<(), StoreError>;
}
