//! The floor: the same rows for the same contacts written with COPY, one transaction per batch,
//! with no HTTP, JSON or validation. Also the bulk load that grows the organization for g).

use std::time::{Duration, Instant};

use sqlx::{Connection, Executor, PgConnection};

use crate::data::{Contact, CopyBuffers};

const TABLES: [&str; 6] =
    ["contacts", "contact_paths", "contact_attributes", "contact_addresses", "contact_topics", "group_members"];

/// Scratch copies `floor_<table>` of the six contact tables: same columns, defaults, checks and
/// indexes (primary and unique keys included), and the same foreign keys, the contact ones
/// pointing at `floor_contacts`, the catalog ones at the real catalog.
pub async fn create_tables(conn: &mut PgConnection) -> anyhow::Result<()> {
    for table in TABLES {
        conn.execute(&*format!("CREATE TABLE floor_{table} (LIKE {table} INCLUDING ALL)")).await?;
    }
    let keys = [
        "ALTER TABLE floor_contacts ADD FOREIGN KEY (organization_id) REFERENCES organizations (id)",
        "ALTER TABLE floor_contacts ADD FOREIGN KEY (organization_id, record_type_id) REFERENCES record_types (organization_id, id)",
        "ALTER TABLE floor_contact_paths ADD FOREIGN KEY (organization_id, path_id) REFERENCES contact_paths_def (organization_id, path_id)",
        "ALTER TABLE floor_contact_attributes ADD FOREIGN KEY (organization_id, attribute_id) REFERENCES attribute_defs (organization_id, id)",
        "ALTER TABLE floor_contact_topics ADD FOREIGN KEY (organization_id, topic_id) REFERENCES topics (organization_id, id)",
        "ALTER TABLE floor_group_members ADD FOREIGN KEY (organization_id, group_id) REFERENCES groups (organization_id, id) ON DELETE CASCADE",
    ];
    for key in keys {
        conn.execute(key).await?;
    }
    for table in &TABLES[1..] {
        conn.execute(&*format!(
            "ALTER TABLE floor_{table} ADD FOREIGN KEY (organization_id, contact_id) \
             REFERENCES floor_contacts (organization_id, id) ON DELETE CASCADE"
        ))
        .await?;
    }
    Ok(())
}

/// Fills the floor tables with `n` other contacts (ids from `first_id`, externalIds `w-...`) and
/// analyzes them, so that the measured COPY meets what a) meets: tables holding the
/// organization's contacts, with statistics (on empty, unanalyzed tables the foreign key checks
/// are planned as sequential scans and the floor turns quadratic).
pub async fn fill_tables(conn: &mut PgConnection, n: usize, first_id: i64, batch: usize) -> anyhow::Result<()> {
    let ids: Vec<i64> = (first_id..first_id + n as i64).collect();
    let head = batch.min(ids.len());
    copy_contacts(conn, "floor_", "w-", 0, &ids[..head], batch).await?;
    conn.execute("ANALYZE floor_contacts, floor_contact_paths, floor_contact_attributes, floor_contact_addresses, floor_contact_topics, floor_group_members").await?;
    copy_contacts(conn, "floor_", "w-", head, &ids[head..], batch).await?;
    conn.execute("ANALYZE floor_contacts, floor_contact_paths, floor_contact_attributes, floor_contact_addresses, floor_contact_topics, floor_group_members").await?;
    Ok(())
}

/// Writes contacts `first..first + ids.len()` (contact `first + k` with id `ids[k]`, its
/// externalId prefixed by `tag`) with COPY into `prefix<table>`, one transaction per `batch`
/// contacts. Returns the time spent writing (building the payloads excluded).
pub async fn copy_contacts(
    conn: &mut PgConnection,
    prefix: &str,
    tag: &str,
    first: usize,
    ids: &[i64],
    batch: usize,
) -> anyhow::Result<Duration> {
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis() as i64;
    let mut spent = Duration::ZERO;
    for (chunk_no, chunk) in ids.chunks(batch).enumerate() {
        let mut buffers = CopyBuffers::default();
        for (k, id) in chunk.iter().enumerate() {
            let mut contact = Contact::new(first + chunk_no * batch + k, 0);
            contact.external_id.insert_str(0, tag);
            contact.copy_rows(*id, now_ms, &mut buffers);
        }
        let start = Instant::now();
        let mut tx = conn.begin().await?;
        for (table, columns, payload) in buffers.tables() {
            let mut copy = tx.copy_in_raw(&format!("COPY {prefix}{table} ({columns}) FROM STDIN")).await?;
            copy.send(payload.as_bytes()).await?;
            copy.finish().await?;
        }
        tx.commit().await?;
        spent += start.elapsed();
    }
    Ok(spent)
}
