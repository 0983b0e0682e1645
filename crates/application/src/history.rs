//! A contact's history, and bringing back an earlier version of it (SPEC §2).
//!
//! A restore is a change like any other: the recorded state of the chosen version goes through
//! the rules of a full update ([`apply`], in [`UpdateMode::Full`]) against the contact as it is
//! now, so a reference that no longer exists (a deleted group, path, attribute, topic or record
//! type) fails the restore with the field that names it, and nothing changes. Unlike a full
//! update, a restore also sets the memberships back exactly (it leaves the groups the contact
//! joined since), and it brings a soft-deleted contact back. It is recorded as a new version,
//! operation `restored`.

use std::collections::BTreeSet;
use std::sync::Arc;

use contacts_domain::{apply, full_input, Catalog, Contact, ContactStatus, ErrorCode, FieldError, UpdateMode};

use crate::batch::{ItemResult, ItemStatus};
use crate::ports::{
    Actor, CatalogStore, ContactRef, ContactTx, ContactUpdate, HistoryEntry, HistoryRecord, HistoryStore, Operation,
    PageRequest, StoreError, UnitOfWork,
};
use crate::retry::ATTEMPTS;

/// Why a restore changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// No contact of the organization has that id or externalId (any status).
    #[error("Contact {0} not found.")]
    NotFound(ContactRef),
    /// The history of contact `id` holds no such version (never reached, or pruned).
    #[error("Version {version} of contact {id} not found.")]
    VersionNotFound { id: i64, version: i64 },
    /// An active contact is restored to a version named by the request only.
    #[error("Contact {id} is active: say which version to restore (?version=N)")]
    VersionRequired { id: i64 },
    /// The recorded state fails the rules of a full update now (a reference that no longer
    /// exists), or its externalId belongs to another contact (code 310): every error, as the
    /// result of a batch of one.
    #[error("the restore of contact {} failed", .0.id.unwrap_or_default())]
    Rejected(ItemResult),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub id: i64,
    pub external_id: String,
    /// The version the contact has now.
    pub version: i64,
    /// `false` when the contact already was in that state: nothing was written.
    pub changed: bool,
}

/// The history use cases: read a contact's history, restore a version.
#[derive(Clone)]
pub struct ContactHistory {
    history: Arc<dyn HistoryStore>,
    catalog: Arc<dyn CatalogStore>,
    uow: Arc<dyn UnitOfWork>,
}

impl ContactHistory {
    pub fn new(history: Arc<dyn HistoryStore>, catalog: Arc<dyn CatalogStore>, uow: Arc<dyn UnitOfWork>) -> Self {
        Self { history, catalog, uow }
    }

    /// A page of the history of the contact of `org` named by `target` (whatever its status:
    /// see [`HistoryStore::find_any_contact`]), newest first: its id, the entries, how many
    /// there are, and the catalog to name their references. `None` when no contact of `org`
    /// is named so.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn page(
        &self,
        org: i64,
        target: &ContactRef,
        page: PageRequest,
    ) -> Result<Option<(i64, Vec<HistoryEntry>, u64, Catalog)>, StoreError> {
        let Some(id) = self.history.find_any_contact(org, target).await? else {
            return Ok(None);
        };
        let (entries, total) = self.history.contact_history(org, id, page).await?;
        Ok(Some((id, entries, total, self.catalog.load_catalog(org).await?)))
    }

    /// Brings the contact of `org` named by `target` back to the state its history recorded at
    /// `version`, as a new version (operation `restored`) made by `actor`. Without `version`,
    /// a soft-deleted contact comes back as it was when it was deleted, active again.
    ///
    /// # Errors
    /// See [`RestoreError`]: in each case nothing changed.
    pub async fn restore(
        &self,
        org: i64,
        actor: &Actor,
        target: &ContactRef,
        version: Option<i64>,
    ) -> Result<Restored, RestoreError> {
        let catalog = self.catalog.load_catalog(org).await?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut tx = self.uow.begin().await?;
            match restore_once(&mut *tx, org, actor, target, version, &catalog).await {
                Err(RestoreError::Store(StoreError::Conflict)) if attempt < ATTEMPTS => {
                    crate::retry::after_conflict(attempt, "restore").await;
                }
                other => return other,
            }
        }
    }

    /// Deletes, in chunks of `chunk`, the entries recorded before `before` (epoch
    /// milliseconds) but each contact's newest; returns how many went. Stops after a chunk
    /// that was not full, so a retention pass ends even while writes go on.
    ///
    /// # Errors
    /// When the store fails; what was deleted before stays deleted.
    pub async fn prune(&self, before: i64, chunk: u32) -> Result<u64, StoreError> {
        let mut total = 0;
        loop {
            let deleted = self.history.prune_history(before, chunk).await?;
            total += deleted;
            // Each chunk is a transaction of its own: writers go on in between.
            if deleted < u64::from(chunk) {
                return Ok(total);
            }
        }
    }
}

