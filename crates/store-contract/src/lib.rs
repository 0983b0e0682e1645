//! The contract every store of the contacts ports must pass.
//!
//! A store (PostgreSQL, SQLite, …) implements the ports of
//! [`contacts_application::ports`]; the use cases count on more than the signatures say:
//! the unique externalId per organization (swaps inside one unit of work allowed, a
//! soft-deleted contact's externalId free again), versions stored as the use cases set them,
//! units of work that serialize on the contacts they lock (or fail with
//! [`StoreError::Conflict`](contacts_application::StoreError::Conflict), which the use cases
//! retry), tenancy (another organization's ids are never read, changed or deleted), listing
//! filters, order and paging, catalog ids given or generated, idempotency keys. This crate
//! states that contract once, as generic cases in [`cases`], and
//! [`store_contract_tests!`] runs every case against a store.
//!
//! # Running the suite for a store
//!
//! In an integration test of the store's crate (e.g. `tests/contract.rs`), with this crate as
//! a dev-dependency, write an `async fn` that returns a fresh, migrated, empty store, either as
//! an `Arc<Store>` or as `(Store, guard)`, where the guard is kept alive until the case ends
//! (a `TempDir`, a handle that drops the database…); then:
//!
//! ```ignore
//! async fn fresh_store() -> (SqliteStore, tempfile::TempDir) {
//!     let dir = tempfile::tempdir().unwrap();
//!     let store = SqliteStore::open(dir.path().join("contacts.db")).await.unwrap();
//!     store.migrate().await.unwrap();
//!     (store, dir)
//! }
//!
//! contacts_store_contract::store_contract_tests!(fresh_store);
//! ```
//!
//! This expands into one `#[test]` per case, named after the case, each running the factory
//! and the case on a multi-threaded tokio runtime of its own (so the store's crate needs no
//! tokio of its own for it). A store that does not pass everything yet may list the cases to
//! run: `store_contract_tests!(fresh_store; case_a, case_b)`.
//!
//! # Adding a case
//!
//! 1. Write `pub async fn the_rule_it_checks<S: TestStore>(store: Arc<S>)` in the module of
//!    [`cases`] it belongs to (`src/cases/*.rs`): it starts from an empty store, builds what
//!    it needs through the ports (the [`fixtures`] help) and asserts through the ports, or
//!    the use cases of `contacts_application` on top of them, never through SQL or anything
//!    else particular to one store.
//! 2. Add its name to the list in [`store_contract_tests!`] (between the `cases:begin` and
//!    `cases:end` marks). The test `tests/every_case_is_listed.rs` fails until you do.
//!
//! Every store runs it from then on. What only one store can check (its statements, its
//! plans, its locks) stays in that store's own tests.

use std::future::Future;
use std::sync::Arc;

use contacts_application::ports::{
    CatalogStore, ContactReader, Directory, GroupStore, HistoryStore, IdempotencyStore, UnitOfWork,
};

pub mod backfill;
pub mod cases;
pub mod fixtures;

/// What a store must implement to run the contract: every port.
pub trait TestStore:
    ContactReader
    + UnitOfWork
    + CatalogStore
    + Directory
    + GroupStore
    + IdempotencyStore
    + HistoryStore
    + Send
    + Sync
    + 'static
{
}

impl<T> TestStore for T where
    T: ContactReader
        + UnitOfWork
        + CatalogStore
        + Directory
        + GroupStore
        + IdempotencyStore
        + HistoryStore
        + Send
        + Sync
        + 'static
{
}

/// What a factory of [`store_contract_tests!`] returns: the store, and something to keep
/// alive until the case ends.
pub trait Fixture: Send + 'static {
    type Store: TestStore;
    type Guard: Send + 'static;

    fn into_parts(self) -> (Arc<Self::Store>, Self::Guard);
}

impl<S: TestStore> Fixture for Arc<S> {
    type Store = S;
    type Guard = ();

    fn into_parts(self) -> (Arc<S>, ()) {
        (self, ())
    }
}

impl<S: TestStore, G: Send + 'static> Fixture for (S, G) {
    type Store = S;
    type Guard = G;

    fn into_parts(self) -> (Arc<S>, G) {
        (Arc::new(self.0), self.1)
    }
}

