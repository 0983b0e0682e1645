//! The server as a child process (the `contacts-server` binary beside this one), so that its
//! own peak memory can be read from /proc/<pid>/status, apart from the load generator's.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context};

pub struct ChildServer {
    pub base: String,
    pub pid: u32,
    child: Child,
}

impl ChildServer {
    /// `contacts-server` beside the running executable (built by
    /// `cargo build --release -p contacts-server`), if there is one.
    pub fn binary() -> Option<std::path::PathBuf> {
        let path = std::env::current_exe().ok()?.with_file_name("contacts-server");
        path.is_file().then_some(path)
    }

    /// Starts it on `database_url`, listening on 127.0.0.1:0, and waits for its `listen=` log line
    /// and then for `/health/ready` (bounded).
    pub async fn start(binary: &std::path::Path, database_url: &str) -> anyhow::Result<Self> {
        let mut child = Command::new(binary)
            .env("DATABASE_URL", database_url)
            .env("LISTEN_ADDR", "127.0.0.1:0")
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "warn,contacts_server=info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("start {}", binary.display()))?;
        let pid = child.id();
        // Its log goes to stderr.
        let log = child.stderr.take().context("the child's stderr")?;
        let (found, port) = std::sync::mpsc::channel::<String>();
        // Reads the log to its end, so that the child never blocks on a full pipe.
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
        let port = tokio::task::spawn_blocking(move || port.recv_timeout(Duration::from_secs(30))).await?;
        let Ok(port) = port else {
            let _ = child.kill();
            bail!("contacts-server logged no listen address");
        };
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        for _ in 0..300 {
            if client.get(format!("{base}/health/ready")).send().await.is_ok_and(|r| r.status().is_success()) {
                return Ok(Self { base, pid, child });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = child.kill();
        bail!("contacts-server at {base} never became ready")
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
