//! A harness for black-box tests: each test starts the real service (the same wiring as the
//! binary) on port 0, on a database of its own, and talks to it over HTTP.
//!
//! The store is PostgreSQL, or the embedded SQLite store when `TEST_STORE=sqlite` (a file in a
//! temporary directory per test): `scripts/test` runs these tests once on each.

use std::sync::Arc;

use base64::Engine;
use contacts_application::auth::{hash_password, Role};
use contacts_server::{ServeArgs, Store};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::sync::oneshot;

pub use serde_json::json;

/// The demo organization's id (`contacts-server demo`), present in every test app.
pub const ORG: i64 = contacts_server::demo::DEMO_ORG_ID;
pub const EMPLOYEE: i64 = contacts_server::demo::EMPLOYEE_ID;
pub const ATTR1: i64 = contacts_server::demo::ATTR1_ID;
pub const PHONE: i64 = contacts_server::demo::PHONE_PATH_ID;

/// The PostgreSQL server the tests use (`DATABASE_URL`, else the local one).
pub fn server_url() -> String {
    std::env::var("DATABASE_URL")
        .or_else(|_| std::env::var("TEST_DATABASE_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Which store the tests run on: `TEST_STORE` (`postgres`, the default, or `sqlite`).
pub fn store_kind() -> &'static str {
    match std::env::var("TEST_STORE").as_deref() {
        Ok("sqlite") => "sqlite",
        Ok("postgres") | Ok("") | Err(_) => "postgres",
        Ok(other) => panic!("TEST_STORE must be postgres or sqlite, not {other:?}"),
    }
}

/// `server_url()` with its database replaced by `name`.
fn database_url(name: &str) -> String {
    let base = server_url();
    let (head, query) = match base.split_once('?') {
        Some((h, q)) => (h.to_owned(), format!("?{q}")),
        None => (base.clone(), String::new()),
    };
    let slash = head.rfind('/').filter(|i| *i > "postgres://".len()).unwrap_or(head.len());
    format!("{}/{name}{query}", &head[..slash])
}

/// A running service on a fresh database, with the demo organization and users
/// `demo`/`demo` (admin), `editor`/`editor` and `viewer`/`viewer` on it.
pub struct TestApp {
    pub base: String,
    pub store: Arc<dyn Store>,
    pub client: reqwest::Client,
    /// The test's own database: a PostgreSQL database, or an SQLite file in `_dir`.
    pub database_url: String,
    _dir: Option<tempfile::TempDir>,
    auth: String,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    /// Set by [`TestApp::stop`], which drops the database itself; otherwise `Drop` does.
    stopped: bool,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(ServeArgs::default()).await
    }

    pub async fn spawn_with(args: ServeArgs) -> Self {
        let name = format!("bb_{}", uuid::Uuid::new_v4().simple());
        let (database_url, dir) = if store_kind() == "sqlite" {
            let dir = tempfile::tempdir().expect("a temporary directory");
            (format!("sqlite://{}", dir.path().join(format!("{name}.db")).display()), Some(dir))
        } else {
            (database_url(&name), None)
        };
        let store = contacts_server::open_store(&database_url, 8).await.expect("open the test database");
        contacts_server::demo::ensure(&*store).await.expect("create the demo organization");
        for (user, role) in [("editor", Role::Editor), ("viewer", Role::Viewer)] {
            store.upsert_user(user, &hash_password(user).unwrap(), ORG, role).await.unwrap();
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let services = contacts_server::services(store.clone(), &args);
        let server = tokio::spawn(contacts_server::serve(listener, services, async move {
            let _ = stopped.await;
        }));
        Self {
            base,
            store,
            client: reqwest::Client::new(),
            database_url,
            _dir: dir,
            auth: basic("demo", "demo"),
            stop: Some(stop),
            server: Some(server),
            stopped: false,
        }
    }

    /// The same app, calling as another user.
    pub fn as_user(&self, user: &str, password: &str) -> Caller<'_> {
        Caller { app: self, auth: Some(basic(user, password)) }
    }

    /// Calls without credentials.
    pub fn anonymous(&self) -> Caller<'_> {
        Caller { app: self, auth: None }
    }

    /// Calls with a raw `Authorization` header.
    pub fn with_authorization(&self, header: &str) -> Caller<'_> {
        Caller { app: self, auth: Some(header.to_owned()) }
    }

    /// Calls with the API token `token` (`Authorization: Bearer`).
    pub fn as_token(&self, token: &str) -> Caller<'_> {
        Caller { app: self, auth: Some(format!("Bearer {token}")) }
    }

    /// Creates an API token as `contacts-server token create` does and returns its secret.
    pub async fn token(&self, org: i64, role: &str, name: &str) -> String {
        let command = contacts_server::config::TokenCommand::Create {
            org,
            role: role.to_owned(),
            name: Some(name.to_owned()),
            expires_in_days: None,
        };
        let created = contacts_server::tokens::run(&*self.store, command, contacts_application::now_millis())
            .await
            .expect("create a token");
        created["token"].as_str().expect("the token's secret").to_owned()
    }

    fn caller(&self) -> Caller<'_> {
        Caller { app: self, auth: Some(self.auth.clone()) }
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.caller().send(Method::GET, path, None).await
    }
    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.caller().send(Method::PUT, path, Some(body)).await
    }
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.caller().send(Method::POST, path, Some(body)).await
    }
    /// Sends a raw body (for malformed JSON).
    pub async fn send_raw(&self, method: Method, path: &str, body: &str) -> (StatusCode, Value) {
        self.caller().send_raw(method, path, body.to_owned(), &[]).await
    }
    pub async fn send_with_headers(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, Value, reqwest::header::HeaderMap) {
        self.caller().send_full(method, path, body.map(|b| b.to_string()), headers).await
    }

    /// `GET path` without credentials, answering its status, `Content-Type` and text (for
    /// what is not JSON: `/metrics`).
    pub async fn get_text(&self, path: &str) -> (StatusCode, String, String) {
        let response = self.client.get(format!("{}{path}", self.base)).send().await.expect("request");
        let status = response.status();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (status, content_type, response.text().await.expect("body"))
    }

    /// Creates contacts through the API (POST batch) and returns their ids in order.
    pub async fn create_contacts(&self, items: Value) -> Vec<i64> {
        let (status, body) = self.post(&format!("/rest/contacts/{ORG}/batch"), items).await;
        assert_eq!(status, StatusCode::OK, "create failed: {body}");
        body["data"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().parse().unwrap()).collect()
    }

    /// A contact as read through the API.
    pub async fn contact(&self, id: i64) -> Value {
        let (status, body) = self.get(&format!("/rest/contacts/{ORG}/{id}")).await;
        assert_eq!(status, StatusCode::OK, "read of {id} failed: {body}");
        body["result"].clone()
    }

    /// Stops the server (draining requests) and drops the test database.
    pub async fn stop(mut self) {
        self.shutdown().await;
        self.store.close().await;
        if self.database_url.starts_with("postgres") {
            drop_database(&self.database_url).await;
        }
        self.stopped = true;
    }

    async fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server result");
        }
    }
}

