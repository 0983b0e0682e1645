//! The organization catalog: record types, groups, attribute definitions, contact paths and
//! topics. Ids are given by the client or generated; generated ones never collide with given
//! ones (see [`insert_with_id`]). Updates and deletions are in [`crate::catalog_admin`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use contacts_application::ports::{CatalogDeletion, CatalogKind, CatalogStore, CatalogUpdate};
use contacts_application::StoreError;
use contacts_domain::{AttributeDataType, AttributeDef, Catalog, Group, PathDef, PathType, RecordType, Topic};
use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use sqlx::{PgConnection, Postgres, Row};

use crate::error::{store_error, unknown};
use crate::PgStore;

type PgQuery = Query<'static, Postgres, PgArguments>;

/// How many generated ids are tried before giving up (each try that meets a taken id bumps
/// the sequence, so a second try practically always succeeds).
const ATTEMPTS: usize = 8;

/// Explicit ids above this do not move the sequence: it would run out of ids.
const BUMP_LIMIT: i64 = i64::MAX / 2;

/// Where generated ids come from.
#[derive(Clone, Copy)]
pub(crate) enum IdSequence {
    Catalog,
    Organization,
}

impl IdSequence {
    /// Moves the sequence past `$1` (never back). Two concurrent bumps may leave it below the
    /// larger one; the retry of [`insert_with_id`] covers that.
    fn bump_sql(self) -> &'static str {
        match self {
            IdSequence::Catalog => "SELECT setval('catalog_id_seq', GREATEST($1, last_value)) FROM catalog_id_seq",
            IdSequence::Organization => {
                "SELECT setval('organization_id_seq', GREATEST($1, last_value)) \
                 FROM organization_id_seq"
            }
        }
    }
}

/// Moves `seq` past the explicit id `id`.
pub(crate) async fn bump(conn: &mut PgConnection, seq: IdSequence, id: i64) -> Result<(), StoreError> {
    if id > BUMP_LIMIT {
        return Ok(());
    }
    sqlx::query(seq.bump_sql()).bind(id).execute(conn).await.map_err(|e| store_error(e, "moving an id sequence"))?;
    Ok(())
}

