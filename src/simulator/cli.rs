//! `switchboard simulator ...`: its subcommands (run the stand-ins, say something as a
//! customer, review templates) and what each does.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum SimulatorAction {
    /// Run the stand-ins (the default).
    Run {
        #[arg(long, default_value = "127.0.0.1:9100")]
        control: std::net::SocketAddr,
        #[arg(long, default_value = "127.0.0.1:9101")]
        twilio: std::net::SocketAddr,
        #[arg(long, default_value = "127.0.0.1:9102")]
        meta: std::net::SocketAddr,
        /// Approve each submitted template after SECONDS (2 when given without a value).
        #[arg(long, value_name = "SECONDS", num_args = 0..=1, require_equals = true, default_missing_value = "2")]
        auto_approve: Option<f64>,
        /// Where Meta's status and template webhooks go until a customer's message names a
        /// channel: the Meta channel's webhookUrl.
        #[arg(long)]
        meta_webhook_url: Option<String>,
        /// The file that keeps customers, windows, callback URLs, templates and sent messages
        /// across restarts.
        #[arg(long, value_name = "PATH", default_value = "data/simulator.json")]
        state: PathBuf,
        /// Keep no state: every start is a fresh world.
        #[arg(long, conflicts_with = "state")]
        no_state: bool,
    },
    /// List the templates at the stand-ins, or approve, reject or pause one, through a running
    /// simulator.
    Template {
        #[command(subcommand)]
        action: TemplateAction,
    },
    /// Send a message as a customer, through a running simulator.
    Say {
        /// `twilio` or `meta`.
        #[arg(long)]
        provider: String,
        /// The channel's webhookUrl, as Switchboard shows it.
        #[arg(long)]
        webhook_url: String,
        /// The customer's number, E.164.
        #[arg(long, default_value = "+34600000000")]
        from: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        text: String,
        /// The running simulator's control address.
        #[arg(long, default_value = "http://127.0.0.1:9100")]
        control: String,
    },
}

#[derive(Subcommand)]
pub enum TemplateAction {
    /// Every template at the stand-ins, with its status.
    List {
        /// The running simulator's control address.
        #[arg(long, default_value = "http://127.0.0.1:9100")]
        control: String,
    },
    /// Approve the templates called NAME; they can be sent from then on.
    Approve {
        name: String,
        #[command(flatten)]
        target: TemplateTarget,
    },
    /// Reject the templates called NAME.
    Reject {
        name: String,
        /// Why, in Meta's words (INVALID_FORMAT, PROMOTIONAL, …) or your own.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        target: TemplateTarget,
    },
    /// Pause the templates called NAME (as Meta does after poor feedback).
    Pause {
        name: String,
        #[command(flatten)]
        target: TemplateTarget,
    },
}

#[derive(clap::Args)]
pub struct TemplateTarget {
    /// Only this provider's template: `twilio` or `meta`.
    #[arg(long)]
    provider: Option<String>,
    /// Only the template in this language.
    #[arg(long)]
    language: Option<String>,
    /// The Meta channel's webhookUrl, where Meta's template status webhook goes (remembered).
    #[arg(long)]
    webhook_url: Option<String>,
    /// The running simulator's control address.
    #[arg(long, default_value = "http://127.0.0.1:9100")]
    control: String,
}

/// Runs `switchboard simulator [ACTION]`.
pub async fn simulator(action: Option<SimulatorAction>) -> anyhow::Result<()> {
    let action = action.unwrap_or(SimulatorAction::Run {
        control: ([127, 0, 0, 1], 9100).into(),
        twilio: ([127, 0, 0, 1], 9101).into(),
        meta: ([127, 0, 0, 1], 9102).into(),
        auto_approve: None,
        meta_webhook_url: None,
        state: PathBuf::from("data/simulator.json"),
        no_state: false,
    });
    match action {
        SimulatorAction::Run {
            control,
            twilio,
            meta,
            auto_approve,
            meta_webhook_url,
            state,
            no_state,
        } => {
            let auto_approve = auto_approve
                .map(|secs| {
                    std::time::Duration::try_from_secs_f64(secs)
                        .map_err(|_| anyhow::anyhow!("--auto-approve takes seconds, 0 or more"))
                })
                .transpose()?;
            super::run(super::Options {
                ports: super::Ports {
                    control,
                    twilio,
                    meta,
                },
                auto_approve,
                meta_webhook_url,
                state: (!no_state).then_some(state),
            })
            .await
        }
        SimulatorAction::Template { action } => simulator_template(action).await,
        SimulatorAction::Say {
            provider,
            webhook_url,
            from,
            name,
            text,
            control,
        } => {
            let body = serde_json::json!({
                "provider": provider, "webhookUrl": webhook_url, "from": from, "name": name, "text": text,
            });
            let response = reqwest::Client::new()
                .post(format!("{}/say", control.trim_end_matches('/')))
                .json(&body)
                .send()
                .await
                .with_context(|| format!("reaching the simulator at {control}; is it running?"))?;
            let ok = response.status().is_success();
            let answer: serde_json::Value = response.json().await.unwrap_or_default();
            if !ok {
                anyhow::bail!(
                    "not delivered: {}",
                    answer["error"].as_str().unwrap_or("unknown error")
                );
            }
            println!("delivered; Switchboard answered {}", answer["status"]);
            Ok(())
        }
    }
}

/// `simulator template …` against a running simulator.
async fn simulator_template(action: TemplateAction) -> anyhow::Result<()> {
    use super::templates::{Review, Reviewed, TemplateView, Verdict};

    let http = reqwest::Client::new();
    let (name, target, verdict, reason) = match action {
        TemplateAction::List { control } => {
            let response = http
                .get(format!("{}/templates", control.trim_end_matches('/')))
                .send()
                .await
                .with_context(|| format!("reaching the simulator at {control}; is it running?"))?;
            let templates: Vec<TemplateView> = response
                .error_for_status()
                .context("listing the templates")?
                .json()
                .await
                .context("reading the simulator's answer")?;
            if templates.is_empty() {
                println!("no templates at the stand-ins yet");
            }
            for t in templates {
                let reason = t.reason.map(|r| format!(" ({r})")).unwrap_or_default();
                println!(
                    "{:<7} {:<24} {:<6} {:<12} {}{reason}  id {}",
                    t.provider, t.name, t.language, t.category, t.status, t.id
                );
            }
            return Ok(());
        }
        TemplateAction::Approve { name, target } => (name, target, Verdict::Approve, None),
        TemplateAction::Reject {
            name,
            reason,
            target,
        } => (name, target, Verdict::Reject, Some(reason)),
        TemplateAction::Pause { name, target } => (name, target, Verdict::Pause, None),
    };
    let control = target.control.trim_end_matches('/').to_owned();
    let review = Review {
        name,
        provider: target.provider,
        language: target.language,
        verdict,
        reason,
        webhook_url: target.webhook_url,
    };
    let response = http
        .post(format!("{control}/templates/review"))
        .json(&review)
        .send()
        .await
        .with_context(|| format!("reaching the simulator at {control}; is it running?"))?;
    if !response.status().is_success() {
        let answer: serde_json::Value = response.json().await.unwrap_or_default();
        anyhow::bail!(
            "not reviewed: {}",
            answer["error"].as_str().unwrap_or("unknown error")
        );
    }
    let reviewed: Vec<Reviewed> = response
        .json()
        .await
        .context("reading the simulator's answer")?;
    for r in reviewed {
        println!(
            "{} template {} ({}) is {}: {}",
            r.template.provider, r.template.name, r.template.language, r.template.status, r.note
        );
    }
    Ok(())
}
