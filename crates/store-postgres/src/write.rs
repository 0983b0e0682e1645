//! The unit of work over contacts: set-based batch statements inside one transaction.
//!
//! Each call is a fixed number of statements, whatever the number of contacts (the arrays of
//! [`crate::columns`] are bound once per column):
//! - `lock_contacts`: 1 (`SELECT id ... FOR UPDATE`) + 1 (the contacts whole, see
//!   [`crate::read::load_whole`]) when any is found;
//! - `external_id_owners`: 1;
//! - `insert_contacts`: 1 (ids) + 1 (contacts) + at most 4 (one per non-empty child table);
//! - `update_contacts`: 1 (contacts), then per child table at most 1 update (the rows whose
//!   content changed, in place, keyed by contact and position), 1 delete (the rows a contact no
//!   longer has) and 1 insert (the rows it gained): only the rows that changed are written (a
//!   sync that changes a name writes no child row, one that moves a phone number one path row),
//!   and an update in place of unindexed columns is heap-only and checks no foreign key. (A
//!   contact this transaction did not lock has its children deleted and inserted whole: 4 more.)
//! - `add_memberships`: 1;
//! - `delete_contacts`: 1;
//! - `commit`: 1.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_trait::async_trait;
use contacts_application::ports::{
    Actor, ContactRef, ContactTx, ContactUpdate, DeletedContact, Digest, HistoryRecord, HistoryState, LockedVersion,
};
use contacts_application::StoreError;
use contacts_domain::{Contact, ContactData};
use contacts_store_sql::history;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

use crate::columns::{
    scalar_names, scalar_unnest, truncations, ChildChanges, ChildColumns, Pick, References, ScalarColumns, Tables,
};
use crate::error::{missing_reference, store_error, unknown};
use crate::read::load_whole;
use crate::stats::Statistics;

/// A transaction over contacts. Dropped without [`ContactTx::commit`], it rolls back.
pub struct PgContactTx {
    /// `None` once committed.
    tx: Option<Transaction<'static, Postgres>>,
    /// The content of the contacts this transaction locked (or wrote since), by id: what their
    /// rows hold now, against which an update finds the child tables it must rewrite.
    stored: HashMap<i64, ContactData>,
    /// Contacts inserted, reported to `statistics` (with `pool` to act on them) after the commit.
    inserted: u64,
    pool: PgPool,
    statistics: Arc<Statistics>,
}

impl PgContactTx {
    pub(crate) fn new(tx: Transaction<'static, Postgres>, pool: PgPool, statistics: Arc<Statistics>) -> Self {
        Self { tx: Some(tx), stored: HashMap::new(), inserted: 0, pool, statistics }
    }

    fn conn(&mut self) -> Result<&mut PgConnection, StoreError> {
        self.tx.as_deref_mut().ok_or_else(|| unknown("the transaction is already committed"))
    }
}

/// Inserts the children of `contacts` in the tables each names (their old rows there must be
/// gone), their catalog references checked first: one statement per child table that has rows.
async fn insert_children(
    conn: &mut PgConnection,
    org: i64,
    contacts: impl IntoIterator<Item = (i64, &ContactData, Tables)>,
) -> Result<(), StoreError> {
    let rows = ChildColumns::new(contacts);
    let mut references = References::default();
    references.add(&rows);
    lock_references(conn, org, &references).await?;
    insert_rows(conn, org, rows).await
}

/// The catalog tables child rows refer to: (table, id column, the foreign key that checked the
/// reference before migration 0011, by whose name a missing entry is reported).
const PATHS_DEF: (&str, &str, &str) = ("contact_paths_def", "path_id", "contact_paths_path_fkey");
const ATTRIBUTE_DEFS: (&str, &str, &str) = ("attribute_defs", "id", "contact_attributes_attribute_fkey");
const TOPICS: (&str, &str, &str) = ("topics", "id", "contact_topics_topic_fkey");
const GROUPS: (&str, &str, &str) = ("groups", "id", "group_members_group_fkey");

