//! The server under drill: the `contacts-server` binary as a child process on a store the drill
//! owns (a fresh PostgreSQL database, or an SQLite file in a temp directory), killed and started
//! again on the same data.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use sqlx::Connection;

/// Which store a drill runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum StoreKind {
    Postgres,
    Sqlite,
}

impl StoreKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Postgres => "postgres",
            Self::Sqlite => "sqlite",
        }
    }
}

/// A store of the drill's own, removed when dropped (the PostgreSQL database by
/// [`Store::remove`], which `Drop` cannot await).
pub struct Store {
    pub url: String,
    server_url: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl Store {
    /// A fresh database `drill_<uuid>` on the PostgreSQL server of `server_url`, or a fresh
    /// SQLite file.
    pub async fn create(kind: StoreKind, server_url: &str) -> anyhow::Result<Self> {
        match kind {
            StoreKind::Sqlite => {
                let dir = tempfile::tempdir()?;
                let url = format!("sqlite://{}", dir.path().join("contacts.db").display());
                Ok(Self { url, server_url: None, _dir: Some(dir) })
            }
            StoreKind::Postgres => {
                let name = format!("drill_{}", uuid::Uuid::new_v4().simple());
                let mut conn = sqlx::PgConnection::connect(server_url).await.context("connect to PostgreSQL")?;
                sqlx::query(&format!("CREATE DATABASE \"{name}\"")).execute(&mut conn).await?;
                conn.close().await?;
                Ok(Self { url: with_database(server_url, &name), server_url: Some(server_url.to_owned()), _dir: None })
            }
        }
    }

    /// Drops the PostgreSQL database (closing what is still connected); nothing for SQLite.
    pub async fn remove(self) -> anyhow::Result<()> {
        if let Some(server_url) = &self.server_url {
            let name = self.url.rsplit('/').next().unwrap_or_default().split('?').next().unwrap_or_default();
            let mut conn = sqlx::PgConnection::connect(server_url).await?;
            sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).execute(&mut conn).await?;
            conn.close().await?;
        }
        Ok(())
    }
}

/// `server_url` with its database replaced by `name`.
fn with_database(server_url: &str, name: &str) -> String {
    let (head, query) = match server_url.split_once('?') {
        Some((h, q)) => (h.to_owned(), format!("?{q}")),
        None => (server_url.to_owned(), String::new()),
    };
    let slash = head.rfind('/').filter(|i| *i > "postgres://".len()).unwrap_or(head.len());
    format!("{}/{name}{query}", &head[..slash])
}

/// A running `contacts-server`.
pub struct Server {
    pub base: String,
    child: Child,
}

