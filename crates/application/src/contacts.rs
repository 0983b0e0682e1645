//! Reading contacts: get one, list a page.

use std::sync::Arc;

use contacts_domain::{Catalog, Contact};

use crate::ports::{CatalogStore, ContactReader, ContactRef, ListQuery, StoreError};

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
        self.get_by(org, &ContactRef::Id(id)).await
    }

    /// The active contact of `org` named by `target` (id or externalId), if any, and the catalog.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn get_by(&self, org: i64, target: &ContactRef) -> Result<Option<(Contact, Catalog)>, StoreError> {
        // The contact and the catalog version in one read; the catalog then mostly from cache.
        let Some((contact, catalog_version)) = self.reader.read_contact(org, target).await? else {
            return Ok(None);
        };
        Ok(Some((contact, self.catalog.load_catalog_at(org, catalog_version).await?)))
    }

    /// A page of the active contacts of `org` that pass the query's filter, in its (total)
    /// order; how many pass the filter; and the catalog.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn list(&self, org: i64, query: &ListQuery) -> Result<(Vec<Contact>, u64, Catalog), StoreError> {
        let (contacts, total) = self.reader.list_contacts(org, query).await?;
        Ok((contacts, total, self.catalog.load_catalog(org).await?))
    }
}
