//! The history of contacts, written once for both SQL stores (table `contact_history`,
//! migration 0007 of each).
//!
//! **What an entry holds.** One row per contact and version: the operation, when, by whom,
//! the request id, and the contact's state *after* the change: its content (`content`, JSON text,
//! positional arrays: the form [`content_json`] writes) and its group ids (`groups`, a JSON array). The state before a
//! change is the previous row's: a change is stored once, and a history read joins each row to
//! the one before it (a primary key lookup). Content that a change did not touch (a delete, a
//! membership change) is carried forward from the previous row by the insert itself, and the
//! groups are always read from `group_members` as the transaction leaves them: no contact has
//! to be loaded to record its deletion.
//!
//! **The dialect seam.** The statements are the same in both stores but for the two fragments
//! of [`Dialect`]: how the bound rows are read (`UNNEST` of arrays in PostgreSQL, `json_each` of
//! one JSON array in SQLite) and how group ids are aggregated into JSON. Placeholders are `$n`,
//! which sqlx reads positionally on SQLite too. Whatever binds only scalars runs here, generic
//! over the database ([`page`], [`state`], [`find_any`], [`prune`]).

use std::collections::BTreeSet;

use contacts_application::ports::{HistoryEntry, HistoryRecord, HistoryState, Operation, PageRequest, Recorded};
use contacts_domain::{Contact, ContactData, ContactStatus};
use serde::{Deserialize, Serialize};
use sqlx::{Database, Encode, Executor, FromRow, IntoArguments, Type};

use crate::{address_from, attribute_from, path_from, AddressTuple, AttributeTuple, PathTuple, QuietTimeRef};

/// What differs between the stores in the history statements.
pub trait Dialect {
    /// A `FROM` item named `u`, with the columns `contact_id`, `version`, `operation`,
    /// `content` and `groups` (text holding JSON, NULL when carried), reading the rows bound
    /// from `$5` on.
    const RECORDS: &'static str;
    /// The group ids of contact `u.contact_id` of organization `$1`, ascending, as the text of
    /// a JSON array (`[]` for none).
    const GROUPS: &'static str;
}

/// The insert of history entries (`$1` the organization, `$2` when, `$3` by whom, `$4` the
/// request id, the rows from `$5`): one statement for any number of entries. A carried entry
/// (NULL content) takes the previous entry's content and the group ids as they stand.
pub fn record_sql<D: Dialect>() -> String {
    format!(
        "INSERT INTO contact_history (organization_id, contact_id, version, operation, changed_at, \
             changed_by, request_id, content, groups) \
         SELECT $1, u.contact_id, u.version, u.operation, $2, $3, $4, \
             COALESCE(u.content, (SELECT p.content FROM contact_history p \
                 WHERE p.organization_id = $1 AND p.contact_id = u.contact_id AND p.version = u.version - 1)), \
             COALESCE(u.groups, {groups}) \
         FROM {records}",
        groups = D::GROUPS,
        records = D::RECORDS,
    )
}

/// The entries to record, one list per column (as [`Dialect::RECORDS`] reads them).
#[derive(Debug, Default)]
pub struct RecordColumns {
    pub contact_id: Vec<i64>,
    pub version: Vec<i64>,
    pub operation: Vec<&'static str>,
    /// [`content_json`], or `None` to carry the previous entry's.
    pub content: Vec<Option<String>>,
    /// The group ids as a JSON array, or `None` to read them as the transaction leaves them.
    pub groups: Vec<Option<String>>,
}

impl RecordColumns {
    pub fn new(records: &[HistoryRecord]) -> Self {
        let mut c = Self::default();
        for r in records {
            c.contact_id.push(r.contact_id);
            c.version.push(r.version);
            c.operation.push(r.operation.as_str());
            let (content, groups) = match &r.state {
                Recorded::Known { data, groups } => (Some(content_json(data)), Some(groups_json(groups))),
                Recorded::Carried => (None, None),
            };
            c.content.push(content);
            c.groups.push(groups);
        }
        c
    }
}

/// Group ids as the `groups` column holds them.
fn groups_json(groups: &BTreeSet<i64>) -> String {
    let ids: Vec<String> = groups.iter().map(i64::to_string).collect();
    format!("[{}]", ids.join(","))
}

