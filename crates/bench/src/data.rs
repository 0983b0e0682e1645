//! The benchmark's contacts: one deterministic function of (contact index, round) gives the JSON
//! sent to the API, the values the floors write, and the rows g)'s COPY grows the organization
//! with, so that all write the same data.

use serde_json::{json, Value};

pub const ORG: i64 = 7_000_001;
pub const USER: &str = "bench";
pub const RECORD_TYPES: [i64; 5] = [101, 102, 103, 104, 105];
/// 50 groups: 201..=250.
pub const GROUP_BASE: i64 = 201;
/// 20 attributes: 301..=310 have definedValues (STRING), 311..=315 free STRING, 316..=320 NUMBER.
pub const ATTR_BASE: i64 = 301;
/// 8 paths: 401 email, 402 email2, 403 phone, 404 phone2, 405 sms, 406 sms2, 407 fax, 408 pager.
pub const EMAIL_PATH: i64 = 401;
pub const PHONE_PATH: i64 = 403;
pub const SMS_PATH: i64 = 405;
/// 10 topics: 501..=510.
pub const TOPIC_BASE: i64 = 501;

/// The phone path's quiet time frames of children round `kids` (the first frame starts at
/// 22:00, 21:00 or 20:00: each round moves it).
pub fn quiet_time_frames(kids: u32) -> String {
    let from = 22 - kids % 3;
    format!(
        r#"[{{"days":[1,7],"fromHour":{from},"fromMin":0,"toHour":6,"toMin":30}},{{"days":[2,3,4,5,6],"fromHour":12,"fromMin":0,"toHour":13,"toMin":0}}]"#
    )
}

/// Which values a contact takes: `names` changes `firstName` (a scalar change), `kids` the
/// child rows: the phone number and its quiet time frame, a free-text attribute's value and
/// the address (a deep change, what a directory sync sends when people move or change numbers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Round {
    pub names: u32,
    pub kids: u32,
}

impl Round {
    pub const fn new(names: u32, kids: u32) -> Self {
        Self { names, kids }
    }
}

/// The values of contact `i` in a [`Round`].
pub struct Contact {
    pub external_id: String,
    pub first_name: String,
    pub last_name: String,
    pub record_type: i64,
    pub email: String,
    pub phone: String,
    pub sms: String,
    /// (attribute id, value)
    pub attributes: [(i64, String); 4],
    pub street: String,
    pub lat: f64,
    pub lon: f64,
    pub groups: [i64; 2],
    pub topic: i64,
    /// The phone path's quiet time frames, JSON.
    pub quiet: String,
}

impl Contact {
    pub fn new(i: usize, round: Round) -> Self {
        let n = i as i64;
        let kids = round.kids as usize;
        let defined = |k: i64| (ATTR_BASE + k % 10, format!("v{}", k % 5 + 1));
        let free_string = (ATTR_BASE + 10 + n % 5, if kids == 0 { format!("s{i}") } else { format!("s{i}-{kids}") });
        let number = (ATTR_BASE + 15 + n % 5, format!("{}", n % 1000));
        Self {
            external_id: format!("bench-{i}"),
            first_name: format!("F{}-{i}", round.names),
            last_name: format!("Last{}", i % 997),
            record_type: RECORD_TYPES[i % RECORD_TYPES.len()],
            email: format!("c{i}@example.com"),
            phone: format!("781555{:04}", (i + kids * 1237) % 10_000),
            sms: format!("617555{:04}", (i * 7) % 10_000),
            attributes: [defined(n), defined(n + 5), free_string, number],
            street: format!("{} Main St", (i + kids * 31) % 10_000 + 1),
            lat: 42.0 + ((i + kids * 13) % 1000) as f64 / 1000.0,
            lon: -71.0 - (i % 777) as f64 / 1000.0,
            groups: [GROUP_BASE + n % 50, GROUP_BASE + (n + 25) % 50],
            topic: TOPIC_BASE + n % 10,
            quiet: quiet_time_frames(round.kids),
        }
    }

