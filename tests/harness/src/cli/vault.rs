//! `jeton vault ...`: the encrypted vault from a terminal.
//!
//! The file is `--vault PATH` (or `JETON_VAULT`), by default `vault.jeton` in the user's data
//! directory. The passphrase comes from `JETON_PASSPHRASE` or a prompt; `passwd` reads the new
//! one from `JETON_NEW_PASSPHRASE` or a prompt.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use jeton_core::intake::Content;
use jeton_core::scan;
use jeton_core::vault::{AccountId, CurrentCode, Entry, Vault, VaultError};
use jeton_core::{Account, Kind, uri};
use zeroize::Zeroizing;

use super::backup::warn_if_failed;
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
    /// Remove an account: named by its id or by its exact label, issuer or name (any case).
    /// Asks on a terminal; without one, needs --yes.
    Remove {
        /// The account: its id, or its exact label (`Issuer (name)`), issuer or name.
        account: String,
        /// Remove without asking (needed when stdin is not a terminal).
        #[arg(long)]
        yes: bool,
    },
    /// Change the vault's passphrase (the accounts are not re-encrypted).
    Passwd,
}

/// Arguments of `jeton vault add`: a URI, or an image holding its QR code.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The account's otpauth:// URI.
    #[arg(required_unless_present = "scan", conflicts_with = "scan")]
    uri: Option<String>,
    /// A PNG/JPEG screenshot or photo of the account's QR code, read with Jeton's scanner.
    #[arg(long, value_name = "IMAGE")]
    scan: Option<PathBuf>,
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
            let id = changing(&mut vault, |v| v.add(account.clone()))?;
            writeln!(out, "added {label} ({id})")?;
            warn_if_failed(&vault);
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
            // Without --at, the device clock is corrected by the offset stored in the vault.
            let codes = at
                .map_or_else(|| vault.device_codes_at(now()), |at| vault.codes_at(at))
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
                // Committed before it is shown: a vault that cannot be written shows no code.
                changing(&mut vault, |v| v.next_hotp(entry.id))?
            } else {
                // Without --at, the device clock is corrected as `vault codes` corrects it.
                let unix = match at {
                    Some(at) => at,
                    None => vault.true_time(now()).map_err(CliError::input)?,
                };
                let code = vault
                    .get(entry.id)
                    .and_then(|r| Ok(r.account.code_at(unix)?))
                    .map_err(CliError::input)?;
                // When it was last used is a nicety: a read-only vault, or one another program
                // just changed, still gives its time-based code.
                if let Err(e) = vault.mark_used(entry.id, unix) {
                    eprintln!("jeton: warning: the code's last use was not recorded: {e}");
                }
                code
            };
            writeln!(out, "{}", code.digits)?;
            warn_if_failed(&vault);
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
            changing(&mut vault, |v| {
                v.rename(entry.id, issuer.clone(), name.clone())
            })?;
            let renamed = vault.get(entry.id).map_err(CliError::input)?;
            writeln!(out, "renamed to {}", renamed.account.display_label())?;
            warn_if_failed(&vault);
        }
        VaultCommand::Remove { account, yes } => {
            let mut vault = unlock(&path)?;
            let entry = find_exact(&vault, &account)?;
            if !yes && !confirm(&format!("Remove {} ({})? [y/N] ", entry.label(), entry.id))? {
                return Err(CliError::Input("nothing removed".into()));
            }
            changing(&mut vault, |v| v.remove(entry.id))?;
            writeln!(out, "removed {}", entry.label())?;
            warn_if_failed(&vault);
        }
        VaultCommand::Passwd => {
            let mut vault = unlock(&path)?;
            let passphrase = new_passphrase("JETON_NEW_PASSPHRASE")?;
            vault
                .change_passphrase(&passphrase)
                .map_err(CliError::input)?;
            writeln!(out, "passphrase changed")?;
            warn_if_failed(&vault);
        }
    }
    Ok(())
}

/// Where `add` gets its account. The scanner adds a second source here (`--scan IMAGE`).
fn account_to_add(args: &AddArgs) -> Result<Account, CliError> {
    match (&args.uri, &args.scan) {
        (Some(text), _) => uri::parse(text).map_err(CliError::input),
        (None, Some(image)) => account_from_image(image),
        (None, None) => Err(CliError::Input(
            "give the account's otpauth:// URI, or --scan IMAGE".into(),
        )),
    }
}

/// The one authenticator account whose QR code is in `image`, or an error saying what the
/// image holds instead.
fn account_from_image(image: &std::path::Path) -> Result<Account, CliError> {
    let bytes = super::read_bounded(image)
        .map_err(|e| CliError::Input(format!("cannot read {}: {e}", image.display())))?;
    let found = scan::scan_image(&bytes)
        .map_err(|e| CliError::Input(format!("{}: {e}", image.display())))?;
    let mut accounts = Vec::new();
    let mut refusals = Vec::new();
    for code in found {
        match Content::classify(&code.payload) {
            Content::Account(account) => accounts.push(*account),
            Content::InvalidAccount(why) => refusals.push(format!("an unusable account ({why})")),
            Content::Migration => refusals
                .push("a Google Authenticator export (add it with `jeton import`)".to_owned()),
            Content::Text => {
                refusals.push("a QR code that is not an authenticator code".to_owned())
            }
        }
    }
    match accounts.len() {
        1 => Ok(accounts.remove(0)),
        0 if refusals.is_empty() => Err(CliError::Input(format!(
            "no QR code found in {}",
            image.display()
        ))),
        0 => Err(CliError::Input(format!(
            "{} holds {}",
            image.display(),
            refusals.join(" and ")
        ))),
        n => Err(CliError::Input(format!(
            "{} holds {n} authenticator codes; crop the image to the one to add",
            image.display()
        ))),
    }
}

