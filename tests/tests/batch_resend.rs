//! A batch sent again (SPEC §3.3: "an item whose result equals the stored contact is
//! `unchanged`"), the nightly sync's case: the server answers it from the digest each write
//! stores of the item that made it (issue 4), so these tests check that every kind of write
//! made since is seen: the answer must be what applying the items would give.

mod common;

use common::*;

/// Three contacts, and a batch (by id) that changes each: `(ids, items)`.
async fn contacts_and_a_batch(app: &TestApp) -> (Vec<i64>, Value) {
    let ids = app.create_contacts(json!([rich("e1"), rich("e2"), rich("e3")])).await;
    let items: Vec<Value> = ids
        .iter()
        .zip(["e1", "e2", "e3"])
        .map(|(id, e)| with(rich(e), json!({"id": id, "firstName": format!("Night {e}")})))
        .collect();
    (ids, Value::Array(items))
}

/// `(status, version)` of each result.
fn outcome(body: &Value) -> Vec<(String, i64)> {
    results(body).iter().map(|r| (r["status"].as_str().unwrap().to_owned(), r["version"].as_i64().unwrap())).collect()
}

fn all(status: &str, version: i64) -> Vec<(String, i64)> {
    vec![(status.to_owned(), version); 3]
}

#[tokio::test]
async fn a_batch_sent_again_is_unchanged_every_time_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let (ids, items) = contacts_and_a_batch(&app).await;
    assert_eq!(outcome(&put_ok(&app, "", items.clone()).await), all("updated", 2));
    let written = snapshot(&app, &ids).await;

    for _ in 0..3 {
        let body = put_ok(&app, "", items.clone()).await;
        assert_eq!(outcome(&body), all("unchanged", 2));
        let r = results(&body);
        assert_eq!(r.iter().map(|r| r["id"].as_i64().unwrap()).collect::<Vec<_>>(), ids);
        assert_eq!(r.iter().map(|r| r["externalId"].as_str().unwrap()).collect::<Vec<_>>(), ["e1", "e2", "e3"]);
        assert_eq!(data(&body), ids.iter().map(i64::to_string).collect::<Vec<_>>(), "{body}");
        assert_eq!(snapshot(&app, &ids).await, written, "nothing written, lastModifiedDate included");
    }
    // By externalId, and as a dry run, too.
    let body = put_ok(&app, "?idType=externalId&dryRun=true", items.clone()).await;
    assert_eq!(outcome(&body), all("unchanged", 2));
    app.stop().await;
}

