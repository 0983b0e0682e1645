//! The one translation of database errors into [`StoreError`]s.

use contacts_application::StoreError;

/// The unique constraint on `(organization_id, external_id)` of `contacts`.
const EXTERNAL_ID_KEY: &str = "contacts_external_id_key";

/// Translates a database error met while doing `context` (e.g. `"record type 'Employee'"`,
/// `"updating contacts"`): the name of the violated constraint tells what went wrong.
///
/// - unique violation (23505) on the contacts' externalId → [`StoreError::Conflict`]: the use
///   case checked the externalIds under lock, so only a concurrent transaction can have claimed
///   one, and a retry of the unit of work resolves it;
/// - serialization failure (40001), deadlock (40P01) → [`StoreError::Conflict`];
/// - any other unique violation (a catalog id or name, an organization id) →
///   [`StoreError::Duplicate`];
/// - foreign key violation (23503) → [`StoreError::MissingReference`];
/// - anything else → [`StoreError::Unknown`] carrying the cause and the context.
pub(crate) fn store_error(err: sqlx::Error, context: impl std::fmt::Display) -> StoreError {
    if unavailable(&err) {
        return StoreError::Unavailable(anyhow::Error::new(err).context(context.to_string()));
    }
    if let Some(db) = err.as_database_error() {
        let constraint = db.constraint().unwrap_or_default();
        match db.code().as_deref() {
            Some("23505") if constraint == EXTERNAL_ID_KEY => return StoreError::Conflict,
            Some("40001" | "40P01") => return StoreError::Conflict,
            Some("23505") => {
                return StoreError::Duplicate(format!("{context}: {}", taken(constraint)));
            }
            Some("23503") => {
                return StoreError::MissingReference(format!("{context}: {}", missing(constraint)));
            }
            _ => {}
        }
    }
    StoreError::Unknown(anyhow::Error::new(err).context(context.to_string()))
}

/// Whether `err` says the database is out of reach rather than anything about the statement:
/// no connection (refused, reset, closed mid-statement, none free within the pool's wait), or
/// PostgreSQL shutting down, starting up or out of connections (SQLSTATE class 08, 57P01-57P03,
/// 53300). The request that met it gets a 503 to retry, not a 500.
fn unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || matches!(c.as_ref(), "57P01" | "57P02" | "57P03" | "53300")),
        _ => false,
    }
}

/// What a unique constraint of the schema says is taken.
fn taken(constraint: &str) -> &'static str {
    match constraint {
        "organizations_pkey" => "this organization id is already taken",
        "contact_paths_def_prompt_key" => "this prompt is already taken in the organization",
        c if c.ends_with("_pkey") => "this id is already taken in the organization",
        c if c.ends_with("_name_key") || c == "api_tokens_active_name_idx" => {
            "this name is already taken in the organization"
        }
        "users_username_key" => "this username is already taken",
        _ => "already exists",
    }
}

/// A reference the store checked itself not found, reported as the foreign key `constraint`
/// of the schema reported it before the check moved to the store (migration 0011).
pub(crate) fn missing_reference(context: &str, constraint: &str) -> StoreError {
    StoreError::MissingReference(format!("{context}: {}", missing(constraint)))
}

/// What a foreign key of the schema says is missing.
fn missing(constraint: &str) -> &'static str {
    match constraint {
        "contacts_record_type_fkey" => "the record type does not exist in the organization",
        "contact_paths_path_fkey" => "a contact path does not exist in the organization",
        "contact_attributes_attribute_fkey" => "a contact attribute does not exist in the organization",
        "contact_topics_topic_fkey" => "a topic does not exist in the organization",
        "groups_parent_fkey" => "the parent group does not exist in the organization",
        "group_members_group_fkey" => "a group does not exist in the organization",
        c if c.ends_with("_contact_fkey") => "a contact does not exist in the organization",
        c if c.ends_with("organization_id_fkey") || c.ends_with("organization_fkey") => {
            "the organization does not exist"
        }
        _ => "a referenced entry does not exist",
    }
}

/// A plain failure of the store, with context (no database error to translate).
pub(crate) fn unknown(message: impl std::fmt::Display) -> StoreError {
    StoreError::Unknown(anyhow::anyhow!("{message}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraint_names_read_as_sentences() {
        assert_eq!(taken("record_types_pkey"), "this id is already taken in the organization");
        assert_eq!(taken("topics_name_key"), "this name is already taken in the organization");
        assert_eq!(missing("contact_paths_contact_fkey"), "a contact does not exist in the organization");
        assert_eq!(missing("record_types_organization_id_fkey"), "the organization does not exist");
    }

    #[test]
    fn other_errors_are_unknown_with_their_context() {
        let e = store_error(sqlx::Error::RowNotFound, "loading the catalog");
        assert!(matches!(&e, StoreError::Unknown(a) if format!("{a:#}").contains("loading the catalog")));
    }

    #[test]
    fn no_connection_is_unavailable_with_its_context() {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
        for err in [sqlx::Error::Io(refused), sqlx::Error::PoolTimedOut, sqlx::Error::PoolClosed] {
            let e = store_error(err, "beginning a transaction");
            assert!(
                matches!(&e, StoreError::Unavailable(a) if format!("{a:#}").contains("beginning a transaction")),
                "{e:?}"
            );
        }
    }

    /// What PostgreSQL says to a connection it ends (57P01, as in a fast shutdown), and what
    /// the connection says after.
    #[sqlx::test]
    async fn a_terminated_connection_is_unavailable(pool: sqlx::PgPool) {
        use sqlx::Connection;
        let mut conn = pool.acquire().await.unwrap().detach();
        let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(&mut conn).await.unwrap();
        let ended: bool =
            sqlx::query_scalar("SELECT pg_terminate_backend($1)").bind(pid).fetch_one(&pool).await.unwrap();
        assert!(ended);
        for _ in 0..2 {
            let err = sqlx::query("SELECT 1").execute(&mut conn).await.expect_err("the connection was ended");
            let e = store_error(err, "reading contacts");
            assert!(matches!(&e, StoreError::Unavailable(_)), "{e:?}");
        }
        let _ = conn.close().await;
    }
}
