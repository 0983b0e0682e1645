//! Groups: lookups, changes to the group tree, deletion (with the new versions of the members)
//! and member listings. Membership changes themselves are in [`crate::write`].

use async_trait::async_trait;
use contacts_application::ports::{
    Actor, GroupDeletion, GroupStore, GroupUpdate, HistoryRecord, Operation, PageRequest,
};
use contacts_application::StoreError;
use contacts_domain::{Contact, Group};
use sqlx::PgConnection;

use crate::error::store_error;
use crate::schema::{contact_children, contact_columns, WholeContactRow};
use crate::PgStore;

/// Serializes the changes of one organization's group tree (a transaction-scoped advisory
/// lock keyed by the organization), so that two concurrent re-parentings cannot make a cycle.
const TREE_LOCK: &str = "SELECT pg_advisory_xact_lock(hashtextextended('contacts.group_tree', $1))";

/// Whether `$2` (the new parent) is `$3` (the group) or one of its descendants: walks up from
/// the new parent. `UNION` (not `ALL`) stops on a cycle, should one exist.
const MAKES_CYCLE: &str = "WITH RECURSIVE up (id, parent_id) AS ( \
         SELECT id, parent_id FROM groups WHERE organization_id = $1 AND id = $2 \
         UNION \
         SELECT g.id, g.parent_id FROM groups g JOIN up ON g.organization_id = $1 AND g.id = up.parent_id \
     ) SELECT EXISTS (SELECT 1 FROM up WHERE id = $3)";

/// The member contacts of group `$2`, locked in id order (the order every contact write locks in).
const LOCK_MEMBERS: &str = "SELECT c.id FROM contacts c \
     WHERE c.organization_id = $1 AND c.id IN ( \
         SELECT m.contact_id FROM group_members m WHERE m.organization_id = $1 AND m.group_id = $2) \
     ORDER BY c.id FOR UPDATE OF c";

type GroupRow = (i64, String, Option<i64>, Option<String>);

fn group((id, name, parent_id, description): GroupRow) -> Group {
    Group { id, name, parent_id, description }
}

async fn lock_members(conn: &mut PgConnection, org: i64, id: i64) -> Result<Vec<i64>, StoreError> {
    sqlx::query_scalar(LOCK_MEMBERS)
        .bind(org)
        .bind(id)
        .fetch_all(conn)
        .await
        .map_err(|e| store_error(e, format!("locking the members of group {id}")))
}

