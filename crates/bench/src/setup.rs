//! The bench's world: a fresh database (PostgreSQL, or an SQLite file in a temp directory), the
//! real server on port 0 (wired as the binary wires it), and an organization with a realistic
//! catalog and a user.

use std::sync::Arc;

use anyhow::Context;
use contacts_application::auth::{hash_password, Role};
use contacts_domain::{AttributeDataType, AttributeDef, Group, PathDef, PathType, RecordType, Topic};
use contacts_server::ServeArgs;
use contacts_store_postgres::PgStore;
use sqlx::{Connection, PgConnection};
use tokio::sync::oneshot;

use crate::data::{ATTR_BASE, GROUP_BASE, ORG, RECORD_TYPES, TOPIC_BASE, USER};

/// `server_url` with its database replaced by `name`.
pub fn with_database(server_url: &str, name: &str) -> String {
    let (head, query) = match server_url.split_once('?') {
        Some((h, q)) => (h.to_owned(), format!("?{q}")),
        None => (server_url.to_owned(), String::new()),
    };
    let slash = head.rfind('/').filter(|i| *i > "postgres://".len()).unwrap_or(head.len());
    format!("{}/{name}{query}", &head[..slash])
}

/// Drops the bench database, closing whatever connections are still open on it.
pub async fn drop_database(server_url: &str, name: &str) -> anyhow::Result<()> {
    let mut conn = PgConnection::connect(server_url).await.context("connect to drop the bench database")?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .context("drop the bench database")?;
    conn.close().await?;
    Ok(())
}

/// The running server: the service as the binary wires it, and beside it, on the same store,
/// the same service recording no history (to measure what recording costs).
pub struct Server {
    pub base: String,
    /// The service without history, on the same store.
    pub base_without_history: String,
    pub store: Arc<dyn contacts_server::Store>,
    /// The same store when it is PostgreSQL (for `ANALYZE`), `None` for SQLite.
    pub pg: Option<Arc<PgStore>>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl Server {
    /// Opens (creating and migrating) the database and serves it on 127.0.0.1:0: a `sqlite:` URL
    /// with `open_store`, anything else as PostgreSQL with `open_postgres`.
    pub async fn start(database_url: &str, max_connections: u32) -> anyhow::Result<Self> {
        let (store, pg): (Arc<dyn contacts_server::Store>, _) = if database_url.starts_with("sqlite:") {
            (contacts_server::open_store(database_url, max_connections).await?, None)
        } else {
            let pg = contacts_server::open_postgres(database_url, max_connections).await?;
            (pg.clone(), Some(pg))
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let plain = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base_without_history = format!("http://{}", plain.local_addr()?);
        let (stop, stopped) = oneshot::channel::<()>();
        let services = contacts_server::services(store.clone(), &ServeArgs::default());
        let without = ServeArgs { record_history: false, ..ServeArgs::default() };
        let plain_services = contacts_server::services(store.clone(), &without);
        let task = tokio::spawn(async move {
            let stopped = futures::future::FutureExt::shared(async move {
                let _ = stopped.await;
            });
            let both = futures::future::try_join(
                contacts_server::serve(listener, services, stopped.clone()),
                contacts_server::serve(plain, plain_services, stopped),
            );
            both.await.map(|_| ())
        });
        Ok(Self { base, base_without_history, store, pg, stop: Some(stop), task: Some(task) })
    }

    /// Stops serving (draining for at most a few seconds) and closes the pool.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), task).await;
        }
        self.store.close().await;
    }
}

/// The organization, its catalog (5 record types, 50 groups, 20 attributes of which 10 with
/// definedValues, 8 paths, 10 topics) and the admin user `bench`/`bench`.
pub async fn create_organization(store: &dyn contacts_server::Store) -> anyhow::Result<()> {
    store.create_organization(Some(ORG), "Bench").await?;
    for (k, id) in RECORD_TYPES.iter().enumerate() {
        store.create_record_type(ORG, RecordType { id: *id, name: format!("Type{k}") }).await?;
    }
    for k in 0..50 {
        let group = Group { id: GROUP_BASE + k, name: format!("group{k}"), parent_id: None, description: None };
        store.create_group(ORG, group).await?;
    }
    for k in 0..20 {
        let (data_type, defined_values) = match k {
            0..=9 => (AttributeDataType::String, (1..=5).map(|v| format!("v{v}")).collect()),
            10..=14 => (AttributeDataType::String, vec![]),
            _ => (AttributeDataType::Number, vec![]),
        };
        let def = AttributeDef {
            id: ATTR_BASE + k,
            name: format!("attr{k}"),
            data_type,
            defined_values,
            display_format: None,
        };
        store.create_attribute(ORG, def).await?;
    }
    let paths = [
        ("email", PathType::Email),
        ("email2", PathType::Email),
        ("phone", PathType::Phone),
        ("phone2", PathType::Phone),
        ("sms", PathType::Sms),
        ("sms2", PathType::Sms),
        ("fax", PathType::Fax),
        ("pager", PathType::Pager),
    ];
    for (k, (prompt, path_type)) in paths.into_iter().enumerate() {
        store.create_path(ORG, PathDef { path_id: 401 + k as i64, prompt: prompt.into(), path_type }).await?;
    }
    for k in 0..10 {
        store.create_topic(ORG, Topic { id: TOPIC_BASE + k, name: format!("topic{k}") }).await?;
    }
    store.upsert_user(USER, &hash_password(USER)?, ORG, Role::Admin).await?;
    Ok(())
}
