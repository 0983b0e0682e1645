//! Bad batch requests (SPEC §1, error table): malformed bodies, wrong types, missing or unknown
//! identifiers, repeated contacts, limits, and other organizations. Each answer has its exact
//! status and body, never a 500, and nothing is written. Bad values are in `batch_bad_values.rs`.

mod common;

use common::*;
use contacts_application::auth::{hash_password, Role};
use contacts_server::ServeArgs;

/// An app with one contact (`e1`), its read representation and its id.
async fn app_with_contact() -> (TestApp, i64, Value) {
    let app = TestApp::spawn().await;
    let id = create_one(&app, minimal("e1", "F")).await;
    let read = app.contact(id).await;
    (app, id, read)
}

/// Nothing was written: the one contact is as it was and no other exists.
async fn assert_untouched(app: &TestApp, id: i64, read: &Value) {
    assert_eq!(&app.contact(id).await, read);
    assert_eq!(all_contacts(app).await.len(), 1);
}

#[tokio::test]
async fn malformed_json_is_400_saying_where() {
    let (app, id, read) = app_with_contact().await;
    let text = format!("[{{\"id\": {id}, \"externalId\": \"e1\",\n  \"firstName\": }}]");
    for method in [Method::PUT, Method::POST] {
        let (status, body) = app.send_raw(method.clone(), &batch(""), &text).await;
        assert_error(status, &body, 400, 400, None);
        let message = body["message"].as_str().unwrap();
        assert!(message.contains("line 2") && message.contains("column"), "{method}: {message}");
    }
    for text in ["[", "", "   ", "[{\"id\": 1,}]", "nul"] {
        let (status, body) = app.send_raw(Method::PUT, &batch(""), text).await;
        assert_error(status, &body, 400, 400, None);
        assert!(body.get("errors").is_none(), "{text:?}: {body}");
    }
    assert_untouched(&app, id, &read).await;
    app.stop().await;
}

#[tokio::test]
async fn a_body_that_is_not_an_array_is_400() {
    let (app, id, read) = app_with_contact().await;
    for text in [minimal_with_id(id, "e1", "G").to_string(), "\"e1\"".into(), "42".into(), "null".into()] {
        let (status, body) = app.send_raw(Method::PUT, &batch(""), &text).await;
        assert_error(status, &body, 400, 400, None);
        assert!(body["message"].as_str().unwrap().contains("array"), "{text}: {body}");
        let (status, body) = app.send_raw(Method::POST, &batch(""), &text).await;
        assert_error(status, &body, 400, 400, None);
    }
    assert_untouched(&app, id, &read).await;
    app.stop().await;
}

#[tokio::test]
async fn wrong_types_are_400_naming_each_item_and_field() {
    let (app, id, read) = app_with_contact().await;
    let item = |extra: Value| with(minimal_with_id(id, "e1", "G"), extra);
    let items = json!([
        item(json!({})),
        item(json!({"firstName": {}})),
        item(json!({"recordTypeId": "abc"})),
        7,
        item(json!({"paths": [{"pathId": [1], "value": "x"}]})),
        item(json!({"vip": "maybe"})),
        item(json!({"groups": "1"})),
    ]);
    let (status, body) = app.put(&batch(""), items.clone()).await;
    assert_error(status, &body, 400, 400, Some(320));
    assert!(body["message"].as_str().unwrap().contains("firstName"), "{body}");
    assert_eq!(
        errors(&body),
        vec![
            err(1, "firstName", 320),
            err(2, "recordTypeId", 320),
            err(3, "", 320),
            err(4, "paths[0].pathId", 320),
            err(5, "vip", 320),
            err(6, "groups", 320),
        ]
    );
    assert_untouched(&app, id, &read).await;

    // Not atomic: the well-typed item is written, each other one fails on its own.
    let (status, body) = app.put(&batch("?atomic=false"), items).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(statuses(&body), ["updated", "failed", "failed", "failed", "failed", "failed", "failed"]);
    assert_eq!(app.contact(id).await["firstName"], "G");
    app.stop().await;
}

