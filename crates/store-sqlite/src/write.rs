//! The unit of work over contacts: set-based statements inside one write transaction, which
//! holds the database's write lock from `begin` (`BEGIN IMMEDIATE`) to commit.
//!
//! Each call is a fixed number of statements, whatever the number of contacts (the rows of a
//! table are bound once, as one JSON array read by `json_each`; see `columns.rs`):
//! - `lock_contacts`: 1 + 5 (one per child table) when any is found;
//! - `external_id_owners`: 1;
//! - `insert_contacts`: 1 (ids) + 1 (contacts) + at most 4 (one per non-empty child table);
//! - `update_contacts`: 1 (park the renamed externalIds) + 1 (contacts) + at most 4 (delete
//!   the children) + at most 4 (insert them): only the child tables whose rows changed are
//!   rewritten, for the contacts whose rows changed there (a sync that changes a name rewrites
//!   no path, attribute, address or topic);
//! - `add_memberships`, `remove_memberships`, `delete_contacts`: 1;
//! - `commit`: the COMMIT.
//!
//! A call that fails leaves the transaction unusable: [`ContactTx::commit`] then rolls it back
//! and fails (as PostgreSQL aborts a transaction at its first error), so that half a call is
//! never committed.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use contacts_application::ports::{
    Actor, ContactRef, ContactTx, ContactUpdate, DeletedContact, Digest, HistoryRecord, HistoryState, LockedVersion,
};
use contacts_application::StoreError;
use contacts_domain::{Contact, ContactData};
use contacts_store_sql::history;
use sqlx::{Sqlite, SqliteConnection};

use crate::columns::{hex, json, scalar_names, scalar_values, ChildRows, ContactJson, Tables};
use crate::error::{store_error, store_error_refs, unknown};
use crate::read::load_contacts;
use crate::schema::{contact_columns, ContactRow};
use crate::WriteTx;

const RECORD_TYPE_MISSING: &str = "the record type does not exist in the organization";

/// A transaction over contacts. Dropped without [`ContactTx::commit`], it rolls back (and
/// gives the writer's turn to the next one).
pub struct SqliteContactTx {
    /// `None` once committed.
    tx: Option<WriteTx>,
    /// A call failed: the transaction may hold half of it and is never committed.
    failed: bool,
    /// The content of the contacts this transaction locked (or wrote since), by id: what their
    /// rows hold now, against which an update finds the child tables it must rewrite.
    stored: HashMap<i64, ContactData>,
}

impl SqliteContactTx {
    pub(crate) fn new(tx: WriteTx) -> Self {
        Self { tx: Some(tx), failed: false, stored: HashMap::new() }
    }

    fn conn(&mut self) -> Result<&mut SqliteConnection, StoreError> {
        self.tx.as_deref_mut().ok_or_else(|| unknown("the transaction is already committed"))
    }

    /// Remembers that a call failed.
    fn check<T>(&mut self, result: Result<T, StoreError>) -> Result<T, StoreError> {
        self.failed |= result.is_err();
        result
    }
}

