//! Groups: lookups, changes to the group tree, and member listings. Membership changes are
//! changes of contacts and go through a [`super::ContactTx`].

use async_trait::async_trait;
use contacts_domain::{Contact, Group};

use super::{Actor, PageRequest, StoreError};

/// What became of an update of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupUpdate {
    Updated(Group),
    /// No such group in the organization.
    NotFound,
    /// Nothing changed: the new parent is the group itself or one of its descendants.
    Cycle,
}

/// What became of a deletion of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupDeletion {
    /// Deleted, with its memberships; `members` active contacts were members (each got a new
    /// version).
    Deleted { members: u64 },
    /// No such group in the organization.
    NotFound,
    /// Nothing deleted: `subgroups` groups have it as their parent.
    HasSubgroups { subgroups: u64 },
}

/// The groups of an organization.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait GroupStore: Send + Sync {
    /// The groups of `org` whose id is in `ids` or whose name is in `names`, by id.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn find_groups(&self, org: i64, ids: &[i64], names: &[String]) -> Result<Vec<Group>, StoreError>;

    /// Replaces the name, parent and description of the group `group.id`; its id stays. The
    /// check that the new parent is not a descendant and the update are one transaction,
    /// serialized with the other changes of `org`'s group tree.
    ///
    /// # Errors
    /// [`StoreError::Duplicate`] when another group of `org` has the name;
    /// [`StoreError::MissingReference`] when the parent does not exist in `org`.
    async fn update_group(&self, org: i64, group: Group) -> Result<GroupUpdate, StoreError>;

    /// Deletes the group `id` and its memberships, unless it has subgroups. Its member contacts
    /// are locked (in id order, before the group, as every contact write does) and each gets a
    /// new version, last modified by `actor` at `now`, recorded in its history (operation
    /// `updated`, content unchanged) in the same transaction.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] on a transient conflict (retry); [`StoreError::Unknown`].
    async fn delete_group(&self, org: i64, id: i64, actor: &Actor, now: i64) -> Result<GroupDeletion, StoreError>;

    /// One page of the active contacts of `org` that are members of any of `group_ids`, by id,
    /// and their total count.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when the store fails.
    async fn list_members(
        &self,
        org: i64,
        group_ids: &[i64],
        page: PageRequest,
    ) -> Result<(Vec<Contact>, u64), StoreError>;
}
