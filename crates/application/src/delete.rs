//! Delete Contacts (Batch) and the single delete: soft deletes, all or nothing.
//!
//! Every contact named must be an active contact of the organization, or nothing is deleted
//! (Everbridge answers such a batch `contactIds invalid to the organization`). The contacts
//! are deleted by one set-based store call that locks them in id order, so a delete never
//! deadlocks with a concurrent batch.

use std::collections::HashMap;

use crate::batch::{Author, ContactBatches, ItemResult, ItemStatus};
use crate::ports::{Actor, ContactRef, ContactTx, DeletedContact, HistoryRecord, Operation, StoreError};
use crate::retry::ATTEMPTS;

/// Why a delete was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum DeleteError {
    #[error("{got} contacts to delete, more than the limit of {limit}")]
    TooLarge { limit: usize, got: usize },
    /// These contacts are not active contacts of the organization (unknown, deleted, or
    /// another organization's): nothing was deleted.
    #[error("{} contact(s) not found in the organization", .0.len())]
    NotFound(Vec<ContactRef>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ContactBatches {
    /// Soft-deletes the contacts `targets` of `org` on behalf of `actor`: all of them, or none
    /// when any is not an active contact of `org`. A contact named twice is deleted once and
    /// reported under each of its items. Results are in input order, status `deleted`, with
    /// the version of the deletion.
    ///
    /// # Errors
    /// [`DeleteError::TooLarge`] over the batch limit; [`DeleteError::NotFound`] listing every
    /// target that is not an active contact of `org`; [`DeleteError::Store`] when the store
    /// fails.
    pub async fn delete(
        &self,
        org: i64,
        actor: &Actor,
        targets: &[ContactRef],
    ) -> Result<Vec<ItemResult>, DeleteError> {
        if targets.len() > self.max_batch {
            return Err(DeleteError::TooLarge { limit: self.max_batch, got: targets.len() });
        }
        if targets.is_empty() {
            return Ok(Vec::new());
        }
        let mut ids: Vec<i64> = Vec::new();
        let mut external_ids: Vec<String> = Vec::new();
        for t in targets {
            match t {
                ContactRef::Id(id) => ids.push(*id),
                ContactRef::ExternalId(e) => external_ids.push(e.clone()),
            }
        }
        ids.sort_unstable();
        ids.dedup();
        external_ids.sort_unstable();
        external_ids.dedup();
        let now = crate::now_millis();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut tx = self.uow.begin().await?;
            let by = Author { org, actor, now, history: self.history };
            match delete_all(&mut *tx, &by, targets, &ids, &external_ids).await {
                Err(DeleteError::Store(StoreError::Conflict)) if attempt < ATTEMPTS => {
                    crate::retry::after_conflict(attempt, "delete").await;
                }
                other => return other,
            }
        }
    }
}

