//! Idempotency keys: claimed atomically per organization, replayed once finished, refused for
//! another request, freed when abandoned, forgotten after 24 hours.

mod common;

use contacts_application::ports::{Begin, Directory, IdempotencyStore, IDEMPOTENCY_TTL_MS};
use contacts_store_sqlite::SqliteStore;

const NOW: i64 = 1_700_000_000_000;

/// A store with organizations 1 and 2, and the directory of its file.
async fn store_with_orgs() -> (SqliteStore, tempfile::TempDir) {
    let (store, dir) = common::store().await;
    for id in [1, 2] {
        store.create_organization(Some(id), &format!("org {id}")).await.unwrap();
    }
    (store, dir)
}

#[tokio::test]
async fn a_finished_key_replays_its_answer_and_refuses_another_request() {
    let (store, _dir) = store_with_orgs().await;
    assert_eq!(store.begin(1, "k1", b"hash-a", NOW).await.unwrap(), Begin::New);
    assert_eq!(store.begin(1, "k1", b"hash-a", NOW + 1).await.unwrap(), Begin::InProgress);
    assert_eq!(store.begin(1, "k1", b"hash-b", NOW + 1).await.unwrap(), Begin::Mismatch);
    store.finish(1, "k1", 412, br#"{"status":412}"#).await.unwrap();
    assert_eq!(
        store.begin(1, "k1", b"hash-a", NOW + 2).await.unwrap(),
        Begin::Replay { status: 412, body: br#"{"status":412}"#.to_vec() }
    );
    assert_eq!(store.begin(1, "k1", b"hash-b", NOW + 2).await.unwrap(), Begin::Mismatch);
    // A finished key is not freed by abandon.
    store.abandon(1, "k1").await.unwrap();
    assert!(matches!(store.begin(1, "k1", b"hash-a", NOW + 3).await.unwrap(), Begin::Replay { .. }));
}

#[tokio::test]
async fn keys_are_per_organization() {
    let (store, _dir) = store_with_orgs().await;
    assert_eq!(store.begin(1, "k1", b"hash-a", NOW).await.unwrap(), Begin::New);
    store.finish(1, "k1", 200, b"{}").await.unwrap();
    assert_eq!(store.begin(2, "k1", b"hash-a", NOW).await.unwrap(), Begin::New);
    assert_eq!(store.begin(2, "k1", b"hash-a", NOW).await.unwrap(), Begin::InProgress);
}

#[tokio::test]
async fn an_abandoned_key_can_be_claimed_again() {
    let (store, _dir) = store_with_orgs().await;
    assert_eq!(store.begin(1, "k1", b"hash-a", NOW).await.unwrap(), Begin::New);
    store.abandon(1, "k1").await.unwrap();
    assert_eq!(store.begin(1, "k1", b"hash-b", NOW).await.unwrap(), Begin::New);
}

#[tokio::test]
async fn keys_expire_after_24_hours() {
    let (store, _dir) = store_with_orgs().await;
    assert_eq!(store.begin(1, "old", b"hash-a", NOW).await.unwrap(), Begin::New);
    store.finish(1, "old", 200, b"{}").await.unwrap();
    assert_eq!(store.begin(1, "stuck", b"hash-a", NOW).await.unwrap(), Begin::New);
    assert_eq!(store.begin(2, "old", b"hash-a", NOW).await.unwrap(), Begin::New);
    let just_before = NOW + IDEMPOTENCY_TTL_MS;
    assert!(matches!(store.begin(1, "old", b"hash-a", just_before).await.unwrap(), Begin::Replay { .. }));
    let later = NOW + IDEMPOTENCY_TTL_MS + 1;
    assert_eq!(store.begin(1, "old", b"hash-b", later).await.unwrap(), Begin::New);
    // Every expired key of the organization went in that one claim; the other org's stays.
    let keys: Vec<(i64, String)> =
        sqlx::query_as("SELECT organization_id, key FROM idempotency_keys ORDER BY organization_id, key")
            .fetch_all(store.pool())
            .await
            .unwrap();
    assert_eq!(keys, vec![(1, "old".to_owned()), (2, "old".to_owned())]);
}

#[tokio::test]
async fn of_concurrent_claims_of_one_key_exactly_one_is_new() {
    let (store, _dir) = store_with_orgs().await;
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.begin(1, "k1", b"hash-a", NOW).await })
        })
        .collect();
    let mut claims = Vec::new();
    for task in tasks {
        claims.push(task.await.unwrap());
    }
    let new = claims.iter().filter(|c| matches!(c, Ok(Begin::New))).count();
    assert_eq!(new, 1, "{claims:?}");
    assert!(claims.iter().all(|c| matches!(c, Ok(Begin::New | Begin::InProgress))), "{claims:?}");
}
