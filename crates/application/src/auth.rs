//! Organizations, users, roles, and password hashing (argon2id).

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

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

impl UserRecord {
    /// The role granted on `org`, if any.
    pub fn role_in(&self, org: i64) -> Option<Role> {
        self.grants.iter().find(|(o, _)| *o == org).map(|(_, r)| *r)
    }
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
    fn roles_order_their_permissions() {
        assert!(Role::Admin.can_change_catalog() && Role::Admin.can_write_contacts());
        assert!(!Role::Editor.can_change_catalog() && Role::Editor.can_write_contacts());
        assert!(!Role::Viewer.can_write_contacts());
        assert_eq!(Role::parse("EDITOR"), Some(Role::Editor));
        assert_eq!(Role::parse("owner"), None);
    }
}
