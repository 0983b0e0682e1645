//! Use-case tests of [`ContactBatches::run`] (SPEC §3.3) against mocked ports.
//!
//! A port method without an expectation panics when called, so a test that sets none for
//! `insert_contacts` / `update_contacts` / `add_memberships` / `commit` proves that nothing was
//! written; `.times(n)` is checked when the mock is dropped.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use contacts_domain::{Catalog, Contact, ContactData, Group, PathDef, PathType, RecordType};
use mockall::predicate::eq;
use serde_json::{json, Value};

use super::*;
use crate::ports::{LockedVersion, MockCatalogStore, MockContactTx, MockUnitOfWork, Recorded, StoredDigest};

const ORG: i64 = 7;
const ACTOR: &str = "sync-job";
const EMPLOYEE: i64 = 1;
const OPS: i64 = 10;
const EMAIL_1: i64 = 241_901_148_045_316;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn catalog() -> Catalog {
    Catalog::new(
        vec![RecordType { id: EMPLOYEE, name: "Employee".into() }],
        vec![Group { id: OPS, name: "Ops".into(), parent_id: None, description: None }],
        vec![],
        vec![PathDef { path_id: EMAIL_1, prompt: "Email Address 1".into(), path_type: PathType::Email }],
        vec![],
    )
}

/// A stored contact: `First Last<id>`, an `Employee`, no other field.
fn stored(id: i64, external_id: &str, version: i64) -> Contact {
    Contact {
        id,
        organization_id: ORG,
        data: ContactData {
            external_id: external_id.into(),
            first_name: "First".into(),
            last_name: format!("Last{id}"),
            record_type_id: EMPLOYEE,
            ..ContactData::default()
        },
        version,
        created_by: "seed".into(),
        last_modified_by: "seed".into(),
        ..Contact::default()
    }
}

fn item(v: Value) -> BatchItem {
    Ok(serde_json::from_value(v).expect("a well-formed item"))
}

/// The JSON of an item equal to `stored(id, external_id, _)` (a full replace that changes nothing).
fn same_json(id: i64, external_id: &str) -> Value {
    json!({
        "id": id,
        "externalId": external_id,
        "firstName": "First",
        "lastName": format!("Last{id}"),
        "recordTypeId": EMPLOYEE,
    })
}

/// `same_json` with extra or overriding keys.
fn with(mut base: Value, extra: Value) -> Value {
    let (Value::Object(b), Value::Object(e)) = (&mut base, extra) else { unreachable!("objects only") };
    b.extend(e);
    base
}

/// An item equal to `stored(id, external_id, _)`.
fn same(id: i64, external_id: &str) -> BatchItem {
    item(same_json(id, external_id))
}

/// An item that changes the first name of `stored(id, external_id, _)` to `Changed`.
fn changed(id: i64, external_id: &str) -> BatchItem {
    item(with(same_json(id, external_id), json!({"firstName": "Changed"})))
}

fn opts(kind: BatchKind, atomic: bool, dry_run: bool) -> BatchOptions {
    BatchOptions { kind, atomic, dry_run }
}

fn by_id(atomic: bool) -> BatchOptions {
    opts(BatchKind::Update { id_type: IdType::Id, mode: UpdateMode::Full }, atomic, false)
}

fn by_external_id(atomic: bool) -> BatchOptions {
    opts(BatchKind::Update { id_type: IdType::ExternalId, mode: UpdateMode::Full }, atomic, false)
}

/// A catalog store read exactly once, for `ORG`.
fn catalog_store() -> MockCatalogStore {
    let mut store = MockCatalogStore::new();
    store.expect_load_catalog().with(eq(ORG)).times(1).returning(|_| Ok(catalog()));
    store
}

/// A unit of work that begins exactly one transaction: `tx`.
fn one_tx(tx: MockContactTx) -> MockUnitOfWork {
    let mut uow = MockUnitOfWork::new();
    uow.expect_begin().times(1).return_once(move || Ok(Box::new(tx) as Box<dyn ContactTx>));
    uow
}

fn batches(catalog: MockCatalogStore, uow: MockUnitOfWork, max_batch: usize) -> ContactBatches {
    ContactBatches::new(Arc::new(catalog), Arc::new(uow), max_batch)
}

/// `lock_contacts`, once, answering like the store: the contacts of `db` asked for by id or
/// externalId.
fn expect_lock(tx: &mut MockContactTx, db: Vec<Contact>) {
    tx.expect_lock_contacts().times(1).returning(move |org, ids, external_ids| {
        assert_eq!(org, ORG);
        Ok(db.iter().filter(|c| ids.contains(&c.id) || external_ids.contains(&c.data.external_id)).cloned().collect())
    });
}

/// `commit`, once; history entries may be recorded before it (what they hold is checked by
/// the tests of `capture_history`).
fn expect_commit(tx: &mut MockContactTx) {
    allow_history(tx);
    tx.expect_commit().times(1).returning(|| Ok(()));
}

/// `record_history`, any number of times.
fn allow_history(tx: &mut MockContactTx) {
    tx.expect_record_history().returning(|_, _, _, _| Ok(()));
}

/// `record_history`, once, recording its entries (see [`Entry`]).
/// A history entry as a test reads it: `(contact, version, operation, (content, groups))`
/// (`None`: carried).
type Entry = (i64, i64, Operation, Option<(ContactData, Vec<i64>)>);

fn capture_history(tx: &mut MockContactTx) -> Arc<Mutex<Vec<Entry>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    tx.expect_record_history().times(1).returning(move |org, records, actor, _| {
        assert_eq!((org, actor.name.as_str()), (ORG, ACTOR));
        let mut sink = sink.lock().unwrap();
        sink.extend(records.iter().map(|r| {
            let state = match &r.state {
                Recorded::Known { data, groups } => Some((data.clone(), groups.iter().copied().collect())),
                Recorded::Carried => None,
            };
            (r.contact_id, r.version, r.operation, state)
        }));
        Ok(())
    });
    seen
}

/// `update_contacts`, once, recording its argument.
fn capture_updates(tx: &mut MockContactTx) -> Arc<Mutex<Vec<ContactUpdate>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    tx.expect_update_contacts().times(1).returning(move |org, updates, actor, _now| {
        assert_eq!((org, actor), (ORG, ACTOR));
        sink.lock().unwrap().extend_from_slice(updates);
        Ok(())
    });
    seen
}

fn rejected(r: Result<Vec<ItemResult>, BatchError>) -> Vec<ItemResult> {
    match r {
        Err(BatchError::Rejected(items)) => items,
        other => panic!("expected BatchError::Rejected, got {other:?}"),
    }
}

fn codes(r: &ItemResult) -> Vec<ErrorCode> {
    r.errors.iter().map(|e| e.code).collect()
}

fn statuses(results: &[ItemResult]) -> Vec<ItemStatus> {
    results.iter().map(|r| r.status).collect()
}

// ---------------------------------------------------------------------------------------------
// 1. atomic=true: one failure, nothing written, every failing item reported
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn atomic_batch_with_failures_writes_nothing_and_lists_every_failing_item() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "e1", 1), stored(2, "e2", 1), stored(3, "e3", 1)]);
    // No expectation for insert_contacts / update_contacts / add_memberships / commit:
    // any call panics.
    let uc = batches(catalog_store(), one_tx(tx), 100);

    let items = vec![
        changed(1, "e1"),                                                // valid
        item(with(same_json(2, "e2"), json!({"recordTypeId": 999}))),    // 300
        Err(FieldError::invalid("vip", "expected a boolean")),           // parse error, 320
        changed(404, "e404"),                                            // unknown contact
        item(with(same_json(3, "e3"), json!({"groupsName": ["Nope"]}))), // 301
    ];
    let failed = rejected(uc.run(ORG, &Actor::named(ACTOR), items, by_id(true)).await);

    assert_eq!(
        failed.iter().map(|r| r.index).collect::<Vec<_>>(),
        vec![1, 2, 3, 4],
        "every failing item, and only those: {failed:#?}"
    );
    assert!(failed.iter().all(|r| r.status == ItemStatus::Failed));
    assert_eq!(codes(&failed[0]), vec![ErrorCode::RecordTypeNotFound]);
    assert_eq!(failed[0].errors[0].field, "recordTypeId");
    assert_eq!(failed[0].errors[0].code.code(), 300);
    assert_eq!(failed[0].id, Some(2));
    assert_eq!(codes(&failed[1]), vec![ErrorCode::Invalid]);
    assert_eq!(failed[1].errors[0].field, "vip");
    assert_eq!(codes(&failed[2]), vec![ErrorCode::ContactNotFound]);
    assert_eq!(failed[2].errors[0].message, "Contact 404 not found.");
    assert_eq!(codes(&failed[3]), vec![ErrorCode::GroupNotFound]);
    assert_eq!(failed[3].errors[0].code.code(), 301);
    assert_eq!(failed[3].errors[0].field, "groupsName[0]");
}

