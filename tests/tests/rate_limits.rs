//! Rate limits (issue 11): `RATE_LIMIT_PER_MINUTE` per organization and per credential, 429
//! with `Retry-After` and Everbridge's error envelope beyond, room again once a request's
//! worth of time has passed; off by default.

use std::time::Duration;

use contacts_application::auth::{hash_password, Role};
use contacts_server::ServeArgs;
use contacts_tests::{json, TestApp, ORG};
use reqwest::{Method, StatusCode};

/// `per_minute` a minute, 2 at once.
async fn limited(per_minute: u32) -> TestApp {
    TestApp::spawn_with(ServeArgs { rate_limit_per_minute: per_minute, rate_limit_burst: 2, ..ServeArgs::default() })
        .await
}

#[tokio::test]
async fn a_credential_over_its_limit_gets_429_with_retry_after_and_room_again_later() {
    // One request's worth a second.
    let app = limited(60).await;
    let path = format!("/rest/contacts/{ORG}");
    for n in 0..2 {
        let (status, body) = app.get(&path).await;
        assert_eq!(status, StatusCode::OK, "request {n}: {body}");
    }
    let (status, body, headers) = app.send_with_headers(Method::GET, &path, None, &[]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["status"], 429);
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.contains("at most 60 per minute"), "{message}");
    let retry_after: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert_eq!(retry_after, 1, "at most a second, rounded up to a whole one");
    // A write is refused alike, and writes nothing.
    let (status, _) = app.post(&format!("/rest/contacts/{ORG}/batch"), json!([{"externalId": "r1"}])).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // Health and metrics are not limited.
    let (status, _, _) = app.get_text("/health/live").await;
    assert_eq!(status, StatusCode::OK);
    // As long as Retry-After said later, there is room.
    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    let (status, body) = app.get(&format!("/rest/contacts/{ORG}?externalIds=r1")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["page"]["totalCount"], 0, "the refused write wrote");
    app.stop().await;
}

#[tokio::test]
async fn an_organization_is_limited_over_all_its_callers_and_a_credential_over_all_its_organizations() {
    // One request's worth every 10 s: none comes back while the test runs (argon2 takes tens
    // of milliseconds per new credential).
    let app = limited(6).await;
    let other = app.store.create_organization(None, "B").await.unwrap().id;
    app.store.upsert_user("demo", &hash_password("demo").unwrap(), other, Role::Admin).await.unwrap();
    app.store.upsert_user("bee", &hash_password("bee").unwrap(), other, Role::Admin).await.unwrap();
    // Two requests of editor and viewer empty organization 1's bucket; demo, fresh, is refused there...
    let (editor, viewer) = (app.as_user("editor", "editor"), app.as_user("viewer", "viewer"));
    for caller in [&editor, &viewer] {
        let (status, body) = caller.send(Method::GET, &format!("/rest/groups/{ORG}"), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = app.get(&format!("/rest/groups/{ORG}")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body["message"].as_str().unwrap_or_default().contains("organization"), "{body}");
    // ...and may use organization B; that request empties its own bucket (the refused one
    // took a request from it too), so the next is refused, naming the credential.
    let (status, body) = app.get(&format!("/rest/groups/{other}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.get(&format!("/rest/groups/{other}")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body["message"].as_str().unwrap_or_default().contains("credential"), "{body}");
    // Another user of B is not held back by demo's credential.
    let (status, body) = app.as_user("bee", "bee").send(Method::GET, &format!("/rest/groups/{other}"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.stop().await;
}

#[tokio::test]
async fn without_a_limit_nothing_is_refused() {
    let app = TestApp::spawn().await;
    for n in 0..50 {
        let (status, body) = app.get(&format!("/rest/groups/{ORG}")).await;
        assert_eq!(status, StatusCode::OK, "request {n}: {body}");
    }
    app.stop().await;
}
