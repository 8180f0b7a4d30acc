//! `jeton vault ...`: the encrypted vault from a terminal.
//!
//! The file is `--vault PATH` (or `JETON_VAULT`), by default `vault.jeton` in the user's data
//! directory. The passphrase comes from `JETON_PASSPHRASE` or a prompt; `passwd` reads the new
//! one from `JETON_NEW_PASSPHRASE` or a prompt.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use jeton_core::vault::{AccountId, CurrentCode, Entry, Vault, VaultError};
use jeton_core::{Account, Kind, uri};
use zeroize::Zeroizing;

use super::{CliError, now};

/// Arguments of `jeton vault`.
#[derive(Debug, Args)]
pub struct VaultArgs {
    /// The vault file [default: vault.jeton in the user's data directory].
    #[arg(long, global = true, env = "JETON_VAULT", value_name = "PATH")]
    vault: Option<PathBuf>,
    #[command(subcommand)]
    command: VaultCommand,
}

#[derive(Debug, Subcommand)]
enum VaultCommand {
    /// Create a new, empty vault protected by a passphrase.
    Init,
    /// Add an account from its otpauth:// URI.
    Add(AddArgs),
    /// List the accounts (never their secrets).
    List,
    /// Print every account's code with the seconds it has left.
    Codes {
        /// The instant, in Unix seconds (default: now).
        #[arg(long, value_name = "UNIX_SECONDS")]
        at: Option<u64>,
    },
    /// Print one account's code (digits only). For HOTP this takes the next counter.
    Code {
        /// The account: its id, or words of its issuer or name.
        account: String,
        /// The instant, in Unix seconds (default: now).
        #[arg(long, value_name = "UNIX_SECONDS")]
        at: Option<u64>,
    },
    /// Change an account's issuer and/or name.
    Rename {
        /// The account: its id, or words of its issuer or name.
        account: String,
        /// The new issuer (an empty string removes it).
        #[arg(long)]
        issuer: Option<String>,
        /// The new account name.
        #[arg(long)]
        name: Option<String>,
    },
    /// Remove an account.
    Remove {
        /// The account: its id, or words of its issuer or name.
        account: String,
    },
    /// Change the vault's passphrase (the accounts are not re-encrypted).
    Passwd,
}

/// Arguments of `jeton vault add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The account's otpauth:// URI.
    uri: String,
}

