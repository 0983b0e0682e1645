//! The `contacts-server` command line (SPEC §5): `--help`, `org create`, `user create` and
//! `demo`, run as the real binary against a database of their own, which the binary creates.

use std::path::Path;
use std::process::{Command, Output};

use contacts_application::auth::{verify_password, Role};
use contacts_application::ports::{CatalogStore, Directory};
use contacts_server::demo::{ATTR1_ID as ATTR1, EMPLOYEE_ID as EMPLOYEE, PHONE_PATH_ID as PHONE};
use contacts_store_postgres::PgStore;
use serde_json::json;
use serde_json::Value;
use sqlx::migrate::MigrateDatabase;

/// The `contacts-server` binary: cargo builds it for this package's integration tests.
fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_contacts-server"))
}

/// The PostgreSQL server the tests use (`DATABASE_URL`, else the local one).
fn server_url() -> String {
    std::env::var("DATABASE_URL")
        .or_else(|_| std::env::var("TEST_DATABASE_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A database name of its own on the tests' PostgreSQL server, dropped when the test ends
/// (even when it fails).
struct CliDatabase {
    url: String,
}

impl CliDatabase {
    fn new() -> Self {
        let base = server_url();
        let (head, query) = base.split_once('?').map_or((base.as_str(), String::new()), |(h, q)| (h, format!("?{q}")));
        let slash = head.rfind('/').filter(|i| *i > "postgres://".len()).unwrap_or(head.len());
        let name = format!("cli_{}", uuid::Uuid::new_v4().simple());
        Self { url: format!("{}/{name}{query}", &head[..slash]) }
    }

    /// Runs the binary with `args` on this database.
    fn run(&self, args: &[&str]) -> Output {
        Command::new(binary())
            .args(args)
            .env("DATABASE_URL", &self.url)
            .env("RUST_LOG", "warn")
            .env_remove("LISTEN_ADDR")
            .output()
            .expect("run contacts-server")
    }

    /// Runs the binary, expects success and JSON on stdout.
    fn run_json(&self, args: &[&str]) -> Value {
        let output = self.run(args);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{args:?} failed: {}\n{stdout}", String::from_utf8_lossy(&output.stderr));
        serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}): {stdout:?}"))
    }

    async fn store(&self) -> PgStore {
        PgStore::connect(&self.url, 2).await.expect("connect to the CLI's database")
    }
}

impl Drop for CliDatabase {
    fn drop(&mut self) {
        let url = self.url.clone();
        // A runtime of its own, on a thread of its own: this may run inside the test's runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let _ = rt.block_on(sqlx::Postgres::force_drop_database(&url));
        })
        .join();
    }
}

fn failure_text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[tokio::test]
async fn help_lists_the_commands_and_their_environment_variables() {
    let output = Command::new(binary())
        .arg("--help")
        .env("DATABASE_URL", "postgres://someone:s3cr3t-pa55@db.example:5432/contacts")
        .output()
        .expect("run contacts-server --help");
    assert!(output.status.success(), "{}", failure_text(&output));
    let help = String::from_utf8_lossy(&output.stdout);
    for word in ["serve", "org", "user", "demo", "DATABASE_URL", "LISTEN_ADDR", "MAX_BATCH_SIZE", "LOG_FORMAT"] {
        assert!(help.contains(word), "--help does not mention {word}:\n{help}");
    }
    assert!(!help.contains("s3cr3t-pa55"), "--help prints the database password:\n{help}");
    for sub in [&["org", "create", "--help"][..], &["user", "create", "--help"]] {
        let output = Command::new(binary()).args(sub).output().expect("run a sub-command's --help");
        assert!(output.status.success(), "{sub:?}: {}", failure_text(&output));
        let help = String::from_utf8_lossy(&output.stdout);
        assert!(help.contains("--name") || help.contains("--username"), "{sub:?}:\n{help}");
    }
}

