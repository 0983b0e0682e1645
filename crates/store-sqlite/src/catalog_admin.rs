//! Updates and deletions of catalog entries (record types, contact attribute definitions,
//! contact paths, topics), each one write transaction: the single writer holds the database's
//! write lock from its start, so no contact starts using the entry meanwhile, and the usage
//! counted is the usage the change is judged on (PostgreSQL needs a `FOR UPDATE` lock on the
//! entry for that). Every count is one set-based statement.

use contacts_application::ports::{CatalogDeletion, CatalogKind, CatalogUpdate};
use contacts_application::StoreError;
use contacts_domain::{validate, AttributeDataType, AttributeDef, PathDef, PathType};
use sqlx::SqliteConnection;

use crate::columns::json;
use crate::error::store_error;
use crate::SqliteStore;

/// How many of the values a change would reject are named in its answer.
const SHOWN_VALUES: usize = 5;

/// The table of a kind, its id column, and the table (and column) of the contacts' references.
struct Table {
    name: &'static str,
    id: &'static str,
    /// `(child table, column)`; `None` for record types, which `contacts` references itself.
    usage: Option<(&'static str, &'static str)>,
}

fn table(kind: CatalogKind) -> Table {
    match kind {
        CatalogKind::RecordType => Table { name: "record_types", id: "id", usage: None },
        CatalogKind::Attribute => {
            Table { name: "attribute_defs", id: "id", usage: Some(("contact_attributes", "attribute_id")) }
        }
        CatalogKind::Path => {
            Table { name: "contact_paths_def", id: "path_id", usage: Some(("contact_paths", "path_id")) }
        }
        CatalogKind::Topic => Table { name: "topics", id: "id", usage: Some(("contact_topics", "topic_id")) },
    }
}

/// Whether the entry `id` of `kind` exists (the write transaction keeps it so).
async fn exists(conn: &mut SqliteConnection, org: i64, kind: CatalogKind, id: i64) -> Result<bool, StoreError> {
    let t = table(kind);
    let sql = format!("SELECT 1 FROM {} WHERE organization_id = ?1 AND {} = ?2", t.name, t.id);
    let found: Option<i32> = sqlx::query_scalar(&sql)
        .bind(org)
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(|e| store_error(e, format!("reading {} {id}", kind.label())))?;
    Ok(found.is_some())
}

/// How many active and how many soft-deleted contacts of `org` use the entry: one statement.
async fn usage(conn: &mut SqliteConnection, org: i64, kind: CatalogKind, id: i64) -> Result<(u64, u64), StoreError> {
    let sql = match table(kind).usage {
        None => "SELECT count(*) FILTER (WHERE status = 'A'), count(*) FILTER (WHERE status = 'D') \
                 FROM contacts WHERE organization_id = ?1 AND record_type_id = ?2"
            .to_owned(),
        Some((child, column)) => format!(
            "SELECT count(*) FILTER (WHERE c.status = 'A'), count(*) FILTER (WHERE c.status = 'D') \
             FROM contacts c WHERE c.organization_id = ?1 AND c.id IN ( \
                 SELECT u.contact_id FROM {child} u WHERE u.organization_id = ?1 AND u.{column} = ?2)"
        ),
    };
    let (active, deleted): (i64, i64) = sqlx::query_as(&sql)
        .bind(org)
        .bind(id)
        .fetch_one(conn)
        .await
        .map_err(|e| store_error(e, format!("counting the contacts using {} {id}", kind.label())))?;
    Ok((u64::try_from(active).unwrap_or_default(), u64::try_from(deleted).unwrap_or_default()))
}

impl SqliteStore {
    /// See [`contacts_application::ports::CatalogStore::delete_entry`].
    pub(crate) async fn delete_catalog_entry(
        &self,
        org: i64,
        kind: CatalogKind,
        id: i64,
    ) -> Result<CatalogDeletion, StoreError> {
        let what = format!("deleting {} {id}", kind.label());
        let mut tx = self.write_tx().await?;
        if !exists(&mut tx, org, kind, id).await? {
            return Ok(CatalogDeletion::NotFound);
        }
        let (contacts, deleted_contacts) = usage(&mut tx, org, kind, id).await?;
        let t = table(kind);
        // A soft-deleted contact cannot lose its record type; it can lose a path, an
        // attribute or a topic (it is hidden, and one restored comes back without it).
        if contacts > 0 || (t.usage.is_none() && deleted_contacts > 0) {
            return Ok(CatalogDeletion::InUse { contacts, deleted_contacts });
        }
        if let Some((child, column)) = t.usage {
            let sql = format!("DELETE FROM {child} WHERE organization_id = ?1 AND {column} = ?2");
            sqlx::query(&sql).bind(org).bind(id).execute(&mut *tx).await.map_err(|e| store_error(e, &what))?;
        }
        let sql = format!("DELETE FROM {} WHERE organization_id = ?1 AND {} = ?2", t.name, t.id);
        sqlx::query(&sql).bind(org).bind(id).execute(&mut *tx).await.map_err(|e| store_error(e, &what))?;
        tx.commit(&what).await?;
        Ok(CatalogDeletion::Deleted)
    }

