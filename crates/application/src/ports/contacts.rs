//! Contacts: reads, and units of work over many contacts at once.

use async_trait::async_trait;
use contacts_domain::{Contact, ContactData};

use super::{Actor, HistoryRecord, HistoryState, StoreError};

/// One page of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based.
    pub number: u32,
    pub size: u32,
}

/// A contact named by its id or by its externalId (`idType=id|externalId`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ContactRef {
    Id(i64),
    ExternalId(String),
}

impl std::fmt::Display for ContactRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ContactRef::Id(id) => write!(f, "{id}"),
            ContactRef::ExternalId(e) => f.write_str(e),
        }
    }
}

/// What a listing is ordered by. Every order ends with the contact id (in the same direction)
/// as a tie-breaker, so that it is total and paging never skips or repeats a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Creation order: the order when the client names none.
    #[default]
    Id,
    LastModifiedDate,
    ExternalId,
    LastName,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    #[default]
    Asc,
    Desc,
}

/// How the filters of a listing combine (`searchType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchType {
    /// A contact must match every filter given.
    #[default]
    And,
    /// A contact must match at least one filter given.
    Or,
}

/// The filters of a listing. An empty list is no filter; with no filter, every active contact
/// of the organization is listed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContactFilter {
    pub contact_ids: Vec<i64>,
    pub external_ids: Vec<String>,
    /// Members of any of these groups.
    pub group_ids: Vec<i64>,
    pub search: SearchType,
}

impl ContactFilter {
    pub fn is_empty(&self) -> bool {
        self.contact_ids.is_empty() && self.external_ids.is_empty() && self.group_ids.is_empty()
    }
}

/// A listing: which contacts, in which order, which page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub filter: ContactFilter,
    pub sort: SortKey,
    pub direction: Direction,
    pub page: PageRequest,
}

impl ListQuery {
    /// Page `number` (1-based) of `size` of every contact, in creation order.
    pub fn page(number: u32, size: u32) -> Self {
        Self {
            filter: ContactFilter::default(),
            sort: SortKey::Id,
            direction: Direction::Asc,
            page: PageRequest { number, size },
        }
    }
}

/// A contact as a soft delete left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedContact {
    pub id: i64,
    /// The externalId it had (now free for another contact).
    pub external_id: String,
    /// The version of the deletion (the previous one + 1).
    pub version: i64,
}

/// What a batch item's digest is: see [`ContactUpdate::digest`].
pub type Digest = [u8; 16];

/// A contact to update: its id, new content and new version.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactUpdate {
    pub id: i64,
    pub data: ContactData,
    pub version: i64,
    /// The digest of the batch item that produced this content, bound to `version` (see
    /// `ContactBatches`): sent again unchanged, the item is known to change nothing without
    /// reading the contact. `None` for writes that do not come from one item's text.
    pub digest: Option<Digest>,
}

/// A contact locked, not loaded (see [`ContactTx::lock_contacts_except`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedVersion {
    pub id: i64,
    pub external_id: String,
    pub version: i64,
}

