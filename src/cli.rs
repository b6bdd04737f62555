//! The command line: `serve` (the default), `migrate`, `schema`, `admin create`, `keys`,
//! `bench` (whose subcommands live in `bench/cli.rs`), and `simulator` (in `simulator/cli.rs`).

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::Utc;
use clap::{Parser, Subcommand};
use zeroize::Zeroizing;

use crate::bench::cli::{bench, AllArgs, BenchAction};
use crate::config::{Config, ConfigError};
use crate::crypto::PasswordHasher;
use crate::domain::{Email, NewPassword};
use crate::simulator::cli::{simulator, SimulatorAction};
use crate::store::Store;

#[derive(Parser)]
#[command(
    name = "switchboard",
    version,
    about = "Multi-tenant WhatsApp integration backend with a GraphQL API"
)]
struct Cli {
    /// A TOML file whose keys mirror the SWITCHBOARD_* variables (`listen = "0.0.0.0:8080"`).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply, revert or list database migrations.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Manage platform admins.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
    /// Local Twilio and Meta stand-ins with demo accounts, and a page to be the customer.
    Simulator {
        #[command(subcommand)]
        action: Option<SimulatorAction>,
    },
    /// Measure throughput and latency (see the README's benchmark section). Without a
    /// subcommand, every measurement on SQLite and on `--postgres-url`, in one table.
    #[command(args_conflicts_with_subcommands = true)]
    Bench {
        #[command(subcommand)]
        action: Option<BenchAction>,
        #[command(flatten)]
        all: AllArgs,
    },
    /// Manage the master key ring.
    Keys {
        #[command(subcommand)]
        action: KeysAction,
    },
}

#[derive(Subcommand)]
enum KeysAction {
    /// Re-seal every stored secret under the first key of SWITCHBOARD_MASTER_KEYS. Safe to
    /// interrupt and run again; afterwards the older keys can be removed from the ring.
    Rotate,
}

#[derive(Subcommand)]
enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Revert the most recent migrations.
    Down {
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// List applied and pending migrations.
    Status,
}

#[derive(Subcommand)]
enum AdminAction {
    /// Create a platform admin. The password is read from SWITCHBOARD_ADMIN_PASSWORD or,
    /// when that is unset, from the first line of standard input; never from arguments.
    Create {
        #[arg(long)]
        email: String,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(err) => return config_failure(&err),
    };
    // Request logs would be measured with the requests; keep a benchmark's output to its
    // figures unless a log level was asked for.
    if matches!(cli.command, Some(Command::Bench { .. }))
        && std::env::var_os("SWITCHBOARD_LOG").is_none()
    {
        config.log_filter = "warn".into();
    }
    let _telemetry = crate::telemetry::init(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("switchboard: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli.command.unwrap_or(Command::Serve), config));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if let Some(config_err) = err.downcast_ref::<ConfigError>() {
                return config_failure(config_err);
            }
            eprintln!("switchboard: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn config_failure(err: &ConfigError) -> ExitCode {
    eprintln!("switchboard: {err}");
    ExitCode::from(2)
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve => serve(config).await,
        Command::Schema => {
            print!("{}", crate::graphql::sdl());
            Ok(())
        }
        Command::Migrate { action } => migrate(config, action).await,
        Command::Admin {
            action: AdminAction::Create { email },
        } => create_admin(config, &email).await,
        Command::Keys {
            action: KeysAction::Rotate,
        } => rotate_keys(config).await,
        Command::Simulator { action } => simulator(action).await,
        Command::Bench { action, all } => bench(action, all).await,
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = crate::app::App::build(config).await?;
    let addr = app.local_addr();
    tracing::info!(address = %addr, "listening");
    println!("Switchboard is running. Open http://{addr}/graphql (GraphiQL) to explore the API.");
    app.run(crate::app::shutdown_signal()).await
}

async fn connect(config: Config) -> anyhow::Result<Store> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating the data directory {}", config.data_dir.display()))?;
    Store::connect(&config.database_url)
        .await
        .context("connecting to the database")
}

async fn migrate(config: Config, action: MigrateAction) -> anyhow::Result<()> {
    let store = connect(config).await?;
    match action {
        MigrateAction::Up => {
            store.migrate_up().await?;
            println!("migrations applied");
        }
        MigrateAction::Down { steps } => {
            store.migrate_down(steps).await?;
            println!("reverted {steps} migration(s)");
        }
        MigrateAction::Status => {
            let (applied, pending) = store.migration_status().await?;
            for name in applied {
                println!("applied  {name}");
            }
            for name in pending {
                println!("pending  {name}");
            }
        }
    }
    store.close().await;
    Ok(())
}

async fn create_admin(config: Config, email: &str) -> anyhow::Result<()> {
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("--email {e}"))?;
    let password = match &config.admin_password {
        Some(p) => Zeroizing::new(p.expose().to_owned()),
        None => {
            if std::io::stdin().is_terminal() {
                eprint!("Password for {email}: ");
            }
            let mut line = Zeroizing::new(String::new());
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("reading the password from standard input")?;
            Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_owned())
        }
    };
    NewPassword::parse(&password, email.as_str().split('@').next())
        .map_err(|e| anyhow::anyhow!("the password {e}"))?;
    let store = connect(config).await?;
    store.migrate_up().await.context("applying migrations")?;
    let hash = tokio::task::spawn_blocking(move || PasswordHasher::new().hash(&password)).await?;
    store
        .system()
        .insert_platform_admin(email.as_str(), &hash, Utc::now())
        .await
        .map_err(|e| anyhow::anyhow!("cannot create the admin: {e}"))?;
    println!("platform admin {email} created");
    store.close().await;
    Ok(())
}

async fn rotate_keys(mut config: Config) -> anyhow::Result<()> {
    crate::bootstrap::prepare_data_dir(&mut config)?;
    let ring = config
        .master_keys
        .as_ref()
        .map(|k| crate::crypto::KeyRing::parse(k.expose()))
        .transpose()?
        .context("no key ring")?;
    let store = connect(config).await?;
    store.migrate_up().await.context("applying migrations")?;
    let report = crate::services::key_rotation::rotate(&store, &ring).await?;
    store.close().await;
    println!(
        "examined {}, re-sealed {}, already under key {:?}: {}, changed during the run: {}",
        report.examined,
        report.resealed,
        ring.primary().id,
        report.already_current,
        report.skipped_concurrent
    );
    for failure in &report.failures {
        eprintln!("cannot re-seal: {failure}");
    }
    if !report.failures.is_empty() {
        anyhow::bail!("{} secret(s) could not be re-sealed", report.failures.len());
    }
    if report.skipped_concurrent > 0 {
        anyhow::bail!("some secrets changed during the run; run the command again");
    }
    Ok(())
}
