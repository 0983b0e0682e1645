//! `contacts-drills`: faults injected into the real `contacts-server` binary, on PostgreSQL and
//! on SQLite, each drill printing one line of figures, then one JSON object keyed by drill (and
//! store) as the last line; exits non-zero when a drill lost data, tore a batch or answered a
//! 5xx. See the README, Reliability.
//!
//! Drills so far (issue 13): `kill9` (SIGKILL mid-batch, then restart on the same data),
//! `sigterm` (SIGTERM during concurrent batches), `tenants` (every endpoint called by one
//! organization's users and token with another's ids and names) and `two_servers` (two
//! processes on one PostgreSQL database, overlapping batches).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use base64::Engine;
use clap::Parser;
use rand::Rng;
use serde_json::{json, Value};
use sqlx::Connection;

use contacts_drills::server::{self, Server, Store, StoreKind};

mod bad_input;

const ORG: i64 = contacts_server::demo::DEMO_ORG_ID;
const EMPLOYEE: i64 = contacts_server::demo::EMPLOYEE_ID;
const PHONE: i64 = contacts_server::demo::PHONE_PATH_ID;
/// Items per batch: the headline call's usual size.
const BATCH: usize = 1000;

#[derive(Parser)]
#[command(about = "Fault drills against the real contacts-server binary (README, Reliability).")]
struct Args {
    /// The short version (a few kills per store): what `scripts/test` runs.
    #[arg(long)]
    quick: bool,
    /// The stores to drill (both by default).
    #[arg(long, value_enum)]
    store: Vec<StoreKind>,
    /// The server binary (default: `contacts-server` beside this one).
    #[arg(long)]
    server: Option<PathBuf>,
    /// The PostgreSQL server; a fresh database `drill_<uuid>` is made on it per drill.
    #[arg(long, env = "DATABASE_URL", default_value = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")]
    database_url: String,
    /// Kills per store in `kill9` (default 20; 5 with --quick).
    #[arg(long)]
    kills: Option<usize>,
    /// Generated requests per store in `bad_input` (default 10,000; 3,000 with --quick).
    #[arg(long)]
    requests: Option<usize>,
    /// Runs only these drills (`kill9`, `pg_restart`, `sigterm`, `tenants`, `two_servers`,
    /// `bad_input`); all by default.
    #[arg(long)]
    drill: Vec<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let binary = match &args.server {
        Some(path) => path.clone(),
        None => server::binary_beside()
            .context("no contacts-server beside this binary: build it (cargo build --release -p contacts-server) or pass --server")?,
    };
    if !binary.is_file() {
        bail!("no contacts-server binary at {}", binary.display());
    }
    let stores = if args.store.is_empty() { vec![StoreKind::Postgres, StoreKind::Sqlite] } else { args.store.clone() };
    let kills = args.kills.unwrap_or(if args.quick { 5 } else { 20 });
    let mut report = serde_json::Map::new();
    let mut failed = false;
    let rounds = if args.quick { 5 } else { 20 };
    let drills = [
        ("kill9", Drill::Kill9 { kills }),
        ("pg_restart", Drill::PgRestart { quick: args.quick }),
        ("bad_input", Drill::BadInput { requests: args.requests.unwrap_or(if args.quick { 3_000 } else { 10_000 }) }),
        ("sigterm", Drill::Sigterm),
        ("tenants", Drill::Tenants),
        ("two_servers", Drill::TwoServers { rounds }),
    ];
    if let Some(unknown) = args.drill.iter().find(|d| !drills.iter().any(|(name, _)| name == d)) {
        let names: Vec<&str> = drills.iter().map(|(name, _)| *name).collect();
        bail!("no drill {unknown:?}: the drills are {}", names.join(", "));
    }
    for (drill, run) in drills {
        if !args.drill.is_empty() && !args.drill.iter().any(|d| d == drill) {
            continue;
        }
        let mut per_store = serde_json::Map::new();
        for &kind in &stores {
            if matches!(run, Drill::TwoServers { .. } | Drill::PgRestart { .. }) && kind != StoreKind::Postgres {
                continue; // two processes share a PostgreSQL database; PostgreSQL restarts
            }
            // pg_restart starts a PostgreSQL cluster of its own, to restart it.
            let store = match run {
                Drill::PgRestart { .. } => None,
                _ => Some(Store::create(kind, &args.database_url).await?),
            };
            let outcome = run.run(&binary, store.as_ref().map(|s| s.url.as_str())).await;
            if let Some(store) = store {
                store.remove().await?;
            }
            let figures = outcome.with_context(|| format!("drill {drill} on {}", kind.name()))?;
            let bad = [
                "torn",
                "lost",
                "5xx",
                "retries_wrong",
                "retries_refused_in_progress",
                "histories_bad",
                "leaks",
                "deadlocks_to_clients",
                "duplicate_external_ids",
                "hangs",
                "no_answer",
                "not_envelope",
                "changed_tables",
                "ready_timeouts",
                "sql_text",
                "503_without_retry_after",
                "server_restarted",
            ]
            .iter()
            .any(|k| figures[*k].as_u64().unwrap_or(0) > 0)
                || figures["exited_within_limit"] == json!(false);
            failed |= bad;
            println!("{drill} {:<8} {}{}", kind.name(), line(&figures), if bad { "  FAILED" } else { "" });
            per_store.insert(kind.name().to_owned(), figures);
        }
        report.insert(drill.to_owned(), Value::Object(per_store));
    }
    println!("{}", Value::Object(report));
    if failed {
        bail!("a drill lost data, tore a batch or answered a 5xx (see above)");
    }
    Ok(())
}