// The stored content: positional JSON arrays, in the order of the columns they come from (the
// form the PostgreSQL loader aggregates child rows in), led by the format's number. Half the
// size of named keys: every change of a nightly sync writes one, and the history's WAL is what
// it costs (README, History and restore).

/// The format of [`content_json`]: the first element of the array. Format 1 (issue 10) had no
/// `registeredEmail`; format 2 appends it. Both are read.
const CONTENT_FORMAT: u8 = 2;

/// `[format, externalId, firstName, lastName, middleInitial, suffix, country, businessName,
/// timezoneId, language, preferredLanguage, ssoUserId, securityPIN, accountId, vip,
/// expatriate, recordTypeId, paths, attributes, addresses, topics, registeredEmail]`.
#[derive(Debug, Serialize, Deserialize)]
struct ContentJson(
    u8,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<bool>,
    Option<bool>,
    i64,
    Vec<PathTuple>,
    Vec<AttributeTuple>,
    Vec<AddressTuple>,
    Vec<i64>,
    Option<String>,
);

/// A contact's content as `contact_history.content` stores it: [`ContentJson`]'s text,
/// written from borrowed fields (every changed contact of a batch is written once more here;
/// copying its strings first cost about as much as the serializing).
pub fn content_json(d: &ContactData) -> String {
    // Strings, numbers and lists: serializing them cannot fail.
    serde_json::to_string(&ContentRef(d)).unwrap_or_default()
}

/// [`ContentJson`] of a contact, serialized in place.
struct ContentRef<'a>(&'a ContactData);

impl Serialize for ContentRef<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let d = self.0;
        fn s(o: &Option<String>) -> Option<&str> {
            o.as_deref()
        }
        let mut t = serializer.serialize_tuple(22)?;
        t.serialize_element(&CONTENT_FORMAT)?;
        t.serialize_element(&d.external_id)?;
        t.serialize_element(&d.first_name)?;
        t.serialize_element(&d.last_name)?;
        for field in [
            &d.middle_initial,
            &d.suffix,
            &d.country,
            &d.business_name,
            &d.timezone_id,
            &d.language,
            &d.preferred_language,
            &d.sso_user_id,
            &d.security_pin,
        ] {
            t.serialize_element(field)?;
        }
        t.serialize_element(&d.account_id)?;
        t.serialize_element(&d.vip)?;
        t.serialize_element(&d.expatriate)?;
        t.serialize_element(&d.record_type_id)?;
        let paths: Vec<_> = d
            .paths
            .iter()
            .map(|p| {
                let frames: Vec<QuietTimeRef> = p.quiet_time_frames.iter().map(Into::into).collect();
                let (ext, wait) = (s(&p.phone_ext), p.wait_time);
                (p.path_id, p.value.as_str(), s(&p.country_code), ext, wait, p.path_enable, p.skip_validation, frames)
            })
            .collect();
        t.serialize_element(&paths)?;
        let attributes: Vec<_> = d.attributes.iter().map(|a| (a.attribute_id, a.values.as_slice())).collect();
        t.serialize_element(&attributes)?;
        let addresses: Vec<_> = d
            .addresses
            .iter()
            .map(|a| {
                let at = (a.gis_location.map(|g| g.lat()), a.gis_location.map(|g| g.lon()));
                (
                    s(&a.location_name),
                    s(&a.street_address),
                    s(&a.suite),
                    s(&a.city),
                    s(&a.state),
                    s(&a.postal_code),
                    s(&a.country),
                    at.0,
                    at.1,
                )
            })
            .collect();
        t.serialize_element(&addresses)?;
        t.serialize_element(&d.topics)?;
        t.serialize_element(&d.registered_email)?;
        t.end()
    }
}