// ---------------------------------------------------------------------------------------------
// 2. atomic=false: valid items written, failing ones reported
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn non_atomic_batch_writes_only_the_valid_items_and_reports_the_rest() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "e1", 1), stored(2, "e2", 4), stored(3, "e3", 2), stored(4, "e4", 9)]);
    tx.expect_update_contacts()
        .withf(|org, updates, actor, _now| {
            *org == ORG
                && actor == ACTOR
                && updates.iter().map(|u| (u.id, u.version)).collect::<Vec<_>>() == vec![(1, 2), (3, 3)]
                && updates.iter().all(|u| u.data.first_name == "Changed")
        })
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    tx.expect_add_memberships()
        .withf(|org, memberships| *org == ORG && memberships == [(OPS, 3)])
        .times(1)
        .returning(|_, _| Ok(()));
    expect_commit(&mut tx);
    let uc = batches(catalog_store(), one_tx(tx), 100);

    let items = vec![
        changed(1, "e1"),
        item(json!({"id": 2, "externalId": "e2", "firstName": "X", "recordTypeId": EMPLOYEE})),
        item(with(same_json(3, "e3"), json!({"firstName": "Changed", "groups": [OPS]}))),
        same(4, "e4"),
        changed(5, "e5"),
    ];
    let results = uc.run(ORG, &Actor::named(ACTOR), items, by_id(false)).await.unwrap();

    assert_eq!(
        statuses(&results),
        vec![ItemStatus::Updated, ItemStatus::Failed, ItemStatus::Updated, ItemStatus::Unchanged, ItemStatus::Failed,]
    );
    assert_eq!(results.iter().map(|r| r.index).collect::<Vec<_>>(), vec![0, 1, 2, 3, 4]);
    assert_eq!((results[0].id, results[0].version), (Some(1), Some(2)));
    assert_eq!(results[1].id, Some(2));
    assert_eq!(codes(&results[1]), vec![ErrorCode::Invalid]);
    assert_eq!(results[1].errors[0].field, "lastName");
    assert_eq!(results[1].version, None);
    assert_eq!((results[2].id, results[2].version), (Some(3), Some(3)));
    assert_eq!((results[3].id, results[3].version), (Some(4), Some(9)));
    assert_eq!(codes(&results[4]), vec![ErrorCode::ContactNotFound]);
    assert!(results.iter().filter(|r| r.status != ItemStatus::Failed).all(|r| r.errors.is_empty()));
}

// ---------------------------------------------------------------------------------------------
// 3. dryRun: the same results, nothing written
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn dry_run_reports_created_updated_unchanged_and_writes_nothing() {
    let mut tx = MockContactTx::new();
    tx.expect_lock_contacts()
        .withf(|org, ids, external_ids| *org == ORG && ids.is_empty() && external_ids == ["e1", "e2", "e3"])
        .times(1)
        .returning(|_, _, _| Ok(vec![stored(1, "e1", 3), stored(2, "e2", 5)]));
    // No insert / update / memberships / commit expectation.
    let uc = batches(catalog_store(), one_tx(tx), 100);

    let items = vec![
        item(json!({"externalId": "e1", "firstName": "Changed", "lastName": "Last1",
                    "recordTypeName": "Employee"})),
        item(json!({"externalId": "e2", "firstName": "First", "lastName": "Last2",
                    "recordTypeId": EMPLOYEE})),
        item(json!({"externalId": "e3", "firstName": "New", "lastName": "Person",
                    "recordTypeId": EMPLOYEE, "groups": [OPS]})),
    ];
    let results = uc.run(ORG, &Actor::named(ACTOR), items, opts(BatchKind::Insert, true, true)).await.unwrap();

    assert_eq!(statuses(&results), vec![ItemStatus::Updated, ItemStatus::Unchanged, ItemStatus::Created]);
    assert_eq!((results[0].id, results[0].version), (Some(1), Some(4)));
    assert_eq!((results[1].id, results[1].version), (Some(2), Some(5)));
    assert_eq!((results[2].id, results[2].version), (None, Some(1)));
    assert_eq!(
        results.iter().map(|r| r.external_id.as_deref()).collect::<Vec<_>>(),
        vec![Some("e1"), Some("e2"), Some("e3")]
    );
}

#[tokio::test]
async fn dry_run_non_atomic_reports_failures_and_writes_nothing() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "e1", 1)]);
    let uc = batches(catalog_store(), one_tx(tx), 100);

    let mut o = by_id(false);
    o.dry_run = true;
    let items = vec![changed(1, "e1"), changed(2, "e2")];
    let results = uc.run(ORG, &Actor::named(ACTOR), items, o).await.unwrap();

    assert_eq!(statuses(&results), vec![ItemStatus::Updated, ItemStatus::Failed]);
    assert_eq!(codes(&results[1]), vec![ErrorCode::ContactNotFound]);
}

// ---------------------------------------------------------------------------------------------
// 4. unchanged items are not written
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn unchanged_items_are_not_written_and_keep_their_version() {
    let mut tx = MockContactTx::new();
    let mut in_ops = stored(3, "e3", 6);
    in_ops.groups.insert(OPS);
    expect_lock(&mut tx, vec![stored(1, "e1", 3), stored(2, "e2", 8), in_ops]);
    let updates = capture_updates(&mut tx);
    // Contact 3 already belongs to Ops: no membership to add, so no add_memberships call.
    expect_commit(&mut tx);
    let uc = batches(catalog_store(), one_tx(tx), 100);

    let items = vec![same(1, "e1"), changed(2, "e2"), item(with(same_json(3, "e3"), json!({"groupsName": ["Ops"]})))];
    let results = uc.run(ORG, &Actor::named(ACTOR), items, by_id(true)).await.unwrap();

    assert_eq!(statuses(&results), vec![ItemStatus::Unchanged, ItemStatus::Updated, ItemStatus::Unchanged]);
    assert_eq!((results[0].id, results[0].version), (Some(1), Some(3)));
    assert_eq!((results[1].id, results[1].version), (Some(2), Some(9)));
    assert_eq!((results[2].id, results[2].version), (Some(3), Some(6)));
    let updates = updates.lock().unwrap();
    assert_eq!(updates.iter().map(|u| (u.id, u.version)).collect::<Vec<_>>(), vec![(2, 9)]);
    assert_eq!(updates[0].data.first_name, "Changed");
    assert_eq!(updates[0].data.external_id, "e2");
}

#[tokio::test]
async fn all_unchanged_batch_makes_no_write_call() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "e1", 3), stored(2, "e2", 8)]);
    // commit of an empty transaction is harmless; no insert / update / memberships.
    allow_history(&mut tx);
    tx.expect_commit().times(..=1).returning(|| Ok(()));
    let uc = batches(catalog_store(), one_tx(tx), 100);

    let results = uc.run(ORG, &Actor::named(ACTOR), vec![same(1, "e1"), same(2, "e2")], by_id(true)).await.unwrap();
    assert_eq!(statuses(&results), vec![ItemStatus::Unchanged, ItemStatus::Unchanged]);
    assert_eq!(results.iter().map(|r| r.version).collect::<Vec<_>>(), vec![Some(3), Some(8)]);
}

#[tokio::test]
async fn joining_a_new_group_alone_is_a_change() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "e1", 2)]);
    let updates = capture_updates(&mut tx);
    tx.expect_add_memberships().withf(|org, m| *org == ORG && m == [(OPS, 1)]).times(1).returning(|_, _| Ok(()));
    expect_commit(&mut tx);
    let uc = batches(catalog_store(), one_tx(tx), 100);

    let items = vec![item(with(same_json(1, "e1"), json!({"groups": [OPS]})))];
    let results = uc.run(ORG, &Actor::named(ACTOR), items, by_id(true)).await.unwrap();
    assert_eq!(results[0].status, ItemStatus::Updated);
    assert_eq!(results[0].version, Some(3));
    assert_eq!(updates.lock().unwrap()[0].version, 3);
}

