//! `PATCH /rest/contacts/{org}/{id}` over HTTP: each selector family read back through GET,
//! all-or-nothing patches, membership removal, the Everbridge error shape of a failed patch,
//! 404 / 403 / 401 / 412 / 409, and another organization's contacts never touched.

use contacts_application::auth::{hash_password, Role};
use contacts_tests::{basic, json, TestApp, ATTR1, EMPLOYEE, ORG, PHONE};
use reqwest::{Method, StatusCode};
use serde_json::Value;

const EMAIL_1: i64 = 241_901_148_045_316;
const HOME_PHONE: i64 = 241_901_148_045_320;
const JSON_PATCH: &str = "application/json-patch+json";
const WEATHER: i64 = 77;
const TRAFFIC: i64 = 78;

/// A contact with a phone and an e-mail path, `attr1`, an address `HQ`, a topic, in `group1`
/// and `group2`.
fn person(external_id: &str) -> Value {
    json!({
        "externalId": external_id,
        "firstName": "Ann",
        "lastName": "Lee",
        "recordTypeId": EMPLOYEE,
        "timezoneId": "America/New_York",
        "suffix": "Jr",
        "paths": [
            {"pathId": PHONE, "value": "7815551212", "countryCode": "US", "pathEnable": true},
            {"pathId": EMAIL_1, "value": "ann@example.com"}
        ],
        "contactAttributes": [{"orgAttrId": ATTR1, "values": ["option1"]}],
        "address": [{"locationName": "HQ", "city": "Boston", "country": "US"}],
        "topics": [WEATHER],
        "groups": [1, 2]
    })
}

