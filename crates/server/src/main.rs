use anyhow::Context;
use clap::Parser;
use contacts_application::auth::{hash_password, Role};
use contacts_server::config::{redacted, Cli, Command, OrgCommand, ServeArgs, UserCommand};
use contacts_server::tokens;
use serde_json::json;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    contacts_server::allocator::return_freed_memory_soon();
    let cli = Cli::parse();
    init_logging(&cli.log_format);
    if let Err(e) = run(cli).await {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn init_logging(format: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let url = cli.store.url()?;
    let store = contacts_server::open_store(&url, cli.store.db_max_connections).await?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(store, &url, cli.serve).await,
        Command::Org(OrgCommand::Create { name, id }) => {
            let org = store.create_organization(id, &name).await?;
            println!("{}", json!({"id": org.id, "name": org.name}));
            Ok(())
        }
        Command::User(UserCommand::Create { org, username, password, role }) => {
            let role = Role::parse(&role).context("role must be admin, editor or viewer")?;
            store.organization(org).await?.with_context(|| format!("organization {org} does not exist"))?;
            let hash = hash_password(&password)?;
            let id = store.upsert_user(&username, &hash, org, role).await?;
            println!("{}", json!({"id": id, "username": username, "organizationId": org, "role": role.as_str()}));
            Ok(())
        }
        Command::Token(command) => {
            println!("{}", tokens::run(&*store, command, contacts_application::now_millis()).await?);
            Ok(())
        }
        Command::Demo => {
            let demo = contacts_server::demo::ensure(&*store).await?;
            println!("{demo}");
            Ok(())
        }
    }
}

async fn serve(store: std::sync::Arc<dyn contacts_server::Store>, url: &str, args: ServeArgs) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&args.listen_addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen_addr))?;
    tracing::info!(
        listen = %listener.local_addr()?,
        database = %redacted(url),
        max_batch_size = args.max_batch_size,
        max_body_bytes = args.max_body_bytes,
        history_retention_days = args.history_retention_days,
        "contacts-server is serving"
    );
    let services = contacts_server::services(store, &args);
    let retention = contacts_server::retention::spawn(services.history.clone(), args.history_retention_days);
    contacts_server::serve(listener, services, shutdown_signal()).await?;
    if let Some(task) = retention {
        task.abort();
    }
    tracing::info!("stopped");
    Ok(())
}

/// SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: draining in-flight requests");
}