/// `key=value` pairs of a drill's figures, in their order.
fn line(figures: &Value) -> String {
    figures
        .as_object()
        .map_or_else(String::new, |m| m.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" "))
}

#[derive(Clone, Copy)]
enum Drill {
    Kill9 { kills: usize },
    PgRestart { quick: bool },
    BadInput { requests: usize },
    Sigterm,
    Tenants,
    TwoServers { rounds: usize },
}

impl Drill {
    /// Runs the drill on the store at `url`, seeded first (none for pg_restart, which makes a
    /// PostgreSQL cluster of its own).
    async fn run(self, binary: &Path, url: Option<&str>) -> anyhow::Result<Value> {
        let seeded = || -> anyhow::Result<&str> {
            let url = url.context("a store to drill")?;
            Server::seed(binary, url)?;
            Ok(url)
        };
        match self {
            Drill::PgRestart { quick } => pg_restart(binary, quick).await,
            Drill::Kill9 { kills } => kill9(binary, seeded()?, kills).await,
            Drill::BadInput { requests } => bad_input::bad_input(binary, seeded()?, requests).await,
            Drill::Sigterm => sigterm(binary, seeded()?).await,
            Drill::Tenants => tenants(binary, seeded()?).await,
            Drill::TwoServers { rounds } => two_servers(binary, seeded()?, rounds).await,
        }
    }
}

/// The API as the drills call it (the demo admin).
#[derive(Clone)]
struct Api {
    client: reqwest::Client,
    base: String,
    auth: String,
}

/// What a request came to: an HTTP status, or no answer at all (the connection dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Status(u16),
    NoAnswer,
}

impl Api {
    fn new(base: &str) -> Self {
        Self::as_user(base, "demo", "demo")
    }

    fn as_user(base: &str, user: &str, password: &str) -> Self {
        let auth = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")));
        Self { client: reqwest::Client::new(), base: base.to_owned(), auth }
    }

    fn as_token(base: &str, token: &str) -> Self {
        Self { client: reqwest::Client::new(), base: base.to_owned(), auth: format!("Bearer {token}") }
    }