/// Locks `FOR KEY SHARE`, until the transaction ends, every catalog entry of `org` that rows
/// about to be written refer to, one statement per catalog table: the lock a foreign key
/// check takes, taken once per batch instead of once per row (migration 0011). A catalog change
/// locks its entry `FOR UPDATE` and then counts its usage (catalog_admin.rs, groups.rs), so
/// while a batch holds the lock the entry is neither deleted nor changed, and a change that got
/// its lock first is waited for and then seen: an entry it deleted is not found here, a
/// [`StoreError::MissingReference`] as the foreign key reported it.
async fn lock_references(conn: &mut PgConnection, org: i64, references: &References) -> Result<(), StoreError> {
    let tables =
        [(PATHS_DEF, &references.paths), (ATTRIBUTE_DEFS, &references.attributes), (TOPICS, &references.topics)];
    for (table, ids) in tables {
        lock_catalog(conn, org, table, ids, "writing the children of contacts").await?;
    }
    Ok(())
}

/// Locks the entries `ids` (ascending, each once) of one catalog table `FOR KEY SHARE`; a
/// [`StoreError::MissingReference`] if one is not there.
async fn lock_catalog(
    conn: &mut PgConnection,
    org: i64,
    (table, column, constraint): (&str, &str, &str),
    ids: &[i64],
    context: &str,
) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "SELECT count(*) FROM (SELECT 1 FROM {table} WHERE organization_id = $1 AND {column} = ANY($2) \
         ORDER BY {column} FOR KEY SHARE) AS locked"
    );
    let found: i64 = sqlx::query_scalar(&sql)
        .bind(org)
        .bind(ids)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| store_error(e, context))?;
    if found != ids.len() as i64 {
        return Err(missing_reference(context, constraint));
    }
    Ok(())
}

/// Inserts child rows (none may be stored at their positions): one statement per child table
/// that has rows.
async fn insert_rows(conn: &mut PgConnection, org: i64, children: ChildColumns) -> Result<(), StoreError> {
    let err = |e| store_error(e, "writing the children of contacts");
    if !children.paths.is_empty() {
        let q = sqlx::query(
            "INSERT INTO contact_paths (organization_id, contact_id, position, path_id, value, \
                 country_code, phone_ext, wait_time, path_enable, skip_validation, \
                 quiet_time_frames) \
             SELECT $1, u.* FROM UNNEST($2::bigint[], $3::integer[], $4::bigint[], $5::text[], \
                 $6::text[], $7::text[], $8::bigint[], $9::boolean[], $10::boolean[], \
                 $11::jsonb[]) AS u",
        )
        .bind(org);
        children.paths.bind(q).execute(&mut *conn).await.map_err(err)?;
    }
    if !children.attributes.is_empty() {
        let q = sqlx::query(
            "INSERT INTO contact_attributes (organization_id, contact_id, position, \
                 attribute_id, \"values\") \
             SELECT $1, u.* FROM UNNEST($2::bigint[], $3::integer[], $4::bigint[], \
                 $5::jsonb[]) AS u",
        )
        .bind(org);
        children.attributes.bind(q).execute(&mut *conn).await.map_err(err)?;
    }
    if !children.addresses.is_empty() {
        let q = sqlx::query(
            "INSERT INTO contact_addresses (organization_id, contact_id, position, \
                 location_name, street_address, suite, city, state, postal_code, country, \
                 lat, lon) \
             SELECT $1, u.* FROM UNNEST($2::bigint[], $3::integer[], $4::text[], $5::text[], \
                 $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], \
                 $11::double precision[], $12::double precision[]) AS u",
        )
        .bind(org);
        children.addresses.bind(q).execute(&mut *conn).await.map_err(err)?;
    }
    if !children.topics.is_empty() {
        let q = sqlx::query(
            "INSERT INTO contact_topics (organization_id, contact_id, position, topic_id) \
             SELECT $1, u.* FROM UNNEST($2::bigint[], $3::integer[], $4::bigint[]) AS u",
        )
        .bind(org);
        children.topics.bind(q).execute(&mut *conn).await.map_err(err)?;
    }
    Ok(())
}