/// Runs `sql`, an `INSERT ... VALUES ($1 org, COALESCE(NULLIF($2, 0), nextval(seq)), ...)
/// ON CONFLICT (<primary key>) DO NOTHING RETURNING <id>` with `bind_rest` binding `$3...`.
/// An explicit `id` that is taken is a [`StoreError::Duplicate`]; a generated one that is taken
/// (an explicit id given meanwhile) is tried again with the next value. A taken name fails
/// with its unique violation, a [`StoreError::Duplicate`] too.
pub(crate) async fn insert_with_id(
    conn: &mut PgConnection,
    what: &str,
    seq: IdSequence,
    sql: &'static str,
    (org, id): (Option<i64>, i64),
    bind_rest: impl Fn(PgQuery) -> PgQuery,
) -> Result<i64, StoreError> {
    for _ in 0..ATTEMPTS {
        let mut q = sqlx::query(sql);
        if let Some(org) = org {
            q = q.bind(org);
        }
        let row = bind_rest(q.bind(id)).fetch_optional(&mut *conn).await.map_err(|e| store_error(e, what))?;
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
    conn: &mut PgConnection,
    org: i64,
    record: RecordType,
) -> Result<RecordType, StoreError> {
    let name = record.name.clone();
    let id = insert_with_id(
        conn,
        &describe("record type", record.id, &record.name),
        IdSequence::Catalog,
        "INSERT INTO record_types (organization_id, id, name) \
         VALUES ($1, COALESCE(NULLIF($2, 0), nextval('catalog_id_seq')), $3) \
         ON CONFLICT (organization_id, id) DO NOTHING RETURNING id",
        (Some(org), record.id),
        |q| q.bind(name.clone()),
    )
    .await?;
    Ok(RecordType { id, ..record })
}

/// A catalog and the `catalog_version` it was read at.
type Versioned = (i64, Arc<Catalog>);

/// The catalogs of organizations as last read, with the `catalog_version` they were read at.
#[derive(Debug, Clone, Default)]
pub(crate) struct CatalogCache(Arc<Mutex<HashMap<i64, Versioned>>>);

impl CatalogCache {
    fn get(&self, org: i64, version: i64) -> Option<Arc<Catalog>> {
        let cache = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        cache.get(&org).filter(|(at, _)| *at == version).map(|(_, catalog)| catalog.clone())
    }

    fn put(&self, org: i64, version: i64, catalog: Arc<Catalog>) {
        let mut cache = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // A newer version may have been stored meanwhile by a concurrent read.
        if cache.get(&org).is_none_or(|(at, _)| *at < version) {
            cache.insert(org, (version, catalog));
        }
    }
}

#[async_trait]
impl CatalogStore for PgStore {
    /// The cached catalog when it is at `version` (read with a contact, in its snapshot); else
    /// as [`CatalogStore::load_catalog`].
    async fn load_catalog_at(&self, org: i64, version: Option<i64>) -> Result<Catalog, StoreError> {
        if let Some(catalog) = version.and_then(|v| self.catalogs.get(org, v)) {
            return Ok(Catalog::clone(&catalog));
        }
        self.load_catalog(org).await
    }

    /// One indexed read of the organization's `catalog_version` when the catalog read last time
    /// is still current (the usual case: catalogs change rarely, batches come often); else the
    /// five catalog tables from one snapshot, with the version they are at.
    async fn load_catalog(&self, org: i64) -> Result<Catalog, StoreError> {
        let err = |e| store_error(e, format!("loading the catalog of organization {org}"));
        let version: Option<i64> = sqlx::query_scalar("SELECT catalog_version FROM organizations WHERE id = $1")
            .bind(org)
            .fetch_optional(&self.pool)
            .await
            .map_err(err)?;
        if let Some(catalog) = version.and_then(|v| self.catalogs.get(org, v)) {
            return Ok(Catalog::clone(&catalog));
        }
        let mut tx = self.read_snapshot().await?;
        let version: Option<i64> = sqlx::query_scalar("SELECT catalog_version FROM organizations WHERE id = $1")
            .bind(org)
            .fetch_optional(&mut *tx)
            .await
            .map_err(err)?;
        let record_types: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, name FROM record_types WHERE organization_id = $1 ORDER BY id")
                .bind(org)
                .fetch_all(&mut *tx)
                .await
                .map_err(err)?;
        let groups: Vec<(i64, String, Option<i64>, Option<String>)> = sqlx::query_as(
            "SELECT id, name, parent_id, description FROM groups \
             WHERE organization_id = $1 ORDER BY id",
        )
        .bind(org)
        .fetch_all(&mut *tx)
        .await
        .map_err(err)?;
        let attributes: Vec<(i64, String, String, Vec<String>, Option<String>)> = sqlx::query_as(
            "SELECT id, name, data_type, defined_values, display_format FROM attribute_defs \
                 WHERE organization_id = $1 ORDER BY id",
        )
        .bind(org)
        .fetch_all(&mut *tx)
        .await
        .map_err(err)?;
        let paths: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT path_id, prompt, path_type FROM contact_paths_def \
             WHERE organization_id = $1 ORDER BY path_id",
        )
        .bind(org)
        .fetch_all(&mut *tx)
        .await
        .map_err(err)?;
        let topics: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, name FROM topics WHERE organization_id = $1 ORDER BY id")
                .bind(org)
                .fetch_all(&mut *tx)
                .await
                .map_err(err)?;
        tx.commit().await.map_err(err)?;
        let catalog = Catalog::new(
            record_types.into_iter().map(|(id, name)| RecordType { id, name }).collect(),
            groups
                .into_iter()
                .map(|(id, name, parent_id, description)| Group { id, name, parent_id, description })
                .collect(),
            attributes
                .into_iter()
                .map(|(id, name, data_type, defined_values, display_format)| {
                    AttributeDef {
                        id,
                        name,
                        // The column's CHECK admits only the four types.
                        data_type: AttributeDataType::parse(&data_type).unwrap_or(AttributeDataType::String),
                        defined_values,
                        display_format,
                    }
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
        );
        if let Some(version) = version {
            self.catalogs.put(org, version, Arc::new(catalog.clone()));
        }
        Ok(catalog)
    }

    async fn create_record_type(&self, org: i64, record: RecordType) -> Result<RecordType, StoreError> {
        let mut conn = self.connection().await?;
        insert_record_type(&mut conn, org, record).await
    }

    async fn create_group(&self, org: i64, group: Group) -> Result<Group, StoreError> {
        let mut conn = self.connection().await?;
        let g = group.clone();
        let id = insert_with_id(
            &mut conn,
            &describe("group", group.id, &group.name),
            IdSequence::Catalog,
            "INSERT INTO groups (organization_id, id, name, parent_id, description) \
             VALUES ($1, COALESCE(NULLIF($2, 0), nextval('catalog_id_seq')), $3, $4, $5) \
             ON CONFLICT (organization_id, id) DO NOTHING RETURNING id",
            (Some(org), group.id),
            |q| q.bind(g.name.clone()).bind(g.parent_id).bind(g.description.clone()),
        )
        .await?;
        Ok(Group { id, ..group })
    }

    async fn create_attribute(&self, org: i64, def: AttributeDef) -> Result<AttributeDef, StoreError> {
        let mut conn = self.connection().await?;
        let d = def.clone();
        let id = insert_with_id(
            &mut conn,
            &describe("contact attribute", def.id, &def.name),
            IdSequence::Catalog,
            "INSERT INTO attribute_defs (organization_id, id, name, data_type, defined_values, \
                 display_format) \
             VALUES ($1, COALESCE(NULLIF($2, 0), nextval('catalog_id_seq')), $3, $4, $5, $6) \
             ON CONFLICT (organization_id, id) DO NOTHING RETURNING id",
            (Some(org), def.id),
            |q| {
                q.bind(d.name.clone())
                    .bind(d.data_type.as_str())
                    .bind(d.defined_values.clone())
                    .bind(d.display_format.clone())
            },
        )
        .await?;
        Ok(AttributeDef { id, ..def })
    }

    async fn create_path(&self, org: i64, path: PathDef) -> Result<PathDef, StoreError> {
        let mut conn = self.connection().await?;
        let p = path.clone();
        let path_id = insert_with_id(
            &mut conn,
            &describe("contact path", path.path_id, &path.prompt),
            IdSequence::Catalog,
            "INSERT INTO contact_paths_def (organization_id, path_id, prompt, path_type) \
             VALUES ($1, COALESCE(NULLIF($2, 0), nextval('catalog_id_seq')), $3, $4) \
             ON CONFLICT (organization_id, path_id) DO NOTHING RETURNING path_id",
            (Some(org), path.path_id),
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
        let mut conn = self.connection().await?;
        let name = topic.name.clone();
        let id = insert_with_id(
            &mut conn,
            &describe("topic", topic.id, &topic.name),
            IdSequence::Catalog,
            "INSERT INTO topics (organization_id, id, name) \
             VALUES ($1, COALESCE(NULLIF($2, 0), nextval('catalog_id_seq')), $3) \
             ON CONFLICT (organization_id, id) DO NOTHING RETURNING id",
            (Some(org), topic.id),
            |q| q.bind(name.clone()),
        )
        .await?;
        Ok(Topic { id, ..topic })
    }
}