    /// A request that must succeed (200): its answer as JSON (`null` if it is none).
    async fn ok(&self, method: reqwest::Method, path: &str, body: Option<String>) -> anyhow::Result<Value> {
        let (answer, text) = self.send(method.clone(), path, body, None).await;
        if answer != Answer::Status(200) {
            bail!("{method} {path}: {answer:?} {text:.300}");
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<String>,
        key: Option<&str>,
    ) -> (Answer, String) {
        let mut req = self.client.request(method, format!("{}{path}", self.base)).header("Authorization", &self.auth);
        if let Some(body) = body {
            req = req.header("Content-Type", "application/json").body(body);
        }
        if let Some(key) = key {
            req = req.header("Idempotency-Key", key);
        }
        match req.send().await {
            Ok(r) => {
                let status = r.status().as_u16();
                (Answer::Status(status), r.text().await.unwrap_or_default())
            }
            Err(_) => (Answer::NoAnswer, String::new()),
        }
    }

    /// The contacts `range` (externalIds `d-<i>`): (firstName, version) by externalId.
    async fn states(&self, count: usize) -> anyhow::Result<HashMap<String, (String, i64)>> {
        let mut found = HashMap::new();
        for page in 1.. {
            let path = format!("/rest/contacts/{ORG}?pageSize=3000&pageNumber={page}");
            let body = self.ok(reqwest::Method::GET, &path, None).await?;
            let data = body["page"]["data"].as_array().context("a page")?;
            for c in data {
                let ext = c["externalId"].as_str().unwrap_or_default().to_owned();
                let name = c["firstName"].as_str().unwrap_or_default().to_owned();
                found.insert(ext, (name, c["version"].as_i64().unwrap_or(-1)));
            }
            if data.is_empty() || found.len() >= count {
                break;
            }
        }
        Ok(found)
    }

    /// The versions of contact `id`'s history entries, newest first.
    async fn history_versions(&self, id: i64) -> anyhow::Result<Vec<i64>> {
        let path = format!("/rest/contacts/{ORG}/{id}/history?pageSize=3000");
        let body = self.ok(reqwest::Method::GET, &path, None).await?;
        Ok(body["page"]["data"].as_array().context("a page")?.iter().filter_map(|e| e["version"].as_i64()).collect())
    }
}

/// The body of a full-replace batch: contacts `range` in `round` (every item changed from any
/// other round: its first name and its phone number).
fn batch(range: std::ops::Range<usize>, round: usize) -> String {
    let items: Vec<Value> = range
        .map(|i| {
            json!({
                "externalId": format!("d-{i}"),
                "firstName": format!("R{round}-{i}"),
                "lastName": format!("L{i}"),
                "recordTypeId": EMPLOYEE,
                "paths": [{"pathId": PHONE, "value": format!("781555{:04}", (i + round * 37) % 10_000), "countryCode": "US"}],
            })
        })
        .collect();
    Value::Array(items).to_string()
}

const UPDATE: &str = "/rest/contacts/{org}/batch?idType=externalId&updateType=full&atomic=true";

fn update_path() -> String {
    UPDATE.replace("{org}", &ORG.to_string())
}

/// Classifies the contacts `range` after a batch of `round` that was meant to move them from
/// `versions` (by externalId): all moved (`Some(true)`), none (`Some(false)`), or torn (`None`).
fn classify(
    states: &HashMap<String, (String, i64)>,
    range: std::ops::Range<usize>,
    round: usize,
    versions: &HashMap<String, i64>,
) -> Option<bool> {
    let count = range.len();
    let (mut moved, mut stayed) = (0, 0);
    for i in range {
        let ext = format!("d-{i}");
        let (name, version) = states.get(&ext)?;
        let before = versions.get(&ext).copied().unwrap_or_default();
        if *name == format!("R{round}-{i}") && *version == before + 1 {
            moved += 1;
        } else if *name != format!("R{round}-{i}") && *version == before {
            stayed += 1;
        }
    }
    match (moved, stayed) {
        (m, 0) if m == count => Some(true),
        (0, s) if s == count => Some(false),
        _ => None,
    }
}

/// kill -9 mid-batch, `kills` times: each time a 1000-item atomic full update (every item
/// changed) with an `Idempotency-Key` is sent and the server is killed at a random moment
/// within the time a batch takes, then started again on the same data. The batch must be
/// whole or absent; the same request sent again with its key must leave it applied exactly
/// once; at the end every contact's history lists each version once.
async fn kill9(binary: &Path, url: &str, kills: usize) -> anyhow::Result<Value> {
    let server = Server::start(binary, url, 300).await?;
    let api = Api::new(&server.base);
    api.ok(reqwest::Method::POST, &format!("/rest/contacts/{ORG}/batch"), Some(batch(0..BATCH, 0))).await?;
    // One batch not killed: how long a batch takes here.
    let t = Instant::now();
    api.ok(reqwest::Method::PUT, &update_path(), Some(batch(0..BATCH, 1))).await?;
    let batch_time = t.elapsed();
    // Requests stopped after five batches' time (3 s at least, for a loaded machine): a key a
    // killed server left in progress is free again after twice that (the lease), which the
    // retries below wait out.
    let timeout = (batch_time.as_secs_f64() * 5.0).ceil().max(3.0) as u64;
    server.kill9()?;
    let mut server = Server::start(binary, url, timeout).await?;
    let mut api = Api::new(&server.base);
    let mut versions: HashMap<String, i64> = api.states(BATCH).await?.into_iter().map(|(k, (_, v))| (k, v)).collect();
    let (mut whole, mut absent, mut torn, mut lost) = (0, 0, 0, 0);
    let (mut applied_once, mut refused_in_progress, mut wrong) = (0, 0, 0);
    let (mut retries_waited, mut retry_wait_max) = (0, Duration::ZERO);
    let mut answered_before_kill = 0;
    let mut server_errors = 0u64;
    for k in 0..kills {
        let round = k + 2;
        let key = format!("kill9-{round}-{}", uuid::Uuid::new_v4().simple());
        let body = batch(0..BATCH, round);
        let request = {
            let (api, body, key) = (api.clone(), body.clone(), key.clone());
            tokio::spawn(async move { api.send(reqwest::Method::PUT, &update_path(), Some(body), Some(&key)).await })
        };
        // Anywhere from before the request is read to after it committed.
        let delay = rand::thread_rng().gen_range(0..=batch_time.as_millis().max(1) as u64 * 3 / 2);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        server.kill9()?;
        let (answer, _) = request.await?;
        if answer == Answer::Status(200) {
            answered_before_kill += 1;
        }
        server_errors += u64::from(matches!(answer, Answer::Status(s) if s >= 500));
        server = Server::start(binary, url, timeout).await?;
        api = Api::new(&server.base);
        let states = api.states(BATCH).await?;
        match classify(&states, 0..BATCH, round, &versions) {
            Some(true) => whole += 1,
            Some(false) => {
                absent += 1;
                // An acknowledged batch that is absent was lost.
                if answer == Answer::Status(200) {
                    lost += 1;
                }
            }
            None => torn += 1,
        }
        // The client retries with its key: replayed (if the batch committed and its answer was
        // recorded) or run anew; either way applied exactly once. A 409 says the key is still
        // in progress: the killed server's claim, free once its lease (twice the request
        // timeout) has passed. The client waits it out.
        let waited = Instant::now();
        let lease = Duration::from_secs(2 * timeout);
        let retry = loop {
            let (retry, _) = api.send(reqwest::Method::PUT, &update_path(), Some(body.clone()), Some(&key)).await;
            if retry != Answer::Status(409) || waited.elapsed() > lease + Duration::from_secs(5) {
                break retry;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        };
        server_errors += u64::from(matches!(retry, Answer::Status(s) if s >= 500));
        if waited.elapsed() > Duration::from_millis(200) {
            retries_waited += 1;
            retry_wait_max = retry_wait_max.max(waited.elapsed());
        }
        // Sent again, a batch already applied changes nothing (its items equal the stored
        // contacts): whether replayed or run anew, it must now be applied exactly once.
        let states = api.states(BATCH).await?;
        match (retry, classify(&states, 0..BATCH, round, &versions)) {
            (Answer::Status(200), Some(true)) => applied_once += 1,
            (Answer::Status(409), Some(false)) => refused_in_progress += 1,
            _ => wrong += 1,
        }
        versions = states.into_iter().map(|(k, (_, v))| (k, v)).collect();
    }
    // Every contact's history: versions 1..=v, each once.
    let ids = contact_ids(&api).await?;
    let mut history_bad = 0;
    for id in ids.iter().step_by((ids.len() / 50).max(1)) {
        let mut got = api.history_versions(*id).await?;
        got.sort_unstable();
        let newest = got.last().copied().unwrap_or_default();
        if got != (1..=newest).collect::<Vec<_>>() {
            history_bad += 1;
        }
    }
    server.kill9()?;
    Ok(json!({
        "kills": kills,
        "answered_before_kill": answered_before_kill,
        "batches_whole": whole,
        "batches_absent": absent,
        "torn": torn,
        "lost": lost,
        "retries_applied_once": applied_once,
        "retries_refused_in_progress": refused_in_progress,
        "retries_wrong": wrong,
        "retries_waited_for_lease": retries_waited,
        "retry_wait_ms_max": retry_wait_max.as_millis() as u64,
        "request_timeout_s": timeout,
        "histories_checked": ids.len().div_ceil((ids.len() / 50).max(1)),
        "histories_bad": history_bad,
        "5xx": server_errors,
        "batch_ms": batch_time.as_millis() as u64,
    }))
}

/// The first id of a batch answer's `data` (ids come as strings, Everbridge's way).
fn first_id(answer: &Value) -> Option<i64> {
    let first = &answer["data"][0];
    first.as_str().and_then(|s| s.parse().ok()).or_else(|| first.as_i64())
}

/// The ids of the drill's contacts.
async fn contact_ids(api: &Api) -> anyhow::Result<Vec<i64>> {
    let body = api.ok(reqwest::Method::GET, &format!("/rest/contacts/{ORG}?pageSize=3000"), None).await?;
    Ok(body["page"]["data"].as_array().context("a page")?.iter().filter_map(|c| c["id"].as_i64()).collect())
}

/// SIGTERM during 8 concurrent batches (each of its own 250 contacts): every request completes
/// (its batch whole) or gets no answer / a clean refusal (its batch whole or absent, never
/// torn), no 5xx, and the server exits within the drain limit.
async fn sigterm(binary: &Path, url: &str) -> anyhow::Result<Value> {
    const CLIENTS: usize = 8;
    const EACH: usize = 250;
    const DRAIN_LIMIT: Duration = Duration::from_secs(30);
    let server = Server::start(binary, url, 300).await?;
    let api = Api::new(&server.base);
    api.ok(reqwest::Method::POST, &format!("/rest/contacts/{ORG}/batch"), Some(batch(0..CLIENTS * EACH, 0))).await?;
    let t = Instant::now();
    api.ok(reqwest::Method::PUT, &update_path(), Some(batch(0..EACH, 1))).await?;
    let batch_time = t.elapsed();
    let versions: HashMap<String, i64> =
        api.states(CLIENTS * EACH).await?.into_iter().map(|(k, (_, v))| (k, v)).collect();
    let requests: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let api = api.clone();
            let range = c * EACH..(c + 1) * EACH;
            // Contacts 0..EACH were moved to round 1 already: every batch moves to round 2.
            tokio::spawn(
                async move { api.send(reqwest::Method::PUT, &update_path(), Some(batch(range, 2)), None).await },
            )
        })
        .collect();
    tokio::time::sleep(batch_time / 2).await;
    let term_at = Instant::now();
    server.terminate()?;
    let code = server.wait(DRAIN_LIMIT).await?;
    let exit_ms = term_at.elapsed().as_millis() as u64;
    let answers: Vec<Answer> =
        futures::future::join_all(requests).await.into_iter().map(|r| r.map(|(a, _)| a)).collect::<Result<_, _>>()?;
    let server = Server::start(binary, url, 300).await?;
    let api = Api::new(&server.base);
    let states = api.states(CLIENTS * EACH).await?;
    let (mut completed, mut refused, mut server_errors, mut torn, mut lost) = (0, 0, 0, 0, 0);
    for (c, answer) in answers.iter().enumerate() {
        let state = classify(&states, c * EACH..(c + 1) * EACH, 2, &versions);
        match answer {
            Answer::Status(200) => {
                completed += 1;
                if state != Some(true) {
                    lost += 1;
                }
            }
            Answer::Status(s) if *s >= 500 => server_errors += 1,
            other => {
                eprintln!("sigterm: batch {c} answered {other:?}");
                refused += 1;
            }
        }
        if state.is_none() {
            torn += 1;
        }
    }
    server.kill9()?;
    Ok(json!({
        "batches": CLIENTS,
        "completed": completed,
        "refused_or_cut": refused,
        "5xx": server_errors,
        "torn": torn,
        "lost": lost,
        "exit_ms": exit_ms,
        "exited_within_limit": code.is_some(),
        "exit_code": code,
    }))
}

