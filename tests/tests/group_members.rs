//! Group memberships over HTTP (SPEC §2): `POST|DELETE /rest/groups/{org}/contacts` by group id
//! or name, by contact id or externalId (numbers or strings), answering `{"code":100,
//! "message":"OK"}`; a membership change is a change of the contact (new version); an unknown
//! group or contact changes nothing; `GET /rest/contacts/groups/{org}` lists the active members.

use contacts_application::auth::{hash_password, Role};
use contacts_tests::{json, TestApp, EMPLOYEE};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// The answer of a membership call.
fn ok() -> Value {
    json!({"code": 100, "message": "OK"})
}

fn contact(external_id: &str) -> Value {
    json!({"externalId": external_id, "firstName": "F", "lastName": external_id, "recordTypeId": EMPLOYEE})
}

/// `method /rest/groups/1/contacts?query` with `body`, as `user`.
async fn members_call(app: &TestApp, user: &str, method: Method, query: &str, body: Value) -> (StatusCode, Value) {
    app.as_user(user, user).send(method, &format!("/rest/groups/1/contacts?{query}"), Some(body)).await
}

async fn add(app: &TestApp, query: &str, body: Value) -> (StatusCode, Value) {
    members_call(app, "demo", Method::POST, query, body).await
}

async fn remove(app: &TestApp, query: &str, body: Value) -> (StatusCode, Value) {
    members_call(app, "demo", Method::DELETE, query, body).await
}

/// `(groups, groupsName, version)` of contact `id` as GET shows it.
async fn membership(app: &TestApp, id: i64) -> (Value, Value, i64) {
    let c = app.contact(id).await;
    (c["groups"].clone(), c["groupsName"].clone(), c["version"].as_i64().unwrap())
}

