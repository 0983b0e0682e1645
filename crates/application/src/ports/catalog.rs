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

/// Convenience for the catalog create calls.
pub fn attribute_def(id: i64, name: &str, data_type: AttributeDataType, defined_values: Vec<String>) -> AttributeDef {
    AttributeDef { id, name: name.to_owned(), data_type, defined_values, display_format: None }
}

/// Convenience for the catalog create calls.
pub fn path_def(path_id: i64, prompt: &str, path_type: PathType) -> PathDef {
    PathDef { path_id, prompt: prompt.to_owned(), path_type }
}
