//! The organization catalog over HTTP (SPEC §2): record types, groups, contact attribute
//! definitions, contact paths and topics; explicit and generated ids, the seed of a new
//! organization, duplicates, invalid bodies and the isolation of organizations.

use contacts_application::auth::{hash_password, Role};
use contacts_tests::{json, Caller, TestApp, ATTR1, EMPLOYEE, PHONE};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// One catalog resource: its path segment, the key of its id and of its name, and the other
/// fields a create body needs.
struct Resource {
    segment: &'static str,
    id_key: &'static str,
    name_key: &'static str,
    extra: fn() -> Value,
}

const RESOURCES: [Resource; 5] = [
    Resource { segment: "recordTypes", id_key: "id", name_key: "name", extra: || json!({}) },
    Resource { segment: "groups", id_key: "id", name_key: "name", extra: || json!({"parentId": -1}) },
    Resource { segment: "contactAttributes", id_key: "id", name_key: "name", extra: || json!({"dataType": "STRING"}) },
    Resource { segment: "contactPaths", id_key: "pathId", name_key: "prompt", extra: || json!({"type": "EMAIL"}) },
    Resource { segment: "topics", id_key: "id", name_key: "name", extra: || json!({}) },
];

impl Resource {
    fn body(&self, id: Option<Value>, name: &str) -> Value {
        let mut body = (self.extra)();
        body[self.name_key] = json!(name);
        if let Some(id) = id {
            body[self.id_key] = id;
        }
        body
    }
}

/// The `data` of a catalog listing, after checking its list envelope.
async fn list(app: &TestApp, segment: &str, org: i64) -> Vec<Value> {
    let (status, body) = app.get(&format!("/rest/{segment}/{org}")).await;
    assert_eq!(status, StatusCode::OK, "{segment}: {body}");
    check_list_envelope(app, segment, org, &body);
    body["page"]["data"].as_array().unwrap().clone()
}

/// The `data` of a catalog listing as `caller` sees it, after checking its list envelope.
async fn list_as(app: &TestApp, caller: &Caller<'_>, segment: &str, org: i64) -> Value {
    let (status, body) = caller.send(Method::GET, &format!("/rest/{segment}/{org}"), None).await;
    assert_eq!(status, StatusCode::OK, "{segment}: {body}");
    check_list_envelope(app, segment, org, &body);
    body["page"]["data"].clone()
}

fn check_list_envelope(app: &TestApp, segment: &str, org: i64, body: &Value) {
    let first = format!("{}/rest/{segment}/{org}?pageNumber=1&pageSize=3000", app.base);
    assert_eq!(body["message"], "OK", "{body}");
    assert_eq!(body["firstPageUri"], json!(first), "{body}");
    assert_eq!(body["lastPageUri"], json!(first), "{body}");
    assert_eq!(body.get("nextPageUri"), None, "{body}");
    assert_eq!(body.get("previousPageUri"), None, "{body}");
    let page = &body["page"];
    let count = page["data"].as_array().unwrap().len();
    assert_eq!(page["totalCount"], json!(count), "{body}");
    assert_eq!(page["currentPageNo"], 1, "{body}");
    assert_eq!(page["pageSize"], 3000, "{body}");
    assert_eq!(page["start"], 0, "{body}");
    assert_eq!(page["totalPageCount"], json!(u64::from(count > 0)), "{body}");
}

/// Creates an entry in org 1 and checks the write envelope; returns the id.
async fn create(app: &TestApp, segment: &str, body: Value) -> i64 {
    let (status, answer) = app.post(&format!("/rest/{segment}/1"), body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{segment} {body}: {answer}");
    let id = answer["id"].as_i64().unwrap_or_else(|| panic!("no id in {answer}"));
    let base = format!("{}/rest/{segment}/1/", app.base);
    assert_eq!(answer, json!({"message": "OK", "id": id, "baseUri": base, "instanceUri": format!("{base}{id}")}));
    id
}

fn find<'a>(data: &'a [Value], key: &str, id: i64) -> &'a Value {
    data.iter().find(|e| e[key] == id).unwrap_or_else(|| panic!("no {key} {id} in {data:?}"))
}