/// The result of a failed restore, as the item of a batch of one.
fn rejected(current: &Contact, errors: Vec<FieldError>) -> RestoreError {
    RestoreError::Rejected(ItemResult {
        index: 0,
        id: Some(current.id),
        external_id: Some(current.data.external_id.clone()),
        status: ItemStatus::Failed,
        version: Some(current.version),
        errors,
    })
}

async fn restore_once(
    tx: &mut dyn ContactTx,
    org: i64,
    actor: &Actor,
    target: &ContactRef,
    version: Option<i64>,
    catalog: &Catalog,
) -> Result<Restored, RestoreError> {
    let current = tx.lock_any_contact(org, target).await?.ok_or_else(|| RestoreError::NotFound(target.clone()))?;
    let (id, deleted) = (current.id, current.status == ContactStatus::Deleted);
    if version.is_none() && !deleted {
        return Err(RestoreError::VersionRequired { id });
    }
    // Without a version, the newest entry: a deleted contact's deletion, whose content is the
    // contact's last before it.
    let not_found = RestoreError::VersionNotFound { id, version: version.unwrap_or(current.version) };
    let state = tx.history_state(org, id, version).await?.ok_or(not_found)?;
    let Some(data) = state.data else {
        return Err(RestoreError::VersionNotFound { id, version: state.version });
    };
    let recorded = Contact { id, organization_id: org, data, groups: state.groups, ..Contact::default() };
    let external_id = recorded.data.external_id.clone();
    if deleted || external_id != current.data.external_id {
        let owners = tx.external_id_owners(org, std::slice::from_ref(&external_id)).await?;
        if let Some((_, owner)) = owners.into_iter().find(|(_, owner)| *owner != id) {
            let message = format!("externalId {external_id} already belongs to contact {owner}");
            return Err(rejected(&current, vec![FieldError::new("externalId", ErrorCode::ExternalIdTaken, message)]));
        }
    }
    // Every field explicit, every reference by id (names only beside ids the catalog still
    // knows): what no longer exists fails by the field that names it.
    let input = full_input(&recorded, catalog);
    let applied = apply(Some(&current), &input, catalog, UpdateMode::Full).map_err(|e| rejected(&current, e))?;
    let leaves: BTreeSet<i64> = current.groups.difference(&recorded.groups).copied().collect();
    if !deleted && !applied.changed && leaves.is_empty() {
        return Ok(Restored { id, external_id, version: current.version, changed: false });
    }
    if deleted {
        tx.revive_contact(org, id, &external_id).await?;
    }
    let (version, now) = (current.version + 1, crate::now_millis());
    let update = ContactUpdate { id, data: applied.data.clone(), version, digest: None };
    tx.update_contacts(org, &[update], &actor.name, now).await?;
    let memberships = |groups: &mut dyn Iterator<Item = i64>| groups.map(|g| (g, id)).collect::<Vec<_>>();
    if !applied.new_groups.is_empty() {
        tx.add_memberships(org, &memberships(&mut applied.new_groups.iter().copied())).await?;
    }
    if !leaves.is_empty() {
        tx.remove_memberships(org, &memberships(&mut leaves.iter().copied())).await?;
    }
    let entry = HistoryRecord::known(id, version, Operation::Restored, applied.data, recorded.groups);
    tx.record_history(org, &[entry], actor, now).await?;
    tx.commit().await?;
    Ok(Restored { id, external_id, version, changed: true })
}

#[cfg(test)]
#[path = "history_tests.rs"]
mod tests;
