//! `GET /metrics` (SPEC §2, issue 11): Prometheus text, no credentials; after a batch the
//! counters moved by what the batch did: requests by route template, method and status,
//! latency observations, batch items by outcome, idempotent replays; the pool's connections.
//!
//! The recorder is the process's: the test compares a scrape before and after, never absolute
//! values.

use std::collections::BTreeMap;

use contacts_tests::{json, TestApp, EMPLOYEE, ORG};
use reqwest::{Method, StatusCode};

/// A scrape as `series → value`, the series as rendered (`name{label="v",...}`).
async fn scrape(app: &TestApp) -> BTreeMap<String, f64> {
    let (status, content_type, text) = app.get_text("/metrics").await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').unwrap_or_else(|| panic!("not a sample: {l:?}"));
            (series.to_owned(), value.parse().unwrap_or_else(|_| panic!("not a number: {l:?}")))
        })
        .collect()
}

/// The value of the series of `name` whose labels include all of `labels`, summed (0 when none).
fn value(scrape: &BTreeMap<String, f64>, name: &str, labels: &[(&str, &str)]) -> f64 {
    scrape
        .iter()
        .filter(|(series, _)| {
            let (n, rest) = series.split_once('{').unwrap_or((series.as_str(), ""));
            n == name && labels.iter().all(|(k, v)| rest.contains(&format!("{k}=\"{v}\"")))
        })
        .map(|(_, v)| v)
        .sum()
}

fn person(external_id: &str, first: &str) -> serde_json::Value {
    json!({"externalId": external_id, "firstName": first, "lastName": "L", "recordTypeId": EMPLOYEE})
}

#[tokio::test]
async fn counters_move_by_what_a_batch_did() {
    let app = TestApp::spawn().await;
    let batch = "/rest/contacts/{org}/batch";
    let before = scrape(&app).await;

    // Three created.
    app.create_contacts(json!([person("m1", "A"), person("m2", "B"), person("m3", "C")])).await;
    // One unchanged, one updated, one failed (an unknown record type), not atomic.
    let mut bad = person("m3", "C");
    bad["recordTypeId"] = json!(42);
    let (status, body) = app
        .put(
            &format!("/rest/contacts/{ORG}/batch?idType=externalId&atomic=false"),
            json!([person("m1", "A"), person("m2", "B2"), bad]),
        )
        .await;
    let put_status = status.as_u16().to_string();
    assert!(status.is_success(), "{body}");
    // A replay of a keyed batch, and a dry run (counted as a request, not as items).
    let keyed = json!([person("m4", "D")]);
    let path = format!("/rest/contacts/{ORG}/batch");
    for _ in 0..2 {
        let (status, body, _) =
            app.send_with_headers(Method::POST, &path, Some(keyed.clone()), &[("Idempotency-Key", "k1")]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, _) = app.post(&format!("/rest/contacts/{ORG}/batch?dryRun=true"), json!([person("m5", "E")])).await;
    assert_eq!(status, StatusCode::OK);
    // A path no route matches, counted under one label.
    let (status, _) = app.get("/no/such/route/123").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let after = scrape(&app).await;
    let moved = |name: &str, labels: &[(&str, &str)]| value(&after, name, labels) - value(&before, name, labels);
    for (outcome, n) in [("created", 4.0), ("updated", 1.0), ("unchanged", 1.0), ("failed", 1.0)] {
        assert_eq!(moved("contacts_batch_items_total", &[("outcome", outcome)]), n, "{outcome}");
    }
    assert_eq!(moved("contacts_idempotent_replays_total", &[]), 1.0);
    let posts = [("method", "POST"), ("route", batch), ("status", "200")];
    // create_contacts, the keyed batch twice, the dry run.
    assert_eq!(moved("http_requests_total", &posts), 4.0);
    assert_eq!(moved("http_request_duration_seconds_count", &posts), 4.0);
    assert!(moved("http_request_duration_seconds_sum", &posts) > 0.0);
    let puts = [("method", "PUT"), ("route", batch), ("status", put_status.as_str())];
    assert_eq!(moved("http_requests_total", &puts), 1.0);
    let buckets = value(&after, "http_request_duration_seconds_bucket", &[("route", batch), ("le", "+Inf")]);
    assert!(buckets >= 5.0, "latency is a histogram with buckets: {buckets}");
    let unmatched = [("route", "unmatched"), ("status", "404")];
    assert_eq!(moved("http_requests_total", &unmatched), 1.0);
    assert!(after.keys().all(|series| !series.contains("/no/such")), "a raw path became a label");
    // The pool: its connections, in use or idle.
    assert!(after.keys().any(|s| s.starts_with("contacts_store_connections{state=\"idle\"")), "{after:?}");
    let connections = value(&after, "contacts_store_connections", &[]);
    assert!(connections >= 1.0, "the pool holds connections: {connections}");
    app.stop().await;
}
