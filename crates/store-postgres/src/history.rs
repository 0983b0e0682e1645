//! The history of contacts on PostgreSQL: the dialect of the shared statements
//! ([`contacts_store_sql::history`]), the insert of a unit of work's entries (one statement,
//! one array per column), and the [`HistoryStore`] reads.

use std::sync::LazyLock;

use async_trait::async_trait;
use contacts_application::ports::{Actor, ContactRef, HistoryEntry, HistoryRecord, HistoryStore, PageRequest};
use contacts_application::StoreError;
use contacts_store_sql::history::{self, Dialect, RecordColumns};
use sqlx::{PgConnection, Postgres};

use crate::error::store_error;
use crate::PgStore;

/// PostgreSQL's fragments of the history statements.
pub(crate) struct PgDialect;

impl Dialect for PgDialect {
    const RECORDS: &'static str = "UNNEST($5::bigint[], $6::bigint[], $7::text[], $8::text[], $9::text[]) \
         AS u(contact_id, version, operation, content, groups)";
    const GROUPS: &'static str = "(SELECT COALESCE(json_agg(m.group_id ORDER BY m.group_id)::text, '[]') \
         FROM group_members m WHERE m.organization_id = $1 AND m.contact_id = u.contact_id)";
}

static RECORD: LazyLock<String> = LazyLock::new(history::record_sql::<PgDialect>);

/// Records `records` of organization `org`, made by `actor` at `at`: one statement.
///
/// # Errors
/// [`StoreError::Unknown`] when the database fails, also for an entry that exists already
/// (two changes cannot reach one version: that would be a fault, not a conflict to retry).
pub(crate) async fn record(
    conn: &mut PgConnection,
    org: i64,
    records: &[HistoryRecord],
    actor: &Actor,
    at: i64,
) -> Result<(), StoreError> {
    if records.is_empty() {
        return Ok(());
    }
    let columns = RecordColumns::new(records);
    sqlx::query(&RECORD)
        .bind(org)
        .bind(at)
        .bind(&actor.name)
        .bind(&actor.request_id)
        .bind(columns.contact_id)
        .bind(columns.version)
        .bind(columns.operation)
        .bind(columns.content)
        .bind(columns.groups)
        .execute(conn)
        .await
        .map_err(|e| match store_error(e, "recording the history of contacts") {
            StoreError::Duplicate(m) => StoreError::Unknown(anyhow::anyhow!("{m}: a history entry exists already")),
            other => other,
        })?;
    Ok(())
}

/// The id of the contact `target` names, whatever its status, locked (`FOR UPDATE`).
pub(crate) async fn lock_any(
    conn: &mut PgConnection,
    org: i64,
    target: &ContactRef,
) -> Result<Option<i64>, StoreError> {
    let err = |e| store_error(e, format!("locking contact {target}"));
    match target {
        ContactRef::Id(id) => {
            sqlx::query_scalar("SELECT id FROM contacts WHERE organization_id = $1 AND id = $2 FOR UPDATE")
                .bind(org)
                .bind(*id)
                .fetch_optional(conn)
                .await
        }
        ContactRef::ExternalId(e) => {
            sqlx::query_scalar(&LOCK_BY_EXTERNAL_ID).bind(org).bind(e).fetch_optional(conn).await
        }
    }
    .map_err(err)
}

static LOCK_BY_EXTERNAL_ID: LazyLock<String> = LazyLock::new(|| {
    format!("SELECT id FROM contacts WHERE organization_id = $1 AND id = ({}) FOR UPDATE", history::FIND_BY_EXTERNAL_ID)
});

#[async_trait]
impl HistoryStore for PgStore {
    async fn find_any_contact(&self, org: i64, target: &ContactRef) -> Result<Option<i64>, StoreError> {
        let mut conn = self.connection().await?;
        history::find_any::<Postgres>(&mut conn, org, target).await.map_err(|e| store_error(e, "finding a contact"))
    }

    async fn contact_history(
        &self,
        org: i64,
        contact_id: i64,
        page: PageRequest,
    ) -> Result<(Vec<HistoryEntry>, u64), StoreError> {
        let err = |e| store_error(e, format!("reading the history of contact {contact_id}"));
        let mut tx = self.read_snapshot().await?;
        let found = history::page::<Postgres>(&mut tx, org, contact_id, page).await.map_err(err)?;
        tx.commit().await.map_err(err)?;
        Ok(found)
    }

    async fn prune_history(&self, before: i64, limit: u32) -> Result<u64, StoreError> {
        let mut conn = self.connection().await?;
        history::prune::<Postgres>(&mut conn, before, limit).await.map_err(|e| store_error(e, "pruning the history"))
    }
}
