//! The history of contacts and restores, end to end (SPEC §2): every write path records its
//! step, with the whole contact before and after it as GET shows it; a version or a deleted
//! contact comes back through the rules of a full update; what fails changes nothing.

mod common;

use common::*;

/// `/rest/contacts/{ORG}/{segment}/history` (with `query`, e.g. `?idType=externalId`).
fn history_uri(segment: &str, query: &str) -> String {
    format!("/rest/contacts/{ORG}/{segment}/history{query}")
}

/// The entries of contact `id`'s history, newest first.
async fn history(app: &TestApp, id: i64) -> Vec<Value> {
    let (status, body) = app.get(&format!("{}?pageSize=1000", history_uri(&id.to_string(), ""))).await;
    assert_eq!(status, StatusCode::OK, "history of {id}: {body}");
    body["page"]["data"].as_array().unwrap_or_else(|| panic!("entries in {body}")).clone()
}

/// `POST /rest/contacts/{ORG}/{segment}/restore{query}`, as `caller` (no body).
async fn restore_as(caller: &Caller<'_>, segment: &str, query: &str) -> (StatusCode, Value) {
    caller.send(Method::POST, &format!("/rest/contacts/{ORG}/{segment}/restore{query}"), None).await
}

async fn restore(app: &TestApp, segment: &str, query: &str) -> (StatusCode, Value) {
    restore_as(&app.as_user("demo", "demo"), segment, query).await
}

/// A call carrying `x-request-id: request_id`; asserts a 200.
async fn step(app: &TestApp, method: Method, path: &str, body: Option<Value>, request_id: &str) -> Value {
    let (status, body, _) = app.send_with_headers(method, path, body, &[("x-request-id", request_id)]).await;
    assert_eq!(status, StatusCode::OK, "{request_id}: {body}");
    body
}

/// `contact` without what a restore or another version changes by itself.
fn but_version_and_dates(mut contact: Value) -> Value {
    let map = contact.as_object_mut().expect("a contact");
    for key in ["version", "lastModifiedDate", "lastModifiedTime", "lastModifiedName"] {
        map.remove(key);
    }
    contact
}

/// Newest first: each entry's `before` is the `after` of the entry under it.
fn assert_chained(entries: &[Value]) {
    for pair in entries.windows(2) {
        assert_eq!(
            pair[0]["before"], pair[1]["after"],
            "version {}: before vs the after of {}",
            pair[0]["version"], pair[1]["version"]
        );
    }
}

#[tokio::test]
async fn every_write_path_records_its_step_with_the_contact_before_and_after() {
    let app = TestApp::spawn().await;
    let mut reads = Vec::new();
    let created = step(&app, Method::POST, &format!("/rest/contacts/{ORG}"), Some(rich("h1")), "r-create").await;
    let id = created["id"].as_i64().unwrap();
    reads.push(app.contact(id).await);
    let full = with(rich("h1"), json!({"firstName": "Fi", "paths": [{"pathId": EMAIL1, "value": "fi@example.com"}]}));
    step(&app, Method::PUT, &batch("?idType=externalId"), Some(json!([full.clone()])), "r-full").await;
    reads.push(app.contact(id).await);
    let partial = json!([{"externalId": "h1", "lastName": "Gallagher-West"}]);
    step(&app, Method::PUT, &batch("?idType=externalId&updateType=partial"), Some(partial.clone()), "r-partial").await;
    reads.push(app.contact(id).await);
    // Sent again, unchanged: no entry.
    step(&app, Method::PUT, &batch("?idType=externalId&updateType=partial"), Some(partial), "r-again").await;
    let ops = json!([{"op": "replace", "path": "/middleInitial", "value": "Z"}]);
    step(&app, Method::PATCH, &one(id), Some(ops), "r-patch").await;
    reads.push(app.contact(id).await);
    let members = format!("/rest/groups/{ORG}/contacts?byType=id&groupId=3&idType=id");
    step(&app, Method::POST, &members, Some(json!([id])), "r-join").await;
    reads.push(app.contact(id).await);
    step(&app, Method::DELETE, &one(id), None, "r-delete").await;

    let entries = history(&app, id).await;
    let steps: Vec<(i64, &str, &str, &str)> = entries
        .iter()
        .map(|e| {
            let field = |k: &str| e[k].as_str().unwrap_or_default();
            (e["version"].as_i64().unwrap(), field("operation"), field("changedBy"), field("requestId"))
        })
        .collect();
    assert_eq!(
        steps,
        vec![
            (6, "deleted", "demo", "r-delete"),
            (5, "updated", "demo", "r-join"),
            (4, "updated", "demo", "r-patch"),
            (3, "updated", "demo", "r-partial"),
            (2, "updated", "demo", "r-full"),
            (1, "created", "demo", "r-create"),
        ]
    );
    // Each version's `after` is the contact as GET showed it then, whole.
    for (entry, read) in entries[1..].iter().rev().zip(&reads) {
        assert_eq!(&entry["after"], read, "version {}", entry["version"]);
        assert_eq!(entry["changedAt"], read["lastModifiedDate"]);
    }
    assert_eq!((&entries[0]["after"], &entries[5]["before"]), (&Value::Null, &Value::Null));
    assert_eq!(entries[0]["before"], reads[4]);
    assert_chained(&entries);
    assert_eq!(reads[4]["groups"], json!([1, 2, 3]), "the join shows in the after of version 5");

    // A deleted contact's history, by id and by the externalId it had.
    let (status, body) = app.get(&history_uri("h1", "?idType=externalId&pageSize=2")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["page"]["totalCount"].as_i64(), body["page"]["data"][0]["version"].as_i64()), (Some(6), Some(6)));
    assert_eq!(body["page"]["data"].as_array().unwrap().len(), 2);
    assert!(body["nextPageUri"].as_str().unwrap().contains(&format!("/rest/contacts/{ORG}/{id}/history?pageNumber=2")));
    app.stop().await;
}