/// The content `text` holds (as [`content_json`] writes it, or the migration that recorded the
/// contacts stored before history existed); `None` for none, and for content of another format
/// or that does not parse (none is ever written).
pub fn parse_content(text: Option<&str>) -> Option<ContactData> {
    let ContentJson(
        format,
        external_id,
        first_name,
        last_name,
        middle_initial,
        suffix,
        country,
        business_name,
        timezone_id,
        language,
        preferred_language,
        sso_user_id,
        security_pin,
        account_id,
        vip,
        expatriate,
        record_type_id,
        paths,
        attributes,
        addresses,
        topics,
        registered_email,
    ) = serde_json::from_value(upgraded(serde_json::from_str(text?).ok()?)?).ok()?;
    if format != CONTENT_FORMAT {
        return None;
    }
    Some(ContactData {
        external_id,
        first_name,
        last_name,
        middle_initial,
        suffix,
        country,
        business_name,
        timezone_id,
        language,
        preferred_language,
        sso_user_id,
        security_pin,
        account_id,
        vip,
        expatriate,
        record_type_id,
        paths: paths.into_iter().map(path_from).collect(),
        attributes: attributes.into_iter().map(attribute_from).collect(),
        addresses: addresses.into_iter().map(address_from).collect(),
        topics,
        registered_email,
    })
}

/// Content of an earlier format in the current one: format 1 gets `registeredEmail` `null`.
/// `None` for a format this code does not know.
fn upgraded(mut content: serde_json::Value) -> Option<serde_json::Value> {
    let items = content.as_array_mut()?;
    match items.first().and_then(serde_json::Value::as_u64) {
        Some(1) => {
            items[0] = CONTENT_FORMAT.into();
            items.push(serde_json::Value::Null);
        }
        Some(f) if f == u64::from(CONTENT_FORMAT) => {}
        _ => return None,
    }
    Some(content)
}

/// Group ids as the `groups` column holds them (a JSON array); none when it does not parse.
fn parse_groups(text: Option<&str>) -> BTreeSet<i64> {
    text.and_then(|t| serde_json::from_str::<Vec<i64>>(t).ok()).unwrap_or_default().into_iter().collect()
}

/// The columns of an entry, as selected by `entry_columns!` (the JSON columns as text).
#[derive(Debug, FromRow)]
pub struct EntryColumns {
    version: i64,
    operation: String,
    changed_at: i64,
    changed_by: String,
    request_id: Option<String>,
    content: Option<String>,
    groups: Option<String>,
}

/// The columns of [`EntryColumns`] from the history row `h`, as a literal for `concat!`.
macro_rules! entry_columns {
    ($h:literal, $prefix:literal) => {
        concat!(
            $h,
            ".version AS ",
            $prefix,
            "version, ",
            $h,
            ".operation AS ",
            $prefix,
            "operation, ",
            $h,
            ".changed_at AS ",
            $prefix,
            "changed_at, ",
            $h,
            ".changed_by AS ",
            $prefix,
            "changed_by, ",
            $h,
            ".request_id AS ",
            $prefix,
            "request_id, ",
            "CAST(",
            $h,
            ".content AS TEXT) AS ",
            $prefix,
            "content, ",
            "CAST(",
            $h,
            ".groups AS TEXT) AS ",
            $prefix,
            "groups"
        )
    };
}

impl EntryColumns {
    fn state(self) -> Option<HistoryState> {
        Some(HistoryState {
            version: self.version,
            operation: Operation::parse(&self.operation)?,
            changed_at: self.changed_at,
            changed_by: self.changed_by,
            request_id: self.request_id,
            data: parse_content(self.content.as_deref()),
            groups: parse_groups(self.groups.as_deref()),
        })
    }
}

/// An entry of a history page: the row, the one before it, and the contact's identity.
#[derive(Debug, FromRow)]
pub struct PageRow {
    #[sqlx(flatten)]
    entry: EntryColumns,
    before_version: Option<i64>,
    before_operation: Option<String>,
    before_changed_at: Option<i64>,
    before_changed_by: Option<String>,
    before_request_id: Option<String>,
    before_content: Option<String>,
    before_groups: Option<String>,
    organization_id: i64,
    contact_id: i64,
    created_date: i64,
    created_by: String,
}

/// A page of a contact's history (`$1` organization, `$2` contact, `$3` limit, `$4` offset),
/// newest first, each row with the one before it.
const PAGE: &str = concat!(
    "SELECT ",
    entry_columns!("h", ""),
    ", ",
    entry_columns!("p", "before_"),
    ", c.organization_id, c.id AS contact_id, c.created_date, c.created_by \
     FROM contact_history h \
     JOIN contacts c ON c.organization_id = h.organization_id AND c.id = h.contact_id \
     LEFT JOIN contact_history p ON p.organization_id = h.organization_id \
         AND p.contact_id = h.contact_id AND p.version = h.version - 1 \
     WHERE h.organization_id = $1 AND h.contact_id = $2 \
     ORDER BY h.version DESC LIMIT $3 OFFSET $4"
);

