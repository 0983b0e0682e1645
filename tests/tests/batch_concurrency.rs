//! Concurrent batches (SPEC §3.3): two batches touching the same contacts never deadlock, never
//! lose an update, and never leave two contacts with one externalId.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use futures::future::join_all;

/// A response of a concurrent batch: a success, or a clear 4xx (never a 5xx, never a
/// deadlock or database message). Returns whether it succeeded.
#[track_caller]
fn succeeded(k: usize, status: StatusCode, body: &Value) -> bool {
    if status == StatusCode::OK {
        assert_eq!(body["code"], 100, "batch {k}: {body}");
        return true;
    }
    assert!(status.is_client_error(), "batch {k} answered {status}: {body}");
    assert_eq!(body["status"].as_u64(), Some(u64::from(status.as_u16())), "batch {k}: {body}");
    let message = body["message"].as_str().unwrap_or_default().to_ascii_lowercase();
    assert!(!message.is_empty() && !message.contains("deadlock") && !message.contains("sql"), "batch {k}: {body}");
    false
}

/// The contact's version reported by each successful batch, by contact index.
fn reported_versions(bodies: &[(usize, Value)], ids: &[i64]) -> Vec<BTreeMap<i64, usize>> {
    let at: BTreeMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let mut out = vec![BTreeMap::new(); ids.len()];
    for (k, body) in bodies {
        for r in results(body) {
            let i = at[&r["id"].as_i64().unwrap()];
            let version = r["version"].as_i64().unwrap();
            assert!(out[i].insert(version, *k).is_none(), "two batches reported version {version} of contact {i}");
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_update_batches_over_the_same_contacts_lose_no_update() {
    const N: usize = 200;
    let app = TestApp::spawn().await;
    let ids = app.create_contacts((0..N).map(|i| minimal(&format!("c{i:03}"), "Init")).collect()).await;

    let orders: [Vec<usize>; 4] = [
        (0..N).collect(),
        (0..N).rev().collect(),
        (0..N).step_by(2).chain((1..N).step_by(2)).collect(),
        (N / 2..N).chain(0..N / 2).collect(),
    ];
    let adds =
        [json!({"groups": [1]}), json!({"groups": [2]}), json!({"groupsName": ["group3"]}), json!({"groups": [1]})];
    let memberships: [&[i64]; 4] = [&[1], &[2], &[3], &[1]];
    let bodies: Vec<Value> = (0..4)
        .map(|k| {
            let items = orders[k]
                .iter()
                .map(|&i| with(minimal_with_id(ids[i], &format!("c{i:03}"), &format!("Batch{k}")), adds[k].clone()))
                .collect();
            Value::Array(items)
        })
        .collect();
    let path = batch("");
    let answers = join_all(bodies.into_iter().map(|b| app.put(&path, b))).await;

    let mut ok = Vec::new();
    for (k, (status, body)) in answers.into_iter().enumerate() {
        if succeeded(k, status, &body) {
            assert_eq!(statuses(&body), vec!["updated"; N], "batch {k}");
            let expected: Vec<String> = orders[k].iter().map(|&i| ids[i].to_string()).collect();
            assert_eq!(data(&body), expected, "batch {k}: data in input order");
            ok.push((k, body));
        }
    }
    assert!(!ok.is_empty(), "at least one batch succeeds");
    eprintln!("{} of 4 concurrent update batches succeeded", ok.len());
    let versions = reported_versions(&ok, &ids);
    let groups_expected: BTreeSet<i64> = ok.iter().flat_map(|(k, _)| memberships[*k].iter().copied()).collect();

    for (i, contact) in snapshot(&app, &ids).await.iter().enumerate() {
        // Each successful batch saw the previous one's result: versions 2, 3, ... without a gap.
        let seen: Vec<i64> = versions[i].keys().copied().collect();
        assert_eq!(seen, (2..2 + ok.len() as i64).collect::<Vec<_>>(), "contact {i}");
        assert_eq!(contact["version"].as_i64(), Some(1 + ok.len() as i64), "contact {i}: {contact}");
        let (_, last) = versions[i].last_key_value().unwrap();
        assert_eq!(contact["firstName"], format!("Batch{last}"), "contact {i}: the last writer's value");
        assert_eq!(groups(contact).into_iter().collect::<BTreeSet<_>>(), groups_expected, "contact {i}");
    }
    assert_eq!(all_contacts(&app).await.len(), N);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_post_batches_of_the_same_new_external_ids_leave_one_contact_each() {
    const N: usize = 100;
    let app = TestApp::spawn().await;
    let bodies: Vec<Value> = (0..3)
        .map(|k| {
            let mut order: Vec<usize> = (0..N).collect();
            if k == 1 {
                order.reverse();
            }
            if k == 2 {
                order.rotate_left(N / 3);
            }
            Value::Array(order.into_iter().map(|i| minimal(&format!("new{i:03}"), &format!("Post{k}"))).collect())
        })
        .collect();
    let path = batch("");
    let answers = join_all(bodies.into_iter().map(|b| app.post(&path, b))).await;

    let mut ok = Vec::new();
    let mut created: BTreeMap<String, usize> = BTreeMap::new();
    for (k, (status, body)) in answers.into_iter().enumerate() {
        if succeeded(k, status, &body) {
            for r in results(&body) {
                assert!(r["status"] == "created" || r["status"] == "updated", "batch {k}: {r}");
                if r["status"] == "created" {
                    *created.entry(r["externalId"].as_str().unwrap().to_owned()).or_default() += 1;
                }
            }
            ok.push((k, body));
        }
    }
    assert!(!ok.is_empty(), "at least one batch succeeds");
    eprintln!("{} of 3 concurrent insert batches succeeded", ok.len());
    assert_eq!(created.len(), N, "every externalId created once: {created:?}");
    assert!(created.values().all(|n| *n == 1), "created twice: {created:?}");

    let counts = external_id_counts(&app).await;
    assert_eq!(counts.len(), N);
    assert!(counts.values().all(|n| *n == 1), "one contact per externalId: {counts:?}");

    let contacts = all_contacts(&app).await;
    let ids: Vec<i64> = contacts.iter().map(|c| c["id"].as_i64().unwrap()).collect();
    let versions = reported_versions(&ok, &ids);
    for (c, seen) in contacts.iter().zip(&versions) {
        assert_eq!(seen.keys().copied().collect::<Vec<_>>(), (1..=ok.len() as i64).collect::<Vec<_>>(), "{c}");
        assert_eq!(c["version"].as_i64(), Some(ok.len() as i64), "{c}");
        assert_eq!(c["firstName"], format!("Post{}", seen.last_key_value().unwrap().1), "{c}");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_renames_to_the_same_external_ids_leave_each_with_one_contact() {
    const N: usize = 20;
    let app = TestApp::spawn().await;
    let a = app.create_contacts((0..N).map(|i| minimal(&format!("a{i}"), "A")).collect()).await;
    let b = app.create_contacts((0..N).map(|i| minimal(&format!("b{i}"), "B")).collect()).await;
    let rename = |ids: &[i64], name: &str| {
        Value::Array((0..N).map(|i| minimal_with_id(ids[i], &format!("z{i}"), name)).collect())
    };

    let answers = join_all([app.put(&batch(""), rename(&a, "A")), app.put(&batch(""), rename(&b, "B"))]).await;
    let won: Vec<bool> = answers.iter().enumerate().map(|(k, (s, body))| succeeded(k, *s, body)).collect();
    assert_eq!(won.iter().filter(|w| **w).count(), 1, "exactly one of the two renames wins: {answers:?}");
    let (status, lost) = &answers[usize::from(won[0])];
    assert_eq!(*status, StatusCode::CONFLICT, "{lost}");

    let (winners, losers, prefix) = if won[0] { (&a, &b, "b") } else { (&b, &a, "a") };
    let counts = external_id_counts(&app).await;
    for i in 0..N {
        assert_eq!(counts.get(&format!("z{i}")), Some(&1), "{counts:?}");
        assert_eq!(app.contact(winners[i]).await["externalId"], format!("z{i}"));
        let loser = app.contact(losers[i]).await;
        assert_eq!((loser["externalId"].clone(), loser["version"].clone()), (json!(format!("{prefix}{i}")), json!(1)));
    }
    app.stop().await;
}

#[tokio::test]
async fn external_ids_may_be_swapped_and_rotated_within_one_batch() {
    let app = TestApp::spawn().await;
    let ids = app
        .create_contacts(json!([
            minimal("x", "X"),
            minimal("y", "Y"),
            minimal("p", "P"),
            minimal("q", "Q"),
            minimal("r", "R")
        ]))
        .await;

    let body = put_ok(
        &app,
        "",
        json!([
            minimal_with_id(ids[0], "y", "X"),
            minimal_with_id(ids[1], "x", "Y"),
            minimal_with_id(ids[2], "q", "P"),
            minimal_with_id(ids[3], "r", "Q"),
            minimal_with_id(ids[4], "p", "R"),
        ]),
    )
    .await;
    assert_eq!(statuses(&body), vec!["updated"; 5]);
    let ext: Vec<Value> = snapshot(&app, &ids).await.iter().map(|c| c["externalId"].clone()).collect();
    assert_eq!(ext, vec![json!("y"), json!("x"), json!("q"), json!("r"), json!("p")]);

    // A rename onto an externalId freed by another item of the batch is fine.
    let body = put_ok(&app, "", json!([minimal_with_id(ids[0], "x", "X"), minimal_with_id(ids[1], "x2", "Y")])).await;
    assert_eq!(statuses(&body), ["updated", "updated"]);

    // A rename onto an externalId that stays with its contact fails; the contact keeping it
    // is not to blame.
    let before = snapshot(&app, &ids).await;
    let items = json!([minimal_with_id(ids[2], "r", "P"), minimal_with_id(ids[3], "r", "Q2")]);
    let (status, body) = app.put(&batch(""), items.clone()).await;
    assert_error(status, &body, 409, 409, Some(310));
    assert_eq!(errors(&body), vec![err(0, "externalId", 310)]);
    assert_eq!(snapshot(&app, &ids).await, before);

    let (status, body) = app.put(&batch("?atomic=false"), items).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(statuses(&body), ["failed", "updated"]);
    assert_eq!(errors(&results(&body)[0]), vec![err(0, "externalId", 310)]);
    let after = snapshot(&app, &ids).await;
    assert_eq!(after[2], before[2]);
    assert_eq!((after[3]["externalId"].clone(), after[3]["firstName"].clone()), (json!("r"), json!("Q2")));
    app.stop().await;
}
