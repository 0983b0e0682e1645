//! The `contacts-server` command line (SPEC §5): `--help`, `org create`, `user create` and
//! `demo`, run as the real binary against a database of their own, which the binary creates.

use std::path::Path;
use std::process::{Command, Output};

use contacts_application::auth::{token_hash, verify_password, Role};
use contacts_server::demo::{ATTR1_ID as ATTR1, EMPLOYEE_ID as EMPLOYEE, PHONE_PATH_ID as PHONE};
use contacts_server::Store;
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

/// A database of its own: a database on the tests' PostgreSQL server, dropped when the test
/// ends (even when it fails), or the default store, an SQLite file under a temporary
/// `--data-dir` (no `DATABASE_URL`).
struct CliDatabase {
    url: String,
    data_dir: Option<tempfile::TempDir>,
}

impl CliDatabase {
    /// The embedded default: the binary runs with no `DATABASE_URL` and `--data-dir`.
    fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let url = format!("sqlite://{}", dir.path().join("contacts.db").display());
        Self { url, data_dir: Some(dir) }
    }

    fn new() -> Self {
        let base = server_url();
        let (head, query) = base.split_once('?').map_or((base.as_str(), String::new()), |(h, q)| (h, format!("?{q}")));
        let slash = head.rfind('/').filter(|i| *i > "postgres://".len()).unwrap_or(head.len());
        let name = format!("cli_{}", uuid::Uuid::new_v4().simple());
        Self { url: format!("{}/{name}{query}", &head[..slash]), data_dir: None }
    }

    /// The binary with `args` on this database.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(binary());
        command.args(args).env("RUST_LOG", "warn").env_remove("LISTEN_ADDR");
        match &self.data_dir {
            Some(dir) => command.env_remove("DATABASE_URL").arg("--data-dir").arg(dir.path()),
            None => command.env("DATABASE_URL", &self.url),
        };
        command
    }

    /// Runs the binary with `args` on this database.
    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run contacts-server")
    }

    /// Runs the binary, expects success and JSON on stdout.
    fn run_json(&self, args: &[&str]) -> Value {
        let output = self.run(args);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{args:?} failed: {}\n{stdout}", String::from_utf8_lossy(&output.stderr));
        serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}): {stdout:?}"))
    }

    async fn store(&self) -> std::sync::Arc<dyn Store> {
        contacts_server::open_store(&self.url, 2).await.expect("open the CLI's database")
    }
}

