//! `telnyx_double`: the stateful fake Telnyx (`numberdesk_telnyx::fake`) in
//! its own process, so it outlives a numberdesk server killed with SIGKILL
//! and still knows every order it accepted. Point the server at it with
//! `TELNYX_BASE_URL=http://ADDR/v2` and `TELNYX_API_KEY=test-key`.
//!
//! Knobs are set by flags at start and at runtime through `/_double/...`
//! (`numberdesk_telnyx::fake::control`). Prints `listening on http://ADDR`
//! on stdout once it accepts connections.

use anyhow::Context;
use clap::Parser;
use numberdesk_telnyx::fake::{
    FakeTelnyx, Fault, FaultKind, InventoryItem, WebhookSigner, WebhookTarget,
};
use std::io::Write;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(about = "A Telnyx number-ordering double in its own process, for crash tests")]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// Port (0: a free one; the line on stdout says which).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Numbers for sale: `+1201555` followed by 4 digits, in area code 201 of the US.
    #[arg(long, default_value_t = 2000)]
    inventory: u32,
    /// A number is sold once only.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    sell_once: bool,
    /// New orders stay invisible to `filter[customer_reference]` this long, ms.
    #[arg(long, default_value_t = 0)]
    reference_lag_ms: u64,
    /// Reads of a new order that still report it pending (0: settled at once).
    #[arg(long, default_value_t = 0)]
    pending_polls: u32,
    /// The first N order POSTs create the order, then answer 500.
    #[arg(long, default_value_t = 0)]
    fail_after_create: u32,
    /// Order POSTs create the order, then hang this long before answering, ms.
    #[arg(long)]
    post_delay_ms: Option<u64>,
    /// Report each order complete by a signed webhook to this URL.
    #[arg(long)]
    webhook_url: Option<url::Url>,
    /// Seed of the webhook signing key.
    #[arg(long, default_value_t = 7)]
    webhook_seed: u8,
    /// How long an order stays pending before its webhook, ms.
    #[arg(long, default_value_t = 0)]
    webhook_delay_ms: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let fake = FakeTelnyx::start_on((args.bind, args.port).into())
        .await
        .context("binding the double's port")?;
    {
        let mut state = fake.state();
        state
            .inventory
            .extend((0..args.inventory.min(10_000)).map(|n| InventoryItem {
                country: "US",
                ndc: "201",
                number: format!("+1201555{n:04}"),
                best_effort: false,
            }));
        state.sell_once = args.sell_once;
        state.reference_lag = Duration::from_millis(args.reference_lag_ms);
        state.pending_polls = args.pending_polls;
        if args.fail_after_create > 0 {
            state.faults.push(Fault {
                method: axum::http::Method::POST,
                path: "/number_orders",
                times: Some(args.fail_after_create),
                after_processing: true,
                kind: FaultKind::Status {
                    status: 500,
                    headers: vec![],
                    code: "10007",
                },
            });
        }
        if let Some(ms) = args.post_delay_ms {
            state.faults.push(Fault {
                method: axum::http::Method::POST,
                path: "/number_orders",
                times: None,
                after_processing: true,
                kind: FaultKind::Delay(Duration::from_millis(ms)),
            });
        }
        state.webhook = args.webhook_url.map(|url| WebhookTarget {
            url,
            signer: WebhookSigner::new(args.webhook_seed),
            delay: Duration::from_millis(args.webhook_delay_ms),
            attempts: 120,
        });
    }
    let origin = fake.base_url.origin().ascii_serialization();
    let mut stdout = std::io::stdout();
    writeln!(stdout, "listening on {origin}").context("stdout")?;
    stdout.flush().context("stdout")?;
    tokio::signal::ctrl_c()
        .await
        .context("waiting for ctrl-c")?;
    Ok(())
}
