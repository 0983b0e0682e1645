//! Organizations, users, API tokens, roles; password hashing (argon2id) and token hashing
//! (SHA-256).

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub id: i64,
    pub name: String,
}

/// What a user may do in an organization it is granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Reads.
    Viewer,
    /// Contacts and group memberships.
    Editor,
    /// Everything, the catalog included.
    Admin,
}

impl Role {
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "admin" => Some(Role::Admin),
            "editor" => Some(Role::Editor),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Viewer => "viewer",
        }
    }

    pub fn can_write_contacts(self) -> bool {
        self >= Role::Editor
    }

    pub fn can_change_catalog(self) -> bool {
        self == Role::Admin
    }
}

/// A user as stored: its password hash (PHC string) and its grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub grants: Vec<(i64, Role)>,
}

/// Who a request authenticated as: a user, or an API token, with the organizations granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The name changes are recorded under (`changedBy`, `lastModifiedName`, the logs): the
    /// username, or `token:<name>` for a token (a username cannot hold a `:`, Basic
    /// credentials split at the first one, so the two never meet).
    pub name: String,
    pub grants: Vec<(i64, Role)>,
}

impl Principal {
    /// The role granted on `org`, if any.
    pub fn role_in(&self, org: i64) -> Option<Role> {
        self.grants.iter().find(|(o, _)| *o == org).map(|(_, r)| *r)
    }
}

impl From<&UserRecord> for Principal {
    fn from(user: &UserRecord) -> Self {
        Self { name: user.username.clone(), grants: user.grants.clone() }
    }
}

/// The prefix of every API token: secret scanners and people can tell one at a glance.
pub const TOKEN_PREFIX: &str = "cst_";

/// An API token as stored: never its secret, only [`token_hash`] of it (kept by the store, not
/// here: nothing read back from the store carries it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub id: i64,
    pub organization_id: i64,
    pub name: String,
    pub role: Role,
    /// Epoch milliseconds.
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl TokenRecord {
    /// Whether the token may be used at `now` (epoch milliseconds): not revoked, not expired.
    pub fn is_valid_at(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|at| now < at)
    }

    /// Who its requests act as: `token:<name>`, granted its one organization.
    pub fn principal(&self) -> Principal {
        Principal { name: format!("token:{}", self.name), grants: vec![(self.organization_id, self.role)] }
    }
}

/// A new token's secret: [`TOKEN_PREFIX`] and 256 random bits in hex. Shown once, when
/// created; the store keeps [`token_hash`] of it.
pub fn generate_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let mut token = String::with_capacity(TOKEN_PREFIX.len() + 64);
    token.push_str(TOKEN_PREFIX);
    for b in bytes {
        token.push_str(&format!("{b:02x}"));
    }
    token
}

/// What the store keeps of a token: the SHA-256 of its text, in hex. A fast hash is right
/// here, unlike for passwords: the token holds 256 random bits, so there is nothing to guess,
/// and a request pays one hash, not argon2's tens of milliseconds.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Hashes a password with argon2id and a random salt, as a PHC string.
///
/// # Errors
/// When the hasher fails (it does not with the default parameters).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

/// Whether `password` matches the PHC string `hash`. A malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_and_no_other() {
        let h = hash_password("s3cret").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("s3cret", &h));
        assert!(!verify_password("s3cret!", &h));
        assert!(!verify_password("s3cret", "not a hash"));
    }

    #[test]
    fn tokens_are_random_prefixed_and_hashed_one_way() {
        let (a, b) = (generate_token(), generate_token());
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX) && a.len() == TOKEN_PREFIX.len() + 64, "{a}");
        assert!(a[TOKEN_PREFIX.len()..].bytes().all(|c| c.is_ascii_hexdigit()));
        // SHA-256 of "abc" (FIPS 180-2's first example).
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_ne!(token_hash(&a), token_hash(&b));
    }

    #[test]
    fn a_token_is_valid_until_revoked_or_expired() {
        let t = TokenRecord {
            id: 7,
            organization_id: 3,
            name: "nightly".into(),
            role: Role::Editor,
            created_at: 1_000,
            expires_at: Some(5_000),
            revoked_at: None,
        };
        assert!(t.is_valid_at(4_999));
        assert!(!t.is_valid_at(5_000));
        assert!(TokenRecord { expires_at: None, ..t.clone() }.is_valid_at(i64::MAX));
        assert!(!TokenRecord { revoked_at: Some(2_000), ..t.clone() }.is_valid_at(1_500));
        let p = t.principal();
        assert_eq!((p.name.as_str(), p.role_in(3), p.role_in(4)), ("token:nightly", Some(Role::Editor), None));
    }

    #[test]
    fn roles_order_their_permissions() {
        assert!(Role::Admin.can_change_catalog() && Role::Admin.can_write_contacts());
        assert!(!Role::Editor.can_change_catalog() && Role::Editor.can_write_contacts());
        assert!(!Role::Viewer.can_write_contacts());
        assert_eq!(Role::parse("EDITOR"), Some(Role::Editor));
        assert_eq!(Role::parse("owner"), None);
    }
}
