//! Load generation over HTTP with keep-alive: batches and single calls at a given concurrency,
//! each latency timed around the request alone (bodies are built before the clock starts).

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use reqwest::{Client, Method};

use crate::data::{Contact, Round, ORG};

/// Figures of one measured run.
pub struct Run {
    /// Contacts (batches) or requests (single calls) done.
    pub items: usize,
    pub wall: Duration,
    /// Sorted, one per request.
    pub latencies: Vec<Duration>,
}

impl Run {
    pub fn per_second(&self) -> f64 {
        self.items as f64 / self.wall.as_secs_f64()
    }
    /// The `p` quantile (0..=1) of the latencies, in milliseconds.
    pub fn quantile_ms(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let rank = ((p * self.latencies.len() as f64).ceil() as usize).clamp(1, self.latencies.len());
        self.latencies[rank - 1].as_secs_f64() * 1e3
    }
    /// Runs one after the other as one: their items and wall times added, latencies merged.
    pub fn joined(runs: &[Run]) -> Run {
        let mut latencies: Vec<Duration> = runs.iter().flat_map(|r| r.latencies.iter().copied()).collect();
        latencies.sort_unstable();
        Run { items: runs.iter().map(|r| r.items).sum(), wall: runs.iter().map(|r| r.wall).sum(), latencies }
    }
    pub fn mean_ms(&self) -> f64 {
        let sum: Duration = self.latencies.iter().sum();
        sum.as_secs_f64() * 1e3 / self.latencies.len().max(1) as f64
    }
}

/// The HTTP side: a shared client (keep-alive pool) and the server's address.
#[derive(Clone)]
pub struct Api {
    pub client: Client,
    pub base: String,
    pub auth: String,
}

impl Api {
    async fn send(&self, method: Method, path: &str, body: Option<String>) -> anyhow::Result<String> {
        let mut req =
            self.client.request(method.clone(), format!("{}{path}", self.base)).header("Authorization", &self.auth);
        if let Some(body) = body {
            req = req.header("Content-Type", "application/json").body(body);
        }
        let response = req.send().await.with_context(|| format!("{method} {path}"))?;
        let status = response.status();
        let text = response.text().await?;
        if !status.is_success() {
            let shown: String = text.chars().take(600).collect();
            bail!("{method} {path}: {status}: {shown}");
        }
        Ok(text)
    }

    /// Creates contacts `range` (POST batch) and returns their ids in order.
    pub async fn create(&self, range: std::ops::Range<usize>) -> anyhow::Result<Vec<i64>> {
        let items: Vec<_> = range.map(|i| Contact::new(i, Round::new(0, 0)).json(None)).collect();
        let text = self
            .send(Method::POST, &format!("/rest/contacts/{ORG}/batch"), Some(serde_json::to_string(&items)?))
            .await?;
        let body: serde_json::Value = serde_json::from_str(&text)?;
        let data = body["data"].as_array().with_context(|| format!("no data in {text:.300}"))?;
        data.iter().map(|v| v.as_str().and_then(|s| s.parse().ok()).or_else(|| v.as_i64()).context("an id")).collect()
    }
}

/// Sends `ids` (contact `k` has id `ids[k]`) as full-replace batches of `batch` items, `round`
/// of their values, from `concurrency` clients, addressed by id. The bodies are built before
/// the clock starts: building and serialising 1,000 contacts is the load generator's work
/// (about 20 ms a batch here), and inside the timed window it made the server look slower than
/// it is, the more so the less the server had to do (an unchanged batch).
pub async fn batches(
    api: &Api,
    ids: &Arc<Vec<i64>>,
    batch: usize,
    round: Round,
    concurrency: usize,
) -> anyhow::Result<Run> {
    mixed_batches(api, ids, batch, round, None, Key::Id, concurrency).await
}

/// How a batch's items name their contact.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// `id` in each item, `idType=id`.
    Id,
    /// No id, `idType=externalId`: as a directory sync sends them.
    ExternalId,
}

