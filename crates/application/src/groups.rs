//! Groups: look up, change and delete a group; add contacts to and remove them from a group;
//! list a group's members. (Creating and listing groups is [`crate::catalog`]'s.)
//!
//! A membership change is a change of the contacts concerned: in one unit of work their rows
//! are locked in id order (as a batch locks them, so the two never deadlock), the memberships
//! written, and every contact whose membership really changed gets a new version; a contact
//! already (or not) in the group is not written.

use std::collections::HashSet;
use std::sync::Arc;

use contacts_domain::{Catalog, Contact, Group};

use crate::catalog::{id_ok, name_ok, Invalid};
use crate::ports::{
    Actor, CatalogStore, ContactUpdate, GroupDeletion, GroupStore, GroupUpdate, HistoryRecord, Operation, PageRequest,
    StoreError, UnitOfWork,
};
use crate::retry::ATTEMPTS;

/// How a request names a group: `byType=id` / `queryType=id`, or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupKey {
    Id(i64),
    Name(String),
}

impl std::fmt::Display for GroupKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GroupKey::Id(id) => write!(f, "{id}"),
            GroupKey::Name(name) => f.write_str(name),
        }
    }
}

/// The contacts a membership call names (`idType=id|externalId`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactRefs {
    Ids(Vec<i64>),
    ExternalIds(Vec<String>),
}