/// `vault.jeton` in the user's data directory: `$XDG_DATA_HOME/jeton` or
/// `~/.local/share/jeton` (Linux), `~/Library/Application Support/jeton` (macOS),
/// `%APPDATA%\jeton` (Windows).
pub(super) fn default_path() -> Result<PathBuf, CliError> {
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
    // Its length is checked by the vault itself, the same for every entry point.
    Ok(passphrase)
}

/// An error that may mean another program (a second `jeton`, the app, a sync) wrote to the
/// vault between this command's unlock and its change.
pub(super) trait ChangedElsewhere {
    /// Whether it is that, and nothing was written.
    fn changed_elsewhere(&self) -> bool;
}

impl ChangedElsewhere for VaultError {
    fn changed_elsewhere(&self) -> bool {
        matches!(self, VaultError::ChangedElsewhere)
    }
}

impl ChangedElsewhere for jeton_core::sync::SyncError {
    fn changed_elsewhere(&self) -> bool {
        matches!(self, Self::Vault(VaultError::ChangedElsewhere))
    }
}

impl ChangedElsewhere for jeton_core::transfer::TransferError {
    fn changed_elsewhere(&self) -> bool {
        matches!(self, Self::Vault(VaultError::ChangedElsewhere))
    }
}

/// Makes a change; if another program wrote to the vault since it was unlocked (nothing was
/// written then), reads the vault again and makes the change on what is there now, a few
/// times. Two commands run at once both land, instead of one failing as bad input.
pub(super) fn changing<T, E: ChangedElsewhere + std::fmt::Display>(
    vault: &mut Vault,
    change: impl FnMut(&mut Vault) -> Result<T, E>,
) -> Result<T, CliError> {
    changing_with(vault, change, CliError::input)
}

/// [`changing`], with the command's own wording of the error that stands.
pub(super) fn changing_with<T, E: ChangedElsewhere>(
    vault: &mut Vault,
    mut change: impl FnMut(&mut Vault) -> Result<T, E>,
    error: impl Fn(E) -> CliError,
) -> Result<T, CliError> {
    for _ in 0..5 {
        match change(vault) {
            Err(e) if e.changed_elsewhere() => vault.reload().map_err(CliError::input)?,
            result => return result.map_err(error),
        }
    }
    change(vault).map_err(error)
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
    match exact_matches(vault, query)? {
        Exact::Id(entry) => Ok(entry),
        Exact::Labels(exact) if !exact.is_empty() => one(query, exact),
        Exact::Labels(_) => one(query, vault.search(query).map_err(CliError::input)?),
    }
}

/// The one account `query` names exactly: its id, or its label, issuer or name in any case.
/// Never a part of a word: this is how `remove` finds what it deletes.
fn find_exact(vault: &Vault, query: &str) -> Result<Entry, CliError> {
    match exact_matches(vault, query)? {
        Exact::Id(entry) => Ok(entry),
        Exact::Labels(exact) => one(query, exact),
    }
}

enum Exact {
    /// The account whose id `query` is.
    Id(Entry),
    /// The accounts whose label, issuer or name is `query` (any case).
    Labels(Vec<Entry>),
}

fn exact_matches(vault: &Vault, query: &str) -> Result<Exact, CliError> {
    let entries = vault.list().map_err(CliError::input)?;
    if let Ok(id) = query.parse::<AccountId>()
        && let Some(entry) = entries.iter().find(|e| e.id == id)
    {
        return Ok(Exact::Id(entry.clone()));
    }
    let lower = query.to_lowercase();
    Ok(Exact::Labels(
        entries
            .into_iter()
            .filter(|e| {
                e.label().to_lowercase() == lower
                    || e.name.to_lowercase() == lower
                    || e.issuer.as_deref().map(str::to_lowercase) == Some(lower.clone())
            })
            .collect(),
    ))
}

/// The only entry of `matches`, or an error listing the candidates (label and id).
fn one(query: &str, mut matches: Vec<Entry>) -> Result<Entry, CliError> {
    match matches.len() {
        1 => Ok(matches.remove(0)),
        0 => Err(CliError::Input(format!("no account matches {query:?}"))),
        n => Err(CliError::Input(format!(
            "{query:?} matches {n} accounts ({}); use more words or the id from `jeton vault list`",
            matches
                .iter()
                .map(|e| format!("{} {}", e.label(), e.id))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Asks `question` on the terminal; only `y` or `yes` is a yes. Without a terminal on stdin
/// there is no one to ask: the caller must pass `--yes`.
fn confirm(question: &str) -> Result<bool, CliError> {
    use std::io::{BufRead, IsTerminal};
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(CliError::Input(
            "stdin is not a terminal, so Jeton cannot ask before removing: pass --yes".into(),
        ));
    }
    eprint!("{question}");
    let mut answer = String::new();
    stdin
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::Input(format!("cannot read the answer: {e}")))?;
    Ok(matches!(answer.trim().to_lowercase().as_str(), "y" | "yes"))
}
