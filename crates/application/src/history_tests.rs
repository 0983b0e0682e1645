//! Use-case tests of [`ContactHistory::restore`] against mocked ports. A port method without an
//! expectation panics when called, so a test that sets none for a write (`update_contacts`,
//! `revive_contact`, memberships, `record_history`, `commit`) proves that nothing was written.

use std::sync::{Arc, Mutex};

use contacts_domain::{Catalog, Contact, ContactData, ContactStatus, Group, RecordType};
use mockall::predicate::eq;

use super::*;
use crate::ports::{HistoryState, MockCatalogStore, MockContactTx, MockHistoryStore, MockUnitOfWork};

const ORG: i64 = 7;
const ID: i64 = 42;
const EMPLOYEE: i64 = 1;

fn catalog() -> Catalog {
    Catalog::new(
        vec![RecordType { id: EMPLOYEE, name: "Employee".into() }],
        (1..=3).map(|id| Group { id, name: format!("group{id}"), parent_id: None, description: None }).collect(),
        vec![],
        vec![],
        vec![],
    )
}

fn data(first_name: &str) -> ContactData {
    ContactData {
        external_id: "e42".into(),
        first_name: first_name.into(),
        last_name: "Lee".into(),
        record_type_id: EMPLOYEE,
        ..ContactData::default()
    }
}

/// Contact 42 as it is now.
fn current(first_name: &str, version: i64, groups: &[i64], status: ContactStatus) -> Contact {
    Contact {
        id: ID,
        organization_id: ORG,
        data: data(first_name),
        groups: groups.iter().copied().collect(),
        status,
        version,
        ..Contact::default()
    }
}

/// What history recorded at `version`.
fn state(version: i64, operation: Operation, first_name: &str, groups: &[i64]) -> HistoryState {
    HistoryState {
        version,
        operation,
        changed_at: 1,
        changed_by: "someone".into(),
        request_id: None,
        data: Some(data(first_name)),
        groups: groups.iter().copied().collect(),
    }
}

/// What the transaction was asked to write.
#[derive(Debug, Default)]
struct Written {
    revived: Vec<String>,
    updated: Vec<ContactUpdate>,
    added: Vec<(i64, i64)>,
    removed: Vec<(i64, i64)>,
    history: Vec<HistoryRecord>,
    committed: bool,
}

/// A transaction that holds `contact` (found by id 42), whose history answers `asked` with
/// `recorded`, where `owners` hold externalIds, and that records every write in `written`.
fn tx(
    contact: Option<Contact>,
    asked: Option<i64>,
    recorded: Option<HistoryState>,
    owners: Vec<(String, i64)>,
    written: &Arc<Mutex<Written>>,
) -> MockContactTx {
    let mut tx = MockContactTx::new();
    tx.expect_lock_any_contact()
        .withf(|org, target| (*org, target) == (ORG, &ContactRef::Id(ID)))
        .times(1)
        .return_once(move |_, _| Ok(contact));
    tx.expect_history_state().with(eq(ORG), eq(ID), eq(asked)).return_once(move |_, _, _| Ok(recorded));
    tx.expect_external_id_owners().return_once(move |_, _| Ok(owners));
    let w = Arc::clone(written);
    tx.expect_revive_contact().returning(move |org, id, ext| {
        assert_eq!((org, id), (ORG, ID));
        w.lock().unwrap().revived.push(ext.to_owned());
        Ok(())
    });
    let w = Arc::clone(written);
    tx.expect_update_contacts().returning(move |_, updates, actor, _| {
        assert_eq!(actor, "restorer");
        w.lock().unwrap().updated.extend_from_slice(updates);
        Ok(())
    });
    let w = Arc::clone(written);
    tx.expect_add_memberships().returning(move |_, m| {
        w.lock().unwrap().added.extend_from_slice(m);
        Ok(())
    });
    let w = Arc::clone(written);
    tx.expect_remove_memberships().returning(move |_, m| {
        w.lock().unwrap().removed.extend_from_slice(m);
        Ok(())
    });
    let w = Arc::clone(written);
    tx.expect_record_history().returning(move |_, records, actor, _| {
        assert_eq!((actor.name.as_str(), actor.request_id.as_deref()), ("restorer", Some("req-1")));
        w.lock().unwrap().history.extend_from_slice(records);
        Ok(())
    });
    let w = Arc::clone(written);
    tx.expect_commit().returning(move || {
        w.lock().unwrap().committed = true;
        Ok(())
    });
    tx
}

async fn restore(tx: MockContactTx, version: Option<i64>) -> Result<Restored, RestoreError> {
    let mut catalog_store = MockCatalogStore::new();
    catalog_store.expect_load_catalog().with(eq(ORG)).times(1).returning(|_| Ok(catalog()));
    let mut uow = MockUnitOfWork::new();
    uow.expect_begin().times(1).return_once(move || Ok(Box::new(tx) as Box<dyn ContactTx>));
    let history = ContactHistory::new(Arc::new(MockHistoryStore::new()), Arc::new(catalog_store), Arc::new(uow));
    let actor = Actor::named("restorer").with_request_id(Some("req-1".into()));
    history.restore(ORG, &actor, &ContactRef::Id(ID), version).await
}

#[tokio::test]
async fn a_deleted_contact_comes_back_as_it_was_deleted_active_and_one_version_on() {
    let written = Arc::new(Mutex::new(Written::default()));
    let deleted = current("Ada", 3, &[1], ContactStatus::Deleted);
    let t = tx(Some(deleted), None, Some(state(3, Operation::Deleted, "Ada", &[1])), vec![], &written);
    let restored = restore(t, None).await.unwrap();
    assert_eq!(restored, Restored { id: ID, external_id: "e42".into(), version: 4, changed: true });
    let w = written.lock().unwrap();
    assert_eq!(w.revived, vec!["e42".to_owned()]);
    assert_eq!(w.updated, vec![ContactUpdate { id: ID, data: data("Ada"), version: 4, digest: None }]);
    assert_eq!((w.added.len(), w.removed.len()), (0, 0));
    let expected = HistoryRecord::known(ID, 4, Operation::Restored, data("Ada"), [1].into());
    assert_eq!(w.history, vec![expected]);
    assert!(w.committed);
}

