//! Use-case tests of [`ContactPatches::patch`] against mocked ports.
//!
//! A port method without an expectation panics when called, so a test that sets none for
//! `update_contacts` / `add_memberships` / `remove_memberships` / `commit` proves that nothing
//! was written; `.times(n)` is checked when the mock is dropped.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use contacts_domain::patch::{parse_patch, PatchOp};
use contacts_domain::{Catalog, Contact, ContactData, Group, RecordType};
use mockall::predicate::eq;
use serde_json::{json, Value};

use super::*;
use crate::ports::{MockCatalogStore, MockContactTx, MockUnitOfWork};

const ORG: i64 = 7;
const ACTOR: &str = "editor";
const EMPLOYEE: i64 = 1;
const ID: i64 = 42;

fn catalog() -> Catalog {
    Catalog::new(
        vec![RecordType { id: EMPLOYEE, name: "Employee".into() }],
        (1..=3).map(|id| Group { id, name: format!("group{id}"), parent_id: None, description: None }).collect(),
        vec![],
        vec![],
        vec![],
    )
}

/// Contact 42, `e42`, version 3, member of group 1.
fn stored() -> Contact {
    Contact {
        id: ID,
        organization_id: ORG,
        data: ContactData {
            external_id: "e42".into(),
            first_name: "Fiona".into(),
            last_name: "Lee".into(),
            record_type_id: EMPLOYEE,
            ..ContactData::default()
        },
        groups: BTreeSet::from([1]),
        version: 3,
        ..Contact::default()
    }
}

fn ops(v: Value) -> Vec<PatchOp> {
    parse_patch(v).expect("well-formed operations")
}

/// A catalog store read exactly once, for `ORG`.
fn catalog_store() -> MockCatalogStore {
    let mut store = MockCatalogStore::new();
    store.expect_load_catalog().with(eq(ORG)).times(1).returning(|_| Ok(catalog()));
    store
}

/// A unit of work that begins the given transactions, one per attempt, in order.
fn uow(txs: Vec<MockContactTx>) -> MockUnitOfWork {
    let mut uow = MockUnitOfWork::new();
    let queue = Mutex::new(txs.into_iter());
    let n = queue.lock().unwrap().len();
    uow.expect_begin()
        .times(n)
        .returning(move || Ok(Box::new(queue.lock().unwrap().next().expect("a transaction")) as Box<dyn ContactTx>));
    uow
}

fn patches(txs: Vec<MockContactTx>) -> ContactPatches {
    ContactPatches::new(Arc::new(catalog_store()), Arc::new(uow(txs)))
}

/// `lock_contacts`, once, answering like the store with `db`.
fn expect_lock(tx: &mut MockContactTx, db: Vec<Contact>) {
    tx.expect_lock_contacts().times(1).returning(move |org, ids, external_ids| {
        assert_eq!(org, ORG);
        Ok(db.iter().filter(|c| ids.contains(&c.id) || external_ids.contains(&c.data.external_id)).cloned().collect())
    });
}

/// `update_contacts`, once, recording what it was given.
fn capture_update(tx: &mut MockContactTx) -> Arc<Mutex<Vec<ContactUpdate>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    tx.expect_update_contacts().times(1).returning(move |org, updates, actor, _| {
        assert_eq!((org, actor), (ORG, ACTOR));
        sink.lock().unwrap().extend_from_slice(updates);
        Ok(())
    });
    seen
}

async fn run(p: &ContactPatches, target: ContactRef, v: Value) -> Result<Patched, PatchContactError> {
    p.patch(ORG, &Actor::named(ACTOR), &target, &ops(v), None).await
}

#[tokio::test]
async fn a_failing_patch_writes_nothing_and_reports_every_failure() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored()]);
    let p = patches(vec![tx]);
    let result = run(
        &p,
        ContactRef::Id(ID),
        json!([
            {"op": "replace", "path": "/firstName", "value": "Anna"},
            {"op": "remove", "path": "/groups/value:2"},
            {"op": "replace", "path": "/nickname", "value": "x"},
        ]),
    )
    .await;
    let Err(PatchContactError::Rejected(errors)) = result else { panic!("expected Rejected, got {result:?}") };
    assert_eq!(errors.iter().map(|e| e.index).collect::<Vec<_>>(), [Some(1), Some(2)]);
}

#[tokio::test]
async fn a_result_that_fails_validation_writes_nothing() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored()]);
    let p = patches(vec![tx]);
    let result = run(&p, ContactRef::Id(ID), json!([{"op": "replace", "path": "/recordTypeId", "value": 999}])).await;
    let Err(PatchContactError::Rejected(errors)) = result else { panic!("expected Rejected, got {result:?}") };
    assert_eq!((errors[0].details.as_str(), errors[0].index), ("recordTypeId", Some(0)));
}

#[tokio::test]
async fn an_unchanged_contact_is_not_written() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored()]);
    let p = patches(vec![tx]);
    let done = run(&p, ContactRef::Id(ID), json!([{"op": "replace", "path": "/firstName", "value": "Fiona"}]))
        .await
        .expect("unchanged");
    assert_eq!(done, Patched { id: ID, version: 3, changed: false });
}

