//! The update semantics of SPEC §3.1–3.4 as one pure function, [`apply`].
//!
//! | field | full: omitted | partial: omitted | present |
//! |---|---|---|---|
//! | scalars | cleared | kept | set (`null` clears) |
//! | `externalId`, `firstName`, `lastName`, record type | 400 (required) | kept | set |
//! | `contactAttributes`, `paths`, `address`, `topics` | all cleared | kept | the list replaces the stored one |
//! | `paths[].quietTimeFrames` | kept for that `pathId` | kept | non-empty replaces, `[]`/`null` clears |
//! | `groups`, `groupsName` | nothing changes | nothing changes | the union is **added**, never removed |

use std::collections::{BTreeSet, HashSet};

use crate::catalog::Catalog;
use crate::contact::{Address, Contact, ContactAttribute, ContactData, ContactPath, GeoPoint, QuietTimeFrame};
use crate::error::{ErrorCode, FieldError, RECORD_TYPE_NOT_FOUND};
use crate::field::Field;
use crate::input::{AddressInput, AttributeInput, ContactInput, PathInput};
use crate::validate::{self, max_len};

/// `updateType`: `full` (the default: an omitted field is cleared) or `partial` (only the
/// fields present change).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UpdateMode {
    #[default]
    Full,
    Partial,
}

/// The outcome of applying an item to a contact.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The contact's content after the update.
    pub data: ContactData,
    /// Groups the contact joins (resolved, sorted, without those it already belongs to).
    pub new_groups: Vec<i64>,
    /// `false` when the result equals the stored contact: nothing to write, no new version.
    pub changed: bool,
}

/// Applies `input` to `stored` (or creates a contact when `stored` is `None`, in which case
/// `mode` is irrelevant: everything omitted is empty), resolving names against `catalog`.
///
/// # Errors
/// Every problem of the item at once, each with the path of its field.
pub fn apply(
    stored: Option<&Contact>,
    input: &ContactInput,
    catalog: &Catalog,
    mode: UpdateMode,
) -> Result<Applied, Vec<FieldError>> {
    let keep = match (mode, stored) {
        (UpdateMode::Partial, Some(c)) => Some(&c.data),
        _ => None,
    };
    let mut errors = Vec::new();
    let e = &mut errors;

    let external_id = required(e, "externalId", &input.external_id, keep.map(|d| &d.external_id), max_len::EXTERNAL_ID);
    let first_name = required(e, "firstName", &input.first_name, keep.map(|d| &d.first_name), max_len::NAME);
    let last_name = required(e, "lastName", &input.last_name, keep.map(|d| &d.last_name), max_len::NAME);
    let middle_initial = scalar(&input.middle_initial, keep.map(|d| &d.middle_initial));
    validate::check_len(e, "middleInitial", middle_initial.as_deref(), max_len::MIDDLE_INITIAL);
    let suffix = scalar(&input.suffix, keep.map(|d| &d.suffix));
    validate::check_len(e, "suffix", suffix.as_deref(), max_len::SUFFIX);
    let timezone_id = scalar(&input.timezone_id, keep.map(|d| &d.timezone_id));
    if let Some(tz) = timezone_id.as_deref() {
        if !validate::is_iana_time_zone(tz) {
            e.push(FieldError::invalid(
                "timezoneId",
                format!("'{tz}' is not an IANA time zone (e.g. America/New_York)"),
            ));
        }
    }
    let registered_email = scalar(&input.registered_email, keep.map(|d| &d.registered_email));
    if let Some(email) = registered_email.as_deref() {
        validate::check_len(e, "registeredEmail", Some(email), max_len::EMAIL);
        if !validate::is_email(email) {
            e.push(FieldError::invalid("registeredEmail", format!("'{email}' is not a valid e-mail address")));
        }
    }
    let record_type_id = record_type(e, input, catalog, keep.map(|d| d.record_type_id));

    let stored_paths = stored.map(|c| c.data.paths.as_slice()).unwrap_or_default();
    let paths = match list(&input.paths, keep.map(|d| &d.paths)) {
        List::Keep(v) => v.clone(),
        List::Clear => Vec::new(),
        List::Replace(items) => resolve_paths(e, items, stored_paths, catalog),
    };
    if timezone_id.is_none() && paths.iter().any(|p| !p.quiet_time_frames.is_empty()) {
        e.push(FieldError::invalid("timezoneId", "timezoneId is required when a path has quietTimeFrames"));
    }
    let attributes = match list(&input.contact_attributes, keep.map(|d| &d.attributes)) {
        List::Keep(v) => v.clone(),
        List::Clear => Vec::new(),
        List::Replace(items) => resolve_attributes(e, items, catalog),
    };
    let addresses = match list(&input.address, keep.map(|d| &d.addresses)) {
        List::Keep(v) => v.clone(),
        List::Clear => Vec::new(),
        List::Replace(items) => items.iter().enumerate().filter_map(|(i, a)| address(e, i, a)).collect(),
    };
    let topics = match list(&input.topics, keep.map(|d| &d.topics)) {
        List::Keep(v) => v.clone(),
        List::Clear => Vec::new(),
        List::Replace(ids) => resolve_topics(e, ids, catalog),
    };
    let joined = resolve_groups(e, input, catalog);

    if !errors.is_empty() {
        return Err(errors);
    }
    let data = ContactData {
        external_id: external_id.unwrap_or_default(),
        first_name: first_name.unwrap_or_default(),
        last_name: last_name.unwrap_or_default(),
        middle_initial,
        suffix,
        country: scalar(&input.country, keep.map(|d| &d.country)),
        business_name: scalar(&input.business_name, keep.map(|d| &d.business_name)),
        timezone_id,
        language: scalar(&input.language, keep.map(|d| &d.language)),
        preferred_language: scalar(&input.preferred_language, keep.map(|d| &d.preferred_language)),
        sso_user_id: scalar(&input.sso_user_id, keep.map(|d| &d.sso_user_id)),
        security_pin: scalar(&input.security_pin, keep.map(|d| &d.security_pin)),
        registered_email,
        account_id: scalar(&input.account_id, keep.map(|d| &d.account_id)),
        vip: scalar(&input.vip, keep.map(|d| &d.vip)),
        expatriate: scalar(&input.expatriate, keep.map(|d| &d.expatriate)),
        record_type_id: record_type_id.unwrap_or_default(),
        paths,
        attributes,
        addresses,
        topics,
    };
    let empty = BTreeSet::new();
    let member_of = stored.map_or(&empty, |c| &c.groups);
    let new_groups: Vec<i64> = joined.into_iter().filter(|g| !member_of.contains(g)).collect();
    let changed = stored.is_none_or(|c| c.data != data) || !new_groups.is_empty();
    Ok(Applied { data, new_groups, changed })
}

