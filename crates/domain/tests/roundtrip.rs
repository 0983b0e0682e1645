//! Property: a contact read back ([`full_input`]) and sent back whole is `unchanged`, in both
//! update modes; sent onto any other contact, it yields exactly that contact.

mod common;

use std::collections::BTreeSet;

use common::*;
use contacts_domain::{
    apply, full_input, Address, Contact, ContactAttribute, ContactData, ContactPath, GeoPoint, QuietTimeFrame,
    UpdateMode,
};
use proptest::prelude::*;
use proptest::sample::{select, subsequence};

const ZONES: [&str; 5] = ["America/New_York", "Europe/Paris", "Asia/Shanghai", "UTC", "Australia/Lord_Howe"];

fn opt_text(pattern: &'static str) -> impl Strategy<Value = Option<String>> {
    proptest::option::of(pattern)
}

fn frame() -> impl Strategy<Value = QuietTimeFrame> {
    (opt_text("\\PC{0,20}"), proptest::collection::vec(1u8..=7, 1..=7), 0u8..=23, 0u8..=59, 0u8..=23, 0u8..=59)
        .prop_map(|(name, days, from_hour, from_min, to_hour, to_min)| QuietTimeFrame {
            name,
            days,
            from_hour,
            from_min,
            to_hour,
            to_min,
        })
}

/// `(value, countryCode, skipValidation)` valid for a phone-like path.
fn phone_value() -> impl Strategy<Value = (String, Option<String>, Option<bool>)> {
    let checked = proptest::option::of(Just(false));
    prop_oneof![
        ("[0-9]{4}", checked.clone()).prop_map(|(n, s)| (format!("+1781555{n}"), None, s)),
        ("[0-9]{4}", checked.clone()).prop_map(|(n, s)| (format!("781555{n}"), Some("US".into()), s)),
        ("[0-9]{4}", checked.clone()).prop_map(|(n, s)| (format!("+1781555{n}"), Some("US".into()), s)),
        ("[0-9]{4}", checked).prop_map(|(n, s)| (format!("1752588{n}"), Some("CN".into()), s)),
        // Not checked, not normalised: kept as written.
        ("[0-9 ()+.-]{0,12}[0-9a-z]", select(vec![None, Some("US"), Some("CN")])).prop_map(|(v, c)| (
            v,
            c.map(Into::into),
            Some(true)
        )),
    ]
}

/// `(value, countryCode, skipValidation)` valid for an e-mail path.
fn email_value() -> impl Strategy<Value = (String, Option<String>, Option<bool>)> {
    prop_oneof![
        ("[a-z0-9]{1,5}([._+-][a-z0-9]{1,5})?@[a-z]{1,10}\\.(com|org|io)", proptest::option::of(Just(false)))
            .prop_map(|(v, s)| (v, None, s)),
        "[a-z @]{0,10}[a-z]".prop_map(|v| (v, None, Some(true))),
    ]
}

fn path(path_id: i64) -> impl Strategy<Value = ContactPath> {
    let value = if path_id == EMAIL { email_value().boxed() } else { phone_value().boxed() };
    (
        value,
        opt_text("[0-9]{1,5}"),
        proptest::option::of(0i64..=600),
        proptest::option::of(any::<bool>()),
        proptest::collection::vec(frame(), 0..=2),
    )
        .prop_map(
            move |((value, country_code, skip_validation), phone_ext, wait_time, path_enable, quiet_time_frames)| {
                ContactPath {
                    path_id,
                    value,
                    country_code,
                    phone_ext,
                    wait_time,
                    path_enable,
                    skip_validation,
                    quiet_time_frames,
                }
            },
        )
}

fn paths() -> impl Strategy<Value = Vec<ContactPath>> {
    subsequence(vec![PHONE, EMAIL, HOME_PHONE, SMS], 0..=4)
        .prop_shuffle()
        .prop_flat_map(|ids| ids.into_iter().map(path).collect::<Vec<_>>())
}