// ---------------------------------------------------------------------------------------------
// 5. one catalog read per batch
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn fifty_items_read_the_catalog_once_and_write_in_one_call_each() {
    const N: i64 = 50;
    let db: Vec<Contact> = (1..=N).map(|i| stored(i, &format!("e{i}"), 1)).collect();
    let mut tx = MockContactTx::new();
    tx.expect_lock_contacts()
        .withf(|org, ids, external_ids| *org == ORG && ids.len() == N as usize && external_ids.is_empty())
        .times(1)
        .returning(move |_, _, _| Ok(db.clone()));
    tx.expect_update_contacts()
        .withf(|_, updates, _, _| {
            updates.len() == N as usize
                && updates.iter().all(|u| {
                    u.version == 2
                        && u.data.record_type_id == EMPLOYEE
                        && u.data.paths.len() == 1
                        && u.data.paths[0].path_id == EMAIL_1
                })
        })
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    tx.expect_add_memberships()
        .withf(|_, m| m.len() == N as usize && m.iter().all(|(g, _)| *g == OPS))
        .times(1)
        .returning(|_, _| Ok(()));
    expect_commit(&mut tx);
    // catalog_store() expects load_catalog exactly once.
    let uc = batches(catalog_store(), one_tx(tx), 100);

    let items: Vec<BatchItem> = (1..=N)
        .map(|i| {
            item(json!({
                "id": i.to_string(),
                "externalId": format!("e{i}"),
                "firstName": "First",
                "lastName": format!("Last{i}"),
                "recordTypeName": "Employee",
                "groupsName": ["Ops"],
                "paths": [{"prompt": "Email Address 1", "value": format!("p{i}@example.com")}],
            }))
        })
        .collect();
    let results = uc.run(ORG, &Actor::named(ACTOR), items, by_id(true)).await.unwrap();
    assert_eq!(results.len(), N as usize);
    assert!(results.iter().all(|r| r.status == ItemStatus::Updated));
}

// ---------------------------------------------------------------------------------------------
// 6. identity and version errors
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn version_mismatch_is_330_and_a_matching_version_is_applied() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "e1", 3), stored(2, "e2", 5)]);
    let updates = capture_updates(&mut tx);
    expect_commit(&mut tx);
    let uc = batches(catalog_store(), one_tx(tx), 100);

    let items = vec![
        item(with(same_json(1, "e1"), json!({"version": 2, "firstName": "Changed"}))),
        item(with(same_json(2, "e2"), json!({"version": "5", "firstName": "Changed"}))),
    ];
    let results = uc.run(ORG, &Actor::named(ACTOR), items, by_id(false)).await.unwrap();

    assert_eq!(results[0].status, ItemStatus::Failed);
    assert_eq!(results[0].id, Some(1));
    assert_eq!(codes(&results[0]), vec![ErrorCode::VersionMismatch]);
    assert_eq!(results[0].errors[0].code.code(), 330);
    assert_eq!(results[0].errors[0].field, "version");
    assert_eq!(results[1].status, ItemStatus::Updated);
    assert_eq!(results[1].version, Some(6));
    assert_eq!(updates.lock().unwrap().iter().map(|u| (u.id, u.version)).collect::<Vec<_>>(), vec![(2, 6)]);
}

#[tokio::test]
async fn unknown_id_is_contact_not_found() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "e1", 1)]);
    let uc = batches(catalog_store(), one_tx(tx), 100);

    let failed =
        rejected(uc.run(ORG, &Actor::named(ACTOR), vec![same(1, "e1"), changed(999, "e999")], by_id(true)).await);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].index, 1);
    assert_eq!(failed[0].id, Some(999));
    assert_eq!(codes(&failed[0]), vec![ErrorCode::ContactNotFound]);
    assert_eq!(failed[0].errors[0].code.code(), 404);
    assert_eq!(failed[0].errors[0].field, "id");
    assert_eq!(failed[0].errors[0].message, "Contact 999 not found.");
}

#[tokio::test]
async fn unknown_external_id_is_contact_not_found() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![]);
    let uc = batches(catalog_store(), one_tx(tx), 100);

    let items = vec![item(json!({"externalId": "ghost", "firstName": "A", "lastName": "B",
                                  "recordTypeId": EMPLOYEE}))];
    let failed = rejected(uc.run(ORG, &Actor::named(ACTOR), items, by_external_id(true)).await);
    assert_eq!(codes(&failed[0]), vec![ErrorCode::ContactNotFound]);
    assert_eq!(failed[0].errors[0].field, "externalId");
    assert_eq!(failed[0].errors[0].message, "Contact ghost not found.");
}

#[tokio::test]
async fn missing_id_is_missing_contact_id() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "e1", 1)]);
    let uc = batches(catalog_store(), one_tx(tx), 100);

    let no_id = json!({"externalId": "e1", "firstName": "A", "lastName": "B",
                       "recordTypeId": EMPLOYEE});
    let failed = rejected(uc.run(ORG, &Actor::named(ACTOR), vec![same(1, "e1"), item(no_id)], by_id(true)).await);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].index, 1);
    assert_eq!(failed[0].id, None);
    assert_eq!(codes(&failed[0]), vec![ErrorCode::MissingContactId]);
    assert_eq!(failed[0].errors[0].field, "id");
    assert_eq!(failed[0].errors[0].message, "Missing Contact Id");
}

#[tokio::test]
async fn missing_external_id_under_id_type_external_id_is_missing_contact_id() {
    // No identifier at all: nothing to lock.
    let uc = batches(catalog_store(), one_tx(MockContactTx::new()), 100);

    let items = vec![
        item(json!({"id": 1, "firstName": "A", "lastName": "B", "recordTypeId": EMPLOYEE})),
        item(json!({"externalId": "  ", "firstName": "A", "lastName": "B",
                    "recordTypeId": EMPLOYEE})),
    ];
    let failed = rejected(uc.run(ORG, &Actor::named(ACTOR), items, by_external_id(true)).await);
    assert_eq!(failed.len(), 2);
    for f in &failed {
        assert_eq!(codes(f), vec![ErrorCode::MissingContactId]);
        assert_eq!(f.errors[0].field, "externalId");
    }
}

#[tokio::test]
async fn the_same_contact_twice_fails_the_second_with_321() {
    let mut tx = MockContactTx::new();
    tx.expect_lock_contacts()
        // Only contact 1 is asked for (a repeated id is harmless to the store).
        .withf(|_, ids, _| !ids.is_empty() && ids.iter().all(|id| *id == 1))
        .times(1)
        .returning(|_, _, _| Ok(vec![stored(1, "e1", 1)]));
    let updates = capture_updates(&mut tx);
    expect_commit(&mut tx);
    let uc = batches(catalog_store(), one_tx(tx), 100);

    let items = vec![changed(1, "e1"), item(with(same_json(1, "e1"), json!({"id": "1", "lastName": "Other"})))];
    let results = uc.run(ORG, &Actor::named(ACTOR), items, by_id(false)).await.unwrap();

    assert_eq!(statuses(&results), vec![ItemStatus::Updated, ItemStatus::Failed]);
    assert_eq!(results[1].id, Some(1));
    assert_eq!(codes(&results[1]), vec![ErrorCode::DuplicateInBatch]);
    assert_eq!(results[1].errors[0].code.code(), 321);
    let updates = updates.lock().unwrap();
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].data.first_name, "Changed");
    assert_eq!(updates[0].data.last_name, "Last1");
}

#[tokio::test]
async fn too_many_items_is_rejected_before_any_port_call() {
    // Mocks without expectations: any call panics.
    let uc = batches(MockCatalogStore::new(), MockUnitOfWork::new(), 2);
    let items = vec![same(1, "e1"), same(2, "e2"), same(3, "e3")];
    match uc.run(ORG, &Actor::named(ACTOR), items, by_id(true)).await {
        Err(BatchError::TooLarge { limit, got }) => assert_eq!((limit, got), (2, 3)),
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

#[tokio::test]
async fn exactly_the_limit_is_accepted() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "e1", 1), stored(2, "e2", 1)]);
    allow_history(&mut tx);
    tx.expect_commit().times(..=1).returning(|| Ok(()));
    let uc = batches(catalog_store(), one_tx(tx), 2);
    let results = uc.run(ORG, &Actor::named(ACTOR), vec![same(1, "e1"), same(2, "e2")], by_id(true)).await.unwrap();
    assert_eq!(results.len(), 2);
}

// ---------------------------------------------------------------------------------------------
// 7. transient conflicts are retried
// ---------------------------------------------------------------------------------------------

/// A transaction that updates contact 1 and then commits with `commit`.
fn updating_tx(commit: fn() -> Result<(), StoreError>) -> MockContactTx {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "e1", 1)]);
    tx.expect_update_contacts()
        .withf(|_, u, _, _| u.len() == 1 && u[0].id == 1 && u[0].version == 2)
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    allow_history(&mut tx);
    tx.expect_commit().times(1).returning(commit);
    tx
}

