//! Prometheus metrics (SPEC §2), `GET /metrics`: requests by route template, method and status;
//! their latency as histograms; batch items by outcome and retries after conflicts (counted by
//! the use cases); idempotent replays; the store's connections in use and idle.
//!
//! The recorder is the process's global one (the `metrics` facade has one), installed by the
//! first [`crate::app`]: several apps in one process (the tests, the benchmark) share their
//! counters, which is why a test compares two scrapes rather than absolute values.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::AppState;

/// The store's connection pool at the moment of a scrape.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStats {
    pub in_use: u32,
    pub idle: u32,
}

/// How [`PoolStats`] are read.
pub type PoolProbe = Arc<dyn Fn() -> PoolStats + Send + Sync>;

/// Seconds: from half a millisecond (a cached GET) to ten seconds (a large batch waiting its
/// turn).
const LATENCY_BUCKETS: [f64; 14] =
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The route label of a request that matched no route: one value, whatever the path, so that
/// scanners cannot grow the series without bound.
pub const UNMATCHED: &str = "unmatched";

/// The process's recorder, installed on first use.
pub(crate) fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new();
        let builder = builder.set_buckets(&LATENCY_BUCKETS).unwrap_or_else(|_| PrometheusBuilder::new());
        match builder.install_recorder() {
            Ok(handle) => handle,
            Err(e) => {
                // Another recorder holds the facade (an embedding program's): /metrics still
                // answers, with what this recorder sees (nothing but the pool).
                tracing::warn!(error = %e, "the metrics recorder could not be installed");
                PrometheusBuilder::new().build_recorder().handle()
            }
        }
    })
}

/// Counts each request and records its latency, by route template (`/rest/contacts/{org}/batch`,
/// never the raw path), method and status.
pub(crate) async fn track(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req.extensions().get::<MatchedPath>().map_or(UNMATCHED, MatchedPath::as_str).to_owned();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(start.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`: the Prometheus text format. No credentials (SPEC §4: put it behind the
/// network).
#[utoipa::path(get, path = "/metrics", tag = "operations", summary = "Prometheus metrics",
    responses((status = 200, description = "The Prometheus text format", body = String, content_type = "text/plain")))]
pub(crate) async fn render(State(s): State<AppState>) -> Response {
    let pool = (s.pool)();
    metrics::gauge!("contacts_store_connections", "state" => "in_use").set(f64::from(pool.in_use));
    metrics::gauge!("contacts_store_connections", "state" => "idle").set(f64::from(pool.idle));
    let handle = handle();
    handle.run_upkeep();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle.render()).into_response()
}