#[tokio::test]
async fn org_create_and_user_create_print_json_and_store_what_they_say() {
    let db = CliDatabase::new();
    let org = db.run_json(&["org", "create", "--name", "X", "--id", "77"]);
    assert_eq!(org, json!({"id": 77, "name": "X"}));
    let user =
        db.run_json(&["user", "create", "--org", "77", "--username", "u", "--password", "p", "--role", "editor"]);
    assert!(user["id"].as_i64().is_some(), "{user}");
    assert_eq!(user, json!({"id": user["id"], "username": "u", "organizationId": 77, "role": "editor"}));

    let store = db.store().await;
    let found = store.find_user("u").await.unwrap().expect("the user exists");
    assert_eq!(found.grants, vec![(77, Role::Editor)]);
    assert!(verify_password("p", &found.password_hash));
    assert!(found.password_hash.starts_with("$argon2id$"), "{}", found.password_hash);
    // The new organization is seeded like any other.
    let catalog = store.load_catalog(77).await.unwrap();
    assert_eq!(catalog.record_type(EMPLOYEE).map(|r| r.name.as_str()), Some("Employee"));
    assert_eq!(catalog.path(PHONE).map(|p| p.prompt.as_str()), Some("Mobile Phone"));
    store.pool().close().await;

    // Without --id, an id is generated.
    let generated = db.run_json(&["org", "create", "--name", "Y"]);
    assert_eq!(generated["name"], "Y");
    assert!(generated["id"].as_i64().is_some_and(|id| id > 0 && id != 77), "{generated}");
}

#[tokio::test]
async fn bad_administration_commands_fail_with_a_non_zero_exit() {
    let db = CliDatabase::new();
    db.run_json(&["org", "create", "--name", "X", "--id", "77"]);
    let cases: [(&[&str], &str); 4] = [
        (&["user", "create", "--org", "77", "--username", "bad", "--password", "p", "--role", "owner"], "owner"),
        (&["user", "create", "--org", "12345", "--username", "lost", "--password", "p", "--role", "viewer"], "12345"),
        (&["org", "create", "--name", "Again", "--id", "77"], "already taken"),
        (&["org", "create", "--id", "78"], "--name"),
    ];
    for (args, says) in cases {
        let output = db.run(args);
        assert!(!output.status.success(), "{args:?} succeeded: {}", failure_text(&output));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{args:?}: stderr should mention {says:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?} printed {}", String::from_utf8_lossy(&output.stdout));
    }
    let store = db.store().await;
    assert_eq!(store.find_user("bad").await.unwrap(), None);
    assert_eq!(store.find_user("lost").await.unwrap(), None);
    assert_eq!(store.organization(77).await.unwrap().map(|o| o.name), Some("X".to_owned()));
    assert_eq!(store.organization(78).await.unwrap(), None);
    store.pool().close().await;
}

#[tokio::test]
async fn demo_creates_the_documented_organization_and_is_idempotent() {
    let db = CliDatabase::new();
    let first = db.run_json(&["demo"]);
    let second = db.run_json(&["demo"]);
    assert_eq!(first, second, "a second run finds the same organization");
    assert_eq!(first["organizationId"], 1);
    assert_eq!(first["recordType"], json!({"id": EMPLOYEE, "name": "Employee"}));
    assert_eq!(
        first["groups"],
        json!([{"id": 1, "name": "group1"}, {"id": 2, "name": "group2"}, {"id": 3, "name": "group3"}])
    );
    assert_eq!(first["contactAttribute"]["id"], ATTR1);
    assert_eq!(first["contactPath"], json!({"pathId": PHONE, "prompt": "phone", "type": "PHONE"}));
    assert_eq!(first["user"]["username"], "demo");

    let store = db.store().await;
    let catalog = store.load_catalog(1).await.unwrap();
    assert_eq!(catalog.groups.len(), 3, "{:?}", catalog.groups);
    assert_eq!(catalog.path(PHONE).map(|p| p.prompt.as_str()), Some("phone"));
    let demo = store.find_user("demo").await.unwrap().expect("the demo user");
    assert_eq!(demo.grants, vec![(1, Role::Admin)]);
    assert!(verify_password("demo", &demo.password_hash));
    store.pool().close().await;
}
