//! The contacts-server binary's pieces, public so that tests and the benchmark start the real
//! service exactly as the binary does: [`open_store`], [`services`], [`serve`].

pub mod allocator;
pub mod config;
pub mod demo;
pub mod retention;
pub mod tokens;

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use axum::extract::Request;
use contacts_application::batch::ContactBatches;
use contacts_application::catalog::CatalogService;
use contacts_application::contacts::ContactQueries;
use contacts_application::groups::GroupService;
use contacts_application::history::ContactHistory;
use contacts_application::patch::ContactPatches;
use contacts_application::ports::{
    CatalogStore, ContactReader, Directory, GroupStore, HistoryStore, IdempotencyStore, UnitOfWork,
};
use contacts_http::limits::RateLimit;
use contacts_http::metrics::PoolStats;
use contacts_http::Services;
use contacts_store_postgres::PgStore;
use contacts_store_sqlite::SqliteStore;
use sqlx::migrate::MigrateDatabase;
use tokio::net::TcpListener;

pub use config::ServeArgs;

/// Every port a store serves, and what the binary needs of it besides.
#[async_trait::async_trait]
pub trait Store:
    ContactReader + UnitOfWork + CatalogStore + Directory + GroupStore + IdempotencyStore + HistoryStore + 'static
{
    /// Whether the database answers (for `/health/ready`).
    async fn ping(&self) -> bool;
    /// Closes the connections (waiting for those in use).
    async fn close(&self);
    /// The pool's connections in use and idle (for `/metrics`).
    fn pool_stats(&self) -> PoolStats;
}

#[async_trait::async_trait]
impl Store for PgStore {
    async fn ping(&self) -> bool {
        PgStore::ping(self).await
    }
    async fn close(&self) {
        self.pool().close().await;
    }
    fn pool_stats(&self) -> PoolStats {
        let idle = u32::try_from(self.pool().num_idle()).unwrap_or(u32::MAX);
        PoolStats { in_use: self.pool().size().saturating_sub(idle), idle }
    }
}

#[async_trait::async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> bool {
        SqliteStore::ping(self).await
    }
    async fn close(&self) {
        self.pool().close().await;
    }
    fn pool_stats(&self) -> PoolStats {
        let idle = u32::try_from(self.pool().num_idle()).unwrap_or(u32::MAX);
        PoolStats { in_use: self.pool().size().saturating_sub(idle), idle }
    }
}

/// Opens the store `url` names and applies its migrations:
/// - `postgres://` or `postgresql://`: PostgreSQL (the database is created when missing);
/// - `sqlite:` (`sqlite://path/file.db`, `sqlite:file.db`): the embedded SQLite file, created
///   when missing (its directory must exist).
///
/// # Errors
/// An unknown scheme, a database that cannot be reached, created, opened or migrated: each
/// says which in one line.
pub async fn open_store(url: &str, max_connections: u32) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(open_postgres(url, max_connections).await?);
    }
    if let Some(path) = url.strip_prefix("sqlite:") {
        let path = path.strip_prefix("//").unwrap_or(path);
        let store = SqliteStore::connect(url, max_connections)
            .await
            .with_context(|| format!("cannot open the SQLite database {path}"))?;
        store.migrate().await.with_context(|| format!("cannot apply the migrations to {path}"))?;
        return Ok(Arc::new(store));
    }
    let scheme = url.split_once(':').map_or(url, |(scheme, _)| scheme);
    anyhow::bail!(
        "DATABASE_URL must start with postgres://, postgresql:// or sqlite: (got {:?})",
        config::redacted(scheme)
    )
}

/// Opens the PostgreSQL store at `url` (creating the database when it does not exist) and
/// applies the migrations.
///
/// # Errors
/// When the database cannot be reached, created or migrated.
pub async fn open_postgres(url: &str, max_connections: u32) -> anyhow::Result<Arc<PgStore>> {
    if !sqlx::Postgres::database_exists(url).await.with_context(|| format!("cannot reach {}", config::redacted(url)))? {
        sqlx::Postgres::create_database(url).await.context("cannot create the database")?;
    }
    let store = PgStore::connect(url, max_connections)
        .await
        .with_context(|| format!("cannot connect to {}", config::redacted(url)))?;
    store.migrate().await.context("cannot apply the migrations")?;
    Ok(Arc::new(store))
}

/// The use cases wired to `store`.
pub fn services(store: Arc<dyn Store>, args: &ServeArgs) -> Services {
    let ready_store = store.clone();
    let pool_store = store.clone();
    let mut batches = ContactBatches::new(store.clone(), store.clone(), args.max_batch_size);
    if !args.record_history {
        batches = batches.without_history();
    }
    Services {
        batches: match args.max_items_in_flight {
            0 => batches,
            n => batches.with_items_in_flight(n),
        },
        history: ContactHistory::new(store.clone(), store.clone(), store.clone()),
        queries: ContactQueries::new(store.clone(), store.clone()),
        patches: ContactPatches::new(store.clone(), store.clone()),
        catalog: CatalogService::new(store.clone()),
        groups: GroupService::new(store.clone(), store.clone(), store.clone()),
        idempotency: store.clone(),
        directory: store,
        ready: Arc::new(move || {
            let s = ready_store.clone();
            Box::pin(async move { s.ping().await })
        }),
        pool: Arc::new(move || pool_store.pool_stats()),
        rate_limit: RateLimit::new(args.rate_limit_per_minute, args.rate_limit_burst),
        max_body_bytes: args.max_body_bytes,
        request_timeout: std::time::Duration::from_secs(args.request_timeout_seconds.max(1)),
    }
}

/// Serves `services` on `listener` until `shutdown` resolves, then drains in-flight requests.
///
/// # Errors
/// When the server fails.
pub async fn serve(
    listener: TcpListener,
    services: Services,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let app = contacts_http::app(services);
    let make_service = axum::ServiceExt::<Request>::into_make_service(app);
    axum::serve(listener, make_service).with_graceful_shutdown(shutdown).await.context("server failed")
}
