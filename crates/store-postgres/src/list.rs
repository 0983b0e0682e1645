//! The contact listing: filters and order built into SQL, so that the database filters, sorts
//! and pages (never the service, in memory). Every value is bound; only whitelisted column
//! names and keywords are written into the text.
//!
//! Each sort key has an index leading with `organization_id` and ending with `id` (migration
//! 0003), partial on active contacts, so a page is an index range scan in either direction.

use contacts_application::ports::{ContactFilter, Direction, ListQuery, SearchType, SortKey};
use sqlx::{Postgres, QueryBuilder};

use crate::schema::{contact_children, contact_columns};

/// `SELECT <contact columns>, <children> FROM contacts c WHERE ... ORDER BY <key>, id LIMIT ...
/// OFFSET ...`: the page's contacts whole, in one statement.
pub(crate) fn page_query(org: i64, query: &ListQuery) -> QueryBuilder<'static, Postgres> {
    let mut qb = QueryBuilder::new(concat!("SELECT ", contact_columns!(), ", ", contact_children!()));
    push_filter(&mut qb, org, &query.filter);
    let dir = match query.direction {
        Direction::Asc => "ASC",
        Direction::Desc => "DESC",
    };
    match sort_column(query.sort) {
        Some(column) => qb.push(format_args!(" ORDER BY c.{column} {dir}, c.id {dir}")),
        None => qb.push(format_args!(" ORDER BY c.id {dir}")),
    };
    qb.push(" LIMIT ").push_bind(i64::from(query.page.size)).push(" OFFSET ").push_bind(offset(query));
    qb
}

/// `SELECT count(*) FROM contacts c WHERE ...` with the filter of [`page_query`].
pub(crate) fn count_query(org: i64, filter: &ContactFilter) -> QueryBuilder<'static, Postgres> {
    let mut qb = QueryBuilder::new("SELECT count(*)");
    push_filter(&mut qb, org, filter);
    qb
}

/// The column of a sort key (`None`: the id alone).
fn sort_column(key: SortKey) -> Option<&'static str> {
    match key {
        SortKey::Id => None,
        SortKey::LastModifiedDate => Some("last_modified_date"),
        SortKey::ExternalId => Some("external_id"),
        SortKey::LastName => Some("last_name"),
    }
}

/// The offset of a 1-based page (page 0 reads as page 1).
pub(crate) fn offset(query: &ListQuery) -> i64 {
    i64::from(query.page.number.saturating_sub(1)) * i64::from(query.page.size)
}

/// ` FROM contacts c WHERE <org> AND <active> [AND (<f1> AND|OR <f2> ...)]`.
fn push_filter(qb: &mut QueryBuilder<'static, Postgres>, org: i64, filter: &ContactFilter) {
    qb.push(" FROM contacts c WHERE c.organization_id = ").push_bind(org).push(" AND c.status = 'A'");
    if filter.is_empty() {
        return;
    }
    let joiner = match filter.search {
        SearchType::And => " AND ",
        SearchType::Or => " OR ",
    };
    let mut terms = 0;
    let mut next = |qb: &mut QueryBuilder<'static, Postgres>| {
        qb.push(if terms == 0 { " AND (" } else { joiner });
        terms += 1;
    };
    if !filter.contact_ids.is_empty() {
        next(qb);
        qb.push("c.id = ANY(").push_bind(filter.contact_ids.clone()).push(")");
    }
    if !filter.external_ids.is_empty() {
        next(qb);
        qb.push("c.external_id = ANY(").push_bind(filter.external_ids.clone()).push(")");
    }
    if !filter.group_ids.is_empty() {
        next(qb);
        qb.push(
            "EXISTS (SELECT 1 FROM group_members m WHERE m.organization_id = c.organization_id \
             AND m.contact_id = c.id AND m.group_id = ANY(",
        )
        .push_bind(filter.group_ids.clone())
        .push("))");
    }
    qb.push(")");
}

#[cfg(test)]
mod tests {
    use contacts_application::ports::PageRequest;

    use super::*;

    fn query(filter: ContactFilter, sort: SortKey, direction: Direction) -> ListQuery {
        ListQuery { filter, sort, direction, page: PageRequest { number: 3, size: 10 } }
    }

    /// The SQL after the column list (whose child subqueries have FROMs of their own).
    fn tail(qb: &QueryBuilder<'static, Postgres>) -> String {
        let sql = qb.sql();
        sql[sql.find(" FROM contacts c WHERE").unwrap()..].to_owned()
    }

    #[test]
    fn pages_are_one_based() {
        let at = |number, size| offset(&ListQuery::page(number, size));
        assert_eq!((at(1, 100), at(3, 100), at(0, 100)), (0, 200, 0));
    }

    #[test]
    fn no_filter_lists_the_active_contacts_of_the_org_by_id() {
        let q = page_query(1, &ListQuery::page(1, 100));
        assert_eq!(
            tail(&q),
            " FROM contacts c WHERE c.organization_id = $1 AND c.status = 'A' ORDER BY c.id ASC LIMIT $2 OFFSET $3"
        );
    }

    #[test]
    fn filters_combine_by_the_search_type_and_the_id_breaks_ties_in_the_same_direction() {
        let filter = ContactFilter {
            contact_ids: vec![1],
            external_ids: vec!["a".into()],
            group_ids: vec![2],
            search: SearchType::Or,
        };
        let q = page_query(1, &query(filter.clone(), SortKey::LastName, Direction::Desc));
        let sql = tail(&q);
        assert!(sql.contains("AND (c.id = ANY($2) OR c.external_id = ANY($3) OR EXISTS (SELECT 1"), "{sql}");
        assert!(sql.ends_with("ORDER BY c.last_name DESC, c.id DESC LIMIT $5 OFFSET $6"), "{sql}");

        let and = ContactFilter { search: SearchType::And, contact_ids: vec![], ..filter };
        let sql = tail(&count_query(1, &and));
        assert!(sql.ends_with("AND (c.external_id = ANY($2) AND EXISTS (SELECT 1 FROM group_members m WHERE m.organization_id = c.organization_id AND m.contact_id = c.id AND m.group_id = ANY($3)))"), "{sql}");
        let sql = tail(&page_query(1, &query(ContactFilter::default(), SortKey::LastModifiedDate, Direction::Asc)));
        assert!(sql.ends_with("ORDER BY c.last_modified_date ASC, c.id ASC LIMIT $2 OFFSET $3"), "{sql}");
    }
}
