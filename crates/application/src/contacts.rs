//! Reading contacts: get one, list a page.

use std::sync::Arc;

use contacts_domain::{Catalog, Contact};

use crate::ports::{CatalogStore, ContactReader, PageRequest, StoreError};

/// The read use cases. Reads come with the catalog, to name what the contact references.
#[derive(Clone)]
pub struct ContactQueries {
    reader: Arc<dyn ContactReader>,
    catalog: Arc<dyn CatalogStore>,
}

impl ContactQueries {
    pub fn new(reader: Arc<dyn ContactReader>, catalog: Arc<dyn CatalogStore>) -> Self {
        Self { reader, catalog }
    }

    /// The active contact `id` of `org`, if any, and the org's catalog.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn get(&self, org: i64, id: i64) -> Result<Option<(Contact, Catalog)>, StoreError> {
        let Some(contact) = self.reader.get_contact(org, id).await? else {
            return Ok(None);
        };
        Ok(Some((contact, self.catalog.load_catalog(org).await?)))
    }

    /// A page of the active contacts of `org` (stable order), their total count, and the catalog.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn list(&self, org: i64, page: PageRequest) -> Result<(Vec<Contact>, u64, Catalog), StoreError> {
        let (contacts, total) = self.reader.list_contacts(org, page).await?;
        Ok((contacts, total, self.catalog.load_catalog(org).await?))
    }
}