/// An optional scalar: a value sets, `null` clears, absence clears (full) or keeps (partial:
/// `keep` is the stored value).
fn scalar<T: Clone>(field: &Field<T>, keep: Option<&Option<T>>) -> Option<T> {
    match field {
        Field::Value(v) => Some(v.clone()),
        Field::Null => None,
        Field::Absent => keep.cloned().flatten(),
    }
}

/// A required string: missing, `null` or blank is an error; so is one longer than `max`.
fn required(
    errors: &mut Vec<FieldError>,
    name: &str,
    field: &Field<String>,
    keep: Option<&String>,
    max: usize,
) -> Option<String> {
    let value = match field {
        Field::Value(v) => Some(v.clone()),
        Field::Null => None,
        Field::Absent => keep.cloned(),
    };
    match value {
        Some(v) if !v.trim().is_empty() => {
            validate::check_len(errors, name, Some(&v), max);
            Some(v)
        }
        _ => {
            errors.push(FieldError::invalid(name, format!("{name} is required")));
            None
        }
    }
}

/// `recordTypeId` wins over `recordTypeName`; one of them is required.
fn record_type(
    errors: &mut Vec<FieldError>,
    input: &ContactInput,
    catalog: &Catalog,
    keep: Option<i64>,
) -> Option<i64> {
    match (&input.record_type_id, &input.record_type_name) {
        (Field::Value(id), _) => {
            let found = catalog.record_type(*id).map(|r| r.id);
            if found.is_none() {
                errors.push(FieldError::new("recordTypeId", ErrorCode::RecordTypeNotFound, RECORD_TYPE_NOT_FOUND));
            }
            found
        }
        (_, Field::Value(name)) => {
            let found = catalog.record_type_named(name).map(|r| r.id);
            if found.is_none() {
                errors.push(FieldError::new("recordTypeName", ErrorCode::RecordTypeNotFound, RECORD_TYPE_NOT_FOUND));
            }
            found
        }
        (Field::Absent, Field::Absent) if keep.is_some() => keep,
        _ => {
            errors.push(FieldError::invalid("recordTypeId", "recordTypeId or recordTypeName is required"));
            None
        }
    }
}

