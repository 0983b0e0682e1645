//! `contacts-bench`: the headline call (Update Contacts (Batch)) and its neighbours measured
//! over HTTP against the real server, scalar and deep changes each beside its floor (the
//! minimal SQL of the same change on the same rows, in the same run); or, with `--store
//! sqlite`, against the embedded SQLite store (no floors; growth measured by creating 9×N more
//! contacts through the API). Prints a table, then one JSON object as the last line. See the
//! README, Benchmark.

mod data;
mod floor;
mod load;
mod setup;

use std::sync::Arc;

use base64::Engine;
use clap::Parser;
use futures::{StreamExt, TryStreamExt};
use serde_json::json;
use sqlx::{Connection, Executor};

use data::Round;
use load::{Api, Key, Run};

const BATCH: usize = 1000;
/// Rounds of i) and of j), taken in turn.
const PAIRS: usize = 6;

/// Which store the server runs on.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum StoreKind {
    Postgres,
    Sqlite,
}

impl StoreKind {
    fn name(self) -> &'static str {
        match self {
            Self::Postgres => "postgres",
            Self::Sqlite => "sqlite",
        }
    }
}

#[derive(Parser)]
#[command(
    about = "Benchmarks the contacts service on a fresh database it creates and drops (PostgreSQL, or an SQLite file in a temp directory with --store sqlite)."
)]
struct Args {
    /// About 10,000 contacts and fewer single calls, no 1M run: a smoke check under a minute.
    #[arg(long)]
    quick: bool,
    /// Contacts in the organization (default 100,000 on PostgreSQL; 10,000 with --quick or --store sqlite).
    #[arg(long)]
    contacts: Option<usize>,
    /// The store: `postgres`, or `sqlite`: a fresh `contacts.db` in a temp directory (the f) child
    /// server opens the same file). SQLite skips the ANALYZE, the floors of e) and l)
    /// (`floor_ratio_*` null) and g)'s COPY growth: instead g) creates 9×N more contacts through the
    /// API (also with --quick) and runs a) c1 again on the first N; `sqlite_growth_ratio` =
    /// mean batch time at 10×N / at N, and `scale_ratio` is set to that same ratio.
    #[arg(long, value_enum, default_value_t = StoreKind::Postgres)]
    store: StoreKind,
    /// The PostgreSQL server (not used with --store sqlite); its database name is replaced by a fresh `bench_<uuid>`.
    /// The default connects without TLS, as a server beside its database would (TLS cost 10-15%
    /// of single calls here); a URL given says for itself.
    #[arg(long, env = "DATABASE_URL", default_value = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")]
    database_url: String,
    /// The server's connection pool size (as DB_MAX_CONNECTIONS, whose default is 16).
    #[arg(long, default_value_t = 16)]
    db_max_connections: u32,
    /// Contacts in the organization for g) on PostgreSQL (skipped with --quick; SQLite grows to 10×N).
    #[arg(long, default_value_t = 1_000_000)]
    scale_contacts: usize,
    /// Requests in each of c) and d) (default 5,000; 1,000 with --quick).
    #[arg(long)]
    singles: Option<usize>,
    /// Keeps the PostgreSQL bench database at the end (its name is printed first), for
    /// `EXPLAIN (ANALYZE, BUFFERS)` on what the run left; drop it yourself afterwards.
    #[arg(long)]
    keep_database: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // As `contacts-server` does: the server in this process allocates as it does on its own.
    contacts_server::allocator::return_freed_memory_soon();
    let args = Args::parse();
    if args.store == StoreKind::Sqlite {
        return main_sqlite(&args).await;
    }
    let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
    let url = setup::with_database(&args.database_url, &name);
    eprintln!("bench database: {name}");
    let server = setup::Server::start(&url, args.db_max_connections).await;
    let outcome = match server {
        Ok(server) => {
            let outcome = run(&args, &url, &server).await;
            server.stop().await;
            outcome
        }
        Err(e) => Err(e),
    };
    let dropped = if args.keep_database {
        eprintln!("kept the bench database {name}");
        Ok(())
    } else {
        setup::drop_database(&args.database_url, &name).await
    };
    let figures = outcome?;
    dropped?;
    println!("{figures}");
    Ok(())
}

