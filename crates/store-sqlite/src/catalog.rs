//! The organization catalog: record types, groups, attribute definitions, contact paths and
//! topics. Ids are given by the client or generated; generated ones never collide with given
//! ones (see [`insert_with_id`]). Updates and deletions are in [`crate::catalog_admin`].

use async_trait::async_trait;
use contacts_application::ports::{CatalogDeletion, CatalogKind, CatalogStore, CatalogUpdate};
use contacts_application::StoreError;
use contacts_domain::{AttributeDataType, AttributeDef, Catalog, Group, PathDef, PathType, RecordType, Topic};
use sqlx::query::Query;
use sqlx::sqlite::SqliteArguments;
use sqlx::types::Json;
use sqlx::{Row, Sqlite, SqliteConnection};

use crate::columns::json;
use crate::error::{store_error, store_error_refs, unknown};
use crate::SqliteStore;

type SqliteQuery = Query<'static, Sqlite, SqliteArguments<'static>>;

/// How many generated ids are tried before giving up (each try that meets a taken id moves
/// the counter, so a second try practically always succeeds).
const ATTEMPTS: usize = 8;

/// Explicit ids above this do not move the counter: it would run out of ids.
const BUMP_LIMIT: i64 = i64::MAX / 2;

pub(crate) const ORGANIZATION_MISSING: &str = "the organization does not exist";

/// Where generated ids come from: a row of `id_sequences`.
#[derive(Clone, Copy)]
pub(crate) enum IdSequence {
    Catalog,
    Organization,
}

impl IdSequence {
    fn name(self) -> &'static str {
        match self {
            IdSequence::Catalog => "catalog",
            IdSequence::Organization => "organization",
        }
    }
}

/// Moves `seq` past the explicit id `id` (never back).
pub(crate) async fn bump(conn: &mut SqliteConnection, seq: IdSequence, id: i64) -> Result<(), StoreError> {
    if id > BUMP_LIMIT {
        return Ok(());
    }
    sqlx::query("UPDATE id_sequences SET last_value = max(last_value, ?2) WHERE name = ?1")
        .bind(seq.name())
        .bind(id)
        .execute(conn)
        .await
        .map_err(|e| store_error(e, "moving an id sequence"))?;
    Ok(())
}

/// The next value of `seq`.
async fn next(conn: &mut SqliteConnection, seq: IdSequence) -> Result<i64, StoreError> {
    sqlx::query_scalar("UPDATE id_sequences SET last_value = last_value + 1 WHERE name = ?1 RETURNING last_value")
        .bind(seq.name())
        .fetch_one(conn)
        .await
        .map_err(|e| store_error(e, "drawing an id"))
}

/// Runs `sql`, an `INSERT ... VALUES (?1 org, ?2 id, ...) ON CONFLICT (<primary key>) DO
/// NOTHING RETURNING <id>` (`?1 id, ...` without an org) with `bind_rest` binding the rest,
/// inside a write transaction. An explicit `id` that is taken is a [`StoreError::Duplicate`];
/// a generated one that is taken (an explicit id the counter had not been moved past) is tried
/// again with the next value. A taken name fails with its unique violation, a
/// [`StoreError::Duplicate`] too; a foreign key violation says `missing`.
pub(crate) async fn insert_with_id(
    conn: &mut SqliteConnection,
    (what, missing): (&str, &str),
    seq: IdSequence,
    sql: &'static str,
    (org, id): (Option<i64>, i64),
    bind_rest: impl Fn(SqliteQuery) -> SqliteQuery,
) -> Result<i64, StoreError> {
    for _ in 0..ATTEMPTS {
        let candidate = if id == 0 { next(conn, seq).await? } else { id };
        let mut q = sqlx::query(sql);
        if let Some(org) = org {
            q = q.bind(org);
        }
        let row = bind_rest(q.bind(candidate))
            .fetch_optional(&mut *conn)
            .await
            .map_err(|e| store_error_refs(e, what, missing))?;
        let inserted: Option<i64> = row.map(|row| row.try_get(0)).transpose().map_err(|e| store_error(e, what))?;
        match (inserted, id) {
            (Some(new_id), 0) => return Ok(new_id),
            (Some(new_id), _) => {
                bump(conn, seq, new_id).await?;
                return Ok(new_id);
            }
            (None, 0) => {
                tracing::info!(what, "a generated id was taken by an explicit one; trying the next");
            }
            (None, _) => {
                let scope = if org.is_some() { " in the organization" } else { "" };
                return Err(StoreError::Duplicate(format!("{what}: this id is already taken{scope}")));
            }
        }
    }
    Err(unknown(format!("{what}: no free id after {ATTEMPTS} tries")))
}