#[async_trait]
impl GroupStore for PgStore {
    async fn find_groups(&self, org: i64, ids: &[i64], names: &[String]) -> Result<Vec<Group>, StoreError> {
        let rows: Vec<GroupRow> = sqlx::query_as(
            "SELECT id, name, parent_id, description FROM groups \
             WHERE organization_id = $1 AND (id = ANY($2) OR name = ANY($3)) ORDER BY id",
        )
        .bind(org)
        .bind(ids)
        .bind(names)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| store_error(e, "finding groups"))?;
        Ok(rows.into_iter().map(group).collect())
    }

    async fn update_group(&self, org: i64, g: Group) -> Result<GroupUpdate, StoreError> {
        let what = format!("group {} '{}'", g.id, g.name);
        let err = |e| store_error(e, &what);
        let mut tx = self.pool.begin().await.map_err(err)?;
        if g.parent_id.is_some() {
            sqlx::query(TREE_LOCK).bind(org).execute(&mut *tx).await.map_err(err)?;
        }
        let row: Option<GroupRow> = sqlx::query_as(
            "UPDATE groups SET name = $3, parent_id = $4, description = $5 \
             WHERE organization_id = $1 AND id = $2 \
             RETURNING id, name, parent_id, description",
        )
        .bind(org)
        .bind(g.id)
        .bind(&g.name)
        .bind(g.parent_id)
        .bind(&g.description)
        .fetch_optional(&mut *tx)
        .await
        .map_err(err)?;
        let Some(row) = row else {
            return Ok(GroupUpdate::NotFound);
        };
        if let Some(parent) = g.parent_id {
            let cycle: bool = sqlx::query_scalar(MAKES_CYCLE)
                .bind(org)
                .bind(parent)
                .bind(g.id)
                .fetch_one(&mut *tx)
                .await
                .map_err(err)?;
            if cycle {
                // Dropped without a commit: rolled back.
                return Ok(GroupUpdate::Cycle);
            }
        }
        tx.commit().await.map_err(err)?;
        Ok(GroupUpdate::Updated(group(row)))
    }

    async fn delete_group(&self, org: i64, id: i64, actor: &Actor, now: i64) -> Result<GroupDeletion, StoreError> {
        let what = format!("deleting group {id}");
        let err = |e| store_error(e, &what);
        let mut tx = self.pool.begin().await.map_err(err)?;
        // Contacts first, then the group: the order of a batch that adds memberships.
        lock_members(&mut tx, org, id).await?;
        let exists: Option<i32> =
            sqlx::query_scalar("SELECT 1 FROM groups WHERE organization_id = $1 AND id = $2 FOR UPDATE")
                .bind(org)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(err)?;
        if exists.is_none() {
            return Ok(GroupDeletion::NotFound);
        }
        let subgroups: i64 =
            sqlx::query_scalar("SELECT count(*) FROM groups WHERE organization_id = $1 AND parent_id = $2")
                .bind(org)
                .bind(id)
                .fetch_one(&mut *tx)
                .await
                .map_err(err)?;
        if subgroups > 0 {
            return Ok(GroupDeletion::HasSubgroups { subgroups: u64::try_from(subgroups).unwrap_or_default() });
        }
        // Members added before the group was locked (their writers have committed since).
        let members = lock_members(&mut tx, org, id).await?;
        let bumped: Vec<(i64, i64)> = sqlx::query_as(
            "UPDATE contacts SET version = version + 1, last_modified_date = $3, last_modified_by = $4 \
             WHERE organization_id = $1 AND id = ANY($2) AND status = 'A' RETURNING id, version",
        )
        .bind(org)
        .bind(&members)
        .bind(now)
        .bind(&actor.name)
        .fetch_all(&mut *tx)
        .await
        .map_err(err)?;
        // The memberships go with it (the store's, since migration 0011 dropped the cascading key).
        sqlx::query("DELETE FROM group_members WHERE organization_id = $1 AND group_id = $2")
            .bind(org)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        sqlx::query("DELETE FROM groups WHERE organization_id = $1 AND id = $2")
            .bind(org)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        // After the memberships went: an entry records the groups as the transaction leaves them.
        let records: Vec<HistoryRecord> =
            bumped.iter().map(|&(id, version)| HistoryRecord::carried(id, version, Operation::Updated)).collect();
        crate::history::record(&mut tx, org, &records, actor, now).await?;
        tx.commit().await.map_err(err)?;
        Ok(GroupDeletion::Deleted { members: bumped.len() as u64 })
    }

    async fn list_members(
        &self,
        org: i64,
        group_ids: &[i64],
        page: PageRequest,
    ) -> Result<(Vec<Contact>, u64), StoreError> {
        let err = |e| store_error(e, "listing the members of groups");
        let mut tx = self.read_snapshot().await?;
        let total: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM contacts WHERE organization_id = $1 AND status = 'A' AND id IN ( \
                 SELECT contact_id FROM group_members WHERE organization_id = $1 AND group_id = ANY($2))",
        )
        .bind(org)
        .bind(group_ids)
        .fetch_one(&mut *tx)
        .await
        .map_err(err)?;
        let rows: Vec<WholeContactRow> = sqlx::query_as(concat!(
            "SELECT ",
            contact_columns!(),
            ", ",
            contact_children!(),
            " FROM contacts c WHERE c.organization_id = $1 AND c.status = 'A' AND c.id IN ( \
                  SELECT contact_id FROM group_members WHERE organization_id = $1 AND group_id = ANY($2)) \
              ORDER BY c.id LIMIT $3 OFFSET $4"
        ))
        .bind(org)
        .bind(group_ids)
        .bind(i64::from(page.size))
        .bind(i64::from(page.number.saturating_sub(1)) * i64::from(page.size))
        .fetch_all(&mut *tx)
        .await
        .map_err(err)?;
        let contacts: Vec<Contact> = rows.into_iter().map(WholeContactRow::into_contact).collect();
        tx.commit().await.map_err(err)?;
        Ok((contacts, u64::try_from(total).unwrap_or_default()))
    }
}
