//! Authentication and authorization (SPEC §4 and the error table): Basic or bare base64
//! credentials, the 401 answers (with their `WWW-Authenticate` challenge), organizations that
//! do not exist or are not granted answering alike, and what each role may do.

use base64::Engine;
use contacts_application::auth::{hash_password, Role};
use contacts_tests::{basic, json, TestApp, EMPLOYEE, ORG};
use reqwest::{Method, StatusCode};
use serde_json::Value;

fn invalid_credentials() -> Value {
    json!({"message": "Invalid or missing credentials", "status": 401})
}

fn org_invalid(org: &str) -> Value {
    json!({"message": format!("Org {org} is invalid."), "status": 401})
}

fn forbidden(role: &str) -> Value {
    json!({"message": format!("The role {role} may not do this in organization {ORG}"), "status": 403})
}

fn person(external_id: &str) -> Value {
    json!({"externalId": external_id, "firstName": "Ada", "lastName": "Lovelace", "recordTypeId": EMPLOYEE})
}

#[tokio::test]
async fn basic_and_bare_base64_credentials_are_both_accepted() {
    let app = TestApp::spawn().await;
    let b64 = base64::engine::general_purpose::STANDARD.encode("demo:demo");
    for header in [format!("Basic {b64}"), b64.clone(), format!("basic {b64}"), format!("  Basic   {b64}  ")] {
        let (status, body) = app.with_authorization(&header).send(Method::GET, "/rest/groups/1", None).await;
        assert_eq!(status, StatusCode::OK, "{header:?}: {body}");
        assert_eq!(body["message"], "OK", "{header:?}");
        assert_eq!(body["page"]["totalCount"], 3, "{header:?}");
    }
    app.stop().await;
}

#[tokio::test]
async fn missing_or_wrong_credentials_are_401_with_a_basic_challenge() {
    let app = TestApp::spawn().await;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let callers = [
        ("no header", app.anonymous()),
        ("wrong password", app.as_user("demo", "not-demo")),
        ("unknown user", app.as_user("nobody", "demo")),
        ("another user's password", app.as_user("viewer", "demo")),
        ("bearer", app.with_authorization("Bearer x")),
        ("not base64", app.with_authorization("Basic !!!")),
        ("no colon", app.with_authorization(&format!("Basic {}", b64("demodemo")))),
        ("empty", app.with_authorization("")),
        ("other scheme", app.with_authorization(&format!("Digest {}", b64("demo:demo")))),
    ];
    let requests = [
        (Method::GET, "/rest/groups/1", None),
        (Method::GET, "/rest/contacts/1", None),
        (Method::PUT, "/rest/contacts/1/batch", Some(json!([person("e1")]))),
        (Method::POST, "/rest/topics/1", Some(json!({"name": "t"}))),
    ];
    for (what, caller) in &callers {
        for (method, path, body) in &requests {
            let (status, answer, headers) =
                caller.send_full(method.clone(), path, body.as_ref().map(Value::to_string), &[]).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}, {method} {path}: {answer}");
            assert_eq!(answer, invalid_credentials(), "{what}, {method} {path}");
            let challenge = headers.get("www-authenticate").and_then(|v| v.to_str().ok()).unwrap_or_default();
            assert!(challenge.starts_with("Basic"), "{what}, {method} {path}: challenge {challenge:?}");
        }
    }
    // Nothing was written by the refused calls.
    let (status, body) = app.get("/rest/contacts/1").await;
    assert_eq!((status, body["page"]["totalCount"].clone()), (StatusCode::OK, json!(0)));
    let (_, topics) = app.get("/rest/topics/1").await;
    assert_eq!(topics["page"]["totalCount"], 0);
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_organization_and_an_ungranted_one_answer_alike() {
    let app = TestApp::spawn().await;
    app.store.create_organization(Some(2), "Other").await.unwrap();
    for path in ["/rest/groups/{org}", "/rest/contacts/{org}", "/rest/contactPaths/{org}", "/rest/contacts/{org}/5"] {
        let mut answers = Vec::new();
        for org in ["2", "999"] {
            let (status, body, headers) =
                app.send_with_headers(Method::GET, &path.replace("{org}", org), None, &[]).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} in org {org}: {body}");
            assert_eq!(body, org_invalid(org), "{path} in org {org}");
            answers.push(headers.contains_key("www-authenticate"));
        }
        assert_eq!(answers[0], answers[1], "{path}: the challenge header tells the two apart");
    }
    // Writes too, whatever the role in org 1.
    for org in ["2", "999"] {
        let (status, body) = app.put(&format!("/rest/contacts/{org}/batch"), json!([person("e1")])).await;
        assert_eq!((status, body), (StatusCode::UNAUTHORIZED, org_invalid(org)));
        let (status, body) = app.post(&format!("/rest/groups/{org}"), json!({"name": "g"})).await;
        assert_eq!((status, body), (StatusCode::UNAUTHORIZED, org_invalid(org)));
    }
    app.stop().await;
}