/// What happens to a list field.
enum List<'a, S, I> {
    Keep(&'a S),
    Clear,
    Replace(&'a I),
}

fn list<'a, S, I>(field: &'a Field<I>, keep: Option<&'a S>) -> List<'a, S, I> {
    match (field, keep) {
        (Field::Value(v), _) => List::Replace(v),
        (Field::Null, _) | (Field::Absent, None) => List::Clear,
        (Field::Absent, Some(s)) => List::Keep(s),
    }
}

fn resolve_paths(
    errors: &mut Vec<FieldError>,
    items: &[PathInput],
    stored: &[ContactPath],
    catalog: &Catalog,
) -> Vec<ContactPath> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(items.len());
    for (i, p) in items.iter().enumerate() {
        let at = format!("paths[{i}]");
        let def = match (p.path_id, p.prompt.as_deref()) {
            (Some(id), _) => catalog.path(id).or_else(|| {
                validate::not_found(errors, format!("{at}.pathId"), ErrorCode::PathNotFound, "contact path", &id);
                None
            }),
            (None, Some(prompt)) => catalog.path_prompted(prompt).or_else(|| {
                validate::not_found(errors, format!("{at}.prompt"), ErrorCode::PathNotFound, "contact path", &prompt);
                None
            }),
            (None, None) => {
                errors.push(FieldError::invalid(format!("{at}.pathId"), "pathId or prompt is required"));
                None
            }
        };
        let country_code = p.country_code.as_deref().filter(|c| !c.trim().is_empty()).and_then(|c| {
            let code = validate::country_code(c);
            if code.is_none() {
                errors.push(FieldError::invalid(
                    format!("{at}.countryCode"),
                    format!("'{c}' is not an ISO 3166 alpha-2 country code (e.g. US, CN)"),
                ));
            }
            code
        });
        if let Some(w) = p.wait_time.filter(|w| *w < 0) {
            errors.push(FieldError::invalid(
                format!("{at}.waitTime"),
                format!("waitTime must not be negative (got {w})"),
            ));
        }
        let frames = match &p.quiet_time_frames {
            Field::Absent => def
                .and_then(|d| stored.iter().find(|s| s.path_id == d.path_id))
                .map(|s| s.quiet_time_frames.clone())
                .unwrap_or_default(),
            Field::Null => Vec::new(),
            Field::Value(frames) => frames
                .iter()
                .enumerate()
                .filter_map(|(j, f)| validate::quiet_time_frame(f, &format!("{at}.quietTimeFrames[{j}]"), errors))
                .collect::<Vec<QuietTimeFrame>>(),
        };
        let Some(def) = def else { continue };
        if !seen.insert(def.path_id) {
            errors.push(FieldError::invalid(format!("{at}.pathId"), format!("path {} is given twice", def.path_id)));
        }
        let raw = p.value.as_deref().unwrap_or("");
        if raw.trim().is_empty() {
            errors.push(FieldError::invalid(format!("{at}.value"), "value is required"));
            continue;
        }
        // The stored path's value was checked, by the rules of its path's type (which cannot
        // change while a contact uses it), when it was written: given again with the same
        // countryCode, it needs no second check, whose answer would be the same value.
        let checked_before = || {
            stored.iter().any(|s| {
                s.path_id == def.path_id
                    && s.skip_validation != Some(true)
                    && s.value == raw
                    && s.country_code == country_code
            })
        };
        let value = if p.skip_validation == Some(true) || checked_before() {
            raw.to_owned()
        } else if def.path_type.is_phone_like() {
            match validate::phone_number(raw, country_code.as_deref()) {
                Ok(v) => v,
                Err(msg) => {
                    if p.country_code.as_deref().is_none_or(|c| validate::country_code(c).is_some()) {
                        errors.push(FieldError::invalid(format!("{at}.value"), msg));
                    }
                    continue;
                }
            }
        } else if def.path_type == crate::catalog::PathType::Email && !validate::is_email(raw) {
            errors.push(FieldError::invalid(format!("{at}.value"), format!("'{raw}' is not a valid e-mail address")));
            continue;
        } else {
            raw.to_owned()
        };
        out.push(ContactPath {
            path_id: def.path_id,
            value,
            country_code,
            phone_ext: p.phone_ext.clone(),
            wait_time: p.wait_time,
            path_enable: p.path_enable,
            skip_validation: p.skip_validation,
            quiet_time_frames: frames,
        });
    }
    out
}

