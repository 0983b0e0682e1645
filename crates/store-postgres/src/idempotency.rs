//! Idempotency keys (table `idempotency_keys`): a key is claimed by inserting its row, which
//! the primary key `(organization_id, key)` makes atomic between concurrent requests.

use async_trait::async_trait;
use contacts_application::ports::{Begin, IdempotencyStore, IDEMPOTENCY_TTL_MS};
use contacts_application::StoreError;

use crate::error::store_error;
use crate::PgStore;

/// How many times a claim is tried when the row it collided with vanished meanwhile (its
/// request abandoned the key): beyond that, the key is reported in progress.
const CLAIM_ATTEMPTS: usize = 3;

#[async_trait]
impl IdempotencyStore for PgStore {
    async fn begin(
        &self,
        org: i64,
        key: &str,
        request_hash: &[u8],
        now_ms: i64,
        abandoned_before_ms: i64,
    ) -> Result<Begin, StoreError> {
        // Expired and abandoned keys of the organization go first, in one statement.
        sqlx::query(contacts_store_sql::idempotency::FORGET)
            .bind(org)
            .bind(now_ms - IDEMPOTENCY_TTL_MS)
            .bind(abandoned_before_ms)
            .execute(self.pool())
            .await
            .map_err(|e| store_error(e, "expiring idempotency keys"))?;
        for _ in 0..CLAIM_ATTEMPTS {
            let claimed = sqlx::query(
                "INSERT INTO idempotency_keys (organization_id, key, request_hash, created_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(org)
            .bind(key)
            .bind(request_hash)
            .bind(now_ms)
            .execute(self.pool())
            .await
            .map_err(|e| store_error(e, "claiming an idempotency key"))?
            .rows_affected()
                == 1;
            if claimed {
                return Ok(Begin::New);
            }
            let row: Option<(Vec<u8>, Option<i32>, Option<Vec<u8>>)> = sqlx::query_as(
                "SELECT request_hash, status, body FROM idempotency_keys WHERE organization_id = $1 AND key = $2",
            )
            .bind(org)
            .bind(key)
            .fetch_optional(self.pool())
            .await
            .map_err(|e| store_error(e, "reading an idempotency key"))?;
            match row {
                None => continue,
                Some((hash, _, _)) if hash != request_hash => return Ok(Begin::Mismatch),
                Some((_, Some(status), Some(body))) => {
                    let status = u16::try_from(status).map_err(|e| StoreError::Unknown(e.into()))?;
                    return Ok(Begin::Replay { status, body });
                }
                Some(_) => return Ok(Begin::InProgress),
            }
        }
        Ok(Begin::InProgress)
    }

    async fn finish(&self, org: i64, key: &str, status: u16, body: &[u8]) -> Result<(), StoreError> {
        sqlx::query("UPDATE idempotency_keys SET status = $3, body = $4 WHERE organization_id = $1 AND key = $2")
            .bind(org)
            .bind(key)
            .bind(i32::from(status))
            .bind(body)
            .execute(self.pool())
            .await
            .map_err(|e| store_error(e, "recording the answer of an idempotency key"))?;
        Ok(())
    }

    async fn abandon(&self, org: i64, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM idempotency_keys WHERE organization_id = $1 AND key = $2 AND status IS NULL")
            .bind(org)
            .bind(key)
            .execute(self.pool())
            .await
            .map_err(|e| store_error(e, "abandoning an idempotency key"))?;
        Ok(())
    }
}