#[tokio::test]
async fn each_resource_is_created_with_a_numeric_a_string_or_no_id_and_listed() {
    let app = TestApp::spawn().await;
    for r in &RESOURCES {
        let given = create(&app, r.segment, r.body(Some(json!(42)), "given")).await;
        assert_eq!(given, 42, "{}", r.segment);
        let as_string = create(&app, r.segment, r.body(Some(json!("43")), "as string")).await;
        assert_eq!(as_string, 43, "{}", r.segment);
        let generated = create(&app, r.segment, r.body(None, "generated")).await;
        assert!(![42, 43].contains(&generated) && generated > 0, "{}: {generated}", r.segment);
        let data = list(&app, r.segment, 1).await;
        for (id, name) in [(42, "given"), (43, "as string"), (generated, "generated")] {
            let entry = find(&data, r.id_key, id);
            assert_eq!(entry[r.name_key], name, "{}: {entry}", r.segment);
            assert_eq!(entry["organizationId"], 1, "{}: {entry}", r.segment);
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn the_demo_catalog_is_listed_as_written() {
    let app = TestApp::spawn().await;
    assert_eq!(
        list(&app, "groups", 1).await,
        (1..=3)
            .map(|i| json!({"id": i, "organizationId": 1, "name": format!("group{i}"), "parentId": -1}))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        list(&app, "recordTypes", 1).await,
        vec![json!({"id": EMPLOYEE, "organizationId": 1, "name": "Employee"})]
    );
    assert_eq!(
        list(&app, "contactAttributes", 1).await,
        vec![json!({"id": ATTR1, "organizationId": 1, "name": "attr1", "dataType": "STRING",
            "definedValues": ["option1", "option2", "option3"], "displayFormat": "S"})]
    );
    let paths = list(&app, "contactPaths", 1).await;
    assert_eq!(paths.len(), 6, "{paths:?}");
    assert_eq!(find(&paths, "pathId", PHONE)["prompt"], "phone");
    assert_eq!(list(&app, "topics", 1).await, Vec::<Value>::new());
    app.stop().await;
}

#[tokio::test]
async fn a_new_organization_starts_with_employee_and_the_well_known_paths() {
    let app = TestApp::spawn().await;
    app.store.create_organization(Some(2), "Other").await.unwrap();
    app.store.upsert_user("other", &hash_password("other").unwrap(), 2, Role::Viewer).await.unwrap();
    let other = app.as_user("other", "other");
    assert_eq!(
        list_as(&app, &other, "recordTypes", 2).await,
        json!([{"id": EMPLOYEE, "organizationId": 2, "name": "Employee"}])
    );
    let well_known = [
        (241_901_148_045_316_i64, "Email Address 1", "EMAIL"),
        (241_901_148_045_317, "Email Address 2", "EMAIL"),
        (241_901_148_045_319, "Mobile Phone", "PHONE"),
        (241_901_148_045_320, "Home Phone", "PHONE"),
        (241_901_148_045_321, "Office Phone", "PHONE"),
        (241_901_148_045_324, "SMS 1", "SMS"),
    ];
    let expected: Vec<Value> = well_known
        .iter()
        .map(|(id, prompt, t)| json!({"id": id, "pathId": id, "organizationId": 2, "prompt": prompt, "type": t}))
        .collect();
    let mut paths = list_as(&app, &other, "contactPaths", 2).await.as_array().unwrap().clone();
    paths.sort_by_key(|p| p["pathId"].as_i64());
    assert_eq!(paths, expected);
    for segment in ["groups", "contactAttributes", "topics"] {
        assert_eq!(list_as(&app, &other, segment, 2).await, json!([]), "{segment}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_taken_id_or_name_is_409() {
    let app = TestApp::spawn().await;
    for r in &RESOURCES {
        create(&app, r.segment, r.body(Some(json!(500)), "first")).await;
        let path = format!("/rest/{}/1", r.segment);
        for (body, what) in [
            (r.body(Some(json!(500)), "second"), "this id is already taken"),
            (r.body(Some(json!("500")), "third"), "this id is already taken"),
            (r.body(Some(json!(501)), "first"), "already taken"),
            (r.body(None, "first"), "already taken"),
        ] {
            let (status, answer) = app.post(&path, body.clone()).await;
            assert_eq!(status, StatusCode::CONFLICT, "{path} {body}: {answer}");
            assert_eq!(answer["status"], 409, "{answer}");
            let message = answer["message"].as_str().unwrap();
            assert!(message.contains(what), "{path} {body}: {message}");
        }
        let data = list(&app, r.segment, 1).await;
        let named: Vec<&Value> = data.iter().filter(|e| e[r.name_key] == "first").collect();
        assert_eq!(named.len(), 1, "{}: {data:?}", r.segment);
        assert!(!data.iter().any(|e| e[r.id_key] == 501), "{}: {data:?}", r.segment);
    }
    // The seeded entries are taken too.
    let (status, _) = app.post("/rest/recordTypes/1", json!({"name": "Employee"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = app.post("/rest/contactPaths/1", json!({"pathId": PHONE, "prompt": "p2", "type": "PHONE"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = app.post("/rest/groups/1", json!({"id": 1, "name": "another"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    app.stop().await;
}

#[tokio::test]
async fn generated_ids_never_collide_with_explicit_ones() {
    let app = TestApp::spawn().await;
    for r in &RESOURCES {
        let n = create(&app, r.segment, r.body(None, "gen-1")).await;
        let explicit = create(&app, r.segment, r.body(Some(json!(n + 1)), "explicit")).await;
        assert_eq!(explicit, n + 1, "{}", r.segment);
        let m = create(&app, r.segment, r.body(None, "gen-2")).await;
        assert!(m != n && m != n + 1, "{}: generated {m} after {n} and {}", r.segment, n + 1);
        let data = list(&app, r.segment, 1).await;
        for (id, name) in [(n, "gen-1"), (n + 1, "explicit"), (m, "gen-2")] {
            assert_eq!(find(&data, r.id_key, id)[r.name_key], name, "{}", r.segment);
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn group_bodies_are_read_leniently() {
    let app = TestApp::spawn().await;
    let null_parent = create(&app, "groups", json!({"name": "g-null", "parentId": null, "organizationId": "1"})).await;
    let minus_one = create(&app, "groups", json!({"name": "g-minus", "parentId": -1, "description": "d"})).await;
    let minus_one_string = create(&app, "groups", json!({"name": "g-minus-s", "parentId": "-1"})).await;
    let child = create(&app, "groups", json!({"name": "g-child", "parentId": "1", "organizationId": 2})).await;
    let data = list(&app, "groups", 1).await;
    assert_eq!(
        find(&data, "id", null_parent),
        &json!({"id": null_parent, "organizationId": 1, "name": "g-null", "parentId": -1})
    );
    assert_eq!(
        find(&data, "id", minus_one),
        &json!({"id": minus_one, "organizationId": 1, "name": "g-minus", "parentId": -1, "description": "d"})
    );
    assert_eq!(find(&data, "id", minus_one_string)["parentId"], -1);
    assert_eq!(find(&data, "id", child)["parentId"], 1);
    // A parent that does not exist in the organization.
    let (status, answer) = app.post("/rest/groups/1", json!({"name": "orphan", "parentId": 987_654})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(answer["status"], 400);
    assert!(answer["message"].as_str().unwrap().contains("parent group does not exist"), "{answer}");
    app.stop().await;
}

#[tokio::test]
async fn attribute_definitions_carry_their_type_and_defined_values() {
    let app = TestApp::spawn().await;
    let number = create(
        &app,
        "contactAttributes",
        json!({"name": "floor", "dataType": "NUMBER", "definedValues": ["1", "2.5", 3], "displayFormat": "N"}),
    )
    .await;
    let boolean = create(&app, "contactAttributes", json!({"name": "remote", "dataType": "boolean"})).await;
    let untyped = create(&app, "contactAttributes", json!({"name": "notes"})).await;
    let data = list(&app, "contactAttributes", 1).await;
    assert_eq!(
        find(&data, "id", number),
        &json!({"id": number, "organizationId": 1, "name": "floor", "dataType": "NUMBER",
            "definedValues": ["1", "2.5", "3"], "displayFormat": "N"})
    );
    assert_eq!(find(&data, "id", boolean)["dataType"], "BOOLEAN");
    assert_eq!(find(&data, "id", untyped)["dataType"], "STRING");
    assert_eq!(find(&data, "id", untyped)["definedValues"], json!([]));
    app.stop().await;
}

#[tokio::test]
async fn invalid_catalog_bodies_are_400_naming_the_problem() {
    let app = TestApp::spawn().await;
    let cases: Vec<(&str, String, &str)> = vec![
        ("topics", json!({}).to_string(), "name is required"),
        ("topics", json!({"name": null}).to_string(), "name is required"),
        ("topics", json!({"name": ""}).to_string(), "name must be 1 to 100 characters"),
        ("topics", json!({"name": "   "}).to_string(), "name is required"),
        ("topics", json!({"name": "x".repeat(101)}).to_string(), "name must be 1 to 100 characters"),
        ("topics", json!({"name": {"a": 1}}).to_string(), "name"),
        ("topics", json!({"id": "abc", "name": "t"}).to_string(), "id"),
        ("topics", json!({"id": -5, "name": "t"}).to_string(), "id must be a positive id"),
        ("recordTypes", json!({"id": 7}).to_string(), "name is required"),
        ("groups", json!({"description": "no name"}).to_string(), "name is required"),
        ("groups", json!({"name": "g", "parentId": "top"}).to_string(), "parentId"),
        (
            "contactAttributes",
            json!({"name": "a", "dataType": "COLOR"}).to_string(),
            "dataType 'COLOR' is not one of STRING, NUMBER, DATE, BOOLEAN",
        ),
        (
            "contactAttributes",
            json!({"name": "a", "dataType": "NUMBER", "definedValues": ["one"]}).to_string(),
            "definedValues[0]",
        ),
        ("contactAttributes", json!({"dataType": "STRING"}).to_string(), "name is required"),
        (
            "contactPaths",
            json!({"prompt": "Pager 9", "type": "PIGEON"}).to_string(),
            "type 'PIGEON' is not one of EMAIL, PHONE, SMS, FAX, TTY, PAGER, OTHER",
        ),
        ("contactPaths", json!({"prompt": "Pager 9"}).to_string(), "type is required"),
        ("contactPaths", json!({"type": "EMAIL"}).to_string(), "prompt is required"),
        ("topics", "{\"name\": ".to_owned(), "Malformed JSON at line 1 column"),
        ("groups", "{\"name\": \"g\",,}".to_owned(), "Malformed JSON at line 1 column"),
        ("groups", String::new(), "The request body is empty; a JSON body is required"),
        ("groups", "[{\"name\": \"g\"}]".to_owned(), "The request body must be a JSON object"),
        ("recordTypes", "\"Employee 2\"".to_owned(), "The request body must be a JSON object"),
    ];
    for (segment, body, expected) in cases {
        let (status, answer) = app.send_raw(Method::POST, &format!("/rest/{segment}/1"), &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{segment} {body}: {answer}");
        assert_eq!(answer["status"], 400, "{segment} {body}: {answer}");
        let message = answer["message"].as_str().unwrap_or_default();
        assert!(message.contains(expected), "{segment} {body}: {message:?} should say {expected:?}");
    }
    for segment in ["recordTypes", "groups", "contactAttributes", "topics"] {
        let data = list(&app, segment, 1).await;
        assert!(data.iter().all(|e| !["t", "a", "g"].contains(&e["name"].as_str().unwrap())), "{segment}: {data:?}");
    }
    assert_eq!(list(&app, "contactPaths", 1).await.len(), 6);
    app.stop().await;
}

#[tokio::test]
async fn another_organization_s_catalog_is_never_visible() {
    let app = TestApp::spawn().await;
    app.store.create_organization(Some(2), "Other").await.unwrap();
    app.store.upsert_user("other", &hash_password("other").unwrap(), 2, Role::Admin).await.unwrap();
    let other = app.as_user("other", "other");
    // Ids and names are unique per organization: org 2 may reuse org 1's.
    for (segment, body) in [
        ("groups", json!({"id": 1, "name": "group1"})),
        ("groups", json!({"id": 77, "name": "secret group"})),
        ("topics", json!({"id": 78, "name": "secret topic"})),
        ("contactAttributes", json!({"id": ATTR1, "name": "attr1", "definedValues": ["secret"]})),
        ("contactPaths", json!({"pathId": 79, "prompt": "secret path", "type": "SMS"})),
        ("recordTypes", json!({"id": 80, "name": "secret type"})),
    ] {
        let (status, answer) = other.send(Method::POST, &format!("/rest/{segment}/2"), Some(body.clone())).await;
        assert_eq!(status, StatusCode::OK, "{segment} {body}: {answer}");
        assert!(answer["baseUri"].as_str().unwrap().ends_with(&format!("/rest/{segment}/2/")), "{answer}");
    }
    for segment in ["groups", "topics", "contactAttributes", "contactPaths", "recordTypes"] {
        let data = list(&app, segment, 1).await;
        let text = Value::Array(data.clone()).to_string();
        assert!(!text.contains("secret"), "{segment} of org 1 shows org 2's: {text}");
        assert!(data.iter().all(|e| e["organizationId"] == 1), "{segment}: {text}");
    }
    assert_eq!(
        find(&list(&app, "contactAttributes", 1).await, "id", ATTR1)["definedValues"],
        json!(["option1", "option2", "option3"])
    );
    assert_eq!(list(&app, "groups", 1).await.len(), 3);
    let (status, body) = other.send(Method::GET, "/rest/groups/2", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["page"]["totalCount"], 2, "{body}");
    app.stop().await;
}
