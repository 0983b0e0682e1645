//! The SQLite adapter of the contacts ports ([`CatalogStore`], [`ContactReader`],
//! [`UnitOfWork`], [`Directory`], [`GroupStore`], [`IdempotencyStore`]), with sqlx: the
//! embedded store, one file and no server. It keeps the behaviour of the PostgreSQL adapter
//! (`contacts-store-postgres`); where SQLite differs, the choices are:
//!
//! - **Schema.** The same tables, keys and constraints (`/migrations-sqlite`, embedded here and
//!   applied by [`SqliteStore::migrate`]): `organization_id` leads every key and index,
//!   composite foreign keys keep every reference inside its organization, reads return active
//!   contacts only. Tenant tables are `WITHOUT ROWID`, so rows are stored in key order (one
//!   contact's children together). The children of a contact are child rows, as in
//!   PostgreSQL; the arrays inside them (quiet time frames, attribute values, an attribute's
//!   defined values) are JSON text. GIS coordinates are text too (Rust's exact round-trip form:
//!   SQLite's own text-to-REAL conversion is off in the last bit for a few values).
//! - **Set-based writes through `json_each`.** SQLite has no array binds; each call binds one
//!   JSON array per table (`INSERT ... SELECT ... FROM json_each(?)`, `UPDATE ... FROM
//!   json_each(?)`, `... IN (SELECT value FROM json_each(?))`), so every [`ContactTx`] call is a
//!   fixed number of statements whatever the number of contacts, with no bound-parameter limit
//!   to chunk around (see [`mod@write`]). Each JSON row of an update carries its full key, so the
//!   update is driven by the rows (one primary key lookup each) whatever the statistics. An
//!   update rewrites only the child tables whose rows changed. Loading contacts is one query
//!   for the contacts and one per child table.
//! - **A single writer.** SQLite runs one write transaction at a time. Writers of this store
//!   queue on an async mutex (fair, holding no pooled connection while they wait, so readers
//!   are never starved of connections), then open their transaction with `BEGIN IMMEDIATE`,
//!   which takes the database's write lock at once: a transaction never starts as a reader and
//!   fails to upgrade half-way. Another process on the same file is waited for by SQLite's
//!   busy timeout. A wait that runs out (and any `SQLITE_BUSY`/`SQLITE_LOCKED`) is
//!   [`StoreError::Conflict`], which the use cases retry. Because a unit of work holds the write
//!   lock from [`UnitOfWork::begin`] to commit, `lock_contacts` needs no row locks: nobody else
//!   writes meanwhile. Readers work in parallel on a snapshot (WAL journal).
//! - **externalId uniqueness.** A plain unique index on `(organization_id, external_id)`:
//!   SQLite cannot defer it to COMMIT as PostgreSQL does, and checks it row by row. So
//!   `update_contacts` writes in two phases: first the renamed contacts park their externalId
//!   on a BLOB made of their id (no TEXT externalId can equal a BLOB, and ids are unique), then
//!   every contact gets its new content. Swaps and rotations inside one call work; a rename
//!   onto an externalId held outside the call fails at once (not at COMMIT) with
//!   [`StoreError::Conflict`], as PostgreSQL reports it at COMMIT.
//! - **A failed call ends the unit of work.** SQLite undoes only the failed statement, where
//!   PostgreSQL aborts the transaction; so after a [`ContactTx`] call fails, its commit rolls
//!   back and fails, and half a call is never committed.
//! - **Ids.** One-row counters in `id_sequences` replace PostgreSQL's sequences, advanced
//!   inside the write transaction: contact ids are unique across organizations; catalog and
//!   organization ids may be explicit, the counter is moved past them, and a generated id that
//!   meets an explicit one is skipped.
//! - **Errors.** SQLite does not name the violated constraint: a unique violation is told by
//!   its columns (in the message), and a foreign key violation by the statement that met it.
//!
//! Queries are checked at run time (`sqlx::query` with `.bind`): building never needs a
//! database.
//!
//! [`CatalogStore`]: contacts_application::ports::CatalogStore
//! [`ContactReader`]: contacts_application::ports::ContactReader
//! [`Directory`]: contacts_application::ports::Directory
//! [`GroupStore`]: contacts_application::ports::GroupStore
//! [`IdempotencyStore`]: contacts_application::ports::IdempotencyStore
//! [`ContactTx`]: contacts_application::ports::ContactTx

use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use contacts_application::ports::{ContactTx, StoredDigest, UnitOfWork};
use contacts_application::StoreError;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

mod catalog;
mod catalog_admin;
mod columns;
mod directory;
mod error;
mod groups;
mod history;
mod idempotency;
mod list;
#[cfg(test)]
mod plans;
mod read;
mod schema;
pub mod write;

pub use write::SqliteContactTx;

/// The migrations of `/migrations-sqlite`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations-sqlite");

/// Connections of [`SqliteStore::open`]: readers run in parallel (WAL); writers take turns.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 8;

/// How long SQLite waits for a write lock held by another process before `SQLITE_BUSY`.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a writer of this store waits for its turn before giving up with
/// [`StoreError::Conflict`] (the use case then retries): long enough for a queue of large
/// batches, short enough that a stuck writer is reported.
pub const WRITER_WAIT: Duration = Duration::from_secs(30);

/// The SQLite store: every port on one connection pool, writes one at a time.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    writer: Arc<Writer>,
}

/// The turn of the single writer, and how many wait for it.
#[derive(Debug, Default)]
struct Writer {
    turn: Arc<Mutex<()>>,
    queued: AtomicUsize,
}