/// A test app with the topics `weather` (77) and `traffic` (78) in the demo organization.
async fn app() -> TestApp {
    let app = TestApp::spawn().await;
    for (id, name) in [(WEATHER, "weather"), (TRAFFIC, "traffic")] {
        let (status, body) = app.post(&format!("/rest/topics/{ORG}"), json!({"id": id, "name": name})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    app
}

/// Sends a PATCH as `user` with a raw body and a content type (none when `None`).
async fn send(
    app: &TestApp,
    user: (&str, &str),
    path: &str,
    body: &str,
    content_type: Option<&str>,
    headers: &[(&str, &str)],
) -> (StatusCode, Value) {
    let mut req = app
        .client
        .request(Method::PATCH, format!("{}{path}", app.base))
        .header("Authorization", basic(user.0, user.1))
        .body(body.to_owned());
    if let Some(t) = content_type {
        req = req.header("Content-Type", t);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let response = req.send().await.expect("request");
    let status = response.status();
    let text = response.text().await.expect("body");
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status} answer is not JSON ({e}): {text:?}"));
    assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{value}");
    (status, value)
}

/// `PATCH /rest/contacts/{ORG}/{id}` as `demo`, `application/json-patch+json`.
async fn patch(app: &TestApp, id: i64, ops: Value) -> (StatusCode, Value) {
    send(app, ("demo", "demo"), &format!("/rest/contacts/{ORG}/{id}"), &ops.to_string(), Some(JSON_PATCH), &[]).await
}

/// Asserts Everbridge's failed-patch body with one entry per failing operation, each blaming
/// the operation sent (`null` for the body as a whole), and returns the entries.
fn failed_patch(status: StatusCode, body: &Value, blamed: &[Value]) -> Vec<Value> {
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["message"], "Patch failed due to input invalid!", "{body}");
    assert_eq!(body["status"], 400, "{body}");
    let detail = body["detail"].as_array().unwrap_or_else(|| panic!("no detail: {body}")).clone();
    assert_eq!(detail.len(), blamed.len(), "{body}");
    for (d, op) in detail.iter().zip(blamed) {
        assert!(d["details"].is_string() && d["errorMessage"].as_str().is_some_and(|m| !m.is_empty()), "{d}");
        assert_eq!(&d["errorPatch"], op, "{body}");
    }
    detail
}

type Check = fn(&Value) -> Value;

#[tokio::test]
async fn patch_every_selector_family_changes_what_a_read_shows() {
    let app = app().await;
    let phone_value = format!("/paths/pathId:{PHONE}/value");
    // (case, ops, read of the contact, expected)
    let table: Vec<(&str, Value, Check, Value)> = vec![
        (
            "scalar replace",
            json!([{"op": "replace", "path": "/firstName", "value": "Anna"}]),
            |c| c["firstName"].clone(),
            json!("Anna"),
        ),
        (
            "scalar add",
            json!([{"op": "add", "path": "/businessName", "value": "ACME"}]),
            |c| c["businessName"].clone(),
            json!("ACME"),
        ),
        (
            "scalar remove",
            json!([{"op": "remove", "path": "/suffix"}]),
            |c| json!(c.get("suffix").is_none_or(Value::is_null)),
            json!(true),
        ),
        (
            "externalId",
            json!([{"op": "replace", "path": "/externalId", "value": "renamed"}]),
            |c| c["externalId"].clone(),
            json!("renamed"),
        ),
        (
            "timezoneId",
            json!([{"op": "replace", "path": "/timezoneId", "value": "Europe/Paris"}]),
            |c| c["timezoneId"].clone(),
            json!("Europe/Paris"),
        ),
        (
            "path value by pathId",
            json!([{"op": "replace", "path": phone_value, "value": "7815550000"}]),
            |c| c["paths"][0]["value"].clone(),
            json!("7815550000"),
        ),
        (
            "path field by prompt",
            json!([{"op": "replace", "path": "/paths/prompt:phone/pathEnable", "value": false}]),
            |c| c["paths"][0]["pathEnable"].clone(),
            json!(false),
        ),
        (
            "path field by position",
            json!([{"op": "replace", "path": "/paths/1/value", "value": "new@example.com"}]),
            |c| c["paths"][1]["value"].clone(),
            json!("new@example.com"),
        ),
        (
            "quiet time frame appended",
            json!([{"op": "add", "path": format!("/paths/pathId:{PHONE}/quietTimeFrames/-"), "value": {"days": [1], "fromHour": 22, "fromMin": 0, "toHour": 6, "toMin": 0}}]),
            |c| c["paths"][0]["quietTimeFrames"][0]["toHour"].clone(),
            json!(6),
        ),
        (
            "path appended",
            json!([{"op": "add", "path": "/paths/-", "value": {"pathId": HOME_PHONE, "value": "+17815550001"}}]),
            |c| c["paths"][2]["pathId"].clone(),
            json!(HOME_PHONE),
        ),
        (
            "path removed",
            json!([{"op": "remove", "path": format!("/paths/pathId:{EMAIL_1}")}]),
            |c| json!(c["paths"].as_array().unwrap().len()),
            json!(1),
        ),
        (
            "path replaced",
            json!([{"op": "replace", "path": format!("/paths/pathId:{EMAIL_1}"), "value": {"value": "whole@example.com"}}]),
            |c| c["paths"][1]["value"].clone(),
            json!("whole@example.com"),
        ),
        (
            "attribute by orgAttrId",
            json!([{"op": "replace", "path": format!("/contactAttributes/orgAttrId:{ATTR1}/values"), "value": ["option2"]}]),
            |c| c["contactAttributes"][0]["values"].clone(),
            json!(["option2"]),
        ),
        (
            "attribute by name",
            json!([{"op": "add", "path": "/contactAttributes/name:attr1/values/-", "value": "option3"}]),
            |c| c["contactAttributes"][0]["values"].clone(),
            json!(["option1", "option3"]),
        ),
        (
            "attribute removed then added whole",
            json!([{"op": "remove", "path": "/contactAttributes/name:attr1"}, {"op": "add", "path": "/contactAttributes/-", "value": {"name": "attr1", "values": ["option2"]}}]),
            |c| c["contactAttributes"][0]["values"].clone(),
            json!(["option2"]),
        ),
        (
            "address field",
            json!([{"op": "replace", "path": "/address/locationName:HQ/city", "value": "Cambridge"}]),
            |c| c["address"][0]["city"].clone(),
            json!("Cambridge"),
        ),
        (
            "address appended",
            json!([{"op": "add", "path": "/address/-", "value": {"locationName": "Home", "city": "Salem"}}]),
            |c| c["address"][1]["locationName"].clone(),
            json!("Home"),
        ),
        (
            "topic added",
            json!([{"op": "add", "path": "/topics/-", "value": TRAFFIC}]),
            |c| c["topics"].clone(),
            json!([WEATHER, TRAFFIC]),
        ),
        (
            "topic removed",
            json!([{"op": "remove", "path": format!("/topics/value:{WEATHER}")}]),
            |c| json!(c["topics"].as_array().map_or(0, Vec::len)),
            json!(0),
        ),
        (
            "group added",
            json!([{"op": "add", "path": "/groups/-", "value": 3}]),
            |c| c["groups"].clone(),
            json!([1, 2, 3]),
        ),
        ("group removed", json!([{"op": "remove", "path": "/groups/value:2"}]), |c| c["groups"].clone(), json!([1])),
        (
            "group added by name",
            json!([{"op": "add", "path": "/groupsName/-", "value": "group3"}]),
            |c| c["groupsName"].clone(),
            json!(["group1", "group2", "group3"]),
        ),
        (
            "group removed by name",
            json!([{"op": "remove", "path": "/groupsName/value:group1"}]),
            |c| c["groupsName"].clone(),
            json!(["group2"]),
        ),
        (
            "record type by name",
            json!([{"op": "replace", "path": "/recordTypeName", "value": "Employee"}]),
            |c| c["recordTypeId"].clone(),
            json!(EMPLOYEE),
        ),
    ];
    let items: Vec<Value> = (0..table.len()).map(|i| person(&format!("sel{i}"))).collect();
    let ids = app.create_contacts(Value::Array(items)).await;
    for ((case, ops, read, expected), id) in table.into_iter().zip(ids) {
        let (status, body) = patch(&app, id, ops).await;
        assert_eq!(status, StatusCode::OK, "[{case}] {body}");
        assert_eq!(body["message"], "OK", "[{case}]");
        assert_eq!(body["id"], id, "[{case}]");
        assert_eq!(body["instanceUri"], format!("{}/rest/contacts/{ORG}/{id}", app.base), "[{case}]");
        let c = app.contact(id).await;
        assert_eq!(read(&c), expected, "[{case}] {c}");
        let bumped = if case == "record type by name" { 1 } else { 2 };
        assert_eq!(c["version"], bumped, "[{case}] a change is one new version; no change, none");
    }
    app.stop().await;
}

#[tokio::test]
async fn patch_with_one_bad_operation_changes_nothing() {
    let app = app().await;
    let id = app.create_contacts(json!([person("bad1")])).await[0];
    let before = app.contact(id).await;
    let bad = json!({"op": "replace", "path": format!("/paths/pathId:{HOME_PHONE}/value"), "value": "+17815550001"});
    let ops = json!([
        {"op": "replace", "path": "/firstName", "value": "Changed"},
        {"op": "remove", "path": "/groups/value:1"},
        bad,
        {"op": "add", "path": "/topics/-", "value": TRAFFIC},
    ]);
    let (status, body) = patch(&app, id, ops).await;
    let detail = failed_patch(status, &body, std::slice::from_ref(&bad));
    assert_eq!(detail[0]["details"], bad["path"]);
    assert_eq!(app.contact(id).await, before, "nothing changed, the version included");
    app.stop().await;
}

#[tokio::test]
async fn patch_a_result_that_fails_validation_is_refused_and_blamed_on_its_operation() {
    let app = app().await;
    let id = app.create_contacts(json!([person("val1")])).await[0];
    let before = app.contact(id).await;
    let bad = json!({"op": "replace", "path": format!("/paths/pathId:{PHONE}/value"), "value": "not a phone"});
    let ops = json!([{"op": "replace", "path": "/firstName", "value": "Changed"}, bad]);
    let (status, body) = patch(&app, id, ops).await;
    let detail = failed_patch(status, &body, &[bad]);
    assert_eq!(detail[0]["details"], "paths[0].value");
    let ops = json!([{"op": "replace", "path": "/contactAttributes/name:attr1/values", "value": ["option9"]}]);
    let (status, body) = patch(&app, id, ops.clone()).await;
    failed_patch(status, &body, &[ops[0].clone()]);
    assert_eq!(app.contact(id).await, before);
    app.stop().await;
}

#[tokio::test]
async fn patch_removes_a_group_membership() {
    let app = app().await;
    let id = app.create_contacts(json!([person("grp1")])).await[0];
    assert_eq!(app.contact(id).await["groups"], json!([1, 2]));
    let (status, body) = patch(&app, id, json!([{"op": "remove", "path": "/groups/value:2"}])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let c = app.contact(id).await;
    assert_eq!((c["groups"].clone(), c["groupsName"].clone()), (json!([1]), json!(["group1"])));
    assert_eq!(c["version"], 2);
    // Leaving it again is an operation on a missing element.
    let op = json!({"op": "remove", "path": "/groups/value:2"});
    let (status, body) = patch(&app, id, json!([op])).await;
    failed_patch(status, &body, &[op]);
    app.stop().await;
}

#[tokio::test]
async fn patch_bad_patches_answer_everbridge_s_400() {
    let app = app().await;
    let id = app.create_contacts(json!([person("bad2")])).await[0];
    let before = app.contact(id).await;
    let path = format!("/rest/contacts/{ORG}/{id}");
    let demo = ("demo", "demo");
    // One operation each: unknown selectors, missing elements, wrong types, malformed ops.
    for op in [
        json!({"op": "replace", "path": "/nickname", "value": "x"}),
        json!({"op": "replace", "path": "/paths/color:red/value", "value": "x"}),
        json!({"op": "replace", "path": "/paths/pathId:999/value", "value": "x"}),
        json!({"op": "remove", "path": format!("/paths/pathId:{HOME_PHONE}")}),
        json!({"op": "remove", "path": "/address/locationName:Nowhere"}),
        json!({"op": "remove", "path": "/groups/value:3"}),
        json!({"op": "add", "path": "/groups/-", "value": 99}),
        json!({"op": "remove", "path": "/firstName"}),
        json!({"op": "replace", "path": "/vip", "value": "maybe"}),
        json!({"op": "replace", "path": "/paths/9/value", "value": "x"}),
        json!({"op": "move", "from": "/firstName", "path": "/lastName"}),
        json!({"path": "/firstName", "value": "x"}),
        json!({"op": "replace", "path": "/id", "value": 1}),
    ] {
        let (status, body) = patch(&app, id, json!([op])).await;
        failed_patch(status, &body, &[op]);
    }
    // The body as a whole.
    for (body, content_type) in [
        ("[{\"op\": \"remove\",", Some(JSON_PATCH)),
        ("", Some(JSON_PATCH)),
        ("{\"op\": \"remove\", \"path\": \"/suffix\"}", Some(JSON_PATCH)),
        ("[{\"op\": \"remove\", \"path\": \"/suffix\"}]", Some("text/plain")),
        ("op=remove&path=/suffix", Some("application/x-www-form-urlencoded")),
    ] {
        let (status, answer) = send(&app, demo, &path, body, content_type, &[]).await;
        let detail = failed_patch(status, &answer, &[Value::Null]);
        assert!(["body", "Content-Type"].contains(&detail[0]["details"].as_str().unwrap()), "{answer}");
    }
    assert_eq!(app.contact(id).await, before, "nothing changed");
    app.stop().await;
}

#[tokio::test]
async fn patch_plain_json_and_no_content_type_are_accepted() {
    let app = app().await;
    let id = app.create_contacts(json!([person("ct1")])).await[0];
    let path = format!("/rest/contacts/{ORG}/{id}");
    for (name, content_type) in
        [("A", Some("application/json")), ("B", None), ("C", Some("application/json-patch+json; charset=utf-8"))]
    {
        let ops = json!([{"op": "replace", "path": "/firstName", "value": name}]).to_string();
        let (status, body) = send(&app, ("demo", "demo"), &path, &ops, content_type, &[]).await;
        assert_eq!(status, StatusCode::OK, "{content_type:?}: {body}");
        assert_eq!(app.contact(id).await["firstName"], name);
    }
    app.stop().await;
}

#[tokio::test]
async fn patch_that_changes_nothing_keeps_the_version() {
    let app = app().await;
    let id = app.create_contacts(json!([person("same1")])).await[0];
    let ops = json!([
        {"op": "replace", "path": "/firstName", "value": "Ann"},
        {"op": "add", "path": "/groups/-", "value": 1},
        {"op": "add", "path": "/topics/value:77"},
    ]);
    let (status, body) = patch(&app, id, ops).await;
    assert_eq!((status, body["id"].clone()), (StatusCode::OK, json!(id)), "{body}");
    assert_eq!(app.contact(id).await["version"], 1);
    let (status, _) = patch(&app, id, json!([])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.contact(id).await["version"], 1);
    app.stop().await;
}

#[tokio::test]
async fn patch_an_unknown_contact_is_404_and_a_missing_id_too() {
    let app = app().await;
    let ops = json!([{"op": "replace", "path": "/firstName", "value": "x"}]).to_string();
    let demo = ("demo", "demo");
    for segment in ["999", "abc"] {
        let (status, body) =
            send(&app, demo, &format!("/rest/contacts/{ORG}/{segment}"), &ops, Some(JSON_PATCH), &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(body, json!({"message": format!("Contact {segment} not found."), "status": 404, "code": 404}));
    }
    let (status, body) =
        send(&app, demo, &format!("/rest/contacts/{ORG}/nobody?idType=externalId"), &ops, Some(JSON_PATCH), &[]).await;
    assert_eq!((status, body["message"].clone()), (StatusCode::NOT_FOUND, json!("Contact nobody not found.")));
    let (status, body) = send(&app, demo, &format!("/rest/contacts/{ORG}/"), &ops, Some(JSON_PATCH), &[]).await;
    assert_eq!((status, body["message"].clone()), (StatusCode::NOT_FOUND, json!("Missing Contact Id")), "{body}");
    app.stop().await;
}

#[tokio::test]
async fn patch_by_external_id() {
    let app = app().await;
    let id = app.create_contacts(json!([person("ext-1")])).await[0];
    let ops = json!([{"op": "replace", "path": "/lastName", "value": "Byext"}]).to_string();
    let path = format!("/rest/contacts/{ORG}/ext-1?idType=externalId");
    let (status, body) = send(&app, ("demo", "demo"), &path, &ops, Some(JSON_PATCH), &[]).await;
    assert_eq!((status, body["id"].clone()), (StatusCode::OK, json!(id)), "{body}");
    assert_eq!(app.contact(id).await["lastName"], "Byext");
    app.stop().await;
}

#[tokio::test]
async fn patch_editors_may_patch_viewers_may_not() {
    let app = app().await;
    let id = app.create_contacts(json!([person("role1")])).await[0];
    let path = format!("/rest/contacts/{ORG}/{id}");
    let ops = json!([{"op": "replace", "path": "/firstName", "value": "ByEditor"}]).to_string();
    let (status, body) = send(&app, ("viewer", "viewer"), &path, &ops, Some(JSON_PATCH), &[]).await;
    assert_eq!((status, body["status"].clone()), (StatusCode::FORBIDDEN, json!(403)), "{body}");
    assert_eq!(app.contact(id).await["firstName"], "Ann");
    let (status, body) = send(&app, ("editor", "editor"), &path, &ops, Some(JSON_PATCH), &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.contact(id).await["firstName"], "ByEditor");
    let (status, _) = send(&app, ("demo", "wrong"), &path, &ops, Some(JSON_PATCH), &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn patch_if_match_must_name_the_current_version() {
    let app = app().await;
    let id = app.create_contacts(json!([person("ver1")])).await[0];
    let path = format!("/rest/contacts/{ORG}/{id}");
    let ops = json!([{"op": "replace", "path": "/firstName", "value": "V2"}]).to_string();
    let demo = ("demo", "demo");
    let (status, body) = send(&app, demo, &path, &ops, Some(JSON_PATCH), &[("If-Match", "\"7\"")]).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{body}");
    assert_eq!((body["status"].clone(), body["code"].clone()), (json!(412), json!(330)));
    assert_eq!(app.contact(id).await["version"], 1);
    let (status, body) = send(&app, demo, &path, &ops, Some(JSON_PATCH), &[("If-Match", "\"1\"")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.contact(id).await["version"], 2);
    app.stop().await;
}

#[tokio::test]
async fn patch_a_rename_to_a_taken_external_id_is_409() {
    let app = app().await;
    let ids = app.create_contacts(json!([person("one"), person("two")])).await;
    let (status, body) = patch(&app, ids[1], json!([{"op": "replace", "path": "/externalId", "value": "one"}])).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!((body["status"].clone(), body["code"].clone()), (json!(409), json!(310)));
    assert_eq!(app.contact(ids[1]).await["externalId"], "two");
    app.stop().await;
}

#[tokio::test]
async fn patch_another_organization_s_contact_is_never_changed() {
    let app = app().await;
    app.store.create_organization(Some(2), "Other").await.unwrap();
    app.store.upsert_user("other", &hash_password("other").unwrap(), 2, Role::Admin).await.unwrap();
    let other = app.as_user("other", "other");
    let item = json!([{"externalId": "secret", "firstName": "Sam", "lastName": "Other", "recordTypeName": "Employee"}]);
    let (status, body) = other.send(Method::POST, "/rest/contacts/2/batch", Some(item)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let theirs: i64 = body["data"][0].as_str().unwrap().parse().unwrap();
    let their_path = format!("/rest/contacts/2/{theirs}");
    let before = other.send(Method::GET, &their_path, None).await.1["result"].clone();
    assert_eq!(before["firstName"], "Sam");
    let ops = json!([{"op": "replace", "path": "/firstName", "value": "Hijacked"}, {"op": "add", "path": "/groups/-", "value": 1}]);
    let demo = ("demo", "demo");
    let (status, body) =
        send(&app, demo, &format!("/rest/contacts/{ORG}/{theirs}"), &ops.to_string(), Some(JSON_PATCH), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "through our organization it does not exist: {body}");
    let (status, body) =
        send(&app, demo, &format!("/rest/contacts/2/{theirs}"), &ops.to_string(), Some(JSON_PATCH), &[]).await;
    assert_eq!((status, body["message"].clone()), (StatusCode::UNAUTHORIZED, json!("Org 2 is invalid.")), "{body}");
    let path = format!("/rest/contacts/{ORG}/secret?idType=externalId");
    let (status, _) = send(&app, demo, &path, &ops.to_string(), Some(JSON_PATCH), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(other.send(Method::GET, &their_path, None).await.1["result"], before, "never changed");
    app.stop().await;
}