/// Runs one case on a store from `factory`, on a multi-threaded runtime of its own. The guard
/// is dropped after the runtime, outside of it (so that it may block, e.g. to drop a
/// database), unless the case panicked.
#[doc(hidden)]
pub fn run<F, Fut, X, C, CaseFut>(factory: F, case: C)
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = X>,
    X: Fixture,
    C: FnOnce(Arc<X::Store>) -> CaseFut,
    CaseFut: Future<Output = ()>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime for the case");
    let guard = runtime.block_on(async {
        let (store, guard) = factory().await.into_parts();
        case(store).await;
        guard
    });
    drop(runtime);
    drop(guard);
}

/// Expands into one `#[test]` per contract case, each running `$factory().await` for a
/// fresh, migrated, empty store (an `Arc<Store>` or a `(Store, guard)`, see [`Fixture`]) and
/// the case on it. With a list of case names after a `;`, only those.
#[macro_export]
macro_rules! store_contract_tests {
    ($factory:expr) => {
        $crate::store_contract_tests!($factory;
            // cases:begin
            a_new_organization_has_employee_and_the_well_known_paths,
            organizations_take_explicit_or_generated_ids,
            organizations_are_read_by_ids,
            catalog_entries_take_explicit_or_generated_ids,
            a_generated_id_is_past_an_explicit_one,
            duplicate_ids_and_names_are_refused,
            an_unknown_parent_group_is_a_missing_reference,
            users_are_upserted_with_their_grants,
            renames_keep_ids_and_refuse_taken_names,
            an_entry_active_contacts_use_is_not_deleted,
            unused_entries_are_deleted_in_their_organization_only,
            an_attribute_change_that_would_invalidate_stored_values_is_refused,
            a_path_in_use_keeps_its_type_but_may_be_renamed,
            a_unit_of_work_sees_what_a_concurrent_one_committed,
            a_renamed_contact_is_not_locked_under_its_old_externalid,
            concurrent_batches_on_overlapping_contacts_all_commit,
            concurrent_upserts_of_the_same_new_contacts_all_commit,
            a_contact_reads_back_as_written_through_insert_lock_and_update,
            child_rows_grow_shrink_and_change_in_one_unit_of_work,
            the_version_is_stored_as_the_use_case_sets_it,
            a_batch_insert_returns_ascending_ids_in_input_order,
            externalids_swap_inside_one_update,
            a_swap_and_a_rename_onto_a_freed_externalid_in_one_update,
            two_active_contacts_never_hold_one_externalid,
            dropping_a_unit_of_work_rolls_it_back,
            vanished_catalog_entries_are_missing_references,
            memberships_are_added_once_and_removed,
            another_organizations_contacts_are_never_seen,
            pages_are_stable_by_id_with_the_total,
            deleted_contacts_are_hidden_from_every_read_and_free_their_external_id,
            a_deleted_contacts_external_id_is_reusable_by_a_rename,
            another_organizations_contacts_are_never_deleted,
            a_concurrent_delete_skips_what_the_first_deleted,
            groups_are_found_by_id_or_name_in_their_organization_only,
            an_update_keeps_the_id_and_refuses_cycles_duplicates_and_unknown_parents,
            deleting_a_group_removes_its_memberships_and_moves_the_members_versions,
            members_are_listed_by_id_once_each_active_only_and_paged,
            a_finished_key_replays_its_answer_and_refuses_another_request,
            idempotency_keys_are_per_organization,
            an_abandoned_key_can_be_claimed_again,
            a_key_left_in_progress_before_the_bound_is_claimed_anew,
            idempotency_keys_expire_after_24_hours,
            of_concurrent_claims_of_one_key_exactly_one_is_new,
            every_sort_key_pages_through_each_contact_once_ties_broken_by_id,
            filters_combine_with_and_or_or_within_the_organization,
            a_contact_is_found_by_its_external_id_in_its_organization_only,
            batch_versions_are_stored_and_checked,
            batch_external_id_rules,
            item_digests_are_stored_with_their_version,
            contacts_locked_except_some_are_loaded_except_those,
            history_is_read_back_newest_first_with_the_state_before_each_change,
            history_pages_are_cut_newest_first_with_the_total,
            a_history_entry_is_recorded_once,
            any_contact_is_found_by_id_or_external_id_in_its_organization_only,
            a_deleted_contact_is_locked_read_and_revived,
            pruning_keeps_each_contacts_newest_entry,
            before_is_the_previous_version_only,
            deleting_a_group_records_each_members_new_version,
            a_version_is_restored_through_the_use_case,
            tokens_are_found_by_hash_listed_per_organization_and_revoked,
            // cases:end
        );
    };
    ($factory:expr; $($case:ident),+ $(,)?) => {
        $(
            #[test]
            fn $case() {
                $crate::run($factory, $crate::cases::$case);
            }
        )+
    };
}