/// Inserts the children of `contacts` in the tables each names (their old rows there must be
/// gone): one statement per child table that has rows.
async fn insert_children<'a>(
    conn: &mut SqliteConnection,
    org: i64,
    contacts: impl IntoIterator<Item = (i64, &'a ContactData, Tables)>,
) -> Result<(), StoreError> {
    const WHAT: &str = "writing the children of contacts";
    let children = ChildRows::new(contacts);
    if !children.paths.is_empty() {
        sqlx::query(
            "INSERT INTO contact_paths (organization_id, contact_id, position, path_id, value, \
                 country_code, phone_ext, wait_time, path_enable, skip_validation, \
                 quiet_time_frames) \
             SELECT ?1, j.value ->> 'contact_id', j.value ->> 'position', j.value ->> 'path_id', \
                 j.value ->> 'value', j.value ->> 'country_code', j.value ->> 'phone_ext', \
                 j.value ->> 'wait_time', j.value ->> 'path_enable', j.value ->> 'skip_validation', \
                 j.value ->> 'quiet_time_frames' \
             FROM json_each(?2) AS j",
        )
        .bind(org)
        .bind(json(&children.paths))
        .execute(&mut *conn)
        .await
        .map_err(|e| store_error_refs(e, WHAT, "a contact path does not exist in the organization"))?;
    }
    if !children.attributes.is_empty() {
        sqlx::query(
            "INSERT INTO contact_attributes (organization_id, contact_id, position, \
                 attribute_id, \"values\") \
             SELECT ?1, j.value ->> 'contact_id', j.value ->> 'position', \
                 j.value ->> 'attribute_id', j.value ->> 'values' \
             FROM json_each(?2) AS j",
        )
        .bind(org)
        .bind(json(&children.attributes))
        .execute(&mut *conn)
        .await
        .map_err(|e| store_error_refs(e, WHAT, "a contact attribute does not exist in the organization"))?;
    }
    if !children.addresses.is_empty() {
        sqlx::query(
            "INSERT INTO contact_addresses (organization_id, contact_id, position, \
                 location_name, street_address, suite, city, state, postal_code, country, \
                 lat, lon) \
             SELECT ?1, j.value ->> 'contact_id', j.value ->> 'position', \
                 j.value ->> 'location_name', j.value ->> 'street_address', j.value ->> 'suite', \
                 j.value ->> 'city', j.value ->> 'state', j.value ->> 'postal_code', \
                 j.value ->> 'country', j.value ->> 'lat', j.value ->> 'lon' \
             FROM json_each(?2) AS j",
        )
        .bind(org)
        .bind(json(&children.addresses))
        .execute(&mut *conn)
        .await
        .map_err(|e| store_error(e, WHAT))?;
    }
    if !children.topics.is_empty() {
        sqlx::query(
            "INSERT INTO contact_topics (organization_id, contact_id, position, topic_id) \
             SELECT ?1, j.value ->> 'contact_id', j.value ->> 'position', j.value ->> 'topic_id' \
             FROM json_each(?2) AS j",
        )
        .bind(org)
        .bind(json(&children.topics))
        .execute(&mut *conn)
        .await
        .map_err(|e| store_error_refs(e, WHAT, "a topic does not exist in the organization"))?;
    }
    Ok(())
}

/// The child tables, whose rows an update replaces whole (`?2`: the contact ids, as JSON), in
/// the order of [`Tables`].
pub(crate) const CHILD_DELETES: [&str; 4] = [
    "DELETE FROM contact_paths WHERE organization_id = ?1 AND contact_id IN (SELECT value FROM json_each(?2))",
    "DELETE FROM contact_attributes WHERE organization_id = ?1 AND contact_id IN (SELECT value FROM json_each(?2))",
    "DELETE FROM contact_addresses WHERE organization_id = ?1 AND contact_id IN (SELECT value FROM json_each(?2))",
    "DELETE FROM contact_topics WHERE organization_id = ?1 AND contact_id IN (SELECT value FROM json_each(?2))",
];

/// Parks the externalId of each contact of `?2` that an update renames on a BLOB made of its
/// id: no TEXT externalId equals a BLOB, and ids are unique, so the unique index (checked row
/// by row, not at COMMIT) lets the next statement give every contact its new externalId
/// whatever the order, swaps and rotations included.
pub(crate) const PARK_RENAMED: &str = "UPDATE contacts AS c SET external_id = CAST(c.id AS BLOB) \
     FROM json_each(?2) AS j \
     WHERE j.value ->> 'organization_id' = ?1 \
       AND c.organization_id = j.value ->> 'organization_id' AND c.id = j.value ->> 'id' \
       AND c.status = 'A' AND c.external_id IS NOT j.value ->> 'external_id'";