/// The ids in a members listing's page, after checking the list envelope.
async fn member_ids(app: &TestApp, query: &str) -> Vec<i64> {
    let (status, body) = app.get(&format!("/rest/contacts/groups/1?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{query}: {body}");
    assert_eq!(body["message"], "OK", "{body}");
    body["page"]["data"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn members_are_added_and_removed_by_group_id_or_name_and_contact_id_or_external_id() {
    let app = TestApp::spawn().await;
    let ids = app.create_contacts(json!([contact("a"), contact("b"), contact("42"), contact("d")])).await;
    let (a, b, n, d) = (ids[0], ids[1], ids[2], ids[3]);

    // By group id and contact id, as a number and as a string; byType and idType defaulted.
    assert_eq!(add(&app, "groupId=1", json!([a, b.to_string()])).await, (StatusCode::OK, ok()));
    assert_eq!(membership(&app, a).await, (json!([1]), json!(["group1"]), 2));
    assert_eq!(membership(&app, b).await, (json!([1]), json!(["group1"]), 2));
    // By group name and externalId, one given as a number; a trailing slash.
    let (status, answer) = app
        .as_user("editor", "editor")
        .send(
            Method::POST,
            "/rest/groups/1/contacts/?byType=name&groupName=group2&idType=externalId",
            Some(json!(["a", 42])),
        )
        .await;
    assert_eq!((status, answer), (StatusCode::OK, ok()));
    assert_eq!(membership(&app, a).await, (json!([1, 2]), json!(["group1", "group2"]), 3));
    assert_eq!(membership(&app, n).await, (json!([2]), json!(["group2"]), 2));
    // Adding again changes nothing, not even the version.
    assert_eq!(add(&app, "byType=id&groupId=1&idType=id", json!([a, a])).await, (StatusCode::OK, ok()));
    assert_eq!(membership(&app, a).await.2, 3);

    // Removing by id and by name; a removal is reflected in GET and moves the version.
    assert_eq!(remove(&app, "byType=id&groupId=1&idType=id", json!([a.to_string()])).await, (StatusCode::OK, ok()));
    assert_eq!(membership(&app, a).await, (json!([2]), json!(["group2"]), 4));
    assert_eq!(membership(&app, b).await, (json!([1]), json!(["group1"]), 2));
    let (status, answer) = members_call(
        &app,
        "editor",
        Method::DELETE,
        "byType=name&groupName=group2&idType=externalId",
        json!([42, "a"]),
    )
    .await;
    assert_eq!((status, answer), (StatusCode::OK, ok()));
    assert_eq!(membership(&app, a).await, (json!([]), json!([]), 5));
    assert_eq!(membership(&app, n).await, (json!([]), json!([]), 3));
    // Removing a contact that is not a member changes nothing; d was never touched.
    assert_eq!(remove(&app, "groupId=1", json!([a, d])).await, (StatusCode::OK, ok()));
    assert_eq!((membership(&app, a).await.2, membership(&app, d).await.2), (5, 1));
    // An empty list is a no-op.
    assert_eq!(add(&app, "groupId=1", json!([])).await, (StatusCode::OK, ok()));
    // A batch update never removes a membership; the membership call did.
    let (status, _) = app
        .put(
            "/rest/contacts/1/batch",
            json!([{"id": b, "externalId": "b", "firstName": "F", "lastName": "b", "recordTypeId": EMPLOYEE}]),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(membership(&app, b).await.0, json!([1]));
    app.stop().await;
}

#[tokio::test]
async fn a_bad_membership_call_is_a_precise_error_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let ids = app.create_contacts(json!([contact("a"), contact("b"), contact("gone")])).await;
    let (status, _) =
        app.as_user("demo", "demo").send(Method::DELETE, "/rest/contacts/1/batch", Some(json!([ids[2]]))).await;
    assert_eq!(status, StatusCode::OK, "the batch delete");
    let invalid = json!({"message": "contactIds invalid to the organization 1", "status": 401});
    let cases: Vec<(&str, Value, StatusCode, Value)> = vec![
        (
            "groupId=999",
            json!([ids[0]]),
            StatusCode::NOT_FOUND,
            json!({"message": "Group 999 not found.", "status": 404}),
        ),
        (
            "byType=name&groupName=nope",
            json!([ids[0]]),
            StatusCode::NOT_FOUND,
            json!({"message": "Group nope not found.", "status": 404}),
        ),
        ("groupId=1", json!([ids[0], 987_654]), StatusCode::UNAUTHORIZED, invalid.clone()),
        ("groupId=1", json!([ids[0], ids[2]]), StatusCode::UNAUTHORIZED, invalid.clone()),
        ("groupId=1&idType=externalId", json!(["a", "nobody"]), StatusCode::UNAUTHORIZED, invalid.clone()),
        ("groupId=1&idType=externalId", json!(["gone"]), StatusCode::UNAUTHORIZED, invalid.clone()),
        ("groupId=1", json!([ids[0], "abc"]), StatusCode::BAD_REQUEST, json!("'abc' is not a contact id")),
        ("groupId=1", json!([{"id": ids[0]}]), StatusCode::BAD_REQUEST, json!("is not a contact id")),
        ("groupId=1", json!({"ids": [ids[0]]}), StatusCode::BAD_REQUEST, json!("JSON array")),
        ("", json!([ids[0]]), StatusCode::BAD_REQUEST, json!("groupId or groupName is required")),
        ("byType=name&groupId=1", json!([ids[0]]), StatusCode::BAD_REQUEST, json!("groupName is required")),
        ("byType=id&groupName=group1", json!([ids[0]]), StatusCode::BAD_REQUEST, json!("groupId is required")),
        ("byType=other&groupId=1", json!([ids[0]]), StatusCode::BAD_REQUEST, json!("byType")),
        ("groupId=1&idType=name", json!([ids[0]]), StatusCode::BAD_REQUEST, json!("idType")),
        ("groupId=one", json!([ids[0]]), StatusCode::BAD_REQUEST, json!("groupId")),
        ("groupId=1,2", json!([ids[0]]), StatusCode::BAD_REQUEST, json!("one group")),
    ];
    for method in [Method::POST, Method::DELETE] {
        for (query, body, status, expected) in &cases {
            let (got, answer) = members_call(&app, "demo", method.clone(), query, body.clone()).await;
            assert_eq!(got, *status, "{method} {query} {body}: {answer}");
            assert_eq!(answer["status"], status.as_u16(), "{answer}");
            match expected {
                Value::String(part) => {
                    assert!(answer["message"].as_str().unwrap().contains(part.as_str()), "{query} {body}: {answer}")
                }
                whole => assert_eq!(&answer, whole, "{method} {query} {body}"),
            }
        }
        for (body, message) in [("", "empty"), ("[1,", "Malformed JSON")] {
            let (status, answer) = app
                .as_user("demo", "demo")
                .send_raw(method.clone(), "/rest/groups/1/contacts?groupId=1", body.into(), &[])
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
            assert!(answer["message"].as_str().unwrap().contains(message), "{answer}");
        }
    }
    for id in &ids[..2] {
        assert_eq!(membership(&app, *id).await, (json!([]), json!([]), 1));
    }
    app.stop().await;
}

#[tokio::test]
async fn viewers_may_not_change_memberships() {
    let app = TestApp::spawn().await;
    let id = app.create_contacts(json!([contact("a")])).await[0];
    for method in [Method::POST, Method::DELETE] {
        let (status, answer) = members_call(&app, "viewer", method.clone(), "groupId=1", json!([id])).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method}: {answer}");
        assert_eq!(answer["status"], 403);
    }
    let (status, _) = app.anonymous().send(Method::POST, "/rest/groups/1/contacts?groupId=1", Some(json!([id]))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(membership(&app, id).await, (json!([]), json!([]), 1));
    app.stop().await;
}

#[tokio::test]
async fn members_are_listed_as_contacts_by_id_active_only_and_paged() {
    let app = TestApp::spawn().await;
    let items: Vec<Value> = (0..7).map(|i| contact(&format!("m{i}"))).collect();
    let ids = app.create_contacts(Value::Array(items)).await;
    assert_eq!(add(&app, "groupId=1", json!(&ids[..5])).await.0, StatusCode::OK);
    assert_eq!(add(&app, "groupId=2", json!([ids[4], ids[5]])).await.0, StatusCode::OK);
    let (status, _) =
        app.as_user("demo", "demo").send(Method::DELETE, "/rest/contacts/1/batch", Some(json!([ids[1]]))).await;
    assert_eq!(status, StatusCode::OK);
    let g1 = vec![ids[0], ids[2], ids[3], ids[4]];

    let (status, body) = app.get("/rest/contacts/groups/1?byType=id&groupId=1&pageSize=3").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page = &body["page"];
    assert_eq!(
        (page["totalCount"].clone(), page["totalPageCount"].clone(), page["pageSize"].clone()),
        (json!(4), json!(2), json!(3))
    );
    let first: Vec<i64> = page["data"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(first, g1[..3]);
    // Each member is the contact as GET shows it.
    assert_eq!(page["data"][0], app.contact(ids[0]).await);
    let next = body["nextPageUri"].as_str().unwrap();
    assert!(next.starts_with(&format!("{}/rest/contacts/groups/1?pageNumber=2&pageSize=3", app.base)), "{next}");
    let (status, second) = app.get(next.strip_prefix(&app.base).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(second["page"]["data"][0]["id"], g1[3]);

    for query in [
        "groupId=1",
        "byType=id&groupIds=1",
        "byType=name&groupName=group1",
        "groupName=group1&_=1",
        "groupId=1&pageNumber=1&pageSize=100",
    ] {
        assert_eq!(member_ids(&app, query).await, g1, "{query}");
    }
    let both = vec![ids[0], ids[2], ids[3], ids[4], ids[5]];
    for query in ["groupIds=1,2", "groupIds=1&groupIds=2", "byType=id&groupIds=%221%22,2"] {
        assert_eq!(member_ids(&app, query).await, both, "{query}");
    }
    assert_eq!(member_ids(&app, "groupId=3").await, Vec::<i64>::new());
    let (status, past) = app.get("/rest/contacts/groups/1/?groupId=1&pageNumber=9").await;
    assert_eq!(
        (status, past["page"]["data"].clone(), past["page"]["totalCount"].clone()),
        (StatusCode::OK, json!([]), json!(4))
    );
    let viewer = app.as_user("viewer", "viewer");
    let (status, _) = viewer.send(Method::GET, "/rest/contacts/groups/1?groupId=1", None).await;
    assert_eq!(status, StatusCode::OK);

    for (query, status, part) in [
        ("groupId=999", StatusCode::NOT_FOUND, "Group 999 not found."),
        ("byType=name&groupName=nope", StatusCode::NOT_FOUND, "Group nope not found."),
        ("groupIds=1,999", StatusCode::NOT_FOUND, "Group 999 not found."),
        ("groupId=1&pageSize=0", StatusCode::BAD_REQUEST, "pageSize"),
        ("groupId=1&pageSize=5000", StatusCode::BAD_REQUEST, "pageSize"),
        ("groupId=1&pageNumber=0", StatusCode::BAD_REQUEST, "pageNumber"),
        ("groupId=x", StatusCode::BAD_REQUEST, "groupId"),
        ("", StatusCode::BAD_REQUEST, "groupId or groupName is required"),
    ] {
        let (got, answer) = app.get(&format!("/rest/contacts/groups/1?{query}")).await;
        assert_eq!(got, status, "{query}: {answer}");
        assert_eq!(answer["status"], status.as_u16(), "{answer}");
        assert!(answer["message"].as_str().unwrap().contains(part), "{query}: {answer}");
    }
    app.stop().await;
}

#[tokio::test]
async fn another_organization_s_contacts_and_groups_are_never_reached() {
    let app = TestApp::spawn().await;
    app.store.create_organization(Some(2), "Other").await.unwrap();
    app.store.upsert_user("other", &hash_password("other").unwrap(), 2, Role::Admin).await.unwrap();
    let other = app.as_user("other", "other");
    let mine = app.create_contacts(json!([contact("a")])).await[0];
    // Org 2 has a group of id 1 and a contact with org 1's externalId.
    let (status, _) = other.send(Method::POST, "/rest/groups/2", Some(json!({"id": 1, "name": "group1"}))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = other.send(Method::POST, "/rest/contacts/2/batch", Some(json!([contact("a")]))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let theirs: i64 = body["data"][0].as_str().unwrap().parse().unwrap();

    // Org 1's contact into org 2's group, by id: invalid to org 2; by externalId: org 2's own.
    let invalid = json!({"message": "contactIds invalid to the organization 2", "status": 401});
    let (status, answer) = other.send(Method::POST, "/rest/groups/2/contacts?groupId=1", Some(json!([mine]))).await;
    assert_eq!((status, answer), (StatusCode::UNAUTHORIZED, invalid.clone()));
    let (status, answer) =
        other.send(Method::POST, "/rest/groups/2/contacts?groupId=1&idType=externalId", Some(json!(["a"]))).await;
    assert_eq!((status, answer), (StatusCode::OK, ok()));
    // Org 2's contact into org 1's group, through org 1: invalid to org 1.
    let (status, answer) = add(&app, "groupId=1", json!([theirs])).await;
    assert_eq!(
        (status, answer),
        (StatusCode::UNAUTHORIZED, json!({"message": "contactIds invalid to the organization 1", "status": 401}))
    );
    // Org 1's group 2 does not exist in org 2.
    let (status, answer) = other.send(Method::POST, "/rest/groups/2/contacts?groupId=2", Some(json!([theirs]))).await;
    assert_eq!((status, answer), (StatusCode::NOT_FOUND, json!({"message": "Group 2 not found.", "status": 404})));
    // A caller not granted org 2.
    let (status, _) = app
        .as_user("demo", "demo")
        .send(Method::POST, "/rest/groups/2/contacts?groupId=1", Some(json!([theirs])))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.get("/rest/contacts/groups/2?groupId=1").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    assert_eq!(membership(&app, mine).await, (json!([]), json!([]), 1));
    assert_eq!(member_ids(&app, "groupId=1").await, Vec::<i64>::new());
    let (status, body) = other.send(Method::GET, "/rest/contacts/groups/2?groupId=1", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let listed: Vec<&Value> = body["page"]["data"].as_array().unwrap().iter().map(|c| &c["id"]).collect();
    assert_eq!(listed, vec![&json!(theirs)]);
    assert_eq!(body["page"]["data"][0]["organizationId"], 2);
    app.stop().await;
}

#[tokio::test]
async fn concurrent_membership_calls_batches_and_a_group_deletion_never_deadlock_or_fail() {
    use std::future::Future;
    use std::pin::Pin;
    type Call<'a> = Pin<Box<dyn Future<Output = (StatusCode, Value)> + 'a>>;

    let app = TestApp::spawn().await;
    let items: Vec<Value> = (0..30).map(|i| contact(&format!("c{i}"))).collect();
    let ids = app.create_contacts(Value::Array(items)).await;
    let reversed: Vec<i64> = ids.iter().rev().copied().collect();
    let mut calls: Vec<Call> = Vec::new();
    for i in 0..12 {
        calls.push(match i % 4 {
            0 => Box::pin(add(&app, "groupId=1", json!(reversed))),
            1 => Box::pin(remove(&app, "groupId=1", json!(ids))),
            2 => Box::pin(add(&app, "groupId=3", json!(ids))),
            _ => {
                let batch: Vec<Value> = reversed
                    .iter()
                    .enumerate()
                    .map(|(k, id)| {
                        json!({"id": id, "externalId": format!("c{}", 29 - k), "firstName": format!("F{i}"),
                            "lastName": format!("c{}", 29 - k), "recordTypeId": EMPLOYEE, "groups": [2]})
                    })
                    .collect();
                Box::pin(app.put("/rest/contacts/1/batch", Value::Array(batch)))
            }
        });
    }
    calls.push(Box::pin(async { app.as_user("demo", "demo").send(Method::DELETE, "/rest/groups/1/3", None).await }));
    let answers = futures::future::join_all(calls).await;
    let last = answers.len() - 1;
    for (i, (status, body)) in answers.iter().enumerate() {
        let group3_add = i % 4 == 2 && i != last;
        let ok = *status == StatusCode::OK || (group3_add && *status == StatusCode::NOT_FOUND);
        assert!(ok, "call {i}: {status} {body}");
    }
    assert_eq!(answers[last], (StatusCode::OK, json!({"message": "OK", "id": 3})));
    for id in &ids {
        let c = app.contact(*id).await;
        assert!(c["groups"].as_array().unwrap().iter().all(|g| g != 3), "{c}");
        assert!(c["groups"].as_array().unwrap().contains(&json!(2)), "{c}");
        assert!(c["version"].as_i64().unwrap() >= 4, "{c}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_membership_call_naming_more_contacts_than_the_batch_limit_is_413() {
    let app = TestApp::spawn_with(contacts_server::ServeArgs { max_batch_size: 2, ..Default::default() }).await;
    let ids = app.create_contacts(json!([contact("a"), contact("b")])).await;
    let (status, answer) = add(&app, "groupId=1", json!([ids[0], ids[1], ids[0]])).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert_eq!(
        answer,
        json!({"message": "The call names 3 contacts; at most 2 are allowed (MAX_BATCH_SIZE)", "status": 413})
    );
    assert_eq!(membership(&app, ids[0]).await, (json!([]), json!([]), 1));
    assert_eq!(add(&app, "groupId=1", json!(ids)).await, (StatusCode::OK, ok()));
    app.stop().await;
}
