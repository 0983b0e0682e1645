//! A check each SQL store runs on its own migration that records the contacts stored before
//! history existed (`0008_contact_history_backfill.sql`): not a contract case, since running
//! a store's SQL is particular to it, but the same check for each.

use std::future::Future;
use std::sync::Arc;

use contacts_application::history::ContactHistory;
use contacts_application::ports::{Actor, ContactRef, ContactUpdate, Operation, PageRequest};
use contacts_domain::ContactData;

use crate::fixtures::{bare_contact, begin, full_contact, get, org, NOW};
use crate::TestStore;

/// Contacts written without history (created, updated twice, deleted), then `backfill` (the
/// store runs its migration's statement): each contact gets one entry, of its current version
/// and state, read back as the contact reads; running it again adds nothing; the deleted
/// contact can be restored from it.
pub async fn backfilled_entries_hold_each_contacts_current_state<S, F, Fut>(store: Arc<S>, backfill: F)
where
    S: TestStore,
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    let o = org(&*store, 1).await;
    let (mut a, b, mut c) = (full_contact(&o, "a"), bare_contact(&o, "b"), full_contact(&o, "c"));
    // The migration ran before `registeredEmail` was stored (migration 0010): no contact had
    // one then, and its content (format 1) has none.
    (a.registered_email, c.registered_email) = (None, None);
    // A number the rules of a full update accept (the fixture's is a drama number): c is
    // restored at the end, and a restore validates what it brings back.
    c.paths[0].value = "+447911123456".into();
    let mut tx = begin(&*store).await;
    let ids = tx.insert_contacts(o.id, &[a.clone(), b.clone(), c.clone()], "importer", NOW).await.unwrap();
    tx.add_memberships(o.id, &[(o.groups[1], ids[0]), (o.groups[0], ids[0]), (o.groups[0], ids[2])]).await.unwrap();
    tx.commit().await.unwrap();
    let b3 = ContactData { first_name: "Third".into(), ..b.clone() };
    for version in [2, 3] {
        let mut tx = begin(&*store).await;
        tx.lock_contacts(o.id, &[ids[1]], &[]).await.unwrap();
        let update = ContactUpdate { id: ids[1], data: b3.clone(), version, digest: None };
        tx.update_contacts(o.id, &[update], "syncer", NOW + version).await.unwrap();
        tx.commit().await.unwrap();
    }
    let (a_now, b_now) = (get(&*store, o.id, ids[0]).await, get(&*store, o.id, ids[1]).await);
    let mut tx = begin(&*store).await;
    tx.delete_contacts(o.id, &[ids[2]], &[], "deleter", NOW + 9).await.unwrap();
    tx.commit().await.unwrap();

    backfill().await;
    backfill().await;

    let page = PageRequest { number: 1, size: 10 };
    let (entries, total) = store.contact_history(o.id, ids[0], page).await.unwrap();
    assert_eq!((total, entries[0].version, entries[0].operation), (1, 1, Operation::Created));
    assert_eq!((&entries[0].before, &entries[0].after), (&None, &Some(a_now)), "every field of a rich contact");
    let (entries, total) = store.contact_history(o.id, ids[1], page).await.unwrap();
    assert_eq!((total, entries[0].version, entries[0].operation), (1, 3, Operation::Updated));
    assert_eq!((entries[0].changed_at, entries[0].changed_by.as_str()), (NOW + 3, "syncer"));
    assert_eq!(entries[0].after, Some(b_now));
    let (entries, total) = store.contact_history(o.id, ids[2], page).await.unwrap();
    assert_eq!((total, entries[0].version, entries[0].operation, &entries[0].after), (1, 2, Operation::Deleted, &None));

    let history = ContactHistory::new(store.clone(), store.clone(), store.clone());
    let restored = history.restore(o.id, &Actor::named("t"), &ContactRef::Id(ids[2]), None).await.unwrap();
    assert_eq!((restored.version, restored.changed), (3, true));
    let back = get(&*store, o.id, ids[2]).await;
    assert_eq!((&back.data, back.groups.iter().copied().collect::<Vec<_>>()), (&c, vec![o.groups[0]]));
}