#[tokio::test]
async fn a_batch_first_found_unchanged_by_reading_is_found_unchanged_again() {
    let app = TestApp::spawn().await;
    let (ids, items) = contacts_and_a_batch(&app).await;
    // Written by a single PUT each (no batch item digest), then sent as a batch twice.
    for (id, item) in ids.iter().zip(items.as_array().unwrap()) {
        let (status, body) = app.put(&one(*id), item.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let written = snapshot(&app, &ids).await;
    let read = put_ok(&app, "", items.clone()).await;
    assert_eq!(outcome(&read), all("unchanged", 2));
    // The second time from the digest the first stored: the same answer, to the byte.
    assert_eq!(put_ok(&app, "", items.clone()).await, read);
    assert_eq!(snapshot(&app, &ids).await, written);
    app.stop().await;
}

#[tokio::test]
async fn a_batch_sent_again_undoes_every_write_made_since() {
    let app = TestApp::spawn().await;
    let (ids, items) = contacts_and_a_batch(&app).await;
    put_ok(&app, "", items.clone()).await;
    put_ok(&app, "", items.clone()).await;
    let synced = snapshot(&app, &ids).await;
    let content = |c: &Value| without(c.clone(), &["version", "lastModifiedDate", "lastModifiedTime"]);

    // A single PUT, a PATCH-like partial update and a membership removal, one per contact.
    let (status, body) = app.put(&one(ids[0]), with(rich("e1"), json!({"firstName": "Day"}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    put_ok(&app, "?updateType=partial", json!([{"id": ids[1], "lastName": "Other"}])).await;
    let (status, body) = app
        .as_user("demo", "demo")
        .send(Method::DELETE, "/rest/groups/1/contacts?groupId=1", Some(json!([ids[2]])))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(groups(&app.contact(ids[2]).await), vec![2], "the membership is gone");

    // Sent again: each contact is written back to what the items say.
    let body = put_ok(&app, "", items.clone()).await;
    assert_eq!(outcome(&body), all("updated", 4));
    let now = snapshot(&app, &ids).await;
    for (after, before) in now.iter().zip(&synced) {
        assert_eq!(content(after), content(before));
    }
    assert_eq!(groups(&app.contact(ids[2]).await), vec![1, 2]);
    assert_eq!(outcome(&put_ok(&app, "", items).await), all("unchanged", 4));
    app.stop().await;
}

#[tokio::test]
async fn a_batch_sent_again_is_checked_against_the_catalog_as_it_is_now() {
    let app = TestApp::spawn().await;
    let (_, items) = contacts_and_a_batch(&app).await;
    put_ok(&app, "", items.clone()).await;
    assert_eq!(outcome(&put_ok(&app, "", items.clone()).await), all("unchanged", 2));

    // The items name the group "group2": renamed, it is unknown (301), item by item.
    let (status, body) = app.put("/rest/groups/1/2", json!({"name": "renamed", "parentId": -1})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.put(&batch(""), items.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        errors(&body),
        vec![err(0, "groupsName[0]", 301), err(1, "groupsName[0]", 301), err(2, "groupsName[0]", 301)]
    );

    // Named back, the same items are unchanged again.
    let (status, body) = app.put("/rest/groups/1/2", json!({"name": "group2", "parentId": -1})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(outcome(&put_ok(&app, "", items).await), all("unchanged", 2));
    app.stop().await;
}

#[tokio::test]
async fn a_batch_sent_again_with_a_version_is_checked_against_the_version_now() {
    let app = TestApp::spawn().await;
    let id = app.create_contacts(json!([rich("e1")])).await[0];
    let item = json!([with(rich("e1"), json!({"id": id, "version": 1, "firstName": "Night"}))]);
    assert_eq!(results(&put_ok(&app, "", item.clone()).await)[0]["status"], "updated");
    // The same item again names version 1; the contact is at 2: 412 (code 330).
    let (status, body) = app.put(&batch(""), item).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{body}");
    assert_eq!(errors(&body), vec![err(0, "version", 330)]);
    app.stop().await;
}

#[tokio::test]
async fn a_batch_sent_again_with_one_item_changed_writes_that_one_only() {
    let app = TestApp::spawn().await;
    let (ids, items) = contacts_and_a_batch(&app).await;
    put_ok(&app, "", items.clone()).await;
    let synced = snapshot(&app, &ids).await;

    let mut next = items.clone();
    next[1]["lastName"] = json!("Renamed");
    let body = put_ok(&app, "", next.clone()).await;
    let expected: Vec<(String, i64)> = vec![("unchanged".into(), 2), ("updated".into(), 3), ("unchanged".into(), 2)];
    assert_eq!(outcome(&body), expected);
    let now = snapshot(&app, &ids).await;
    assert_eq!((&now[0], &now[2]), (&synced[0], &synced[2]), "the others are not written");
    assert_eq!(now[1]["lastName"], "Renamed");
    assert_eq!(now[1]["version"], 3);

    // And sent once more: all unchanged.
    let body = put_ok(&app, "", next).await;
    assert_eq!(outcome(&body), vec![("unchanged".into(), 2), ("unchanged".into(), 3), ("unchanged".into(), 2)]);
    assert_eq!(snapshot(&app, &ids).await, now);
    app.stop().await;
}
