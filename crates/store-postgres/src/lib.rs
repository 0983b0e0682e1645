//! The PostgreSQL adapter of the contacts ports ([`CatalogStore`], [`ContactReader`],
//! [`UnitOfWork`], [`Directory`]), with sqlx.
//!
//! - Queries are checked at run time (`sqlx::query` with `.bind`): building never needs a
//!   database. The schema is in `/migrations`, embedded here and applied by
//!   [`PgStore::migrate`].
//! - Batch writes are set-based: every [`ContactTx`] call is a fixed number of statements
//!   whatever the number of contacts (see [`write`]).
//! - `organization_id` leads every key and index; reads return active contacts only.
//!
//! [`CatalogStore`]: contacts_application::ports::CatalogStore
//! [`ContactReader`]: contacts_application::ports::ContactReader
//! [`Directory`]: contacts_application::ports::Directory
//! [`ContactTx`]: contacts_application::ports::ContactTx

use std::sync::Arc;

use anyhow::Context;
use async_trait::async_trait;
use contacts_application::ports::{ContactTx, StoredDigest, UnitOfWork};
use contacts_application::StoreError;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Postgres, Transaction};

mod catalog;
mod catalog_admin;
mod columns;
mod directory;
mod error;
mod groups;
mod history;
mod idempotency;
mod list;
mod read;
mod schema;
mod stats;
pub mod write;

pub use write::PgContactTx;

/// The migrations of `/migrations`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// How long a request waits for a connection before it is answered 503 (the database
/// unavailable): sqlx's default, 30 s, kept every request of a PostgreSQL restart waiting that
/// long (the pg_restart drill), and a pool that has had no free connection for 5 s is
/// overloaded past what waiting longer mends.
const ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// How long `/health/ready` waits for the database's answer before it says not ready.
const PING_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// The PostgreSQL store: every port on one connection pool.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    /// The catalogs read so far, by organization, with the `catalog_version` they were read at
    /// (see migration 0005): reused while the version in the database is the same.
    catalogs: catalog::CatalogCache,
    /// Keeps the planner's statistics up with a fast-growing contacts table.
    statistics: Arc<stats::Statistics>,
}

impl PgStore {
    /// Connects a pool of at most `max_connections` to `url` (`postgres://...`).
    ///
    /// # Errors
    /// When the URL is invalid or the database cannot be reached.
    pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect(url)
            .await
            .context("connecting to PostgreSQL")?;
        Ok(Self::from_pool(pool))
    }

    pub fn from_pool(pool: PgPool) -> Self {
        Self { pool, catalogs: catalog::CatalogCache::default(), statistics: Arc::default() }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Applies the pending migrations.
    ///
    /// # Errors
    /// When a migration fails or differs from the one applied under its version.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        MIGRATOR.run(&self.pool).await.context("applying the PostgreSQL migrations")
    }

    /// Whether the database answers (for `/health/ready`).
    pub async fn ping(&self) -> bool {
        let ping = sqlx::query("SELECT 1").execute(&self.pool);
        matches!(tokio::time::timeout(PING_TIMEOUT, ping).await, Ok(Ok(_)))
    }

    async fn connection(&self) -> Result<PoolConnection<Postgres>, StoreError> {
        self.pool.acquire().await.map_err(|e| error::store_error(e, "acquiring a connection"))
    }

    /// A read-only transaction on one snapshot, so that a contact and its children, or a page
    /// and its count, are read as of one moment even while batches commit.
    async fn read_snapshot(&self) -> Result<Transaction<'static, Postgres>, StoreError> {
        self.pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(|e| error::store_error(e, "beginning a read"))
    }
}

/// How a contact write begins: with generic plans for its statements. Their parameters are the
/// organization and arrays of keys and values, and their best plan is the same whatever those
/// hold (index scans by key); yet PostgreSQL re-planned them on every execution (the array's
/// length changes its estimates), and for a single PUT planning took as long as executing
/// (`log_min_duration_statement`: bind 0.1–0.2 ms against execute 0.05–0.1 ms per statement).
/// One round trip, as a plain `BEGIN`.
const BEGIN_WRITE: &str = "BEGIN; SET LOCAL plan_cache_mode = force_generic_plan";

#[async_trait]
impl UnitOfWork for PgStore {
    async fn begin(&self) -> Result<Box<dyn ContactTx>, StoreError> {
        let tx =
            self.pool.begin_with(BEGIN_WRITE).await.map_err(|e| error::store_error(e, "beginning a transaction"))?;
        Ok(Box::new(PgContactTx::new(tx, self.pool.clone(), Arc::clone(&self.statistics))))
    }

    async fn contact_digests(
        &self,
        org: i64,
        ids: &[i64],
        external_ids: &[String],
    ) -> Result<Vec<StoredDigest>, StoreError> {
        if ids.is_empty() && external_ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<contacts_store_sql::DigestRow> = sqlx::query_as(
            "SELECT id, external_id, version, input_digest FROM contacts \
             WHERE organization_id = $1 AND status = 'A' AND (id = ANY($2) OR external_id = ANY($3))",
        )
        .bind(org)
        .bind(ids)
        .bind(external_ids)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| error::store_error(e, "reading item digests"))?;
        Ok(contacts_store_sql::stored_digests(rows))
    }
}
