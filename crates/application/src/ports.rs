//! The ports: what the use cases need from a store. Small, async, shaped by the use cases:
//! batch paths load and write many contacts per call, never one per call.

use async_trait::async_trait;
use contacts_domain::{
    AttributeDataType, AttributeDef, Catalog, Contact, ContactData, Group, PathDef, PathType, RecordType, Topic,
};

use crate::auth::{Organization, Role, UserRecord};

/// What can go wrong in a store, in terms the use cases act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The unique externalId of an organization was claimed by another contact.
    #[error("externalId {0:?} already belongs to another contact")]
    ExternalIdTaken(String),
    /// A transient conflict (serialization failure, deadlock, a unique key raced for by a
    /// concurrent transaction): the whole unit of work may be retried.
    #[error("concurrent update conflict")]
    Conflict,
    /// A catalog id or name that must be unique already exists.
    #[error("{0}")]
    Duplicate(String),
    /// A referenced row does not exist (a foreign key, e.g. a catalog entry deleted meanwhile).
    #[error("{0}")]
    MissingReference(String),
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

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

/// The organization's catalog: read whole for a batch, created entry by entry.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait CatalogStore: Send + Sync {
    /// The whole catalog of `org`, indexed for name resolution.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn load_catalog(&self, org: i64) -> Result<Catalog, StoreError>;

    /// Creates a record type; `record.id == 0` asks for a generated id.
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when the id or name exists in `org`.
    async fn create_record_type(&self, org: i64, record: RecordType) -> Result<RecordType, StoreError>;

    /// Creates a group; `group.id == 0` asks for a generated id.
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when the id or name exists in `org`;
    /// [`StoreError::MissingReference`] when the parent does not.
    async fn create_group(&self, org: i64, group: Group) -> Result<Group, StoreError>;

    /// Creates a contact attribute definition; `def.id == 0` asks for a generated id.
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when the id or name exists in `org`.
    async fn create_attribute(&self, org: i64, def: AttributeDef) -> Result<AttributeDef, StoreError>;

    /// Creates a contact path; `path.path_id == 0` asks for a generated id.
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when the id or prompt exists in `org`.
    async fn create_path(&self, org: i64, path: PathDef) -> Result<PathDef, StoreError>;

    /// Changes a contact path's prompt and type; its id stays.
    ///
    /// # Errors
    /// [`StoreError::MissingReference`] when it does not exist; [`StoreError::Duplicate`]
    /// when another path of `org` has the prompt.
    async fn update_path(&self, org: i64, path: PathDef) -> Result<PathDef, StoreError>;

    /// Creates a topic; `topic.id == 0` asks for a generated id.
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when the id or name exists in `org`.
    async fn create_topic(&self, org: i64, topic: Topic) -> Result<Topic, StoreError>;
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

    /// Commits.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when a deferred constraint fails because of a concurrent
    /// transaction; [`StoreError::Unknown`] otherwise.
    async fn commit(&mut self) -> Result<(), StoreError>;
}

/// Organizations, users and their grants.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait Directory: Send + Sync {
    /// Creates an organization (with an explicit id, or a generated one when `id` is `None`)
    /// and seeds it with the record type `Employee` and Everbridge's well-known contact paths.
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when the id is taken.
    async fn create_organization(&self, id: Option<i64>, name: &str) -> Result<Organization, StoreError>;

    /// The organization `id`, if it exists.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn organization(&self, id: i64) -> Result<Option<Organization>, StoreError>;

    /// Creates the user `username` (or changes its password when it exists) and grants it
    /// `role` on `org`. Returns the user's id.
    ///
    /// # Errors
    /// [`StoreError::MissingReference`] when `org` does not exist.
    async fn upsert_user(&self, username: &str, password_hash: &str, org: i64, role: Role) -> Result<i64, StoreError>;

    /// The user `username` with its password hash and grants, if it exists.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn find_user(&self, username: &str) -> Result<Option<UserRecord>, StoreError>;
}

/// Convenience for the catalog create calls.
pub fn attribute_def(id: i64, name: &str, data_type: AttributeDataType, defined_values: Vec<String>) -> AttributeDef {
    AttributeDef { id, name: name.to_owned(), data_type, defined_values, display_format: None }
}

/// Convenience for the catalog create calls.
pub fn path_def(path_id: i64, prompt: &str, path_type: PathType) -> PathDef {
    PathDef { path_id, prompt: prompt.to_owned(), path_type }
}
