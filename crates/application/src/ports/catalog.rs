//! The organization catalog.

use async_trait::async_trait;
use contacts_domain::{AttributeDataType, AttributeDef, Catalog, Group, PathDef, PathType, RecordType, Topic};

use super::StoreError;

/// The organization's catalog: read whole for a batch, created entry by entry.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait CatalogStore: Send + Sync {
    /// The whole catalog of `org`, indexed for name resolution.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn load_catalog(&self, org: i64) -> Result<Catalog, StoreError>;

    /// As [`CatalogStore::load_catalog`], given the catalog version a read just saw (see
    /// [`crate::ports::ContactReader::read_contact`]): a store that cached the catalog at that
    /// version answers with it, without reading; any other reads as `load_catalog` does.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn load_catalog_at(&self, org: i64, version: Option<i64>) -> Result<Catalog, StoreError> {
        let _ = version;
        self.load_catalog(org).await
    }

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

    /// Changes a contact path's prompt and type; its id stays. A path that active contacts use
    /// keeps its type ([`CatalogUpdate::Incompatible`], nothing changed): their values were
    /// checked against it.
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when another path of `org` has the prompt.
    async fn update_path(&self, org: i64, path: PathDef) -> Result<CatalogUpdate<PathDef>, StoreError>;

    /// Renames a record type; its id stays.
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when another record type of `org` has the name.
    async fn update_record_type(&self, org: i64, record: RecordType) -> Result<CatalogUpdate<RecordType>, StoreError>;

    /// Replaces a contact attribute definition (name, data type, defined values, display
    /// format); its id stays. When values that active contacts hold would no longer be allowed
    /// (judged by [`contacts_domain::validate::attribute_value`]), nothing changes and the
    /// answer is [`CatalogUpdate::Incompatible`] with how many contacts hold such values.
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when another attribute of `org` has the name.
    async fn update_attribute(&self, org: i64, def: AttributeDef) -> Result<CatalogUpdate<AttributeDef>, StoreError>;

    /// Renames a topic; its id stays.
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when another topic of `org` has the name.
    async fn update_topic(&self, org: i64, topic: Topic) -> Result<CatalogUpdate<Topic>, StoreError>;

    /// Deletes the entry `id` of `kind` unless contacts use it (counted in one statement; the
    /// entry is locked meanwhile so that no contact starts using it). References held by
    /// soft-deleted contacts to a contact path, attribute or topic are removed with it; a record
    /// type that soft-deleted contacts still have is kept ([`CatalogDeletion::InUse`]).
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn delete_entry(&self, org: i64, kind: CatalogKind, id: i64) -> Result<CatalogDeletion, StoreError>;

    /// Creates a topic; `topic.id == 0` asks for a generated id.
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when the id or name exists in `org`.
    async fn create_topic(&self, org: i64, topic: Topic) -> Result<Topic, StoreError>;
}

/// The catalog entries that [`CatalogStore::delete_entry`] deletes (groups have their own port).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogKind {
    RecordType,
    Attribute,
    Path,
    Topic,
}

impl CatalogKind {
    /// As messages name it: `Record type`, `Contact attribute`, `Contact path`, `Topic`.
    pub fn label(self) -> &'static str {
        match self {
            CatalogKind::RecordType => "Record type",
            CatalogKind::Attribute => "Contact attribute",
            CatalogKind::Path => "Contact path",
            CatalogKind::Topic => "Topic",
        }
    }
}

/// What became of an update of a catalog entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogUpdate<T> {
    Updated(T),
    /// No such entry in the organization.
    NotFound,
    /// Nothing changed: `contacts` active contacts hold what the change would make invalid
    /// (`values`: some of the values concerned, for the message; empty for a path's type).
    Incompatible {
        contacts: u64,
        values: Vec<String>,
    },
}

/// What became of a deletion of a catalog entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogDeletion {
    Deleted,
    /// No such entry in the organization.
    NotFound,
    /// Nothing deleted: `contacts` active and `deleted_contacts` soft-deleted contacts use it.
    InUse {
        contacts: u64,
        deleted_contacts: u64,
    },
}

/// Convenience for the catalog create calls.
pub fn attribute_def(id: i64, name: &str, data_type: AttributeDataType, defined_values: Vec<String>) -> AttributeDef {
    AttributeDef { id, name: name.to_owned(), data_type, defined_values, display_format: None }
}

/// Convenience for the catalog create calls.
pub fn path_def(path_id: i64, prompt: &str, path_type: PathType) -> PathDef {
    PathDef { path_id, prompt: prompt.to_owned(), path_type }
}
