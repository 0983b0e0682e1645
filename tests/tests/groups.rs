//! Groups over HTTP (SPEC §2): lookup by id or name (an unknown group answers `result.id` 0),
//! create, update (the id stays), delete (its memberships go, 409 while it has subgroups), the
//! roles allowed, trailing slashes, and another organization's groups never reached.

use contacts_application::auth::{hash_password, Role};
use contacts_tests::{json, TestApp, EMPLOYEE};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// Creates a group in org 1 and returns its id.
async fn create(app: &TestApp, body: Value) -> i64 {
    let (status, answer) = app.post("/rest/groups/1", body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}: {answer}");
    answer["id"].as_i64().unwrap()
}

/// `GET /rest/groups/1/{segment}`'s `result`, after checking the read envelope.
async fn lookup(app: &TestApp, segment: &str) -> Value {
    let (status, body) = app.get(&format!("/rest/groups/1/{segment}")).await;
    assert_eq!(status, StatusCode::OK, "{segment}: {body}");
    assert_eq!(body["message"], "OK", "{body}");
    body["result"].clone()
}

/// `DELETE path` as the demo admin, without a body.
async fn delete(app: &TestApp, path: &str) -> (StatusCode, Value) {
    app.as_user("demo", "demo").send(Method::DELETE, path, None).await
}

fn not_found(what: &str) -> Value {
    json!({"message": format!("Group {what} not found."), "status": 404})
}

#[tokio::test]
async fn a_group_is_read_by_id_or_name_and_an_unknown_one_answers_id_0() {
    let app = TestApp::spawn().await;
    let spaced = create(&app, json!({"name": "night shift", "description": "22-6"})).await;
    let numeric = create(&app, json!({"name": "2024"})).await;
    let group1 = json!({"id": 1, "organizationId": 1, "name": "group1", "parentId": -1});
    for segment in ["1", "1/", "1?queryType=id", "group1?queryType=name", "group1", "group1?queryType=NAME&_=123"] {
        assert_eq!(lookup(&app, segment).await, group1, "{segment}");
    }
    assert_eq!(
        lookup(&app, "night%20shift?queryType=name").await,
        json!({"id": spaced, "organizationId": 1, "name": "night shift", "parentId": -1, "description": "22-6"})
    );
    // A name that looks like an id needs queryType=name.
    assert_eq!(lookup(&app, "2024?queryType=name").await["id"], numeric);
    for segment in ["999", "2024", "nope", "nope?queryType=name", "group1?queryType=id", "1?queryType=name"] {
        let (status, body) = app.get(&format!("/rest/groups/1/{segment}")).await;
        assert_eq!((status, body), (StatusCode::OK, json!({"message": "OK", "result": {"id": 0}})), "{segment}");
    }
    // A group named `contacts` shares its path with the membership call: read and renamed there.
    let contacts = create(&app, json!({"name": "contacts"})).await;
    assert_eq!(lookup(&app, "contacts").await["id"], contacts);
    let (status, answer) = app.put("/rest/groups/1/contacts?queryType=name", json!({"name": "contacts2"})).await;
    assert_eq!((status, answer["id"].as_i64()), (StatusCode::OK, Some(contacts)), "{answer}");
    assert_eq!(lookup(&app, "contacts2?queryType=name").await["id"], contacts);
    let viewer = app.as_user("viewer", "viewer");
    let (status, body) = viewer.send(Method::GET, "/rest/groups/1/group2?queryType=name", None).await;
    assert_eq!((status, body["result"]["id"].clone()), (StatusCode::OK, json!(2)));
    let (status, body) = app.get("/rest/groups/1/1?queryType=both").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["message"].as_str().unwrap().contains("queryType"), "{body}");
    app.stop().await;
}

#[tokio::test]
async fn a_group_is_created_with_a_null_parent_and_a_string_organization_id() {
    let app = TestApp::spawn().await;
    let (status, answer) =
        app.post("/rest/groups/1/", json!({"name": "g", "parentId": null, "organizationId": "1"})).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let id = answer["id"].as_i64().unwrap();
    assert_eq!(
        lookup(&app, &id.to_string()).await,
        json!({"id": id, "organizationId": 1, "name": "g", "parentId": -1})
    );
    assert_eq!(lookup(&app, "g?queryType=name").await["id"], id);
    let child = create(&app, json!({"name": "child", "parentId": id.to_string(), "organizationId": 1})).await;
    assert_eq!(lookup(&app, &child.to_string()).await["parentId"], id);
    app.stop().await;
}