/// How many entries the history of a contact holds.
const COUNT: &str = "SELECT count(*) FROM contact_history WHERE organization_id = $1 AND contact_id = $2";

/// The entry of `$2` of organization `$1` at version `$3` (the newest when `$3` is NULL).
const STATE: &str = concat!(
    "SELECT ",
    entry_columns!("h", ""),
    " FROM contact_history h WHERE h.organization_id = $1 AND h.contact_id = $2 \
       AND (CAST($3 AS BIGINT) IS NULL OR h.version = $3) \
     ORDER BY h.version DESC LIMIT 1"
);

/// The contact of organization `$1` whose externalId is `$2`: the active one holding it, else
/// the soft-deleted one that held it last. A statement to embed (`WHERE id = (...)`).
pub const FIND_BY_EXTERNAL_ID: &str = "SELECT found.id FROM ( \
         SELECT id, 0 AS deleted, 0 AS at FROM contacts \
         WHERE organization_id = $1 AND status = 'A' AND external_id = $2 \
         UNION ALL \
         SELECT id, 1 AS deleted, last_modified_date AS at FROM contacts \
         WHERE organization_id = $1 AND status = 'D' AND deleted_external_id = $2 \
     ) AS found ORDER BY found.deleted, found.at DESC, found.id DESC LIMIT 1";

/// A contact of organization `$1` by id `$2`, any status.
const FIND_BY_ID: &str = "SELECT id FROM contacts WHERE organization_id = $1 AND id = $2";

/// Makes the soft-deleted contact `$2` of `$1` active again under the externalId `$3`.
pub const REVIVE: &str = "UPDATE contacts SET status = 'A', external_id = $3, deleted_external_id = NULL \
     WHERE organization_id = $1 AND id = $2 AND status = 'D'";

/// Deletes at most `$2` entries recorded before `$1` that are not their contact's newest.
const PRUNE: &str = "DELETE FROM contact_history WHERE (organization_id, contact_id, version) IN ( \
         SELECT h.organization_id, h.contact_id, h.version FROM contact_history h \
         WHERE h.changed_at < $1 AND EXISTS ( \
             SELECT 1 FROM contact_history n WHERE n.organization_id = h.organization_id \
                 AND n.contact_id = h.contact_id AND n.version > h.version) \
         LIMIT $2)";

/// Who an entry is about, as every version of it shows.
struct Identity {
    organization_id: i64,
    contact_id: i64,
    created_date: i64,
    created_by: String,
}

impl Identity {
    /// The contact as the entry `state` left it; `None` for a deletion, and where the content
    /// is not known.
    fn contact(&self, state: HistoryState) -> Option<Contact> {
        if state.operation == Operation::Deleted {
            return None;
        }
        Some(Contact {
            id: self.contact_id,
            organization_id: self.organization_id,
            data: state.data?,
            groups: state.groups,
            status: ContactStatus::Active,
            version: state.version,
            created_date: self.created_date,
            created_by: self.created_by.clone(),
            last_modified_date: state.changed_at,
            last_modified_by: state.changed_by,
        })
    }
}

impl PageRow {
    fn into_entry(self) -> Option<HistoryEntry> {
        let PageRow {
            entry,
            before_version,
            before_operation,
            before_changed_at,
            before_changed_by,
            before_request_id,
            before_content,
            before_groups,
            organization_id,
            contact_id,
            created_date,
            created_by,
        } = self;
        let identity = Identity { organization_id, contact_id, created_date, created_by };
        let before = match (before_version, before_operation, before_changed_at) {
            (Some(version), Some(operation), Some(changed_at)) => EntryColumns {
                version,
                operation,
                changed_at,
                changed_by: before_changed_by.unwrap_or_default(),
                request_id: before_request_id,
                content: before_content,
                groups: before_groups,
            }
            .state()
            .and_then(|s| identity.contact(s)),
            _ => None,
        };
        let state = entry.state()?;
        Some(HistoryEntry {
            version: state.version,
            operation: state.operation,
            changed_at: state.changed_at,
            changed_by: state.changed_by.clone(),
            request_id: state.request_id.clone(),
            before,
            after: identity.contact(state),
        })
    }
}