#[tokio::test]
async fn leaving_a_group_removes_the_membership_and_bumps_the_version() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored()]);
    let updates = capture_update(&mut tx);
    tx.expect_remove_memberships().with(eq(ORG), eq(vec![(1, ID)])).times(1).returning(|_, _| Ok(()));
    tx.expect_record_history()
        .withf(|org, records, actor, _| {
            // Group 1 left: the entry records the content and no group.
            let entry = HistoryRecord::known(ID, 4, Operation::Updated, stored().data, BTreeSet::new());
            (*org, records, actor.name.as_str()) == (ORG, &[entry][..], ACTOR)
        })
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    tx.expect_commit().times(1).returning(|| Ok(()));
    let p = patches(vec![tx]);
    let done =
        run(&p, ContactRef::Id(ID), json!([{"op": "remove", "path": "/groups/value:1"}])).await.expect("a patch");
    assert_eq!(done, Patched { id: ID, version: 4, changed: true });
    let updates = updates.lock().unwrap();
    assert_eq!(updates.len(), 1);
    assert_eq!((updates[0].id, updates[0].version), (ID, 4));
    assert_eq!(updates[0].data, stored().data, "memberships alone change, the content stays");
}

#[tokio::test]
async fn joining_and_leaving_groups_and_a_field_change_are_one_write() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored()]);
    let updates = capture_update(&mut tx);
    tx.expect_add_memberships().with(eq(ORG), eq(vec![(2, ID), (3, ID)])).times(1).returning(|_, _| Ok(()));
    tx.expect_remove_memberships().with(eq(ORG), eq(vec![(1, ID)])).times(1).returning(|_, _| Ok(()));
    tx.expect_record_history().returning(|_, _, _, _| Ok(()));
    tx.expect_commit().times(1).returning(|| Ok(()));
    let p = patches(vec![tx]);
    run(
        &p,
        ContactRef::Id(ID),
        json!([
            {"op": "replace", "path": "/groups", "value": [2]},
            {"op": "add", "path": "/groupsName/-", "value": "group3"},
            {"op": "replace", "path": "/lastName", "value": "Smith"},
        ]),
    )
    .await
    .expect("a patch");
    assert_eq!(updates.lock().unwrap()[0].data.last_name, "Smith");
}

#[tokio::test]
async fn an_unknown_contact_is_not_found_and_nothing_is_written() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored()]);
    let p = patches(vec![tx]);
    let result = run(&p, ContactRef::Id(404), json!([{"op": "replace", "path": "/firstName", "value": "A"}])).await;
    assert!(matches!(&result, Err(PatchContactError::NotFound(ContactRef::Id(404)))), "{result:?}");
    assert_eq!(result.unwrap_err().to_string(), "Contact 404 not found.");
}

#[tokio::test]
async fn a_contact_is_found_by_external_id() {
    let mut tx = MockContactTx::new();
    tx.expect_lock_contacts()
        .withf(|org, ids, external_ids| *org == ORG && ids.is_empty() && external_ids == ["e42".to_owned()])
        .times(1)
        .returning(|_, _, _| Ok(vec![stored()]));
    let updates = capture_update(&mut tx);
    tx.expect_record_history().returning(|_, _, _, _| Ok(()));
    tx.expect_commit().times(1).returning(|| Ok(()));
    let p = patches(vec![tx]);
    let done =
        run(&p, ContactRef::ExternalId("e42".into()), json!([{"op": "replace", "path": "/firstName", "value": "A"}]))
            .await
            .expect("a patch");
    assert_eq!(done.id, ID);
    assert_eq!(updates.lock().unwrap()[0].data.first_name, "A");
}

#[tokio::test]
async fn if_match_must_name_the_stored_version() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored()]);
    let p = patches(vec![tx]);
    let result = p
        .patch(
            ORG,
            &Actor::named(ACTOR),
            &ContactRef::Id(ID),
            &ops(json!([{"op": "remove", "path": "/suffix"}])),
            Some(2),
        )
        .await;
    assert!(matches!(result, Err(PatchContactError::VersionMismatch { id: ID, given: 2, stored: 3 })), "{result:?}");
}

#[tokio::test]
async fn a_rename_to_a_taken_external_id_writes_nothing() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored()]);
    tx.expect_external_id_owners()
        .withf(|org, ext| *org == ORG && ext == ["taken".to_owned()])
        .times(1)
        .returning(|_, _| Ok(vec![("taken".into(), 7)]));
    let p = patches(vec![tx]);
    let result = run(&p, ContactRef::Id(ID), json!([{"op": "replace", "path": "/externalId", "value": "taken"}])).await;
    assert!(matches!(result, Err(PatchContactError::ExternalIdTaken { owner: 7, .. })), "{result:?}");
}

#[tokio::test]
async fn a_conflict_retries_the_whole_unit_of_work_with_one_catalog_read() {
    let mut first = MockContactTx::new();
    expect_lock(&mut first, vec![stored()]);
    capture_update(&mut first);
    first.expect_record_history().returning(|_, _, _, _| Ok(()));
    first.expect_commit().times(1).returning(|| Err(StoreError::Conflict));
    let mut second = MockContactTx::new();
    let mut moved = stored();
    moved.version = 4;
    expect_lock(&mut second, vec![moved]);
    let updates = capture_update(&mut second);
    second.expect_record_history().returning(|_, _, _, _| Ok(()));
    second.expect_commit().times(1).returning(|| Ok(()));
    let p = patches(vec![first, second]);
    let done = run(&p, ContactRef::Id(ID), json!([{"op": "replace", "path": "/firstName", "value": "A"}]))
        .await
        .expect("the retry succeeds");
    assert_eq!(done.version, 5, "patched onto the state read by the retry");
    assert_eq!(updates.lock().unwrap()[0].version, 5);
}

#[tokio::test]
async fn conflicts_give_up_after_a_few_attempts() {
    let txs = (0..ATTEMPTS)
        .map(|_| {
            let mut tx = MockContactTx::new();
            tx.expect_lock_contacts().times(1).returning(|_, _, _| Err(StoreError::Conflict));
            tx
        })
        .collect();
    let p = patches(txs);
    let result = run(&p, ContactRef::Id(ID), json!([])).await;
    assert!(matches!(result, Err(PatchContactError::Store(StoreError::Conflict))), "{result:?}");
}