/// `--store sqlite`: the server on `contacts.db` in a temp directory, removed at the end.
async fn main_sqlite(args: &Args) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("contacts.db");
    let url = format!("sqlite://{}", path.display());
    eprintln!("bench database: {}", path.display());
    let server = setup::Server::start(&url, args.db_max_connections).await?;
    let outcome = run(args, &url, &server).await;
    server.stop().await;
    let figures = outcome?;
    drop(dir);
    println!("{figures}");
    Ok(())
}

struct Table(Vec<[String; 5]>);

impl Table {
    fn row(&mut self, what: &str, run: &Run, unit: &str) {
        // When it ran, on the clock `perf` stamps its samples with (seconds since boot), so a
        // profile of the whole run can be cut to one measure (`perf report --time a,b`).
        if let Some(up) = uptime() {
            eprintln!("{what}: ran from {:.2} to {up:.2} s since boot", up - run.wall.as_secs_f64());
        }
        self.0.push([
            what.to_owned(),
            format!("{}", run.items),
            format!("{:.0} {unit}", run.per_second()),
            ms(run.quantile_ms(0.5)),
            ms(run.quantile_ms(0.99)),
        ]);
    }
    fn note(&mut self, what: &str, value: String) {
        self.0.push([what.to_owned(), value, String::new(), String::new(), String::new()]);
    }
    fn print(&self) {
        println!("{:<44} {:>10} {:>16} {:>10} {:>10}", "measure", "n", "rate", "p50 ms", "p99 ms");
        for [a, b, c, d, e] in &self.0 {
            println!("{a:<44} {b:>10} {c:>16} {d:>10} {e:>10}");
        }
    }
}

/// Seconds since boot: the clock `perf` stamps its samples with.
fn uptime() -> Option<f64> {
    std::fs::read_to_string("/proc/uptime").ok().and_then(|s| s.split(' ').next()?.parse::<f64>().ok())
}

/// Milliseconds with one decimal, `-` when not measured.
fn ms(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.1}")
    } else {
        "-".to_owned()
    }
}

fn round2(x: f64) -> serde_json::Value {
    if x.is_finite() {
        json!((x * 100.0).round() / 100.0)
    } else {
        serde_json::Value::Null
    }
}

