//! The contact listing: filters (AND / OR), every sort key in both directions with the id as
//! tie-breaker, paging that sees each contact once, and the lookup by externalId.

use std::collections::BTreeSet;
use std::sync::Arc;

use contacts_application::ports::{ContactFilter, Direction, ListQuery, PageRequest, SearchType, SortKey};
use contacts_domain::ContactData;

use crate::fixtures::{add_memberships, bare_contact, full_contact, insert, insert_at, org, Org, NOW};
use crate::TestStore;

fn named(o: &Org, external_id: &str, last_name: &str) -> ContactData {
    ContactData { last_name: last_name.into(), ..bare_contact(o, external_id) }
}

fn query(filter: ContactFilter, sort: SortKey, direction: Direction, number: u32, size: u32) -> ListQuery {
    ListQuery { filter, sort, direction, page: PageRequest { number, size } }
}

/// The ids of every page of `size`, in order, and the total each page reported.
async fn walk<S: TestStore>(
    store: &S,
    org: i64,
    sort: SortKey,
    direction: Direction,
    size: u32,
) -> (Vec<i64>, Vec<u64>) {
    let mut ids = Vec::new();
    let mut totals = Vec::new();
    for number in 1.. {
        let (page, total) =
            store.list_contacts(org, &query(ContactFilter::default(), sort, direction, number, size)).await.unwrap();
        totals.push(total);
        if page.is_empty() {
            break;
        }
        ids.extend(page.iter().map(|c| c.id));
    }
    (ids, totals)
}

/// Every sort key, in both directions, pages through each contact once, ties broken by id.
pub async fn every_sort_key_pages_through_each_contact_once_ties_broken_by_id<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    // Three batches: last_modified_date takes three values, shared within a batch; last names
    // repeat across batches; externalIds are unique.
    let mut ids = Vec::new();
    for (batch, now) in [(0, NOW + 2), (1, NOW), (2, NOW + 1)] {
        let contacts: Vec<ContactData> =
            (0..7).map(|i| named(&o, &format!("x{:02}", 20 - (batch * 7 + i)), &format!("Name{}", i % 3))).collect();
        ids.extend(insert_at(&*store, o.id, &contacts, now).await);
    }
    let all: BTreeSet<i64> = ids.iter().copied().collect();
    let (contacts, _) = store.list_contacts(o.id, &ListQuery::page(1, 100)).await.unwrap();
    let key_of = |id: i64, sort: SortKey| {
        let c = contacts.iter().find(|c| c.id == id).unwrap();
        match sort {
            SortKey::Id => String::new(),
            SortKey::LastModifiedDate => c.last_modified_date.to_string(),
            SortKey::ExternalId => c.data.external_id.clone(),
            SortKey::LastName => c.data.last_name.clone(),
        }
    };
    for sort in [SortKey::Id, SortKey::LastModifiedDate, SortKey::ExternalId, SortKey::LastName] {
        for direction in [Direction::Asc, Direction::Desc] {
            let (seen, totals) = walk(&*store, o.id, sort, direction, 4).await;
            assert_eq!(seen.len(), all.len(), "{sort:?} {direction:?}: each once");
            assert_eq!(seen.iter().copied().collect::<BTreeSet<_>>(), all, "{sort:?} {direction:?}");
            assert!(totals.iter().all(|t| *t == 21), "{totals:?}");
            // (key, id) is strictly monotonic in the direction asked for.
            let keyed: Vec<(String, i64)> = seen.iter().map(|id| (key_of(*id, sort), *id)).collect();
            for pair in keyed.windows(2) {
                let ordered = match direction {
                    Direction::Asc => pair[0] < pair[1],
                    Direction::Desc => pair[0] > pair[1],
                };
                assert!(ordered, "{sort:?} {direction:?}: {pair:?}");
            }
        }
    }
    // The newest first, by id within a timestamp.
    let (seen, _) = walk(&*store, o.id, SortKey::LastModifiedDate, Direction::Desc, 100).await;
    assert_eq!(seen[..7], ids[..7].iter().rev().copied().collect::<Vec<_>>()[..]);
}