#[tokio::test]
async fn an_item_without_its_identifier_is_404_missing_contact_id() {
    let (app, id, read) = app_with_contact().await;
    let cases = [
        ("", minimal("e1", "G"), "id"),
        ("?idType=id", with(minimal("e1", "G"), json!({"id": null})), "id"),
        ("?idType=externalId", with(minimal_with_id(id, "e1", "G"), json!({"externalId": null})), "externalId"),
        ("?idType=externalId", without(minimal_with_id(id, "e1", "G"), &["externalId"]), "externalId"),
        ("?idType=externalId", with(minimal_with_id(id, "e1", "G"), json!({"externalId": "  "})), "externalId"),
    ];
    for (query, item, field) in cases {
        let (status, body) = app.put(&batch(query), json!([minimal_with_id(id, "e1", "G"), item.clone()])).await;
        assert_error(status, &body, 404, 404, None);
        assert_eq!(body["message"], "Missing Contact Id", "{item}");
        assert_eq!(errors(&body), vec![err(1, field, 404)], "{item}");
    }
    // The single PUT without an id in its URI.
    let (status, body) = app.put(&format!("/rest/contacts/{ORG}/"), minimal("e1", "G")).await;
    assert_error(status, &body, 404, 404, None);
    assert_eq!(body["message"], "Missing Contact Id");
    assert_untouched(&app, id, &read).await;
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_contact_is_404_code_404_contact_not_found() {
    let (app, id, read) = app_with_contact().await;
    let (status, body) =
        app.put(&batch(""), json!([minimal_with_id(id, "e1", "G"), minimal_with_id(987_654_321, "e1", "G")])).await;
    assert_error(status, &body, 404, 404, Some(404));
    assert_eq!(body["message"], "Contact 987654321 not found.");
    assert_eq!(errors(&body), vec![err(1, "id", 404)]);

    let (status, body) = app.put(&batch("?idType=externalId"), json!([minimal("nope", "G")])).await;
    assert_error(status, &body, 404, 404, Some(404));
    assert_eq!(body["message"], "Contact nope not found.");
    assert_eq!(errors(&body), vec![err(0, "externalId", 404)]);

    for path in [one(987_654_321), format!("/rest/contacts/{ORG}/abc")] {
        let (status, body) = app.get(&path).await;
        assert_error(status, &body, 404, 404, Some(404));
        assert!(body["message"].as_str().unwrap().starts_with("Contact "), "{body}");
        let (status, body) = app.put(&path, minimal("e1", "G")).await;
        assert_error(status, &body, 404, 404, Some(404));
    }
    assert_untouched(&app, id, &read).await;
    app.stop().await;
}

#[tokio::test]
async fn the_same_contact_twice_in_a_batch_is_400_code_321() {
    let (app, id, read) = app_with_contact().await;
    let cases = [
        ("", json!([minimal_with_id(id, "e1", "G"), minimal_with_id(id, "e1", "H")]), "id"),
        ("", json!([minimal_with_id(id, "e1", "G"), with(minimal("e1", "H"), json!({"id": id.to_string()}))]), "id"),
        ("?idType=externalId", json!([minimal("e1", "G"), minimal("e1", "H")]), "externalId"),
    ];
    for (query, items, field) in cases {
        let (status, body) = app.put(&batch(query), items.clone()).await;
        assert_error(status, &body, 400, 400, Some(321));
        assert_eq!(errors(&body), vec![err(1, field, 321)], "{items}");
    }
    assert_untouched(&app, id, &read).await;
    app.stop().await;
}

#[tokio::test]
async fn bad_query_parameters_are_400() {
    let (app, id, read) = app_with_contact().await;
    for query in ["?idType=email", "?updateType=sideways", "?atomic=maybe", "?dryRun=2"] {
        let (status, body) = app.put(&batch(query), json!([minimal_with_id(id, "e1", "G")])).await;
        assert_error(status, &body, 400, 400, None);
        let name = &query[1..query.find('=').unwrap()];
        assert!(body["message"].as_str().unwrap().contains(name), "{query}: {body}");
    }
    // Unknown parameters are ignored.
    put_ok(&app, "?foo=bar&_=1", json!([minimal_with_id(id, "e1", "F")])).await;
    assert_untouched(&app, id, &read).await;
    app.stop().await;
}

#[tokio::test]
async fn more_items_than_the_batch_limit_is_413() {
    let app = TestApp::spawn_with(ServeArgs { max_batch_size: 5, ..ServeArgs::default() }).await;
    let items = |n: usize| Value::Array((0..n).map(|i| minimal(&format!("e{i}"), "F")).collect());
    for method in [Method::POST, Method::PUT] {
        let (status, body, _) = app.send_with_headers(method.clone(), &batch(""), Some(items(6)), &[]).await;
        assert_error(status, &body, 413, 413, None);
        assert!(body["message"].as_str().unwrap().contains('5'), "{method}: {body}");
    }
    assert!(all_contacts(&app).await.is_empty());
    assert_eq!(app.create_contacts(items(5)).await.len(), 5, "the limit itself is accepted");
    app.stop().await;
}

#[tokio::test]
async fn a_body_over_the_size_limit_is_413_in_json() {
    let app = TestApp::spawn_with(ServeArgs { max_body_bytes: 4096, ..ServeArgs::default() }).await;
    let items = |n: usize| Value::Array((0..n).map(|i| minimal(&format!("ext-{i:04}"), "Firstname")).collect());
    let big = items(300);
    assert!(big.to_string().len() > 16_384);
    for method in [Method::POST, Method::PUT] {
        let (status, body, _) = app.send_with_headers(method.clone(), &batch(""), Some(big.clone()), &[]).await;
        assert_error(status, &body, 413, 413, None);
    }
    assert!(all_contacts(&app).await.is_empty());
    assert_eq!(app.create_contacts(items(10)).await.len(), 10, "a body under the limit is accepted");
    app.stop().await;
}

#[tokio::test]
async fn another_organizations_contacts_are_out_of_reach() {
    let (app, mine, read) = app_with_contact().await;
    app.store.create_organization(Some(2), "Other").await.unwrap();
    app.store.upsert_user("other", &hash_password("other").unwrap(), 2, Role::Admin).await.unwrap();
    let other = app.as_user("other", "other");
    let (status, body) =
        other.send(Method::POST, "/rest/contacts/2/batch", Some(json!([minimal("o1", "Theirs")]))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let theirs: i64 = data(&body)[0].parse().unwrap();
    let (_, before) = other.send(Method::GET, &format!("/rest/contacts/2/{theirs}"), None).await;
    assert_eq!(before["result"]["firstName"], "Theirs");

    // Through org 1, their id is no contact.
    let (status, body) = app.put(&batch(""), json!([minimal_with_id(theirs, "o1", "Hijacked")])).await;
    assert_error(status, &body, 404, 404, Some(404));
    assert_eq!(body["message"], format!("Contact {theirs} not found."));
    let (status, body) = app.put(&batch("?idType=externalId"), json!([minimal("o1", "Hijacked")])).await;
    assert_error(status, &body, 404, 404, Some(404));
    let (status, _) = app.get(&one(theirs)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.put(&one(theirs), minimal("o1", "Hijacked")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Through org 2, which the demo user is not granted: the same answer as an unknown org.
    for org in ["2", "999"] {
        let (status, body) =
            app.put(&format!("/rest/contacts/{org}/batch"), json!([minimal_with_id(theirs, "o1", "Hijacked")])).await;
        assert_error(status, &body, 401, 401, None);
        assert_eq!(body["message"], format!("Org {org} is invalid."));
    }
    let (status, body) =
        other.send(Method::PUT, &batch(""), Some(json!([minimal_with_id(mine, "e1", "Hijacked")]))).await;
    assert_error(status, &body, 401, 401, None);
    assert_eq!(body["message"], format!("Org {ORG} is invalid."));

    // externalIds are per organization: org 1 may have its own o1.
    let body = batch_ok(&app, Method::POST, "", json!([minimal("o1", "Mine")])).await;
    assert_eq!(statuses(&body), ["created"]);

    let (_, after) = other.send(Method::GET, &format!("/rest/contacts/2/{theirs}"), None).await;
    assert_eq!(after, before, "nothing changed in org 2");
    assert_eq!(app.contact(mine).await, read);
    app.stop().await;
}

#[tokio::test]
async fn a_missing_or_invalid_organization_segment_is_401() {
    let (app, id, read) = app_with_contact().await;
    for method in [Method::PUT, Method::POST] {
        let (status, body, _) =
            app.send_with_headers(method.clone(), "/rest/contacts//batch", Some(json!([minimal("x", "X")])), &[]).await;
        assert_error(status, &body, 401, 401, None);
        assert_eq!(body["message"], "Missing Organization Id", "{method}");
        let (status, body, _) = app
            .send_with_headers(method.clone(), "/rest/contacts/abc/batch", Some(json!([minimal("x", "X")])), &[])
            .await;
        assert_error(status, &body, 401, 401, None);
        assert_eq!(body["message"], "Org abc is invalid.", "{method}");
    }
    assert_untouched(&app, id, &read).await;
    app.stop().await;
}

#[tokio::test]
async fn only_roles_that_write_contacts_may_send_a_batch() {
    let (app, id, read) = app_with_contact().await;
    let item = json!([minimal_with_id(id, "e1", "G")]);
    let (status, body) = app.as_user("viewer", "viewer").send(Method::PUT, &batch(""), Some(item.clone())).await;
    assert_error(status, &body, 403, 403, None);
    let (status, body) = app.anonymous().send(Method::PUT, &batch(""), Some(item.clone())).await;
    assert_error(status, &body, 401, 401, None);
    let (status, body) =
        app.as_user("demo", "wrong").send(Method::POST, &batch(""), Some(json!([minimal("n", "N")]))).await;
    assert_error(status, &body, 401, 401, None);
    assert_untouched(&app, id, &read).await;

    let (status, body) = app.as_user("editor", "editor").send(Method::PUT, &batch(""), Some(item)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let c = app.contact(id).await;
    assert_eq!((c["firstName"].clone(), c["lastModifiedName"].clone()), (json!("G"), json!("editor")));
    app.stop().await;
}