#[tokio::test]
async fn a_conflict_at_commit_is_retried_in_a_new_transaction() {
    let begun = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&begun);
    let mut uow = MockUnitOfWork::new();
    uow.expect_begin().times(2).returning(move || {
        let tx = if counter.fetch_add(1, Ordering::SeqCst) == 0 {
            updating_tx(|| Err(StoreError::Conflict))
        } else {
            updating_tx(|| Ok(()))
        };
        Ok(Box::new(tx) as Box<dyn ContactTx>)
    });
    // The catalog is read once, not once per attempt.
    let uc = batches(catalog_store(), uow, 100);

    let results = uc.run(ORG, &Actor::named(ACTOR), vec![changed(1, "e1")], by_id(true)).await.unwrap();
    assert_eq!(begun.load(Ordering::SeqCst), 2);
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].status, ItemStatus::Updated);
    assert_eq!(results[0].version, Some(2));
    assert!(results[0].errors.is_empty());
}

/// Each retry is counted in `contacts_conflict_retries_total{unit="batch"}`, and the items of
/// the batch once, by outcome, however many attempts it took (a recorder of this test's own).
#[test]
fn retries_and_items_are_counted_once_each() {
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    let results = metrics::with_local_recorder(&recorder, || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
        runtime.block_on(async {
            let mut seq = mockall::Sequence::new();
            let mut uow = MockUnitOfWork::new();
            for _ in 0..2 {
                let failing = updating_tx(|| Err(StoreError::Conflict));
                uow.expect_begin()
                    .times(1)
                    .in_sequence(&mut seq)
                    .return_once(move || Ok(Box::new(failing) as Box<dyn ContactTx>));
            }
            let last = updating_tx(|| Ok(()));
            uow.expect_begin()
                .times(1)
                .in_sequence(&mut seq)
                .return_once(move || Ok(Box::new(last) as Box<dyn ContactTx>));
            let uc = batches(catalog_store(), uow, 100);
            uc.run(ORG, &Actor::named(ACTOR), vec![changed(1, "e1")], by_id(true)).await
        })
    });
    assert_eq!(results.unwrap()[0].status, ItemStatus::Updated);
    let text = handle.render();
    let sample =
        |series: &str| text.lines().find_map(|l| l.strip_prefix(series).and_then(|v| v.trim().parse::<f64>().ok()));
    assert_eq!(sample("contacts_conflict_retries_total{unit=\"batch\"}"), Some(2.0), "{text}");
    assert_eq!(sample("contacts_batch_items_total{outcome=\"updated\"}"), Some(1.0), "{text}");
}

#[tokio::test]
async fn a_conflict_while_locking_is_retried_too() {
    let mut seq = mockall::Sequence::new();
    let mut uow = MockUnitOfWork::new();
    let mut first = MockContactTx::new();
    first.expect_lock_contacts().times(1).returning(|_, _, _| Err(StoreError::Conflict));
    uow.expect_begin().times(1).in_sequence(&mut seq).return_once(move || Ok(Box::new(first) as Box<dyn ContactTx>));
    let second = updating_tx(|| Ok(()));
    uow.expect_begin().times(1).in_sequence(&mut seq).return_once(move || Ok(Box::new(second) as Box<dyn ContactTx>));
    let uc = batches(catalog_store(), uow, 100);

    let results = uc.run(ORG, &Actor::named(ACTOR), vec![changed(1, "e1")], by_id(true)).await.unwrap();
    assert_eq!(results[0].status, ItemStatus::Updated);
}

#[tokio::test]
async fn conflicts_that_persist_give_up_after_a_bounded_number_of_attempts() {
    let mut uow = MockUnitOfWork::new();
    uow.expect_begin()
        .times(ATTEMPTS)
        .returning(|| Ok(Box::new(updating_tx(|| Err(StoreError::Conflict))) as Box<dyn ContactTx>));
    let uc = batches(catalog_store(), uow, 100);

    let r = uc.run(ORG, &Actor::named(ACTOR), vec![changed(1, "e1")], by_id(true)).await;
    assert!(matches!(r, Err(BatchError::Store(StoreError::Conflict))), "{r:?}");
}

#[tokio::test]
async fn a_non_transient_store_error_is_not_retried() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "e1", 1)]);
    tx.expect_update_contacts().times(1).returning(|_, _, _, _| Err(StoreError::Unknown(anyhow::anyhow!("disk full"))));
    // begin exactly once; commit never.
    let uc = batches(catalog_store(), one_tx(tx), 100);

    let r = uc.run(ORG, &Actor::named(ACTOR), vec![changed(1, "e1")], by_id(true)).await;
    assert!(matches!(r, Err(BatchError::Store(StoreError::Unknown(_)))), "{r:?}");
}

// ---------------------------------------------------------------------------------------------
// Insert (POST .../batch): creates, and updates by externalId
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn insert_batch_creates_new_contacts_and_updates_existing_ones() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "e1", 4)]);
    tx.expect_insert_contacts()
        .withf(|org, data, actor, _| *org == ORG && actor == ACTOR && data.len() == 1 && data[0].external_id == "new")
        .times(1)
        .returning(|_, _, _, _| Ok(vec![77]));
    let updates = capture_updates(&mut tx);
    tx.expect_add_memberships().withf(|_, m| m == [(OPS, 77)]).times(1).returning(|_, _| Ok(()));
    expect_commit(&mut tx);
    let uc = batches(catalog_store(), one_tx(tx), 100);

    let items = vec![
        item(json!({"externalId": "e1", "firstName": "Changed", "lastName": "Last1",
                    "recordTypeId": EMPLOYEE, "version": 1})),
        item(json!({"externalId": "new", "firstName": "N", "lastName": "P",
                    "recordTypeId": EMPLOYEE, "groups": [OPS]})),
    ];
    let results = uc.run(ORG, &Actor::named(ACTOR), items, opts(BatchKind::Insert, true, false)).await.unwrap();

    assert_eq!(statuses(&results), vec![ItemStatus::Updated, ItemStatus::Created]);
    assert_eq!((results[0].id, results[0].version), (Some(1), Some(5)));
    assert_eq!((results[1].id, results[1].version), (Some(77), Some(1)));
    assert_eq!(updates.lock().unwrap()[0].id, 1);
}

/// One history call per batch: an entry per created (version 1) and changed (version + 1)
/// contact, with the content written; an unchanged item has none.
#[tokio::test]
async fn history_records_each_created_and_changed_contact_once_and_no_unchanged_one() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "e1", 4), stored(2, "e2", 7)]);
    tx.expect_insert_contacts().times(1).returning(|_, _, _, _| Ok(vec![77]));
    let updates = capture_updates(&mut tx);
    tx.expect_add_memberships().withf(|_, m| m == [(OPS, 1)]).times(1).returning(|_, _| Ok(()));
    let history = capture_history(&mut tx);
    tx.expect_commit().times(1).returning(|| Ok(()));
    let uc = batches(catalog_store(), one_tx(tx), 100);
    let items = vec![
        item(with(same_json(1, "e1"), json!({"firstName": "Changed", "groups": [OPS]}))),
        same(2, "e2"),
        item(json!({"externalId": "new", "firstName": "N", "lastName": "P", "recordTypeId": EMPLOYEE})),
    ];
    let results = uc.run(ORG, &Actor::named(ACTOR), items, opts(BatchKind::Insert, true, false)).await.unwrap();
    assert_eq!(statuses(&results), vec![ItemStatus::Updated, ItemStatus::Unchanged, ItemStatus::Created]);
    let written = updates.lock().unwrap()[0].data.clone();
    assert_eq!(written.first_name, "Changed");
    let recorded = history.lock().unwrap().clone();
    let created = ContactData {
        external_id: "new".into(),
        first_name: "N".into(),
        last_name: "P".into(),
        record_type_id: EMPLOYEE,
        ..ContactData::default()
    };
    // The groups after the change: the stored ones and those the item joins.
    let expected = vec![
        (1, 5, Operation::Updated, Some((written, vec![OPS]))),
        (77, 1, Operation::Created, Some((created, vec![]))),
    ];
    assert_eq!(recorded, expected);
}

/// A batch that changes nothing, and a dry run, record no history (no `record_history`
/// expectation: a call would panic).
#[tokio::test]
async fn an_unchanged_batch_and_a_dry_run_record_no_history() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "e1", 4)]);
    tx.expect_commit().times(..=1).returning(|| Ok(()));
    let uc = batches(catalog_store(), one_tx(tx), 100);
    let results = uc.run(ORG, &Actor::named(ACTOR), vec![same(1, "e1")], by_id(true)).await.unwrap();
    assert_eq!(statuses(&results), vec![ItemStatus::Unchanged]);

    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "e1", 4)]);
    let uc = batches(catalog_store(), one_tx(tx), 100);
    let dry = opts(BatchKind::Update { id_type: IdType::Id, mode: UpdateMode::Full }, true, true);
    let results = uc.run(ORG, &Actor::named(ACTOR), vec![changed(1, "e1")], dry).await.unwrap();
    assert_eq!(statuses(&results), vec![ItemStatus::Updated]);
}