async fn run(args: &Args, url: &str, server: &setup::Server) -> anyhow::Result<serde_json::Value> {
    let sqlite = args.store == StoreKind::Sqlite;
    let n = args.contacts.unwrap_or(if args.quick || sqlite { 10_000 } else { 100_000 });
    let singles = args.singles.unwrap_or(if args.quick { 1_000 } else { 5_000 });
    let open_seconds = if args.quick { 10 } else { 20 };
    setup::create_organization(&*server.store).await?;
    let auth = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("bench:bench"));
    let api = Api { client: reqwest::Client::new(), base: server.base.clone(), auth };

    let t = std::time::Instant::now();
    // Created by 4 clients (not measured: k) measures inserts into the grown organization);
    // `buffered` keeps the batches in order.
    let ids = create_contacts(&api, 0..n).await?;
    eprintln!("created {n} contacts in {:.1} s", t.elapsed().as_secs_f64());
    let ids = Arc::new(ids);
    // The state a nightly sync meets: statistics, and the new rows' hint bits and visibility
    // map set by (auto)vacuum, not by the first measured round.
    if let Some(pg) = &server.pg {
        sqlx::query("VACUUM ANALYZE").execute(pg.pool()).await?;
    }
    // Each round of a floor comparison starts from the same state of PostgreSQL: vacuumed (the
    // previous round's dead rows gone) and just checkpointed (every page it touches first pays
    // its full-page image in the WAL). Without that, which round a WAL-triggered checkpoint or
    // autovacuum fell into decided a figure: the same binary gave 7% to 31% of history overhead
    // (README, "With history").
    let settle = || async move {
        if let Some(pg) = &server.pg {
            sqlx::query("VACUUM").execute(pg.pool()).await?;
            sqlx::query("CHECKPOINT").execute(pg.pool()).await?;
        }
        anyhow::Ok(())
    };

    let mut table = Table(Vec::new());
    // a) every contact changed (scalar: `firstName`), round 1 at c1 then round 2 at c4.
    let a1 = load::batches(&api, &ids, BATCH, Round::new(1, 0), 1).await?;
    table.row("a) full batch, firstName changed, c1", &a1, "contacts/s");
    let a4 = load::batches(&api, &ids, BATCH, Round::new(2, 0), 4).await?;
    table.row("a) full batch, firstName changed, c4", &a4, "contacts/s");
    // b) round 2 again: nothing changed.
    let b1 = load::batches(&api, &ids, BATCH, Round::new(2, 0), 1).await?;
    table.row("b) full batch, unchanged, c1", &b1, "contacts/s");
    let b4 = if args.quick { None } else { Some(load::batches(&api, &ids, BATCH, Round::new(2, 0), 4).await?) };
    if let Some(b4) = &b4 {
        table.row("b) full batch, unchanged, c4", b4, "contacts/s");
    }
    let unchanged_speedup = a1.wall.as_secs_f64() / b1.wall.as_secs_f64();
    table.note("   unchanged_speedup (a c1 / b c1 time)", format!("{unchanged_speedup:.2}"));
    // h) round 2 again with 1 contact in 100 changed: a nightly sync's usual batch.
    let h1 =
        load::mixed_batches(&api, &ids, BATCH, Round::new(2, 0), Some((100, Round::new(1_000, 0))), Key::Id, 1).await?;
    table.row("h) full batch, 1% changed, c1", &h1, "contacts/s");
    // i), j) what recording every change costs: rounds of a) at c4 (each a new round of
    // changes) against the same store and code recording no history, and with it, taking turns
    // (so that both meet the same tables and machine), PAIRS each, the order swapped at each
    // pair (so that neither is always the later one), each round settled.
    let plain_api = Api { base: server.base_without_history.clone(), ..api.clone() };
    let (mut without, mut with) = (Vec::new(), Vec::new());
    for (pair, names) in (0..PAIRS as u32).map(|k| 7 + 2 * k).enumerate() {
        let (first, second) = if pair % 2 == 0 { (&plain_api, &api) } else { (&api, &plain_api) };
        settle().await?;
        let from = Lsn::read(server).await?;
        let a = load::batches(first, &ids, BATCH, Round::new(names, 0), 4).await?;
        let wal_a = (from, Lsn::read(server).await?);
        settle().await?;
        let from = Lsn::read(server).await?;
        let b = load::batches(second, &ids, BATCH, Round::new(names + 1, 0), 4).await?;
        let wal_b = (from, Lsn::read(server).await?);
        let (w, h) = if pair % 2 == 0 { (a, b) } else { (b, a) };
        let (wal_w, wal_h) = if pair % 2 == 0 { (wal_a, wal_b) } else { (wal_b, wal_a) };
        let order = if pair % 2 == 0 { "without, then with" } else { "with, then without" };
        let per_1000 = |(from, to): (Lsn, Lsn)| {
            let k = ids.len() as f64 / 1000.0;
            format!("{:.2} MB WAL (from {from})", (to.0 - from.0) as f64 / 1e6 / k)
        };
        eprintln!(
            "history pair {pair} ({order}, ending {}): {:.0} contacts/s without, {:.0} with; \
             per 1000 contacts {} without, {} with",
            uptime().map_or_else(String::new, |up| format!("at {up:.2} s since boot")),
            w.per_second(),
            h.per_second(),
            per_1000(wal_w),
            per_1000(wal_h),
        );
        without.push(w);
        with.push(h);
    }
    let (i4, j4) = (Run::joined(&without), Run::joined(&with));
    table.row(&format!("i) a) c4 without history, {PAIRS} rounds"), &i4, "contacts/s");
    table.row(&format!("j) a) c4 with history, {PAIRS} rounds in turn"), &j4, "contacts/s");
    // The median of the pairs' overheads: a pair that met a stall (autovacuum, the host) moves
    // the pooled figure by itself, and single pairs ranged from +1% to -29% here.
    let mut overheads: Vec<f64> =
        without.iter().zip(&with).map(|(w, h)| 1.0 - h.per_second() / w.per_second()).collect();
    overheads.sort_by(f64::total_cmp);
    let history_overhead = (overheads[(PAIRS - 1) / 2] + overheads[PAIRS / 2]) / 2.0;
    let history_overhead_pooled = 1.0 - j4.per_second() / i4.per_second();
    table.note("   history_overhead (median of pairs' 1 - j/i)", format!("{:.1}%", history_overhead * 100.0));
    table.note("   history_overhead_pooled (1 - j / i rate)", format!("{:.1}%", history_overhead_pooled * 100.0));
    // e) the floors, each beside the server's round of the same change kind on the same rows,
    // both settled. Scalar: a) at c1 (names round 31) and one UPDATE of the column (round 32).
    settle().await?;
    let s1 = load::batches(&api, &ids, BATCH, Round::new(31, 0), 1).await?;
    table.row("e) scalar: a) again, settled, c1", &s1, "contacts/s");
    let floor_scalar = if sqlite {
        None
    } else {
        settle().await?;
        let floor = floor::update_round(url, &ids, BATCH, Round::new(32, 0), false, 1).await?;
        table.row("e) scalar floor: UPDATE firstName, 1 session", &floor, "contacts/s");
        Some(floor)
    };
    let floor_ratio_scalar = floor_scalar.as_ref().map(|f| s1.wall.as_secs_f64() / f.wall.as_secs_f64());
    if let Some(r) = floor_ratio_scalar {
        table.note("   floor_ratio_scalar (server / floor time)", format!("{r:.2}"));
    }
    // l) deep: every item changes its phone number and quiet time frame, an attribute value and
    // its address, addressed by externalId as a directory sync sends it; at c1 and c4, each
    // beside its floor (the minimal SQL of the same rows) at as many sessions.
    let names = 32;
    let mut kids = 0;
    let mut deep = |sessions: usize| {
        kids += 2;
        (Round::new(names, kids - 1), Round::new(names, kids), sessions)
    };
    let mut deep_runs = Vec::new();
    for (server_round, floor_round, clients) in [deep(1), deep(4)] {
        settle().await?;
        let d = load::mixed_batches(&api, &ids, BATCH, server_round, None, Key::ExternalId, clients).await?;
        table.row(&format!("l) full batch, deep change, c{clients}"), &d, "contacts/s");
        let floor = if sqlite {
            None
        } else {
            settle().await?;
            let f = floor::update_round(url, &ids, BATCH, floor_round, true, clients).await?;
            table.row(&format!("l) deep floor: UPDATE 4 tables, {clients} sess."), &f, "contacts/s");
            let ratio = d.wall.as_secs_f64() / f.wall.as_secs_f64();
            table.note(
                &format!("   floor_ratio_deep{} (server / floor time)", if clients == 1 { "" } else { "_c4" }),
                format!("{ratio:.2}"),
            );
            Some(ratio)
        };
        deep_runs.push((d, floor));
    }
    let [(d1, floor_ratio_deep), (d4, floor_ratio_deep_c4)] =
        <[_; 2]>::try_from(deep_runs).map_err(|_| anyhow::anyhow!("two deep runs"))?;
    let now = Round::new(names, kids);
    // f) peak RSS during a) at c8: of the server alone when it can run as a child process.
    let f_round = Round::new(33, now.kids);
    let (a8, rss_mb, rss_source) = match contacts_drills::server::binary_beside() {
        Some(binary) => {
            let child = contacts_drills::server::Server::start(&binary, url, 300).await?;
            let child_api = Api { base: child.base.clone(), ..api.clone() };
            let sampler = load::RssSampler::start(Some(child.pid()));
            let a8 = load::batches(&child_api, &ids, BATCH, f_round, 8).await;
            let rss_mb = sampler.peak_mb().await;
            child.kill9()?;
            (a8?, rss_mb, "child process (server alone)")
        }
        None => {
            eprintln!("no contacts-server beside this binary: f) measures this process (server + load generator)");
            let sampler = load::RssSampler::start(None);
            let a8 = load::batches(&api, &ids, BATCH, f_round, 8).await?;
            (a8, sampler.peak_mb().await, "in-process (server + load generator)")
        }
    };
    table.row("f) full batch, firstName changed, c8", &a8, "contacts/s");
    table.note(&format!("   peak RSS, MiB: {rss_source}"), format!("{rss_mb:.0}"));
    // c) and d) single calls at 32 closed-loop clients: throughput.
    let put = load::singles(&api, &ids, singles, 32, Some(Round::new(34, now.kids))).await?;
    table.row("c) single PUT, c32 closed loop", &put, "req/s");
    let get = load::singles(&api, &ids, singles, 32, None).await?;
    table.row("d) single GET, c32 closed loop", &get, "req/s");
    // m) single calls in open loop (wrk2): latency at a fixed rate, from the scheduled start.
    settle().await?;
    let put_open = load::open_loop(&api, &ids, 500, open_seconds, Some(Round::new(35, now.kids))).await?;
    table.row(&format!("m) single PUT, open loop 500/s, {open_seconds} s"), &put_open, "req/s");
    // Settled again: the PUTs' dead rows are vacuumed before, not during, the GETs' window.
    settle().await?;
    let get_open = load::open_loop(&api, &ids, 2_000, open_seconds, None).await?;
    table.row(&format!("m) single GET, open loop 2000/s, {open_seconds} s"), &get_open, "req/s");
    // k) inserts: new contacts (POST batch, 1000 each, 4 clients) into the organization as it
    // stands, N/5 of them (at least 2,000).
    settle().await?;
    let extra = (n / 5).max(2 * BATCH);
    let (k4, _) = load::inserts(&api, 10 * n..10 * n + extra, BATCH, 4).await?;
    table.row("k) insert, POST batch of new contacts, c4", &k4, "contacts/s");
    let (scale_ratio, growth_ratio) = if sqlite {
        let ratio = sqlite_growth(&api, &ids, n, &a1, Round::new(36, now.kids), &mut table).await?;
        (Some(ratio), Some(ratio))
    } else {
        (scale(args, url, &api, &ids, n, &a1, Round::new(36, now.kids), &mut table).await?, None)
    };
    table.print();
    Ok(json!({
        "contacts": n,
        "full_cps_c1": round2(a1.per_second()),
        "full_p50_ms_c1": round2(a1.quantile_ms(0.5)),
        "full_p99_ms_c1": round2(a1.quantile_ms(0.99)),
        "full_cps_c4": round2(a4.per_second()),
        "full_p50_ms_c4": round2(a4.quantile_ms(0.5)),
        "full_p99_ms_c4": round2(a4.quantile_ms(0.99)),
        "full_cps_c8": round2(a8.per_second()),
        "full_cps_deep_c1": round2(d1.per_second()),
        "full_cps_deep_c4": round2(d4.per_second()),
        "full_p99_ms_deep_c4": round2(d4.quantile_ms(0.99)),
        "floor_ratio_scalar": floor_ratio_scalar.map(round2),
        "floor_ratio_deep": floor_ratio_deep.map(round2),
        "floor_ratio_deep_c4": floor_ratio_deep_c4.map(round2),
        "insert_cps": round2(k4.per_second()),
        "full_cps_c4_no_history": round2(i4.per_second()),
        "full_cps_c4_history_interleaved": round2(j4.per_second()),
        "history_overhead": round2(history_overhead),
        "history_overhead_pooled": round2(history_overhead_pooled),
        "unchanged_cps_c1": round2(b1.per_second()),
        "unchanged_cps_c4": b4.map(|b| round2(b.per_second())),
        "unchanged_speedup": round2(unchanged_speedup),
        "one_percent_changed_cps_c1": round2(h1.per_second()),
        "put_rps": round2(put.per_second()),
        "put_p50_ms": round2(put.quantile_ms(0.5)),
        "put_p99_ms": round2(put.quantile_ms(0.99)),
        "get_rps": round2(get.per_second()),
        "get_p50_ms": round2(get.quantile_ms(0.5)),
        "get_p99_ms": round2(get.quantile_ms(0.99)),
        "put_p99_ms_open": round2(put_open.quantile_ms(0.99)),
        "put_rps_open": round2(put_open.per_second()),
        "get_p99_ms_open": round2(get_open.quantile_ms(0.99)),
        "get_rps_open": round2(get_open.per_second()),
        "rss_mb": round2(rss_mb),
        "rss_source": rss_source,
        "scale_ratio": scale_ratio.map(round2),
        "sqlite_growth_ratio": growth_ratio.map(round2),
        "store": args.store.name(),
    }))
}