/// A page of the history of contact `contact_id` of `org`, newest first, and how many entries
/// it has. Run both on one snapshot (a read transaction) for a consistent page.
///
/// # Errors
/// When the database fails.
pub async fn page<DB>(
    conn: &mut DB::Connection,
    org: i64,
    contact_id: i64,
    page: PageRequest,
) -> Result<(Vec<HistoryEntry>, u64), sqlx::Error>
where
    DB: Database,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> <DB as Database>::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> PageRow: FromRow<'r, DB::Row>,
    for<'r> (i64,): FromRow<'r, DB::Row>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    let (total,): (i64,) = sqlx::query_as(COUNT).bind(org).bind(contact_id).fetch_one(&mut *conn).await?;
    let (limit, offset) = (i64::from(page.size), i64::from(page.number.saturating_sub(1)) * i64::from(page.size));
    let rows: Vec<PageRow> =
        sqlx::query_as(PAGE).bind(org).bind(contact_id).bind(limit).bind(offset).fetch_all(&mut *conn).await?;
    let entries = rows.into_iter().filter_map(PageRow::into_entry).collect();
    Ok((entries, u64::try_from(total).unwrap_or_default()))
}

/// The entry of contact `contact_id` of `org` at `version`, or its newest.
///
/// # Errors
/// When the database fails.
pub async fn state<DB>(
    conn: &mut DB::Connection,
    org: i64,
    contact_id: i64,
    version: Option<i64>,
) -> Result<Option<HistoryState>, sqlx::Error>
where
    DB: Database,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Type<DB>,
    for<'q> <DB as Database>::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> EntryColumns: FromRow<'r, DB::Row>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    let row: Option<EntryColumns> =
        sqlx::query_as(STATE).bind(org).bind(contact_id).bind(version).fetch_optional(&mut *conn).await?;
    Ok(row.and_then(EntryColumns::state))
}

/// The id of the contact of `org` named by `target`, whatever its status (see
/// [`FIND_BY_EXTERNAL_ID`]).
///
/// # Errors
/// When the database fails.
pub async fn find_any<DB>(
    conn: &mut DB::Connection,
    org: i64,
    target: &contacts_application::ports::ContactRef,
) -> Result<Option<i64>, sqlx::Error>
where
    DB: Database,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> <DB as Database>::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> (i64,): FromRow<'r, DB::Row>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    use contacts_application::ports::ContactRef;
    let row: Option<(i64,)> = match target {
        ContactRef::Id(id) => sqlx::query_as(FIND_BY_ID).bind(org).bind(*id).fetch_optional(&mut *conn).await?,
        ContactRef::ExternalId(e) => {
            sqlx::query_as(FIND_BY_EXTERNAL_ID).bind(org).bind(e.as_str()).fetch_optional(&mut *conn).await?
        }
    };
    Ok(row.map(|(id,)| id))
}

/// Deletes at most `limit` entries recorded before `before` that are not their contact's newest.
///
/// # Errors
/// When the database fails.
pub async fn prune<DB>(conn: &mut DB::Connection, before: i64, limit: u32) -> Result<u64, sqlx::Error>
where
    DB: Database,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> <DB as Database>::Arguments<'q>: IntoArguments<'q, DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    DB::QueryResult: RowsAffected,
    DB::QueryResult: RowsAffected,
{
    let done = sqlx::query(PRUNE).bind(before).bind(i64::from(limit)).execute(&mut *conn).await?;
    Ok(done.rows())
}

/// The rows a statement changed, whatever the database.
pub trait RowsAffected {
    fn rows(&self) -> u64;
}

impl RowsAffected for sqlx::postgres::PgQueryResult {
    fn rows(&self) -> u64 {
        self.rows_affected()
    }
}

impl RowsAffected for sqlx::sqlite::SqliteQueryResult {
    fn rows(&self) -> u64 {
        self.rows_affected()
    }
}

#[cfg(test)]
mod tests {
    use contacts_domain::{Address, ContactAttribute, ContactPath, GeoPoint, QuietTimeFrame};

    use super::*;

