//! Reading contacts: the one loader that turns `contacts` rows into whole [`Contact`]s (one
//! query per child table for all of them), and the reads outside a unit of work.

use std::collections::HashMap;

use async_trait::async_trait;
use contacts_application::ports::{ContactReader, ListQuery};
use contacts_application::StoreError;
use contacts_domain::Contact;
use sqlx::postgres::PgRow;
use sqlx::{FromRow, PgConnection};

use crate::error::store_error;
use crate::list::{count_query, page_query};
use crate::schema::{
    contact_children, contact_columns, AddressRow, AttributeRow, ContactRow, PathRow, WholeContactRow,
};
use crate::PgStore;

/// Completes `rows` (contacts of `org`) with their paths, attributes, addresses, topics and
/// groups: five queries whatever the number of contacts, children in `position` order.
/// Contacts come back in the order of `rows`.
///
/// # Errors
/// [`StoreError`] as mapped by [`store_error`].
pub(crate) async fn load_contacts(
    conn: &mut PgConnection,
    org: i64,
    rows: Vec<ContactRow>,
) -> Result<Vec<Contact>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut contacts: Vec<Contact> = rows.into_iter().map(ContactRow::into_contact).collect();
    let at: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let paths: Vec<PathRow> = children(
        conn,
        "SELECT contact_id, path_id, value, country_code, phone_ext, wait_time, path_enable, \
                skip_validation, quiet_time_frames \
         FROM contact_paths WHERE organization_id = $1 AND contact_id = ANY($2) \
         ORDER BY contact_id, position",
        org,
        &ids,
    )
    .await?;
    for row in paths {
        contacts[at[&row.contact_id]].data.paths.push(row.into());
    }
    let attributes: Vec<AttributeRow> = children(
        conn,
        "SELECT contact_id, attribute_id, \"values\" \
         FROM contact_attributes WHERE organization_id = $1 AND contact_id = ANY($2) \
         ORDER BY contact_id, position",
        org,
        &ids,
    )
    .await?;
    for row in attributes {
        contacts[at[&row.contact_id]].data.attributes.push(row.into());
    }
    let addresses: Vec<AddressRow> = children(
        conn,
        "SELECT contact_id, location_name, street_address, suite, city, state, postal_code, \
                country, lat, lon \
         FROM contact_addresses WHERE organization_id = $1 AND contact_id = ANY($2) \
         ORDER BY contact_id, position",
        org,
        &ids,
    )
    .await?;
    for row in addresses {
        contacts[at[&row.contact_id]].data.addresses.push(row.into());
    }
    let topics: Vec<(i64, i64)> = children(
        conn,
        "SELECT contact_id, topic_id \
         FROM contact_topics WHERE organization_id = $1 AND contact_id = ANY($2) \
         ORDER BY contact_id, position",
        org,
        &ids,
    )
    .await?;
    for (contact_id, topic_id) in topics {
        contacts[at[&contact_id]].data.topics.push(topic_id);
    }
    let members: Vec<(i64, i64)> = children(
        conn,
        "SELECT contact_id, group_id \
         FROM group_members WHERE organization_id = $1 AND contact_id = ANY($2)",
        org,
        &ids,
    )
    .await?;
    for (contact_id, group_id) in members {
        contacts[at[&contact_id]].groups.insert(group_id);
    }
    Ok(contacts)
}

/// The rows of one child table for the contacts `ids` of `org` (`sql` binds them as `$1`, `$2`).
async fn children<T>(conn: &mut PgConnection, sql: &'static str, org: i64, ids: &[i64]) -> Result<Vec<T>, StoreError>
where
    T: for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
    sqlx::query_as(sql)
        .bind(org)
        .bind(ids)
        .fetch_all(conn)
        .await
        .map_err(|e| store_error(e, "loading the children of contacts"))
}

/// The active contact of `org` by id (`$2`), whole.
const GET_BY_ID: &str = concat!(
    "SELECT ",
    contact_columns!(),
    ", ",
    contact_children!(),
    " FROM contacts c WHERE organization_id = $1 AND status = 'A' AND id = $2"
);

/// The active contact of `org` by externalId (`$2`), whole.
const GET_BY_EXTERNAL_ID: &str = concat!(
    "SELECT ",
    contact_columns!(),
    ", ",
    contact_children!(),
    " FROM contacts c WHERE organization_id = $1 AND status = 'A' AND external_id = $2"
);

/// The contact of `org` selected by `sql` (`$2` bound to `key`), whole: one statement, so one
/// snapshot.
async fn get_one<K>(store: &PgStore, org: i64, sql: &'static str, key: K) -> Result<Option<Contact>, StoreError>
where
    K: for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + std::fmt::Display,
{
    let context = format!("reading contact {key}");
    let row: Option<WholeContactRow> = sqlx::query_as(sql)
        .bind(org)
        .bind(key)
        .fetch_optional(store.pool())
        .await
        .map_err(|e| store_error(e, &context))?;
    Ok(row.map(WholeContactRow::into_contact))
}

#[async_trait]
impl ContactReader for PgStore {
    async fn get_contact(&self, org: i64, id: i64) -> Result<Option<Contact>, StoreError> {
        get_one(self, org, GET_BY_ID, id).await
    }

    async fn get_contact_by_external_id(&self, org: i64, external_id: &str) -> Result<Option<Contact>, StoreError> {
        get_one(self, org, GET_BY_EXTERNAL_ID, external_id.to_owned()).await
    }

    async fn list_contacts(&self, org: i64, query: &ListQuery) -> Result<(Vec<Contact>, u64), StoreError> {
        let err = |e| store_error(e, "listing contacts");
        let mut tx = self.read_snapshot().await?;
        let total: i64 = count_query(org, &query.filter).build_query_scalar().fetch_one(&mut *tx).await.map_err(err)?;
        let rows: Vec<ContactRow> = page_query(org, query).build_query_as().fetch_all(&mut *tx).await.map_err(err)?;
        let contacts = load_contacts(&mut tx, org, rows).await?;
        tx.commit().await.map_err(err)?;
        Ok((contacts, u64::try_from(total).unwrap_or_default()))
    }
}