#[tokio::test]
async fn batch_insert_batch_delete_removal_and_group_deletion_are_recorded_too() {
    let app = TestApp::spawn().await;
    let (status, body) = app.post(&format!("/rest/groups/{ORG}"), json!({"id": 10, "name": "night"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ids =
        app.create_contacts(json!([with(minimal("b1", "A"), json!({"groups": [10, 1]})), minimal("b2", "B")])).await;
    // POST batch with an existing externalId: an update.
    app.create_contacts(json!([minimal("b1", "Again")])).await;
    let remove = format!("/rest/groups/{ORG}/contacts?byType=id&groupId=1&idType=id");
    let (status, body, _) = app.send_with_headers(Method::DELETE, &remove, Some(json!([ids[0]])), &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body, _) = app.send_with_headers(Method::DELETE, &format!("/rest/groups/{ORG}/10"), None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body, _) = app.send_with_headers(Method::DELETE, &batch(""), Some(json!([ids[1]])), &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let entries = history(&app, ids[0]).await;
    let steps: Vec<(i64, &str, Value)> = entries
        .iter()
        .map(|e| (e["version"].as_i64().unwrap(), e["operation"].as_str().unwrap(), e["after"]["groups"].clone()))
        .collect();
    assert_eq!(
        steps,
        vec![
            (4, "updated", json!([])),
            (3, "updated", json!([10])),
            (2, "updated", json!([1, 10])),
            (1, "created", json!([1, 10])),
        ]
    );
    assert_eq!(entries[2]["after"]["firstName"], "Again");
    assert_chained(&entries);
    let entries = history(&app, ids[1]).await;
    let ops: Vec<&str> = entries.iter().map(|e| e["operation"].as_str().unwrap()).collect();
    assert_eq!(ops, vec!["deleted", "created"]);
    app.stop().await;
}

#[tokio::test]
async fn a_restored_version_reads_back_exactly_as_that_version() {
    let app = TestApp::spawn().await;
    let id = create_one(&app, rich("r1")).await;
    let v1 = app.contact(id).await;
    // The classic accident: a full replace with a broken mapping clears nearly everything.
    let (status, body) = app.put(&batch("?idType=externalId"), json!([minimal("r1", "Oops")])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let members = format!("/rest/groups/{ORG}/contacts?byType=id&groupId=3&idType=id");
    assert_eq!(app.post(&members, json!([id])).await.0, StatusCode::OK);

    let (status, body) = restore(&app, &id.to_string(), "?version=1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["id"].as_i64(), body["version"].as_i64(), body["status"].as_str()),
        (Some(id), Some(4), Some("restored"))
    );
    let now = app.contact(id).await;
    let entries = history(&app, id).await;
    assert_eq!(but_version_and_dates(now.clone()), but_version_and_dates(entries.last().unwrap()["after"].clone()));
    assert_eq!(but_version_and_dates(now.clone()), but_version_and_dates(v1));
    assert_eq!(now["groups"], json!([1, 2]), "the group joined since is left");
    assert_eq!((entries[0]["operation"].as_str(), entries[0]["version"].as_i64()), (Some("restored"), Some(4)));
    assert_eq!(entries[0]["after"], now);
    // The same again: nothing to change, no new version.
    let (status, body) = restore(&app, "r1", "?idType=externalId&version=1").await;
    assert_eq!(
        (status, body["status"].as_str(), body["version"].as_i64()),
        (StatusCode::OK, Some("unchanged"), Some(4))
    );
    assert_eq!(history(&app, id).await.len(), 4);
    app.stop().await;
}

#[tokio::test]
async fn a_deleted_contact_is_restored_as_it_was_and_listed_again() {
    let app = TestApp::spawn().await;
    let id = create_one(&app, rich("d1")).await;
    let before = app.contact(id).await;
    assert_eq!(app.send_with_headers(Method::DELETE, &one(id), None, &[]).await.0, StatusCode::OK);
    let (status, _) = app.get(&one(id)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, body) = restore(&app, "d1", "?idType=externalId").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["version"].as_i64(), body["status"].as_str()), (Some(3), Some("restored")));
    let back = app.contact(id).await;
    assert_eq!(but_version_and_dates(back.clone()), but_version_and_dates(before));
    assert_eq!(back["status"], "A");
    let (status, list) = app.get(&format!("/rest/contacts/{ORG}?externalIds=d1")).await;
    assert_eq!((status, list["page"]["totalCount"].as_i64()), (StatusCode::OK, Some(1)));
    let entries = history(&app, id).await;
    let ops: Vec<&str> = entries.iter().map(|e| e["operation"].as_str().unwrap()).collect();
    assert_eq!(ops, vec!["restored", "deleted", "created"]);
    assert_eq!((&entries[0]["before"], &entries[0]["after"]), (&Value::Null, &back));
    app.stop().await;
}

#[tokio::test]
async fn a_restore_whose_external_id_was_reused_is_409_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let id = create_one(&app, minimal("taken", "Old")).await;
    assert_eq!(app.send_with_headers(Method::DELETE, &one(id), None, &[]).await.0, StatusCode::OK);
    let new = create_one(&app, minimal("taken", "New")).await;
    let theirs = app.contact(new).await;

    let (status, body) = restore(&app, &id.to_string(), "").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!((body["status"].as_i64(), body["code"].as_i64()), (Some(409), Some(310)));
    assert_eq!(body["errors"][0]["field"], "externalId");
    assert_eq!(app.contact(new).await, theirs);
    assert_eq!(app.get(&one(id)).await.0, StatusCode::NOT_FOUND, "still deleted");
    assert_eq!(history(&app, id).await.len(), 2);
    // By externalId, the active holder is found: it is already at its only version.
    let (status, body) = restore(&app, "taken", "?idType=externalId").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "an active contact needs a version: {body}");
    app.stop().await;
}

#[tokio::test]
async fn a_restore_naming_a_deleted_group_fails_by_groups_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let (status, body) = app.post(&format!("/rest/groups/{ORG}"), json!({"id": 20, "name": "gone"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = create_one(&app, with(minimal("g1", "G"), json!({"groups": [20]}))).await;
    assert_eq!(app.put(&batch("?idType=externalId"), json!([minimal("g1", "Later")])).await.0, StatusCode::OK);
    assert_eq!(
        app.send_with_headers(Method::DELETE, &format!("/rest/groups/{ORG}/20"), None, &[]).await.0,
        StatusCode::OK
    );
    let now = app.contact(id).await;
    let entries = history(&app, id).await.len();

    let (status, body) = restore(&app, &id.to_string(), "?version=1").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], 301);
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(fields.iter().all(|f| f.starts_with("groups")) && !fields.is_empty(), "{body}");
    assert_eq!(app.contact(id).await, now);
    assert_eq!(history(&app, id).await.len(), entries);
    app.stop().await;
}

#[tokio::test]
async fn another_organizations_contact_and_unknown_versions_are_404_and_a_viewer_may_not_restore() {
    let app = TestApp::spawn().await;
    app.store.create_organization(Some(2), "Other").await.unwrap();
    app.store
        .upsert_user(
            "other",
            &contacts_application::auth::hash_password("other").unwrap(),
            2,
            contacts_application::auth::Role::Admin,
        )
        .await
        .unwrap();
    let other = app.as_user("other", "other");
    let (status, body) = other.send(Method::POST, "/rest/contacts/2", Some(minimal("theirs", "T"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let theirs = body["id"].as_i64().unwrap();
    let (status, _) = other.send(Method::DELETE, &format!("/rest/contacts/2/{theirs}"), None).await;
    assert_eq!(status, StatusCode::OK);

    // Through organization 1, their id and externalId name nothing.
    let (status, body) = app.get(&history_uri(&theirs.to_string(), "")).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (StatusCode::NOT_FOUND, Some(format!("Contact {theirs} not found.").as_str()))
    );
    assert_eq!(app.get(&history_uri("theirs", "?idType=externalId")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(restore(&app, &theirs.to_string(), "").await.0, StatusCode::NOT_FOUND);
    assert_eq!(restore(&app, "theirs", "?idType=externalId").await.0, StatusCode::NOT_FOUND);
    let (status, body) = other.send(Method::GET, &format!("/rest/contacts/2/{theirs}/history"), None).await;
    assert_eq!((status, body["page"]["totalCount"].as_i64()), (StatusCode::OK, Some(2)), "nothing written: {body}");

    let id = create_one(&app, minimal("mine", "M")).await;
    let (status, body) = restore(&app, &id.to_string(), "?version=7").await;
    assert_eq!(
        (status, body["message"].as_str()),
        (StatusCode::NOT_FOUND, Some(format!("Version 7 of contact {id} not found.").as_str()))
    );
    assert_eq!(restore(&app, &id.to_string(), "?version=x").await.0, StatusCode::BAD_REQUEST);
    assert_eq!(
        restore(&app, &id.to_string(), "").await.0,
        StatusCode::BAD_REQUEST,
        "an active contact needs a version"
    );
    let viewer = app.as_user("viewer", "viewer");
    let (status, _) = restore_as(&viewer, &id.to_string(), "?version=1").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = viewer.send(Method::GET, &history_uri(&id.to_string(), ""), None).await;
    assert_eq!(status, StatusCode::OK, "a viewer reads the history");
    // An editor may restore (here to the state the contact is in: nothing changes).
    let (status, body) = restore_as(&app.as_user("editor", "editor"), &id.to_string(), "?version=1").await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("unchanged")), "{body}");
    assert_eq!(restore_as(&app.anonymous(), &id.to_string(), "?version=1").await.0, StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn a_failed_atomic_batch_and_a_dry_run_record_nothing() {
    let app = TestApp::spawn().await;
    let id = create_one(&app, minimal("a1", "A")).await;
    let (status, body) = app
        .put(
            &batch("?idType=externalId"),
            json!([minimal("a1", "Changed"), with(minimal("a2", "B"), json!({"recordTypeName": "Nope"}))]),
        )
        .await;
    assert_ne!(status, StatusCode::OK, "{body}");
    let (status, body) = app.put(&batch("?idType=externalId&dryRun=true"), json!([minimal("a1", "Dry")])).await;
    assert_eq!((status, statuses(&body)), (StatusCode::OK, vec!["updated".to_owned()]));
    let (status, body) = app.post(&batch("?dryRun=true"), json!([minimal("new", "N")])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let entries = history(&app, id).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(app.contact(id).await["firstName"], "A");
    app.stop().await;
}

#[tokio::test]
async fn concurrent_batches_on_the_same_contacts_leave_one_entry_per_version_chained() {
    let app = TestApp::spawn().await;
    let items: Vec<Value> = (0..20).map(|i| minimal(&format!("c{i}"), "Start")).collect();
    let ids = app.create_contacts(Value::Array(items)).await;
    let uri = batch("?idType=externalId");
    let round = |writer: usize, r: usize| {
        let items: Vec<Value> = (0..20).map(|i| minimal(&format!("c{i}"), &format!("w{writer}r{r}"))).collect();
        app.put(&uri, Value::Array(items))
    };
    for r in 0..5 {
        let (a, b) = tokio::join!(round(1, r), round(2, r));
        assert_eq!((a.0, b.0), (StatusCode::OK, StatusCode::OK), "{} {}", a.1, b.1);
    }
    for id in ids {
        let entries = history(&app, id).await;
        let versions: Vec<i64> = entries.iter().rev().map(|e| e["version"].as_i64().unwrap()).collect();
        let current = app.contact(id).await["version"].as_i64().unwrap();
        assert_eq!(versions, (1..=current).collect::<Vec<_>>(), "contact {id}: no gap, no duplicate");
        assert_eq!(current, 11, "every batch changed each contact");
        assert_chained(&entries);
        assert_eq!(entries[0]["after"], app.contact(id).await);
    }
    app.stop().await;
}