#[tokio::test]
async fn an_update_keeps_the_id_and_replaces_name_parent_and_description() {
    let app = TestApp::spawn().await;
    let id = create(&app, json!({"name": "ops", "description": "old"})).await;
    let (status, answer) = app
        .put(
            &format!("/rest/groups/1/{id}"),
            json!({"id": 777, "name": "operations", "parentId": "1", "description": "new"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let base = format!("{}/rest/groups/1/", app.base);
    assert_eq!(answer, json!({"message": "OK", "id": id, "baseUri": base, "instanceUri": format!("{base}{id}")}));
    assert_eq!(
        lookup(&app, &id.to_string()).await,
        json!({"id": id, "organizationId": 1, "name": "operations", "parentId": 1, "description": "new"})
    );
    assert_eq!(lookup(&app, "777").await, json!({"id": 0}));
    // By name, with a trailing slash; a full replace: no parent or description given clears them.
    let (status, answer) =
        app.put("/rest/groups/1/operations/?queryType=name", json!({"name": "ops", "parentId": -1})).await;
    assert_eq!((status, answer["id"].as_i64()), (StatusCode::OK, Some(id)), "{answer}");
    assert_eq!(
        lookup(&app, &id.to_string()).await,
        json!({"id": id, "organizationId": 1, "name": "ops", "parentId": -1})
    );
    let (status, _) = app.put(&format!("/rest/groups/1/{id}"), json!({"name": "ops", "parentId": 0})).await;
    assert_eq!(status, StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn a_bad_update_is_a_precise_error_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let parent = create(&app, json!({"name": "parent"})).await;
    let child = create(&app, json!({"name": "child", "parentId": parent})).await;
    let grandchild = create(&app, json!({"name": "grandchild", "parentId": child})).await;
    let cases: Vec<(String, Value, StatusCode, Value)> = vec![
        ("999".into(), json!({"name": "x"}), StatusCode::NOT_FOUND, not_found("999")),
        ("nope?queryType=name".into(), json!({"name": "x"}), StatusCode::NOT_FOUND, not_found("nope")),
        ("abc?queryType=id".into(), json!({"name": "x"}), StatusCode::NOT_FOUND, not_found("abc")),
        (parent.to_string(), json!({"name": "group1"}), StatusCode::CONFLICT, json!("already taken")),
        (
            parent.to_string(),
            json!({"name": "p", "parentId": 987_654}),
            StatusCode::BAD_REQUEST,
            json!("parent group does not exist"),
        ),
        (
            parent.to_string(),
            json!({"name": "p", "parentId": parent}),
            StatusCode::BAD_REQUEST,
            json!("cannot be the parent"),
        ),
        (
            parent.to_string(),
            json!({"name": "p", "parentId": grandchild}),
            StatusCode::BAD_REQUEST,
            json!("cannot be the parent"),
        ),
        (parent.to_string(), json!({"description": "no name"}), StatusCode::BAD_REQUEST, json!("name is required")),
        (parent.to_string(), json!({"name": "p", "parentId": "top"}), StatusCode::BAD_REQUEST, json!("parentId")),
        (parent.to_string(), json!(["p"]), StatusCode::BAD_REQUEST, json!("JSON object")),
    ];
    for (segment, body, status, expected) in cases {
        let (got, answer) = app.put(&format!("/rest/groups/1/{segment}"), body.clone()).await;
        assert_eq!(got, status, "{segment} {body}: {answer}");
        assert_eq!(answer["status"], status.as_u16(), "{answer}");
        match expected {
            Value::String(part) => {
                assert!(answer["message"].as_str().unwrap().contains(&part), "{segment} {body}: {answer}")
            }
            whole => assert_eq!(answer, whole, "{segment} {body}"),
        }
    }
    let (status, answer) = app.send_raw(Method::PUT, &format!("/rest/groups/1/{parent}"), "{\"name\": ").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(
        lookup(&app, &parent.to_string()).await,
        json!({"id": parent, "organizationId": 1, "name": "parent", "parentId": -1})
    );
    assert_eq!(lookup(&app, &child.to_string()).await["parentId"], parent);
    app.stop().await;
}

#[tokio::test]
async fn a_deleted_group_takes_its_memberships_and_a_parent_is_not_deleted() {
    let app = TestApp::spawn().await;
    let ids = app
        .create_contacts(json!([
            {"externalId": "a", "firstName": "A", "lastName": "L", "recordTypeId": EMPLOYEE, "groups": [1, 2]},
            {"externalId": "b", "firstName": "B", "lastName": "L", "recordTypeId": EMPLOYEE, "groups": [2]},
        ]))
        .await;
    let before = app.contact(ids[0]).await;
    let (status, answer) = delete(&app, "/rest/groups/1/2").await;
    assert_eq!((status, answer), (StatusCode::OK, json!({"message": "OK", "id": 2})));
    let a = app.contact(ids[0]).await;
    assert_eq!((a["groups"].clone(), a["groupsName"].clone()), (json!([1]), json!(["group1"])));
    assert_eq!(a["version"], before["version"].as_i64().unwrap() + 1);
    let b = app.contact(ids[1]).await;
    assert_eq!((b["groups"].clone(), b["groupsName"].clone()), (json!([]), json!([])));
    assert_eq!(lookup(&app, "2").await, json!({"id": 0}));
    let (status, answer) = delete(&app, "/rest/groups/1/2").await;
    assert_eq!((status, answer), (StatusCode::NOT_FOUND, not_found("2")));

    // A parent group is kept while it has subgroups; by name, with a trailing slash.
    create(&app, json!({"name": "sub", "parentId": 3})).await;
    let (status, answer) = delete(&app, "/rest/groups/1/group3/?queryType=name").await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(
        answer,
        json!({"message": "Group 3 is the parent of 1 groups; delete or move them first", "status": 409})
    );
    assert_eq!(lookup(&app, "3").await["name"], "group3");
    let (status, answer) = delete(&app, "/rest/groups/1/sub?queryType=name").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, answer) = delete(&app, "/rest/groups/1/group3?queryType=name").await;
    assert_eq!((status, answer), (StatusCode::OK, json!({"message": "OK", "id": 3})));
    let (_, list) = app.get("/rest/groups/1").await;
    assert_eq!(list["page"]["totalCount"], 1, "{list}");
    app.stop().await;
}

#[tokio::test]
async fn only_admins_create_change_or_delete_groups() {
    let app = TestApp::spawn().await;
    for user in ["editor", "viewer"] {
        let caller = app.as_user(user, user);
        for (method, path, body) in [
            (Method::POST, "/rest/groups/1", Some(json!({"name": "mine"}))),
            (Method::PUT, "/rest/groups/1/1", Some(json!({"name": "mine"}))),
            (Method::DELETE, "/rest/groups/1/1", None),
        ] {
            let (status, answer) = caller.send(method.clone(), path, body).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{user} {method} {path}: {answer}");
            assert_eq!(answer["status"], 403);
        }
    }
    let (status, answer) = app.anonymous().send(Method::DELETE, "/rest/groups/1/1", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
    assert_eq!(lookup(&app, "1").await["name"], "group1");
    app.stop().await;
}

#[tokio::test]
async fn another_organization_s_groups_are_never_read_changed_or_deleted() {
    let app = TestApp::spawn().await;
    app.store.create_organization(Some(2), "Other").await.unwrap();
    app.store.upsert_user("other", &hash_password("other").unwrap(), 2, Role::Admin).await.unwrap();
    let other = app.as_user("other", "other");
    let (status, answer) = other.send(Method::POST, "/rest/groups/2", Some(json!({"name": "theirs"}))).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let theirs = answer["id"].as_i64().unwrap();

    // Org 1's groups through org 2: not found.
    let (status, answer) = other.send(Method::GET, "/rest/groups/2/1", None).await;
    assert_eq!((status, answer), (StatusCode::OK, json!({"message": "OK", "result": {"id": 0}})));
    let (status, answer) = other.send(Method::GET, "/rest/groups/2/group1?queryType=name", None).await;
    assert_eq!((status, answer["result"].clone()), (StatusCode::OK, json!({"id": 0})));
    let (status, answer) = other.send(Method::PUT, "/rest/groups/2/1", Some(json!({"name": "stolen"}))).await;
    assert_eq!((status, answer), (StatusCode::NOT_FOUND, not_found("1")));
    let (status, answer) = other.send(Method::DELETE, "/rest/groups/2/1", None).await;
    assert_eq!((status, answer), (StatusCode::NOT_FOUND, not_found("1")));
    let (status, answer) =
        other.send(Method::PUT, &format!("/rest/groups/2/{theirs}"), Some(json!({"name": "t", "parentId": 1}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a parent of org 1: {answer}");
    // Org 2 through org 1, and org 2 for a caller not granted it.
    assert_eq!(lookup(&app, &theirs.to_string()).await, json!({"id": 0}));
    let (status, answer) = app.put(&format!("/rest/groups/1/{theirs}"), json!({"name": "x"})).await;
    assert_eq!((status, answer), (StatusCode::NOT_FOUND, not_found(&theirs.to_string())));
    let (status, answer) = app.get(&format!("/rest/groups/2/{theirs}")).await;
    assert_eq!((status, answer), (StatusCode::UNAUTHORIZED, json!({"message": "Org 2 is invalid.", "status": 401})));
    let (status, _) = delete(&app, &format!("/rest/groups/2/{theirs}")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    assert_eq!(lookup(&app, "1").await["name"], "group1");
    let (_, answer) = other.send(Method::GET, &format!("/rest/groups/2/{theirs}"), None).await;
    assert_eq!(answer["result"], json!({"id": theirs, "organizationId": 2, "name": "theirs", "parentId": -1}));
    app.stop().await;
}