#[tokio::test]
async fn a_non_numeric_organization_is_401() {
    let app = TestApp::spawn().await;
    for (segment, method, body) in [
        ("abc", Method::GET, None),
        ("1x", Method::GET, None),
        ("-", Method::PUT, Some(json!([]))),
        ("99999999999999999999999", Method::GET, None),
    ] {
        let path = if method == Method::PUT {
            format!("/rest/contacts/{segment}/batch")
        } else {
            format!("/rest/groups/{segment}")
        };
        let (status, answer, _) = app.send_with_headers(method, &path, body, &[]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {answer}");
        assert_eq!(answer, org_invalid(segment), "{path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_user_reaches_only_the_organizations_granted_to_it() {
    let app = TestApp::spawn().await;
    app.store.create_organization(Some(2), "Other").await.unwrap();
    app.store.upsert_user("other", &hash_password("other").unwrap(), 2, Role::Admin).await.unwrap();
    let other = app.as_user("other", "other");
    let (status, body) = other.send(Method::GET, "/rest/groups/2", None).await;
    assert_eq!((status, body["page"]["totalCount"].clone()), (StatusCode::OK, json!(0)));
    let (status, body) = other.send(Method::GET, "/rest/groups/1", None).await;
    assert_eq!((status, body), (StatusCode::UNAUTHORIZED, org_invalid("1")));
    let (status, body) = app.get("/rest/groups/2").await;
    assert_eq!((status, body), (StatusCode::UNAUTHORIZED, org_invalid("2")));
    app.stop().await;
}

/// The five catalog create calls, each with a valid body.
fn catalog_creates(suffix: &str) -> Vec<(String, Value)> {
    vec![
        ("/rest/recordTypes/1".into(), json!({"name": format!("rt-{suffix}")})),
        ("/rest/groups/1".into(), json!({"name": format!("g-{suffix}")})),
        ("/rest/contactAttributes/1".into(), json!({"name": format!("a-{suffix}"), "dataType": "STRING"})),
        ("/rest/contactPaths/1".into(), json!({"prompt": format!("p-{suffix}"), "type": "EMAIL"})),
        ("/rest/topics/1".into(), json!({"name": format!("t-{suffix}")})),
    ]
}

#[tokio::test]
async fn a_viewer_reads_and_may_not_write() {
    let app = TestApp::spawn().await;
    let id = app.create_contacts(json!([person("v1")])).await[0];
    let viewer = app.as_user("viewer", "viewer");
    for path in [
        "/rest/contacts/1".to_owned(),
        format!("/rest/contacts/1/{id}"),
        "/rest/groups/1".into(),
        "/rest/recordTypes/1".into(),
        "/rest/contactAttributes/1".into(),
        "/rest/contactPaths/1".into(),
        "/rest/topics/1".into(),
    ] {
        let (status, body) = viewer.send(Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert_eq!(body["message"], "OK", "{path}");
    }
    let writes = [
        (
            Method::PUT,
            "/rest/contacts/1/batch".to_owned(),
            json!([{"id": id, "firstName": "X", "lastName": "Y", "externalId": "v1", "recordTypeId": EMPLOYEE}]),
        ),
        (Method::POST, "/rest/contacts/1/batch".into(), json!([person("v2")])),
        (Method::PUT, format!("/rest/contacts/1/{id}"), person("v1")),
    ];
    for (method, path, body) in writes {
        let (status, answer) = viewer.send(method.clone(), &path, Some(body)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {answer}");
        assert_eq!(answer, forbidden("viewer"), "{method} {path}");
    }
    for (path, body) in catalog_creates("viewer") {
        let (status, answer) = viewer.send(Method::POST, &path, Some(body)).await;
        assert_eq!((status, answer), (StatusCode::FORBIDDEN, forbidden("viewer")), "{path}");
    }
    // Nothing changed.
    let contact = app.contact(id).await;
    assert_eq!((contact["firstName"].clone(), contact["version"].clone()), (json!("Ada"), json!(1)));
    let (_, list) = app.get("/rest/contacts/1").await;
    assert_eq!(list["page"]["totalCount"], 1);
    let (_, groups) = app.get("/rest/groups/1").await;
    assert_eq!(groups["page"]["totalCount"], 3);
    app.stop().await;
}

#[tokio::test]
async fn an_editor_writes_contacts_but_not_the_catalog() {
    let app = TestApp::spawn().await;
    let editor = app.as_user("editor", "editor");
    let (status, body) = editor.send(Method::POST, "/rest/contacts/1/batch", Some(json!([person("ed1")]))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["results"][0]["status"], "created");
    let id: i64 = body["data"][0].as_str().unwrap().parse().unwrap();
    let update =
        json!([{"id": id, "externalId": "ed1", "firstName": "Grace", "lastName": "Hopper", "recordTypeId": EMPLOYEE}]);
    let (status, body) = editor.send(Method::PUT, "/rest/contacts/1/batch", Some(update)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"], json!([id.to_string()]));
    assert_eq!(app.contact(id).await["firstName"], "Grace");
    for (path, body) in catalog_creates("editor") {
        let (status, answer) = editor.send(Method::POST, &path, Some(body)).await;
        assert_eq!((status, answer), (StatusCode::FORBIDDEN, forbidden("editor")), "{path}");
    }
    let (_, topics) = app.get("/rest/topics/1").await;
    assert_eq!(topics["page"]["totalCount"], 0);
    app.stop().await;
}

#[tokio::test]
async fn an_admin_does_everything() {
    let app = TestApp::spawn().await;
    let admin = app.with_authorization(&basic("demo", "demo"));
    for (path, body) in catalog_creates("admin") {
        let (status, answer) = admin.send(Method::POST, &path, Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{path}: {answer}");
        assert_eq!(answer["message"], "OK", "{path}");
    }
    let (status, body) = admin.send(Method::POST, "/rest/contacts/1/batch", Some(json!([person("ad1")]))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, topics) = app.get("/rest/topics/1").await;
    assert_eq!(topics["page"]["data"][0]["name"], "t-admin");
    app.stop().await;
}

#[tokio::test]
async fn health_probes_need_no_credentials() {
    let app = TestApp::spawn().await;
    for path in ["/health/live", "/health/ready"] {
        for caller in [app.anonymous(), app.with_authorization("Bearer nonsense")] {
            let (status, body) = caller.send(Method::GET, path, None).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            assert_eq!(body, json!({"status": "UP"}), "{path}");
        }
    }
    app.stop().await;
}
