//! Organizations (created with their seed catalog), users and their grants.

use async_trait::async_trait;
use contacts_application::auth::{Organization, Role, TokenRecord, UserRecord};
use contacts_application::ports::{Directory, NewToken};
use contacts_application::StoreError;
use contacts_domain::{RecordType, DEFAULT_RECORD_TYPE, DEFAULT_RECORD_TYPE_ID, WELL_KNOWN_PATHS};
use contacts_store_sql::tokens;
use serde::Serialize;
use sqlx::{Sqlite, SqliteConnection};

use crate::catalog::{bump, insert_record_type, insert_with_id, IdSequence, ORGANIZATION_MISSING};
use crate::columns::json;
use crate::error::{store_error, store_error_refs, unknown};
use crate::SqliteStore;

/// A row of `contact_paths_def` for `json_each`.
#[derive(Serialize)]
struct PathDefJson {
    path_id: i64,
    prompt: &'static str,
    path_type: &'static str,
}

/// Seeds a new organization: the record type `Employee` (id `DEFAULT_RECORD_TYPE_ID`) and
/// Everbridge's well-known contact paths with their ids.
async fn seed(conn: &mut SqliteConnection, org: i64) -> Result<(), StoreError> {
    insert_record_type(
        &mut *conn,
        org,
        RecordType { id: DEFAULT_RECORD_TYPE_ID, name: DEFAULT_RECORD_TYPE.to_owned() },
    )
    .await?;
    let paths: Vec<PathDefJson> = WELL_KNOWN_PATHS
        .iter()
        .map(|(path_id, prompt, path_type)| PathDefJson { path_id: *path_id, prompt, path_type: path_type.as_str() })
        .collect();
    sqlx::query(
        "INSERT INTO contact_paths_def (organization_id, path_id, prompt, path_type) \
         SELECT ?1, j.value ->> 'path_id', j.value ->> 'prompt', j.value ->> 'path_type' FROM json_each(?2) AS j",
    )
    .bind(org)
    .bind(json(&paths))
    .execute(&mut *conn)
    .await
    .map_err(|e| store_error(e, "seeding the well-known contact paths"))?;
    let highest = paths.iter().map(|p| p.path_id).max().unwrap_or_default();
    bump(conn, IdSequence::Catalog, highest).await
}

#[async_trait]
impl Directory for SqliteStore {
    async fn create_organization(&self, id: Option<i64>, name: &str) -> Result<Organization, StoreError> {
        let what = match id {
            Some(id) => format!("organization {id} '{name}'"),
            None => format!("organization '{name}'"),
        };
        let mut tx = self.write_tx().await?;
        let owned = name.to_owned();
        let id = insert_with_id(
            &mut tx,
            (&what, ORGANIZATION_MISSING),
            IdSequence::Organization,
            "INSERT INTO organizations (id, name) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING RETURNING id",
            (None, id.unwrap_or(0)),
            |q| q.bind(owned.clone()),
        )
        .await?;
        seed(&mut tx, id).await?;
        tx.commit(&what).await?;
        Ok(Organization { id, name: name.to_owned() })
    }

    async fn organization(&self, id: i64) -> Result<Option<Organization>, StoreError> {
        let row: Option<(i64, String)> = sqlx::query_as("SELECT id, name FROM organizations WHERE id = ?1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| store_error(e, format!("reading organization {id}")))?;
        Ok(row.map(|(id, name)| Organization { id, name }))
    }

    async fn organizations(&self, ids: &[i64]) -> Result<Vec<Organization>, StoreError> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, name FROM organizations WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id",
        )
        .bind(json(ids))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| store_error(e, "reading organizations"))?;
        Ok(rows.into_iter().map(|(id, name)| Organization { id, name }).collect())
    }

    async fn upsert_user(&self, username: &str, password_hash: &str, org: i64, role: Role) -> Result<i64, StoreError> {
        let what = format!("user '{username}' in organization {org}");
        let err = |e| store_error_refs(e, &what, ORGANIZATION_MISSING);
        let mut tx = self.write_tx().await?;
        let user_id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, password_hash) VALUES (?1, ?2) \
             ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash \
             RETURNING id",
        )
        .bind(username)
        .bind(password_hash)
        .fetch_one(&mut *tx)
        .await
        .map_err(err)?;
        sqlx::query(
            "INSERT INTO user_grants (user_id, organization_id, role) VALUES (?1, ?2, ?3) \
             ON CONFLICT (user_id, organization_id) DO UPDATE SET role = excluded.role",
        )
        .bind(user_id)
        .bind(org)
        .bind(role.as_str())
        .execute(&mut *tx)
        .await
        .map_err(err)?;
        tx.commit(&what).await?;
        Ok(user_id)
    }

    async fn find_user(&self, username: &str) -> Result<Option<UserRecord>, StoreError> {
        let err = |e| store_error(e, format!("reading user '{username}'"));
        let mut tx = self.read_snapshot().await?;
        let user: Option<(i64, String)> = sqlx::query_as("SELECT id, password_hash FROM users WHERE username = ?1")
            .bind(username)
            .fetch_optional(&mut *tx)
            .await
            .map_err(err)?;
        let Some((id, password_hash)) = user else {
            return Ok(None);
        };
        let grants: Vec<(i64, String)> =
            sqlx::query_as("SELECT organization_id, role FROM user_grants WHERE user_id = ?1 ORDER BY organization_id")
                .bind(id)
                .fetch_all(&mut *tx)
                .await
                .map_err(err)?;
        tx.commit().await.map_err(err)?;
        let grants = grants
            .into_iter()
            .map(|(org, role)| {
                Role::parse(&role)
                    .map(|r| (org, r))
                    .ok_or_else(|| unknown(format!("user {id} has an unknown role {role:?}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Some(UserRecord { id, username: username.to_owned(), password_hash, grants }))
    }

    async fn create_token(&self, token: NewToken) -> Result<TokenRecord, StoreError> {
        let what = format!("token '{}' of organization {}", token.name, token.organization_id);
        let mut tx = self.write_tx().await?;
        let created = tokens::create::<Sqlite>(&mut tx, token)
            .await
            .map_err(|e| store_error_refs(e, &what, ORGANIZATION_MISSING))?;
        tx.commit(&what).await?;
        Ok(created)
    }

    async fn tokens(&self, org: i64) -> Result<Vec<TokenRecord>, StoreError> {
        let err = |e| store_error(e, format!("reading the tokens of organization {org}"));
        let mut conn = self.pool.acquire().await.map_err(err)?;
        tokens::list::<Sqlite>(&mut conn, org).await.map_err(err)
    }

    async fn revoke_token(&self, id: i64, at: i64) -> Result<Option<TokenRecord>, StoreError> {
        let what = format!("revoking token {id}");
        let mut tx = self.write_tx().await?;
        let revoked = tokens::revoke::<Sqlite>(&mut tx, id, at).await.map_err(|e| store_error(e, &what))?;
        tx.commit(&what).await?;
        Ok(revoked)
    }

    async fn find_token(&self, hash: &str) -> Result<Option<TokenRecord>, StoreError> {
        let err = |e| store_error(e, "reading a token");
        let mut conn = self.pool.acquire().await.map_err(err)?;
        tokens::find::<Sqlite>(&mut conn, hash).await.map_err(err)
    }
}