/// Replaces the scalar columns of the contacts of `?2` (`?3`: now, `?4`: the actor). The rows
/// carry their organization (`?1`), matched with the contacts' key: see [`ContactJson`].
pub(crate) const UPDATE_CONTACTS: &str = concat!(
    "UPDATE contacts AS c SET (",
    scalar_names!(),
    ", version, input_digest, last_modified_date, last_modified_by) = (",
    scalar_values!(),
    ", j.value ->> 'version', unhex(j.value ->> 'input_digest'), ?3, ?4) \
     FROM json_each(?2) AS j \
     WHERE j.value ->> 'organization_id' = ?1 \
       AND c.organization_id = j.value ->> 'organization_id' AND c.id = j.value ->> 'id' \
       AND c.status = 'A'"
);

/// The active contacts of `?1` whose id is in `?2` or whose externalId is in `?3` (JSON
/// arrays): each side is a lookup of its own key, united, so both stay index lookups.
macro_rules! named_contacts {
    () => {
        "SELECT id FROM contacts WHERE organization_id = ?1 AND status = 'A' \
             AND id IN (SELECT value FROM json_each(?2)) \
         UNION \
         SELECT id FROM contacts WHERE organization_id = ?1 AND status = 'A' \
             AND external_id IN (SELECT value FROM json_each(?3))"
    };
}

/// Stores item digests: `?1` the organization, `?2` a JSON array of
/// `[organization, id, version, hex digest]`; only where the version is still that one.
pub(crate) const SET_DIGESTS: &str = "UPDATE contacts AS c SET input_digest = unhex(j.value ->> 3) \
     FROM json_each(?2) AS j \
     WHERE j.value ->> 0 = ?1 AND c.organization_id = j.value ->> 0 AND c.id = j.value ->> 1 \
       AND c.version = j.value ->> 2 AND c.status = 'A'";

/// The id, externalId, version and digest of the contacts [`named_contacts`] selects.
pub(crate) const CONTACT_DIGESTS: &str = concat!(
    "SELECT id, external_id, version, input_digest FROM contacts WHERE organization_id = ?1 AND id IN (",
    named_contacts!(),
    ")"
);

/// The contacts [`named_contacts`] selects, in id order.
pub(crate) const LOCK_CONTACTS: &str = concat!(
    "SELECT ",
    contact_columns!(),
    " FROM contacts WHERE organization_id = ?1 AND id IN (",
    named_contacts!(),
    ") ORDER BY id"
);

/// The contact `?2` of `?1`, any status.
const LOAD_ANY: &str = concat!("SELECT ", contact_columns!(), " FROM contacts WHERE organization_id = ?1 AND id = ?2");

/// Soft-deletes the contacts [`named_contacts`] selects (`?4`: now, `?5`: the actor).
pub(crate) const DELETE_CONTACTS: &str = concat!(
    "UPDATE contacts SET status = 'D', deleted_external_id = external_id, external_id = NULL, \
         version = version + 1, last_modified_date = ?4, last_modified_by = ?5 \
     WHERE organization_id = ?1 AND id IN (",
    named_contacts!(),
    ") RETURNING id, deleted_external_id, version"
);

