//! The floors: the minimal SQL of a change on the same rows ([`update_round`]), with no HTTP,
//! JSON, validation, reads or history; and the bulk load (COPY) that grows the organization for g).

use std::time::{Duration, Instant};

use sqlx::{Connection, PgConnection};

use crate::data::{Contact, CopyBuffers};

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
            let mut contact = Contact::new(first + chunk_no * batch + k, crate::data::Round::new(0, 0));
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

/// The floor of an update round: the minimal SQL that leaves the contact tables as the server's
/// round of `round` leaves them, on the same rows, one transaction per `batch` contacts, from
/// `sessions` connections taking batches in turn. Scalar (`deep` false): one `UPDATE ... FROM
/// UNNEST` of `contacts` (`first_name`, and the version and last-modified stamps every change
/// moves). Deep: that `UPDATE` without `first_name`, and the changed child rows updated in
/// place, one statement per child table: the phone path's value and quiet time frames, the
/// free-text attribute's values, the address's street and position. No history, no reads, no
/// checks: the server does all that on top, so server time / floor time is ≥ 1 by
/// construction. The digest of the last item sent is cleared (as a change through the API
/// leaves a new one), so that the next round through the API does not take the floor's rows
/// for an unchanged resend. Payloads are built before the clock starts.
pub async fn update_round(
    url: &str,
    ids: &std::sync::Arc<Vec<i64>>,
    batch: usize,
    round: crate::data::Round,
    deep: bool,
    sessions: usize,
) -> anyhow::Result<crate::load::Run> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    struct Chunk {
        ids: Vec<i64>,
        first_names: Vec<String>,
        phones: Vec<String>,
        quiet: Vec<sqlx::types::Json<serde_json::Value>>,
        values: Vec<sqlx::types::Json<serde_json::Value>>,
        streets: Vec<String>,
        lats: Vec<f64>,
    }
    let chunks: Vec<Chunk> = (0..ids.len().div_ceil(batch))
        .map(|c| {
            let range = c * batch..((c + 1) * batch).min(ids.len());
            let contacts: Vec<Contact> = range.clone().map(|i| Contact::new(i, round)).collect();
            Chunk {
                ids: ids[range].to_vec(),
                first_names: contacts.iter().map(|k| k.first_name.clone()).collect(),
                phones: contacts.iter().map(|k| k.phone.clone()).collect(),
                quiet: contacts
                    .iter()
                    .map(|k| sqlx::types::Json(serde_json::from_str(&k.quiet).expect("quiet time frames are JSON")))
                    .collect(),
                values: contacts.iter().map(|k| sqlx::types::Json(serde_json::json!([k.attributes[2].1]))).collect(),
                streets: contacts.iter().map(|k| k.street.clone()).collect(),
                lats: contacts.iter().map(|k| k.lat).collect(),
            }
        })
        .collect();
    let (chunks, next) = (Arc::new(chunks), Arc::new(AtomicUsize::new(0)));
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_millis() as i64;
    let mut conns = Vec::new();
    for _ in 0..sessions {
        conns.push(PgConnection::connect(url).await?);
    }
    let start = Instant::now();
    let mut tasks = Vec::new();
    for mut conn in conns {
        let (chunks, next, latencies) = (chunks.clone(), next.clone(), latencies.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(c) = chunks.get(k) else { break };
                let t = Instant::now();
                let mut tx = conn.begin().await?;
                if deep {
                    sqlx::query(
                        "UPDATE contacts AS c SET version = c.version + 1, input_digest = NULL, \
                             last_modified_date = $2, last_modified_by = $3 \
                         FROM UNNEST($4::bigint[]) AS u(id) WHERE c.organization_id = $1 AND c.id = u.id",
                    )
                    .bind(crate::data::ORG)
                    .bind(now_ms)
                    .bind(crate::data::USER)
                    .bind(&c.ids)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "UPDATE contact_paths AS p SET value = u.value, quiet_time_frames = u.quiet \
                         FROM UNNEST($2::bigint[], $3::text[], $4::jsonb[]) AS u(id, value, quiet) \
                         WHERE p.organization_id = $1 AND p.contact_id = u.id AND p.position = 1",
                    )
                    .bind(crate::data::ORG)
                    .bind(&c.ids)
                    .bind(&c.phones)
                    .bind(&c.quiet)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "UPDATE contact_attributes AS a SET \"values\" = u.v \
                         FROM UNNEST($2::bigint[], $3::jsonb[]) AS u(id, v) \
                         WHERE a.organization_id = $1 AND a.contact_id = u.id AND a.position = 2",
                    )
                    .bind(crate::data::ORG)
                    .bind(&c.ids)
                    .bind(&c.values)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "UPDATE contact_addresses AS d SET street_address = u.street, lat = u.lat \
                         FROM UNNEST($2::bigint[], $3::text[], $4::double precision[]) AS u(id, street, lat) \
                         WHERE d.organization_id = $1 AND d.contact_id = u.id AND d.position = 0",
                    )
                    .bind(crate::data::ORG)
                    .bind(&c.ids)
                    .bind(&c.streets)
                    .bind(&c.lats)
                    .execute(&mut *tx)
                    .await?;
                } else {
                    sqlx::query(
                        "UPDATE contacts AS c SET first_name = u.first_name, version = c.version + 1, \
                             input_digest = NULL, last_modified_date = $2, last_modified_by = $3 \
                         FROM UNNEST($4::bigint[], $5::text[]) AS u(id, first_name) \
                         WHERE c.organization_id = $1 AND c.id = u.id",
                    )
                    .bind(crate::data::ORG)
                    .bind(now_ms)
                    .bind(crate::data::USER)
                    .bind(&c.ids)
                    .bind(&c.first_names)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                latencies.lock().expect("latencies").push(t.elapsed());
            }
            conn.close().await?;
            anyhow::Ok(())
        }));
    }
    for task in futures::future::join_all(tasks).await {
        task??;
    }
    let wall = start.elapsed();
    let mut latencies = std::mem::take(&mut *latencies.lock().expect("latencies"));
    latencies.sort_unstable();
    Ok(crate::load::Run { items: ids.len(), wall, latencies })
}