/// `without_history` (the benchmark's comparison): the same writes, no entry.
#[tokio::test]
async fn batches_without_history_write_the_same_and_record_nothing() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "e1", 4)]);
    let updates = capture_updates(&mut tx);
    tx.expect_commit().times(1).returning(|| Ok(()));
    let uc = batches(catalog_store(), one_tx(tx), 100).without_history();
    let results = uc.run(ORG, &Actor::named(ACTOR), vec![changed(1, "e1")], by_id(true)).await.unwrap();
    assert_eq!((statuses(&results), updates.lock().unwrap().len()), (vec![ItemStatus::Updated], 1));
}

// ---------------------------------------------------------------------------------------------
// 8. the unique externalId
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_rename_to_an_external_id_owned_outside_the_batch_is_310() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "a", 1), stored(2, "b", 1)]);
    tx.expect_external_id_owners()
        .withf(|org, exts| *org == ORG && exts == ["taken"])
        .times(1)
        .returning(|_, _| Ok(vec![("taken".to_owned(), 99)]));
    // atomic: nothing written.
    let uc = batches(catalog_store(), one_tx(tx), 100);

    let failed =
        rejected(uc.run(ORG, &Actor::named(ACTOR), vec![changed(2, "b"), same(1, "taken")], by_id(true)).await);
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].index, 1);
    assert_eq!(failed[0].id, Some(1));
    assert_eq!(codes(&failed[0]), vec![ErrorCode::ExternalIdTaken]);
    assert_eq!(failed[0].errors[0].code.code(), 310);
    assert_eq!(failed[0].errors[0].field, "externalId");
}

#[tokio::test]
async fn two_items_claiming_one_external_id_fail_the_second_with_310() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "a", 1), stored(2, "b", 1)]);
    tx.expect_external_id_owners().returning(|_, _| Ok(vec![]));
    let uc = batches(catalog_store(), one_tx(tx), 100);

    let failed =
        rejected(uc.run(ORG, &Actor::named(ACTOR), vec![same(1, "fresh"), same(2, "fresh")], by_id(true)).await);
    assert_eq!(failed.iter().map(|r| r.index).collect::<Vec<_>>(), vec![1]);
    assert_eq!(codes(&failed[0]), vec![ErrorCode::ExternalIdTaken]);
}

#[tokio::test]
async fn a_rename_onto_an_external_id_another_item_keeps_fails_the_rename_only() {
    // Item 0 moves contact 1 to "b"; item 1 changes contact 2 and keeps its "b". Whatever
    // their order, the rename is what fails: contact 2 is written.
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "a", 1), stored(2, "b", 1)]);
    tx.expect_external_id_owners().times(1).returning(|_, _| Ok(vec![("b".to_owned(), 2)]));
    let updates = capture_updates(&mut tx);
    expect_commit(&mut tx);
    let uc = batches(catalog_store(), one_tx(tx), 100);

    let results = uc.run(ORG, &Actor::named(ACTOR), vec![same(1, "b"), changed(2, "b")], by_id(false)).await.unwrap();

    assert_eq!(statuses(&results), vec![ItemStatus::Failed, ItemStatus::Updated]);
    assert_eq!(codes(&results[0]), vec![ErrorCode::ExternalIdTaken]);
    assert_eq!(updates.lock().unwrap().iter().map(|u| u.id).collect::<Vec<_>>(), vec![2]);
}

#[tokio::test]
async fn swapping_external_ids_inside_one_batch_is_allowed() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "a", 1), stored(2, "b", 1)]);
    tx.expect_external_id_owners()
        .withf(|_, exts| {
            let mut e = exts.to_vec();
            e.sort();
            e == ["a", "b"]
        })
        .times(1)
        .returning(|_, _| Ok(vec![("a".to_owned(), 1), ("b".to_owned(), 2)]));
    let updates = capture_updates(&mut tx);
    expect_commit(&mut tx);
    let uc = batches(catalog_store(), one_tx(tx), 100);

    let results = uc.run(ORG, &Actor::named(ACTOR), vec![same(1, "b"), same(2, "a")], by_id(true)).await.unwrap();

    assert_eq!(statuses(&results), vec![ItemStatus::Updated, ItemStatus::Updated]);
    assert_eq!(results[0].external_id.as_deref(), Some("b"));
    assert_eq!(results[1].external_id.as_deref(), Some("a"));
    let updates = updates.lock().unwrap();
    assert_eq!(
        updates.iter().map(|u| (u.id, u.data.external_id.as_str(), u.version)).collect::<Vec<_>>(),
        vec![(1, "b", 2), (2, "a", 2)]
    );
}

#[tokio::test]
async fn taking_the_external_id_of_a_contact_that_fails_to_leave_it_is_310() {
    // Contact 1 ("a") tries to move to "z", which contact 99 (outside the batch) owns: it fails
    // and keeps "a". Contact 2 ("c") moves to "a", counting on contact 1 leaving it: with 1
    // staying, writing 2 would give two contacts the externalId "a", so 2 must fail too.
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "a", 1), stored(2, "c", 1)]);
    tx.expect_external_id_owners().times(1).returning(|_, _| Ok(vec![("z".to_owned(), 99), ("a".to_owned(), 1)]));
    // Neither item may be written; an empty commit is harmless.
    allow_history(&mut tx);
    tx.expect_commit().times(..=1).returning(|| Ok(()));
    let uc = batches(catalog_store(), one_tx(tx), 100);

    let results = uc.run(ORG, &Actor::named(ACTOR), vec![same(1, "z"), same(2, "a")], by_id(false)).await.unwrap();

    assert_eq!(statuses(&results), vec![ItemStatus::Failed, ItemStatus::Failed]);
    assert_eq!(codes(&results[0]), vec![ErrorCode::ExternalIdTaken]);
    assert_eq!(codes(&results[1]), vec![ErrorCode::ExternalIdTaken]);
}

#[tokio::test]
async fn taking_the_external_id_of_a_contact_whose_item_failed_validation_is_310() {
    // Contact 1's item fails (unknown record type), so contact 1 keeps "a": "a" is not free.
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "a", 1), stored(2, "c", 1)]);
    tx.expect_external_id_owners()
        .withf(|_, exts| exts == ["a"])
        .times(1)
        .returning(|_, _| Ok(vec![("a".to_owned(), 1)]));
    let uc = batches(catalog_store(), one_tx(tx), 100);

    let items = vec![item(with(same_json(1, "z"), json!({"recordTypeId": 999}))), same(2, "a")];
    let failed = rejected(uc.run(ORG, &Actor::named(ACTOR), items, by_id(true)).await);
    assert_eq!(failed.len(), 2);
    assert_eq!(codes(&failed[0]), vec![ErrorCode::RecordTypeNotFound]);
    assert_eq!(codes(&failed[1]), vec![ErrorCode::ExternalIdTaken]);
}

#[tokio::test]
async fn a_duplicate_claim_that_fails_does_not_free_the_external_id_it_keeps() {
    // Item 0 moves contact 3 to "a" first; item 2 (contact 2: "b" → "a") then fails as a
    // duplicate claim and keeps "b". So contact 1 ("a" → "b") cannot take "b", so it keeps "a",
    // so contact 3 cannot take "a" either: nothing may be written.
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "a", 1), stored(2, "b", 1), stored(3, "d", 1)]);
    tx.expect_external_id_owners().times(1).returning(|_, _| Ok(vec![("a".to_owned(), 1), ("b".to_owned(), 2)]));
    allow_history(&mut tx);
    tx.expect_commit().times(..=1).returning(|| Ok(()));
    let uc = batches(catalog_store(), one_tx(tx), 100);

    let results =
        uc.run(ORG, &Actor::named(ACTOR), vec![same(3, "a"), same(1, "b"), same(2, "a")], by_id(false)).await.unwrap();

    assert_eq!(statuses(&results), vec![ItemStatus::Failed, ItemStatus::Failed, ItemStatus::Failed]);
    for r in &results {
        assert!(!r.errors.is_empty(), "{r:?}");
        assert!(r.errors.iter().all(|e| e.code == ErrorCode::ExternalIdTaken), "{r:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// 9. single writes: create (POST one) and replace_one (PUT one, named by the URI)
// ---------------------------------------------------------------------------------------------

fn create() -> BatchOptions {
    opts(BatchKind::Create, true, false)
}

#[tokio::test]
async fn create_inserts_a_new_external_id() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "e1", 1)]);
    tx.expect_insert_contacts().times(1).returning(|_, data, _, _| {
        assert_eq!(data[0].external_id, "new");
        Ok(vec![9])
    });
    expect_commit(&mut tx);
    let uc = batches(catalog_store(), one_tx(tx), 100);
    let results = uc
        .run(
            ORG,
            &Actor::named(ACTOR),
            vec![item(
                json!({"id": 1, "externalId": "new", "firstName": "N", "lastName": "L", "recordTypeId": EMPLOYEE}),
            )],
            create(),
        )
        .await
        .unwrap();
    assert_eq!((results[0].id, results[0].status, results[0].version), (Some(9), ItemStatus::Created, Some(1)));
}

