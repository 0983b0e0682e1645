//! Idempotency keys: claimed atomically per organization, replayed once finished, refused for
//! another request, freed when abandoned, forgotten after 24 hours.

use std::sync::Arc;

use contacts_application::ports::{Begin, IdempotencyStore, IDEMPOTENCY_TTL_MS};

use crate::fixtures::NOW;
use crate::TestStore;

async fn with_orgs<S: TestStore>(store: &S) {
    for id in [1, 2] {
        store.create_organization(Some(id), &format!("org {id}")).await.unwrap();
    }
}

/// `IdempotencyStore::begin` (`begin` alone is ambiguous: the unit of work has one too), no
/// claim taken for abandoned.
async fn claim<S: TestStore>(store: &S, org: i64, key: &str, hash: &[u8], now: i64) -> Begin {
    claim_abandoning(store, org, key, hash, now, i64::MIN).await
}

/// `IdempotencyStore::begin` with claims in progress from before `abandoned_before` taken
/// for abandoned.
async fn claim_abandoning<S: TestStore>(
    store: &S,
    org: i64,
    key: &str,
    hash: &[u8],
    now: i64,
    abandoned_before: i64,
) -> Begin {
    IdempotencyStore::begin(store, org, key, hash, now, abandoned_before).await.unwrap()
}

/// A key a stopped server left in progress is claimed anew once it was claimed before the
/// bound the caller gives (twice the request timeout ago): by the same request or another.
/// A finished key is kept (it replays), and a claim at or after the bound is still running.
pub async fn a_key_left_in_progress_before_the_bound_is_claimed_anew<S: TestStore>(store: Arc<S>) {
    let store = &*store;
    with_orgs(store).await;
    assert_eq!(claim(store, 1, "left", b"hash-a", NOW).await, Begin::New);
    assert_eq!(claim(store, 1, "done", b"hash-a", NOW).await, Begin::New);
    store.finish(1, "done", 200, b"{}").await.unwrap();
    assert_eq!(claim(store, 1, "running", b"hash-a", NOW + 10).await, Begin::New);
    assert_eq!(claim(store, 2, "left", b"hash-a", NOW).await, Begin::New);
    // The bound is exclusive: a claim made at it is not over.
    assert_eq!(claim_abandoning(store, 1, "left", b"hash-a", NOW + 20, NOW).await, Begin::InProgress);
    assert_eq!(claim_abandoning(store, 1, "left", b"hash-a", NOW + 20, NOW + 1).await, Begin::New);
    assert!(matches!(claim_abandoning(store, 1, "done", b"hash-a", NOW + 20, NOW + 1).await, Begin::Replay { .. }));
    assert_eq!(claim_abandoning(store, 1, "running", b"hash-a", NOW + 20, NOW + 1).await, Begin::InProgress);
    // Another request may take an abandoned key too; the other organization's is untouched
    // until one of its own claims runs.
    assert_eq!(claim_abandoning(store, 1, "running", b"hash-b", NOW + 30, NOW + 11).await, Begin::New);
    assert_eq!(claim(store, 2, "left", b"hash-a", NOW + 30).await, Begin::InProgress);
}

/// A claimed key is in progress; finished, it replays its answer to the same request and
/// refuses another one; abandon does not free it.
pub async fn a_finished_key_replays_its_answer_and_refuses_another_request<S: TestStore>(store: Arc<S>) {
    let store = &*store;
    with_orgs(store).await;
    assert_eq!(claim(store, 1, "k1", b"hash-a", NOW).await, Begin::New);
    assert_eq!(claim(store, 1, "k1", b"hash-a", NOW + 1).await, Begin::InProgress);
    assert_eq!(claim(store, 1, "k1", b"hash-b", NOW + 1).await, Begin::Mismatch);
    store.finish(1, "k1", 412, br#"{"status":412}"#).await.unwrap();
    assert_eq!(
        claim(store, 1, "k1", b"hash-a", NOW + 2).await,
        Begin::Replay { status: 412, body: br#"{"status":412}"#.to_vec() }
    );
    assert_eq!(claim(store, 1, "k1", b"hash-b", NOW + 2).await, Begin::Mismatch);
    // A finished key is not freed by abandon.
    store.abandon(1, "k1").await.unwrap();
    assert!(matches!(claim(store, 1, "k1", b"hash-a", NOW + 3).await, Begin::Replay { .. }));
}

/// Keys are per organization.
pub async fn idempotency_keys_are_per_organization<S: TestStore>(store: Arc<S>) {
    let store = &*store;
    with_orgs(store).await;
    assert_eq!(claim(store, 1, "k1", b"hash-a", NOW).await, Begin::New);
    store.finish(1, "k1", 200, b"{}").await.unwrap();
    assert_eq!(claim(store, 2, "k1", b"hash-a", NOW).await, Begin::New);
    assert_eq!(claim(store, 2, "k1", b"hash-a", NOW).await, Begin::InProgress);
    assert!(matches!(claim(store, 1, "k1", b"hash-a", NOW).await, Begin::Replay { status: 200, .. }));
}

/// An abandoned key can be claimed again, by another request too.
pub async fn an_abandoned_key_can_be_claimed_again<S: TestStore>(store: Arc<S>) {
    let store = &*store;
    with_orgs(store).await;
    assert_eq!(claim(store, 1, "k1", b"hash-a", NOW).await, Begin::New);
    store.abandon(1, "k1").await.unwrap();
    assert_eq!(claim(store, 1, "k1", b"hash-b", NOW).await, Begin::New);
}

/// A key is remembered for 24 hours to the millisecond, then free again.
pub async fn idempotency_keys_expire_after_24_hours<S: TestStore>(store: Arc<S>) {
    let store = &*store;
    with_orgs(store).await;
    assert_eq!(claim(store, 1, "old", b"hash-a", NOW).await, Begin::New);
    store.finish(1, "old", 200, b"{}").await.unwrap();
    assert_eq!(claim(store, 1, "stuck", b"hash-a", NOW).await, Begin::New);
    assert_eq!(claim(store, 2, "old", b"hash-a", NOW + 10).await, Begin::New);
    let just_before = NOW + IDEMPOTENCY_TTL_MS;
    assert!(matches!(claim(store, 1, "old", b"hash-a", just_before).await, Begin::Replay { .. }));
    assert_eq!(claim(store, 1, "stuck", b"hash-a", just_before).await, Begin::InProgress);
    let later = NOW + IDEMPOTENCY_TTL_MS + 1;
    assert_eq!(claim(store, 1, "old", b"hash-b", later).await, Begin::New);
    assert_eq!(claim(store, 1, "stuck", b"hash-b", later).await, Begin::New);
    // The other organization's key, claimed later, is still remembered.
    assert_eq!(claim(store, 2, "old", b"hash-a", later).await, Begin::InProgress);
}

/// Of concurrent claims of one key, exactly one is new; the others see it in progress.
pub async fn of_concurrent_claims_of_one_key_exactly_one_is_new<S: TestStore>(store: Arc<S>) {
    with_orgs(&*store).await;
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { IdempotencyStore::begin(&*store, 1, "k1", b"hash-a", NOW, i64::MIN).await })
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