    #[test]
    fn content_reads_back_as_written_every_field() {
        let data = ContactData {
            external_id: "e\"1".into(),
            first_name: "Ünïcode ✓".into(),
            last_name: "L".into(),
            middle_initial: Some("Q".into()),
            suffix: Some("Jr".into()),
            country: Some("US".into()),
            business_name: Some("Acme".into()),
            timezone_id: Some("America/New_York".into()),
            language: Some("en".into()),
            preferred_language: Some("en-US".into()),
            sso_user_id: Some("sso".into()),
            security_pin: Some("1234".into()),
            registered_email: Some("ada@umail.example.edu".into()),
            account_id: Some(-5),
            vip: Some(true),
            expatriate: Some(false),
            record_type_id: 1_533_823_015_714_817,
            paths: vec![ContactPath {
                path_id: 241_901_148_045_319,
                value: "+17815551212".into(),
                country_code: Some("US".into()),
                phone_ext: Some("204".into()),
                wait_time: Some(30),
                path_enable: Some(false),
                skip_validation: Some(true),
                quiet_time_frames: vec![QuietTimeFrame {
                    name: Some("MWF 9-5".into()),
                    days: vec![1, 7],
                    from_hour: 22,
                    from_min: 0,
                    to_hour: 6,
                    to_min: 30,
                }],
            }],
            attributes: vec![ContactAttribute { attribute_id: 9, values: vec!["a".into(), "b".into()] }],
            addresses: vec![
                Address {
                    location_name: Some("HQ".into()),
                    gis_location: GeoPoint::new(42.360_082_1, -71.058_880_1),
                    ..Address::default()
                },
                Address::default(),
            ],
            topics: vec![3, 1],
        };
        let text = content_json(&data);
        // Written in place, the text is the owned form's, which is what reads it back.
        let owned = ContentJson(
            CONTENT_FORMAT,
            data.external_id.clone(),
            data.first_name.clone(),
            data.last_name.clone(),
            data.middle_initial.clone(),
            data.suffix.clone(),
            data.country.clone(),
            data.business_name.clone(),
            data.timezone_id.clone(),
            data.language.clone(),
            data.preferred_language.clone(),
            data.sso_user_id.clone(),
            data.security_pin.clone(),
            data.account_id,
            data.vip,
            data.expatriate,
            data.record_type_id,
            data.paths.iter().map(crate::path_tuple).collect(),
            data.attributes.iter().map(crate::attribute_tuple).collect(),
            data.addresses.iter().map(crate::address_tuple).collect(),
            data.topics.clone(),
            data.registered_email.clone(),
        );
        assert_eq!(text, serde_json::to_string(&owned).unwrap());
        assert_eq!(parse_content(Some(&text)), Some(data));
        // A bare contact is a short row.
        let bare = ContactData {
            external_id: "x".into(),
            first_name: "F".into(),
            last_name: "L".into(),
            record_type_id: 1,
            ..ContactData::default()
        };
        let text = content_json(&bare);
        assert_eq!(
            text,
            r#"[2,"x","F","L",null,null,null,null,null,null,null,null,null,null,null,null,1,[],[],[],[],null]"#
        );
        assert_eq!(parse_content(Some(&text)), Some(bare.clone()));
        // Format 1 (before registeredEmail), as issue 10's entries and the backfill wrote it.
        let v1 = r#"[1,"x","F","L",null,null,null,null,null,null,null,null,null,null,null,null,1,[],[],[],[]]"#;
        assert_eq!(parse_content(Some(v1)), Some(bare));
        // A format this code does not know is not read as one it knows.
        assert_eq!(parse_content(Some(&text.replacen("[2,", "[3,", 1))), None);
        assert_eq!(parse_content(Some(&v1.replacen("[1,", "[0,", 1))), None);
    }

    #[test]
    fn groups_are_a_json_array_read_back_as_written() {
        let groups = BTreeSet::from([7, -1, 30]);
        assert_eq!(groups_json(&groups), "[-1,7,30]");
        assert_eq!(parse_groups(Some(&groups_json(&groups))), groups);
        assert_eq!(groups_json(&BTreeSet::new()), "[]");
    }

    #[test]
    fn unreadable_content_and_groups_read_as_unknown() {
        assert_eq!(parse_content(None), None);
        assert_eq!(parse_content(Some("{")), None);
        assert_eq!(parse_groups(Some("[3,1]")), BTreeSet::from([1, 3]));
        assert_eq!(parse_groups(Some("nope")), BTreeSet::new());
    }
}