/// A contact's identity, version and stored item digest (see [`ContactUpdate::digest`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDigest {
    pub id: i64,
    pub external_id: String,
    pub version: i64,
    pub digest: Option<Digest>,
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

    /// The active contact of `org` holding `external_id`, if any.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn get_contact_by_external_id(&self, org: i64, external_id: &str) -> Result<Option<Contact>, StoreError>;

    /// The active contact of `org` named by `target`, and the version of the organization's
    /// catalog read in the same snapshot when the store keeps one (`None` otherwise): with it,
    /// [`crate::ports::CatalogStore::load_catalog_at`] can answer from a cached catalog without
    /// a round trip of its own.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn read_contact(&self, org: i64, target: &ContactRef) -> Result<Option<(Contact, Option<i64>)>, StoreError> {
        let found = match target {
            ContactRef::Id(id) => self.get_contact(org, *id).await?,
            ContactRef::ExternalId(e) => self.get_contact_by_external_id(org, e).await?,
        };
        Ok(found.map(|c| (c, None)))
    }

    /// One page of the active contacts of `org` that pass `query.filter`, in the query's order
    /// (then by id), and how many pass the filter in all. Filtered and paged by the store,
    /// both read from one snapshot.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn list_contacts(&self, org: i64, query: &ListQuery) -> Result<(Vec<Contact>, u64), StoreError>;
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

    /// The active contacts of `org` whose id is in `ids` or whose externalId is in
    /// `external_ids`: their id, externalId, version and stored digest, read in one statement
    /// (one snapshot) outside any transaction, without locks. The fast path of a batch sent
    /// again unchanged.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn contact_digests(
        &self,
        org: i64,
        ids: &[i64],
        external_ids: &[String],
    ) -> Result<Vec<StoredDigest>, StoreError>;
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

    /// As [`ContactTx::lock_contacts`] (one lock statement, in id order), but the contacts
    /// whose id is in `not_loaded` are only locked: their id, externalId and version are
    /// returned instead of the whole contact. A batch whose items were found unchanged by their
    /// digests locks those contacts too (so that they are still unchanged at commit) without
    /// reading them.
    ///
    /// # Errors
    /// As [`ContactTx::lock_contacts`].
    async fn lock_contacts_except(
        &mut self,
        org: i64,
        ids: &[i64],
        external_ids: &[String],
        not_loaded: &[i64],
    ) -> Result<(Vec<Contact>, Vec<LockedVersion>), StoreError>;

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

    /// Stores the digests of `(contact id, version, digest)` for those of the active contacts
    /// of `org` that still have that version; content and version are left as they are (the
    /// item that was found unchanged the slow way is then found unchanged the fast way).
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn set_digests(&mut self, org: i64, digests: &[(i64, i64, Digest)]) -> Result<(), StoreError>;

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

    /// Soft-deletes the active contacts of `org` whose id is in `ids` or whose externalId is in
    /// `external_ids`, locking them in id order: status `D`, externalId freed, version + 1,
    /// last modified `now` by `actor`. Their children and group memberships are kept (for a
    /// restore); reads no longer see them. Returns what was deleted; what was not found (not
    /// active in `org`) is simply absent: the caller decides whether to commit.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] on a transient conflict; [`StoreError::Unknown`] otherwise.
    async fn delete_contacts(
        &mut self,
        org: i64,
        ids: &[i64],
        external_ids: &[String],
        actor: &str,
        now: i64,
    ) -> Result<Vec<DeletedContact>, StoreError>;

    /// Records the history entries of this unit of work's changes, one per changed contact, in
    /// one statement whatever their number (see [`HistoryRecord`]), as made by `actor` at `at`.
    /// Called after the writes it records, memberships included, and before the commit.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails (an entry recorded twice among them).
    async fn record_history(
        &mut self,
        org: i64,
        records: &[HistoryRecord],
        actor: &Actor,
        at: i64,
    ) -> Result<(), StoreError>;

    /// Locks and loads, whole, the contact of `org` that `target` names, whatever its status:
    /// by externalId, the active contact holding it, else the soft-deleted one that held it last.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] on a transient conflict; [`StoreError::Unknown`] otherwise.
    async fn lock_any_contact(&mut self, org: i64, target: &ContactRef) -> Result<Option<Contact>, StoreError>;

    /// The state the history of contact `contact_id` of `org` recorded at `version` (the newest
    /// entry's when `None`), if it holds that entry.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn history_state(
        &mut self,
        org: i64,
        contact_id: i64,
        version: Option<i64>,
    ) -> Result<Option<HistoryState>, StoreError>;

    /// Makes the soft-deleted contact `id` of `org` active again, holding `external_id`; its
    /// version, content and memberships stay as they are (the update that follows in the same
    /// unit of work sets them). Does nothing to an active contact.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when another active contact holds `external_id` (at once, or
    /// at commit); [`StoreError::Unknown`] otherwise.
    async fn revive_contact(&mut self, org: i64, id: i64, external_id: &str) -> Result<(), StoreError>;

    /// Commits.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when a deferred constraint fails because of a concurrent
    /// transaction; [`StoreError::Unknown`] otherwise.
    async fn commit(&mut self) -> Result<(), StoreError>;
}