    /// The full-replace item of the API (with `id` when given).
    pub fn json(&self, id: Option<i64>) -> Value {
        let quiet: Value = serde_json::from_str(&self.quiet).expect("quiet time frames are JSON");
        let mut v = json!({
            "externalId": self.external_id,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "country": "US",
            "timezoneId": "America/New_York",
            "recordTypeId": self.record_type,
            "paths": [
                {"pathId": EMAIL_PATH, "value": self.email},
                {"pathId": PHONE_PATH, "value": self.phone, "countryCode": "US", "quietTimeFrames": quiet},
                {"pathId": SMS_PATH, "value": self.sms, "countryCode": "US"},
            ],
            "contactAttributes": self.attributes.iter()
                .map(|(id, value)| json!({"orgAttrId": id, "values": [value]}))
                .collect::<Vec<_>>(),
            "address": [{
                "locationName": "Home", "streetAddress": self.street, "city": "Boston", "state": "MA",
                "postalCode": "02110", "country": "US", "gisLocation": {"lat": self.lat, "lon": self.lon},
            }],
            "groups": self.groups,
            "topics": [self.topic],
        });
        if let Some(id) = id {
            v["id"] = json!(id);
        }
        v
    }

    /// Appends this contact's rows, in COPY text format, to the buffer of each table.
    pub fn copy_rows(&self, id: i64, now_ms: i64, out: &mut CopyBuffers) {
        use std::fmt::Write;
        let _ = writeln!(
            out.contacts,
            "{ORG}\t{id}\t{}\t{}\t{}\tUS\tAmerica/New_York\t{}\tA\t1\t{now_ms}\t{USER}\t{now_ms}\t{USER}",
            self.external_id, self.first_name, self.last_name, self.record_type
        );
        let _ = writeln!(out.paths, "{ORG}\t{id}\t0\t{EMAIL_PATH}\t{}\t\\N\t[]", self.email);
        let _ = writeln!(out.paths, "{ORG}\t{id}\t1\t{PHONE_PATH}\t{}\tUS\t{}", self.phone, self.quiet);
        let _ = writeln!(out.paths, "{ORG}\t{id}\t2\t{SMS_PATH}\t{}\tUS\t[]", self.sms);
        for (pos, (attr, value)) in self.attributes.iter().enumerate() {
            let _ = writeln!(out.attributes, "{ORG}\t{id}\t{pos}\t{attr}\t[\"{value}\"]");
        }
        let _ = writeln!(
            out.addresses,
            "{ORG}\t{id}\t0\tHome\t{}\tBoston\tMA\t02110\tUS\t{}\t{}",
            self.street, self.lat, self.lon
        );
        let _ = writeln!(out.topics, "{ORG}\t{id}\t0\t{}", self.topic);
        for g in self.groups {
            let _ = writeln!(out.groups, "{ORG}\t{g}\t{id}");
        }
    }
}

/// One COPY payload per table.
#[derive(Default)]
pub struct CopyBuffers {
    pub contacts: String,
    pub paths: String,
    pub attributes: String,
    pub addresses: String,
    pub topics: String,
    pub groups: String,
}

impl CopyBuffers {
    /// (table suffix, column list, payload), in foreign-key order.
    pub fn tables(&self) -> [(&'static str, &'static str, &str); 6] {
        [
            (
                "contacts",
                "organization_id, id, external_id, first_name, last_name, country, timezone_id, record_type_id, \
                 status, version, created_date, created_by, last_modified_date, last_modified_by",
                &self.contacts,
            ),
            (
                "contact_paths",
                "organization_id, contact_id, position, path_id, value, country_code, quiet_time_frames",
                &self.paths,
            ),
            ("contact_attributes", "organization_id, contact_id, position, attribute_id, \"values\"", &self.attributes),
            (
                "contact_addresses",
                "organization_id, contact_id, position, location_name, street_address, city, state, postal_code, \
                 country, lat, lon",
                &self.addresses,
            ),
            ("contact_topics", "organization_id, contact_id, position, topic_id", &self.topics),
            ("group_members", "organization_id, group_id, contact_id", &self.groups),
        ]
    }
}