impl ContactRefs {
    /// How many contacts are named (repeats included).
    pub fn len(&self) -> usize {
        match self {
            ContactRefs::Ids(ids) => ids.len(),
            ContactRefs::ExternalIds(e) => e.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Add to, or remove from, a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipChange {
    Add,
    Remove,
}

/// Why a group call did nothing.
#[derive(Debug, thiserror::Error)]
pub enum GroupError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("Group {0} not found.")]
    NotFound(GroupKey),
    #[error("Group {group} is the parent of {subgroups} groups; delete or move them first")]
    HasSubgroups { group: i64, subgroups: u64 },
    #[error("Group {parent} cannot be the parent of group {group}: it is the group itself or one of its subgroups")]
    Cycle { group: i64, parent: i64 },
    /// Some contacts named are not active contacts of the organization.
    #[error("contactIds invalid to the organization {org}")]
    ContactsInvalid { org: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The group use cases.
#[derive(Clone)]
pub struct GroupService {
    groups: Arc<dyn GroupStore>,
    catalog: Arc<dyn CatalogStore>,
    uow: Arc<dyn UnitOfWork>,
}

impl GroupService {
    pub fn new(groups: Arc<dyn GroupStore>, catalog: Arc<dyn CatalogStore>, uow: Arc<dyn UnitOfWork>) -> Self {
        Self { groups, catalog, uow }
    }

    /// The group `key` of `org`, if any.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn find(&self, org: i64, key: &GroupKey) -> Result<Option<Group>, StoreError> {
        Ok(self.find_all(org, std::slice::from_ref(key)).await?.pop().flatten())
    }

    /// The groups `keys` of `org`, in the order of `keys` (`None` for those that do not exist).
    async fn find_all(&self, org: i64, keys: &[GroupKey]) -> Result<Vec<Option<Group>>, StoreError> {
        let (mut ids, mut names) = (Vec::new(), Vec::new());
        for key in keys {
            match key {
                GroupKey::Id(id) => ids.push(*id),
                GroupKey::Name(name) => names.push(name.clone()),
            }
        }
        let found = self.groups.find_groups(org, &ids, &names).await?;
        Ok(keys
            .iter()
            .map(|key| {
                found
                    .iter()
                    .find(|g| match key {
                        GroupKey::Id(id) => g.id == *id,
                        GroupKey::Name(name) => g.name == *name,
                    })
                    .cloned()
            })
            .collect())
    }

    /// The groups `keys` of `org`, in order.
    async fn resolve(&self, org: i64, keys: &[GroupKey]) -> Result<Vec<Group>, GroupError> {
        let found = self.find_all(org, keys).await?;
        keys.iter().zip(found).map(|(key, g)| g.ok_or_else(|| GroupError::NotFound(key.clone()))).collect()
    }

    /// Replaces the name, parent (`None`: top level) and description of the group `group.id`.
    ///
    /// # Errors
    /// An invalid name; no such group; a name taken; a parent that does not exist, or that is
    /// the group or one of its subgroups.
    pub async fn update(&self, org: i64, group: Group) -> Result<Group, GroupError> {
        name_ok("name", &group.name, 200)?;
        id_ok("id", group.id)?;
        let (id, parent) = (group.id, group.parent_id);
        match self.groups.update_group(org, group).await? {
            GroupUpdate::Updated(g) => Ok(g),
            GroupUpdate::NotFound => Err(GroupError::NotFound(GroupKey::Id(id))),
            GroupUpdate::Cycle => Err(GroupError::Cycle { group: id, parent: parent.unwrap_or_default() }),
        }
    }

    /// Deletes the group `id` and its memberships; returns how many contacts were members.
    ///
    /// # Errors
    /// No such group; it has subgroups (nothing deleted).
    pub async fn delete(&self, org: i64, id: i64, actor: &Actor) -> Result<u64, GroupError> {
        let mut attempt = 1;
        loop {
            match self.groups.delete_group(org, id, actor, crate::now_millis()).await {
                Ok(GroupDeletion::Deleted { members }) => return Ok(members),
                Ok(GroupDeletion::NotFound) => return Err(GroupError::NotFound(GroupKey::Id(id))),
                Ok(GroupDeletion::HasSubgroups { subgroups }) => {
                    return Err(GroupError::HasSubgroups { group: id, subgroups })
                }
                Err(StoreError::Conflict) if attempt < ATTEMPTS => {
                    crate::retry::after_conflict(attempt, "group deletion").await;
                    attempt += 1;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Adds `contacts` to, or removes them from, the group `group`; returns how many contacts
    /// changed. All or nothing: an unknown group or contact changes nothing.
    ///
    /// # Errors
    /// [`GroupError::NotFound`] for a group that does not exist; [`GroupError::ContactsInvalid`]
    /// when any contact named is not an active contact of `org`.
    pub async fn change_members(
        &self,
        org: i64,
        group: &GroupKey,
        contacts: &ContactRefs,
        change: MembershipChange,
        actor: &Actor,
    ) -> Result<usize, GroupError> {
        let group_id = self.resolve(org, std::slice::from_ref(group)).await?[0].id;
        let mut attempt = 1;
        loop {
            match self.change_once(org, group_id, contacts, change, actor).await {
                Err(GroupError::Store(StoreError::Conflict)) if attempt < ATTEMPTS => {
                    crate::retry::after_conflict(attempt, "membership change").await;
                    attempt += 1;
                }
                // The group was deleted meanwhile.
                Err(GroupError::Store(StoreError::MissingReference(_))) => {
                    return Err(GroupError::NotFound(group.clone()))
                }
                outcome => return outcome,
            }
        }
    }

    async fn change_once(
        &self,
        org: i64,
        group_id: i64,
        contacts: &ContactRefs,
        change: MembershipChange,
        actor: &Actor,
    ) -> Result<usize, GroupError> {
        let (ids, external_ids): (Vec<i64>, Vec<String>) = match contacts {
            ContactRefs::Ids(ids) => (dedup(ids), Vec::new()),
            ContactRefs::ExternalIds(e) => (Vec::new(), dedup(e)),
        };
        if ids.is_empty() && external_ids.is_empty() {
            return Ok(0);
        }
        let mut tx = self.uow.begin().await?;
        let locked = tx.lock_contacts(org, &ids, &external_ids).await?;
        if !all_found(&locked, &ids, &external_ids) {
            return Err(GroupError::ContactsInvalid { org });
        }
        let changed: Vec<&Contact> =
            locked.iter().filter(|c| c.groups.contains(&group_id) == (change == MembershipChange::Remove)).collect();
        if changed.is_empty() {
            return Ok(0);
        }
        let memberships: Vec<(i64, i64)> = changed.iter().map(|c| (group_id, c.id)).collect();
        match change {
            MembershipChange::Add => tx.add_memberships(org, &memberships).await?,
            MembershipChange::Remove => tx.remove_memberships(org, &memberships).await?,
        }
        let updates: Vec<ContactUpdate> = changed
            .iter()
            .map(|c| ContactUpdate { id: c.id, data: c.data.clone(), version: c.version + 1, digest: None })
            .collect();
        let now = crate::now_millis();
        tx.update_contacts(org, &updates, &actor.name, now).await?;
        // Only the memberships changed: the content is carried forward by the store.
        let records: Vec<HistoryRecord> =
            updates.iter().map(|u| HistoryRecord::carried(u.id, u.version, Operation::Updated)).collect();
        tx.record_history(org, &records, actor, now).await?;
        tx.commit().await?;
        Ok(changed.len())
    }

    /// A page of the active members of the groups `keys` (a contact in several is listed
    /// once), by id, their total count, and the catalog.
    ///
    /// # Errors
    /// [`GroupError::NotFound`] naming the first group that does not exist.
    pub async fn members(
        &self,
        org: i64,
        keys: &[GroupKey],
        page: PageRequest,
    ) -> Result<(Vec<Contact>, u64, Catalog), GroupError> {
        let ids: Vec<i64> = self.resolve(org, keys).await?.iter().map(|g| g.id).collect();
        let (contacts, total) = self.groups.list_members(org, &ids, page).await?;
        Ok((contacts, total, self.catalog.load_catalog(org).await?))
    }
}

impl From<Invalid> for GroupError {
    fn from(Invalid { field, message }: Invalid) -> Self {
        GroupError::Invalid { field, message }
    }
}

/// `items` without repeats, in first-seen order.
fn dedup<T: Clone + Eq + std::hash::Hash>(items: &[T]) -> Vec<T> {
    let mut seen = HashSet::new();
    items.iter().filter(|i| seen.insert((*i).clone())).cloned().collect()
}

/// Whether every id and externalId asked for is among the `locked` contacts.
fn all_found(locked: &[Contact], ids: &[i64], external_ids: &[String]) -> bool {
    let found_ids: HashSet<i64> = locked.iter().map(|c| c.id).collect();
    let found_external: HashSet<&str> = locked.iter().map(|c| c.data.external_id.as_str()).collect();
    ids.iter().all(|id| found_ids.contains(id)) && external_ids.iter().all(|e| found_external.contains(e.as_str()))
}

#[cfg(test)]
#[path = "groups_tests.rs"]
mod tests;