/// Runs a `jeton vault` subcommand.
pub fn run(args: VaultArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let path = match args.vault {
        Some(path) => path,
        None => default_path()?,
    };
    match args.command {
        VaultCommand::Init => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|e| {
                    CliError::Input(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
            if path.exists() {
                return Err(CliError::input(VaultError::AlreadyExists(path)));
            }
            let passphrase = new_passphrase("JETON_PASSPHRASE")?;
            Vault::create(&path, &passphrase).map_err(CliError::input)?;
            writeln!(out, "created {}", path.display())?;
        }
        VaultCommand::Add(add) => {
            let mut vault = unlock(&path)?;
            let account = account_to_add(&add)?;
            let label = account.display_label();
            let id = vault.add(account).map_err(CliError::input)?;
            writeln!(out, "added {label} ({id})")?;
        }
        VaultCommand::List => {
            let vault = unlock(&path)?;
            for entry in vault.list().map_err(CliError::input)? {
                writeln!(
                    out,
                    "{}\t{}\t{}",
                    entry.label(),
                    entry.kind.as_str(),
                    entry.id
                )?;
            }
            warn_damage(&vault);
        }
        VaultCommand::Codes { at } => {
            let vault = unlock(&path)?;
            let entries = vault.list().map_err(CliError::input)?;
            let codes = vault
                .codes_at(at.unwrap_or_else(now))
                .map_err(CliError::input)?;
            for (entry, code) in entries.iter().zip(codes) {
                match code.current {
                    CurrentCode::Ready(code) => writeln!(
                        out,
                        "{}\t{}\t{}s",
                        entry.label(),
                        code.digits,
                        code.seconds_left.unwrap_or(0)
                    )?,
                    CurrentCode::CounterBased => writeln!(
                        out,
                        "{}\t(counter-based: jeton vault code {})",
                        entry.label(),
                        entry.id
                    )?,
                    CurrentCode::Unavailable(why) => {
                        writeln!(out, "{}\t(no code: {why})", entry.label())?
                    }
                }
            }
            warn_damage(&vault);
        }
        VaultCommand::Code { account, at } => {
            let mut vault = unlock(&path)?;
            let entry = find(&vault, &account)?;
            let code = if entry.kind == Kind::Hotp {
                vault.next_hotp(entry.id)
            } else {
                let unix = at.unwrap_or_else(now);
                vault
                    .get(entry.id)
                    .and_then(|r| Ok(r.account.code_at(unix)?))
                    .and_then(|code| vault.mark_used(entry.id, unix).map(|()| code))
            }
            .map_err(CliError::input)?;
            writeln!(out, "{}", code.digits)?;
        }
        VaultCommand::Rename {
            account,
            issuer,
            name,
        } => {
            let mut vault = unlock(&path)?;
            let entry = find(&vault, &account)?;
            let issuer = match issuer {
                Some(i) if i.is_empty() => None,
                Some(i) => Some(i),
                None => entry.issuer.clone(),
            };
            let name = name.unwrap_or_else(|| entry.name.clone());
            vault
                .rename(entry.id, issuer, name)
                .map_err(CliError::input)?;
            let renamed = vault.get(entry.id).map_err(CliError::input)?;
            writeln!(out, "renamed to {}", renamed.account.display_label())?;
        }
        VaultCommand::Remove { account } => {
            let mut vault = unlock(&path)?;
            let entry = find(&vault, &account)?;
            vault.remove(entry.id).map_err(CliError::input)?;
            writeln!(out, "removed {}", entry.label())?;
        }
        VaultCommand::Passwd => {
            let mut vault = unlock(&path)?;
            let passphrase = new_passphrase("JETON_NEW_PASSPHRASE")?;
            vault
                .change_passphrase(&passphrase)
                .map_err(CliError::input)?;
            writeln!(out, "passphrase changed")?;
        }
    }
    Ok(())
}

/// Where `add` gets its account. The scanner adds a second source here (`--scan IMAGE`).
fn account_to_add(args: &AddArgs) -> Result<Account, CliError> {
    uri::parse(&args.uri).map_err(CliError::input)
}

/// `vault.jeton` in the user's data directory: `$XDG_DATA_HOME/jeton` or
/// `~/.local/share/jeton` (Linux), `~/Library/Application Support/jeton` (macOS),
/// `%APPDATA%\jeton` (Windows).
fn default_path() -> Result<PathBuf, CliError> {
    let var = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    let base = if cfg!(windows) {
        var("APPDATA")
    } else if cfg!(target_os = "macos") {
        var("HOME").map(|h| h.join("Library/Application Support"))
    } else {
        var("XDG_DATA_HOME").or_else(|| var("HOME").map(|h| h.join(".local/share")))
    };
    base.map(|b| b.join("jeton").join("vault.jeton"))
        .ok_or_else(|| CliError::Input("cannot find your data directory; pass --vault PATH".into()))
}

fn read_passphrase(prompt: &str) -> Result<Zeroizing<String>, CliError> {
    rpassword::prompt_password(prompt)
        .map(Zeroizing::new)
        .map_err(|e| CliError::Input(format!("cannot read the passphrase: {e}")))
}

/// The passphrase of an existing vault: `JETON_PASSPHRASE`, or a prompt.
fn passphrase() -> Result<Zeroizing<String>, CliError> {
    match std::env::var("JETON_PASSPHRASE") {
        Ok(p) => Ok(Zeroizing::new(p)),
        Err(_) => read_passphrase("Vault passphrase: "),
    }
}

/// A new passphrase: from `env`, or typed twice.
fn new_passphrase(env: &str) -> Result<Zeroizing<String>, CliError> {
    let passphrase = match std::env::var(env) {
        Ok(p) => Zeroizing::new(p),
        Err(_) => {
            let first = read_passphrase("New passphrase: ")?;
            let again = read_passphrase("Repeat the new passphrase: ")?;
            if *first != *again {
                return Err(CliError::Input("the two passphrases differ".into()));
            }
            first
        }
    };
    if passphrase.is_empty() {
        return Err(CliError::Input("the passphrase cannot be empty".into()));
    }
    Ok(passphrase)
}

fn unlock(path: &PathBuf) -> Result<Vault, CliError> {
    let mut vault = Vault::open(path).map_err(CliError::input)?;
    vault
        .unlock_with_passphrase(&passphrase()?)
        .map_err(CliError::input)?;
    Ok(vault)
}

fn warn_damage(vault: &Vault) {
    for damage in vault.damaged() {
        eprintln!("jeton: warning: the vault file is damaged or was tampered with: {damage}");
    }
}

/// The one account `query` names: its id, an exact label/issuer/name, or else the only
/// account whose issuer or name contains it.
fn find(vault: &Vault, query: &str) -> Result<Entry, CliError> {
    let entries = vault.list().map_err(CliError::input)?;
    if let Ok(id) = query.parse::<AccountId>() {
        if let Some(entry) = entries.iter().find(|e| e.id == id) {
            return Ok(entry.clone());
        }
    }
    let lower = query.to_lowercase();
    let exact: Vec<&Entry> = entries
        .iter()
        .filter(|e| {
            e.label().to_lowercase() == lower
                || e.name.to_lowercase() == lower
                || e.issuer.as_deref().map(str::to_lowercase) == Some(lower.clone())
        })
        .collect();
    let matches = if exact.is_empty() {
        vault.search(query).map_err(CliError::input)?
    } else {
        exact.into_iter().cloned().collect()
    };
    match matches.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(CliError::Input(format!("no account matches {query:?}"))),
        many => Err(CliError::Input(format!(
            "{query:?} matches {} accounts ({}); use more words or the id from `jeton vault list`",
            many.len(),
            many.iter().map(Entry::label).collect::<Vec<_>>().join(", ")
        ))),
    }
}
