//! The store contract (`contacts-store-contract`) on PostgreSQL: every case on a database of
//! its own, created on the server at `DATABASE_URL` (else the local one), migrated, and
//! dropped when the case passed (kept, and named, when it failed).

use contacts_store_postgres::PgStore;
use sqlx::migrate::MigrateDatabase;

/// The PostgreSQL server the tests use (`DATABASE_URL`, else the local one).
fn server_url() -> String {
    std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// `url` with its database replaced by `name` (the query string kept).
fn with_database(url: &str, name: &str) -> String {
    let (head, query) = url.split_once('?').map_or((url, String::new()), |(h, q)| (h, format!("?{q}")));
    let slash = head.rfind('/').filter(|i| *i > "postgres://".len()).unwrap_or(head.len());
    format!("{}/{name}{query}", &head[..slash])
}

/// Drops its database when dropped, unless the thread is panicking (a failed case keeps it
/// for a look).
struct Database {
    url: String,
}

impl Drop for Database {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("the database of the failed case is kept: {}", self.url);
            return;
        }
        let url = self.url.clone();
        // A runtime of its own, on a thread of its own: never inside another runtime.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(sqlx::Postgres::force_drop_database(&url))
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop {}: {dropped:?}", self.url);
        }
    }
}

/// A fresh, migrated, empty database and a store on it.
async fn fresh_store() -> (PgStore, Database) {
    let url = with_database(&server_url(), &format!("contract_{}", uuid::Uuid::new_v4().simple()));
    sqlx::Postgres::create_database(&url).await.expect("create the case's database");
    let database = Database { url };
    // Enough connections for the concurrent cases (16 idempotency claims, 6 racing batches).
    let store = PgStore::connect(&database.url, 20).await.expect("connect to the case's database");
    store.migrate().await.expect("migrate the case's database");
    (store, database)
}

contacts_store_contract::store_contract_tests!(fresh_store);
