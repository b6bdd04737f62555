//! `switchboard keys rotate`: re-seals every stored secret under the key ring's first key.
//!
//! Each row is re-sealed on its own and only if it still holds what was read, so the command
//! is idempotent, safe to interrupt and to run again, and never overwrites a credential
//! changed meanwhile (that row is simply already current, or is picked up on the next run).

use crate::crypto::KeyRing;
use crate::services::channels::seal_context;
use crate::store::Store;

/// What a rotation did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct RotationReport {
    pub examined: u64,
    pub resealed: u64,
    pub already_current: u64,
    /// Rows changed by someone else during the run; run again to cover them.
    pub skipped_concurrent: u64,
    /// Rows that could not be opened, with the reason (naming the missing key id).
    pub failures: Vec<String>,
}

const PAGE: u64 = 200;

pub async fn rotate(store: &Store, keys: &KeyRing) -> anyhow::Result<RotationReport> {
    let system = store.system();
    let mut report = RotationReport::default();
    let mut after = None;
    loop {
        let records = system.channels_page(after, PAGE).await?;
        let Some(last) = records.last() else { break };
        after = Some((last.tenant, last.id));
        for record in records {
            report.examined += 1;
            let current = keys.is_current(&record.sealed_token)
                && record
                    .sealed_secret
                    .as_deref()
                    .is_none_or(|s| keys.is_current(s));
            if current {
                report.already_current += 1;
                continue;
            }
            let reseal = |sealed: &str, secret: bool| -> Result<String, String> {
                let context = seal_context(&record, secret);
                let plain = keys
                    .open(context, sealed)
                    .map_err(|e| format!("channel {} ({}): {e}", record.id, context.field))?;
                Ok(keys.seal(context, &plain))
            };
            let token = reseal(&record.sealed_token, false);
            let secret = record
                .sealed_secret
                .as_deref()
                .map(|s| reseal(s, true))
                .transpose();
            match (token, secret) {
                (Ok(token), Ok(secret)) => {
                    if system
                        .reseal_channel(&record, &token, secret.as_deref())
                        .await?
                    {
                        report.resealed += 1;
                    } else {
                        report.skipped_concurrent += 1;
                    }
                }
                (Err(e), _) | (_, Err(e)) => report.failures.push(e),
            }
        }
    }
    reseal_webhooks(store, keys, &mut report).await?;
    Ok(report)
}

/// Re-seals outgoing webhook endpoints' signing secrets (and a previous one still
/// overlapping) like channels' credentials.
async fn reseal_webhooks(
    store: &Store,
    keys: &KeyRing,
    report: &mut RotationReport,
) -> anyhow::Result<()> {
    use crate::services::webhooks::seal_context;
    let queue = store.webhook_queue();
    let mut after = None;
    loop {
        let page = queue.endpoints_page(after, PAGE).await?;
        let Some((_, last)) = page.last() else { break };
        after = Some(last.id);
        for (tenant, endpoint) in page {
            report.examined += 1;
            let current = keys.is_current(&endpoint.sealed_secret)
                && endpoint
                    .sealed_previous_secret
                    .as_deref()
                    .is_none_or(|s| keys.is_current(s));
            if current {
                report.already_current += 1;
                continue;
            }
            let reseal = |sealed: &str, previous: bool| -> Result<String, String> {
                let context = seal_context(tenant, endpoint.id, previous);
                let plain = keys.open(context, sealed).map_err(|e| {
                    format!("webhook endpoint {} ({}): {e}", endpoint.id, context.field)
                })?;
                Ok(keys.seal(context, &plain))
            };
            let secret = reseal(&endpoint.sealed_secret, false);
            let previous = endpoint
                .sealed_previous_secret
                .as_deref()
                .map(|s| reseal(s, true))
                .transpose();
            match (secret, previous) {
                (Ok(secret), Ok(previous)) => {
                    if queue
                        .reseal(tenant, &endpoint, &secret, previous.as_deref())
                        .await?
                    {
                        report.resealed += 1;
                    } else {
                        report.skipped_concurrent += 1;
                    }
                }
                (Err(e), _) | (_, Err(e)) => report.failures.push(e),
            }
        }
    }
    Ok(())
}