/// A write transaction holding the writer's turn: the turn is given back when it is dropped,
/// after the transaction (committed, or rolled back by its drop).
pub(crate) struct WriteTx {
    pub(crate) tx: Transaction<'static, Sqlite>,
    _turn: OwnedMutexGuard<()>,
}

impl WriteTx {
    pub(crate) async fn commit(self, context: impl std::fmt::Display) -> Result<(), StoreError> {
        self.tx.commit().await.map_err(|e| error::store_error(e, context))
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::SqliteConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

impl SqliteStore {
    /// Opens (creating it if missing) the database `url_or_path`: `sqlite://path`,
    /// `sqlite:path` or a bare file path, with [`DEFAULT_MAX_CONNECTIONS`]. Apply
    /// [`SqliteStore::migrate`] before use.
    ///
    /// # Errors
    /// When the URL is invalid or the file cannot be opened or created.
    pub async fn open(url_or_path: &str) -> anyhow::Result<Self> {
        Self::connect(url_or_path, DEFAULT_MAX_CONNECTIONS).await
    }

    /// As [`SqliteStore::open`], with a pool of at most `max_connections`. An in-memory
    /// database (`sqlite::memory:`, for tests and demos) lives as long as its connection, so it
    /// gets one, kept open: its reads wait for its writes.
    ///
    /// # Errors
    /// As [`SqliteStore::open`].
    pub async fn connect(url_or_path: &str, max_connections: u32) -> anyhow::Result<Self> {
        let options = Self::connect_options(url_or_path)?;
        if url_or_path.contains(":memory:") || url_or_path.contains("mode=memory") {
            let one =
                SqlitePoolOptions::new().max_connections(1).min_connections(1).idle_timeout(None).max_lifetime(None);
            let pool = one.connect_with(options).await.context("opening the in-memory SQLite database")?;
            return Ok(Self::from_pool(pool));
        }
        Self::with_options(options, max_connections).await
    }

    /// The options [`SqliteStore::open`] uses for `url_or_path`: the file created if missing,
    /// WAL journal, `synchronous = NORMAL` (durable at checkpoints, never corrupt), foreign
    /// keys enforced, a busy timeout of [`BUSY_TIMEOUT`]. Adjust them (e.g. the busy timeout)
    /// and pass them to [`SqliteStore::with_options`].
    ///
    /// # Errors
    /// When `url_or_path` is a malformed `sqlite:` URL.
    pub fn connect_options(url_or_path: &str) -> anyhow::Result<SqliteConnectOptions> {
        let options = if url_or_path.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(url_or_path).with_context(|| format!("parsing {url_or_path:?}"))?
        } else {
            SqliteConnectOptions::new().filename(url_or_path)
        };
        Ok(options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT))
    }

    /// Opens a pool of at most `max_connections` with `options`.
    ///
    /// # Errors
    /// When the database cannot be opened.
    pub async fn with_options(options: SqliteConnectOptions, max_connections: u32) -> anyhow::Result<Self> {
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections.max(1))
            .connect_with(options)
            .await
            .context("opening the SQLite database")?;
        Ok(Self::from_pool(pool))
    }

    /// A store on `pool`. Writers of one store take turns in the process; two stores on one
    /// file (or two processes) are serialized by SQLite's lock and busy timeout.
    pub fn from_pool(pool: SqlitePool) -> Self {
        Self { pool, writer: Arc::default() }
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Applies the pending migrations.
    ///
    /// # Errors
    /// When a migration fails or differs from the one applied under its version.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        MIGRATOR.run(&self.pool).await.context("applying the SQLite migrations")
    }

    /// Whether the database answers (for `/health/ready`).
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// How many writers wait for their turn right now (a gauge of write contention).
    pub fn queued_writers(&self) -> usize {
        self.writer.queued.load(Ordering::SeqCst)
    }

    /// Waits for the writer's turn, then begins a write transaction (`BEGIN IMMEDIATE`).
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the turn does not come within [`WRITER_WAIT`] or the
    /// database stays locked by another process; [`StoreError::Unknown`] otherwise.
    pub(crate) async fn write_tx(&self) -> Result<WriteTx, StoreError> {
        self.writer.queued.fetch_add(1, Ordering::SeqCst);
        let turn = tokio::time::timeout(WRITER_WAIT, self.writer.turn.clone().lock_owned()).await;
        self.writer.queued.fetch_sub(1, Ordering::SeqCst);
        let Ok(turn) = turn else {
            tracing::warn!(wait = ?WRITER_WAIT, "no turn to write: another writer holds it");
            return Err(StoreError::Conflict);
        };
        let tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| error::store_error(e, "beginning a write transaction"))?;
        Ok(WriteTx { tx, _turn: turn })
    }

    /// A read transaction: one snapshot, so that a contact and its children, or a page and its
    /// count, are read as of one moment even while a batch commits.
    pub(crate) async fn read_snapshot(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        self.pool.begin().await.map_err(|e| error::store_error(e, "beginning a read"))
    }
}

#[async_trait]
impl UnitOfWork for SqliteStore {
    async fn begin(&self) -> Result<Box<dyn ContactTx>, StoreError> {
        Ok(Box::new(SqliteContactTx::new(self.write_tx().await?)))
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
        let rows: Vec<contacts_store_sql::DigestRow> = sqlx::query_as(write::CONTACT_DIGESTS)
            .bind(org)
            .bind(columns::json(ids))
            .bind(columns::json(external_ids))
            .fetch_all(&self.pool)
            .await
            .map_err(|e| error::store_error(e, "reading item digests"))?;
        Ok(contacts_store_sql::stored_digests(rows))
    }
}
