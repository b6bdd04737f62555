//! First start with no setup: the data directory, development keys written there, and a
//! platform admin.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use chrono::Utc;
use zeroize::Zeroizing;

use crate::config::Config;
use crate::crypto::Secret;
use crate::crypto::{random_token, KeyRing, PasswordHasher};
use crate::domain::{Email, NewPassword};
use crate::store::Store;

/// The e-mail of the admin made on first start when `SWITCHBOARD_ADMIN_EMAIL` is unset.
pub const DEFAULT_ADMIN_EMAIL: &str = "admin@switchboard.local";

/// Creates the data directory and fills in the key ring and JWT secret from files there,
/// generating them (mode 0600) when neither the configuration nor a file has them.
pub fn prepare_data_dir(config: &mut Config) -> anyhow::Result<()> {
    keep_new_files_private();
    fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating the data directory {}", config.data_dir.display()))?;
    make_private(&config.data_dir)?;
    if config.master_keys.is_none() {
        let path = config.data_dir.join("master.keys");
        let text = read_or_generate(&path, || KeyRing::generate_text("dev1"))?;
        KeyRing::parse(&text)
            .with_context(|| format!("reading the key ring in {}", path.display()))?;
        config.master_keys = Some(Secret::new(text.as_str()));
    }
    if config.jwt_secret.is_none() {
        let path = config.data_dir.join("jwt.secret");
        let text = read_or_generate(&path, || Zeroizing::new(random_token(48)))?;
        config.jwt_secret = Some(Secret::new(text.as_str()));
    }
    Ok(())
}

/// Files this process creates from now on (the database, its WAL and journal, media, keys)
/// are readable by its own user only: they hold customers' messages and secrets.
fn keep_new_files_private() {
    #[cfg(unix)]
    {
        rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    }
}

/// Closes the data directory to other users, whatever modes older files inside have. A
/// shared folder (sticky, like `/tmp`) is left as it is, with a warning.
fn make_private(dir: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(dir)
            .with_context(|| format!("reading {}", dir.display()))?
            .permissions()
            .mode();
        if mode & 0o1000 != 0 {
            tracing::warn!(path = %dir.display(), "the data directory is a shared folder; give it a private one");
        } else if mode & 0o077 != 0 {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
                .with_context(|| format!("making {} private (mode 0700)", dir.display()))?;
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

fn read_or_generate(
    path: &Path,
    generate: impl FnOnce() -> Zeroizing<String>,
) -> anyhow::Result<Zeroizing<String>> {
    if path.exists() {
        let text =
            fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        return Ok(Zeroizing::new(text.trim().to_owned()));
    }
    let text = generate();
    write_private(path, &text).with_context(|| format!("writing {}", path.display()))?;
    tracing::warn!(
        path = %path.display(),
        "generated a development secret; set SWITCHBOARD_MASTER_KEYS and SWITCHBOARD_JWT_SECRET in production"
    );
    Ok(text)
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

/// Makes the platform admin when there is none: from the configured e-mail and password,
/// or with a generated password printed once to the terminal.
pub async fn ensure_platform_admin(config: &Config, store: &Store) -> anyhow::Result<()> {
    let system = store.system();
    if system.platform_admin_exists().await? {
        return Ok(());
    }
    let email_text = config.admin_email.as_deref().unwrap_or(DEFAULT_ADMIN_EMAIL);
    let email = Email::parse(email_text)
        .context("SWITCHBOARD_ADMIN_EMAIL is not a valid e-mail address")?;
    let (password, generated) = match &config.admin_password {
        Some(p) => (Zeroizing::new(p.expose().to_owned()), false),
        None => (Zeroizing::new(random_token(18)), true),
    };
    if let Err(e) = NewPassword::parse(&password, email.as_str().split('@').next()) {
        anyhow::bail!("invalid SWITCHBOARD_ADMIN_PASSWORD: it {e}");
    }
    let hash = {
        let password = password.clone();
        tokio::task::spawn_blocking(move || PasswordHasher::new().hash(&password)).await?
    };
    system
        .insert_platform_admin(email.as_str(), &hash, Utc::now())
        .await
        .context("creating the platform admin")?;
    tracing::info!(email = %email.masked(), "platform admin created");
    if generated {
        println!();
        println!("  A platform admin was created. Sign in with:");
        println!("    e-mail:   {email}");
        println!("    password: {}", password.as_str());
        println!("  This password is shown only now.");
        println!();
    }
    Ok(())
}
