//! What only the table shows of idempotency keys: a claim forgets every expired key of its
//! organization at once, and no other. The rules of idempotency keys are the contract suite's
//! (`tests/contract.rs`).

mod common;

use contacts_application::ports::{Begin, Directory, IdempotencyStore, IDEMPOTENCY_TTL_MS};
use sqlx::PgPool;

const NOW: i64 = 1_700_000_000_000;

#[sqlx::test(migrations = "../../migrations")]
async fn a_claim_forgets_every_expired_key_of_its_organization(pool: PgPool) {
    let store = common::store(pool.clone());
    for id in [1, 2] {
        store.create_organization(Some(id), &format!("org {id}")).await.unwrap();
    }
    assert_eq!(store.begin(1, "old", b"hash-a", NOW, i64::MIN).await.unwrap(), Begin::New);
    store.finish(1, "old", 200, b"{}").await.unwrap();
    assert_eq!(store.begin(1, "stuck", b"hash-a", NOW, i64::MIN).await.unwrap(), Begin::New);
    assert_eq!(store.begin(2, "old", b"hash-a", NOW, i64::MIN).await.unwrap(), Begin::New);
    let later = NOW + IDEMPOTENCY_TTL_MS + 1;
    assert_eq!(store.begin(1, "old", b"hash-b", later, i64::MIN).await.unwrap(), Begin::New);
    // Every expired key of the organization went in that one claim; the other org's stays.
    let keys: Vec<(i64, String)> =
        sqlx::query_as("SELECT organization_id, key FROM idempotency_keys ORDER BY organization_id, key")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(keys, vec![(1, "old".to_owned()), (2, "old".to_owned())]);
}