impl Drop for CliDatabase {
    fn drop(&mut self) {
        if self.data_dir.is_some() {
            return;
        }
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
    for word in ["serve", "org", "user", "token", "demo", "DATABASE_URL", "LISTEN_ADDR", "MAX_BATCH_SIZE", "LOG_FORMAT"]
    {
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
    org_create_and_user_create_print_json_and_store_what_they_say_on(CliDatabase::new()).await;
}

#[tokio::test]
async fn org_create_and_user_create_print_json_and_store_what_they_say_on_the_default_sqlite_store() {
    org_create_and_user_create_print_json_and_store_what_they_say_on(CliDatabase::sqlite()).await;
}

async fn org_create_and_user_create_print_json_and_store_what_they_say_on(db: CliDatabase) {
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
    store.close().await;

    // Without --id, an id is generated.
    let generated = db.run_json(&["org", "create", "--name", "Y"]);
    assert_eq!(generated["name"], "Y");
    assert!(generated["id"].as_i64().is_some_and(|id| id > 0 && id != 77), "{generated}");
}

#[tokio::test]
async fn token_create_list_and_revoke_print_json_and_store_only_a_hash() {
    token_create_list_and_revoke_print_json_and_store_only_a_hash_on(CliDatabase::new()).await;
}

#[tokio::test]
async fn token_create_list_and_revoke_print_json_and_store_only_a_hash_on_the_default_sqlite_store() {
    token_create_list_and_revoke_print_json_and_store_only_a_hash_on(CliDatabase::sqlite()).await;
}

async fn token_create_list_and_revoke_print_json_and_store_only_a_hash_on(db: CliDatabase) {
    db.run_json(&["org", "create", "--name", "X", "--id", "77"]);
    let before = contacts_application::now_millis();
    let created = db.run_json(&["token", "create", "--org", "77", "--role", "editor", "--name", "nightly"]);
    let secret = created["token"].as_str().expect("the secret is printed").to_owned();
    assert!(secret.starts_with("cst_") && secret.len() == 68, "{secret}");
    let id = created["id"].as_i64().expect("an id");
    assert_eq!(created["name"], "nightly");
    assert_eq!((created["role"].clone(), created["organizationId"].clone()), (json!("editor"), json!(77)));
    let expiring = db.run_json(&["token", "create", "--org", "77", "--role", "viewer", "--expires-in-days", "30"]);
    let expires_at = expiring["expiresAt"].as_i64().expect("an expiry");
    let thirty_days = 30 * 24 * 3600 * 1000;
    assert!((before + thirty_days..before + thirty_days + 600_000).contains(&expires_at), "{expiring}");
    assert!(expiring["name"].as_str().is_some_and(|n| n.starts_with("token-")), "a default name: {expiring}");

    let store = db.store().await;
    // The store finds it by the hash of the secret and holds nothing that shows it.
    let found = store.find_token(&token_hash(&secret)).await.unwrap().expect("stored by its hash");
    assert_eq!((found.id, found.role, found.name.as_str()), (id, Role::Editor, "nightly"));
    assert_eq!(store.find_token(&secret).await.unwrap(), None);
    store.close().await;

    let listed = db.run_json(&["token", "list", "--org", "77"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(2), "{listed}");
    assert_eq!(listed[0]["id"], id);
    assert!(listed.as_array().unwrap().iter().all(|t| t.get("token").is_none()), "{listed}");
    assert!(!listed.to_string().contains(&secret[4..]), "the list shows a secret: {listed}");

    let revoked = db.run_json(&["token", "revoke", "--id", &id.to_string()]);
    assert!(revoked["revokedAt"].as_i64().is_some_and(|at| at >= before), "{revoked}");
    let store = db.store().await;
    let found = store.find_token(&token_hash(&secret)).await.unwrap().unwrap();
    assert_eq!(found.revoked_at, revoked["revokedAt"].as_i64());
    store.close().await;

    // A name active already, an unknown organization or token, a bad role: a non-zero exit
    // and one line that says which.
    let again = db.run_json(&["token", "create", "--org", "77", "--role", "admin", "--name", "nightly"]);
    assert_eq!(again["name"], "nightly", "a revoked token's name is free again");
    let cases: [(&[&str], &str); 4] = [
        (&["token", "create", "--org", "77", "--role", "admin", "--name", "nightly"], "nightly"),
        (&["token", "create", "--org", "12345", "--role", "admin"], "12345"),
        (&["token", "create", "--org", "77", "--role", "owner"], "owner"),
        (&["token", "revoke", "--id", "999999"], "999999"),
    ];
    for (args, says) in cases {
        let output = db.run(args);
        assert!(!output.status.success(), "{args:?} succeeded: {}", failure_text(&output));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{args:?}: stderr should mention {says:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?} printed {}", String::from_utf8_lossy(&output.stdout));
    }
    assert_eq!(db.run_json(&["token", "list", "--org", "77"]).as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn bad_administration_commands_fail_with_a_non_zero_exit() {
    bad_administration_commands_fail_with_a_non_zero_exit_on(CliDatabase::new()).await;
}

#[tokio::test]
async fn bad_administration_commands_fail_with_a_non_zero_exit_on_the_default_sqlite_store() {
    bad_administration_commands_fail_with_a_non_zero_exit_on(CliDatabase::sqlite()).await;
}

async fn bad_administration_commands_fail_with_a_non_zero_exit_on(db: CliDatabase) {
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
    store.close().await;
}

#[tokio::test]
async fn demo_creates_the_documented_organization_and_is_idempotent() {
    demo_creates_the_documented_organization_and_is_idempotent_on(CliDatabase::new()).await;
}

#[tokio::test]
async fn demo_creates_the_documented_organization_and_is_idempotent_on_the_default_sqlite_store() {
    demo_creates_the_documented_organization_and_is_idempotent_on(CliDatabase::sqlite()).await;
}

async fn demo_creates_the_documented_organization_and_is_idempotent_on(db: CliDatabase) {
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
    store.close().await;
}

/// What the binary printed on stderr, and the one `error:` line among it.
fn the_error_line(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "one error line expected: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    errors[0].to_owned()
}

#[test]
fn a_store_that_cannot_be_used_stops_the_start_with_one_clear_line() {
    // A regular file where a directory is needed: unwritable whoever runs the test.
    let file = tempfile::NamedTempFile::new().unwrap();
    let under_file = file.path().join("sub");
    let cases: [(Option<String>, Option<&Path>, &str); 4] = [
        (Some("mysql://root@127.0.0.1/contacts".into()), None, "DATABASE_URL must start with postgres://"),
        (Some("postgres://postgres@127.0.0.1:1/contacts".into()), None, "cannot reach postgres://postgres@127.0.0.1:1"),
        (Some(format!("sqlite://{}/contacts.db", under_file.display())), None, "cannot open the SQLite database"),
        (None, Some(&under_file), "cannot create the data directory"),
    ];
    for (url, data_dir, says) in cases {
        let mut command = Command::new(binary());
        command.arg("demo").env("RUST_LOG", "warn").env_remove("DATABASE_URL");
        if let Some(url) = &url {
            command.env("DATABASE_URL", url);
        }
        if let Some(dir) = data_dir {
            command.arg("--data-dir").arg(dir);
        }
        let output = command.output().expect("run contacts-server");
        assert_eq!(output.status.code(), Some(1), "{url:?} {data_dir:?}: {}", failure_text(&output));
        let line = the_error_line(&output);
        assert!(line.contains(says), "{url:?} {data_dir:?}: {line:?} should say {says:?}");
        assert!(output.stdout.is_empty(), "{}", failure_text(&output));
    }
}

#[test]
fn with_no_database_url_the_service_serves_on_an_sqlite_file_under_the_data_dir() {
    use std::io::{BufRead, BufReader, Read, Write};

    let db = CliDatabase::sqlite();
    let dir = db.data_dir.as_ref().unwrap().path().to_owned();
    db.run_json(&["demo"]);
    assert!(dir.join("contacts.db").is_file(), "the store is {}/contacts.db", dir.display());

    let mut server = db
        .command(&["serve"])
        .env("LISTEN_ADDR", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .env("LOG_FORMAT", "json")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start contacts-server");
    // It logs its address once it is bound: read the log until then (no sleeping).
    let mut log = BufReader::new(server.stderr.take().unwrap());
    let mut line = String::new();
    let addr = loop {
        line.clear();
        assert!(log.read_line(&mut line).unwrap() > 0, "contacts-server stopped before listening");
        if let Some(at) = line.find("127.0.0.1:") {
            let port: String = line[at + 10..].chars().take_while(char::is_ascii_digit).collect();
            break format!("127.0.0.1:{port}");
        }
    };
    assert!(line.contains("sqlite://"), "the log names the store: {line}");
    let get = |path: &str| {
        let mut stream = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Basic ZGVtbzpkZW1v\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    };
    let ready = get("/health/ready");
    let contacts = get("/rest/contacts/1");
    let _ = server.kill();
    let _ = server.wait();
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");
    assert!(contacts.starts_with("HTTP/1.1 200"), "{contacts}");
    assert!(contacts.contains("\"totalCount\":0") || contacts.contains("\"totalCount\": 0"), "{contacts}");
}

/// `LOG_FORMAT=json`: a request's line carries its request id, organization, route template,
/// status and latency; no line holds a password, a token or an `Authorization` value.
#[test]
fn json_logs_carry_each_request_and_no_secret() {
    use std::io::{BufRead, BufReader, Read, Write};

    let db = CliDatabase::sqlite();
    db.run_json(&["demo"]);
    let token = db.run_json(&["token", "create", "--org", "1", "--role", "editor", "--name", "logs"]);
    let token = token["token"].as_str().unwrap().to_owned();
    let mut server = db
        .command(&["serve"])
        .env("LISTEN_ADDR", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .env("LOG_FORMAT", "json")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start contacts-server");
    let mut log = BufReader::new(server.stderr.take().unwrap());
    let mut lines = Vec::new();
    let addr = loop {
        let mut line = String::new();
        assert!(log.read_line(&mut line).unwrap() > 0, "contacts-server stopped before listening");
        lines.push(line.clone());
        if let Some(at) = line.find("127.0.0.1:") {
            let port: String = line[at + 10..].chars().take_while(char::is_ascii_digit).collect();
            break format!("127.0.0.1:{port}");
        }
    };
    let send = |method: &str, path: &str, auth: &str, request_id: &str, body: &str| {
        let mut stream = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {auth}\r\nx-request-id: {request_id}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    };
    let basic = "Basic ZGVtbzpkZW1v"; // demo:demo
    let item = format!(r#"[{{"externalId":"log1","firstName":"A","lastName":"B","recordTypeId":{EMPLOYEE}}}]"#);
    let created = send("POST", "/rest/contacts/1/batch", basic, "req-log-basic", &item);
    assert!(created.starts_with("HTTP/1.1 200"), "{created}");
    let read = send("GET", "/rest/contacts/1/log1?idType=externalId", &format!("Bearer {token}"), "req-log-token", "");
    assert!(read.starts_with("HTTP/1.1 200"), "{read}");
    let refused = send("GET", "/rest/contacts/1", "Basic ZGVtbzp3cm9uZw==", "req-log-refused", ""); // demo:wrong
    assert!(refused.starts_with("HTTP/1.1 401"), "{refused}");
    // SIGTERM: the server drains and exits, and its log ends.
    let pid = server.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().expect("run kill");
    assert!(killed.success());
    let mut rest = String::new();
    log.read_to_string(&mut rest).unwrap();
    lines.extend(rest.lines().map(str::to_owned));
    let _ = server.wait();

    let parsed: Vec<Value> = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect();
    let answered = |request_id: &str| {
        parsed
            .iter()
            .find(|l| l["span"]["request_id"] == request_id && l["fields"]["message"] == "answered")
            .unwrap_or_else(|| panic!("no line answers {request_id}: {lines:#?}"))
    };
    for (request_id, route, status) in [
        ("req-log-basic", "/rest/contacts/{org}/batch", 200),
        ("req-log-token", "/rest/contacts/{org}/{id}", 200),
        ("req-log-refused", "/rest/contacts/{org}", 401),
    ] {
        let line = answered(request_id);
        assert_eq!(line["span"]["route"], route, "{line}");
        assert_eq!(line["fields"]["status"], status, "{line}");
        assert!(line["fields"]["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0), "{line}");
        if status == 200 {
            assert_eq!(line["span"]["org"], 1, "{line}");
        }
    }
    // The caller is named: the user, or the token by its name.
    assert_eq!(answered("req-log-basic")["span"]["caller"], "demo");
    assert_eq!(answered("req-log-token")["span"]["caller"], "token:logs");
    assert!(answered("req-log-refused")["span"].get("caller").is_none());
    let secrets = ["ZGVtbzpkZW1v", "ZGVtbzp3cm9uZw==", token.as_str(), &token[4..], "demo:demo", "Bearer", "Basic "];
    for line in &lines {
        for secret in secrets {
            assert!(!line.contains(secret), "a log line holds {secret:?}: {line}");
        }
        assert!(!line.to_ascii_lowercase().contains("authorization"), "a log line names the header: {line}");
    }
}