/// As [`batches`], but every `k`-th contact of `changed: Some((k, r))` takes round `r`'s
/// values, and the items name their contacts by `key`.
pub async fn mixed_batches(
    api: &Api,
    ids: &Arc<Vec<i64>>,
    batch: usize,
    round: Round,
    changed: Option<(usize, Round)>,
    key: Key,
    concurrency: usize,
) -> anyhow::Result<Run> {
    let chunks = ids.len().div_ceil(batch);
    let round_of = |i: usize| match changed {
        Some((k, r)) if i % k == k / 2 => r,
        _ => round,
    };
    let id_of = |i: usize| (key == Key::Id).then(|| ids[i]);
    let bodies: Vec<String> = (0..chunks)
        .map(|chunk| {
            let range = chunk * batch..((chunk + 1) * batch).min(ids.len());
            let items: Vec<_> = range.map(|i| Contact::new(i, round_of(i)).json(id_of(i))).collect();
            serde_json::to_string(&items)
        })
        .collect::<Result<_, _>>()?;
    let bodies = Arc::new(bodies);
    let id_type = if key == Key::Id { "id" } else { "externalId" };
    let path = format!("/rest/contacts/{ORG}/batch?idType={id_type}&updateType=full");
    let work = move |api: Api, _ids: Arc<Vec<i64>>, chunk: usize| {
        let (path, bodies) = (path.clone(), bodies.clone());
        async move {
            let start = Instant::now();
            api.send(Method::PUT, &path, Some(bodies[chunk].clone())).await?;
            Ok(start.elapsed())
        }
    };
    let mut run = drive(api, ids, chunks, concurrency, work).await?;
    run.items = ids.len();
    Ok(run)
}

/// Creates contacts `range` (new externalIds) by POST batches of `batch` from `concurrency`
/// clients, timed (the bodies built before the clock starts). Returns the run and the new ids.
pub async fn inserts(
    api: &Api,
    range: std::ops::Range<usize>,
    batch: usize,
    concurrency: usize,
) -> anyhow::Result<(Run, Vec<i64>)> {
    let starts: Vec<usize> = range.clone().step_by(batch).collect();
    let bodies: Vec<String> = starts
        .iter()
        .map(|&s| {
            let items: Vec<_> =
                (s..(s + batch).min(range.end)).map(|i| Contact::new(i, Round::new(0, 0)).json(None)).collect();
            serde_json::to_string(&items)
        })
        .collect::<Result<_, _>>()?;
    let bodies = Arc::new(bodies);
    let created = Arc::new(Mutex::new(vec![Vec::new(); starts.len()]));
    let (out, path) = (created.clone(), format!("/rest/contacts/{ORG}/batch"));
    let work = move |api: Api, _ids: Arc<Vec<i64>>, chunk: usize| {
        let (path, bodies, out) = (path.clone(), bodies.clone(), out.clone());
        async move {
            let start = Instant::now();
            let text = api.send(Method::POST, &path, Some(bodies[chunk].clone())).await?;
            let elapsed = start.elapsed();
            let body: serde_json::Value = serde_json::from_str(&text)?;
            let data = body["data"].as_array().with_context(|| format!("no data in {text:.300}"))?;
            let ids = data
                .iter()
                .map(|v| v.as_str().and_then(|s| s.parse().ok()).or_else(|| v.as_i64()).context("an id"))
                .collect::<anyhow::Result<Vec<i64>>>()?;
            out.lock().expect("created ids")[chunk] = ids;
            Ok(elapsed)
        }
    };
    let mut run = drive(api, &Arc::new(Vec::new()), starts.len(), concurrency, work).await?;
    run.items = range.len();
    let ids = std::mem::take(&mut *created.lock().expect("created ids")).into_iter().flatten().collect();
    Ok((run, ids))
}

/// `requests` single-contact PUTs (round `round`) or GETs over the contacts, from `concurrency` clients.
pub async fn singles(
    api: &Api,
    ids: &Arc<Vec<i64>>,
    requests: usize,
    concurrency: usize,
    put_round: Option<Round>,
) -> anyhow::Result<Run> {
    // Spread over the contacts with a stride, so that concurrent calls rarely touch one contact.
    let stride = (ids.len() / requests.max(1)).max(1);
    let work = move |api: Api, ids: Arc<Vec<i64>>, k: usize| async move {
        let i = (k * stride) % ids.len();
        let path = format!("/rest/contacts/{ORG}/{}", ids[i]);
        let (method, body) = match put_round {
            Some(round) => (Method::PUT, Some(serde_json::to_string(&Contact::new(i, round).json(None))?)),
            None => (Method::GET, None),
        };
        let start = Instant::now();
        api.send(method, &path, body).await?;
        Ok(start.elapsed())
    };
    drive(api, ids, requests, concurrency, work).await
}

