//! Soft deletes: a deleted contact is hidden from every read and frees its externalId;
//! another organization's contacts are untouched; concurrent deletes delete each contact once.

use std::sync::Arc;

use contacts_application::ports::{ContactTx, ContactUpdate, DeletedContact, ListQuery, PageRequest, UnitOfWork};

use crate::fixtures::{add_memberships, bare_contact, begin, full_contact, get, insert, org, retrying, NOW};
use crate::TestStore;

async fn delete(tx: &mut dyn ContactTx, org: i64, ids: &[i64], external_ids: &[&str]) -> Vec<DeletedContact> {
    let external_ids: Vec<String> = external_ids.iter().map(|e| (*e).to_owned()).collect();
    let mut deleted = tx.delete_contacts(org, ids, &external_ids, "deleter", NOW + 5).await.unwrap();
    deleted.sort_by_key(|d| d.id);
    deleted
}

/// Contacts named by id and by externalId are deleted once each (version + 1), hidden from
/// every read, and their externalIds are free for new contacts; the others keep their
/// memberships.
pub async fn deleted_contacts_are_hidden_from_every_read_and_free_their_external_id<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let ids = insert(&*store, o.id, &[full_contact(&o, "a"), full_contact(&o, "b"), bare_contact(&o, "c")]).await;
    add_memberships(&*store, o.id, &[(o.groups[0], ids[0]), (o.groups[0], ids[2])]).await;

    let mut tx = begin(&*store).await;
    // By id and by externalId at once; a name given twice is one contact.
    let deleted = delete(&mut *tx, o.id, &[ids[0], ids[0]], &["b", "a"]).await;
    tx.commit().await.unwrap();
    assert_eq!(
        deleted,
        vec![
            DeletedContact { id: ids[0], external_id: "a".into(), version: 2 },
            DeletedContact { id: ids[1], external_id: "b".into(), version: 2 }
        ]
    );

    assert_eq!(store.get_contact(o.id, ids[0]).await.unwrap(), None);
    assert_eq!(store.get_contact_by_external_id(o.id, "b").await.unwrap(), None);
    let (page, total) = store.list_contacts(o.id, &ListQuery::page(1, 100)).await.unwrap();
    assert_eq!((page.iter().map(|c| c.id).collect::<Vec<_>>(), total), (vec![ids[2]], 1));
    let (members, total) = store.list_members(o.id, &[o.groups[0]], PageRequest { number: 1, size: 10 }).await.unwrap();
    assert_eq!((members.iter().map(|c| c.id).collect::<Vec<_>>(), total), (vec![ids[2]], 1));
    let mut tx = begin(&*store).await;
    assert_eq!(tx.lock_contacts(o.id, &ids[..2], &["a".into(), "b".into()]).await.unwrap(), vec![]);
    assert_eq!(tx.external_id_owners(o.id, &["a".into()]).await.unwrap(), vec![]);
    // Deleting again finds nothing.
    assert_eq!(delete(&mut *tx, o.id, &ids[..2], &["a"]).await, vec![]);
    drop(tx);

    // The externalId is free for a new contact.
    let new = insert(&*store, o.id, &[bare_contact(&o, "a")]).await;
    assert_ne!(new[0], ids[0]);
    assert_eq!(store.get_contact_by_external_id(o.id, "a").await.unwrap().unwrap().id, new[0]);
    // The contact kept is untouched.
    let kept = get(&*store, o.id, ids[2]).await;
    assert_eq!((kept.version, kept.groups.iter().copied().collect::<Vec<_>>()), (1, vec![o.groups[0]]));
}

/// A soft-deleted contact's externalId may be taken by a renamed contact too, and deleted
/// contacts do not count as owners.
pub async fn a_deleted_contacts_external_id_is_reusable_by_a_rename<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let ids = insert(&*store, o.id, &[bare_contact(&o, "gone"), bare_contact(&o, "stays")]).await;
    let mut tx = begin(&*store).await;
    assert_eq!(delete(&mut *tx, o.id, &[], &["gone"]).await.len(), 1);
    tx.commit().await.unwrap();

    let mut tx = begin(&*store).await;
    assert_eq!(tx.external_id_owners(o.id, &["gone".into()]).await.unwrap(), vec![]);
    let update = ContactUpdate { id: ids[1], data: bare_contact(&o, "gone"), version: 2, digest: None };
    tx.update_contacts(o.id, &[update], "t", NOW).await.unwrap();
    tx.commit().await.unwrap();
    let renamed = store.get_contact_by_external_id(o.id, "gone").await.unwrap().unwrap();
    assert_eq!((renamed.id, renamed.version), (ids[1], 2));
    // And deleted again, the name is free once more.
    let mut tx = begin(&*store).await;
    assert_eq!(delete(&mut *tx, o.id, &[ids[1]], &[]).await[0].external_id, "gone");
    tx.commit().await.unwrap();
    let third = insert(&*store, o.id, &[bare_contact(&o, "gone")]).await;
    assert_eq!(store.get_contact_by_external_id(o.id, "gone").await.unwrap().unwrap().id, third[0]);
}

/// A delete in one organization never deletes another organization's contacts, named by id
/// or by an externalId both use.
pub async fn another_organizations_contacts_are_never_deleted<S: TestStore>(store: Arc<S>) {
    let mine = org(&*store, 1).await;
    let theirs = org(&*store, 2).await;
    let their_ids = insert(&*store, theirs.id, &[bare_contact(&theirs, "same")]).await;
    let my_ids = insert(&*store, mine.id, &[bare_contact(&mine, "same")]).await;
    let mut tx = begin(&*store).await;
    let deleted = delete(&mut *tx, mine.id, &their_ids, &["same"]).await;
    tx.commit().await.unwrap();
    assert_eq!(deleted.iter().map(|d| d.id).collect::<Vec<_>>(), my_ids);
    assert_eq!(get(&*store, theirs.id, their_ids[0]).await.version, 1);
}

/// Of two units of work deleting overlapping contacts, the one that starts while the other
/// holds them deletes only what is left once that one committed.
pub async fn a_concurrent_delete_skips_what_the_first_deleted<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let ids = insert(&*store, o.id, &[bare_contact(&o, "a"), bare_contact(&o, "b"), bare_contact(&o, "c")]).await;

    let mut first = begin(&*store).await;
    assert_eq!(delete(&mut *first, o.id, &ids[..2], &[]).await.len(), 2);
    let second_store = store.clone();
    let (org_id, rest) = (o.id, ids[1..].to_vec());
    let second = tokio::spawn(async move {
        retrying(|| {
            let (store, rest) = (second_store.clone(), rest.clone());
            async move {
                let mut tx = UnitOfWork::begin(&*store).await?;
                let mut deleted = tx.delete_contacts(org_id, &rest, &[], "deleter", NOW + 5).await?;
                tx.commit().await?;
                deleted.sort_by_key(|d| d.id);
                Ok(deleted)
            }
        })
        .await
    });
    first.commit().await.unwrap();
    let deleted = second.await.unwrap();
    assert_eq!(deleted.iter().map(|d| (d.id, d.version)).collect::<Vec<_>>(), vec![(ids[2], 2)]);
    let (page, total) = store.list_contacts(o.id, &ListQuery::page(1, 10)).await.unwrap();
    assert!(page.is_empty() && total == 0, "{page:?}");
}
