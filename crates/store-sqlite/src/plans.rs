//! The query plans of the statements that must stay index lookups, as SQLite makes them on a
//! fresh database (no statistics: the planner's worst guesses): batch writes driven by their
//! JSON rows with one primary key lookup each, lookups by id, externalId and group through
//! their indexes, and each listing order read from its index (no sort).

use contacts_application::ports::{ContactFilter, Direction, ListQuery, PageRequest, SearchType, SortKey};

use crate::list::page_query;
use crate::SqliteStore;

/// The plan of `sql` (its `detail` lines), with every parameter bound to `1`.
async fn plan(store: &SqliteStore, sql: &str, params: usize) -> Vec<String> {
    let explain = format!("EXPLAIN QUERY PLAN {sql}");
    let mut q = sqlx::query_as::<_, (i64, i64, i64, String)>(&explain);
    for _ in 0..params {
        q = q.bind(1_i64);
    }
    q.fetch_all(store.pool()).await.unwrap().into_iter().map(|row| row.3).collect()
}

async fn store() -> (SqliteStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("plans.db").to_str().unwrap()).await.unwrap();
    store.migrate().await.unwrap();
    (store, dir)
}

/// Every access to `contacts` is a SEARCH (an index lookup or range), none a SCAN.
fn contacts_are_searched(plan: &[String]) -> bool {
    plan.iter().all(|line| !line.starts_with("SCAN c") && !line.starts_with("SCAN contacts"))
}

#[tokio::test]
async fn batch_updates_are_driven_by_their_rows() {
    let (store, _dir) = store().await;
    for sql in [crate::write::UPDATE_CONTACTS, crate::write::PARK_RENAMED] {
        let plan = plan(&store, sql, 4).await;
        let scan_rows = plan.iter().position(|l| l.starts_with("SCAN j"));
        let lookup = plan.iter().position(|l| l == "SEARCH c USING PRIMARY KEY (organization_id=? AND id=?)");
        assert!(matches!((scan_rows, lookup), (Some(a), Some(b)) if a < b), "{plan:#?}");
    }
    let plan = plan(&store, crate::write::SET_DIGESTS, 2).await;
    let scan_rows = plan.iter().position(|l| l.starts_with("SCAN j"));
    let lookup = plan.iter().position(|l| l == "SEARCH c USING PRIMARY KEY (organization_id=? AND id=?)");
    assert!(matches!((scan_rows, lookup), (Some(a), Some(b)) if a < b), "{plan:#?}");
}

#[tokio::test]
async fn contacts_are_found_by_their_keys() {
    let (store, _dir) = store().await;
    for (sql, params, index) in [
        (crate::read::GET_BY_ID, 2, "USING PRIMARY KEY (organization_id=? AND id=?)"),
        // The unique key, or the listing's index of active contacts by externalId.
        (crate::read::GET_BY_EXTERNAL_ID, 2, "(organization_id=? AND external_id=?)"),
        (crate::write::LOCK_CONTACTS, 3, "(organization_id=? AND external_id=?)"),
        (crate::write::CONTACT_DIGESTS, 3, "(organization_id=? AND external_id=?)"),
        (crate::write::DELETE_CONTACTS, 5, "(organization_id=? AND external_id=?)"),
        (crate::write::CHILD_DELETES[0], 2, "USING PRIMARY KEY (organization_id=? AND contact_id=?)"),
        (crate::groups::MEMBERS_COUNT, 2, "SEARCH group_members USING PRIMARY KEY (organization_id=? AND group_id=?)"),
        (crate::groups::MEMBERS_PAGE, 4, "SEARCH group_members USING PRIMARY KEY (organization_id=? AND group_id=?)"),
    ] {
        let plan = plan(&store, sql, params).await;
        assert!(contacts_are_searched(&plan), "{sql}: {plan:#?}");
        assert!(plan.iter().any(|l| l.contains(index)), "{sql}: {plan:#?}");
    }
}

#[tokio::test]
async fn every_listing_order_reads_its_index_in_either_direction() {
    let (store, _dir) = store().await;
    let groups = ContactFilter { group_ids: vec![1], search: SearchType::And, ..ContactFilter::default() };
    for (sort, index) in [
        (SortKey::Id, "SEARCH c USING PRIMARY KEY (organization_id=?)"),
        (SortKey::LastModifiedDate, "SEARCH c USING INDEX contacts_list_last_modified_idx (organization_id=?)"),
        (SortKey::ExternalId, "SEARCH c USING INDEX contacts_list_external_id_idx (organization_id=?)"),
        (SortKey::LastName, "SEARCH c USING INDEX contacts_list_last_name_idx (organization_id=?)"),
    ] {
        for direction in [Direction::Asc, Direction::Desc] {
            for filter in [ContactFilter::default(), groups.clone()] {
                let params = 3 + usize::from(!filter.is_empty());
                let query = ListQuery { filter, sort, direction, page: PageRequest { number: 2, size: 10 } };
                let sql = page_query(1, &query).sql().to_owned();
                let plan = plan(&store, &sql, params).await;
                assert!(plan.contains(&index.to_owned()), "{sort:?} {direction:?}: {plan:#?}");
                assert!(plan.iter().all(|l| !l.contains("TEMP B-TREE")), "{sort:?} {direction:?}: {plan:#?}");
            }
        }
    }
}