#[tokio::test]
async fn create_with_an_existing_external_id_is_310_and_writes_nothing() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "e1", 1)]);
    let uc = batches(catalog_store(), one_tx(tx), 100);
    let failed = rejected(uc.run(ORG, &Actor::named(ACTOR), vec![changed(1, "e1")], create()).await);
    assert_eq!(codes(&failed[0]), vec![ErrorCode::ExternalIdTaken]);
    assert_eq!(failed[0].errors[0].message, "externalId e1 already belongs to contact 1");
}

#[tokio::test]
async fn replace_one_by_id_ignores_the_body_id() {
    let mut tx = MockContactTx::new();
    tx.expect_lock_contacts()
        .withf(|org, ids, exts| (*org, ids, exts.is_empty()) == (ORG, &[1][..], true))
        .times(1)
        .returning(|_, _, _| Ok(vec![stored(1, "e1", 3)]));
    let updates = capture_updates(&mut tx);
    expect_commit(&mut tx);
    let uc = batches(catalog_store(), one_tx(tx), 100);
    let input = serde_json::from_value(with(same_json(2, "e1"), json!({"firstName": "Changed"}))).unwrap();
    let r = uc.replace_one(ORG, &Actor::named(ACTOR), &ContactRef::Id(1), input).await.unwrap();
    assert_eq!((r.id, r.status, r.version), (Some(1), ItemStatus::Updated, Some(4)));
    assert_eq!(updates.lock().unwrap()[0].id, 1);
}

#[tokio::test]
async fn replace_one_by_external_id_renames_or_keeps_the_uris_external_id() {
    // The body names another externalId: a rename of the contact the URI names.
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "e1", 1)]);
    tx.expect_external_id_owners().withf(|_, exts| exts == ["e9"]).times(1).returning(|_, _| Ok(vec![]));
    let updates = capture_updates(&mut tx);
    expect_commit(&mut tx);
    let uc = batches(catalog_store(), one_tx(tx), 100);
    let input = serde_json::from_value(same_json(1, "e9")).unwrap();
    let r = uc.replace_one(ORG, &Actor::named(ACTOR), &ContactRef::ExternalId("e1".into()), input).await.unwrap();
    assert_eq!((r.id, r.status, r.external_id.as_deref()), (Some(1), ItemStatus::Updated, Some("e9")));
    assert_eq!(updates.lock().unwrap()[0].data.external_id, "e9");

    // No externalId in the body: the URI's is kept, nothing changes.
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "e1", 1)]);
    expect_commit(&mut tx);
    let uc = batches(catalog_store(), one_tx(tx), 100);
    let input =
        serde_json::from_value(json!({"firstName": "First", "lastName": "Last1", "recordTypeId": EMPLOYEE})).unwrap();
    let r = uc.replace_one(ORG, &Actor::named(ACTOR), &ContactRef::ExternalId("e1".into()), input).await.unwrap();
    assert_eq!((r.status, r.version), (ItemStatus::Unchanged, Some(1)));
}

#[tokio::test]
async fn replace_one_of_an_unknown_contact_or_with_a_stale_version_fails() {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "e1", 2)]);
    let uc = batches(catalog_store(), one_tx(tx), 100);
    let input = serde_json::from_value(same_json(1, "x")).unwrap();
    let failed = rejected(
        uc.replace_one(ORG, &Actor::named(ACTOR), &ContactRef::ExternalId("nope".into()), input).await.map(|r| vec![r]),
    );
    assert_eq!(codes(&failed[0]), vec![ErrorCode::ContactNotFound]);
    assert_eq!(failed[0].errors[0].message, "Contact nope not found.");

    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![stored(1, "e1", 2)]);
    let uc = batches(catalog_store(), one_tx(tx), 100);
    let input = serde_json::from_value(with(same_json(1, "e1"), json!({"version": 1}))).unwrap();
    let failed = rejected(uc.replace_one(ORG, &Actor::named(ACTOR), &ContactRef::Id(1), input).await.map(|r| vec![r]));
    assert_eq!(codes(&failed[0]), vec![ErrorCode::VersionMismatch]);
}

// ---------------------------------------------------------------------------------------------
// How many batches run at once
// ---------------------------------------------------------------------------------------------

/// A store whose transactions yield at every call, counting how many are open at once.
#[derive(Default, Clone)]
struct CountingUow {
    open: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
}

struct CountingTx(CountingUow);

#[async_trait::async_trait]
impl UnitOfWork for CountingUow {
    async fn begin(&self) -> Result<Box<dyn ContactTx>, StoreError> {
        let open = self.open.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(open, Ordering::SeqCst);
        tokio::task::yield_now().await;
        Ok(Box::new(CountingTx(self.clone())))
    }
    async fn contact_digests(&self, _: i64, _: &[i64], _: &[String]) -> Result<Vec<StoredDigest>, StoreError> {
        Ok(Vec::new())
    }
}

#[async_trait::async_trait]
impl ContactTx for CountingTx {
    async fn lock_contacts(&mut self, _: i64, _: &[i64], _: &[String]) -> Result<Vec<Contact>, StoreError> {
        tokio::task::yield_now().await;
        Ok(Vec::new())
    }
    async fn lock_contacts_except(
        &mut self,
        _: i64,
        _: &[i64],
        _: &[String],
        _: &[i64],
    ) -> Result<(Vec<Contact>, Vec<LockedVersion>), StoreError> {
        Ok((Vec::new(), Vec::new()))
    }
    async fn external_id_owners(&mut self, _: i64, _: &[String]) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(Vec::new())
    }
    async fn insert_contacts(&mut self, _: i64, c: &[ContactData], _: &str, _: i64) -> Result<Vec<i64>, StoreError> {
        tokio::task::yield_now().await;
        Ok((1..=c.len() as i64).collect())
    }
    async fn update_contacts(&mut self, _: i64, _: &[ContactUpdate], _: &str, _: i64) -> Result<(), StoreError> {
        Ok(())
    }
    async fn set_digests(&mut self, _: i64, _: &[(i64, i64, Digest)]) -> Result<(), StoreError> {
        Ok(())
    }
    async fn add_memberships(&mut self, _: i64, _: &[(i64, i64)]) -> Result<(), StoreError> {
        Ok(())
    }
    async fn remove_memberships(&mut self, _: i64, _: &[(i64, i64)]) -> Result<(), StoreError> {
        Ok(())
    }
    async fn delete_contacts(
        &mut self,
        _: i64,
        _: &[i64],
        _: &[String],
        _: &str,
        _: i64,
    ) -> Result<Vec<crate::ports::DeletedContact>, StoreError> {
        Ok(Vec::new())
    }
    async fn record_history(&mut self, _: i64, _: &[HistoryRecord], _: &Actor, _: i64) -> Result<(), StoreError> {
        Ok(())
    }
    async fn lock_any_contact(&mut self, _: i64, _: &ContactRef) -> Result<Option<Contact>, StoreError> {
        Ok(None)
    }
    async fn history_state(
        &mut self,
        _: i64,
        _: i64,
        _: Option<i64>,
    ) -> Result<Option<crate::ports::HistoryState>, StoreError> {
        Ok(None)
    }
    async fn revive_contact(&mut self, _: i64, _: i64, _: &str) -> Result<(), StoreError> {
        Ok(())
    }
    async fn commit(&mut self) -> Result<(), StoreError> {
        tokio::task::yield_now().await;
        self.0.open.fetch_sub(1, Ordering::SeqCst);
        Ok(())
    }
}

/// The most transactions open at once when 6 batches are sent together to `batches`.
async fn peak_of_six(batches: ContactBatches, uow: &CountingUow) -> usize {
    let opts = BatchOptions { kind: BatchKind::Insert, atomic: true, dry_run: false };
    let runs = (0..6).map(|i| {
        let item =
            item(json!({"externalId": format!("e{i}"), "firstName": "F", "lastName": "L", "recordTypeId": EMPLOYEE}));
        let batches = batches.clone();
        async move { batches.run(ORG, &Actor::named(ACTOR), vec![item], opts).await }
    });
    for result in futures::future::join_all(runs).await {
        assert_eq!(result.unwrap()[0].status, ItemStatus::Created);
    }
    uow.peak.load(Ordering::SeqCst)
}