impl SqliteContactTx {
    /// The contact `target` names, any status, whole (the write lock is held: nothing to lock).
    async fn lock_any(&mut self, org: i64, target: &ContactRef) -> Result<Option<Contact>, StoreError> {
        let conn = self.conn()?;
        let Some(id) = history::find_any::<Sqlite>(&mut *conn, org, target)
            .await
            .map_err(|e| store_error(e, format!("finding contact {target}")))?
        else {
            return Ok(None);
        };
        let rows: Vec<ContactRow> = sqlx::query_as(LOAD_ANY)
            .bind(org)
            .bind(id)
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| store_error(e, format!("loading contact {id}")))?;
        let contact = load_contacts(conn, org, rows).await?.pop();
        self.stored.extend(contact.iter().map(|c| (c.id, c.data.clone())));
        Ok(contact)
    }

    async fn lock(
        &mut self,
        org: i64,
        ids: &[i64],
        external_ids: &[String],
        not_loaded: &[i64],
    ) -> Result<(Vec<Contact>, Vec<LockedVersion>), StoreError> {
        let conn = self.conn()?;
        // The write lock is held since BEGIN IMMEDIATE: no row locks to take, nobody else
        // writes until this transaction ends.
        let rows: Vec<ContactRow> = sqlx::query_as(LOCK_CONTACTS)
            .bind(org)
            .bind(json(ids))
            .bind(json(external_ids))
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| store_error(e, "locking contacts"))?;
        let skip: HashSet<i64> = not_loaded.iter().copied().collect();
        let (skipped, rows): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| skip.contains(&r.id));
        let versions = skipped
            .into_iter()
            .map(|r| {
                let c = r.into_contact();
                LockedVersion { id: c.id, external_id: c.data.external_id, version: c.version }
            })
            .collect();
        let contacts = load_contacts(conn, org, rows).await?;
        self.stored.extend(contacts.iter().map(|c| (c.id, c.data.clone())));
        Ok((contacts, versions))
    }

    async fn insert(
        &mut self,
        org: i64,
        contacts: &[ContactData],
        actor: &str,
        now: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let conn = self.conn()?;
        let err = |e| store_error_refs(e, "inserting contacts", RECORD_TYPE_MISSING);
        let count = i64::try_from(contacts.len()).map_err(unknown)?;
        // Store-wide ids, as PostgreSQL's contact_id_seq: the counter moves by the batch size
        // and the batch takes the values after the old one, ascending in input order.
        let last: i64 = sqlx::query_scalar(
            "UPDATE id_sequences SET last_value = last_value + ?1 WHERE name = 'contact' RETURNING last_value",
        )
        .bind(count)
        .fetch_one(&mut *conn)
        .await
        .map_err(err)?;
        let ids: Vec<i64> = (last - count + 1..=last).collect();
        let pairs = || ids.iter().copied().zip(contacts);
        let rows: Vec<ContactJson> = pairs().map(|(id, d)| ContactJson::new(org, id, d, None)).collect();
        sqlx::query(concat!(
            "INSERT INTO contacts (organization_id, ",
            scalar_names!(),
            ", status, version, created_date, created_by, last_modified_date, last_modified_by) \
             SELECT ?1, ",
            scalar_values!(),
            ", 'A', 1, ?3, ?4, ?3, ?4 FROM json_each(?2) AS j"
        ))
        .bind(org)
        .bind(json(&rows))
        .bind(now)
        .bind(actor)
        .execute(&mut *conn)
        .await
        .map_err(err)?;
        insert_children(conn, org, pairs().map(|(id, data)| (id, data, Tables::ALL))).await?;
        self.stored.extend(pairs().map(|(id, data)| (id, data.clone())));
        Ok(ids)
    }

    async fn update(&mut self, org: i64, updates: &[ContactUpdate], actor: &str, now: i64) -> Result<(), StoreError> {
        // The child tables to rewrite, per contact: those whose rows differ from the stored
        // ones (every table of a contact this transaction did not lock).
        let tables: Vec<Tables> = updates.iter().map(|u| Tables::to_rewrite(self.stored.get(&u.id), &u.data)).collect();
        let conn = self.conn()?;
        let err = |e| store_error_refs(e, "updating contacts", RECORD_TYPE_MISSING);
        let rows: Vec<ContactJson> = updates
            .iter()
            .map(|u| {
                ContactJson::new(org, u.id, &u.data, Some(u.version))
                    .with_digest(u.digest.as_ref().map(<[u8; 16]>::as_slice))
            })
            .collect();
        let rows = json(&rows);
        sqlx::query(PARK_RENAMED).bind(org).bind(&rows).execute(&mut *conn).await.map_err(err)?;
        let done = sqlx::query(UPDATE_CONTACTS)
            .bind(org)
            .bind(&rows)
            .bind(now)
            .bind(actor)
            .execute(&mut *conn)
            .await
            .map_err(err)?;
        if done.rows_affected() != updates.len() as u64 {
            return Err(unknown(format!(
                "updating contacts: {} of {} active contacts of organization {org} found",
                done.rows_affected(),
                updates.len()
            )));
        }
        let rewritten = Tables::rewritten_ids(updates.iter().map(|u| u.id).zip(&tables));
        for (delete, ids) in CHILD_DELETES.into_iter().zip(rewritten) {
            if !ids.is_empty() {
                sqlx::query(delete).bind(org).bind(json(&ids)).execute(&mut *conn).await.map_err(err)?;
            }
        }
        insert_children(conn, org, updates.iter().zip(tables).map(|(u, t)| (u.id, &u.data, t))).await?;
        self.stored.extend(updates.iter().map(|u| (u.id, u.data.clone())));
        Ok(())
    }

    async fn add(&mut self, org: i64, memberships: &[(i64, i64)]) -> Result<(), StoreError> {
        // `WHERE true` keeps SQLite from reading ON CONFLICT as a join constraint.
        sqlx::query(
            "INSERT INTO group_members (organization_id, group_id, contact_id) \
             SELECT ?1, j.value ->> 0, j.value ->> 1 FROM json_each(?2) AS j WHERE true \
             ON CONFLICT DO NOTHING",
        )
        .bind(org)
        .bind(json(memberships))
        .execute(self.conn()?)
        .await
        .map_err(|e| {
            store_error_refs(e, "adding group memberships", "a group or contact does not exist in the organization")
        })?;
        Ok(())
    }

    async fn remove(&mut self, org: i64, memberships: &[(i64, i64)]) -> Result<(), StoreError> {
        sqlx::query(
            "DELETE FROM group_members WHERE organization_id = ?1 \
             AND (group_id, contact_id) IN (SELECT j.value ->> 0, j.value ->> 1 FROM json_each(?2) AS j)",
        )
        .bind(org)
        .bind(json(memberships))
        .execute(self.conn()?)
        .await
        .map_err(|e| store_error(e, "removing group memberships"))?;
        Ok(())
    }

    async fn delete(
        &mut self,
        org: i64,
        ids: &[i64],
        external_ids: &[String],
        actor: &str,
        now: i64,
    ) -> Result<Vec<DeletedContact>, StoreError> {
        // One statement. The externalId moves to deleted_external_id (every expression of SET
        // reads the row as it was), which frees it for a new contact; children and memberships
        // stay, for a restore.
        let mut rows: Vec<(i64, Option<String>, i64)> = sqlx::query_as(DELETE_CONTACTS)
            .bind(org)
            .bind(json(ids))
            .bind(json(external_ids))
            .bind(now)
            .bind(actor)
            .fetch_all(self.conn()?)
            .await
            .map_err(|e| store_error(e, "deleting contacts"))?;
        rows.sort_unstable_by_key(|r| r.0);
        Ok(rows
            .into_iter()
            .map(|(id, external_id, version)| DeletedContact {
                id,
                external_id: external_id.unwrap_or_default(),
                version,
            })
            .collect())
    }
}

