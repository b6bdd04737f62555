//! `switchboard simulator`: the fake Twilio and Meta servers on fixed local ports with demo
//! accounts, and a small control page and API to be the customer. A customer's message
//! reaches Switchboard as a correctly signed webhook; Switchboard's sends reach the fakes,
//! which answer with status callbacks (sent, delivered, read).

pub mod cli;
mod control;
mod page;
pub mod phone;
mod saved;
pub mod templates;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;

use crate::fakes::meta::{FakeMeta, FakePhoneNumber};
use crate::fakes::twilio::{FakeAccount, FakeTwilio};

/// Fixed demo credentials, so a channel created once keeps working across restarts.
pub mod demo {
    pub const TWILIO_ACCOUNT_SID: &str = "ACfeedfacefeedfacefeedfacefeedface";
    pub const TWILIO_AUTH_TOKEN: &str = "5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e";
    pub const TWILIO_SENDER: &str = "+14155238886";
    pub const META_PHONE_NUMBER_ID: &str = "106540352242922";
    pub const META_BUSINESS_ACCOUNT_ID: &str = "102290129340398";
    pub const META_ACCESS_TOKEN: &str = "EAAsimulatorAccessToken0123456789";
    pub const META_APP_SECRET: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
    pub const META_NUMBER: &str = "+15550783881";
}

/// Where the simulator listens.
pub struct Ports {
    pub control: SocketAddr,
    pub twilio: SocketAddr,
    pub meta: SocketAddr,
}

/// How the simulator runs.
pub struct Options {
    pub ports: Ports,
    /// Approve each template this long after it was submitted.
    pub auto_approve: Option<Duration>,
    /// Where Meta's webhooks go until a customer's message names a channel.
    pub meta_webhook_url: Option<String>,
    /// The file the simulator keeps its state in (`None`: keep nothing).
    pub state: Option<PathBuf>,
}

/// Someone who wrote to a channel through the simulator.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    /// `twilio` or `meta`.
    pub provider: String,
    /// E.164.
    pub number: String,
    pub name: String,
    /// The channel's webhook URL the customer writes to.
    pub webhook_url: String,
    /// A delivery failure scripted for this customer.
    #[serde(default)]
    pub failure: Option<phone::Failure>,
}

/// The running fakes, shared with the control server.
pub struct Simulator {
    pub twilio: FakeTwilio,
    pub meta: FakeMeta,
    customers: Mutex<Vec<Customer>>,
    said: Mutex<Vec<phone::Said>>,
    /// The business's messages the customer read.
    read: Mutex<std::collections::BTreeSet<String>>,
    changes: tokio::sync::Notify,
}