#[tokio::test]
async fn a_version_sets_content_and_memberships_back_exactly() {
    let written = Arc::new(Mutex::new(Written::default()));
    let now = current("New", 5, &[1, 2], ContactStatus::Active);
    let t = tx(Some(now), Some(2), Some(state(2, Operation::Updated, "Old", &[1, 3])), vec![], &written);
    let restored = restore(t, Some(2)).await.unwrap();
    assert_eq!((restored.version, restored.changed), (6, true));
    let w = written.lock().unwrap();
    assert!(w.revived.is_empty(), "an active contact is not revived");
    assert_eq!(w.updated[0].data, data("Old"));
    assert_eq!(w.updated[0].version, 6);
    assert_eq!(w.added, vec![(3, ID)], "the group it had then is joined again");
    assert_eq!(w.removed, vec![(2, ID)], "the group joined since is left");
    let (recorded, groups) = (&w.history[0], [1, 3].into());
    assert_eq!(*recorded, HistoryRecord::known(ID, 6, Operation::Restored, data("Old"), groups));
    assert!(w.committed);
}

#[tokio::test]
async fn restoring_the_state_the_contact_is_in_writes_nothing() {
    let written = Arc::new(Mutex::new(Written::default()));
    let now = current("Same", 4, &[1], ContactStatus::Active);
    let t = tx(Some(now), Some(2), Some(state(2, Operation::Updated, "Same", &[1])), vec![], &written);
    let restored = restore(t, Some(2)).await.unwrap();
    assert_eq!(restored, Restored { id: ID, external_id: "e42".into(), version: 4, changed: false });
    let w = written.lock().unwrap();
    assert!(w.updated.is_empty() && w.history.is_empty() && !w.committed, "{w:?}");
}

#[tokio::test]
async fn failures_change_nothing() {
    // (contact, version asked, what the history holds, owners, expected error)
    let deleted = || Some(current("Ada", 3, &[], ContactStatus::Deleted));
    let active = || Some(current("Ada", 3, &[], ContactStatus::Active));
    let taken = vec![("e42".to_owned(), 99)];
    type Case = (Option<Contact>, Option<i64>, Option<HistoryState>, Vec<(String, i64)>, &'static str);
    let cases: Vec<Case> = vec![
        (None, Some(1), None, vec![], "not found"),
        (active(), None, None, vec![], "version required"),
        (active(), Some(9), None, vec![], "version not found"),
        (deleted(), None, Some(state(3, Operation::Deleted, "Ada", &[])), taken, "externalId taken"),
        (active(), Some(1), Some(state(1, Operation::Created, "Ada", &[1, 99])), vec![], "unknown group"),
    ];
    for (contact, version, recorded, owners, what) in cases {
        let written = Arc::new(Mutex::new(Written::default()));
        let t = tx(contact, version, recorded, owners, &written);
        let err = restore(t, version).await.unwrap_err();
        match (what, &err) {
            ("not found", RestoreError::NotFound(ContactRef::Id(ID)))
            | ("version required", RestoreError::VersionRequired { id: ID })
            | ("version not found", RestoreError::VersionNotFound { id: ID, version: 9 }) => {}
            ("externalId taken", RestoreError::Rejected(item)) => {
                assert_eq!(
                    (item.errors[0].code, item.errors[0].field.as_str()),
                    (ErrorCode::ExternalIdTaken, "externalId")
                );
            }
            ("unknown group", RestoreError::Rejected(item)) => {
                let fields: Vec<(&str, ErrorCode)> = item.errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
                assert_eq!(fields, vec![("groups[1]", ErrorCode::GroupNotFound)]);
            }
            _ => panic!("{what}: got {err:?}"),
        }
        let w = written.lock().unwrap();
        assert!(w.revived.is_empty() && w.updated.is_empty() && w.history.is_empty() && !w.committed, "{what}: {w:?}");
    }
}

#[tokio::test]
async fn a_state_whose_content_was_never_recorded_is_not_restorable() {
    // An entry carried from one that does not exist (history switched off for a while).
    let written = Arc::new(Mutex::new(Written::default()));
    let mut recorded = state(2, Operation::Updated, "x", &[]);
    recorded.data = None;
    let t = tx(Some(current("Ada", 3, &[], ContactStatus::Active)), Some(2), Some(recorded), vec![], &written);
    let err = restore(t, Some(2)).await.unwrap_err();
    assert!(matches!(err, RestoreError::VersionNotFound { id: ID, version: 2 }), "{err:?}");
    assert!(!written.lock().unwrap().committed);
}

/// Retention deletes in chunks until one comes back short, and says how many went in all.
#[tokio::test]
async fn pruning_goes_on_in_chunks_until_one_is_not_full() {
    let mut store = MockHistoryStore::new();
    let mut answers = vec![3, 3, 1].into_iter();
    store
        .expect_prune_history()
        .withf(|before, limit| (*before, *limit) == (1_000, 3))
        .times(3)
        .returning(move |_, _| Ok(answers.next().unwrap()));
    let history =
        ContactHistory::new(Arc::new(store), Arc::new(MockCatalogStore::new()), Arc::new(MockUnitOfWork::new()));
    assert_eq!(history.prune(1_000, 3).await.unwrap(), 7);
}