fn attribute_values(id: i64) -> BoxedStrategy<Vec<String>> {
    let many = |s: BoxedStrategy<String>| proptest::collection::vec(s, 0..=3).boxed();
    match id {
        ATTR1 => subsequence(vec!["option1", "option2", "option3"], 0..=3)
            .prop_map(|v| v.into_iter().map(String::from).collect())
            .boxed(),
        ATTR_LEVEL => many("-?[0-9]{1,5}(\\.[0-9]{1,3})?".boxed()),
        ATTR_ON_CALL => many(select(vec!["true", "false", "TRUE", "False"]).prop_map(String::from).boxed()),
        ATTR_HIRED => many(
            prop_oneof![
                (1900i32..=2100, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
                (0i64..=4_102_444_800_000).prop_map(|ms| ms.to_string()),
            ]
            .boxed(),
        ),
        _ => many("\\PC{0,20}".boxed()),
    }
}

fn attributes() -> impl Strategy<Value = Vec<ContactAttribute>> {
    subsequence(vec![ATTR1, ATTR_LEVEL, ATTR_ON_CALL, ATTR_HIRED, ATTR_NOTE], 0..=5).prop_shuffle().prop_flat_map(
        |ids| {
            ids.into_iter()
                .map(|id| attribute_values(id).prop_map(move |values| ContactAttribute { attribute_id: id, values }))
                .collect::<Vec<_>>()
        },
    )
}

fn address() -> impl Strategy<Value = Address> {
    (
        (
            opt_text("\\PC{0,200}"),
            opt_text("[0-9]{1,4} [A-Za-zé ]{1,40}"),
            opt_text("[A-Z0-9]{0,6}"),
            opt_text("[A-Za-zéü' -]{0,40}"),
        ),
        (
            opt_text("[A-Z]{2}|[A-Za-z ]{0,40}"),
            opt_text("[0-9A-Z -]{0,10}"),
            proptest::option::of(select(vec!["US", "CN", "FR", "DE", "JP"])),
            proptest::option::of((-90.0f64..=90.0, -180.0f64..=180.0)),
        ),
    )
        .prop_map(|((location_name, street_address, suite, city), (state, postal_code, country, gis))| Address {
            location_name,
            street_address,
            suite,
            city,
            state,
            postal_code,
            country: country.map(Into::into),
            gis_location: gis.and_then(|(lat, lon)| GeoPoint::new(lat, lon)),
        })
}

prop_compose! {
    fn names()(
        external_id in "[A-Za-z0-9][A-Za-z0-9 _.@é日-]{0,49}",
        first_name in "[A-Za-zé][A-Za-zé' -]{0,99}",
        last_name in "[A-Za-z日][A-Za-z日' -]{0,99}",
        middle_initial in opt_text("[A-Zé]"),
        suffix in opt_text("[A-Za-z.]{0,10}"),
        record_type_id in select(vec![EMPLOYEE, CONTRACTOR]),
    ) -> (String, String, String, Option<String>, Option<String>, i64) {
        (external_id, first_name, last_name, middle_initial, suffix, record_type_id)
    }
}

prop_compose! {
    fn scalars()(
        country in opt_text("[A-Z]{2}"),
        business_name in opt_text("\\PC{0,30}"),
        language in opt_text("[a-z]{2}"),
        preferred_language in opt_text("[a-z]{2}-[A-Z]{2}"),
        sso_user_id in opt_text("\\PC{0,30}"),
        security_pin in opt_text("[0-9]{4,8}"),
        registered_email in opt_text("[a-z]{1,8}@[a-z]{1,8}\\.example\\.org"),
        account_id in proptest::option::of(any::<i64>()),
        vip in proptest::option::of(any::<bool>()),
        expatriate in proptest::option::of(any::<bool>()),
        timezone_id in proptest::option::of(select(ZONES.to_vec())),
    ) -> ContactData {
        ContactData {
            country, business_name, language, preferred_language, sso_user_id, security_pin,
            registered_email, account_id, vip, expatriate,
            timezone_id: timezone_id.map(Into::into),
            ..ContactData::default()
        }
    }
}

prop_compose! {
    /// A valid stored contact over the fixture catalog.
    fn contact()(
        (external_id, first_name, last_name, middle_initial, suffix, record_type_id) in names(),
        scalars in scalars(),
        paths in paths(),
        attributes in attributes(),
        addresses in proptest::collection::vec(address(), 0..=2),
        topics in subsequence(vec![TOPIC_WEATHER, TOPIC_TRAFFIC, TOPIC_SECURITY], 0..=3).prop_shuffle(),
        groups in subsequence(vec![1i64, 2, 3], 0..=3),
        zone in select(ZONES.to_vec()),
        id in 1i64..1_000_000,
        version in 1i64..100,
    ) -> Contact {
        let mut data = ContactData {
            external_id, first_name, last_name, middle_initial, suffix, record_type_id,
            paths, attributes, addresses, topics,
            ..scalars
        };
        // A contact with a quiet time frame has a time zone.
        if data.paths.iter().any(|p| !p.quiet_time_frames.is_empty()) && data.timezone_id.is_none() {
            data.timezone_id = Some(zone.into());
        }
        Contact {
            id,
            organization_id: 7,
            data,
            groups: groups.into_iter().collect(),
            version,
            ..Contact::default()
        }
    }
}

const MODES: [UpdateMode; 2] = [UpdateMode::Full, UpdateMode::Partial];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// §3.3 with §1 ("clients GET a contact and PUT it back whole"): the full representation
    /// of a contact, applied to it, is unchanged, in both modes.
    #[test]
    fn full_input_sent_back_is_unchanged(c in contact()) {
        let catalog = catalog();
        let item = full_input(&c, &catalog);
        for mode in MODES {
            let applied = apply(Some(&c), &item, &catalog, mode)
                .unwrap_or_else(|e| panic!("{mode:?}: a valid contact sent back fails: {e:#?}"));
            prop_assert_eq!(&applied.data, &c.data, "{:?}", mode);
            prop_assert!(!applied.changed, "{:?}: reported as changed", mode);
            prop_assert!(applied.new_groups.is_empty(), "{:?}", mode);
        }
    }

    /// The full representation is complete: applied onto any other contact (or as a new
    /// one), in either mode, it yields exactly that contact, and joins only missing groups.
    #[test]
    fn full_input_onto_another_contact_yields_it(c in contact(), other in contact()) {
        let catalog = catalog();
        let item = full_input(&c, &catalog);
        for mode in MODES {
            let applied = apply(Some(&other), &item, &catalog, mode)
                .unwrap_or_else(|e| panic!("{mode:?}: fails onto another contact: {e:#?}"));
            prop_assert_eq!(&applied.data, &c.data, "{:?}", mode);
            let missing: Vec<i64> = c.groups.difference(&other.groups).copied().collect();
            prop_assert_eq!(&applied.new_groups, &missing, "{:?}", mode);
            prop_assert_eq!(applied.changed, other.data != c.data || !missing.is_empty(), "{:?}", mode);

            let created = apply(None, &item, &catalog, mode)
                .unwrap_or_else(|e| panic!("{mode:?}: fails as a new contact: {e:#?}"));
            prop_assert_eq!(&created.data, &c.data, "{:?}", mode);
            prop_assert!(created.changed);
            let all: BTreeSet<i64> = created.new_groups.iter().copied().collect();
            prop_assert_eq!(&all, &c.groups, "{:?}", mode);
        }
    }
}