#[async_trait]
impl ContactTx for SqliteContactTx {
    async fn lock_contacts(
        &mut self,
        org: i64,
        ids: &[i64],
        external_ids: &[String],
    ) -> Result<Vec<Contact>, StoreError> {
        let result = self.lock(org, ids, external_ids, &[]).await.map(|(contacts, _)| contacts);
        self.check(result)
    }

    async fn lock_contacts_except(
        &mut self,
        org: i64,
        ids: &[i64],
        external_ids: &[String],
        not_loaded: &[i64],
    ) -> Result<(Vec<Contact>, Vec<LockedVersion>), StoreError> {
        let result = self.lock(org, ids, external_ids, not_loaded).await;
        self.check(result)
    }

    async fn external_id_owners(
        &mut self,
        org: i64,
        external_ids: &[String],
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let result = sqlx::query_as(
            "SELECT external_id, id FROM contacts \
             WHERE organization_id = ?1 AND status = 'A' AND external_id IN (SELECT value FROM json_each(?2))",
        )
        .bind(org)
        .bind(json(external_ids))
        .fetch_all(self.conn()?)
        .await
        .map_err(|e| store_error(e, "finding the owners of externalIds"));
        self.check(result)
    }

    async fn insert_contacts(
        &mut self,
        org: i64,
        contacts: &[ContactData],
        actor: &str,
        now: i64,
    ) -> Result<Vec<i64>, StoreError> {
        if contacts.is_empty() {
            return Ok(Vec::new());
        }
        let result = self.insert(org, contacts, actor, now).await;
        self.check(result)
    }