    /// Renames the record type or topic `id` (see
    /// [`contacts_application::ports::CatalogStore::update_record_type`] and `update_topic`);
    /// whether it exists.
    pub(crate) async fn rename(&self, org: i64, kind: CatalogKind, id: i64, name: &str) -> Result<bool, StoreError> {
        let t = table(kind);
        let sql = format!("UPDATE {} SET name = ?3 WHERE organization_id = ?1 AND {} = ?2", t.name, t.id);
        let what = format!("{} {id} '{name}'", kind.label());
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(&sql)
            .bind(org)
            .bind(id)
            .bind(name)
            .execute(&mut *tx)
            .await
            .map_err(|e| store_error(e, &what))?;
        tx.commit(&what).await?;
        Ok(done.rows_affected() > 0)
    }

    /// See [`contacts_application::ports::CatalogStore::update_path`].
    pub(crate) async fn change_path(&self, org: i64, path: PathDef) -> Result<CatalogUpdate<PathDef>, StoreError> {
        let what = format!("contact path {} '{}'", path.path_id, path.prompt);
        let err = |e| store_error(e, &what);
        let mut tx = self.write_tx().await?;
        let old: Option<String> =
            sqlx::query_scalar("SELECT path_type FROM contact_paths_def WHERE organization_id = ?1 AND path_id = ?2")
                .bind(org)
                .bind(path.path_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(err)?;
        let Some(old) = old else {
            return Ok(CatalogUpdate::NotFound);
        };
        if PathType::parse(&old) != Some(path.path_type) {
            let (contacts, _) = usage(&mut tx, org, CatalogKind::Path, path.path_id).await?;
            if contacts > 0 {
                return Ok(CatalogUpdate::Incompatible { contacts, values: Vec::new() });
            }
        }
        sqlx::query(
            "UPDATE contact_paths_def SET prompt = ?3, path_type = ?4 WHERE organization_id = ?1 AND path_id = ?2",
        )
        .bind(org)
        .bind(path.path_id)
        .bind(&path.prompt)
        .bind(path.path_type.as_str())
        .execute(&mut *tx)
        .await
        .map_err(err)?;
        tx.commit(&what).await?;
        Ok(CatalogUpdate::Updated(path))
    }

    /// See [`contacts_application::ports::CatalogStore::update_attribute`]. The distinct values
    /// active contacts hold are read in one statement and judged by the domain's rule; the
    /// contacts holding a rejected one are counted in another.
    pub(crate) async fn change_attribute(
        &self,
        org: i64,
        def: AttributeDef,
    ) -> Result<CatalogUpdate<AttributeDef>, StoreError> {
        let what = format!("contact attribute {} '{}'", def.id, def.name);
        let err = |e| store_error(e, &what);
        let mut tx = self.write_tx().await?;
        if !exists(&mut tx, org, CatalogKind::Attribute, def.id).await? {
            return Ok(CatalogUpdate::NotFound);
        }
        let accepts_anything = def.data_type == AttributeDataType::String && def.defined_values.is_empty();
        if !accepts_anything {
            let held: Vec<String> = sqlx::query_scalar(
                "SELECT DISTINCT v.value FROM contact_attributes a \
                     JOIN contacts c ON c.organization_id = a.organization_id AND c.id = a.contact_id, \
                     json_each(a.\"values\") AS v \
                 WHERE a.organization_id = ?1 AND a.attribute_id = ?2 AND c.status = 'A' ORDER BY v.value",
            )
            .bind(org)
            .bind(def.id)
            .fetch_all(&mut *tx)
            .await
            .map_err(err)?;
            let rejected: Vec<String> =
                held.into_iter().filter(|v| validate::attribute_value(&def, v).is_err()).collect();
            if !rejected.is_empty() {
                let contacts: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM contacts c WHERE c.organization_id = ?1 AND c.status = 'A' \
                     AND c.id IN (SELECT a.contact_id FROM contact_attributes a \
                         WHERE a.organization_id = ?1 AND a.attribute_id = ?2 AND EXISTS ( \
                             SELECT 1 FROM json_each(a.\"values\") AS v \
                             WHERE v.value IN (SELECT value FROM json_each(?3))))",
                )
                .bind(org)
                .bind(def.id)
                .bind(json(&rejected))
                .fetch_one(&mut *tx)
                .await
                .map_err(err)?;
                let values = rejected.into_iter().take(SHOWN_VALUES).collect();
                return Ok(CatalogUpdate::Incompatible {
                    contacts: u64::try_from(contacts).unwrap_or_default(),
                    values,
                });
            }
        }
        sqlx::query(
            "UPDATE attribute_defs SET name = ?3, data_type = ?4, defined_values = ?5, display_format = ?6 \
             WHERE organization_id = ?1 AND id = ?2",
        )
        .bind(org)
        .bind(def.id)
        .bind(&def.name)
        .bind(def.data_type.as_str())
        .bind(json(&def.defined_values))
        .bind(&def.display_format)
        .execute(&mut *tx)
        .await
        .map_err(err)?;
        tx.commit(&what).await?;
        Ok(CatalogUpdate::Updated(def))
    }
}