/// Runs `contacts-server <args>` on `url`; its standard output as JSON.
fn admin(binary: &Path, url: &str, args: &[&str]) -> anyhow::Result<Value> {
    let out = std::process::Command::new(binary).args(args).env("DATABASE_URL", url).output()?;
    if !out.status.success() {
        bail!("contacts-server {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    }
    Ok(serde_json::from_slice(&out.stdout)?)
}

/// What marks organization B's data: no answer to A may contain it.
const SECRET: &str = "Bsecret";

/// Tenant isolation: organizations A (the demo one) and B with the same externalIds, group,
/// attribute and topic names, B's data marked [`SECRET`]. Every operation of the OpenAPI
/// document is called by A's admin, editor, viewer and API token, with B's organization in the
/// path and with A's, each `{id}`/`{group}` set to B's contact, group, attribute or topic id
/// (and to a shared externalId with `idType=externalId`), each writing method with bodies that
/// name B's ids. A leak: an answer to A that contains B's data, a success on B's organization,
/// or any change in B (a digest of everything B's admin can read, before and after).
async fn tenants(binary: &Path, url: &str) -> anyhow::Result<Value> {
    admin(binary, url, &["org", "create", "--name", "B", "--id", "2"])?;
    admin(binary, url, &["user", "create", "--org", "2", "--username", "bob", "--password", "bob", "--role", "admin"])?;
    for role in ["editor", "viewer"] {
        admin(binary, url, &["user", "create", "--org", "1", "--username", role, "--password", role, "--role", role])?;
    }
    let token = admin(binary, url, &["token", "create", "--org", "1", "--role", "admin", "--name", "drill"])?;
    let token = token["token"].as_str().context("a token")?.to_owned();
    let server = Server::start(binary, url, 300).await?;
    let base = server.base.clone();
    let a = Api::new(&base);
    let b = Api::as_user(&base, "bob", "bob");
    // The same names and externalIds in both organizations; B's values carry the secret.
    let mut ids: HashMap<(i64, &str), i64> = HashMap::new();
    for (org, api, mark) in [(1_i64, &a, "A"), (2, &b, SECRET)] {
        let post = |segment: &str, body: Value| {
            let path = format!("/rest/{segment}/{org}");
            async move { api.ok(reqwest::Method::POST, &path, Some(body.to_string())).await }
        };
        let group = post("groups", json!({"name": "Shared", "description": format!("{mark} group")})).await?;
        ids.insert((org, "group"), group["id"].as_i64().context("a group id")?);
        let attr = post(
            "contactAttributes",
            json!({"name": "Shared", "dataType": "STRING", "definedValues": [format!("{mark}-v")]}),
        )
        .await?;
        ids.insert((org, "attribute"), attr["id"].as_i64().context("an attribute id")?);
        let topic = post("topics", json!({"name": "Shared"})).await?;
        ids.insert((org, "topic"), topic["id"].as_i64().context("a topic id")?);
        let items: Vec<Value> = (0..10)
            .map(|i| {
                json!({"externalId": format!("t-{i}"), "firstName": format!("{mark}{i}"), "lastName": format!("{mark}-last"),
                       "recordTypeId": EMPLOYEE, "groups": [ids[&(org, "group")]], "topics": [ids[&(org, "topic")]],
                       "contactAttributes": [{"orgAttrId": ids[&(org, "attribute")], "values": [format!("{mark}-v")]}],
                       "paths": [{"pathId": PHONE, "value": "7815550100", "countryCode": "US"}]})
            })
            .collect();
        let created = api
            .ok(reqwest::Method::POST, &format!("/rest/contacts/{org}/batch"), Some(Value::Array(items).to_string()))
            .await?;
        ids.insert((org, "contact"), first_id(&created).context("a contact id")?);
    }
    let digest_of_b = || async {
        let mut all = String::new();
        for path in [
            "/rest/contacts/2?pageSize=100",
            "/rest/groups/2",
            "/rest/contactAttributes/2",
            "/rest/topics/2",
            "/rest/recordTypes/2",
            "/rest/contactPaths/2",
            "/rest/groups/2/contacts?pageSize=100",
        ] {
            all.push_str(&b.ok(reqwest::Method::GET, path, None).await?.to_string());
        }
        let contact = ids[&(2, "contact")];
        all.push_str(
            &b.ok(reqwest::Method::GET, &format!("/rest/contacts/2/{contact}/history"), None).await?.to_string(),
        );
        anyhow::Ok(all)
    };
    let before = digest_of_b().await?;
    if !before.contains(SECRET) {
        bail!("B's data does not carry its mark");
    }
    let spec: Value = serde_json::from_str(&a.send(reqwest::Method::GET, "/openapi.json", None, None).await.1)?;
    let callers = [
        ("admin", a.clone()),
        ("editor", Api::as_user(&base, "editor", "editor")),
        ("viewer", Api::as_user(&base, "viewer", "viewer")),
        ("token", Api::as_token(&base, &token)),
    ];
    let b_contact = ids[&(2, "contact")];
    let b_values = [b_contact, ids[&(2, "group")], ids[&(2, "attribute")], ids[&(2, "topic")]];
    let bodies = |id: i64| {
        let item = json!({"id": id, "externalId": "t-0", "firstName": "hijack", "lastName": "x", "recordTypeId": EMPLOYEE,
                          "name": "Shared", "groups": [ids[&(2, "group")]], "groupId": ids[&(2, "group")]});
        [
            json!([item.clone()]),
            item,
            json!([id]),
            json!({"contactIds": [id], "groupIds": [ids[&(2, "group")]]}),
            json!([{"op": "replace", "path": "/firstName", "value": "hijack"}]),
        ]
    };
    let (mut calls, mut leaks, mut server_errors) = (0u64, 0u64, 0u64);
    let mut leak_examples = Vec::new();
    let paths = spec["paths"].as_object().context("the OpenAPI paths")?;
    for (template, operations) in paths {
        if !template.contains("{org}") {
            continue;
        }
        for method in operations.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()).unwrap_or_default() {
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes())?;
            for org in [1, 2] {
                for value in b_values {
                    for query in ["", "?idType=externalId"] {
                        let id = if query.is_empty() { value.to_string() } else { "t-0".to_owned() };
                        let path = template
                            .replace("{org}", &org.to_string())
                            .replace("{id}", &id)
                            .replace("{group}", &value.to_string());
                        let path = format!("{path}{query}");
                        let with_body = matches!(
                            method,
                            reqwest::Method::POST
                                | reqwest::Method::PUT
                                | reqwest::Method::PATCH
                                | reqwest::Method::DELETE
                        );
                        let candidates: Vec<Option<String>> = if with_body {
                            bodies(value).iter().map(|b| Some(b.to_string())).collect()
                        } else {
                            vec![None]
                        };
                        for body in candidates {
                            for (who, api) in &callers {
                                calls += 1;
                                let (answer, text) = api.send(method.clone(), &path, body.clone(), None).await;
                                let Answer::Status(status) = answer else { continue };
                                if status >= 500 {
                                    server_errors += 1;
                                }
                                let leaked = text.contains(SECRET) || (org == 2 && (200..300).contains(&status));
                                if leaked {
                                    leaks += 1;
                                    if leak_examples.len() < 5 {
                                        leak_examples.push(format!("{who} {method} {path}: {status} {text:.200}"));
                                    }
                                }
                            }
                        }
                    }
                    if !template.contains("{id}") && !template.contains("{group}") {
                        break; // no path parameter to vary
                    }
                }
            }
        }
    }
    let after = digest_of_b().await?;
    let b_changed = before != after;
    if b_changed {
        leaks += 1;
        leak_examples.push("B's data changed".to_owned());
    }
    for example in &leak_examples {
        eprintln!("tenants: leak: {example}");
    }
    server.kill9()?;
    Ok(json!({
        "calls": calls,
        "leaks": leaks,
        "5xx": server_errors,
        "b_changed": b_changed,
    }))
}

