//! What only SQLite's single writer shows of units of work on the same contacts: a second one
//! queues for the writer's turn (seen in `queued_writers`) and then sees the first one's
//! write; many concurrent ones take their turns without a single conflict (no retry needed)
//! and lose no update, while readers never see a torn state; a writer outside the store
//! (another process holding the file's lock) is waited for the busy timeout, then reported as
//! a conflict to retry. The rules of concurrent units of work are the contract suite's
//! (`tests/contract.rs`).

mod common;

use std::time::Duration;

use common::{bare_contact, org};
use contacts_application::ports::{ContactReader, ContactUpdate, UnitOfWork};
use contacts_application::StoreError;
use contacts_domain::ContactData;
use contacts_store_sqlite::SqliteStore;

const NOW: i64 = 1_700_000_000_000;

#[tokio::test]
async fn a_second_lock_waits_for_the_first_commit_and_sees_its_update() {
    let (store, _dir) = common::store().await;
    let o = org(&store, 1).await;
    let mut tx = store.begin().await.unwrap();
    let ids = tx.insert_contacts(o.id, &[bare_contact(&o, "a"), bare_contact(&o, "b")], "t", NOW).await.unwrap();
    tx.commit().await.unwrap();

    let mut first = store.begin().await.unwrap();
    let locked = first.lock_contacts(o.id, &ids, &[]).await.unwrap();
    let updates: Vec<ContactUpdate> = locked
        .iter()
        .map(|c| ContactUpdate {
            id: c.id,
            data: ContactData { first_name: "First".into(), ..c.data.clone() },
            version: c.version + 1,
            digest: None,
        })
        .collect();
    first.update_contacts(o.id, &updates, "first", NOW + 1).await.unwrap();

    // The second batch names one contact by externalId, the other by id.
    let second_store = store.clone();
    let (org_id, id_b) = (o.id, ids[1]);
    let second = tokio::spawn(async move {
        let mut tx = second_store.begin().await.unwrap();
        let seen = tx.lock_contacts(org_id, &[id_b], &["a".into()]).await.unwrap();
        tx.commit().await.unwrap();
        seen
    });
    common::until_someone_waits_for_the_writer(&store).await;
    first.commit().await.unwrap();

    let seen = second.await.unwrap();
    assert_eq!(seen.len(), 2);
    for c in seen {
        assert_eq!((c.data.first_name.as_str(), c.version), ("First", 2), "{c:?}");
    }
}

#[tokio::test]
async fn a_renamed_contact_is_not_locked_under_its_old_externalid() {
    let (store, _dir) = common::store().await;
    let o = org(&store, 1).await;
    let mut tx = store.begin().await.unwrap();
    let ids = tx.insert_contacts(o.id, &[bare_contact(&o, "old")], "t", NOW).await.unwrap();
    tx.commit().await.unwrap();

    let mut first = store.begin().await.unwrap();
    first.lock_contacts(o.id, &ids, &[]).await.unwrap();
    let rename = ContactUpdate { id: ids[0], data: bare_contact(&o, "new"), version: 2, digest: None };
    first.update_contacts(o.id, &[rename], "first", NOW + 1).await.unwrap();

    let second_store = store.clone();
    let org_id = o.id;
    let second = tokio::spawn(async move {
        let mut tx = second_store.begin().await.unwrap();
        tx.lock_contacts(org_id, &[], &["old".into()]).await.unwrap()
    });
    common::until_someone_waits_for_the_writer(&store).await;
    first.commit().await.unwrap();
    // Read after the wait: the contact no longer holds "old".
    assert_eq!(second.await.unwrap(), vec![]);
}

/// One read-modify-write of every contact of `ids`: `account_id` + 1, a new version.
async fn increment(store: &SqliteStore, org: i64, ids: &[i64], actor: &str) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    let locked = tx.lock_contacts(org, ids, &[]).await?;
    let updates: Vec<ContactUpdate> = locked
        .into_iter()
        .map(|c| ContactUpdate {
            id: c.id,
            data: ContactData { account_id: Some(c.data.account_id.unwrap_or(0) + 1), ..c.data },
            version: c.version + 1,
            digest: None,
        })
        .collect();
    tx.update_contacts(org, &updates, actor, NOW).await?;
    tx.commit().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_batches_all_commit_and_lose_no_update() {
    let (store, _dir) = common::store().await;
    let o = org(&store, 1).await;
    let mut tx = store.begin().await.unwrap();
    let contacts: Vec<ContactData> = (0..20).map(|i| bare_contact(&o, &format!("c{i}"))).collect();
    let ids = tx.insert_contacts(o.id, &contacts, "t", NOW).await.unwrap();
    tx.commit().await.unwrap();

    // 16 batches, each incrementing every contact, half of them naming the contacts in reverse
    // order; readers run meanwhile.
    const BATCHES: i64 = 16;
    let org_id = o.id;
    let tasks: Vec<_> = (0..BATCHES)
        .map(|i| {
            let store = store.clone();
            let mut ids = ids.clone();
            if i % 2 == 1 {
                ids.reverse();
            }
            tokio::spawn(async move { increment(&store, org_id, &ids, &format!("batch {i}")).await })
        })
        .collect();
    let reader = {
        let store = store.clone();
        let id = ids[0];
        tokio::spawn(async move {
            let mut last = 0;
            for _ in 0..50 {
                let c = store.get_contact(org_id, id).await.unwrap().unwrap();
                // Never a torn or older state: versions only go up, by whole batches.
                assert!(c.version >= last && c.data.account_id.unwrap_or(0) == c.version - 1, "{c:?}");
                last = c.version;
                tokio::task::yield_now().await;
            }
        })
    };
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    reader.await.unwrap();

    for id in &ids {
        let c = store.get_contact(o.id, *id).await.unwrap().unwrap();
        assert_eq!((c.data.account_id, c.version), (Some(BATCHES), 1 + BATCHES), "{c:?}");
    }
}

#[tokio::test]
async fn a_writer_outside_the_store_is_waited_for_then_a_conflict() {
    let (store, dir) = common::store().await;
    let o = org(&store, 1).await;
    // A second store on the same file stands for another process, with a short busy timeout.
    let path = dir.path().join("contacts.db");
    let options = SqliteStore::connect_options(path.to_str().unwrap()).unwrap().busy_timeout(Duration::from_millis(50));
    let other = SqliteStore::with_options(options, 2).await.unwrap();

    let mut holder = store.begin().await.unwrap();
    holder.insert_contacts(o.id, &[bare_contact(&o, "held")], "t", NOW).await.unwrap();
    let err = other.begin().await.err();
    assert!(matches!(err, Some(StoreError::Conflict)), "{err:?}");
    holder.commit().await.unwrap();

    // Once the lock is free, the other writer goes ahead and sees the committed write.
    let mut tx = other.begin().await.unwrap();
    let seen = tx.lock_contacts(o.id, &[], &["held".into()]).await.unwrap();
    assert_eq!(seen.len(), 1);
}
