//! What the SQL stores (`contacts-store-postgres`, `contacts-store-sqlite`) share, whatever the
//! dialect: the `contacts` row as read (its `FromRow` is generic over the database), the quiet
//! time frames as stored in JSON, which child tables an update must rewrite, the rows of
//! the item digests, and the history of contacts ([`history`]).

pub mod history;
pub mod idempotency;
pub mod tokens;

use contacts_application::ports::StoredDigest;
use contacts_domain::{
    Address, Contact, ContactAttribute, ContactData, ContactPath, ContactStatus, GeoPoint, QuietTimeFrame,
};
use serde::{Deserialize, Serialize};

/// A quiet time frame as stored in `contact_paths.quiet_time_frames` (a JSON array of these).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuietTimeJson {
    /// Absent in frames stored before names were kept (and in those without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    days: Vec<u8>,
    from_hour: u8,
    from_min: u8,
    to_hour: u8,
    to_min: u8,
}

impl From<&QuietTimeFrame> for QuietTimeJson {
    fn from(f: &QuietTimeFrame) -> Self {
        Self {
            name: f.name.clone(),
            days: f.days.clone(),
            from_hour: f.from_hour,
            from_min: f.from_min,
            to_hour: f.to_hour,
            to_min: f.to_min,
        }
    }
}

/// [`QuietTimeJson`] borrowed from the frame it writes: the same JSON, nothing copied.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuietTimeRef<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    days: &'a [u8],
    from_hour: u8,
    from_min: u8,
    to_hour: u8,
    to_min: u8,
}

impl<'a> From<&'a QuietTimeFrame> for QuietTimeRef<'a> {
    fn from(f: &'a QuietTimeFrame) -> Self {
        Self {
            name: f.name.as_deref(),
            days: &f.days,
            from_hour: f.from_hour,
            from_min: f.from_min,
            to_hour: f.to_hour,
            to_min: f.to_min,
        }
    }
}

impl From<QuietTimeJson> for QuietTimeFrame {
    fn from(f: QuietTimeJson) -> Self {
        Self {
            name: f.name,
            days: f.days,
            from_hour: f.from_hour,
            from_min: f.from_min,
            to_hour: f.to_hour,
            to_min: f.to_min,
        }
    }
}

/// A path as a positional JSON array: `[pathId, value, countryCode, phoneExt, waitTime,
/// pathEnable, skipValidation, quietTimeFrames]`, as PostgreSQL's loader aggregates
/// `contact_paths` and as the history's content stores it.
pub type PathTuple =
    (i64, String, Option<String>, Option<String>, Option<i64>, Option<bool>, Option<bool>, Vec<QuietTimeJson>);

/// An address as a positional JSON array: `[locationName, streetAddress, suite, city, state,
/// postalCode, country, lat, lon]`.
pub type AddressTuple = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<f64>,
    Option<f64>,
);

/// An attribute as a positional JSON array: `[attributeId, values]`.
pub type AttributeTuple = (i64, Vec<String>);

/// The owned form, which the history's test compares its borrowed writer with.
#[cfg(test)]
pub fn path_tuple(p: &ContactPath) -> PathTuple {
    let frames = p.quiet_time_frames.iter().map(Into::into).collect();
    let (ext, wait) = (p.phone_ext.clone(), p.wait_time);
    (p.path_id, p.value.clone(), p.country_code.clone(), ext, wait, p.path_enable, p.skip_validation, frames)
}

pub fn path_from(
    (path_id, value, country_code, phone_ext, wait_time, path_enable, skip_validation, frames): PathTuple,
) -> ContactPath {
    ContactPath {
        path_id,
        value,
        country_code,
        phone_ext,
        wait_time,
        path_enable,
        skip_validation,
        quiet_time_frames: frames.into_iter().map(Into::into).collect(),
    }
}

/// The owned form, which the history's test compares its borrowed writer with.
#[cfg(test)]
pub fn address_tuple(a: &Address) -> AddressTuple {
    (
        a.location_name.clone(),
        a.street_address.clone(),
        a.suite.clone(),
        a.city.clone(),
        a.state.clone(),
        a.postal_code.clone(),
        a.country.clone(),
        a.gis_location.map(|g| g.lat()),
        a.gis_location.map(|g| g.lon()),
    )
}

pub fn address_from(
    (location_name, street_address, suite, city, state, postal_code, country, lat, lon): AddressTuple,
) -> Address {
    Address {
        location_name,
        street_address,
        suite,
        city,
        state,
        postal_code,
        country,
        // Only validated points are written, so a stored pair always makes one.
        gis_location: lat.zip(lon).and_then(|(lat, lon)| GeoPoint::new(lat, lon)),
    }
}

