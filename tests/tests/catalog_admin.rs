//! One catalog entry over HTTP (SPEC §2): get, update and delete record types, contact
//! attribute definitions, contact paths and topics. Updates keep ids (contacts show the new
//! names); what active contacts use is never deleted, nor changed so that their values become
//! invalid (409 with how many); writes are `admin`'s; another organization's entries are never
//! reached.

use contacts_application::auth::{hash_password, Role};
use contacts_tests::{json, TestApp, ATTR1, EMPLOYEE};
use reqwest::{Method, StatusCode};
use serde_json::Value;

const EMAIL1: i64 = 241_901_148_045_316;

/// A resource: its segment, message label, the create body of an entry named `name`, and the
/// key of its name.
struct Resource {
    segment: &'static str,
    label: &'static str,
    name_key: &'static str,
    body: fn(&str) -> Value,
}

const RESOURCES: [Resource; 4] = [
    Resource { segment: "recordTypes", label: "Record type", name_key: "name", body: |n| json!({"name": n}) },
    Resource {
        segment: "contactAttributes",
        label: "Contact attribute",
        name_key: "name",
        body: |n| json!({"name": n, "dataType": "NUMBER", "definedValues": [1, "2"]}),
    },
    Resource {
        segment: "contactPaths",
        label: "Contact path",
        name_key: "prompt",
        body: |n| json!({"prompt": n, "type": "SMS"}),
    },
    Resource { segment: "topics", label: "Topic", name_key: "name", body: |n| json!({"name": n}) },
];

async fn create(app: &TestApp, segment: &str, body: Value) -> i64 {
    let (status, answer) = app.post(&format!("/rest/{segment}/1"), body).await;
    assert_eq!(status, StatusCode::OK, "{segment}: {answer}");
    answer["id"].as_i64().unwrap()
}

async fn delete(app: &TestApp, path: &str) -> (StatusCode, Value) {
    app.as_user("demo", "demo").send(Method::DELETE, path, None).await
}

fn not_found(label: &str, id: impl std::fmt::Display) -> Value {
    json!({"message": format!("{label} {id} not found."), "status": 404})
}

/// A contact using the demo's record type, attribute, the path Email Address 1 and `topic`.
fn user_of(external_id: &str, topic: i64) -> Value {
    json!({
        "externalId": external_id, "firstName": "F", "lastName": "L", "recordTypeId": EMPLOYEE,
        "contactAttributes": [{"orgAttrId": ATTR1, "values": ["option1"]}],
        "paths": [{"pathId": EMAIL1, "value": format!("{external_id}@example.com")}],
        "topics": [topic],
    })
}

#[tokio::test]
async fn each_entry_is_read_updated_and_deleted_by_its_id() {
    let app = TestApp::spawn().await;
    for r in &RESOURCES {
        let id = create(&app, r.segment, (r.body)("first")).await;
        let (_, list) = app.get(&format!("/rest/{}/1", r.segment)).await;
        let listed = list["page"]["data"].as_array().unwrap().iter().find(|e| e["id"] == id).unwrap().clone();
        for path in [format!("/rest/{}/1/{id}", r.segment), format!("/rest/{}/1/{id}/?_=1", r.segment)] {
            let (status, body) = app.get(&path).await;
            assert_eq!((status, body), (StatusCode::OK, json!({"message": "OK", "result": listed.clone()})), "{path}");
        }
        let mut renamed = (r.body)("renamed");
        renamed["id"] = json!(id + 1000);
        let (status, answer) = app.put(&format!("/rest/{}/1/{id}/", r.segment), renamed).await;
        let base = format!("{}/rest/{}/1/", app.base, r.segment);
        assert_eq!(status, StatusCode::OK, "{}: {answer}", r.segment);
        assert_eq!(answer, json!({"message": "OK", "id": id, "baseUri": base, "instanceUri": format!("{base}{id}")}));
        let (_, body) = app.get(&format!("/rest/{}/1/{id}", r.segment)).await;
        assert_eq!(body["result"][r.name_key], "renamed", "{body}");
        assert_eq!(body["result"]["id"], id);

        let (status, answer) = delete(&app, &format!("/rest/{}/1/{id}", r.segment)).await;
        assert_eq!((status, answer), (StatusCode::OK, json!({"message": "OK", "id": id})), "{}", r.segment);
        for method in [Method::GET, Method::DELETE, Method::PUT] {
            let body = (method == Method::PUT).then(|| (r.body)("again"));
            let (status, answer) =
                app.as_user("demo", "demo").send(method.clone(), &format!("/rest/{}/1/{id}", r.segment), body).await;
            assert_eq!((status, answer), (StatusCode::NOT_FOUND, not_found(r.label, id)), "{method} {}", r.segment);
        }
        let (status, answer) = app.get(&format!("/rest/{}/1/abc", r.segment)).await;
        assert_eq!((status, answer), (StatusCode::NOT_FOUND, not_found(r.label, "abc")));
    }
    app.stop().await;
}

