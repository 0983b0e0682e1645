//! The digests of batch items (the unchanged fast path of `ContactBatches`): stored with an
//! update, bound to a version, read back in one statement by id or externalId.

use std::sync::Arc;

use contacts_application::ports::{ContactUpdate, LockedVersion, StoredDigest};

use crate::fixtures::{bare_contact, begin, insert, org, soft_delete, NOW};
use crate::TestStore;

async fn digests<S: TestStore>(
    store: &S,
    org: i64,
    ids: &[i64],
    external_ids: &[&str],
) -> Vec<(i64, i64, Option<[u8; 16]>)> {
    let external_ids: Vec<String> = external_ids.iter().map(|e| (*e).to_string()).collect();
    let mut rows: Vec<StoredDigest> = store.contact_digests(org, ids, &external_ids).await.unwrap();
    rows.sort_by_key(|r| r.id);
    rows.into_iter().map(|r| (r.id, r.version, r.digest)).collect()
}

/// An update stores its digest (or none) with its version; `set_digests` stores one only where
/// the version is still the one given; deleted contacts and other organizations' are not read.
pub async fn item_digests_are_stored_with_their_version<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let other = org(&*store, 2).await;
    let ids = insert(&*store, o.id, &[bare_contact(&o, "a"), bare_contact(&o, "b"), bare_contact(&o, "c")]).await;
    let (a, b, c) = (ids[0], ids[1], ids[2]);
    let theirs = insert(&*store, other.id, &[bare_contact(&other, "a")]).await;

    // New contacts have none.
    assert_eq!(digests(&*store, o.id, &ids, &[]).await, vec![(a, 1, None), (b, 1, None), (c, 1, None)]);
    let rows = store.contact_digests(o.id, &[a], &["b".into()]).await.unwrap();
    let mut names: Vec<(i64, String)> = rows.into_iter().map(|r| (r.id, r.external_id)).collect();
    names.sort();
    assert_eq!(names, vec![(a, "a".to_string()), (b, "b".to_string())]);

    let mut tx = begin(&*store).await;
    let updates = [
        ContactUpdate { id: a, data: bare_contact(&o, "a"), version: 2, digest: Some([1; 16]) },
        ContactUpdate { id: b, data: bare_contact(&o, "b"), version: 2, digest: None },
    ];
    tx.update_contacts(o.id, &updates, "t", NOW + 1).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(digests(&*store, o.id, &[], &["a", "b"]).await, vec![(a, 2, Some([1; 16])), (b, 2, None)]);

    let mut tx = begin(&*store).await;
    tx.set_digests(o.id, &[(a, 2, [2; 16]), (b, 1, [3; 16]), (c, 1, [4; 16])]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        digests(&*store, o.id, &ids, &[]).await,
        vec![(a, 2, Some([2; 16])), (b, 2, None), (c, 1, Some([4; 16]))],
        "b is at version 2, not 1: its digest is not stored"
    );
    // Dropped without commit: nothing stored.
    let mut tx = begin(&*store).await;
    tx.set_digests(o.id, &[(b, 2, [5; 16])]).await.unwrap();
    drop(tx);
    assert_eq!(digests(&*store, o.id, &[b], &[]).await, vec![(b, 2, None)]);

    // A write without a digest clears it.
    let mut tx = begin(&*store).await;
    tx.update_contacts(
        o.id,
        &[ContactUpdate { id: a, data: bare_contact(&o, "a"), version: 3, digest: None }],
        "t",
        NOW + 2,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(digests(&*store, o.id, &[a], &[]).await, vec![(a, 3, None)]);

    // Deleted contacts and another organization's are not read.
    soft_delete(&*store, o.id, &[c]).await;
    assert_eq!(digests(&*store, o.id, &[c, theirs[0]], &["c"]).await, vec![]);
    assert_eq!(digests(&*store, other.id, &[], &["a"]).await, vec![(theirs[0], 1, None)]);
    assert_eq!(digests(&*store, o.id, &[], &[]).await, vec![]);
}

/// `lock_contacts_except`: the contacts named by id or externalId, those in `not_loaded` as
/// `(id, externalId, version)`, the others whole, as `lock_contacts` reads them.
pub async fn contacts_locked_except_some_are_loaded_except_those<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let other = org(&*store, 2).await;
    let ids = insert(&*store, o.id, &[bare_contact(&o, "a"), bare_contact(&o, "b"), bare_contact(&o, "c")]).await;
    let theirs = insert(&*store, other.id, &[bare_contact(&other, "c")]).await;
    let (a, b, c) = (ids[0], ids[1], ids[2]);

    let mut tx = begin(&*store).await;
    let whole = tx.lock_contacts(o.id, &[a], &[]).await.unwrap();
    let (loaded, mut versions) =
        tx.lock_contacts_except(o.id, &[a, b, theirs[0]], &["c".into()], &[b, c, theirs[0]]).await.unwrap();
    assert_eq!(loaded, whole, "a is read as lock_contacts reads it");
    versions.sort_by_key(|v| v.id);
    assert_eq!(
        versions,
        vec![
            LockedVersion { id: b, external_id: "b".into(), version: 1 },
            LockedVersion { id: c, external_id: "c".into(), version: 1 },
        ],
        "another organization's contact is never named"
    );
    // Nothing to skip: everything loaded, as lock_contacts.
    let (loaded, versions) = tx.lock_contacts_except(o.id, &[a], &["b".into()], &[]).await.unwrap();
    assert_eq!((loaded.iter().map(|c| c.id).collect::<Vec<_>>(), versions), (vec![a, b], vec![]));
    tx.commit().await.unwrap();
}