/// The owned form, which the history's test compares its borrowed writer with.
#[cfg(test)]
pub fn attribute_tuple(a: &ContactAttribute) -> AttributeTuple {
    (a.attribute_id, a.values.clone())
}

pub fn attribute_from((attribute_id, values): AttributeTuple) -> ContactAttribute {
    ContactAttribute { attribute_id, values }
}

#[derive(Debug, sqlx::FromRow)]
pub struct ContactRow {
    organization_id: i64,
    pub id: i64,
    external_id: String,
    first_name: String,
    last_name: String,
    middle_initial: Option<String>,
    suffix: Option<String>,
    country: Option<String>,
    business_name: Option<String>,
    timezone_id: Option<String>,
    language: Option<String>,
    preferred_language: Option<String>,
    sso_user_id: Option<String>,
    security_pin: Option<String>,
    registered_email: Option<String>,
    account_id: Option<i64>,
    vip: Option<bool>,
    expatriate: Option<bool>,
    record_type_id: i64,
    status: String,
    version: i64,
    created_date: i64,
    created_by: String,
    last_modified_date: i64,
    last_modified_by: String,
}

impl ContactRow {
    /// The contact without its children (paths, attributes, ... are added by the loader).
    pub fn into_contact(self) -> Contact {
        Contact {
            id: self.id,
            organization_id: self.organization_id,
            data: ContactData {
                external_id: self.external_id,
                first_name: self.first_name,
                last_name: self.last_name,
                middle_initial: self.middle_initial,
                suffix: self.suffix,
                country: self.country,
                business_name: self.business_name,
                timezone_id: self.timezone_id,
                language: self.language,
                preferred_language: self.preferred_language,
                sso_user_id: self.sso_user_id,
                security_pin: self.security_pin,
                registered_email: self.registered_email,
                account_id: self.account_id,
                vip: self.vip,
                expatriate: self.expatriate,
                record_type_id: self.record_type_id,
                ..ContactData::default()
            },
            groups: Default::default(),
            status: if self.status == "D" { ContactStatus::Deleted } else { ContactStatus::Active },
            version: self.version,
            created_date: self.created_date,
            created_by: self.created_by,
            last_modified_date: self.last_modified_date,
            last_modified_by: self.last_modified_by,
        }
    }
}

/// Which child tables of a contact are to be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tables {
    pub paths: bool,
    pub attributes: bool,
    pub addresses: bool,
    pub topics: bool,
}

impl Tables {
    /// Every child table (a new contact, or one whose stored children are not known).
    pub const ALL: Tables = Tables { paths: true, attributes: true, addresses: true, topics: true };

    /// The child tables whose rows differ between `old` and `new`.
    pub fn changed(old: &ContactData, new: &ContactData) -> Self {
        Tables {
            paths: old.paths != new.paths,
            attributes: old.attributes != new.attributes,
            addresses: old.addresses != new.addresses,
            topics: old.topics != new.topics,
        }
    }

    /// The child tables an update to `new` rewrites: those whose rows differ from `stored`, the
    /// content the unit of work knows the contact has; every one when it does not know.
    pub fn to_rewrite(stored: Option<&ContactData>, new: &ContactData) -> Self {
        stored.map_or(Tables::ALL, |old| Tables::changed(old, new))
    }

    /// Per child table, in the order paths, attributes, addresses, topics (the stores' child
    /// deletes), the contacts whose rows there are rewritten.
    pub fn rewritten_ids<'a>(contacts: impl IntoIterator<Item = (i64, &'a Tables)>) -> [Vec<i64>; 4] {
        let mut ids: [Vec<i64>; 4] = Default::default();
        for (id, t) in contacts {
            for (list, rewritten) in ids.iter_mut().zip([t.paths, t.attributes, t.addresses, t.topics]) {
                if rewritten {
                    list.push(id);
                }
            }
        }
        ids
    }
}

/// How one child table's rows of some contacts go from what is stored to what an update sends,
/// row by row, keyed by their natural key (contact id, position): the rows whose content
/// changed, to update in place; the rows past the stored ones, to insert; and for each contact
/// that now has fewer rows, how many it keeps. A row sent as it is stored is not touched: a
/// sync that moves one phone number rewrites one path row, not the contact's three, and an
/// update in place that leaves the indexed columns alone (a value, a quiet time frame) is a
/// heap-only update that checks no foreign key (README, Benchmark).
#[derive(Debug)]
pub struct RowChanges<'a, T> {
    /// (contact id, position, new row) of rows stored at that position with other content.
    pub changed: Vec<(i64, usize, &'a T)>,
    /// (contact id, position, new row) of rows at positions not stored.
    pub added: Vec<(i64, usize, &'a T)>,
    /// (contact id, rows kept): the stored rows from that position on are deleted.
    pub truncated: Vec<(i64, usize)>,
}

impl<T> Default for RowChanges<'_, T> {
    fn default() -> Self {
        Self { changed: Vec::new(), added: Vec::new(), truncated: Vec::new() }
    }
}