fn resolve_attributes(
    errors: &mut Vec<FieldError>,
    items: &[AttributeInput],
    catalog: &Catalog,
) -> Vec<ContactAttribute> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(items.len());
    for (i, a) in items.iter().enumerate() {
        let at = format!("contactAttributes[{i}]");
        let def = match (a.org_attr_id, a.name.as_deref()) {
            (Some(id), _) => catalog.attribute(id).or_else(|| {
                validate::not_found(
                    errors,
                    format!("{at}.orgAttrId"),
                    ErrorCode::AttributeNotFound,
                    "contact attribute",
                    &id,
                );
                None
            }),
            (None, Some(name)) => catalog.attribute_named(name).or_else(|| {
                validate::not_found(
                    errors,
                    format!("{at}.name"),
                    ErrorCode::AttributeNotFound,
                    "contact attribute",
                    &name,
                );
                None
            }),
            (None, None) => {
                errors.push(FieldError::invalid(format!("{at}.orgAttrId"), "orgAttrId or name is required"));
                None
            }
        };
        let Some(def) = def else { continue };
        if !seen.insert(def.id) {
            errors.push(FieldError::invalid(format!("{at}.orgAttrId"), format!("attribute {} is given twice", def.id)));
        }
        for (j, v) in a.values.iter().enumerate() {
            if let Err(msg) = validate::attribute_value(def, v) {
                errors.push(FieldError::new(format!("{at}.values[{j}]"), ErrorCode::AttributeValueNotAllowed, msg));
            }
        }
        out.push(ContactAttribute { attribute_id: def.id, values: a.values.clone() });
    }
    out
}

fn address(errors: &mut Vec<FieldError>, i: usize, a: &AddressInput) -> Option<Address> {
    let at = format!("address[{i}]");
    let before = errors.len();
    for (name, value, max) in [
        ("locationName", &a.location_name, max_len::LOCATION_NAME),
        ("streetAddress", &a.street_address, max_len::STREET_ADDRESS),
        ("city", &a.city, max_len::CITY),
        ("state", &a.state, max_len::STATE),
        ("postalCode", &a.postal_code, max_len::POSTAL_CODE),
    ] {
        validate::check_len(errors, &format!("{at}.{name}"), value.as_deref(), max);
    }
    let country = a.country.as_deref().filter(|c| !c.trim().is_empty()).and_then(|c| {
        let code = validate::country_code(c);
        if code.is_none() {
            errors.push(FieldError::invalid(
                format!("{at}.country"),
                format!("'{c}' is not an ISO 3166 alpha-2 country code"),
            ));
        }
        code
    });
    let gis_location = match &a.gis_location {
        None => None,
        Some(g) => match (g.lat, g.lon) {
            (Some(lat), Some(lon)) => {
                if !(-90.0..=90.0).contains(&lat) {
                    errors.push(FieldError::invalid(
                        format!("{at}.gisLocation.lat"),
                        format!("lat must be in -90..90 (got {lat})"),
                    ));
                }
                if !(-180.0..=180.0).contains(&lon) {
                    errors.push(FieldError::invalid(
                        format!("{at}.gisLocation.lon"),
                        format!("lon must be in -180..180 (got {lon})"),
                    ));
                }
                GeoPoint::new(lat, lon)
            }
            (None, None) => None,
            (lat, _) => {
                let missing = if lat.is_none() { "lat" } else { "lon" };
                errors.push(FieldError::invalid(
                    format!("{at}.gisLocation.{missing}"),
                    format!("{missing} is required with gisLocation"),
                ));
                None
            }
        },
    };
    (errors.len() == before).then(|| Address {
        location_name: a.location_name.clone(),
        street_address: a.street_address.clone(),
        suite: a.suite.clone(),
        city: a.city.clone(),
        state: a.state.clone(),
        postal_code: a.postal_code.clone(),
        country,
        gis_location,
    })
}

fn resolve_topics(errors: &mut Vec<FieldError>, ids: &[i64], catalog: &Catalog) -> Vec<i64> {
    let mut out = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        if catalog.topic(*id).is_none() {
            validate::not_found(errors, format!("topics[{i}]"), ErrorCode::TopicNotFound, "topic", id);
        } else if !out.contains(id) {
            out.push(*id);
        }
    }
    out
}

/// The union of `groups` (ids) and `groupsName` (names), resolved and sorted.
fn resolve_groups(errors: &mut Vec<FieldError>, input: &ContactInput, catalog: &Catalog) -> BTreeSet<i64> {
    let mut out = BTreeSet::new();
    if let Field::Value(ids) = &input.groups {
        for (i, id) in ids.iter().enumerate() {
            match catalog.group(*id) {
                Some(g) => {
                    out.insert(g.id);
                }
                None => validate::not_found(errors, format!("groups[{i}]"), ErrorCode::GroupNotFound, "group", id),
            }
        }
    }
    if let Field::Value(names) = &input.groups_name {
        for (i, name) in names.iter().enumerate() {
            match catalog.group_named(name) {
                Some(g) => {
                    out.insert(g.id);
                }
                None => {
                    validate::not_found(errors, format!("groupsName[{i}]"), ErrorCode::GroupNotFound, "group", name)
                }
            }
        }
    }
    out
}
