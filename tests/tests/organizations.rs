//! `GET /rest/organizations`: the organizations granted to the caller, whatever its role, as a
//! list envelope of `{id, name}`; credentials required.

use base64::Engine;
use contacts_application::auth::{hash_password, Role};
use contacts_tests::{json, TestApp};
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn each_caller_sees_the_organizations_granted_to_it() {
    let app = TestApp::spawn().await;
    app.store.create_organization(Some(2), "Other").await.unwrap();
    app.store.create_organization(Some(3), "Hidden").await.unwrap();
    let hash = hash_password("pw").unwrap();
    app.store.upsert_user("multi", &hash, 2, Role::Viewer).await.unwrap();
    app.store.upsert_user("multi", &hash, 1, Role::Editor).await.unwrap();
    app.store.upsert_user("only2", &hash, 2, Role::Admin).await.unwrap();

    let (status, body) = app.get("/rest/organizations").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let first = format!("{}/rest/organizations?pageNumber=1&pageSize=100", app.base);
    assert_eq!(
        body,
        json!({"message": "OK", "firstPageUri": first, "lastPageUri": first, "page": {
            "currentPageNo": 1, "pageSize": 100, "start": 0, "totalCount": 1, "totalPageCount": 1,
            "data": [{"id": 1, "name": "Demo"}]}})
    );
    for (user, password, expected) in [
        ("viewer", "viewer", json!([{"id": 1, "name": "Demo"}])),
        ("multi", "pw", json!([{"id": 1, "name": "Demo"}, {"id": 2, "name": "Other"}])),
        ("only2", "pw", json!([{"id": 2, "name": "Other"}])),
    ] {
        let (status, body) = app.as_user(user, password).send(Method::GET, "/rest/organizations/?_=42", None).await;
        assert_eq!(status, StatusCode::OK, "{user}: {body}");
        assert_eq!(body["page"]["data"], expected, "{user}");
    }
    let (status, body) =
        app.as_user("multi", "pw").send(Method::GET, "/rest/organizations?pageSize=1&pageNumber=2", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["page"]["data"], json!([{"id": 2, "name": "Other"}]));
    assert_eq!(body["page"]["totalCount"], 2);
    assert!(body.get("nextPageUri").is_none() && body["previousPageUri"].is_string(), "{body}");
    // The bare base64 form of the credentials, as some Everbridge clients send them.
    let bare = base64::engine::general_purpose::STANDARD.encode("only2:pw");
    let (status, body) = app.with_authorization(&bare).send(Method::GET, "/rest/organizations", None).await;
    assert_eq!((status, body["page"]["totalCount"].clone()), (StatusCode::OK, json!(1)));
    app.stop().await;
}

#[tokio::test]
async fn organizations_need_credentials_and_a_valid_page() {
    let app = TestApp::spawn().await;
    let unauthenticated = json!({"message": "Invalid or missing credentials", "status": 401});
    for caller in [app.anonymous(), app.as_user("demo", "wrong"), app.with_authorization("Bearer nope")] {
        let (status, body, headers) = caller.send_full(Method::GET, "/rest/organizations", None, &[]).await;
        assert_eq!((status, body), (StatusCode::UNAUTHORIZED, unauthenticated.clone()));
        assert!(headers.contains_key("www-authenticate"));
    }
    for query in ["pageSize=0", "pageSize=5000", "pageNumber=0", "pageSize=x"] {
        let (status, body) = app.get(&format!("/rest/organizations?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(body["status"], 400);
    }
    let (status, body) = app.post("/rest/organizations", json!({"name": "mine"})).await;
    assert_eq!(
        (status, body),
        (StatusCode::METHOD_NOT_ALLOWED, json!({"message": "Method not allowed", "status": 405}))
    );
    app.stop().await;
}
