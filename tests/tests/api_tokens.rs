//! API tokens (SPEC §4, issue 11): `Authorization: Bearer <token>` acts with the token's role
//! on its one organization; a wrong, revoked or expired token answers exactly as a wrong
//! password; a token of another organization answers exactly as a user of it; changes name the
//! token (`token:<name>`), never its secret.

use contacts_application::auth::{hash_password, Role};
use contacts_server::config::TokenCommand;
use contacts_tests::{json, TestApp, EMPLOYEE, ORG};
use reqwest::{Method, StatusCode};
use serde_json::Value;

fn person(external_id: &str) -> Value {
    json!({"externalId": external_id, "firstName": "Ada", "lastName": "Lovelace", "recordTypeId": EMPLOYEE})
}

/// A request of each kind of need: a read, a contacts write, a catalog write.
fn requests(org: i64, suffix: &str) -> Vec<(Method, String, Option<Value>)> {
    vec![
        (Method::GET, format!("/rest/contacts/{org}"), None),
        (Method::GET, format!("/rest/groups/{org}"), None),
        (Method::POST, format!("/rest/contacts/{org}/batch"), Some(json!([person(suffix)]))),
        (Method::POST, format!("/rest/topics/{org}"), Some(json!({"name": format!("t-{suffix}")}))),
    ]
}

#[tokio::test]
async fn a_token_acts_with_its_role_exactly_as_a_user_of_that_role() {
    let app = TestApp::spawn().await;
    app.store.upsert_user("admin2", &hash_password("admin2").unwrap(), ORG, Role::Admin).await.unwrap();
    for (role, user) in [("viewer", "viewer"), ("editor", "editor"), ("admin", "admin2")] {
        let token = app.token(ORG, role, &format!("{role}-job")).await;
        for ((method, path, body), (_, _, same)) in
            requests(ORG, &format!("t{role}")).into_iter().zip(requests(ORG, &format!("u{role}")))
        {
            let (t_status, t_body) = app.as_token(&token).send(method.clone(), &path, body).await;
            let (u_status, u_body) = app.as_user(user, user).send(method.clone(), &path, same).await;
            assert_eq!(t_status, u_status, "{role} {method} {path}: token {t_body}, user {u_body}");
            let expected = match (role, method.as_str(), path.contains("topics")) {
                (_, "GET", _) => StatusCode::OK,
                ("viewer", _, _) | ("editor", _, true) => StatusCode::FORBIDDEN,
                _ => StatusCode::OK,
            };
            assert_eq!(t_status, expected, "{role} {method} {path}: {t_body}");
            if t_status == StatusCode::FORBIDDEN {
                assert_eq!(t_body, u_body, "{role} {method} {path}");
            }
        }
    }
    // What the tokens wrote is there, and only that: editor's and admin's contacts.
    let (_, list) = app.get(&format!("/rest/contacts/{ORG}?sortBy=externalId&direction=ASC")).await;
    let ids: Vec<&str> =
        list["page"]["data"].as_array().unwrap().iter().filter_map(|c| c["externalId"].as_str()).collect();
    assert_eq!(ids, ["tadmin", "teditor", "uadmin", "ueditor"]);
    app.stop().await;
}

#[tokio::test]
async fn changes_made_with_a_token_name_it_and_never_its_secret() {
    let app = TestApp::spawn().await;
    let token = app.token(ORG, "editor", "nightly-sync").await;
    let caller = app.as_token(&token);
    let (status, body) =
        caller.send(Method::POST, &format!("/rest/contacts/{ORG}/batch"), Some(json!([person("n1")]))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, found) = caller.send(Method::GET, &format!("/rest/contacts/{ORG}/n1?idType=externalId"), None).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let contact = &found["result"];
    assert_eq!(contact["lastModifiedName"], "token:nightly-sync");
    assert_eq!(contact["createdName"], "token:nightly-sync");
    let id = contact["id"].as_i64().unwrap();
    let (status, history) = caller.send(Method::GET, &format!("/rest/contacts/{ORG}/{id}/history"), None).await;
    assert_eq!(status, StatusCode::OK, "{history}");
    assert_eq!(history["page"]["data"][0]["changedBy"], "token:nightly-sync");
    let secret = &token["cst_".len()..];
    for answer in [&body, &found, &history] {
        assert!(!answer.to_string().contains(secret), "the secret is in {answer}");
    }
    app.stop().await;
}

