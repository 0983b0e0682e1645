//! `Idempotency-Key` on the batch calls (SPEC §3.3): a retry with the same key and body gets
//! the first answer again and applies nothing; the same key with another body is 422.

mod common;

use common::*;
use contacts_application::auth::{hash_password, Role};
use reqwest::header::HeaderMap;

const REPLAYED: &str = "idempotent-replayed";

async fn send(app: &TestApp, method: Method, path: &str, body: Value, key: &str) -> (StatusCode, Value, HeaderMap) {
    app.send_with_headers(method, path, Some(body), &[("Idempotency-Key", key)]).await
}

fn replayed(headers: &HeaderMap) -> bool {
    headers.get(REPLAYED).is_some_and(|v| v == "true")
}

/// One contact `e1` named `First`, at version 1.
async fn one_contact(app: &TestApp) -> i64 {
    app.create_contacts(json!([minimal("e1", "First")])).await[0]
}

#[tokio::test]
async fn a_retry_with_the_same_key_and_body_replays_the_first_answer_and_applies_nothing() {
    let app = TestApp::spawn().await;
    let id = one_contact(&app).await;
    let rename = json!([minimal_with_id(id, "e1", "Second")]);
    let (status, first, headers) = send(&app, Method::PUT, &batch(""), rename.clone(), "k1").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert!(!replayed(&headers));
    assert_eq!(app.contact(id).await["version"], 2);

    // Someone else changes the contact; the retry must not bring `Second` back.
    let (status, _) = app.put(&batch(""), json!([minimal_with_id(id, "e1", "Third")])).await;
    assert_eq!(status, StatusCode::OK);
    let (status, again, headers) = send(&app, Method::PUT, &batch(""), rename, "k1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, first);
    assert!(replayed(&headers), "{headers:?}");
    assert_eq!(headers.get("content-type").unwrap(), "application/json");
    let stored = app.contact(id).await;
    assert_eq!((stored["firstName"].clone(), stored["version"].clone()), (json!("Third"), json!(3)));
    app.stop().await;
}

#[tokio::test]
async fn the_same_key_with_another_body_is_422_and_applies_nothing() {
    let app = TestApp::spawn().await;
    let id = one_contact(&app).await;
    let (status, _, _) = send(&app, Method::PUT, &batch(""), json!([minimal_with_id(id, "e1", "Second")]), "k1").await;
    assert_eq!(status, StatusCode::OK);
    for (method, path, body) in [
        (Method::PUT, batch(""), json!([minimal_with_id(id, "e1", "Other")])),
        (Method::PUT, batch("?updateType=partial"), json!([minimal_with_id(id, "e1", "Second")])),
        (Method::POST, batch(""), json!([minimal_with_id(id, "e1", "Second")])),
        (Method::DELETE, batch(""), json!([id])),
    ] {
        let (status, body, headers) = send(&app, method.clone(), &path, body, "k1").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{method} {path}: {body}");
        assert_eq!(body, json!({"message": "Idempotency-Key k1 was used with another request", "status": 422}));
        assert!(!replayed(&headers));
    }
    let stored = app.contact(id).await;
    assert_eq!((stored["firstName"].clone(), stored["version"].clone()), (json!("Second"), json!(2)));
    app.stop().await;
}

#[tokio::test]
async fn another_user_cannot_replay_someone_s_key() {
    let app = TestApp::spawn().await;
    let id = one_contact(&app).await;
    let body = json!([minimal_with_id(id, "e1", "Second")]);
    let (status, _, _) = send(&app, Method::PUT, &batch(""), body.clone(), "k1").await;
    assert_eq!(status, StatusCode::OK);
    let (status, answer) = app
        .as_user("editor", "editor")
        .send_raw(Method::PUT, &batch(""), body.to_string(), &[("Idempotency-Key", "k1")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    app.stop().await;
}

#[tokio::test]
async fn different_keys_apply_twice() {
    let app = TestApp::spawn().await;
    let id = one_contact(&app).await;
    let second = json!([minimal_with_id(id, "e1", "Second")]);
    assert_eq!(send(&app, Method::PUT, &batch(""), second.clone(), "k1").await.0, StatusCode::OK);
    assert_eq!(app.put(&batch(""), json!([minimal_with_id(id, "e1", "Third")])).await.0, StatusCode::OK);
    let (status, body, headers) = send(&app, Method::PUT, &batch(""), second, "k2").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!replayed(&headers));
    assert_eq!(body["results"][0]["status"], "updated");
    let stored = app.contact(id).await;
    assert_eq!((stored["firstName"].clone(), stored["version"].clone()), (json!("Second"), json!(4)));
    app.stop().await;
}

#[tokio::test]
async fn a_failed_first_answer_is_replayed_too() {
    let app = TestApp::spawn().await;
    let missing = json!([minimal_with_id(987_654_321, "e9", "Nobody")]);
    let (status, first, headers) = send(&app, Method::PUT, &batch(""), missing.clone(), "k1").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{first}");
    assert!(!replayed(&headers));
    let (status, again, headers) = send(&app, Method::PUT, &batch(""), missing, "k1").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(again, first);
    assert!(replayed(&headers));
    app.stop().await;
}

#[tokio::test]
async fn a_replayed_delete_answers_as_the_first_one_did() {
    let app = TestApp::spawn().await;
    let id = one_contact(&app).await;
    let (status, first, _) = send(&app, Method::DELETE, &batch(""), json!([id]), "del").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (status, again, headers) = send(&app, Method::DELETE, &batch(""), json!([id]), "del").await;
    assert_eq!((status, &again), (StatusCode::OK, &first));
    assert!(replayed(&headers));
    // Without the key, the contact is gone: the same delete is refused.
    let (status, _, _) = app.send_with_headers(Method::DELETE, &batch(""), Some(json!([id])), &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn keys_are_per_organization() {
    let app = TestApp::spawn().await;
    app.store.create_organization(Some(2), "Other").await.unwrap();
    let hash = hash_password("multi").unwrap();
    for org in [ORG, 2] {
        app.store.upsert_user("multi", &hash, org, Role::Admin).await.unwrap();
    }
    let multi = app.as_user("multi", "multi");
    let item = json!([{"externalId": "e1", "firstName": "A", "lastName": "B", "recordTypeName": "Employee"}]);
    let mut ids = Vec::new();
    for org in [ORG, 2] {
        let path = format!("/rest/contacts/{org}/batch");
        let (status, body, headers) =
            multi.send_full(Method::POST, &path, Some(item.to_string()), &[("Idempotency-Key", "k1")]).await;
        assert_eq!(status, StatusCode::OK, "org {org}: {body}");
        assert!(!replayed(&headers), "org {org}");
        assert_eq!(body["results"][0]["status"], "created");
        ids.push(body["data"][0].clone());
    }
    assert_ne!(ids[0], ids[1]);
    app.stop().await;
}

#[tokio::test]
async fn without_a_key_every_call_applies() {
    let app = TestApp::spawn().await;
    let id = one_contact(&app).await;
    for (k, name) in ["Second", "Third", "Second"].iter().enumerate() {
        let (status, body, headers) =
            app.send_with_headers(Method::PUT, &batch(""), Some(json!([minimal_with_id(id, "e1", name)])), &[]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(!replayed(&headers));
        assert_eq!(body["results"][0]["version"], k + 2);
    }
    app.stop().await;
}

#[tokio::test]
async fn a_key_longer_than_255_characters_or_empty_is_400() {
    let app = TestApp::spawn().await;
    let id = one_contact(&app).await;
    let body = json!([minimal_with_id(id, "e1", "Second")]);
    for key in ["k".repeat(256), String::new()] {
        let (status, answer, _) = send(&app, Method::PUT, &batch(""), body.clone(), &key).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert_eq!(answer["status"], 400);
    }
    let (status, _, _) = send(&app, Method::PUT, &batch(""), body, &"k".repeat(255)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.contact(id).await["version"], 2);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_with_one_key_apply_once() {
    let app = TestApp::spawn().await;
    let id = one_contact(&app).await;
    let body = json!([minimal_with_id(id, "e1", "Second")]);
    let path = batch("");
    let answers = futures::future::join_all((0..8).map(|_| send(&app, Method::PUT, &path, body.clone(), "k1"))).await;
    let mut applied = 0;
    for (status, answer, headers) in &answers {
        match *status {
            StatusCode::OK if replayed(headers) => assert_eq!(answer["results"][0]["version"], 2, "{answer}"),
            StatusCode::OK => {
                applied += 1;
                assert_eq!(answer["results"][0]["status"], "updated", "{answer}");
            }
            StatusCode::CONFLICT => assert_eq!(
                *answer,
                json!({"message": "A request with Idempotency-Key k1 is in progress", "status": 409})
            ),
            other => panic!("{other}: {answer}"),
        }
    }
    assert_eq!(applied, 1, "{answers:?}");
    assert_eq!(app.contact(id).await["version"], 2);
    app.stop().await;
}
