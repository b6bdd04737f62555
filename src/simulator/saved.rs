//! The simulator's memory across restarts: customers, open windows, callback URLs,
//! templates and sent messages in one JSON file, rewritten atomically (a temporary file in
//! the same folder, then a rename) whenever it changed.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::{Customer, Simulator};
use crate::fakes::meta::MetaSnapshot;
use crate::fakes::twilio::TwilioSnapshot;

/// The file's content.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    pub customers: Vec<Customer>,
    #[serde(default)]
    pub said: Vec<super::phone::Said>,
    #[serde(default)]
    pub read: std::collections::BTreeSet<String>,
    pub twilio: TwilioSnapshot,
    pub meta: MetaSnapshot,
}

impl Saved {
    fn of(sim: &Simulator) -> Self {
        Self {
            customers: sim.customers(),
            said: sim.said(),
            read: sim.read_ids(),
            twilio: sim.twilio.snapshot(),
            meta: sim.meta.snapshot(),
        }
    }
}

/// Reads the file at `path`, if there is one.
pub fn load(path: &Path) -> anyhow::Result<Option<Saved>> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    serde_json::from_slice(&bytes).map(Some).with_context(|| {
        format!(
            "{} is not the simulator's state; move it away or start with --no-state",
            path.display()
        )
    })
}

/// Puts the saved state back into a freshly started simulator.
pub fn restore(sim: &Simulator, saved: Saved) {
    sim.twilio.restore(saved.twilio);
    sim.meta.restore(saved.meta);
    for customer in &saved.customers {
        super::phone::apply_failure(sim, customer);
    }
    *sim.customers.lock().unwrap_or_else(|p| p.into_inner()) = saved.customers;
    *sim.said.lock().unwrap_or_else(|p| p.into_inner()) = saved.said;
    *sim.read.lock().unwrap_or_else(|p| p.into_inner()) = saved.read;
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a reader (or a crash)
/// sees the old file or the new one, never half of one.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;

    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let mut file = tempfile::NamedTempFile::new_in(&dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Keeps the file at `path` up to date until the simulator stops: after each change the
/// simulator signals, and at least every second for what Switchboard changed.
pub async fn keep(sim: Arc<Simulator>, path: PathBuf) {
    let mut last = serde_json::to_vec_pretty(&Saved::of(&sim)).unwrap_or_default();
    loop {
        tokio::select! {
            () = sim.changes.notified() => {}
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
        if let Err(e) = save_if_changed(&sim, &path, &mut last) {
            eprintln!(
                "cannot save the simulator's state to {}: {e}",
                path.display()
            );
        }
    }
}

/// Writes the state when it differs from `last`.
pub fn save_if_changed(sim: &Simulator, path: &Path, last: &mut Vec<u8>) -> std::io::Result<()> {
    let bytes = serde_json::to_vec_pretty(&Saved::of(sim)).map_err(std::io::Error::other)?;
    if bytes != *last {
        write_atomically(path, &bytes)?;
        *last = bytes;
    }
    Ok(())
}