/// Creates contacts `range` through the API by 4 clients (not measured); their ids in order
/// (`buffered` keeps the batches in order).
async fn create_contacts(api: &Api, range: std::ops::Range<usize>) -> anyhow::Result<Vec<i64>> {
    let end = range.end;
    let created: Vec<Vec<i64>> = futures::stream::iter(range.step_by(BATCH))
        .map(|start| api.create(start..(start + BATCH).min(end)))
        .buffered(4)
        .try_collect()
        .await?;
    Ok(created.into_iter().flatten().collect())
}

/// PostgreSQL's g): a) c1 again (`round`) with the organization grown by COPY to
/// `--scale-contacts` (not with `--quick`). Returns the scale_ratio.
#[allow(clippy::too_many_arguments)]
async fn scale(
    args: &Args,
    url: &str,
    api: &Api,
    ids: &Arc<Vec<i64>>,
    n: usize,
    a1: &Run,
    round: Round,
    table: &mut Table,
) -> anyhow::Result<Option<f64>> {
    if args.quick || args.scale_contacts <= n {
        return Ok(None);
    }
    let mut conn = sqlx::PgConnection::connect(url).await?;
    let extra = args.scale_contacts - n;
    let (first_id,): (i64,) =
        sqlx::query_as("SELECT COALESCE(MAX(id), 0) + 1 FROM contacts").fetch_one(&mut conn).await?;
    let extra_ids: Vec<i64> = (first_id..first_id + extra as i64).collect();
    let t = std::time::Instant::now();
    // externalIds `g-bench-<k>`: apart from the API's.
    floor::copy_contacts(&mut conn, "", "g-", n, &extra_ids, 10 * BATCH).await?;
    conn.execute(&*format!("SELECT setval('contact_id_seq', {})", first_id + extra as i64)).await?;
    conn.execute("VACUUM ANALYZE").await?;
    eprintln!("grew the organization by {extra} contacts in {:.1} s", t.elapsed().as_secs_f64());
    let g1 = load::batches(api, ids, BATCH, round, 1).await?;
    table.row(&format!("g) full batch, all changed, c1, {} in org", args.scale_contacts), &g1, "contacts/s");
    let ratio = g1.mean_ms() / a1.mean_ms();
    table.note("   scale_ratio (g / a c1 time per batch)", format!("{ratio:.2}"));
    conn.close().await?;
    Ok(Some(ratio))
}

