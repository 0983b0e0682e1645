//! The one translation of SQLite errors into [`StoreError`]s.
//!
//! SQLite reports the extended result code and a message, but no constraint name: a unique
//! violation names its columns (`UNIQUE constraint failed: topics.organization_id,
//! topics.name`), a foreign key violation nothing at all (`FOREIGN KEY constraint failed`).
//! So unique violations are told apart by their columns, and the caller of [`store_error_refs`]
//! says what a foreign key violation of its statement means (each statement writes one table,
//! whose references are known).

use contacts_application::StoreError;

/// `SQLITE_BUSY` and `SQLITE_LOCKED` (the primary codes, in the low byte of extended codes).
const BUSY: i64 = 5;
const LOCKED: i64 = 6;
/// `SQLITE_CONSTRAINT_FOREIGNKEY`, `SQLITE_CONSTRAINT_PRIMARYKEY`, `SQLITE_CONSTRAINT_UNIQUE`.
const FOREIGN_KEY: i64 = 787;
const PRIMARY_KEY: i64 = 1555;
const UNIQUE: i64 = 2067;

/// The columns of the unique index on the contacts' externalId, as a violation names them.
const EXTERNAL_ID_KEY: &str = "contacts.organization_id, contacts.external_id";

/// What a foreign key violation means when the statement does not say.
pub(crate) const SOME_REFERENCE: &str = "a referenced entry does not exist";

/// Translates a database error met while doing `context` (e.g. `"record type 'Employee'"`,
/// `"updating contacts"`), as [`store_error_refs`] with a generic foreign key message.
pub(crate) fn store_error(err: sqlx::Error, context: impl std::fmt::Display) -> StoreError {
    store_error_refs(err, context, SOME_REFERENCE)
}

/// Translates a database error met while doing `context`; `missing` says what a foreign key
/// violation of that statement means (e.g. `"the record type does not exist in the
/// organization"`).
///
/// - unique violation on the contacts' externalId → [`StoreError::Conflict`], as the PostgreSQL
///   store: the use case checked the externalIds under the write lock, so the unit of work
///   raced with a writer outside it (another process) and may be retried;
/// - `SQLITE_BUSY`, `SQLITE_LOCKED` (the lock stayed taken past the busy timeout) →
///   [`StoreError::Conflict`];
/// - any other unique or primary key violation (a catalog id or name, an organization id, a
///   username) → [`StoreError::Duplicate`];
/// - foreign key violation → [`StoreError::MissingReference`] saying `missing`;
/// - anything else → [`StoreError::Unknown`] carrying the cause and the context.
pub(crate) fn store_error_refs(err: sqlx::Error, context: impl std::fmt::Display, missing: &str) -> StoreError {
    if let Some(db) = err.as_database_error() {
        let code: i64 = db.code().and_then(|c| c.parse().ok()).unwrap_or_default();
        match code {
            UNIQUE | PRIMARY_KEY if columns(db.message()) == EXTERNAL_ID_KEY => return StoreError::Conflict,
            UNIQUE | PRIMARY_KEY => {
                return StoreError::Duplicate(format!("{context}: {}", taken(columns(db.message()))));
            }
            FOREIGN_KEY => return StoreError::MissingReference(format!("{context}: {missing}")),
            c if c & 0xff == BUSY || c & 0xff == LOCKED => return StoreError::Conflict,
            _ => {}
        }
    }
    StoreError::Unknown(anyhow::Error::new(err).context(context.to_string()))
}

/// The columns a unique violation names: `t.a, t.b` of `UNIQUE constraint failed: t.a, t.b`.
fn columns(message: &str) -> &str {
    message.rsplit_once("constraint failed: ").map_or("", |(_, columns)| columns.trim())
}

/// What a unique key of the schema, named by its columns, says is taken.
fn taken(columns: &str) -> &'static str {
    let last = columns.rsplit(", ").next().unwrap_or_default();
    match last {
        "organizations.id" => "this organization id is already taken",
        "contact_paths_def.prompt" => "this prompt is already taken in the organization",
        "users.username" => "this username is already taken",
        c if c.ends_with(".name") => "this name is already taken in the organization",
        c if c.ends_with(".id") || c.ends_with(".path_id") => "this id is already taken in the organization",
        _ => "already exists",
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
    fn unique_violations_read_as_sentences_by_their_columns() {
        let cols = columns("UNIQUE constraint failed: record_types.organization_id, record_types.id");
        assert_eq!(taken(cols), "this id is already taken in the organization");
        assert_eq!(taken("topics.organization_id, topics.name"), "this name is already taken in the organization");
        assert_eq!(
            taken("contact_paths_def.organization_id, contact_paths_def.prompt"),
            "this prompt is already taken in the organization"
        );
        assert_eq!(taken("organizations.id"), "this organization id is already taken");
        assert_eq!(
            columns("UNIQUE constraint failed: contacts.organization_id, contacts.external_id"),
            EXTERNAL_ID_KEY
        );
    }

    #[test]
    fn other_errors_are_unknown_with_their_context() {
        let e = store_error(sqlx::Error::RowNotFound, "loading the catalog");
        assert!(matches!(&e, StoreError::Unknown(a) if format!("{a:#}").contains("loading the catalog")));
    }
}
