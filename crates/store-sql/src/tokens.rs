//! API tokens (SPEC §4, §5): the statements of both stores, written once. Only the hash of a
//! token's secret is stored (`api_tokens.token_hash`); nothing here reads it back.

use contacts_application::auth::{Role, TokenRecord};
use contacts_application::ports::NewToken;
use sqlx::{Database, Encode, Executor, FromRow, IntoArguments, Type};

/// The columns of a [`TokenRecord`], in the order of [`TokenRow`].
const COLUMNS: &str = "id, organization_id, name, role, created_at, expires_at, revoked_at";

/// A row of `api_tokens` as read.
#[derive(Debug, FromRow)]
pub struct TokenRow {
    id: i64,
    organization_id: i64,
    name: String,
    role: String,
    created_at: i64,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
}

impl TokenRow {
    fn into_record(self) -> Result<TokenRecord, sqlx::Error> {
        let role = Role::parse(&self.role).ok_or_else(|| {
            sqlx::Error::Decode(format!("token {} has an unknown role {:?}", self.id, self.role).into())
        })?;
        Ok(TokenRecord {
            id: self.id,
            organization_id: self.organization_id,
            name: self.name,
            role,
            created_at: self.created_at,
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
        })
    }
}

/// Stores `token` and returns its record.
///
/// # Errors
/// When the database fails: a foreign key violation for an organization that does not exist,
/// a unique violation for a name active in it already.
pub async fn create<DB>(conn: &mut DB::Connection, token: NewToken) -> Result<TokenRecord, sqlx::Error>
where
    DB: Database,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> <DB as Database>::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> TokenRow: FromRow<'r, DB::Row>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    let sql = format!(
        "INSERT INTO api_tokens (organization_id, name, role, token_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
    );
    let row: TokenRow = sqlx::query_as(&sql)
        .bind(token.organization_id)
        .bind(token.name)
        .bind(token.role.as_str().to_owned())
        .bind(token.hash)
        .bind(token.created_at)
        .bind(token.expires_at)
        .fetch_one(&mut *conn)
        .await?;
    row.into_record()
}

/// The tokens of `org`, oldest first.
///
/// # Errors
/// When the database fails.
pub async fn list<DB>(conn: &mut DB::Connection, org: i64) -> Result<Vec<TokenRecord>, sqlx::Error>
where
    DB: Database,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> <DB as Database>::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> TokenRow: FromRow<'r, DB::Row>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    let sql = format!("SELECT {COLUMNS} FROM api_tokens WHERE organization_id = $1 ORDER BY id");
    let rows: Vec<TokenRow> = sqlx::query_as(&sql).bind(org).fetch_all(&mut *conn).await?;
    rows.into_iter().map(TokenRow::into_record).collect()
}

/// Revokes token `id` at `at`, keeping an earlier revocation's time, and returns it.
///
/// # Errors
/// When the database fails.
pub async fn revoke<DB>(conn: &mut DB::Connection, id: i64, at: i64) -> Result<Option<TokenRecord>, sqlx::Error>
where
    DB: Database,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> <DB as Database>::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> TokenRow: FromRow<'r, DB::Row>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    let sql = format!("UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING {COLUMNS}");
    let row: Option<TokenRow> = sqlx::query_as(&sql).bind(id).bind(at).fetch_optional(&mut *conn).await?;
    row.map(TokenRow::into_record).transpose()
}

/// The token whose secret hashes to `hash`.
///
/// # Errors
/// When the database fails.
pub async fn find<DB>(conn: &mut DB::Connection, hash: &str) -> Result<Option<TokenRecord>, sqlx::Error>
where
    DB: Database,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> <DB as Database>::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> TokenRow: FromRow<'r, DB::Row>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    let sql = format!("SELECT {COLUMNS} FROM api_tokens WHERE token_hash = $1");
    let row: Option<TokenRow> = sqlx::query_as(&sql).bind(hash.to_owned()).fetch_optional(&mut *conn).await?;
    row.map(TokenRow::into_record).transpose()
}
