//! Reading contacts: the one loader that reads whole [`Contact`]s (one statement, a correlated
//! subquery per child table), and the reads outside a unit of work.

use std::collections::HashMap;

use async_trait::async_trait;
use contacts_application::ports::{ContactReader, ContactRef, ListQuery};
use contacts_application::StoreError;
use contacts_domain::Contact;
use sqlx::PgConnection;

use crate::error::store_error;
use crate::list::{count_query, page_query};
use crate::schema::{contact_children, contact_columns, WholeContactRow};
use crate::PgStore;

/// The contacts `ids` of `org`, whole (children and groups), in the order of `ids` (an id not
/// found is left out): one statement whatever their number, so one snapshot. Run after the
/// rows are locked, it reads what the lock holders committed last.
///
/// # Errors
/// [`StoreError`] as mapped by [`store_error`].
pub(crate) async fn load_whole(conn: &mut PgConnection, org: i64, ids: &[i64]) -> Result<Vec<Contact>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<WholeContactRow> = sqlx::query_as(LOAD_BY_IDS)
        .bind(org)
        .bind(ids)
        .fetch_all(conn)
        .await
        .map_err(|e| store_error(e, "loading contacts"))?;
    let mut found: HashMap<i64, Contact> = rows.into_iter().map(|r| r.into_contact()).map(|c| (c.id, c)).collect();
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}

/// The contacts of `org` whose id is in `$2`, whole (any status: the caller chose them).
const LOAD_BY_IDS: &str = concat!(
    "SELECT ",
    contact_columns!(),
    ", ",
    contact_children!(),
    " FROM contacts c WHERE organization_id = $1 AND id = ANY($2)"
);

/// The organization's catalog version, as one more column of a `SELECT ... FROM contacts c`:
/// read in the contact's snapshot, it lets the cached catalog answer without a statement of
/// its own (a single GET: one round trip instead of two).
macro_rules! catalog_version_column {
    () => {
        "(SELECT o.catalog_version FROM organizations o WHERE o.id = c.organization_id) AS catalog_version"
    };
}

/// The active contact of `org` by id (`$2`), whole, with the catalog version.
const GET_BY_ID: &str = concat!(
    "SELECT ",
    contact_columns!(),
    ", ",
    contact_children!(),
    ", ",
    catalog_version_column!(),
    " FROM contacts c WHERE organization_id = $1 AND status = 'A' AND id = $2"
);

/// The active contact of `org` by externalId (`$2`), whole, with the catalog version.
const GET_BY_EXTERNAL_ID: &str = concat!(
    "SELECT ",
    contact_columns!(),
    ", ",
    contact_children!(),
    ", ",
    catalog_version_column!(),
    " FROM contacts c WHERE organization_id = $1 AND status = 'A' AND external_id = $2"
);

/// A contact read by key, whole, and the catalog version of the same snapshot.
#[derive(sqlx::FromRow)]
struct StampedRow {
    #[sqlx(flatten)]
    whole: WholeContactRow,
    catalog_version: i64,
}

/// The contact of `org` selected by `sql` (`$2` bound to `key`), whole, with the catalog
/// version: one statement, so one snapshot.
async fn get_one<K>(store: &PgStore, org: i64, sql: &'static str, key: K) -> Result<Option<(Contact, i64)>, StoreError>
where
    K: for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + std::fmt::Display,
{
    let context = format!("reading contact {key}");
    let row: Option<StampedRow> = sqlx::query_as(sql)
        .bind(org)
        .bind(key)
        .fetch_optional(store.pool())
        .await
        .map_err(|e| store_error(e, &context))?;
    Ok(row.map(|r| (r.whole.into_contact(), r.catalog_version)))
}

#[async_trait]
impl ContactReader for PgStore {
    async fn get_contact(&self, org: i64, id: i64) -> Result<Option<Contact>, StoreError> {
        Ok(get_one(self, org, GET_BY_ID, id).await?.map(|(c, _)| c))
    }

    async fn get_contact_by_external_id(&self, org: i64, external_id: &str) -> Result<Option<Contact>, StoreError> {
        Ok(get_one(self, org, GET_BY_EXTERNAL_ID, external_id.to_owned()).await?.map(|(c, _)| c))
    }

    async fn read_contact(&self, org: i64, target: &ContactRef) -> Result<Option<(Contact, Option<i64>)>, StoreError> {
        let found = match target {
            ContactRef::Id(id) => get_one(self, org, GET_BY_ID, *id).await?,
            ContactRef::ExternalId(e) => get_one(self, org, GET_BY_EXTERNAL_ID, e.clone()).await?,
        };
        Ok(found.map(|(c, v)| (c, Some(v))))
    }

    async fn list_contacts(&self, org: i64, query: &ListQuery) -> Result<(Vec<Contact>, u64), StoreError> {
        let err = |e| store_error(e, "listing contacts");
        let mut tx = self.read_snapshot().await?;
        let total: i64 = count_query(org, &query.filter).build_query_scalar().fetch_one(&mut *tx).await.map_err(err)?;
        let rows: Vec<WholeContactRow> =
            page_query(org, query).build_query_as().fetch_all(&mut *tx).await.map_err(err)?;
        tx.commit().await.map_err(err)?;
        let contacts = rows.into_iter().map(WholeContactRow::into_contact).collect();
        Ok((contacts, u64::try_from(total).unwrap_or_default()))
    }
}