    async fn update_contacts(
        &mut self,
        org: i64,
        updates: &[ContactUpdate],
        actor: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        if updates.is_empty() {
            return Ok(());
        }
        let result = self.update(org, updates, actor, now).await;
        self.check(result)
    }

    async fn set_digests(&mut self, org: i64, digests: &[(i64, i64, Digest)]) -> Result<(), StoreError> {
        if digests.is_empty() {
            return Ok(());
        }
        let rows: Vec<(i64, i64, i64, String)> = digests.iter().map(|(id, v, d)| (org, *id, *v, hex(d))).collect();
        let result = sqlx::query(SET_DIGESTS)
            .bind(org)
            .bind(json(&rows))
            .execute(self.conn()?)
            .await
            .map(|_| ())
            .map_err(|e| store_error(e, "storing item digests"));
        self.check(result)
    }

    async fn add_memberships(&mut self, org: i64, memberships: &[(i64, i64)]) -> Result<(), StoreError> {
        if memberships.is_empty() {
            return Ok(());
        }
        let result = self.add(org, memberships).await;
        self.check(result)
    }

    async fn remove_memberships(&mut self, org: i64, memberships: &[(i64, i64)]) -> Result<(), StoreError> {
        if memberships.is_empty() {
            return Ok(());
        }
        let result = self.remove(org, memberships).await;
        self.check(result)
    }

    async fn delete_contacts(
        &mut self,
        org: i64,
        ids: &[i64],
        external_ids: &[String],
        actor: &str,
        now: i64,
    ) -> Result<Vec<DeletedContact>, StoreError> {
        if ids.is_empty() && external_ids.is_empty() {
            return Ok(Vec::new());
        }
        let result = self.delete(org, ids, external_ids, actor, now).await;
        self.check(result)
    }

    async fn record_history(
        &mut self,
        org: i64,
        records: &[HistoryRecord],
        actor: &Actor,
        at: i64,
    ) -> Result<(), StoreError> {
        let result = crate::history::record(self.conn()?, org, records, actor, at).await;
        self.check(result)
    }

    async fn lock_any_contact(&mut self, org: i64, target: &ContactRef) -> Result<Option<Contact>, StoreError> {
        let result = self.lock_any(org, target).await;
        self.check(result)
    }

    async fn history_state(
        &mut self,
        org: i64,
        contact_id: i64,
        version: Option<i64>,
    ) -> Result<Option<HistoryState>, StoreError> {
        let result = history::state::<Sqlite>(self.conn()?, org, contact_id, version)
            .await
            .map_err(|e| store_error(e, format!("reading the history of contact {contact_id}")));
        self.check(result)
    }

    async fn revive_contact(&mut self, org: i64, id: i64, external_id: &str) -> Result<(), StoreError> {
        let result = sqlx::query(history::REVIVE)
            .bind(org)
            .bind(id)
            .bind(external_id)
            .execute(self.conn()?)
            .await
            .map(|_| ())
            .map_err(|e| store_error(e, format!("restoring contact {id}")));
        self.check(result)
    }

    async fn commit(&mut self) -> Result<(), StoreError> {
        let tx = self.tx.take().ok_or_else(|| unknown("the transaction is already committed"))?;
        if self.failed {
            // Dropped: rolled back.
            return Err(unknown("a statement of the transaction failed: it was rolled back, not committed"));
        }
        tx.commit("committing contacts").await
    }
}