/// Two server processes on one PostgreSQL database, `rounds` times at once: full updates of
/// overlapping halves of 1,000 contacts (400 in common) from each, the same 100 new externalIds
/// created from both (`POST`: the second finds the first's and updates it), and one externalId
/// claimed by two different contacts, one from each. No answer may be a 5xx or a busy 409 (a
/// deadlock or a conflict that outlasted the retries, surfaced to a client); every
/// acknowledged batch must be in the store; no externalId may be held by two active contacts.
async fn two_servers(binary: &Path, url: &str, rounds: usize) -> anyhow::Result<Value> {
    let one = Server::start(binary, url, 300).await?;
    let two = Server::start(binary, url, 300).await?;
    let (a, b) = (Api::new(&one.base), Api::new(&two.base));
    a.ok(reqwest::Method::POST, &format!("/rest/contacts/{ORG}/batch"), Some(batch(0..BATCH, 0))).await?;
    let insert = format!("/rest/contacts/{ORG}/batch");
    let (mut deadlocks, mut server_errors, mut lost, mut claims_won, mut claims_refused) = (0, 0, 0, 0, 0);
    for round in 1..=rounds {
        let created = |i: usize| {
            json!({"externalId": format!("n{round}-{i}"), "firstName": format!("N{round}-{i}"), "lastName": "L",
                   "recordTypeId": EMPLOYEE})
        };
        let news = Value::Array((0..100).map(created).collect()).to_string();
        let claim = |i: usize| {
            json!([{"externalId": format!("claim-{round}-{i}"), "firstName": "C", "lastName": "L", "recordTypeId": EMPLOYEE}])
                .to_string()
        };
        // The claim: contact `claim-<round>-<k>` created from each server under one externalId
        // (`claim-<round>`) renamed onto both: one wins, the other is refused.
        let (x, y) = (claim(1), claim(2));
        let (cx, cy) = futures::join!(
            a.ok(reqwest::Method::POST, &insert, Some(x)),
            b.ok(reqwest::Method::POST, &insert, Some(y))
        );
        let (idx, idy) = (first_id(&cx?).context("a claimant id")?, first_id(&cy?).context("a claimant id")?);
        let renamed = |id: i64| {
            json!([{"id": id, "externalId": format!("claim-{round}"), "firstName": "C", "lastName": "L", "recordTypeId": EMPLOYEE}])
                .to_string()
        };
        let update = format!("/rest/contacts/{ORG}/batch?idType=id&updateType=full");
        let full = update_path();
        let results = futures::join!(
            a.send(reqwest::Method::PUT, &full, Some(batch(0..600, round)), None),
            b.send(reqwest::Method::PUT, &full, Some(batch(400..BATCH, round)), None),
            a.send(reqwest::Method::POST, &insert, Some(news.clone()), None),
            b.send(reqwest::Method::POST, &insert, Some(news.clone()), None),
            a.send(reqwest::Method::PUT, &update, Some(renamed(idx)), None),
            b.send(reqwest::Method::PUT, &update, Some(renamed(idy)), None),
        );
        let answers = [&results.0, &results.1, &results.2, &results.3, &results.4, &results.5];
        for (answer, text) in answers {
            match answer {
                Answer::Status(s) if *s >= 500 => server_errors += 1,
                Answer::Status(409) if text.contains("busy") => deadlocks += 1,
                _ => {}
            }
        }
        let claims = [&results.4, &results.5];
        claims_won += claims.iter().filter(|(a, _)| *a == Answer::Status(200)).count();
        claims_refused += claims.iter().filter(|(a, _)| *a == Answer::Status(409)).count();
        // Every acknowledged update is in the store: both set round `round`'s values.
        let states = a.states(BATCH + 200 * round).await?;
        for (acknowledged, range) in [(&results.0, 0..600), (&results.1, 400..BATCH)] {
            if acknowledged.0 == Answer::Status(200) {
                lost += range
                    .filter(|i| states.get(&format!("d-{i}")).is_none_or(|(name, _)| *name != format!("R{round}-{i}")))
                    .count();
            }
        }
        for (acknowledged, _) in [&results.2, &results.3] {
            if *acknowledged == Answer::Status(200) {
                lost += (0..100).filter(|i| !states.contains_key(&format!("n{round}-{i}"))).count();
            }
        }
    }
    // No externalId is held by two active contacts: asked of the database itself.
    let mut conn = sqlx::PgConnection::connect(url).await?;
    let duplicates: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT 1 FROM contacts WHERE status = 'A' \
         GROUP BY organization_id, external_id HAVING count(*) > 1) AS d",
    )
    .fetch_one(&mut conn)
    .await?;
    conn.close().await?;
    one.kill9()?;
    two.kill9()?;
    Ok(json!({
        "rounds": rounds,
        "batches": rounds * 6,
        "deadlocks_to_clients": deadlocks,
        "5xx": server_errors,
        "lost": lost,
        "duplicate_external_ids": duplicates,
        "claims_won": claims_won,
        "claims_refused": claims_refused,
    }))
}