/// `'name'`, or `id 'name'` when the id is given.
fn describe(kind: &str, id: i64, name: &str) -> String {
    if id == 0 {
        format!("{kind} '{name}'")
    } else {
        format!("{kind} {id} '{name}'")
    }
}

/// Creates a record type on `conn` (also used to seed a new organization).
pub(crate) async fn insert_record_type(
    conn: &mut SqliteConnection,
    org: i64,
    record: RecordType,
) -> Result<RecordType, StoreError> {
    let name = record.name.clone();
    let id = insert_with_id(
        conn,
        (&describe("record type", record.id, &record.name), ORGANIZATION_MISSING),
        IdSequence::Catalog,
        "INSERT INTO record_types (organization_id, id, name) VALUES (?1, ?2, ?3) \
         ON CONFLICT (organization_id, id) DO NOTHING RETURNING id",
        (Some(org), record.id),
        |q| q.bind(name.clone()),
    )
    .await?;
    Ok(RecordType { id, ..record })
}

impl SqliteStore {
    /// Runs one [`insert_with_id`] in its own write transaction.
    async fn create_entry(
        &self,
        (what, missing): (&str, &str),
        sql: &'static str,
        (org, id): (i64, i64),
        bind_rest: impl Fn(SqliteQuery) -> SqliteQuery,
    ) -> Result<i64, StoreError> {
        let mut tx = self.write_tx().await?;
        let id = insert_with_id(&mut tx, (what, missing), IdSequence::Catalog, sql, (Some(org), id), bind_rest).await?;
        tx.commit(what).await?;
        Ok(id)
    }
}

