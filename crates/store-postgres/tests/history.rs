//! What only PostgreSQL can check of the history: its migration that records the contacts
//! stored before history existed (the check is `contacts-store-contract`'s, the SQL is this
//! store's). The rules of history are the contract suite's (`tests/contract.rs`).

mod common;

use std::sync::Arc;

use sqlx::PgPool;

/// The statement of the migration, run again on contacts written without history.
const BACKFILL: &str = include_str!("../../../migrations/0008_contact_history_backfill.sql");

#[sqlx::test(migrations = "../../migrations")]
async fn the_migration_records_each_contact_stored_before_history_as_it_reads(pool: PgPool) {
    let store = Arc::new(common::store(pool.clone()));
    contacts_store_contract::backfill::backfilled_entries_hold_each_contacts_current_state(store, || {
        let pool = pool.clone();
        async move {
            sqlx::raw_sql(BACKFILL).execute(&pool).await.expect("the backfill statement");
        }
    })
    .await;
}
