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
        let Some(contact) = self.reader.get_contact(org, id).await? else {
            return Ok(None);
        };
        Ok(Some((contact, self.catalog.load_catalog(org).await?)))
    }

    /// The active contact of `org` named by `target` (id or externalId), if any, and the catalog.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn get_by(&self, org: i64, target: &ContactRef) -> Result<Option<(Contact, Catalog)>, StoreError> {
        let found = match target {
            ContactRef::Id(id) => self.reader.get_contact(org, *id).await?,
            ContactRef::ExternalId(e) => self.reader.get_contact_by_external_id(org, e).await?,
        };
        let Some(contact) = found else {
            return Ok(None);
        };
        Ok(Some((contact, self.catalog.load_catalog(org).await?)))
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