/// Filters by ids, externalIds and groups combine with AND or OR, within the organization;
/// a page past the end is empty, with the total.
pub async fn filters_combine_with_and_or_or_within_the_organization<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let theirs = org(&*store, 2).await;
    let ids = insert(&*store, o.id, &(0..5).map(|i| bare_contact(&o, &format!("e{i}"))).collect::<Vec<_>>()).await;
    let their_ids = insert(&*store, theirs.id, &[bare_contact(&theirs, "e0")]).await;
    add_memberships(&*store, o.id, &[(o.groups[0], ids[0]), (o.groups[0], ids[1]), (o.groups[1], ids[2])]).await;
    add_memberships(&*store, theirs.id, &[(theirs.groups[0], their_ids[0])]).await;

    let list = |filter: ContactFilter| {
        let store = store.clone();
        async move {
            let (page, total) =
                store.list_contacts(o.id, &query(filter, SortKey::Id, Direction::Asc, 1, 100)).await.unwrap();
            assert_eq!(total, page.len() as u64);
            page.into_iter().map(|c| c.id).collect::<Vec<_>>()
        }
    };
    let f = |contact_ids: Vec<i64>, external_ids: &[&str], group_ids: Vec<i64>, search| ContactFilter {
        contact_ids,
        external_ids: external_ids.iter().map(|e| (*e).to_owned()).collect(),
        group_ids,
        search,
    };
    use SearchType::{And, Or};
    assert_eq!(list(f(vec![ids[3], ids[1]], &[], vec![], And)).await, vec![ids[1], ids[3]]);
    assert_eq!(list(f(vec![], &["e4", "e2", "nope"], vec![], And)).await, vec![ids[2], ids[4]]);
    assert_eq!(list(f(vec![], &[], vec![o.groups[0]], And)).await, vec![ids[0], ids[1]]);
    assert_eq!(list(f(vec![], &[], vec![o.groups[0], o.groups[1]], And)).await, vec![ids[0], ids[1], ids[2]]);
    // AND: every filter given; OR: any.
    assert_eq!(list(f(vec![ids[1], ids[2]], &["e1", "e3"], vec![], And)).await, vec![ids[1]]);
    assert_eq!(list(f(vec![ids[1], ids[2]], &["e1", "e3"], vec![], Or)).await, vec![ids[1], ids[2], ids[3]]);
    assert_eq!(list(f(vec![ids[4]], &[], vec![o.groups[1]], Or)).await, vec![ids[2], ids[4]]);
    assert_eq!(list(f(vec![ids[4]], &[], vec![o.groups[1]], And)).await, Vec::<i64>::new());
    // Another organization's ids, externalIds and groups select nothing of it.
    assert_eq!(list(f(their_ids.clone(), &[], vec![], Or)).await, Vec::<i64>::new());
    assert_eq!(list(f(vec![], &[], vec![theirs.groups[0]], Or)).await, Vec::<i64>::new());
    assert_eq!(list(f(vec![], &["e0"], vec![], Or)).await, vec![ids[0]]);
    // A page past the end is empty, with the total.
    let (page, total) = store
        .list_contacts(o.id, &query(f(vec![], &[], vec![o.groups[0]], And), SortKey::LastName, Direction::Desc, 3, 1))
        .await
        .unwrap();
    assert_eq!((page.len(), total), (0, 2));
}

/// A contact is found by its exact externalId (case-sensitive), in its organization only.
pub async fn a_contact_is_found_by_its_external_id_in_its_organization_only<S: TestStore>(store: Arc<S>) {
    let o = org(&*store, 1).await;
    let theirs = org(&*store, 2).await;
    let ids = insert(&*store, o.id, &[full_contact(&o, "ada")]).await;
    insert(&*store, theirs.id, &[bare_contact(&theirs, "only-theirs")]).await;
    let found = store.get_contact_by_external_id(o.id, "ada").await.unwrap().expect("found");
    assert_eq!(found, store.get_contact(o.id, ids[0]).await.unwrap().unwrap());
    assert_eq!(found.data, full_contact(&o, "ada"));
    assert_eq!(store.get_contact_by_external_id(o.id, "only-theirs").await.unwrap(), None);
    assert_eq!(store.get_contact_by_external_id(o.id, "ADA").await.unwrap(), None);
}