#[tokio::test]
async fn renaming_keeps_ids_and_contacts_show_the_new_names() {
    let app = TestApp::spawn().await;
    let topic = create(&app, "topics", json!({"name": "weather"})).await;
    let id = app.create_contacts(json!([user_of("a", topic)])).await[0];
    let before = app.contact(id).await;
    for (segment, entry, body) in [
        ("recordTypes", EMPLOYEE, json!({"name": "Staff"})),
        (
            "contactAttributes",
            ATTR1,
            json!({"name": "shift", "definedValues": ["option1", "option2", "option3", "option4"]}),
        ),
        ("contactPaths", EMAIL1, json!({"prompt": "Work email", "type": "EMAIL"})),
        ("topics", topic, json!({"name": "storms"})),
    ] {
        let (status, answer) = app.put(&format!("/rest/{segment}/1/{entry}"), body).await;
        assert_eq!(status, StatusCode::OK, "{segment}: {answer}");
    }
    let after = app.contact(id).await;
    assert_eq!(after["recordTypeId"], EMPLOYEE);
    assert_eq!(after["recordTypeName"], "Staff");
    assert_eq!(after["contactAttributes"], json!([{"orgAttrId": ATTR1, "name": "shift", "values": ["option1"]}]));
    assert_eq!(
        (after["paths"][0]["pathId"].clone(), after["paths"][0]["prompt"].clone()),
        (json!(EMAIL1), json!("Work email"))
    );
    assert_eq!(after["topics"], json!([topic]));
    assert_eq!(after["version"], before["version"], "a catalog rename is not a change of the contact");
    // The contact is still written by the old ids, and by the new names.
    let (status, body) = app
        .put(
            "/rest/contacts/1/batch?idType=externalId",
            json!([{"externalId": "a", "firstName": "G", "lastName": "L", "recordTypeName": "Staff",
                "contactAttributes": [{"name": "shift", "values": ["option4"]}],
                "paths": [{"prompt": "Work email", "value": "a@example.com"}], "topics": [topic]}]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.contact(id).await["contactAttributes"][0]["values"], json!(["option4"]));
    app.stop().await;
}

#[tokio::test]
async fn an_entry_contacts_use_is_not_deleted() {
    let app = TestApp::spawn().await;
    let topic = create(&app, "topics", json!({"name": "weather"})).await;
    let ids = app.create_contacts(json!([user_of("a", topic), user_of("b", topic)])).await;
    let used = [
        ("recordTypes", "Record type", EMPLOYEE),
        ("contactAttributes", "Contact attribute", ATTR1),
        ("contactPaths", "Contact path", EMAIL1),
        ("topics", "Topic", topic),
    ];
    for (segment, label, entry) in used {
        let (status, answer) = delete(&app, &format!("/rest/{segment}/1/{entry}")).await;
        assert_eq!(status, StatusCode::CONFLICT, "{segment}: {answer}");
        assert_eq!(answer, json!({"message": format!("{label} {entry} is used by 2 contacts"), "status": 409}));
        let (status, _) = app.get(&format!("/rest/{segment}/1/{entry}")).await;
        assert_eq!(status, StatusCode::OK, "{segment} is still there");
    }
    let a = app.contact(ids[0]).await;
    assert_eq!(
        (a["contactAttributes"][0]["values"].clone(), a["topics"].clone()),
        (json!(["option1"]), json!([topic]))
    );

    // Deleted contacts no longer hold a path, an attribute or a topic; they keep their record type.
    let (status, body) =
        app.as_user("demo", "demo").send(Method::DELETE, "/rest/contacts/1/batch", Some(json!(ids))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for (segment, _, entry) in &used[1..] {
        let (status, answer) = delete(&app, &format!("/rest/{segment}/1/{entry}")).await;
        assert_eq!((status, answer), (StatusCode::OK, json!({"message": "OK", "id": entry})), "{segment}");
    }
    let (status, answer) = delete(&app, &format!("/rest/recordTypes/1/{EMPLOYEE}")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["message"], format!("Record type {EMPLOYEE} is used by 2 deleted contacts"));
    let unused = create(&app, "recordTypes", json!({"name": "Contractor"})).await;
    assert_eq!(delete(&app, &format!("/rest/recordTypes/1/{unused}")).await.0, StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn a_change_that_would_invalidate_stored_values_is_refused() {
    let app = TestApp::spawn().await;
    let topic = create(&app, "topics", json!({"name": "weather"})).await;
    app.create_contacts(json!([user_of("a", topic), user_of("b", topic)])).await;
    let attribute = format!("/rest/contactAttributes/1/{ATTR1}");
    for body in [
        json!({"name": "attr1", "definedValues": ["option2", "option3"]}),
        json!({"name": "attr1", "dataType": "NUMBER"}),
        json!({"name": "attr1", "dataType": "BOOLEAN", "definedValues": ["true"]}),
    ] {
        let (status, answer) = app.put(&attribute, body.clone()).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}: {answer}");
        let expected = format!(
            "Contact attribute {ATTR1} is used by 2 contacts whose values the new definition does not allow: 'option1'"
        );
        assert_eq!(answer, json!({"message": expected, "status": 409}));
    }
    let (_, read) = app.get(&attribute).await;
    assert_eq!(read["result"]["definedValues"], json!(["option1", "option2", "option3"]));
    // Any string, or a list that keeps option1: allowed.
    for body in [json!({"name": "attr1"}), json!({"name": "attr1", "definedValues": ["option1"], "displayFormat": "S"})]
    {
        let (status, answer) = app.put(&attribute, body.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}: {answer}");
    }
    let (status, answer) =
        app.put(&format!("/rest/contactPaths/1/{EMAIL1}"), json!({"prompt": "Email Address 1", "type": "SMS"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["message"], format!("Contact path {EMAIL1} is used by 2 contacts: its type cannot change"));
    let (_, read) = app.get(&format!("/rest/contactPaths/1/{EMAIL1}")).await;
    assert_eq!(read["result"]["type"], "EMAIL");
    app.stop().await;
}

#[tokio::test]
async fn a_bad_update_is_a_precise_error() {
    let app = TestApp::spawn().await;
    let topic = create(&app, "topics", json!({"name": "weather"})).await;
    create(&app, "topics", json!({"name": "news"})).await;
    for (path, body, status, part) in [
        (format!("/rest/topics/1/{topic}"), json!({"name": "news"}), StatusCode::CONFLICT, "already taken"),
        (format!("/rest/topics/1/{topic}"), json!({}), StatusCode::BAD_REQUEST, "name is required"),
        (format!("/rest/topics/1/{topic}"), json!({"name": "  "}), StatusCode::BAD_REQUEST, "name is required"),
        (
            format!("/rest/recordTypes/1/{EMPLOYEE}"),
            json!({"name": "x".repeat(101)}),
            StatusCode::BAD_REQUEST,
            "name must be 1 to 100",
        ),
        (
            format!("/rest/contactPaths/1/{EMAIL1}"),
            json!({"prompt": "SMS 1", "type": "EMAIL"}),
            StatusCode::CONFLICT,
            "already taken",
        ),
        (
            format!("/rest/contactPaths/1/{EMAIL1}"),
            json!({"prompt": "mail"}),
            StatusCode::BAD_REQUEST,
            "type is required",
        ),
        (
            format!("/rest/contactAttributes/1/{ATTR1}"),
            json!({"name": "a", "dataType": "COLOR"}),
            StatusCode::BAD_REQUEST,
            "dataType 'COLOR'",
        ),
        (
            format!("/rest/contactAttributes/1/{ATTR1}"),
            json!({"name": "a", "dataType": "NUMBER", "definedValues": ["one"]}),
            StatusCode::BAD_REQUEST,
            "definedValues[0]",
        ),
        ("/rest/topics/1/987654".into(), json!({"name": "t"}), StatusCode::NOT_FOUND, "Topic 987654 not found."),
        ("/rest/topics/1/x1".into(), json!({"name": "t"}), StatusCode::NOT_FOUND, "Topic x1 not found."),
    ] {
        let (got, answer) = app.put(&path, body.clone()).await;
        assert_eq!(got, status, "{path} {body}: {answer}");
        assert_eq!(answer["status"], status.as_u16(), "{answer}");
        assert!(answer["message"].as_str().unwrap().contains(part), "{path} {body}: {answer}");
    }
    let (status, answer) = app.send_raw(Method::PUT, &format!("/rest/topics/1/{topic}"), "{\"name\":").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    let (_, read) = app.get(&format!("/rest/topics/1/{topic}")).await;
    assert_eq!(read["result"]["name"], "weather");
    app.stop().await;
}

#[tokio::test]
async fn only_admins_change_or_delete_entries_and_any_role_reads_them() {
    let app = TestApp::spawn().await;
    let topic = create(&app, "topics", json!({"name": "weather"})).await;
    for user in ["editor", "viewer"] {
        let caller = app.as_user(user, user);
        for (method, body) in [(Method::PUT, Some(json!({"name": "mine"}))), (Method::DELETE, None)] {
            let (status, answer) = caller.send(method.clone(), &format!("/rest/topics/1/{topic}"), body).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{user} {method}: {answer}");
            assert_eq!(answer["status"], 403);
        }
        let (status, answer) = caller.send(Method::GET, &format!("/rest/topics/1/{topic}"), None).await;
        assert_eq!((status, answer["result"]["name"].clone()), (StatusCode::OK, json!("weather")), "{user}");
    }
    let (status, _) = app.anonymous().send(Method::GET, &format!("/rest/topics/1/{topic}"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn another_organization_s_entries_are_never_read_changed_or_deleted() {
    let app = TestApp::spawn().await;
    app.store.create_organization(Some(2), "Other").await.unwrap();
    app.store.upsert_user("other", &hash_password("other").unwrap(), 2, Role::Admin).await.unwrap();
    let other = app.as_user("other", "other");
    let topic = create(&app, "topics", json!({"name": "weather"})).await;
    // Org 2 holds entries of other ids, and one of the same id.
    let (status, _) = other.send(Method::POST, "/rest/topics/2", Some(json!({"id": topic, "name": "theirs"}))).await;
    assert_eq!(status, StatusCode::OK);
    for (segment, label, entry) in [("contactAttributes", "Contact attribute", ATTR1), ("topics", "Topic", topic + 1)] {
        let path = format!("/rest/{segment}/2/{entry}");
        let (status, answer) = other.send(Method::GET, &path, None).await;
        assert_eq!((status, answer), (StatusCode::NOT_FOUND, not_found(label, entry)), "{path}");
        let (status, answer) = other.send(Method::PUT, &path, Some(json!({"name": "stolen"}))).await;
        assert_eq!((status, answer), (StatusCode::NOT_FOUND, not_found(label, entry)), "{path}");
        let (status, answer) = other.send(Method::DELETE, &path, None).await;
        assert_eq!((status, answer), (StatusCode::NOT_FOUND, not_found(label, entry)), "{path}");
    }
    // The same id in each organization: each sees and deletes its own.
    let (status, answer) = other.send(Method::DELETE, &format!("/rest/topics/2/{topic}"), None).await;
    assert_eq!((status, answer), (StatusCode::OK, json!({"message": "OK", "id": topic})));
    let (_, mine) = app.get(&format!("/rest/topics/1/{topic}")).await;
    assert_eq!(mine["result"], json!({"id": topic, "organizationId": 1, "name": "weather"}));
    let (_, attr) = app.get(&format!("/rest/contactAttributes/1/{ATTR1}")).await;
    assert_eq!(attr["result"]["name"], "attr1");
    // A caller not granted org 2.
    let (status, answer) = app.get(&format!("/rest/topics/2/{topic}")).await;
    assert_eq!((status, answer), (StatusCode::UNAUTHORIZED, json!({"message": "Org 2 is invalid.", "status": 401})));
    app.stop().await;
}
