//! Delete Contacts (Batch), `DELETE /rest/contacts/{org}/batch?idType=id|externalId` (SPEC §2):
//! all or nothing, a soft delete hidden from every read, externalIds freed for reuse.

mod common;

use common::*;

async fn delete_batch(app: &TestApp, query: &str, body: Value) -> (StatusCode, Value) {
    let (status, body, _) = app.send_with_headers(Method::DELETE, &batch(query), Some(body), &[]).await;
    (status, body)
}

fn invalid() -> Value {
    json!({"message": format!("contactIds invalid to the organization {ORG}"), "status": 401})
}

fn ids_of(contacts: &[Value]) -> Vec<i64> {
    contacts.iter().map(|c| c["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn a_batch_of_ids_as_numbers_or_strings_is_deleted_and_reported() {
    let app = TestApp::spawn().await;
    let ids = app.create_contacts(json!([minimal("a", "A"), minimal("b", "B"), minimal("c", "C")])).await;
    let (status, body) = delete_batch(&app, "", json!([ids[2], ids[0].to_string()])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"code": 100, "message": "OK", "data": [ids[2].to_string(), ids[0].to_string()], "results": [
            {"index": 0, "id": ids[2], "externalId": "c", "status": "deleted", "version": 2},
            {"index": 1, "id": ids[0], "externalId": "a", "status": "deleted", "version": 2}
        ]})
    );
    assert_eq!(ids_of(&all_contacts(&app).await), vec![ids[1]]);
    for id in [ids[0], ids[2]] {
        let (status, _) = app.get(&one(id)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    // Gone for the batch update too.
    let (status, body) = app.put(&batch(""), json!([minimal_with_id(ids[0], "a", "Back")])).await;
    assert_error(status, &body, 404, 404, Some(404));
    app.stop().await;
}

#[tokio::test]
async fn a_batch_of_external_ids_is_deleted_and_the_external_ids_are_reusable() {
    let app = TestApp::spawn().await;
    let ids = app.create_contacts(json!([minimal("x1", "A"), minimal("42", "B"), minimal("x3", "C")])).await;
    let (status, body) = delete_batch(&app, "?idType=externalId", json!(["x1", 42])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(data(&body), vec![ids[0].to_string(), ids[1].to_string()]);
    assert_eq!(statuses(&body), vec!["deleted", "deleted"]);
    let (status, _) = app.get(&format!("/rest/contacts/{ORG}/x1?idType=externalId")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A new contact may take a deleted contact's externalId: POST batch creates (does not
    // update the deleted one), the single POST too.
    let body = batch_ok(&app, Method::POST, "", json!([minimal("x1", "New")])).await;
    assert_eq!(statuses(&body), vec!["created"]);
    let new_id: i64 = data(&body)[0].parse().unwrap();
    assert!(!ids.contains(&new_id));
    let c = app.contact(new_id).await;
    assert_eq!(
        (c["externalId"].clone(), c["firstName"].clone(), c["version"].clone()),
        (json!("x1"), json!("New"), json!(1))
    );
    let (status, body) = app.post(&format!("/rest/contacts/{ORG}"), minimal("42", "Again")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // A contact renamed onto a freed externalId is fine too.
    let body = put_ok(&app, "", json!([minimal_with_id(ids[2], "x1-old", "C")])).await;
    assert_eq!(statuses(&body), vec!["updated"]);
    app.stop().await;
}

#[tokio::test]
async fn any_id_not_in_the_organization_is_401_and_nothing_is_deleted() {
    let app = TestApp::spawn().await;
    let ids = app.create_contacts(json!([minimal("a", "A"), minimal("b", "B")])).await;
    let (status, _) = delete_batch(&app, "", json!([ids[1]])).await;
    assert_eq!(status, StatusCode::OK);
    for (query, body) in [
        ("", json!([ids[0], 999_999])),
        ("", json!([ids[0], ids[1]])), // already deleted
        ("?idType=externalId", json!(["a", "nobody"])),
        ("?idType=externalId", json!(["a", "b"])), // deleted: its externalId names nothing
        ("?idType=externalId", json!(["a", ids[0]])), // an id is not an externalId
    ] {
        let (status, answer) = delete_batch(&app, query, body.clone()).await;
        assert_eq!((status, answer), (StatusCode::UNAUTHORIZED, invalid()), "{query} {body}");
    }
    let c = app.contact(ids[0]).await;
    assert_eq!((c["status"].clone(), c["version"].clone()), (json!("A"), json!(1)));
    app.stop().await;
}

#[tokio::test]
async fn a_contact_named_twice_is_deleted_once_and_reported_twice() {
    let app = TestApp::spawn().await;
    let ids = app.create_contacts(json!([minimal("a", "A")])).await;
    let (status, body) = delete_batch(&app, "", json!([ids[0], ids[0].to_string()])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(data(&body), vec![ids[0].to_string(), ids[0].to_string()]);
    assert!(results(&body).iter().all(|r| r["version"] == 2), "{body}");
    app.stop().await;
}

#[tokio::test]
async fn malformed_bodies_are_400_and_delete_nothing() {
    let app = TestApp::spawn().await;
    let ids = app.create_contacts(json!([minimal("a", "A")])).await;
    for (query, body, message) in [
        ("", json!({"ids": [ids[0]]}), "The request body must be a JSON array of contact ids".to_owned()),
        ("", json!([ids[0], "abc"]), "Item 1 of the body is not a contact id: \"abc\"".into()),
        ("", json!([ids[0], 1.5]), "Item 1 of the body is not a contact id: 1.5".into()),
        ("", json!([{"id": ids[0]}]), format!("Item 0 of the body is not a contact id: {{\"id\":{}}}", ids[0])),
        ("?idType=externalId", json!(["a", null]), "Item 1 of the body is not an externalId: null".into()),
        ("?idType=externalId", json!("a"), "The request body must be a JSON array of externalIds".into()),
    ] {
        let (status, answer) = delete_batch(&app, query, body.clone()).await;
        assert_eq!((status, answer), (StatusCode::BAD_REQUEST, json!({"message": message, "status": 400})), "{body}");
    }
    let (status, answer, _) = app.send_with_headers(Method::DELETE, &batch(""), None, &[]).await;
    assert_error(status, &answer, 400, 400, None);
    let (status, answer) = app.send_raw(Method::DELETE, &batch(""), "[1,").await;
    assert_error(status, &answer, 400, 400, None);
    let (status, answer) = delete_batch(&app, "?idType=name", json!([ids[0]])).await;
    assert_error(status, &answer, 400, 400, None);
    assert_eq!(app.contact(ids[0]).await["version"], 1);
    // An empty array deletes nothing, successfully.
    let (status, answer) = delete_batch(&app, "", json!([])).await;
    assert_eq!((status, answer), (StatusCode::OK, json!({"code": 100, "message": "OK", "data": [], "results": []})));
    app.stop().await;
}

#[tokio::test]
async fn deleting_needs_a_writing_role_and_stays_under_the_batch_limit() {
    let app = TestApp::spawn_with(contacts_server::ServeArgs { max_batch_size: 2, ..Default::default() }).await;
    let ids = app.create_contacts(json!([minimal("a", "A"), minimal("b", "B")])).await;
    let (status, body) = app.as_user("viewer", "viewer").send(Method::DELETE, &batch(""), Some(json!([ids[0]]))).await;
    assert_error(status, &body, 403, 403, None);
    let (status, body) = app.anonymous().send(Method::DELETE, &batch(""), Some(json!([ids[0]]))).await;
    assert_error(status, &body, 401, 401, None);
    let (status, body, _) =
        app.send_with_headers(Method::DELETE, "/rest/contacts/5/batch", Some(json!([ids[0]])), &[]).await;
    assert_eq!((status, body), (StatusCode::UNAUTHORIZED, json!({"message": "Org 5 is invalid.", "status": 401})));
    let (status, body) = delete_batch(&app, "", json!([ids[0], ids[1], 3])).await;
    assert_error(status, &body, 413, 413, None);
    assert_eq!(all_contacts(&app).await.len(), 2);
    let (status, body) = app.as_user("editor", "editor").send(Method::DELETE, &batch(""), Some(json!(ids))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(all_contacts(&app).await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn a_deleted_member_leaves_the_group_filter_of_the_listing() {
    let app = TestApp::spawn().await;
    let ids = app
        .create_contacts(json!([
            with(minimal("a", "A"), json!({"groups": [1]})),
            with(minimal("b", "B"), json!({"groups": [1]}))
        ]))
        .await;
    let (status, _) = delete_batch(&app, "", json!([ids[0]])).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.get(&format!("/rest/contacts/{ORG}?groupIds=1")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids_of(body["page"]["data"].as_array().unwrap()), vec![ids[1]]);
    assert_eq!(body["page"]["totalCount"], 1);
    app.stop().await;
}
