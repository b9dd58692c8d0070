//! `numberdesk admin …`: manage partners, accounts, organisations and keys.

use anyhow::{bail, Context};
use clap::Subcommand;
use numberdesk_adapters::fulfilment::CallbackSecrets;
use numberdesk_adapters::tenancy::{Role, TenancyStore};
use uuid::Uuid;

/// Admin commands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a partner.
    CreatePartner {
        /// Display name.
        #[arg(long)]
        name: String,
    },
    /// List partners.
    ListPartners,
    /// Create an account of a partner.
    CreateAccount {
        /// The partner's id.
        #[arg(long)]
        partner: Uuid,
        /// Display name.
        #[arg(long)]
        name: String,
    },
    /// Create an organisation of an account (prints its hex slug).
    CreateOrg {
        /// The account's id.
        #[arg(long)]
        account: Uuid,
        /// Display name.
        #[arg(long)]
        name: String,
    },
    /// Issue an API key (the secret is printed once).
    CreateKey {
        /// The partner's id.
        #[arg(long)]
        partner: Uuid,
        /// `partner` or `ops`.
        #[arg(long, default_value = "partner")]
        role: String,
        /// A label to recognise it by.
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List accounts (id, partner, name), to recover a lost X-Account-Id.
    ListAccounts {
        /// Only this partner's accounts.
        #[arg(long)]
        partner: Option<Uuid>,
    },
    /// List organisations (id, slug, account, name), to recover a lost slug.
    ListOrgs {
        /// Only this account's organisations.
        #[arg(long)]
        account: Option<Uuid>,
    },
    /// List keys (never their secrets).
    ListKeys {
        /// Only this partner's keys.
        #[arg(long)]
        partner: Option<Uuid>,
    },
    /// Revoke a key by id.
    RevokeKey {
        /// The key's id.
        id: Uuid,
    },
    /// Show or rotate an account's callback signing secret (HMAC-SHA256 key
    /// of the `Numberdesk-Signature` header on status callbacks).
    CallbackSecret {
        /// What to do.
        #[command(subcommand)]
        action: CallbackSecretAction,
    },
}

/// `admin callback-secret …`.
#[derive(Debug, Subcommand)]
pub enum CallbackSecretAction {
    /// Print the account's secret (created on first use).
    Show {
        /// The account's id.
        #[arg(long)]
        account: Uuid,
    },
    /// Replace the account's secret and print the new one; callbacks are
    /// signed with it from now on.
    Rotate {
        /// The account's id.
        #[arg(long)]
        account: Uuid,
    },
}

/// Runs one admin command, printing its result.
pub async fn run(
    tenancy: &TenancyStore,
    secrets: &CallbackSecrets,
    command: AdminCommand,
) -> anyhow::Result<()> {
    match command {
        AdminCommand::CallbackSecret { action } => {
            let (account, rotate) = match action {
                CallbackSecretAction::Show { account } => (account, false),
                CallbackSecretAction::Rotate { account } => (account, true),
            };
            if tenancy.account(account).await?.is_none() {
                bail!("no account {account}");
            }
            let secret = if rotate {
                secrets.rotate(account).await?
            } else {
                secrets.get_or_create(account).await?
            };
            println!(
                "callback secret of account {account}{} (keep it secret; it signs the \
                 Numberdesk-Signature header, t=<unix>,v1=hex(HMAC-SHA256(secret, \"<t>.<body>\"))):",
                if rotate { ", rotated" } else { "" }
            );
            println!("{secret}");
        }
        AdminCommand::CreatePartner { name } => {
            let partner = tenancy.create_partner(&name).await?;
            println!("partner {} {}", partner.id, partner.name);
        }
        AdminCommand::ListAccounts { partner } => {
            for account in accounts(tenancy, partner).await? {
                println!("{}\t{}\t{}", account.id, account.partner_id, account.name);
            }
        }
        AdminCommand::ListOrgs { account } => {
            let accounts = match account {
                Some(id) => vec![id],
                None => accounts(tenancy, None)
                    .await?
                    .into_iter()
                    .map(|a| a.id)
                    .collect(),
            };
            for account in accounts {
                for org in tenancy.organizations_of_account(account).await? {
                    println!("{}\t{}\t{}\t{}", org.id, org.slug, org.account_id, org.name);
                }
            }
        }
        AdminCommand::ListPartners => {
            for partner in tenancy.partners().await? {
                println!("{}\t{}", partner.id, partner.name);
            }
        }
        AdminCommand::CreateAccount { partner, name } => {
            let account = tenancy
                .create_account(partner, &name)
                .await
                .context("creating the account (does the partner exist?)")?;
            println!("account {} {}", account.id, account.name);
        }
        AdminCommand::CreateOrg { account, name } => {
            let org = tenancy
                .create_organization(account, &name)
                .await
                .context("creating the organisation (does the account exist?)")?;
            println!("organization {} slug {} {}", org.id, org.slug, org.name);
        }
        AdminCommand::CreateKey {
            partner,
            role,
            label,
        } => {
            let Some(role) = Role::parse(&role) else {
                bail!("--role must be partner or ops");
            };
            let key = tenancy
                .issue_key(partner, role, &label)
                .await
                .context("issuing the key (does the partner exist?)")?;
            println!(
                "key {} ({}) — secret, shown once:",
                key.info.id,
                role.as_str()
            );
            println!("{}", key.secret);
        }
        AdminCommand::ListKeys { partner } => {
            for key in tenancy.keys(partner).await? {
                let state = match key.revoked_at {
                    Some(at) => format!("revoked {at}"),
                    None => "active".to_owned(),
                };
                println!(
                    "{}\t{}\t{}\t{}…\t{}\t{}",
                    key.id,
                    key.partner_id,
                    key.role.as_str(),
                    key.prefix,
                    key.label,
                    state
                );
            }
        }
        AdminCommand::RevokeKey { id } => {
            if tenancy.revoke_key(id).await? {
                println!("revoked {id}");
            } else {
                bail!("no active key {id}");
            }
        }
    }
    Ok(())
}

/// The accounts of one partner, or of every partner.
async fn accounts(
    tenancy: &TenancyStore,
    partner: Option<Uuid>,
) -> anyhow::Result<Vec<numberdesk_adapters::tenancy::Account>> {
    let partners = match partner {
        Some(id) => vec![id],
        None => tenancy
            .partners()
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect(),
    };
    let mut all = Vec::new();
    for partner in partners {
        all.extend(tenancy.accounts_of_partner(partner).await?);
    }
    Ok(all)
}