/// SQLite's g): 9×N more contacts created through the API (externalIds `bench-N`..), so that the
/// organization holds 10×N, then a) c1 again over the first N. Returns the mean batch time at
/// 10×N / at N (the bound: at most 12).
async fn sqlite_growth(
    api: &Api,
    ids: &Arc<Vec<i64>>,
    n: usize,
    a1: &Run,
    round: Round,
    table: &mut Table,
) -> anyhow::Result<f64> {
    let t = std::time::Instant::now();
    let extra = create_contacts(api, n..10 * n).await?;
    eprintln!(
        "grew the organization by {} contacts through the API in {:.1} s",
        extra.len(),
        t.elapsed().as_secs_f64()
    );
    let g1 = load::batches(api, ids, BATCH, round, 1).await?;
    table.row(&format!("g) full batch, all changed, c1, {} in org", 10 * n), &g1, "contacts/s");
    let ratio = g1.mean_ms() / a1.mean_ms();
    table.note("   sqlite_growth_ratio (g / a c1 per batch)", format!("{ratio:.2}"));
    Ok(ratio)
}

/// Where PostgreSQL's WAL stands (`pg_current_wal_lsn`, in bytes): what a round wrote is the
/// difference of two reads (`pg_waldump -s <from> -e <to> --stats` breaks it down). Zero on
/// SQLite.
#[derive(Clone, Copy)]
struct Lsn(i64);

impl Lsn {
    async fn read(server: &setup::Server) -> anyhow::Result<Self> {
        let Some(pg) = &server.pg else { return Ok(Self(0)) };
        let lsn =
            sqlx::query_scalar("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint").fetch_one(pg.pool()).await?;
        Ok(Self(lsn))
    }
}

/// As PostgreSQL writes an LSN.
impl std::fmt::Display for Lsn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xffff_ffff)
    }
}