/// Words of SQL and of the driver that an answer must never show (a leaked database error).
const SQL_WORDS: [&str; 8] = ["SELECT", "INSERT", "UPDATE ", "relation", "sqlx", "SQLSTATE", "postgres", "pg_"];

/// PostgreSQL restarted under load: a cluster of the drill's own, 4 clients each sending
/// 1000-item atomic full updates of their own contacts without pause; PostgreSQL is stopped
/// (`pg_ctl stop -m fast`), held down `HOLD`, started again, while `/health/ready` is polled.
/// The server must stay up, say not ready during the outage and ready after without a restart,
/// answer requests during the outage with a clear 503 (no other 5xx, no SQL, none left without
/// an answer past the client's timeout), and keep every acknowledged batch.
async fn pg_restart(binary: &Path, quick: bool) -> anyhow::Result<Value> {
    const CLIENTS: usize = 4;
    const HOLD: Duration = Duration::from_secs(2);
    /// A request not answered within this is a hang (the server's own bounds are 5 s for a
    /// connection and REQUEST_TIMEOUT_SECONDS for the request).
    const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);
    let restarts = if quick { 1 } else { 3 };
    let cluster = server::Cluster::start()?;
    let url = cluster.url();
    Server::seed(binary, &url)?;
    let mut server = Server::start(binary, &url, 300).await?;
    let api = Api::new(&server.base);
    api.ok(reqwest::Method::POST, &format!("/rest/contacts/{ORG}/batch"), Some(batch(0..CLIENTS * BATCH, 0))).await?;
    let client = reqwest::Client::builder().timeout(CLIENT_TIMEOUT).build()?;
    let api = Api { client, ..api };

    #[derive(Default)]
    struct Tally {
        requests: u64,
        acknowledged: u64,
        answered_503: u64,
        other_5xx: u64,
        other_4xx: u64,
        no_answer: u64,
        sql_text: u64,
        without_retry_after: u64,
        /// The last round acknowledged, per client.
        acked: Vec<usize>,
    }
    let tally = std::sync::Arc::new(std::sync::Mutex::new(Tally { acked: vec![0; CLIENTS], ..Tally::default() }));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (api, tally, stop) = (api.clone(), tally.clone(), stop.clone());
            tokio::spawn(async move {
                let range = c * BATCH..(c + 1) * BATCH;
                let mut round = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    round += 1;
                    let req = api
                        .client
                        .put(format!("{}{}", api.base, update_path()))
                        .header("Authorization", &api.auth)
                        .header("Content-Type", "application/json")
                        .body(batch(range.clone(), round));
                    let answer = match req.send().await {
                        Ok(response) => {
                            let status = response.status().as_u16();
                            let retry_after = response.headers().contains_key("retry-after");
                            response.text().await.ok().map(|text| (status, retry_after, text))
                        }
                        Err(_) => None,
                    };
                    let mut t = tally.lock().expect("the tally");
                    t.requests += 1;
                    let Some((status, retry_after, text)) = answer else {
                        t.no_answer += 1;
                        continue;
                    };
                    if SQL_WORDS.iter().any(|w| text.contains(w)) {
                        eprintln!("pg_restart: an answer shows SQL or the driver: {status} {text:.300}");
                        t.sql_text += 1;
                    }
                    match status {
                        200 => {
                            t.acknowledged += 1;
                            t.acked[c] = round;
                        }
                        503 => {
                            t.answered_503 += 1;
                            if !retry_after {
                                t.without_retry_after += 1;
                            }
                        }
                        s if s >= 500 => {
                            eprintln!("pg_restart: {s} {text:.300}");
                            t.other_5xx += 1;
                        }
                        s => {
                            eprintln!("pg_restart: {s} {text:.300}");
                            t.other_4xx += 1;
                        }
                    }
                }
            })
        })
        .collect();
    let acknowledged = || tally.lock().expect("the tally").acknowledged;
    let ready = |api: &Api| {
        let request = api.client.get(format!("{}/health/ready", api.base)).timeout(Duration::from_secs(5)).send();
        async move { request.await.map(|r| r.status().as_u16()).ok() }
    };
    let (mut outage, mut saw_503, mut ready_timeouts) = (Duration::ZERO, 0, 0);
    for _ in 0..restarts {
        // Load first: every client has had batches acknowledged.
        let before = acknowledged();
        while acknowledged() < before + 2 * CLIENTS as u64 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let down_at = Instant::now();
        cluster.stop()?;
        // The outage as /health/ready sees it: from the stop until it says 200 again.
        let mut not_ready_seen = false;
        let mut started = false;
        loop {
            match ready(&api).await {
                Some(200) if started => break,
                Some(200) => {}
                Some(503) => {
                    not_ready_seen = true;
                    saw_503 += 1;
                }
                Some(s) => bail!("/health/ready answered {s} during the outage"),
                None => ready_timeouts += 1,
            }
            if !started && down_at.elapsed() >= HOLD {
                cluster.start_again()?;
                started = true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            if down_at.elapsed() > Duration::from_secs(60) {
                bail!("/health/ready did not say 200 within 60 s of the restart");
            }
        }
        outage += down_at.elapsed();
        if !not_ready_seen {
            bail!("/health/ready never said 503 while PostgreSQL was down");
        }
        // And load after: batches are acknowledged again on the same server process.
        let after = acknowledged();
        let resumed = Instant::now();
        while acknowledged() < after + 2 * CLIENTS as u64 {
            if resumed.elapsed() > Duration::from_secs(60) {
                bail!("no batch acknowledged within 60 s of PostgreSQL's restart");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for c in clients {
        c.await?;
    }
    let still_running = server.is_running();
    // Every client's contacts are at one round (atomic), at least its last acknowledged one.
    let states = Api { client: reqwest::Client::new(), ..api.clone() }.states(CLIENTS * BATCH).await?;
    let t = tally.lock().expect("the tally");
    let (mut lost, mut torn) = (0, 0);
    for c in 0..CLIENTS {
        let rounds: std::collections::BTreeSet<usize> = (c * BATCH..(c + 1) * BATCH)
            .map(|i| {
                states
                    .get(&format!("d-{i}"))
                    .and_then(|(name, _)| name.strip_prefix('R')?.split('-').next()?.parse().ok())
                    .unwrap_or(0)
            })
            .collect();
        if rounds.len() > 1 {
            torn += 1;
        }
        if rounds.iter().any(|r| *r < t.acked[c]) {
            lost += 1;
        }
    }
    let figures = json!({
        "restarts": restarts,
        "outage_seconds": (outage.as_secs_f64() * 100.0).round() / 100.0,
        "ready_503": saw_503,
        "ready_timeouts": ready_timeouts,
        "requests": t.requests,
        "acknowledged": t.acknowledged,
        "answered_503": t.answered_503,
        "503_without_retry_after": t.without_retry_after,
        "5xx": t.other_5xx,
        "4xx": t.other_4xx,
        "hangs": t.no_answer,
        "sql_text": t.sql_text,
        "torn": torn,
        "lost": lost,
        "server_restarted": u64::from(!still_running),
    });
    drop(t);
    server.kill9()?;
    drop(cluster);
    Ok(figures)
}