#[tokio::test]
async fn no_more_items_are_in_flight_than_the_budget_allows() {
    let catalog = || {
        let mut store = MockCatalogStore::new();
        store.expect_load_catalog().returning(|_| Ok(catalog()));
        Arc::new(store)
    };
    let uow = CountingUow::default();
    // Batches of one item each: a budget of 2 lets 2 run at once.
    let two = ContactBatches::new(catalog(), Arc::new(uow.clone()), 10).with_items_in_flight(2);
    assert_eq!(peak_of_six(two, &uow).await, 2);
    // Without the limit the same batches do overlap, so the figure above is the limit's doing.
    let uow = CountingUow::default();
    let six = ContactBatches::new(catalog(), Arc::new(uow.clone()), 10).with_items_in_flight(6);
    assert_eq!(peak_of_six(six, &uow).await, 6);
}

// ---------------------------------------------------------------------------------------------
// The unchanged fast path: an item sent again is known unchanged by its stored digest
// ---------------------------------------------------------------------------------------------

/// `item` as the edge reads it from its JSON text, whose digest is here `[text; 16]`.
fn texted(item: BatchItem, text: u8) -> BatchItem {
    item.map(|mut input| {
        input.text_digest = Some([text; 16]);
        input
    })
}

fn row(c: &Contact, digest: Option<Digest>) -> StoredDigest {
    StoredDigest { id: c.id, external_id: c.data.external_id.clone(), version: c.version, digest }
}

/// A unit of work whose `contact_digests` answers `rows` once, and which begins `tx` when
/// given (else `begin` has no expectation: calling it panics).
fn digests_uow(rows: Vec<StoredDigest>, tx: Option<MockContactTx>) -> MockUnitOfWork {
    let mut uow = MockUnitOfWork::new();
    uow.expect_contact_digests().times(1).returning(move |org, _, _| {
        assert_eq!(org, ORG);
        Ok(rows.clone())
    });
    if let Some(tx) = tx {
        uow.expect_begin().times(1).return_once(move || Ok(Box::new(tx) as Box<dyn ContactTx>));
    }
    uow
}

/// `set_digests`, once, recording its argument.
fn capture_digests(tx: &mut MockContactTx) -> Arc<Mutex<Vec<(i64, i64, Digest)>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    tx.expect_set_digests().times(1).returning(move |org, digests| {
        assert_eq!(org, ORG);
        sink.lock().unwrap().extend_from_slice(digests);
        Ok(())
    });
    seen
}

/// Runs `item` the slow way against `contact` (unchanged, no digest stored yet) and returns
/// the digest the batch stores for it.
async fn digest_found_the_slow_way(contact: &Contact, item: BatchItem, opts: BatchOptions) -> Digest {
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![contact.clone()]);
    let stored = capture_digests(&mut tx);
    expect_commit(&mut tx);
    let uc = batches(catalog_store(), digests_uow(vec![row(contact, None)], Some(tx)), 10);
    let results = uc.run(ORG, &Actor::named(ACTOR), vec![item], opts).await.unwrap();
    assert_eq!(statuses(&results), vec![ItemStatus::Unchanged]);
    let stored = stored.lock().unwrap().clone();
    assert_eq!(stored.iter().map(|d| (d.0, d.1)).collect::<Vec<_>>(), vec![(contact.id, contact.version)]);
    stored[0].2
}

#[tokio::test]
async fn an_unchanged_item_stores_its_digest_and_is_then_answered_without_a_transaction() {
    let contact = stored(1, "e1", 3);
    let digest = digest_found_the_slow_way(&contact, texted(same(1, "e1"), 1), by_id(true)).await;

    // Sent again: one read of the digests, no transaction (begin has no expectation).
    let uc = batches(catalog_store(), digests_uow(vec![row(&contact, Some(digest))], None), 10);
    let results = uc.run(ORG, &Actor::named(ACTOR), vec![texted(same(1, "e1"), 1)], by_id(true)).await.unwrap();
    assert_eq!(
        results,
        vec![ItemResult {
            index: 0,
            id: Some(1),
            external_id: Some("e1".into()),
            status: ItemStatus::Unchanged,
            version: Some(3),
            errors: vec![],
        }]
    );
    // By externalId too, and in a dry run.
    let uc = batches(catalog_store(), digests_uow(vec![row(&contact, Some(digest))], None), 10);
    let dry = opts(BatchKind::Update { id_type: IdType::ExternalId, mode: UpdateMode::Full }, true, true);
    let results = uc.run(ORG, &Actor::named(ACTOR), vec![texted(same(1, "e1"), 1)], dry).await.unwrap();
    assert_eq!((results[0].status, results[0].id, results[0].version), (ItemStatus::Unchanged, Some(1), Some(3)));

    // Another text (even one meaning the same) is not vouched for by that digest: the slow way.
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![contact.clone()]);
    let restored = capture_digests(&mut tx);
    expect_commit(&mut tx);
    let uc = batches(catalog_store(), digests_uow(vec![row(&contact, Some(digest))], Some(tx)), 10);
    let results = uc.run(ORG, &Actor::named(ACTOR), vec![texted(same(1, "e1"), 2)], by_id(true)).await.unwrap();
    assert_eq!(statuses(&results), vec![ItemStatus::Unchanged]);
    assert_ne!(restored.lock().unwrap()[0].2, digest);
}

#[tokio::test]
async fn a_changed_item_stores_its_digest_bound_to_the_new_version() {
    let contact = stored(1, "e1", 1);
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![contact.clone()]);
    let updates = capture_updates(&mut tx);
    expect_commit(&mut tx);
    let uc = batches(catalog_store(), digests_uow(vec![row(&contact, None)], Some(tx)), 10);
    let results = uc.run(ORG, &Actor::named(ACTOR), vec![texted(changed(1, "e1"), 1)], by_id(true)).await.unwrap();
    assert_eq!(statuses(&results), vec![ItemStatus::Updated]);
    let update = updates.lock().unwrap()[0].clone();
    let digest = update.digest.expect("a digest stored with the update");
    let written = Contact { data: update.data, version: 2, ..contact.clone() };

    // Sent again: unchanged at version 2, the fast way.
    let uc = batches(catalog_store(), digests_uow(vec![row(&written, Some(digest))], None), 10);
    let results = uc.run(ORG, &Actor::named(ACTOR), vec![texted(changed(1, "e1"), 1)], by_id(true)).await.unwrap();
    assert_eq!((results[0].status, results[0].version), (ItemStatus::Unchanged, Some(2)));

    // Another write since (version 3, the digest left as it was, e.g. a PATCH that changed the
    // name back): the digest no longer vouches, the item is applied the slow way.
    let patched = Contact { version: 3, ..contact.clone() };
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![patched.clone()]);
    let updates = capture_updates(&mut tx);
    expect_commit(&mut tx);
    let uc = batches(catalog_store(), digests_uow(vec![row(&patched, Some(digest))], Some(tx)), 10);
    let results = uc.run(ORG, &Actor::named(ACTOR), vec![texted(changed(1, "e1"), 1)], by_id(true)).await.unwrap();
    assert_eq!((results[0].status, results[0].version), (ItemStatus::Updated, Some(4)));
    assert_eq!(updates.lock().unwrap()[0].version, 4);
}

#[tokio::test]
async fn an_item_naming_an_older_version_is_not_answered_by_the_digest_it_wrote() {
    // The item {"version": 1, ...} was applied to version 1 and wrote version 2 with its digest.
    let contact = stored(1, "e1", 1);
    let item = || texted(item(with(same_json(1, "e1"), json!({"firstName": "Changed", "version": 1}))), 1);
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![contact.clone()]);
    let updates = capture_updates(&mut tx);
    expect_commit(&mut tx);
    let uc = batches(catalog_store(), digests_uow(vec![row(&contact, None)], Some(tx)), 10);
    uc.run(ORG, &Actor::named(ACTOR), vec![item()], by_id(true)).await.unwrap();
    let update = updates.lock().unwrap()[0].clone();
    let written = Contact { data: update.data, version: 2, ..contact.clone() };

    // Sent again, it names version 1 while the contact is at 2: 412, as the slow way says.
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![written.clone()]);
    let uc = batches(catalog_store(), digests_uow(vec![row(&written, update.digest)], Some(tx)), 10);
    let failed = rejected(uc.run(ORG, &Actor::named(ACTOR), vec![item()], by_id(true)).await);
    assert_eq!(codes(&failed[0]), vec![ErrorCode::VersionMismatch]);
}

