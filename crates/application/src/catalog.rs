//! The organization catalog: create and list record types, groups, contact attribute
//! definitions, contact paths and topics; update and delete record types, attribute
//! definitions, paths and topics (groups: [`crate::groups`]). Updates keep ids; a deletion or a
//! change that would leave contacts referring to nothing, or holding values their definition no
//! longer allows, is refused with how many contacts are concerned.

use std::sync::Arc;

use contacts_domain::{AttributeDef, Catalog, Group, PathDef, RecordType, Topic};

use crate::ports::{CatalogDeletion, CatalogKind, CatalogStore, CatalogUpdate, StoreError};

/// Why a catalog entry was not created, changed or deleted.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    /// No such entry in the organization.
    #[error("{} {id} not found.", kind.label())]
    NotFound { kind: CatalogKind, id: i64 },
    /// Contacts use the entry, or hold values a change would make invalid: nothing changed.
    #[error("{message}")]
    InUse { kind: CatalogKind, id: i64, contacts: u64, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Clone)]
pub struct CatalogService {
    store: Arc<dyn CatalogStore>,
}

/// A field of a catalog entry that is not valid.
pub(crate) struct Invalid {
    pub(crate) field: &'static str,
    pub(crate) message: String,
}

impl From<Invalid> for CatalogError {
    fn from(Invalid { field, message }: Invalid) -> Self {
        CatalogError::Invalid { field, message }
    }
}

pub(crate) fn name_ok(field: &'static str, name: &str, max: usize) -> Result<(), Invalid> {
    if name.trim().is_empty() {
        return Err(Invalid { field, message: format!("{field} is required") });
    }
    if name.chars().count() > max {
        return Err(Invalid { field, message: format!("{field} must be at most {max} characters") });
    }
    Ok(())
}

pub(crate) fn id_ok(field: &'static str, id: i64) -> Result<(), Invalid> {
    if id < 0 {
        return Err(Invalid { field, message: format!("{field} must be a positive id") });
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

    /// Renames the record type `record.id`.
    ///
    /// # Errors
    /// An invalid name; a name taken; no such record type.
    pub async fn update_record_type(&self, org: i64, record: RecordType) -> Result<RecordType, CatalogError> {
        name_ok("name", &record.name, 100)?;
        let id = record.id;
        updated(CatalogKind::RecordType, id, self.store.update_record_type(org, record).await?)
    }

    /// Replaces the attribute definition `def.id`.
    ///
    /// # Errors
    /// An invalid name; a name taken; no such attribute; values held by contacts that the new
    /// definition would not allow.
    pub async fn update_attribute(&self, org: i64, def: AttributeDef) -> Result<AttributeDef, CatalogError> {
        name_ok("name", &def.name, 100)?;
        let id = def.id;
        updated(CatalogKind::Attribute, id, self.store.update_attribute(org, def).await?)
    }

    /// Changes the prompt and type of the contact path `path.path_id`.
    ///
    /// # Errors
    /// An invalid prompt; a prompt taken; no such path; a type change of a path in use.
    pub async fn update_path(&self, org: i64, path: PathDef) -> Result<PathDef, CatalogError> {
        name_ok("prompt", &path.prompt, 100)?;
        let id = path.path_id;
        updated(CatalogKind::Path, id, self.store.update_path(org, path).await?)
    }

    /// Renames the topic `topic.id`.
    ///
    /// # Errors
    /// An invalid name; a name taken; no such topic.
    pub async fn update_topic(&self, org: i64, topic: Topic) -> Result<Topic, CatalogError> {
        name_ok("name", &topic.name, 100)?;
        let id = topic.id;
        updated(CatalogKind::Topic, id, self.store.update_topic(org, topic).await?)
    }

    /// Deletes the entry `id` of `kind`.
    ///
    /// # Errors
    /// No such entry; contacts still use it (nothing deleted).
    pub async fn delete(&self, org: i64, kind: CatalogKind, id: i64) -> Result<(), CatalogError> {
        match self.store.delete_entry(org, kind, id).await? {
            CatalogDeletion::Deleted => Ok(()),
            CatalogDeletion::NotFound => Err(CatalogError::NotFound { kind, id }),
            CatalogDeletion::InUse { contacts, deleted_contacts } => {
                let label = kind.label();
                let message = if contacts > 0 {
                    format!("{label} {id} is used by {contacts} contacts")
                } else {
                    format!("{label} {id} is used by {deleted_contacts} deleted contacts")
                };
                Err(CatalogError::InUse { kind, id, contacts: contacts + deleted_contacts, message })
            }
        }
    }
}

/// The entry, or why an update of entry `id` of `kind` did not happen.
fn updated<T>(kind: CatalogKind, id: i64, outcome: CatalogUpdate<T>) -> Result<T, CatalogError> {
    let label = kind.label();
    match outcome {
        CatalogUpdate::Updated(t) => Ok(t),
        CatalogUpdate::NotFound => Err(CatalogError::NotFound { kind, id }),
        CatalogUpdate::Incompatible { contacts, values } => {
            let message = if values.is_empty() {
                format!("{label} {id} is used by {contacts} contacts: its type cannot change")
            } else {
                let shown: Vec<String> = values.iter().map(|v| format!("'{v}'")).collect();
                format!(
                    "{label} {id} is used by {contacts} contacts whose values the new definition does not allow: {}",
                    shown.join(", ")
                )
            };
            Err(CatalogError::InUse { kind, id, contacts, message })
        }
    }
}