/// Open loop, wrk2's method: single PUTs (`put_round`) or GETs issued on a fixed schedule at
/// `rate` per second for `seconds`, whatever the answers' pace, each latency measured from its
/// *scheduled* start (so a stall delays every request behind it, as a client sees it, instead of
/// silently lowering the rate). `wall` runs from the first scheduled start to the last answer:
/// `per_second` is the achieved rate.
pub async fn open_loop(
    api: &Api,
    ids: &Arc<Vec<i64>>,
    rate: u32,
    seconds: u32,
    put_round: Option<Round>,
) -> anyhow::Result<Run> {
    let jobs = (rate * seconds) as usize;
    let stride = (ids.len() / jobs.max(1)).max(1);
    // Bodies first, off the clock.
    let requests: Vec<(String, Option<String>)> = (0..jobs)
        .map(|k| {
            let i = (k * stride + k / ids.len().max(1)) % ids.len();
            let path = format!("/rest/contacts/{ORG}/{}", ids[i]);
            let body = put_round.map(|round| serde_json::to_string(&Contact::new(i, round).json(None))).transpose()?;
            Ok((path, body))
        })
        .collect::<anyhow::Result<_>>()?;
    let method = if put_round.is_some() { Method::PUT } else { Method::GET };
    let start = tokio::time::Instant::now() + Duration::from_millis(50);
    let interval = Duration::from_secs_f64(1.0 / f64::from(rate));
    let mut tasks = Vec::with_capacity(jobs);
    for (k, (path, body)) in requests.into_iter().enumerate() {
        let (api, method) = (api.clone(), method.clone());
        let scheduled = start + interval.mul_f64(k as f64);
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(scheduled).await;
            api.send(method, &path, body).await?;
            let done = tokio::time::Instant::now();
            anyhow::Ok((done - scheduled, done))
        }));
    }
    let mut latencies = Vec::with_capacity(jobs);
    let mut last = start;
    for task in futures::future::join_all(tasks).await {
        let (latency, done) = task??;
        latencies.push(latency);
        last = last.max(done);
    }
    latencies.sort_unstable();
    // The schedule spans `jobs` intervals when every answer is immediate.
    Ok(Run { items: jobs, wall: (last - start) + interval, latencies })
}

/// Runs `work(k)` for k in 0..jobs from `concurrency` tasks; the first error stops them all.
async fn drive<F, Fut>(api: &Api, ids: &Arc<Vec<i64>>, jobs: usize, concurrency: usize, work: F) -> anyhow::Result<Run>
where
    F: Fn(Api, Arc<Vec<i64>>, usize) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = anyhow::Result<Duration>> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(jobs)));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (next, latencies, work, api, ids) =
            (next.clone(), latencies.clone(), work.clone(), api.clone(), ids.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if k >= jobs {
                    return Ok::<_, anyhow::Error>(());
                }
                match work(api.clone(), ids.clone(), k).await {
                    Ok(elapsed) => latencies.lock().expect("latencies").push(elapsed),
                    Err(e) => {
                        next.store(jobs, Ordering::Relaxed);
                        return Err(e);
                    }
                }
            }
        }));
    }
    for task in futures::future::join_all(tasks).await {
        task??;
    }
    let wall = start.elapsed();
    let mut latencies = std::mem::take(&mut *latencies.lock().expect("latencies"));
    latencies.sort();
    Ok(Run { items: jobs, wall, latencies })
}

/// Samples a process's resident set size (`VmRSS`) every 10 ms until stopped; the peak in MiB.
pub struct RssSampler {
    stop: Arc<AtomicBool>,
    peak_kb: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl RssSampler {
    /// `pid`: `None` for this process.
    pub fn start(pid: Option<u32>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak_kb = Arc::new(AtomicU64::new(0));
        let (s, p) = (stop.clone(), peak_kb.clone());
        let task = tokio::spawn(async move {
            while !s.load(Ordering::Relaxed) {
                if let Some(kb) = vm_rss_kb(pid) {
                    p.fetch_max(kb, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        });
        Self { stop, peak_kb, task }
    }

    pub async fn peak_mb(self) -> f64 {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.task.await;
        self.peak_kb.load(Ordering::Relaxed) as f64 / 1024.0
    }
}

pub fn vm_rss_kb(pid: Option<u32>) -> Option<u64> {
    let path = pid.map_or_else(|| "/proc/self/status".to_owned(), |pid| format!("/proc/{pid}/status"));
    let status = std::fs::read_to_string(path).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