/// A test that panics (or forgets [`TestApp::stop`]) still leaves no database behind: the
/// PostgreSQL database is dropped here, from a thread of its own (a `Drop` cannot await, and
/// the test's runtime may be the one unwinding); an SQLite file goes with its temporary
/// directory.
impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if self.stopped || !self.database_url.starts_with("postgres") {
            return;
        }
        let url = self.database_url.clone();
        let dropped =
            std::thread::spawn(move || match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime.block_on(drop_database(&url)),
                Err(e) => eprintln!("could not drop the test database {url}: {e}"),
            })
            .join();
        if dropped.is_err() {
            eprintln!("could not drop the test database {}", self.database_url);
        }
    }
}

/// Drops the test database, closing whatever connections a test left open on it (a plain
/// DROP failed quietly then, and left about 14 databases behind per run of the suite).
async fn drop_database(url: &str) {
    use sqlx::migrate::MigrateDatabase;
    if let Err(e) = sqlx::Postgres::force_drop_database(url).await {
        eprintln!("could not drop the test database: {e}");
    }
}

/// `Basic base64(user:password)`.
pub fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

/// A request sender with given credentials.
pub struct Caller<'a> {
    app: &'a TestApp,
    auth: Option<String>,
}

impl Caller<'_> {
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let (s, b, _) = self.send_full(method, path, body.map(|b| b.to_string()), &[]).await;
        (s, b)
    }

    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        body: String,
        headers: &[(&str, &str)],
    ) -> (StatusCode, Value) {
        let (s, b, _) = self.send_full(method, path, Some(body), headers).await;
        (s, b)
    }

    pub async fn send_full(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, Value, reqwest::header::HeaderMap) {
        let mut req = self.app.client.request(method, format!("{}{path}", self.app.base));
        if let Some(auth) = &self.auth {
            req = req.header("Authorization", auth);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(body) = body {
            req = req.header("Content-Type", "application/json").body(body);
        }
        let response = req.send().await.expect("request");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status} answer is not JSON ({e}): {text:?}"));
        (status, value, headers)
    }
}
