//! Idempotency keys (table `idempotency_keys`): a key is claimed by inserting its row, which
//! the primary key `(organization_id, key)` makes atomic between concurrent requests. Each call
//! is one write transaction, so a claim and the read of the row it met see one state (the
//! PostgreSQL store retries when the row vanishes in between; here it cannot).

use async_trait::async_trait;
use contacts_application::ports::{Begin, IdempotencyStore, IDEMPOTENCY_TTL_MS};
use contacts_application::StoreError;

use crate::catalog::ORGANIZATION_MISSING;
use crate::error::{store_error, store_error_refs};
use crate::SqliteStore;

#[async_trait]
impl IdempotencyStore for SqliteStore {
    async fn begin(
        &self,
        org: i64,
        key: &str,
        request_hash: &[u8],
        now_ms: i64,
        abandoned_before_ms: i64,
    ) -> Result<Begin, StoreError> {
        const WHAT: &str = "claiming an idempotency key";
        let mut tx = self.write_tx().await?;
        // Expired and abandoned keys of the organization go first, in one statement.
        sqlx::query(contacts_store_sql::idempotency::FORGET)
            .bind(org)
            .bind(now_ms - IDEMPOTENCY_TTL_MS)
            .bind(abandoned_before_ms)
            .execute(&mut *tx)
            .await
            .map_err(|e| store_error(e, "expiring idempotency keys"))?;
        let claimed = sqlx::query(
            "INSERT INTO idempotency_keys (organization_id, key, request_hash, created_at) \
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        )
        .bind(org)
        .bind(key)
        .bind(request_hash)
        .bind(now_ms)
        .execute(&mut *tx)
        .await
        .map_err(|e| store_error_refs(e, WHAT, ORGANIZATION_MISSING))?
        .rows_affected()
            == 1;
        let begin = if claimed {
            Begin::New
        } else {
            let (hash, status, body): (Vec<u8>, Option<i64>, Option<Vec<u8>>) = sqlx::query_as(
                "SELECT request_hash, status, body FROM idempotency_keys WHERE organization_id = ?1 AND key = ?2",
            )
            .bind(org)
            .bind(key)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| store_error(e, "reading an idempotency key"))?;
            match (status, body) {
                _ if hash != request_hash => Begin::Mismatch,
                (Some(status), Some(body)) => {
                    let status = u16::try_from(status).map_err(|e| StoreError::Unknown(e.into()))?;
                    Begin::Replay { status, body }
                }
                _ => Begin::InProgress,
            }
        };
        tx.commit(WHAT).await?;
        Ok(begin)
    }

    async fn finish(&self, org: i64, key: &str, status: u16, body: &[u8]) -> Result<(), StoreError> {
        const WHAT: &str = "recording the answer of an idempotency key";
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE idempotency_keys SET status = ?3, body = ?4 WHERE organization_id = ?1 AND key = ?2")
            .bind(org)
            .bind(key)
            .bind(i64::from(status))
            .bind(body)
            .execute(&mut *tx)
            .await
            .map_err(|e| store_error(e, WHAT))?;
        tx.commit(WHAT).await
    }

    async fn abandon(&self, org: i64, key: &str) -> Result<(), StoreError> {
        const WHAT: &str = "abandoning an idempotency key";
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM idempotency_keys WHERE organization_id = ?1 AND key = ?2 AND status IS NULL")
            .bind(org)
            .bind(key)
            .execute(&mut *tx)
            .await
            .map_err(|e| store_error(e, WHAT))?;
        tx.commit(WHAT).await
    }
}