/// One attempt: delete, check that every target was found (else roll back), record the
/// deletions in the history, commit.
async fn delete_all(
    tx: &mut dyn ContactTx,
    by: &Author<'_>,
    targets: &[ContactRef],
    ids: &[i64],
    external_ids: &[String],
) -> Result<Vec<ItemResult>, DeleteError> {
    let Author { org, actor, now, .. } = *by;
    let deleted = tx.delete_contacts(org, ids, external_ids, &actor.name, now).await?;
    let by_id: HashMap<i64, &DeletedContact> = deleted.iter().map(|d| (d.id, d)).collect();
    let by_ext: HashMap<&str, &DeletedContact> = deleted.iter().map(|d| (d.external_id.as_str(), d)).collect();
    let found = |t: &ContactRef| match t {
        ContactRef::Id(id) => by_id.get(id).copied(),
        ContactRef::ExternalId(e) => by_ext.get(e.as_str()).copied(),
    };
    let missing: Vec<ContactRef> = targets.iter().filter(|t| found(t).is_none()).cloned().collect();
    if !missing.is_empty() {
        // Dropping the transaction rolls the deletes back.
        return Err(DeleteError::NotFound(missing));
    }
    if by.history && !deleted.is_empty() {
        // The content is the one before the deletion, carried forward by the store.
        let records: Vec<HistoryRecord> =
            deleted.iter().map(|d| HistoryRecord::carried(d.id, d.version, Operation::Deleted)).collect();
        tx.record_history(org, &records, actor, now).await?;
    }
    tx.commit().await?;
    metrics::counter!("contacts_batch_items_total", "outcome" => ItemStatus::Deleted.as_str())
        .increment(deleted.len() as u64);
    Ok(targets
        .iter()
        .enumerate()
        .filter_map(|(index, t)| found(t).map(|d| (index, d)))
        .map(|(index, d)| ItemResult {
            index,
            id: Some(d.id),
            external_id: Some(d.external_id.clone()),
            status: ItemStatus::Deleted,
            version: Some(d.version),
            errors: Vec::new(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use mockall::predicate::eq;

    use super::*;
    use crate::ports::{MockCatalogStore, MockContactTx, MockUnitOfWork};

    const ORG: i64 = 7;

    fn deleted(id: i64, external_id: &str, version: i64) -> DeletedContact {
        DeletedContact { id, external_id: external_id.into(), version }
    }

    /// A unit of work beginning one transaction per element of `txs`, in order.
    fn batches(txs: Vec<MockContactTx>, max_batch: usize) -> ContactBatches {
        let mut uow = MockUnitOfWork::new();
        let mut txs = txs.into_iter();
        let n = txs.len();
        uow.expect_begin().times(n).returning(move || Ok(Box::new(txs.next().unwrap()) as Box<dyn ContactTx>));
        ContactBatches::new(Arc::new(MockCatalogStore::new()), Arc::new(uow), max_batch)
    }

    #[tokio::test]
    async fn every_target_found_is_deleted_in_one_call_and_committed() {
        let mut tx = MockContactTx::new();
        tx.expect_delete_contacts()
            .withf(|org, ids, exts, actor, _| (*org, ids, exts, actor) == (ORG, &[3, 5][..], &[][..], "me"))
            .times(1)
            .returning(|_, _, _, _, _| Ok(vec![deleted(3, "c", 2), deleted(5, "e", 4)]));
        // Each deletion is recorded, its content carried from the entry before it.
        tx.expect_record_history()
            .withf(|org, records, actor, _| {
                *org == ORG
                    && actor.name == "me"
                    && records
                        == [
                            HistoryRecord::carried(3, 2, Operation::Deleted),
                            HistoryRecord::carried(5, 4, Operation::Deleted),
                        ]
            })
            .times(1)
            .returning(|_, _, _, _| Ok(()));
        tx.expect_commit().times(1).returning(|| Ok(()));
        let uc = batches(vec![tx], 10);
        let targets = [ContactRef::Id(5), ContactRef::Id(3), ContactRef::Id(5)];
        let results = uc.delete(ORG, &Actor::named("me"), &targets).await.unwrap();
        let got: Vec<_> = results.iter().map(|r| (r.index, r.id, r.version, r.status)).collect();
        assert_eq!(
            got,
            vec![
                (0, Some(5), Some(4), ItemStatus::Deleted),
                (1, Some(3), Some(2), ItemStatus::Deleted),
                (2, Some(5), Some(4), ItemStatus::Deleted)
            ]
        );
        assert_eq!(results[0].external_id.as_deref(), Some("e"));
    }

    #[tokio::test]
    async fn one_target_not_found_deletes_nothing_and_names_every_missing_one() {
        let mut tx = MockContactTx::new();
        tx.expect_delete_contacts()
            .with(
                eq(ORG),
                eq(vec![]),
                eq(vec!["a".to_owned(), "b".into(), "z".into()]),
                eq("me"),
                mockall::predicate::always(),
            )
            .times(1)
            .returning(|_, _, _, _, _| Ok(vec![deleted(1, "a", 2)]));
        // No record_history nor commit expectation: either would panic.
        let uc = batches(vec![tx], 10);
        let targets: Vec<_> = ["a", "z", "b"].iter().map(|e| ContactRef::ExternalId((*e).into())).collect();
        let err = uc.delete(ORG, &Actor::named("me"), &targets).await.unwrap_err();
        let DeleteError::NotFound(missing) = err else { panic!("expected NotFound, got {err:?}") };
        assert_eq!(missing, vec![ContactRef::ExternalId("z".into()), ContactRef::ExternalId("b".into())]);
    }

    #[tokio::test]
    async fn a_transient_conflict_is_retried_whole() {
        let mut first = MockContactTx::new();
        first.expect_delete_contacts().times(1).returning(|_, _, _, _, _| Ok(vec![deleted(1, "a", 2)]));
        first.expect_record_history().times(1).returning(|_, _, _, _| Ok(()));
        first.expect_commit().times(1).returning(|| Err(StoreError::Conflict));
        let mut second = MockContactTx::new();
        second.expect_delete_contacts().times(1).returning(|_, _, _, _, _| Ok(vec![deleted(1, "a", 2)]));
        second.expect_record_history().times(1).returning(|_, _, _, _| Ok(()));
        second.expect_commit().times(1).returning(|| Ok(()));
        let uc = batches(vec![first, second], 10);
        let results = uc.delete(ORG, &Actor::named("me"), &[ContactRef::Id(1)]).await.unwrap();
        assert_eq!(results.len(), 1);
    }

    #[tokio::test]
    async fn too_many_or_no_targets_touch_no_store() {
        let uc = batches(vec![], 2);
        let targets = [ContactRef::Id(1), ContactRef::Id(2), ContactRef::Id(3)];
        assert!(matches!(
            uc.delete(ORG, &Actor::named("me"), &targets).await,
            Err(DeleteError::TooLarge { limit: 2, got: 3 })
        ));
        assert_eq!(uc.delete(ORG, &Actor::named("me"), &[]).await.unwrap(), vec![]);
    }
}
