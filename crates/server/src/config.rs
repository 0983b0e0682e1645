//! Configuration: flags with environment fallbacks (`--help` lists them).

use clap::{Args, Parser, Subcommand};

/// The embedded store's file, under `--data-dir`, used when no `DATABASE_URL` is given.
pub const DEFAULT_SQLITE_FILE: &str = "contacts.db";

#[derive(Debug, Parser)]
#[command(name = "contacts-server", version, about = "An Everbridge-compatible contacts service")]
pub struct Cli {
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub serve: ServeArgs,
    /// Log format: `pretty` for people, `json` for log collectors.
    #[arg(long, env = "LOG_FORMAT", default_value = "pretty", global = true, value_parser = ["pretty", "json"])]
    pub log_format: String,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// The store: `postgres://user@host:port/db` (PostgreSQL) or `sqlite://path/file.db` (the
    /// embedded store). Unset: the SQLite file `contacts.db` under `--data-dir`. Its value is
    /// not shown by `--help`: it may hold a password.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    pub database_url: Option<String>,
    /// Where the embedded store keeps its file when no `DATABASE_URL` is given (created if
    /// missing).
    #[arg(long, env = "DATA_DIR", default_value = ".", global = true)]
    pub data_dir: std::path::PathBuf,
    /// Connections in the database pool.
    #[arg(long, env = "DB_MAX_CONNECTIONS", default_value_t = 16, global = true)]
    pub db_max_connections: u32,
}

impl StoreArgs {
    /// `DATABASE_URL`, else the SQLite file under `--data-dir` (the directory is created).
    ///
    /// # Errors
    /// When the data directory cannot be created.
    pub fn url(&self) -> anyhow::Result<String> {
        if let Some(url) = &self.database_url {
            return Ok(url.clone());
        }
        std::fs::create_dir_all(&self.data_dir)
            .map_err(|e| anyhow::anyhow!("cannot create the data directory {}: {e}", self.data_dir.display()))?;
        Ok(format!("sqlite://{}", self.data_dir.join(DEFAULT_SQLITE_FILE).display()))
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Organizations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Users.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens (`Authorization: Bearer <token>`), for sync jobs and other programs.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Create (or find again) the demo organization of the API documentation's examples,
    /// with a user demo/demo.
    Demo,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "LISTEN_ADDR", default_value = "127.0.0.1:8080", global = true)]
    pub listen_addr: String,
    /// Most items in one batch (413 beyond).
    #[arg(long, env = "MAX_BATCH_SIZE", default_value_t = 10_000, global = true)]
    pub max_batch_size: usize,
    /// Largest request body, in bytes (413 beyond).
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = 64 * 1024 * 1024, global = true)]
    pub max_body_bytes: usize,
    /// Most contacts resolved and written at once over all batches (a batch waits its turn
    /// for one permit per item, the whole budget at most); 0: 1,000 per core (2 cores at least).
    #[arg(long, env = "MAX_ITEMS_IN_FLIGHT", default_value_t = 0, global = true)]
    pub max_items_in_flight: usize,
    /// Days the history of contacts keeps an entry (older ones are pruned in the background,
    /// but never a contact's newest); 0 keeps every entry forever.
    #[arg(long, env = "HISTORY_RETENTION_DAYS", default_value_t = 0, global = true)]
    pub history_retention_days: u32,
    /// Requests per minute allowed to each organization and to each credential (user or
    /// token), per server instance; 0: no limit. Beyond: 429 with `Retry-After`.
    #[arg(long, env = "RATE_LIMIT_PER_MINUTE", default_value_t = 0, global = true)]
    pub rate_limit_per_minute: u32,
    /// Requests a quiet organization or credential may send at once before the per-minute
    /// rate applies; 0: as many as `RATE_LIMIT_PER_MINUTE`.
    #[arg(long, env = "RATE_LIMIT_BURST", default_value_t = 0, global = true)]
    pub rate_limit_burst: u32,
    /// The longest a request may run, in seconds: beyond, it is stopped and answered 503 (its
    /// transaction rolled back). An `Idempotency-Key` that a stopped server left in progress is
    /// free again after twice this time.
    #[arg(long, env = "REQUEST_TIMEOUT_SECONDS", default_value_t = 300, global = true)]
    pub request_timeout_seconds: u64,
    /// Whether batch writes and deletes record their history. Not a setting: always on, but in
    /// the benchmark's measurement of what recording costs.
    #[arg(skip = true)]
    pub record_history: bool,
}

impl Default for ServeArgs {
    fn default() -> Self {
        Self {
            listen_addr: "127.0.0.1:8080".into(),
            max_batch_size: 10_000,
            max_body_bytes: 64 * 1024 * 1024,
            max_items_in_flight: 0,
            history_retention_days: 0,
            rate_limit_per_minute: 0,
            rate_limit_burst: 0,
            request_timeout_seconds: 300,
            record_history: true,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Create an organization, seeded with the record type Employee and the well-known paths.
    Create {
        #[arg(long)]
        name: String,
        /// An explicit id (else one is generated).
        #[arg(long)]
        id: Option<i64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user (or set its password) and grant it a role on an organization.
    Create {
        #[arg(long)]
        org: i64,
        #[arg(long)]
        username: String,
        #[arg(long, env = "CONTACTS_USER_PASSWORD", hide_env_values = true)]
        password: String,
        #[arg(long, value_parser = ["admin", "editor", "viewer"])]
        role: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token with a role on an organization; prints its secret, once: only a hash of
    /// it is stored.
    Create {
        #[arg(long)]
        org: i64,
        #[arg(long, value_parser = ["admin", "editor", "viewer"])]
        role: String,
        /// What changes made with it are recorded as (`changedBy`: `token:<name>`); one active
        /// token per name and organization. Default: `token-` and a part of its hash.
        #[arg(long)]
        name: Option<String>,
        /// Days until it stops working (default: never; revoke it then).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=36_500))]
        expires_in_days: Option<u32>,
    },
    /// List an organization's tokens (never their secrets).
    List {
        #[arg(long)]
        org: i64,
    },
    /// Revoke a token: it answers 401 from the next request on.
    Revoke {
        #[arg(long)]
        id: i64,
    },
}

/// The database URL with its password hidden, for the start-up log.
pub fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(super::redacted("postgres://u:secret@h:5432/db"), "postgres://u:***@h:5432/db");
        assert_eq!(super::redacted("postgres://u@h/db"), "postgres://u@h/db");
    }
}
