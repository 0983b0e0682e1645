//! Two units of work on the same contacts: the second waits for the first and sees its write.

mod common;

use common::{bare_contact, org};
use contacts_application::ports::{ContactUpdate, UnitOfWork};
use contacts_domain::ContactData;
use sqlx::PgPool;

const NOW: i64 = 1_700_000_000_000;

/// Waits until a backend of this test's database is blocked on a lock.
async fn until_someone_waits_for_a_lock(pool: &PgPool) {
    for _ in 0..100_000 {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        if waiting > 0 {
            return;
        }
        tokio::task::yield_now().await;
    }
    panic!("nobody waited for the lock");
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_second_lock_waits_for_the_first_commit_and_sees_its_update(pool: PgPool) {
    let store = common::store(pool.clone());
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
    until_someone_waits_for_a_lock(&pool).await;
    first.commit().await.unwrap();

    let seen = second.await.unwrap();
    assert_eq!(seen.len(), 2);
    for c in seen {
        assert_eq!((c.data.first_name.as_str(), c.version), ("First", 2), "{c:?}");
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_renamed_contact_is_not_locked_under_its_old_externalid(pool: PgPool) {
    let store = common::store(pool.clone());
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
    until_someone_waits_for_a_lock(&pool).await;
    first.commit().await.unwrap();
    // Rechecked after the wait: the contact no longer holds "old".
    assert_eq!(second.await.unwrap(), vec![]);
}

/// `lock_contacts_except` locks the contacts it does not load as well: a writer of one waits,
/// and the version it answers is the one the writer before it committed.
#[sqlx::test(migrations = "../../migrations")]
async fn contacts_locked_without_being_loaded_are_locked(pool: PgPool) {
    let store = common::store(pool.clone());
    let o = org(&store, 1).await;
    let mut tx = store.begin().await.unwrap();
    let ids = tx.insert_contacts(o.id, &[bare_contact(&o, "a"), bare_contact(&o, "b")], "t", NOW).await.unwrap();
    tx.commit().await.unwrap();

    let mut first = store.begin().await.unwrap();
    let (loaded, versions) = first.lock_contacts_except(o.id, &ids, &[], &[ids[1]]).await.unwrap();
    assert_eq!(loaded.iter().map(|c| c.id).collect::<Vec<_>>(), vec![ids[0]]);
    assert_eq!(versions.iter().map(|v| (v.id, v.version)).collect::<Vec<_>>(), vec![(ids[1], 1)]);

    let second_store = store.clone();
    let (org_id, id_b) = (o.id, ids[1]);
    let second = tokio::spawn(async move {
        let mut tx = second_store.begin().await.unwrap();
        let locked = tx.lock_contacts(org_id, &[id_b], &[]).await.unwrap();
        let update = ContactUpdate { id: id_b, data: locked[0].data.clone(), version: 2, digest: None };
        tx.update_contacts(org_id, &[update], "second", NOW + 1).await.unwrap();
        tx.commit().await.unwrap();
    });
    until_someone_waits_for_a_lock(&pool).await;
    assert!(!second.is_finished(), "the second writer waits for the first's lock on b");
    first.commit().await.unwrap();
    second.await.unwrap();

    // Locked again, b is answered at the version the second writer committed.
    let mut third = store.begin().await.unwrap();
    let (_, versions) = third.lock_contacts_except(o.id, &[], &["b".into()], &[ids[1]]).await.unwrap();
    assert_eq!(
        versions.iter().map(|v| (v.id, v.external_id.as_str(), v.version)).collect::<Vec<_>>(),
        vec![(ids[1], "b", 2)]
    );
}