impl Server {
    /// Runs `contacts-server demo` on `url` (the demo organization and the admin demo/demo).
    pub fn seed(binary: &Path, url: &str) -> anyhow::Result<()> {
        let out = Command::new(binary).arg("demo").env("DATABASE_URL", url).stdin(Stdio::null()).output()?;
        if !out.status.success() {
            bail!("contacts-server demo failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    }

    /// Starts the server on `url`, on a port of its choosing, requests stopped after
    /// `request_timeout` seconds, and waits for `/health/ready`.
    pub async fn start(binary: &Path, url: &str, request_timeout: u64) -> anyhow::Result<Self> {
        let mut child = Command::new(binary)
            .env("DATABASE_URL", url)
            .env("REQUEST_TIMEOUT_SECONDS", request_timeout.to_string())
            .env("LISTEN_ADDR", "127.0.0.1:0")
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "warn,contacts_server=info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("start {}", binary.display()))?;
        let log = child.stderr.take().context("the server's stderr")?;
        let (found, port) = std::sync::mpsc::channel::<String>();
        // Reads the log to its end, so that the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(log).lines().map_while(Result::ok) {
                if line.contains("listen") {
                    if let Some(at) = line.find("127.0.0.1:") {
                        let digits: String = line[at + 10..].chars().take_while(char::is_ascii_digit).collect();
                        let _ = found.send(digits);
                    }
                }
            }
        });
        let port = tokio::task::spawn_blocking(move || port.recv_timeout(Duration::from_secs(60))).await?;
        let Ok(port) = port else {
            let _ = child.kill();
            bail!("contacts-server logged no listen address (the store did not open?)");
        };
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if client.get(format!("{base}/health/ready")).send().await.is_ok_and(|r| r.status().is_success()) {
                return Ok(Self { base, child });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        bail!("contacts-server at {base} never became ready")
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `SIGKILL`, and waits for the process to be gone.
    pub fn kill9(mut self) -> anyhow::Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }

    /// `SIGTERM`; the process is still to be waited for ([`Server::wait`]).
    pub fn terminate(&self) -> anyhow::Result<()> {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status()?;
        if !status.success() {
            bail!("kill -TERM failed");
        }
        Ok(())
    }

    /// Waits at most `limit` for the process to exit: its exit code, `None` if it had not.
    pub async fn wait(mut self, limit: Duration) -> anyhow::Result<Option<i32>> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait()? {
                return Ok(Some(status.code().unwrap_or(-1)));
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        Ok(None)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// `contacts-server` beside the running executable (`target/<profile>/`), if there is one.
pub fn binary_beside() -> Option<PathBuf> {
    let path = std::env::current_exe().ok()?.with_file_name("contacts-server");
    path.is_file().then_some(path)
}

impl Server {
    /// Whether the process is still running (not exited, not restarted).
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

/// A throwaway PostgreSQL cluster of the drill's own (`initdb`, `pg_ctl`), on a free port and
/// a temp directory, stopped and removed when dropped: a drill may stop and start it.
pub struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    /// `runuser -u postgres --` when run as root (initdb refuses root).
    as_user: Vec<String>,
}

impl Cluster {
    /// Initializes and starts a cluster with the PostgreSQL binaries found on `PATH` or under
    /// `/usr/lib/postgresql/<version>/bin` (the newest).
    pub fn start() -> anyhow::Result<Self> {
        let bin = postgres_bin().context(
            "no initdb/pg_ctl found (PATH, /usr/lib/postgresql/*/bin): the pg_restart drill starts a cluster of its own",
        )?;
        let dir = tempfile::Builder::new().prefix("contacts-drill-pg-").tempdir()?;
        let as_user = if is_root() {
            let ok = Command::new("chown").arg("postgres").arg(dir.path()).status()?.success();
            if !ok {
                bail!("initdb cannot run as root, and chown to the user postgres failed (is there one?)");
            }
            vec!["runuser".into(), "-u".into(), "postgres".into(), "--".into()]
        } else {
            Vec::new()
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let cluster = Self { bin, dir, port, as_user };
        let data = cluster.data();
        cluster.run("initdb", &["-D", &data, "-U", "postgres", "-A", "trust", "--no-sync"])?;
        cluster.start_again()?;
        Ok(cluster)
    }

    /// The URL of its `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres?sslmode=disable", self.port)
    }

    /// `pg_ctl stop -m fast`: open connections are ended (their transactions rolled back),
    /// the shutdown checkpoint written; returns once the server is down.
    pub fn stop(&self) -> anyhow::Result<()> {
        self.run("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"])
    }

    /// `pg_ctl start`; returns once it accepts connections.
    pub fn start_again(&self) -> anyhow::Result<()> {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=100",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log");
        self.run("pg_ctl", &["-D", &self.data(), "-o", &options, "-l", &log.display().to_string(), "-w", "start"])
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn run(&self, tool: &str, args: &[&str]) -> anyhow::Result<()> {
        let program = self.bin.join(tool);
        let mut command = match self.as_user.split_first() {
            Some((first, rest)) => {
                let mut c = Command::new(first);
                c.args(rest).arg(&program);
                c
            }
            None => Command::new(&program),
        };
        let out = command.args(args).stdin(Stdio::null()).output().with_context(|| format!("run {tool}"))?;
        if !out.status.success() {
            bail!("{tool} {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.run("pg_ctl", &["-D", &self.data(), "-m", "immediate", "-w", "stop"]);
    }
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The directory of `initdb` and `pg_ctl`.
fn postgres_bin() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .find(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file());
    on_path.or_else(|| {
        let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(Result::ok)
            .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
            .filter(|(_, bin)| bin.join("initdb").is_file())
            .collect();
        versions.sort();
        versions.pop().map(|(_, bin)| bin)
    })
}