#[tokio::test]
async fn a_catalog_change_or_another_update_mode_voids_a_stored_digest() {
    let contact = stored(1, "e1", 3);
    let digest = digest_found_the_slow_way(&contact, texted(same(1, "e1"), 1), by_id(true)).await;

    // A group added to the catalog: the same item, the same contact, the slow way.
    let mut grown = MockCatalogStore::new();
    grown.expect_load_catalog().times(1).returning(|_| {
        let c = catalog();
        let mut groups = c.groups.clone();
        groups.push(Group { id: OPS + 1, name: "New".into(), parent_id: None, description: None });
        Ok(Catalog::new(c.record_types, groups, c.attributes, c.paths, c.topics))
    });
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![contact.clone()]);
    capture_digests(&mut tx);
    expect_commit(&mut tx);
    let uc = batches(grown, digests_uow(vec![row(&contact, Some(digest))], Some(tx)), 10);
    let results = uc.run(ORG, &Actor::named(ACTOR), vec![texted(same(1, "e1"), 1)], by_id(true)).await.unwrap();
    assert_eq!(statuses(&results), vec![ItemStatus::Unchanged]);

    // updateType=partial: the slow way too.
    let mut tx = MockContactTx::new();
    expect_lock(&mut tx, vec![contact.clone()]);
    capture_digests(&mut tx);
    expect_commit(&mut tx);
    let partial = opts(BatchKind::Update { id_type: IdType::Id, mode: UpdateMode::Partial }, true, false);
    let uc = batches(catalog_store(), digests_uow(vec![row(&contact, Some(digest))], Some(tx)), 10);
    let results = uc.run(ORG, &Actor::named(ACTOR), vec![texted(same(1, "e1"), 1)], partial).await.unwrap();
    assert_eq!(statuses(&results), vec![ItemStatus::Unchanged]);
}

/// `lock_contacts_except`, once, answering like the store from `db`; `not_loaded` must be
/// `expected`.
fn expect_lock_except(tx: &mut MockContactTx, db: Vec<Contact>, expected: Vec<i64>) {
    tx.expect_lock_contacts_except().times(1).returning(move |org, ids, external_ids, not_loaded| {
        assert_eq!((org, not_loaded), (ORG, expected.as_slice()));
        let named = db.iter().filter(|c| ids.contains(&c.id) || external_ids.contains(&c.data.external_id));
        let (versions, loaded): (Vec<&Contact>, Vec<&Contact>) = named.partition(|c| not_loaded.contains(&c.id));
        let versions = versions
            .into_iter()
            .map(|c| LockedVersion { id: c.id, external_id: c.data.external_id.clone(), version: c.version })
            .collect();
        Ok((loaded.into_iter().cloned().collect(), versions))
    });
}

#[tokio::test]
async fn in_a_partly_matching_batch_matched_items_are_locked_not_read() {
    let (one, two, three) = (stored(1, "e1", 3), stored(2, "e2", 5), stored(3, "e3", 1));
    let digest = digest_found_the_slow_way(&one, texted(same(1, "e1"), 1), by_id(true)).await;

    let mut tx = MockContactTx::new();
    expect_lock_except(&mut tx, vec![one.clone(), two.clone(), three.clone()], vec![1]);
    let updates = capture_updates(&mut tx);
    let digests = capture_digests(&mut tx);
    expect_commit(&mut tx);
    let rows = vec![row(&one, Some(digest)), row(&two, None), row(&three, None)];
    let uc = batches(catalog_store(), digests_uow(rows, Some(tx)), 10);
    let items = vec![texted(same(1, "e1"), 1), texted(same(2, "e2"), 2), texted(changed(3, "e3"), 3)];
    let results = uc.run(ORG, &Actor::named(ACTOR), items, by_id(true)).await.unwrap();
    assert_eq!(statuses(&results), vec![ItemStatus::Unchanged, ItemStatus::Unchanged, ItemStatus::Updated]);
    assert_eq!((results[0].id, results[0].external_id.as_deref(), results[0].version), (Some(1), Some("e1"), Some(3)));
    // Item 0's digest is stored already; item 1's is stored now; item 2's goes with its update.
    assert_eq!(digests.lock().unwrap().iter().map(|d| (d.0, d.1)).collect::<Vec<_>>(), vec![(2, 5)]);
    assert_eq!(updates.lock().unwrap().iter().map(|u| u.id).collect::<Vec<_>>(), vec![3]);
    assert!(updates.lock().unwrap()[0].digest.is_some());
}

#[tokio::test]
async fn a_matched_contact_written_before_the_lock_is_read_and_applied() {
    let one = stored(1, "e1", 3);
    let digest = digest_found_the_slow_way(&one, texted(same(1, "e1"), 1), by_id(true)).await;
    // Between the digest read (version 3) and the lock, another write renamed it (version 4).
    let renamed =
        Contact { version: 4, data: ContactData { first_name: "Other".into(), ..one.data.clone() }, ..one.clone() };
    let three = stored(3, "e3", 1);

    let mut tx = MockContactTx::new();
    expect_lock_except(&mut tx, vec![renamed.clone(), three.clone()], vec![1]);
    tx.expect_lock_contacts().with(eq(ORG), eq(vec![1]), eq(Vec::<String>::new())).times(1).returning({
        let renamed = renamed.clone();
        move |_, _, _| Ok(vec![renamed.clone()])
    });
    let updates = capture_updates(&mut tx);
    expect_commit(&mut tx);
    let rows = vec![row(&one, Some(digest)), row(&three, None)];
    let uc = batches(catalog_store(), digests_uow(rows, Some(tx)), 10);
    let items = vec![texted(same(1, "e1"), 1), texted(changed(3, "e3"), 3)];
    let results = uc.run(ORG, &Actor::named(ACTOR), items, by_id(true)).await.unwrap();
    assert_eq!(statuses(&results), vec![ItemStatus::Updated, ItemStatus::Updated]);
    assert_eq!(results[0].version, Some(5));
    let updates = updates.lock().unwrap().clone();
    assert_eq!(updates.iter().map(|u| (u.id, u.version)).collect::<Vec<_>>(), vec![(1, 5), (3, 2)]);
    assert_eq!(updates[0].data.first_name, "First", "the item's name, written back");
}

#[tokio::test]
async fn matched_contacts_whose_external_ids_were_swapped_meanwhile_are_read_and_applied() {
    let (k, j) = (stored(1, "e1", 3), stored(2, "e2", 3));
    let by_ext = by_external_id(true);
    let dk = digest_found_the_slow_way(&k, texted(same(1, "e1"), 1), by_ext).await;
    let dj = digest_found_the_slow_way(&j, texted(same(2, "e2"), 2), by_ext).await;
    // Then a batch swapped their externalIds: e1 is now contact 2's, e2 contact 1's.
    let k_now = Contact { version: 4, data: ContactData { external_id: "e2".into(), ..k.data.clone() }, ..k.clone() };
    let j_now = Contact { version: 4, data: ContactData { external_id: "e1".into(), ..j.data.clone() }, ..j.clone() };

    // A third item, changed, so that the batch is not answered by the digest read alone.
    let three = stored(3, "e3", 1);

    let mut tx = MockContactTx::new();
    expect_lock_except(&mut tx, vec![k_now.clone(), j_now.clone(), three.clone()], vec![1, 2]);
    tx.expect_lock_contacts().times(1).returning({
        let both = vec![k_now.clone(), j_now.clone()];
        move |_, ids, _| {
            assert_eq!(ids, [1, 2]);
            Ok(both.clone())
        }
    });
    tx.expect_external_id_owners().returning(|_, _| Ok(vec![("e1".into(), 2), ("e2".into(), 1)]));
    let updates = capture_updates(&mut tx);
    expect_commit(&mut tx);
    let rows = vec![row(&k, Some(dk)), row(&j, Some(dj)), row(&three, None)];
    let uc = batches(catalog_store(), digests_uow(rows, Some(tx)), 10);
    // The items name e1 and e2: now contacts 2 and 1, whose other fields they change.
    let items = vec![texted(same(1, "e1"), 1), texted(same(2, "e2"), 2), texted(changed(3, "e3"), 3)];
    let results = uc.run(ORG, &Actor::named(ACTOR), items, by_ext).await.unwrap();
    assert_eq!(
        results.iter().map(|r| (r.id, r.status)).collect::<Vec<_>>(),
        vec![(Some(2), ItemStatus::Updated), (Some(1), ItemStatus::Updated), (Some(3), ItemStatus::Updated)]
    );
    let updates = updates.lock().unwrap().clone();
    let mut written: Vec<(i64, String, String)> =
        updates.iter().map(|u| (u.id, u.data.external_id.clone(), u.data.last_name.clone())).collect();
    written.sort();
    assert_eq!(
        written,
        vec![(1, "e2".into(), "Last2".into()), (2, "e1".into(), "Last1".into()), (3, "e3".into(), "Last3".into())]
    );
}