#[tokio::test]
async fn wrong_revoked_and_expired_tokens_answer_as_a_wrong_password() {
    let app = TestApp::spawn().await;
    let path = format!("/rest/contacts/{ORG}/batch");
    let (wrong_status, wrong_password, wrong_headers) =
        app.as_user("demo", "nope").send_full(Method::PUT, &path, Some(json!([person("x")]).to_string()), &[]).await;
    assert_eq!(wrong_status, StatusCode::UNAUTHORIZED);

    let revoked = app.token(ORG, "admin", "revoked").await;
    let (status, _) = app.as_token(&revoked).send(Method::GET, &format!("/rest/contacts/{ORG}"), None).await;
    assert_eq!(status, StatusCode::OK, "the token works before its revocation");
    let listed = contacts_server::tokens::run(&*app.store, TokenCommand::List { org: ORG }, 0).await.unwrap();
    let id = listed[0]["id"].as_i64().unwrap();
    assert!(!listed.to_string().contains(&revoked["cst_".len()..]), "the list shows the secret: {listed}");
    contacts_server::tokens::run(&*app.store, TokenCommand::Revoke { id }, contacts_application::now_millis())
        .await
        .unwrap();

    // Created two days ago to live one day: expired.
    let two_days_ago = contacts_application::now_millis() - 2 * 24 * 3600 * 1000;
    let command =
        TokenCommand::Create { org: ORG, role: "admin".into(), name: Some("old".into()), expires_in_days: Some(1) };
    let expired = contacts_server::tokens::run(&*app.store, command, two_days_ago).await.unwrap();
    let expired = expired["token"].as_str().unwrap().to_owned();
    let valid = app.token(ORG, "admin", "valid").await;

    let cases = [
        ("revoked", format!("Bearer {revoked}")),
        ("expired", format!("Bearer {expired}")),
        ("unknown", format!("Bearer cst_{}", "0".repeat(64))),
        ("the secret changed", format!("Bearer {}x", valid)),
        ("the hash instead of the secret", format!("Bearer {}", contacts_application::auth::token_hash(&valid))),
        ("empty", "Bearer ".to_owned()),
    ];
    for (what, header) in cases {
        let (status, body, headers) = app
            .with_authorization(&header)
            .send_full(Method::PUT, &path, Some(json!([person(what)]).to_string()), &[])
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {body}");
        assert_eq!(body, wrong_password, "{what}");
        assert_eq!(headers.get("www-authenticate"), wrong_headers.get("www-authenticate"), "{what}");
    }
    let (_, list) = app.get(&format!("/rest/contacts/{ORG}")).await;
    assert_eq!(list["page"]["totalCount"], 0, "a refused call wrote: {list}");
    app.stop().await;
}

#[tokio::test]
async fn a_token_of_another_organization_answers_as_a_user_of_it() {
    let app = TestApp::spawn().await;
    let b = app.store.create_organization(None, "B").await.unwrap().id;
    app.store.upsert_user("bob", &hash_password("bob").unwrap(), b, Role::Admin).await.unwrap();
    let token = app.token(b, "admin", "b-admin").await;
    let id = app.create_contacts(json!([person("a1")])).await[0];
    let mut on_a = requests(ORG, "x");
    on_a.extend([
        (Method::GET, format!("/rest/contacts/{ORG}/{id}"), None),
        (Method::GET, format!("/rest/contacts/{ORG}/{id}/history"), None),
        (Method::POST, format!("/rest/contacts/{ORG}/{id}/restore?version=1"), None),
        (Method::DELETE, format!("/rest/contacts/{ORG}/{id}"), None),
    ]);
    for (method, path, body) in on_a {
        let (t_status, t_body) = app.as_token(&token).send(method.clone(), &path, body.clone()).await;
        let (u_status, u_body) = app.as_user("bob", "bob").send(method.clone(), &path, body).await;
        assert_eq!((t_status, &t_body), (u_status, &u_body), "{method} {path}");
        assert!(t_status.is_client_error(), "{method} {path}: {t_status} {t_body}");
    }
    // The token works on its own organization; A's contact is as it was.
    let (status, _) = app.as_token(&token).send(Method::GET, &format!("/rest/contacts/{b}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.contact(id).await["version"], 1);
    let (_, orgs) = app.as_token(&token).send(Method::GET, "/rest/organizations", None).await;
    let listed: Vec<i64> = orgs["page"]["data"].as_array().unwrap().iter().filter_map(|o| o["id"].as_i64()).collect();
    assert_eq!(listed, vec![b]);
    app.stop().await;
}