/// Updates child rows in place, by (contact, position), every column but the key: one
/// statement per child table that has rows. Each row must be stored: the contacts are locked,
/// and their stored rows were read under the lock.
async fn update_rows(conn: &mut PgConnection, org: i64, children: ChildColumns) -> Result<(), StoreError> {
    let err = |e| store_error(e, "updating the children of contacts");
    let mut expected = 0;
    let mut done = 0;
    if !children.paths.is_empty() {
        expected += children.paths.len();
        let q = sqlx::query(
            "UPDATE contact_paths AS t SET path_id = u.path_id, value = u.value, \
                 country_code = u.country_code, phone_ext = u.phone_ext, wait_time = u.wait_time, \
                 path_enable = u.path_enable, skip_validation = u.skip_validation, \
                 quiet_time_frames = u.quiet_time_frames \
             FROM UNNEST($2::bigint[], $3::integer[], $4::bigint[], $5::text[], $6::text[], \
                 $7::text[], $8::bigint[], $9::boolean[], $10::boolean[], $11::jsonb[]) \
                 AS u(contact_id, position, path_id, value, country_code, phone_ext, wait_time, \
                     path_enable, skip_validation, quiet_time_frames) \
             WHERE t.organization_id = $1 AND t.contact_id = u.contact_id AND t.position = u.position",
        )
        .bind(org);
        done += children.paths.bind(q).execute(&mut *conn).await.map_err(err)?.rows_affected();
    }
    if !children.attributes.is_empty() {
        expected += children.attributes.len();
        let q = sqlx::query(
            "UPDATE contact_attributes AS t SET attribute_id = u.attribute_id, \"values\" = u.v \
             FROM UNNEST($2::bigint[], $3::integer[], $4::bigint[], $5::jsonb[]) \
                 AS u(contact_id, position, attribute_id, v) \
             WHERE t.organization_id = $1 AND t.contact_id = u.contact_id AND t.position = u.position",
        )
        .bind(org);
        done += children.attributes.bind(q).execute(&mut *conn).await.map_err(err)?.rows_affected();
    }
    if !children.addresses.is_empty() {
        expected += children.addresses.len();
        let q = sqlx::query(
            "UPDATE contact_addresses AS t SET location_name = u.location_name, \
                 street_address = u.street_address, suite = u.suite, city = u.city, \
                 state = u.state, postal_code = u.postal_code, country = u.country, lat = u.lat, \
                 lon = u.lon \
             FROM UNNEST($2::bigint[], $3::integer[], $4::text[], $5::text[], $6::text[], \
                 $7::text[], $8::text[], $9::text[], $10::text[], $11::double precision[], \
                 $12::double precision[]) \
                 AS u(contact_id, position, location_name, street_address, suite, city, state, \
                     postal_code, country, lat, lon) \
             WHERE t.organization_id = $1 AND t.contact_id = u.contact_id AND t.position = u.position",
        )
        .bind(org);
        done += children.addresses.bind(q).execute(&mut *conn).await.map_err(err)?.rows_affected();
    }
    if !children.topics.is_empty() {
        expected += children.topics.len();
        let q = sqlx::query(
            "UPDATE contact_topics AS t SET topic_id = u.topic_id \
             FROM UNNEST($2::bigint[], $3::integer[], $4::bigint[]) AS u(contact_id, position, topic_id) \
             WHERE t.organization_id = $1 AND t.contact_id = u.contact_id AND t.position = u.position",
        )
        .bind(org);
        done += children.topics.bind(q).execute(&mut *conn).await.map_err(err)?.rows_affected();
    }
    if done != expected as u64 {
        // The rows read under the lock are not all there: something changed them without
        // locking their contact. Start the unit of work again (it reads them anew).
        tracing::warn!(expected, done, "child rows of locked contacts changed under the lock: retrying");
        return Err(StoreError::Conflict);
    }
    Ok(())
}

/// Per child table (in the order of [`Tables`]), the delete of the rows of contacts `$2` from
/// the position `$3` on (the rows a contact no longer has).
const CHILD_TRUNCATES: [&str; 4] = [
    "DELETE FROM contact_paths AS t USING UNNEST($2::bigint[], $3::integer[]) AS u(id, kept) \
     WHERE t.organization_id = $1 AND t.contact_id = u.id AND t.position >= u.kept",
    "DELETE FROM contact_attributes AS t USING UNNEST($2::bigint[], $3::integer[]) AS u(id, kept) \
     WHERE t.organization_id = $1 AND t.contact_id = u.id AND t.position >= u.kept",
    "DELETE FROM contact_addresses AS t USING UNNEST($2::bigint[], $3::integer[]) AS u(id, kept) \
     WHERE t.organization_id = $1 AND t.contact_id = u.id AND t.position >= u.kept",
    "DELETE FROM contact_topics AS t USING UNNEST($2::bigint[], $3::integer[]) AS u(id, kept) \
     WHERE t.organization_id = $1 AND t.contact_id = u.id AND t.position >= u.kept",
];

