//! The organization catalog: create and list record types, groups, contact attribute
//! definitions, contact paths and topics.

use std::sync::Arc;

use contacts_domain::{AttributeDef, Catalog, Group, PathDef, RecordType, Topic};

use crate::ports::{CatalogStore, StoreError};

/// Why a catalog entry was not created.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Clone)]
pub struct CatalogService {
    store: Arc<dyn CatalogStore>,
}

fn name_ok(field: &'static str, name: &str, max: usize) -> Result<(), CatalogError> {
    if name.trim().is_empty() {
        return Err(CatalogError::Invalid { field, message: format!("{field} is required") });
    }
    if name.chars().count() > max {
        return Err(CatalogError::Invalid { field, message: format!("{field} must be at most {max} characters") });
    }
    Ok(())
}

fn id_ok(field: &'static str, id: i64) -> Result<(), CatalogError> {
    if id < 0 {
        return Err(CatalogError::Invalid { field, message: format!("{field} must be a positive id") });
    }
    Ok(())
}

impl CatalogService {
    pub fn new(store: Arc<dyn CatalogStore>) -> Self {
        Self { store }
    }

    /// The whole catalog of `org`.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn catalog(&self, org: i64) -> Result<Catalog, StoreError> {
        self.store.load_catalog(org).await
    }

    /// # Errors
    /// An invalid name or id; a duplicate id or name.
    pub async fn create_record_type(&self, org: i64, record: RecordType) -> Result<RecordType, CatalogError> {
        name_ok("name", &record.name, 100)?;
        id_ok("id", record.id)?;
        Ok(self.store.create_record_type(org, record).await?)
    }

    /// # Errors
    /// An invalid name or id; a duplicate id or name; an unknown parent.
    pub async fn create_group(&self, org: i64, group: Group) -> Result<Group, CatalogError> {
        name_ok("name", &group.name, 200)?;
        id_ok("id", group.id)?;
        Ok(self.store.create_group(org, group).await?)
    }

    /// # Errors
    /// An invalid name or id; a duplicate id or name.
    pub async fn create_attribute(&self, org: i64, def: AttributeDef) -> Result<AttributeDef, CatalogError> {
        name_ok("name", &def.name, 100)?;
        id_ok("id", def.id)?;
        Ok(self.store.create_attribute(org, def).await?)
    }

    /// # Errors
    /// An invalid prompt or id; a duplicate id or prompt.
    pub async fn create_path(&self, org: i64, path: PathDef) -> Result<PathDef, CatalogError> {
        name_ok("prompt", &path.prompt, 100)?;
        id_ok("pathId", path.path_id)?;
        Ok(self.store.create_path(org, path).await?)
    }

    /// # Errors
    /// An invalid name or id; a duplicate id or name.
    pub async fn create_topic(&self, org: i64, topic: Topic) -> Result<Topic, CatalogError> {
        name_ok("name", &topic.name, 100)?;
        id_ok("id", topic.id)?;
        Ok(self.store.create_topic(org, topic).await?)
    }
}
