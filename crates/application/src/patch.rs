//! PATCH of one contact in Everbridge's JSON-Patch dialect: lock the contact, patch its full
//! representation ([`patch_contact`], pure), write the result and the membership changes in
//! one transaction, or nothing at all.

use std::sync::Arc;

use contacts_domain::patch::{patch_contact, PatchError, PatchOp};

use crate::ports::{
    Actor, CatalogStore, ContactRef, ContactTx, ContactUpdate, HistoryRecord, Operation, StoreError, UnitOfWork,
};
use crate::retry::ATTEMPTS;

/// What a patch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Patched {
    pub id: i64,
    /// The contact's version after the patch (unchanged: the stored one).
    pub version: i64,
    /// `false` when the patch changed nothing: nothing was written.
    pub changed: bool,
}

/// Why a patch was not applied. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum PatchContactError {
    /// No active contact of the organization has that id or externalId.
    #[error("Contact {0} not found.")]
    NotFound(ContactRef),
    /// `If-Match` names another version than the stored one.
    #[error("version {given} does not match the stored version {stored}")]
    VersionMismatch { id: i64, given: i64, stored: i64 },
    /// A failing operation, or a result that fails validation: every one of them.
    #[error("Patch failed due to input invalid!")]
    Rejected(Vec<PatchError>),
    /// The patch renames the contact to an externalId another contact holds.
    #[error("externalId {external_id} already belongs to contact {owner}")]
    ExternalIdTaken { id: i64, external_id: String, owner: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The PATCH use case.
#[derive(Clone)]
pub struct ContactPatches {
    catalog: Arc<dyn CatalogStore>,
    uow: Arc<dyn UnitOfWork>,
}

impl ContactPatches {
    pub fn new(catalog: Arc<dyn CatalogStore>, uow: Arc<dyn UnitOfWork>) -> Self {
        Self { catalog, uow }
    }

    /// Applies `ops` to the contact `target` of `org` on behalf of `actor`: whole, or not at all.
    /// The catalog is read once; the contact is locked, patched and written in one transaction
    /// (retried whole on a transient conflict). A patch that changes nothing writes nothing.
    ///
    /// # Errors
    /// [`PatchContactError::NotFound`], [`PatchContactError::VersionMismatch`] (when
    /// `if_match` is given), [`PatchContactError::Rejected`] with every failure,
    /// [`PatchContactError::ExternalIdTaken`], or [`PatchContactError::Store`].
    pub async fn patch(
        &self,
        org: i64,
        actor: &Actor,
        target: &ContactRef,
        ops: &[PatchOp],
        if_match: Option<i64>,
    ) -> Result<Patched, PatchContactError> {
        let catalog = self.catalog.load_catalog(org).await?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut tx = self.uow.begin().await?;
            match attempt_patch(&mut *tx, org, actor, target, ops, if_match, &catalog).await {
                Err(PatchContactError::Store(StoreError::Conflict)) if attempt < ATTEMPTS => {
                    crate::retry::after_conflict(attempt, "patch").await;
                }
                other => return other,
            }
        }
    }
}

async fn attempt_patch(
    tx: &mut dyn ContactTx,
    org: i64,
    actor: &Actor,
    target: &ContactRef,
    ops: &[PatchOp],
    if_match: Option<i64>,
    catalog: &contacts_domain::Catalog,
) -> Result<Patched, PatchContactError> {
    let (ids, external_ids) = match target {
        ContactRef::Id(id) => (vec![*id], vec![]),
        ContactRef::ExternalId(e) => (vec![], vec![e.clone()]),
    };
    let stored = tx
        .lock_contacts(org, &ids, &external_ids)
        .await?
        .into_iter()
        .find(|c| match target {
            ContactRef::Id(id) => c.id == *id,
            ContactRef::ExternalId(e) => c.data.external_id == *e,
        })
        .ok_or_else(|| PatchContactError::NotFound(target.clone()))?;
    if let Some(given) = if_match.filter(|v| *v != stored.version) {
        return Err(PatchContactError::VersionMismatch { id: stored.id, given, stored: stored.version });
    }
    let outcome = patch_contact(&stored, catalog, ops).map_err(PatchContactError::Rejected)?;
    if !outcome.changed {
        return Ok(Patched { id: stored.id, version: stored.version, changed: false });
    }
    let external_id = &outcome.data.external_id;
    if *external_id != stored.data.external_id {
        let owners = tx.external_id_owners(org, std::slice::from_ref(external_id)).await?;
        if let Some((_, owner)) = owners.into_iter().find(|(_, owner)| *owner != stored.id) {
            return Err(PatchContactError::ExternalIdTaken { id: stored.id, external_id: external_id.clone(), owner });
        }
    }
    let (version, now) = (stored.version + 1, crate::now_millis());
    let mut groups = stored.groups.clone();
    groups.extend(&outcome.added_groups);
    groups.retain(|g| !outcome.removed_groups.contains(g));
    let entry = HistoryRecord::known(stored.id, version, Operation::Updated, outcome.data.clone(), groups);
    let update = ContactUpdate { id: stored.id, data: outcome.data, version, digest: None };
    tx.update_contacts(org, &[update], &actor.name, now).await?;
    let memberships = |groups: &[i64]| groups.iter().map(|g| (*g, stored.id)).collect::<Vec<_>>();
    if !outcome.added_groups.is_empty() {
        tx.add_memberships(org, &memberships(&outcome.added_groups)).await?;
    }
    if !outcome.removed_groups.is_empty() {
        tx.remove_memberships(org, &memberships(&outcome.removed_groups)).await?;
    }
    tx.record_history(org, &[entry], actor, now).await?;
    tx.commit().await?;
    Ok(Patched { id: stored.id, version, changed: true })
}

#[cfg(test)]
#[path = "patch_tests.rs"]
mod tests;