/// The child tables, whose rows an update replaces whole (in the order of [`Tables`]).
const CHILD_DELETES: [&str; 4] = [
    "DELETE FROM contact_paths WHERE organization_id = $1 AND contact_id = ANY($2)",
    "DELETE FROM contact_attributes WHERE organization_id = $1 AND contact_id = ANY($2)",
    "DELETE FROM contact_addresses WHERE organization_id = $1 AND contact_id = ANY($2)",
    "DELETE FROM contact_topics WHERE organization_id = $1 AND contact_id = ANY($2)",
];

#[async_trait]
impl ContactTx for PgContactTx {
    async fn lock_contacts(
        &mut self,
        org: i64,
        ids: &[i64],
        external_ids: &[String],
    ) -> Result<Vec<Contact>, StoreError> {
        Ok(self.lock_contacts_except(org, ids, external_ids, &[]).await?.0)
    }

    async fn lock_contacts_except(
        &mut self,
        org: i64,
        ids: &[i64],
        external_ids: &[String],
        not_loaded: &[i64],
    ) -> Result<(Vec<Contact>, Vec<LockedVersion>), StoreError> {
        let conn = self.tx.as_deref_mut().ok_or_else(|| unknown("the transaction is already committed"))?;
        // In id order, so that two batches locking overlapping sets never deadlock; then read
        // whole, in a statement (so a snapshot) that begins once the locks are held. FOR UPDATE
        // answers the rows as the lock holders before us committed them.
        let locked: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT id, external_id, version FROM contacts WHERE organization_id = $1 AND status = 'A' \
              AND (id = ANY($2) OR external_id = ANY($3)) ORDER BY id FOR UPDATE",
        )
        .bind(org)
        .bind(ids)
        .bind(external_ids)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| store_error(e, "locking contacts"))?;
        let skip: HashSet<i64> = not_loaded.iter().copied().collect();
        let (versions, load): (Vec<_>, Vec<_>) = locked.into_iter().partition(|(id, _, _)| skip.contains(id));
        let load: Vec<i64> = load.into_iter().map(|(id, _, _)| id).collect();
        let contacts = if load.is_empty() { Vec::new() } else { load_whole(conn, org, &load).await? };
        self.stored.extend(contacts.iter().map(|c| (c.id, c.data.clone())));
        let versions =
            versions.into_iter().map(|(id, external_id, version)| LockedVersion { id, external_id, version }).collect();
        Ok((contacts, versions))
    }

    async fn external_id_owners(
        &mut self,
        org: i64,
        external_ids: &[String],
    ) -> Result<Vec<(String, i64)>, StoreError> {
        sqlx::query_as(
            "SELECT external_id, id FROM contacts \
             WHERE organization_id = $1 AND status = 'A' AND external_id = ANY($2)",
        )
        .bind(org)
        .bind(external_ids)
        .fetch_all(self.conn()?)
        .await
        .map_err(|e| store_error(e, "finding the owners of externalIds"))
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
        let conn = self.conn()?;
        let err = |e| store_error(e, "inserting contacts");
        let count = i64::try_from(contacts.len()).map_err(unknown)?;
        let mut ids: Vec<i64> =
            sqlx::query_scalar("SELECT nextval('contact_id_seq') FROM generate_series(1, $1::bigint)")
                .bind(count)
                .fetch_all(&mut *conn)
                .await
                .map_err(err)?;
        // Ascending ids in input order: a batch's contacts list in the order they were sent.
        ids.sort_unstable();
        let pairs = || ids.iter().copied().zip(contacts);
        let q = sqlx::query(concat!(
            "INSERT INTO contacts (organization_id, ",
            scalar_names!(),
            ", status, version, created_date, created_by, last_modified_date, \
               last_modified_by) \
             SELECT $1, u.*, 'A', 1, $20, $21, $20, $21 FROM UNNEST(",
            scalar_unnest!(),
            ") AS u"
        ))
        .bind(org);
        ScalarColumns::new(pairs()).bind(q).bind(now).bind(actor).execute(&mut *conn).await.map_err(err)?;
        insert_children(conn, org, pairs().map(|(id, data)| (id, data, Tables::ALL))).await?;
        self.stored.extend(pairs().map(|(id, data)| (id, data.clone())));
        self.inserted += ids.len() as u64;
        Ok(ids)
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
        // The child rows to write: compared row by row with the stored ones where this
        // transaction knows them (it locked the contact), all of them rewritten where it does not.
        let mut changes = ChildChanges::default();
        let mut whole = Vec::new();
        for u in updates {
            match self.stored.get(&u.id) {
                Some(old) => changes.push(u.id, old, &u.data),
                None => whole.push(u),
            }
        }
        let conn = self.tx.as_deref_mut().ok_or_else(|| unknown("the transaction is already committed"))?;
        let err = |e| store_error(e, "updating contacts");
        let pairs = || updates.iter().map(|u| (u.id, &u.data));
        let versions: Vec<i64> = updates.iter().map(|u| u.version).collect();
        let q = sqlx::query(concat!(
            "UPDATE contacts AS c SET external_id = u.external_id, first_name = u.first_name, \
                 last_name = u.last_name, middle_initial = u.middle_initial, suffix = u.suffix, \
                 country = u.country, business_name = u.business_name, \
                 timezone_id = u.timezone_id, language = u.language, \
                 preferred_language = u.preferred_language, sso_user_id = u.sso_user_id, \
                 security_pin = u.security_pin, account_id = u.account_id, vip = u.vip, \
                 expatriate = u.expatriate, record_type_id = u.record_type_id, \
                 registered_email = u.registered_email, \
                 version = u.version, input_digest = u.input_digest, \
                 last_modified_date = $21, last_modified_by = $22 \
             FROM UNNEST(",
            scalar_unnest!(),
            ", $20::bigint[], $23::bytea[]) AS u(",
            scalar_names!(),
            ", version, input_digest) \
             WHERE c.organization_id = $1 AND c.id = u.id AND c.status = 'A'"
        ))
        .bind(org);
        let digests: Vec<Option<&[u8]>> = updates.iter().map(|u| u.digest.as_ref().map(<[u8; 16]>::as_slice)).collect();
        let done = ScalarColumns::new(pairs())
            .bind(q)
            .bind(versions)
            .bind(now)
            .bind(actor)
            .bind(digests)
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
        if !whole.is_empty() {
            let ids: Vec<i64> = whole.iter().map(|u| u.id).collect();
            for delete in CHILD_DELETES {
                sqlx::query(delete).bind(org).bind(&ids).execute(&mut *conn).await.map_err(err)?;
            }
        }
        for (truncate, (ids, kept)) in CHILD_TRUNCATES.into_iter().zip(truncations(&changes)) {
            if !ids.is_empty() {
                sqlx::query(truncate).bind(org).bind(ids).bind(kept).execute(&mut *conn).await.map_err(err)?;
            }
        }
        let mut changed = ChildColumns::default();
        changed.add_rows(&changes, Pick::Changed);
        let mut added = ChildColumns::new(whole.iter().map(|u| (u.id, &u.data, Tables::ALL)));
        added.add_rows(&changes, Pick::Added);
        // Every row written, changed in place or inserted, holds its catalog entries: a
        // concurrent change of an attribute's definedValues or a path's type waits for it.
        let mut references = References::default();
        references.add(&changed);
        references.add(&added);
        lock_references(conn, org, &references).await?;
        update_rows(conn, org, changed).await?;
        insert_rows(conn, org, added).await?;
        self.stored.extend(updates.iter().map(|u| (u.id, u.data.clone())));
        Ok(())
    }

    async fn set_digests(&mut self, org: i64, digests: &[(i64, i64, Digest)]) -> Result<(), StoreError> {
        if digests.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = digests.iter().map(|d| d.0).collect();
        let versions: Vec<i64> = digests.iter().map(|d| d.1).collect();
        let values: Vec<&[u8]> = digests.iter().map(|d| d.2.as_slice()).collect();
        sqlx::query(
            "UPDATE contacts AS c SET input_digest = u.digest \
             FROM UNNEST($2::bigint[], $3::bigint[], $4::bytea[]) AS u(id, version, digest) \
             WHERE c.organization_id = $1 AND c.id = u.id AND c.version = u.version AND c.status = 'A'",
        )
        .bind(org)
        .bind(ids)
        .bind(versions)
        .bind(values)
        .execute(self.conn()?)
        .await
        .map_err(|e| store_error(e, "storing item digests"))?;
        Ok(())
    }

    async fn add_memberships(&mut self, org: i64, memberships: &[(i64, i64)]) -> Result<(), StoreError> {
        if memberships.is_empty() {
            return Ok(());
        }
        let (groups, contacts): (Vec<i64>, Vec<i64>) = memberships.iter().copied().unzip();
        let conn = self.conn()?;
        let mut referenced = groups.clone();
        referenced.sort_unstable();
        referenced.dedup();
        lock_catalog(conn, org, GROUPS, &referenced, "adding group memberships").await?;
        sqlx::query(
            "INSERT INTO group_members (organization_id, group_id, contact_id) \
             SELECT $1, u.group_id, u.contact_id \
             FROM UNNEST($2::bigint[], $3::bigint[]) AS u(group_id, contact_id) \
             ORDER BY 2, 3 \
             ON CONFLICT DO NOTHING",
        )
        .bind(org)
        .bind(groups)
        .bind(contacts)
        .execute(self.conn()?)
        .await
        .map_err(|e| store_error(e, "adding group memberships"))?;
        Ok(())
    }

    async fn remove_memberships(&mut self, org: i64, memberships: &[(i64, i64)]) -> Result<(), StoreError> {
        if memberships.is_empty() {
            return Ok(());
        }
        let (groups, contacts): (Vec<i64>, Vec<i64>) = memberships.iter().copied().unzip();
        sqlx::query(
            "DELETE FROM group_members m USING UNNEST($2::bigint[], $3::bigint[]) AS u(group_id, contact_id) \
             WHERE m.organization_id = $1 AND m.group_id = u.group_id AND m.contact_id = u.contact_id",
        )
        .bind(org)
        .bind(groups)
        .bind(contacts)
        .execute(self.conn()?)
        .await
        .map_err(|e| store_error(e, "removing group memberships"))?;
        Ok(())
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
        // One statement: lock the targets in id order (no deadlock with a concurrent batch),
        // then retire them. The externalId moves to deleted_external_id, which frees it for a
        // new contact; children and memberships stay, for a restore.
        let rows: Vec<(i64, Option<String>, i64)> = sqlx::query_as(
            "WITH target AS ( \
                 SELECT id FROM contacts \
                 WHERE organization_id = $1 AND status = 'A' AND (id = ANY($2) OR external_id = ANY($3)) \
                 ORDER BY id FOR UPDATE \
             ) \
             UPDATE contacts AS c SET status = 'D', deleted_external_id = c.external_id, \
                 external_id = NULL, version = c.version + 1, last_modified_date = $4, \
                 last_modified_by = $5 \
             FROM target WHERE c.organization_id = $1 AND c.id = target.id \
             RETURNING c.id, c.deleted_external_id, c.version",
        )
        .bind(org)
        .bind(ids)
        .bind(external_ids)
        .bind(now)
        .bind(actor)
        .fetch_all(self.conn()?)
        .await
        .map_err(|e| store_error(e, "deleting contacts"))?;
        Ok(rows
            .into_iter()
            .map(|(id, external_id, version)| DeletedContact {
                id,
                external_id: external_id.unwrap_or_default(),
                version,
            })
            .collect())
    }

    async fn record_history(
        &mut self,
        org: i64,
        records: &[HistoryRecord],
        actor: &Actor,
        at: i64,
    ) -> Result<(), StoreError> {
        crate::history::record(self.conn()?, org, records, actor, at).await
    }

    async fn lock_any_contact(&mut self, org: i64, target: &ContactRef) -> Result<Option<Contact>, StoreError> {
        let conn = self.tx.as_deref_mut().ok_or_else(|| unknown("the transaction is already committed"))?;
        let Some(id) = crate::history::lock_any(conn, org, target).await? else {
            return Ok(None);
        };
        let contact = load_whole(conn, org, &[id]).await?.pop();
        self.stored.extend(contact.iter().map(|c| (c.id, c.data.clone())));
        Ok(contact)
    }

    async fn history_state(
        &mut self,
        org: i64,
        contact_id: i64,
        version: Option<i64>,
    ) -> Result<Option<HistoryState>, StoreError> {
        history::state::<Postgres>(self.conn()?, org, contact_id, version)
            .await
            .map_err(|e| store_error(e, format!("reading the history of contact {contact_id}")))
    }

    async fn revive_contact(&mut self, org: i64, id: i64, external_id: &str) -> Result<(), StoreError> {
        sqlx::query(history::REVIVE)
            .bind(org)
            .bind(id)
            .bind(external_id)
            .execute(self.conn()?)
            .await
            .map_err(|e| store_error(e, format!("restoring contact {id}")))?;
        Ok(())
    }

    async fn commit(&mut self) -> Result<(), StoreError> {
        let tx = self.tx.take().ok_or_else(|| unknown("the transaction is already committed"))?;
        // Deferred constraints (the unique externalId) are checked here.
        tx.commit().await.map_err(|e| store_error(e, "committing contacts"))?;
        if self.inserted > 0 {
            self.statistics.after_insert(&self.pool, self.inserted).await;
        }
        Ok(())
    }
}
