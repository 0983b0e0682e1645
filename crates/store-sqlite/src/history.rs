//! The history of contacts on SQLite: the dialect of the shared statements
//! ([`contacts_store_sql::history`]), the insert of a unit of work's entries (one statement,
//! the rows as one JSON array), and the [`HistoryStore`] reads.

use std::sync::LazyLock;

use async_trait::async_trait;
use contacts_application::ports::{Actor, ContactRef, HistoryEntry, HistoryRecord, HistoryStore, PageRequest};
use contacts_application::StoreError;
use contacts_store_sql::history::{self, Dialect, RecordColumns};
use sqlx::{Sqlite, SqliteConnection};

use crate::error::store_error;
use crate::SqliteStore;

/// SQLite's fragments of the history statements.
pub(crate) struct SqliteDialect;

impl Dialect for SqliteDialect {
    const RECORDS: &'static str = "(SELECT j.value ->> 0 AS contact_id, j.value ->> 1 AS version, \
             j.value ->> 2 AS operation, j.value ->> 3 AS content, j.value ->> 4 AS groups \
         FROM json_each($5) AS j) AS u";
    const GROUPS: &'static str = "(SELECT json_group_array(m.group_id ORDER BY m.group_id) \
         FROM group_members m WHERE m.organization_id = $1 AND m.contact_id = u.contact_id)";
}

static RECORD: LazyLock<String> = LazyLock::new(history::record_sql::<SqliteDialect>);

/// The rows `[contact_id, version, "operation", content, groups]` as one JSON array. Written
/// out by hand: content and groups are JSON already (embedded as they are, not parsed again nor
/// quoted), and the operation one of four plain words.
fn rows_json(columns: &RecordColumns) -> String {
    let size: usize = columns.content.iter().chain(&columns.groups).flatten().map(String::len).sum();
    let mut out = String::with_capacity(2 + size + 48 * columns.contact_id.len());
    out.push('[');
    for (i, (content, groups)) in columns.content.iter().zip(&columns.groups).enumerate() {
        if i > 0 {
            out.push(',');
        }
        let (id, version, operation) = (columns.contact_id[i], columns.version[i], columns.operation[i]);
        out.push_str(&format!("[{id},{version},\"{operation}\","));
        out.push_str(content.as_deref().unwrap_or("null"));
        out.push(',');
        out.push_str(groups.as_deref().unwrap_or("null"));
        out.push(']');
    }
    out.push(']');
    out
}

/// Records `records` of organization `org`, made by `actor` at `at`: one statement.
///
/// # Errors
/// [`StoreError::Unknown`] when the database fails, also for an entry that exists already.
pub(crate) async fn record(
    conn: &mut SqliteConnection,
    org: i64,
    records: &[HistoryRecord],
    actor: &Actor,
    at: i64,
) -> Result<(), StoreError> {
    if records.is_empty() {
        return Ok(());
    }
    sqlx::query(&RECORD)
        .bind(org)
        .bind(at)
        .bind(&actor.name)
        .bind(&actor.request_id)
        .bind(rows_json(&RecordColumns::new(records)))
        .execute(conn)
        .await
        .map_err(|e| match store_error(e, "recording the history of contacts") {
            StoreError::Duplicate(m) => StoreError::Unknown(anyhow::anyhow!("{m}: a history entry exists already")),
            other => other,
        })?;
    Ok(())
}

#[async_trait]
impl HistoryStore for SqliteStore {
    async fn find_any_contact(&self, org: i64, target: &ContactRef) -> Result<Option<i64>, StoreError> {
        let mut conn = self.pool().acquire().await.map_err(|e| store_error(e, "acquiring a connection"))?;
        history::find_any::<Sqlite>(&mut conn, org, target).await.map_err(|e| store_error(e, "finding a contact"))
    }

    async fn contact_history(
        &self,
        org: i64,
        contact_id: i64,
        page: PageRequest,
    ) -> Result<(Vec<HistoryEntry>, u64), StoreError> {
        let err = |e| store_error(e, format!("reading the history of contact {contact_id}"));
        let mut tx = self.read_snapshot().await?;
        let found = history::page::<Sqlite>(&mut tx, org, contact_id, page).await.map_err(err)?;
        tx.commit().await.map_err(err)?;
        Ok(found)
    }

    async fn prune_history(&self, before: i64, limit: u32) -> Result<u64, StoreError> {
        let mut tx = self.write_tx().await?;
        let deleted = history::prune::<Sqlite>(&mut tx, before, limit)
            .await
            .map_err(|e| store_error(e, "pruning the history"))?;
        tx.commit("pruning the history").await?;
        Ok(deleted)
    }
}

#[cfg(test)]
mod tests {
    use contacts_application::ports::{HistoryRecord, Operation};
    use contacts_domain::ContactData;

    use super::*;

    #[test]
    fn rows_are_one_json_array_with_the_content_embedded() {
        let data = ContactData { external_id: "a\"b".into(), first_name: "F".into(), ..ContactData::default() };
        let records = [
            HistoryRecord::known(1, 2, Operation::Updated, data.clone(), [5, 3].into()),
            HistoryRecord::carried(3, 4, Operation::Deleted),
        ];
        let text = rows_json(&RecordColumns::new(&records));
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        let content: serde_json::Value = serde_json::from_str(&history::content_json(&data)).unwrap();
        assert_eq!(parsed, serde_json::json!([[1, 2, "updated", content, [3, 5]], [3, 4, "deleted", null, null]]));
    }
}
