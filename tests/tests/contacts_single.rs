//! One contact at a time (SPEC §2): `POST /rest/contacts/{org}` creates; `GET|PUT|DELETE
//! /rest/contacts/{org}/{id}?idType=id|externalId` reads, replaces, deletes; every error in the
//! Everbridge shape; another organization's contacts are out of reach of every call.

mod common;

use common::*;
use contacts_application::auth::{hash_password, Role};

/// `/rest/contacts/{ORG}/{segment}?idType=externalId`.
fn by_ext(segment: &str) -> String {
    format!("/rest/contacts/{ORG}/{segment}?idType=externalId")
}

fn create_path() -> String {
    format!("/rest/contacts/{ORG}")
}

async fn delete(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let (status, body, _) = app.send_with_headers(Method::DELETE, path, None, &[]).await;
    (status, body)
}

#[tokio::test]
async fn post_creates_one_contact_in_the_single_write_envelope() {
    let app = TestApp::spawn().await;
    let (status, body) = app.post(&create_path(), rich("c1")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["id"].as_i64().expect("a numeric id");
    let base = format!("{}/rest/contacts/{ORG}/", app.base);
    assert_eq!(body, json!({"message": "OK", "id": id, "baseUri": base, "instanceUri": format!("{base}{id}")}));
    let c = app.contact(id).await;
    assert_eq!(
        (c["externalId"].clone(), c["version"].clone(), c["status"].clone()),
        (json!("c1"), json!(1), json!("A"))
    );
    assert_eq!(c["groups"], json!([1, 2]));
    assert_eq!(path_values(&c).len(), 2);
    // A body `id` names nothing: the contact gets a new one.
    let (status, body) = app.post(&create_path(), with(minimal("c2", "B"), json!({"id": id}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_ne!(body["id"], json!(id));
    assert_eq!(app.contact(id).await["externalId"], "c1");
    app.stop().await;
}

#[tokio::test]
async fn post_with_an_existing_external_id_is_409_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let id = create_one(&app, minimal("taken", "A")).await;
    let (status, body) = app.post(&create_path(), minimal("taken", "Other")).await;
    assert_error(status, &body, 409, 409, Some(310));
    assert_eq!(body["message"], format!("externalId taken already belongs to contact {id}"));
    assert_eq!(errors(&body), vec![err(0, "externalId", 310)]);
    let c = app.contact(id).await;
    assert_eq!((c["firstName"].clone(), c["version"].clone()), (json!("A"), json!(1)));
    assert_eq!(all_contacts(&app).await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn post_reports_invalid_contacts_and_bad_bodies_precisely() {
    let app = TestApp::spawn().await;
    let path = create_path();
    let (status, body) = app.post(&path, without(minimal("v1", "A"), &["firstName"])).await;
    assert_error(status, &body, 400, 400, Some(320));
    assert_eq!(errors(&body), vec![err(0, "firstName", 320)]);
    let (status, body) = app.post(&path, with(minimal("v1", "A"), json!({"recordTypeId": 42}))).await;
    assert_error(status, &body, 400, 300, Some(300));
    assert_eq!(body["message"], RECORD_TYPE_NOT_FOUND);
    let (status, body) = app.post(&path, with(minimal("v1", "A"), json!({"groups": [999]}))).await;
    assert_error(status, &body, 400, 400, Some(301));
    let (status, body) = app.send_raw(Method::POST, &path, "{\"externalId\": ").await;
    assert_error(status, &body, 400, 400, None);
    assert!(body["message"].as_str().unwrap().starts_with("Malformed JSON at line 1"), "{body}");
    let (status, body) = app.post(&path, json!([minimal("v1", "A")])).await;
    assert_error(status, &body, 400, 400, None);
    let (status, body) = app.post(&path, with(minimal("v1", "A"), json!({"vip": {"no": 1}}))).await;
    assert_error(status, &body, 400, 400, None);
    assert!(body["message"].as_str().unwrap().contains("vip"), "{body}");
    assert!(all_contacts(&app).await.is_empty(), "nothing was created");
    app.stop().await;
}

#[tokio::test]
async fn single_calls_need_credentials_a_granted_org_and_a_writing_role() {
    let app = TestApp::spawn().await;
    let id = create_one(&app, minimal("r1", "A")).await;
    let one = format!("/rest/contacts/{ORG}/{id}");
    let calls = [
        (Method::POST, create_path(), Some(minimal("r2", "B"))),
        (Method::PUT, one.clone(), Some(minimal("r1", "B"))),
        (Method::DELETE, one.clone(), None),
    ];
    for (method, path, body) in &calls {
        let (status, answer) = app.as_user("viewer", "viewer").send(method.clone(), path, body.clone()).await;
        assert_error(status, &answer, 403, 403, None);
        let (status, answer) = app.anonymous().send(method.clone(), path, body.clone()).await;
        assert_eq!(
            (status, answer["message"].clone()),
            (StatusCode::UNAUTHORIZED, json!("Invalid or missing credentials"))
        );
        let other = path.replace(&format!("/rest/contacts/{ORG}"), "/rest/contacts/77");
        let (status, answer, _) = app.send_with_headers(method.clone(), &other, body.clone(), &[]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
        assert_eq!(answer, json!({"message": "Org 77 is invalid.", "status": 401}));
    }
    // The viewer reads; an editor writes.
    let (status, _) = app.as_user("viewer", "viewer").send(Method::GET, &one, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.as_user("editor", "editor").send(Method::PUT, &one, Some(minimal("r1", "E"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let c = app.contact(id).await;
    assert_eq!((c["firstName"].clone(), c["lastModifiedName"].clone()), (json!("E"), json!("editor")));
    app.stop().await;
}

#[tokio::test]
async fn get_by_external_id_reads_the_contact_the_segment_names() {
    let app = TestApp::spawn().await;
    let ids = app.create_contacts(json!([rich("a b/c"), minimal("plain", "P")])).await;
    let (status, body, headers) = app.send_with_headers(Method::GET, &by_ext("a%20b%2Fc"), None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"message": "OK", "result": app.contact(ids[0]).await}));
    assert_eq!(headers.get("etag").and_then(|v| v.to_str().ok()), Some("\"1\""));
    // idType is read leniently; by id is the default.
    let (status, body) = app.get(&format!("/rest/contacts/{ORG}/plain?idType=%22EXTERNALID%22")).await;
    assert_eq!((status, body["result"]["id"].clone()), (StatusCode::OK, json!(ids[1])));
    let (status, body) = app.get(&format!("/rest/contacts/{ORG}/{}?idType=id", ids[1])).await;
    assert_eq!((status, body["result"]["externalId"].clone()), (StatusCode::OK, json!("plain")));
    // Unknown externalId, an id as externalId, an unknown idType.
    let (status, body) = app.get(&by_ext("nobody")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, json!({"message": "Contact nobody not found.", "status": 404, "code": 404}));
    let (status, _) = app.get(&by_ext(&ids[1].to_string())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The externalId `batch` (the batch calls' path) reads too.
    let id = create_one(&app, minimal("batch", "B")).await;
    let (status, body) = app.get(&by_ext("batch")).await;
    assert_eq!((status, body["result"]["id"].clone()), (StatusCode::OK, json!(id)), "{body}");
    let (status, body) = app.get(&format!("/rest/contacts/{ORG}/batch")).await;
    assert_eq!((status, body["message"].clone()), (StatusCode::NOT_FOUND, json!("Contact batch not found.")));
    let (status, body) = app.get(&format!("/rest/contacts/{ORG}/plain?idType=name")).await;
    assert_error(status, &body, 400, 400, None);
    assert!(body["message"].as_str().unwrap().contains("idType"), "{body}");
    app.stop().await;
}

#[tokio::test]
async fn put_by_external_id_replaces_renames_or_keeps_the_external_id() {
    let app = TestApp::spawn().await;
    let ids = app.create_contacts(json!([rich("e1"), minimal("e2", "Two")])).await;
    // A full replace of the contact the URI names: the body's id is ignored.
    let (status, body) = app.put(&by_ext("e1"), with(minimal("e1", "Replaced"), json!({"id": ids[1]}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let base = format!("{}/rest/contacts/{ORG}/", app.base);
    assert_eq!(
        body,
        json!({"message": "OK", "id": ids[0], "baseUri": base, "instanceUri": format!("{base}{}", ids[0])})
    );
    let c = app.contact(ids[0]).await;
    assert_eq!(
        (c["firstName"].clone(), c["version"].clone(), c["paths"].clone()),
        (json!("Replaced"), json!(2), json!([]))
    );
    assert_eq!(app.contact(ids[1]).await["version"], 1);
    // A body without externalId keeps the URI's.
    let (status, body) = app.put(&by_ext("e1"), without(minimal("x", "Kept"), &["externalId"])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.contact(ids[0]).await["externalId"], "e1");
    // A different externalId renames; the old one then names nothing.
    let (status, body) = app.put(&by_ext("e1"), minimal("e1-new", "Renamed")).await;
    assert_eq!((status, body["id"].clone()), (StatusCode::OK, json!(ids[0])), "{body}");
    assert_eq!(app.contact(ids[0]).await["externalId"], "e1-new");
    let (status, _) = app.get(&by_ext("e1")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Renaming onto another contact's externalId: 409, nothing changed.
    let (status, body) = app.put(&by_ext("e1-new"), minimal("e2", "Thief")).await;
    assert_error(status, &body, 409, 409, Some(310));
    assert_eq!(app.contact(ids[0]).await["firstName"], "Renamed");
    // An unknown externalId is 404.
    let (status, body) = app.put(&by_ext("ghost"), minimal("ghost", "G")).await;
    assert_error(status, &body, 404, 404, Some(404));
    assert_eq!(body["message"], "Contact ghost not found.");
    app.stop().await;
}

#[tokio::test]
async fn put_honours_if_match_and_the_body_version() {
    let app = TestApp::spawn().await;
    let id = create_one(&app, minimal("v1", "A")).await;
    let path = format!("/rest/contacts/{ORG}/{id}");
    let (status, body, _) =
        app.send_with_headers(Method::PUT, &path, Some(minimal("v1", "B")), &[("If-Match", "\"7\"")]).await;
    assert_error(status, &body, 412, 412, Some(330));
    assert_eq!(app.contact(id).await["firstName"], "A");
    let (status, body, _) =
        app.send_with_headers(Method::PUT, &path, Some(minimal("v1", "B")), &[("If-Match", "W/\"1\"")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body, _) =
        app.send_with_headers(Method::PUT, &by_ext("v1"), Some(minimal("v1", "C")), &[("If-Match", "1")]).await;
    assert_error(status, &body, 412, 412, Some(330));
    let (status, body) = app.put(&path, with(minimal("v1", "C"), json!({"version": 1}))).await;
    assert_error(status, &body, 412, 412, Some(330));
    let (status, body, _) =
        app.send_with_headers(Method::PUT, &path, Some(minimal("v1", "C")), &[("If-Match", "latest")]).await;
    assert_error(status, &body, 400, 400, None);
    let c = app.contact(id).await;
    assert_eq!((c["firstName"].clone(), c["version"].clone()), (json!("B"), json!(2)));
    app.stop().await;
}

#[tokio::test]
async fn delete_one_answers_ok_with_the_id_and_hides_the_contact() {
    let app = TestApp::spawn().await;
    let ids = app.create_contacts(json!([minimal("d1", "A"), minimal("d2", "B"), minimal("d3", "C")])).await;
    let (status, body) = delete(&app, &format!("/rest/contacts/{ORG}/{}", ids[0])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"message": "OK", "id": ids[0]}));
    let (status, body) = delete(&app, &by_ext("d2")).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"message": "OK", "id": ids[1]})));
    for (id, ext) in [(ids[0], "d1"), (ids[1], "d2")] {
        let (status, body) = app.get(&format!("/rest/contacts/{ORG}/{id}")).await;
        assert_eq!(
            (status, body["message"].clone()),
            (StatusCode::NOT_FOUND, json!(format!("Contact {id} not found.")))
        );
        let (status, _) = app.get(&by_ext(ext)).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // A deleted contact is not replaced, nor deleted again.
        let (status, _) = app.put(&format!("/rest/contacts/{ORG}/{id}"), minimal(ext, "Back")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, body) = delete(&app, &format!("/rest/contacts/{ORG}/{id}")).await;
        assert_error(status, &body, 404, 404, Some(404));
        assert_eq!(body["message"], format!("Contact {id} not found."));
    }
    let listed: Vec<i64> = all_contacts(&app).await.iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(listed, vec![ids[2]]);
    // Its externalId is free again.
    let (status, body) = app.post(&create_path(), minimal("d1", "New")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_ne!(body["id"], json!(ids[0]));
    app.stop().await;
}

#[tokio::test]
async fn a_missing_or_malformed_contact_id_is_404_and_nothing_is_deleted() {
    let app = TestApp::spawn().await;
    let id = create_one(&app, minimal("m1", "A")).await;
    for path in [format!("/rest/contacts/{ORG}/"), format!("/rest/contacts/{ORG}")] {
        let (status, body) = delete(&app, &path).await;
        assert_eq!((status, body), (StatusCode::NOT_FOUND, json!({"message": "Missing Contact Id", "status": 404})));
    }
    for segment in ["abc", "1.5", "99999999999999999999", "-"] {
        let (status, body) = delete(&app, &format!("/rest/contacts/{ORG}/{segment}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{segment}: {body}");
        assert_eq!(body, json!({"message": format!("Contact {segment} not found."), "status": 404, "code": 404}));
    }
    assert_eq!(app.contact(id).await["version"], 1);
    app.stop().await;
}

/// Organization 2 with a contact, and an admin `other`/`other` of it only.
async fn other_org(app: &TestApp) -> (i64, i64) {
    app.store.create_organization(Some(2), "Other").await.unwrap();
    app.store.upsert_user("other", &hash_password("other").unwrap(), 2, Role::Admin).await.unwrap();
    let (status, body) = app
        .as_user("other", "other")
        .send(Method::POST, "/rest/contacts/2", Some(with(minimal("shared", "Theirs"), json!({}))))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (2, body["id"].as_i64().unwrap())
}

#[tokio::test]
async fn another_organizations_contacts_are_never_read_changed_or_deleted() {
    let app = TestApp::spawn().await;
    let (other, theirs) = other_org(&app).await;
    let mine = create_one(&app, minimal("mine", "Mine")).await;
    let their_one = format!("/rest/contacts/{ORG}/{theirs}");

    // Through organization 1's URIs, their id names nothing.
    let (status, _) = app.get(&their_one).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.put(&their_one, minimal("hijack", "X")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = delete(&app, &their_one).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body, _) =
        app.send_with_headers(Method::DELETE, &batch(""), Some(json!([theirs.to_string(), mine])), &[]).await;
    assert_eq!(
        (status, body),
        (StatusCode::UNAUTHORIZED, json!({"message": "contactIds invalid to the organization 1", "status": 401}))
    );
    // ... nor does their externalId; creating it here is no conflict.
    let (status, _) = app.get(&by_ext("shared")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body, _) =
        app.send_with_headers(Method::DELETE, &batch("?idType=externalId"), Some(json!(["shared"])), &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, body) = app.post(&create_path(), minimal("shared", "Ours")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The listing never shows them, whatever the filters.
    for query in [
        format!("contactIds={theirs}"),
        "externalIds=shared&searchType=OR".into(),
        format!("contactIds={theirs},{mine}&searchType=OR"),
    ] {
        let (status, body) = app.get(&format!("/rest/contacts/{ORG}?{query}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            body["page"]["data"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["id"] != json!(theirs) && c["organizationId"] == ORG),
            "{query}: {body}"
        );
    }
    // Their user cannot reach organization 1 at all.
    for (method, path) in [
        (Method::GET, format!("/rest/contacts/{ORG}/{mine}")),
        (Method::DELETE, format!("/rest/contacts/{ORG}/{mine}")),
        (Method::GET, format!("/rest/contacts/{ORG}")),
    ] {
        let (status, body) = app.as_user("other", "other").send(method, &path, None).await;
        assert_eq!((status, body), (StatusCode::UNAUTHORIZED, json!({"message": "Org 1 is invalid.", "status": 401})));
    }
    // Their contact is as it was.
    let (status, body) =
        app.as_user("other", "other").send(Method::GET, &format!("/rest/contacts/{other}/{theirs}"), None).await;
    assert_eq!(status, StatusCode::OK);
    let c = &body["result"];
    assert_eq!(
        (c["externalId"].clone(), c["firstName"].clone(), c["version"].clone()),
        (json!("shared"), json!("Theirs"), json!(1))
    );
    assert_eq!(app.contact(mine).await["version"], 1);
    app.stop().await;
}