impl Simulator {
    /// Everyone who wrote through the simulator, in order of their first message.
    pub fn customers(&self) -> Vec<Customer> {
        self.customers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Remembers a customer (the latest name and channel win; a scripted failure stays).
    pub fn add_customer(&self, mut customer: Customer) {
        let mut customers = self.customers.lock().unwrap_or_else(|p| p.into_inner());
        match customers
            .iter_mut()
            .find(|c| c.provider == customer.provider && c.number == customer.number)
        {
            Some(known) => {
                customer.failure = customer.failure.or(known.failure);
                *known = customer;
            }
            None => customers.push(customer),
        }
        drop(customers);
        self.changed();
    }

    /// Scripts (or clears) a customer's delivery failure; false for an unknown customer.
    pub fn set_failure(
        &self,
        provider: &str,
        number: &str,
        failure: Option<phone::Failure>,
    ) -> bool {
        let mut customers = self.customers.lock().unwrap_or_else(|p| p.into_inner());
        let Some(customer) = customers
            .iter_mut()
            .find(|c| c.provider == provider && c.number == number)
        else {
            return false;
        };
        customer.failure = failure;
        phone::apply_failure(self, customer);
        drop(customers);
        self.changed();
        true
    }

    /// What the customers sent, oldest first.
    pub fn said(&self) -> Vec<phone::Said> {
        self.said.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn add_said(&self, said: phone::Said) {
        self.said
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(said);
        self.changed();
    }

    pub fn read_ids(&self) -> std::collections::BTreeSet<String> {
        self.read.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn mark_read(&self, id: &str) {
        self.read
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.to_owned());
        self.changed();
    }

    /// Something worth keeping changed.
    pub fn changed(&self) {
        self.changes.notify_one();
    }

    pub async fn start(ports: &Ports) -> anyhow::Result<Arc<Self>> {
        let twilio = FakeTwilio::bind(ports.twilio)
            .await
            .with_context(|| format!("cannot listen on {} for the Twilio stand-in; choose another address with --twilio <ADDR>", ports.twilio))?;
        twilio.add_account_with(
            &FakeAccount {
                sid: demo::TWILIO_ACCOUNT_SID.to_owned(),
                auth_token: demo::TWILIO_AUTH_TOKEN.to_owned(),
            },
            "Simulated Twilio account",
            demo::TWILIO_SENDER,
        );
        let meta = FakeMeta::bind(ports.meta)
            .await
            .with_context(|| format!("cannot listen on {} for the Meta stand-in; choose another address with --meta <ADDR>", ports.meta))?;
        let mut number = FakePhoneNumber::new(
            demo::META_PHONE_NUMBER_ID,
            demo::META_BUSINESS_ACCOUNT_ID,
            demo::META_ACCESS_TOKEN,
        );
        number.display_phone_number = "+1 555-078-3881".to_owned();
        number.verified_name = "Simulated Business".to_owned();
        meta.add_phone_number(number);
        meta.set_app_secret(demo::META_APP_SECRET);
        // The customer reads on the page, when the thread is open.
        meta.set_status_knobs(crate::fakes::meta::StatusKnobs {
            read: false,
            ..Default::default()
        });
        twilio.configure(|s| s.callbacks_dropped = vec!["read".into()]);
        Ok(Arc::new(Self {
            twilio,
            meta,
            customers: Mutex::new(Vec::new()),
            said: Mutex::new(Vec::new()),
            read: Mutex::new(Default::default()),
            changes: tokio::sync::Notify::new(),
        }))
    }
}

/// Runs the simulator until interrupted.
pub async fn run(options: Options) -> anyhow::Result<()> {
    let ports = options.ports;
    let simulator = Simulator::start(&ports).await?;
    if let Some(path) = &options.state {
        if let Some(saved) = saved::load(path)? {
            saved::restore(&simulator, saved);
        }
    }
    if let Some(url) = &options.meta_webhook_url {
        simulator.meta.set_webhook_url(Some(url));
    }
    let auto_approve = options
        .auto_approve
        .map(|after| tokio::spawn(templates::auto_approve(simulator.clone(), after)));
    let listener = tokio::net::TcpListener::bind(ports.control)
        .await
        .with_context(|| format!("cannot listen on {} for the control page; choose another address with --control <ADDR>", ports.control))?;
    let keeper = options
        .state
        .clone()
        .map(|path| tokio::spawn(saved::keep(simulator.clone(), path)));
    print_banner(&ports, options.auto_approve, options.state.as_deref());
    let served = axum::serve(listener, control::router(simulator.clone()))
        .with_graceful_shutdown(crate::app::shutdown_signal())
        .await
        .context("serving the control page");
    for task in [auto_approve, keeper].into_iter().flatten() {
        task.abort();
    }
    if let Some(path) = &options.state {
        saved::save_if_changed(&simulator, path, &mut Vec::new())
            .with_context(|| format!("saving the simulator's state to {}", path.display()))?;
    }
    served
}

fn print_banner(ports: &Ports, auto_approve: Option<Duration>, state: Option<&std::path::Path>) {
    let twilio = format!("http://{}", ports.twilio);
    let meta = format!("http://{}", ports.meta);
    println!("Switchboard simulator");
    println!();
    println!("  Be the customer:   http://{}/", ports.control);
    println!();
    println!("  Twilio stand-in    {twilio}");
    println!("    account SID      {}", demo::TWILIO_ACCOUNT_SID);
    println!("    auth token       {}", demo::TWILIO_AUTH_TOKEN);
    println!("    sender           {}", demo::TWILIO_SENDER);
    println!("  Meta stand-in      {meta}");
    println!("    access token     {}", demo::META_ACCESS_TOKEN);
    println!("    app secret       {}", demo::META_APP_SECRET);
    println!("    phone number id  {}", demo::META_PHONE_NUMBER_ID);
    println!("    business account {}", demo::META_BUSINESS_ACCOUNT_ID);
    println!("    number           {}", demo::META_NUMBER);
    println!();
    match auto_approve {
        Some(after) => println!(
            "  Templates are approved {}s after they are submitted.",
            after.as_secs_f64()
        ),
        None => {
            println!("  Review templates on the page or with `switchboard simulator template`.")
        }
    }
    match state {
        Some(path) => println!("  State kept in {}", path.display()),
        None => println!("  State is not kept (--no-state)"),
    }
    println!();
    println!("  Start Switchboard against the stand-ins:");
    println!(
        "    SWITCHBOARD_TWILIO_API_URL={twilio} SWITCHBOARD_TWILIO_CONTENT_URL={twilio} \\\n    SWITCHBOARD_TWILIO_MESSAGING_URL={twilio} SWITCHBOARD_META_GRAPH_URL={meta} cargo run --release"
    );
}