#[async_trait]
impl CatalogStore for SqliteStore {
    async fn load_catalog(&self, org: i64) -> Result<Catalog, StoreError> {
        let err = |e| store_error(e, format!("loading the catalog of organization {org}"));
        let mut tx = self.read_snapshot().await?;
        let record_types: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, name FROM record_types WHERE organization_id = ?1 ORDER BY id")
                .bind(org)
                .fetch_all(&mut *tx)
                .await
                .map_err(err)?;
        let groups: Vec<(i64, String, Option<i64>, Option<String>)> = sqlx::query_as(
            "SELECT id, name, parent_id, description FROM groups WHERE organization_id = ?1 ORDER BY id",
        )
        .bind(org)
        .fetch_all(&mut *tx)
        .await
        .map_err(err)?;
        let attributes: Vec<(i64, String, String, Json<Vec<String>>, Option<String>)> = sqlx::query_as(
            "SELECT id, name, data_type, defined_values, display_format FROM attribute_defs \
             WHERE organization_id = ?1 ORDER BY id",
        )
        .bind(org)
        .fetch_all(&mut *tx)
        .await
        .map_err(err)?;
        let paths: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT path_id, prompt, path_type FROM contact_paths_def WHERE organization_id = ?1 ORDER BY path_id",
        )
        .bind(org)
        .fetch_all(&mut *tx)
        .await
        .map_err(err)?;
        let topics: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, name FROM topics WHERE organization_id = ?1 ORDER BY id")
                .bind(org)
                .fetch_all(&mut *tx)
                .await
                .map_err(err)?;
        tx.commit().await.map_err(err)?;
        Ok(Catalog::new(
            record_types.into_iter().map(|(id, name)| RecordType { id, name }).collect(),
            groups
                .into_iter()
                .map(|(id, name, parent_id, description)| Group { id, name, parent_id, description })
                .collect(),
            attributes
                .into_iter()
                .map(|(id, name, data_type, defined_values, display_format)| AttributeDef {
                    id,
                    name,
                    // The column's CHECK admits only the four types.
                    data_type: AttributeDataType::parse(&data_type).unwrap_or(AttributeDataType::String),
                    defined_values: defined_values.0,
                    display_format,
                })
                .collect(),
            paths
                .into_iter()
                .map(|(path_id, prompt, path_type)| PathDef {
                    path_id,
                    prompt,
                    path_type: PathType::parse(&path_type).unwrap_or(PathType::Other),
                })
                .collect(),
            topics.into_iter().map(|(id, name)| Topic { id, name }).collect(),
        ))
    }

    async fn create_record_type(&self, org: i64, record: RecordType) -> Result<RecordType, StoreError> {
        let what = describe("record type", record.id, &record.name);
        let mut tx = self.write_tx().await?;
        let created = insert_record_type(&mut tx, org, record).await?;
        tx.commit(what).await?;
        Ok(created)
    }

    async fn create_group(&self, org: i64, group: Group) -> Result<Group, StoreError> {
        let g = group.clone();
        let missing = match group.parent_id {
            Some(_) => "the parent group does not exist in the organization",
            None => ORGANIZATION_MISSING,
        };
        let id = self
            .create_entry(
                (&describe("group", group.id, &group.name), missing),
                "INSERT INTO groups (organization_id, id, name, parent_id, description) \
                 VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (organization_id, id) DO NOTHING RETURNING id",
                (org, group.id),
                |q| q.bind(g.name.clone()).bind(g.parent_id).bind(g.description.clone()),
            )
            .await?;
        Ok(Group { id, ..group })
    }

    async fn create_attribute(&self, org: i64, def: AttributeDef) -> Result<AttributeDef, StoreError> {
        let d = def.clone();
        let id = self
            .create_entry(
                (&describe("contact attribute", def.id, &def.name), ORGANIZATION_MISSING),
                "INSERT INTO attribute_defs (organization_id, id, name, data_type, defined_values, \
                     display_format) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                 ON CONFLICT (organization_id, id) DO NOTHING RETURNING id",
                (org, def.id),
                |q| {
                    q.bind(d.name.clone())
                        .bind(d.data_type.as_str())
                        .bind(json(&d.defined_values))
                        .bind(d.display_format.clone())
                },
            )
            .await?;
        Ok(AttributeDef { id, ..def })
    }

    async fn create_path(&self, org: i64, path: PathDef) -> Result<PathDef, StoreError> {
        let p = path.clone();
        let path_id = self
            .create_entry(
                (&describe("contact path", path.path_id, &path.prompt), ORGANIZATION_MISSING),
                "INSERT INTO contact_paths_def (organization_id, path_id, prompt, path_type) \
                 VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (organization_id, path_id) DO NOTHING RETURNING path_id",
                (org, path.path_id),
                |q| q.bind(p.prompt.clone()).bind(p.path_type.as_str()),
            )
            .await?;
        Ok(PathDef { path_id, ..path })
    }

    async fn update_path(&self, org: i64, path: PathDef) -> Result<CatalogUpdate<PathDef>, StoreError> {
        self.change_path(org, path).await
    }

    async fn update_record_type(&self, org: i64, record: RecordType) -> Result<CatalogUpdate<RecordType>, StoreError> {
        let found = self.rename(org, CatalogKind::RecordType, record.id, &record.name).await?;
        Ok(if found { CatalogUpdate::Updated(record) } else { CatalogUpdate::NotFound })
    }

    async fn update_attribute(&self, org: i64, def: AttributeDef) -> Result<CatalogUpdate<AttributeDef>, StoreError> {
        self.change_attribute(org, def).await
    }

    async fn update_topic(&self, org: i64, topic: Topic) -> Result<CatalogUpdate<Topic>, StoreError> {
        let found = self.rename(org, CatalogKind::Topic, topic.id, &topic.name).await?;
        Ok(if found { CatalogUpdate::Updated(topic) } else { CatalogUpdate::NotFound })
    }

    async fn delete_entry(&self, org: i64, kind: CatalogKind, id: i64) -> Result<CatalogDeletion, StoreError> {
        self.delete_catalog_entry(org, kind, id).await
    }

    async fn create_topic(&self, org: i64, topic: Topic) -> Result<Topic, StoreError> {
        let name = topic.name.clone();
        let id = self
            .create_entry(
                (&describe("topic", topic.id, &topic.name), ORGANIZATION_MISSING),
                "INSERT INTO topics (organization_id, id, name) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (organization_id, id) DO NOTHING RETURNING id",
                (org, topic.id),
                |q| q.bind(name.clone()),
            )
            .await?;
        Ok(Topic { id, ..topic })
    }
}