impl<'a, T: PartialEq> RowChanges<'a, T> {
    /// Adds contact `id`'s changes from `old` (stored) to `new`.
    pub fn push(&mut self, id: i64, old: &[T], new: &'a [T]) {
        for (position, row) in new.iter().enumerate() {
            match old.get(position) {
                Some(stored) if stored == row => {}
                Some(_) => self.changed.push((id, position, row)),
                None => self.added.push((id, position, row)),
            }
        }
        if old.len() > new.len() {
            self.truncated.push((id, new.len()));
        }
    }

    /// Whether nothing is to be written.
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.added.is_empty() && self.truncated.is_empty()
    }
}

/// The row changes of every child table of an update of contacts whose stored content is known.
#[derive(Debug, Default)]
pub struct ChildChanges<'a> {
    pub paths: RowChanges<'a, ContactPath>,
    pub attributes: RowChanges<'a, ContactAttribute>,
    pub addresses: RowChanges<'a, Address>,
    pub topics: RowChanges<'a, i64>,
}

impl<'a> ChildChanges<'a> {
    /// Adds contact `id`'s changes from `old` (stored) to `new`.
    pub fn push(&mut self, id: i64, old: &ContactData, new: &'a ContactData) {
        self.paths.push(id, &old.paths, &new.paths);
        self.attributes.push(id, &old.attributes, &new.attributes);
        self.addresses.push(id, &old.addresses, &new.addresses);
        self.topics.push(id, &old.topics, &new.topics);
    }
}

/// `(id, external_id, version, input_digest)`, as both stores select them for
/// `UnitOfWork::contact_digests`.
pub type DigestRow = (i64, String, i64, Option<Vec<u8>>);

/// The rows read for `UnitOfWork::contact_digests`; a stored digest of another length (none is
/// ever written) reads as none.
pub fn stored_digests(rows: Vec<DigestRow>) -> Vec<StoredDigest> {
    rows.into_iter()
        .map(|(id, external_id, version, digest)| StoredDigest {
            id,
            external_id,
            version,
            digest: digest.and_then(|d| d.try_into().ok()),
        })
        .collect()
}

#[cfg(test)]
mod row_changes_tests {
    use super::RowChanges;

    /// Each case: stored rows, sent rows → (changed, added, truncated).
    #[test]
    fn rows_are_compared_by_position() {
        type Case = (&'static [i64], &'static [i64], &'static [(usize, i64)], &'static [(usize, i64)], Option<usize>);
        let cases: [Case; 7] = [
            (&[1, 2, 3], &[1, 2, 3], &[], &[], None),
            (&[1, 2, 3], &[1, 9, 3], &[(1, 9)], &[], None),
            (&[1, 2], &[1, 2, 3], &[], &[(2, 3)], None),
            (&[1, 2, 3], &[1], &[], &[], Some(1)),
            (&[1, 2, 3], &[], &[], &[], Some(0)),
            (&[], &[4, 5], &[], &[(0, 4), (1, 5)], None),
            // A row moved up is a change at both positions (the key is the position).
            (&[1, 2, 3], &[2, 3], &[(0, 2), (1, 3)], &[], Some(2)),
        ];
        for (old, new, changed, added, truncated) in cases {
            let mut c = RowChanges::default();
            c.push(7, old, new);
            let got = |rows: &[(i64, usize, &i64)]| rows.iter().map(|(id, p, v)| (*id, *p, **v)).collect::<Vec<_>>();
            let want = |rows: &[(usize, i64)]| rows.iter().map(|(p, v)| (7, *p, *v)).collect::<Vec<_>>();
            assert_eq!(got(&c.changed), want(changed), "changed, {old:?} -> {new:?}");
            assert_eq!(got(&c.added), want(added), "added, {old:?} -> {new:?}");
            assert_eq!(c.truncated, truncated.map(|k| (7, k)).into_iter().collect::<Vec<_>>(), "{old:?} -> {new:?}");
            assert_eq!(c.is_empty(), old == new, "{old:?} -> {new:?}");
        }
    }
}
