//! `jeton sync ...` and `jeton pair ...`: the vault's accounts on all of a person's devices,
//! end-to-end encrypted, over a folder that a cloud drive syncs or a WebDAV server.
//!
//! The store is `--store DIR|URL` (or `JETON_SYNC_STORE`); `init` and `pair scan` remember it
//! beside the vault (`VAULT.sync-store`, the address only) so that a plain `jeton sync` works.
//! A WebDAV password comes from `JETON_SYNC_PASSWORD` or a prompt. One device's syncs never run
//! at once: a lock file beside the vault serializes them.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use jeton_core::sync::pair::{self, PairError};
use jeton_core::sync::recovery;
use jeton_core::sync::webdav::WebDavStore;
use jeton_core::sync::{self as core_sync, BlobStore, FolderStore, SyncError, SyncReport};
use jeton_core::{draw, scan};
use zeroize::Zeroizing;

use super::transfer::{new_password, open_or_create_vault, open_vault, password};
use super::vault::default_path;
use super::{CliError, now};

/// Environment variable naming the store.
pub const STORE_ENV: &str = "JETON_SYNC_STORE";
/// Environment variable holding a WebDAV store's password.
pub const STORE_PASSWORD_ENV: &str = "JETON_SYNC_PASSWORD";
/// Environment variable holding a recovery passphrase.
pub const RECOVERY_ENV: &str = "JETON_RECOVERY_PASSPHRASE";
/// Environment variable holding a pairing code.
pub const PAIR_CODE_ENV: &str = "JETON_PAIR_CODE";

/// Arguments of `jeton sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The vault file [default: vault.jeton in the user's data directory].
    #[arg(long, global = true, env = "JETON_VAULT", value_name = "PATH")]
    vault: Option<PathBuf>,
    /// The sync storage: a folder (kept in sync by a cloud drive) or a WebDAV address
    /// [default: the one `init` or `pair scan` remembered].
    #[arg(long, global = true, env = STORE_ENV, value_name = "DIR|URL")]
    store: Option<String>,
    #[command(subcommand)]
    command: Option<SyncCommand>,
}

#[derive(Debug, Subcommand)]
enum SyncCommand {
    /// Set up sync on this vault, as its first device, then sync.
    Init,
    /// This device leaves the sync (its accounts stay in its vault).
    Leave,
    /// Let a new device join with a recovery passphrase alone, for a lost phone (its sync key
    /// goes on the storage sealed with it: choose a strong one) [passphrase: JETON_RECOVERY_PASSPHRASE,
    /// else a prompt].
    Recovery {
        /// Remove the recovery passphrase instead: only pairing adds devices.
        #[arg(long)]
        off: bool,
    },
    /// Join the sync on --store with its recovery passphrase (no other device needed), then
    /// sync [passphrase: JETON_RECOVERY_PASSPHRASE, else a prompt].
    Join,
}

/// Arguments of `jeton pair`.
#[derive(Debug, Args)]
pub struct PairArgs {
    /// The vault file [default: vault.jeton in the user's data directory].
    #[arg(long, global = true, env = "JETON_VAULT", value_name = "PATH")]
    vault: Option<PathBuf>,
    #[command(subcommand)]
    command: PairCommand,
}

#[derive(Debug, Subcommand)]
enum PairCommand {
    /// On the device that syncs: show a QR code and a code for a new device (valid 10 minutes).
    Show {
        /// Write the QR code to this PNG file instead of drawing it in the terminal.
        #[arg(long, value_name = "FILE")]
        png: Option<PathBuf>,
    },
    /// On the new device: read the QR code from an image, ask for the code, join and sync.
    Scan {
        /// A screenshot or photo of the other device's pairing QR code.
        image: PathBuf,
        /// The code shown beside the QR code [default: JETON_PAIR_CODE, else a prompt].
        #[arg(long)]
        code: Option<String>,
    },
}

/// Runs `jeton sync`.
pub fn run(args: SyncArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let path = vault_path(args.vault)?;
    match args.command {
        Some(SyncCommand::Init) => {
            let address = args.store.ok_or_else(|| {
                CliError::Input(format!(
                    "say where to sync: --store DIR|URL (or {STORE_ENV})"
                ))
            })?;
            if !is_webdav(&address) {
                // A new sync may start in a new folder; later syncs refuse a missing one (an
                // unmounted drive is not an empty store).
                std::fs::create_dir_all(&address).map_err(|e| {
                    CliError::Input(format!("cannot create the folder {address}: {e}"))
                })?;
            }
            let address = absolute(address)?;
            let store = open_store(&address)?;
            let _lock = lock(&path)?;
            let mut vault = open_vault(&path)?;
            core_sync::init(&mut vault, store.as_ref()).map_err(sync_error)?;
            remember(&path, &address)?;
            writeln!(out, "sync set up on {}", shown(&address))?;
            let report = sync_now(&mut vault, store.as_ref())?;
            super::backup::warn_if_failed(&vault);
            print_report(out, &report)
        }
        Some(SyncCommand::Leave) => {
            let _lock = lock(&path)?;
            let mut vault = open_vault(&path)?;
            core_sync::leave(&mut vault).map_err(sync_error)?;
            let _ = std::fs::remove_file(store_file(&path));
            writeln!(
                out,
                "this device left the sync; its accounts stay in {}",
                path.display()
            )?;
            Ok(())
        }
        Some(SyncCommand::Recovery { off }) => {
            let address = match args.store {
                Some(address) => address,
                None => remembered(&path)?,
            };
            let store = open_store(&address)?;
            if off {
                recovery::remove_passphrase(store.as_ref()).map_err(sync_error)?;
                writeln!(
                    out,
                    "recovery passphrase removed: new devices join by pairing only"
                )?;
                return Ok(());
            }
            let key = {
                let vault = open_vault(&path)?;
                core_sync::key(&vault).map_err(sync_error)?
            };
            let passphrase = new_password(RECOVERY_ENV, "recovery passphrase")?;
            recovery::set_passphrase(&key, store.as_ref(), &passphrase).map_err(sync_error)?;
            writeln!(
                out,
                "recovery passphrase set: a new device joins with `jeton sync join --store {}` and this passphrase",
                shown(&address)
            )?;
            Ok(())
        }
        Some(SyncCommand::Join) => {
            let address = args.store.ok_or_else(|| {
                CliError::Input(format!(
                    "say which storage to join: --store DIR|URL (or {STORE_ENV})"
                ))
            })?;
            let address = absolute(address)?;
            let store = open_store(&address)?;
            let passphrase = password(RECOVERY_ENV, "Recovery passphrase: ")?;
            let key = recovery::open(store.as_ref(), &passphrase).map_err(sync_error)?;
            let _lock = lock(&path)?;
            let mut vault = open_or_create_vault(&path)?;
            core_sync::join(&mut vault, store.as_ref(), &key).map_err(sync_error)?;
            remember(&path, &address)?;
            writeln!(out, "joined the sync on {}", shown(&address))?;
            let report = sync_now(&mut vault, store.as_ref())?;
            print_report(out, &report)
        }
        None => {
            let address = match args.store {
                Some(address) => address,
                None => remembered(&path)?,
            };
            let store = open_store(&address)?;
            let _lock = lock(&path)?;
            let mut vault = open_vault(&path)?;
            let report = sync_now(&mut vault, store.as_ref())?;
            super::backup::warn_if_failed(&vault);
            print_report(out, &report)
        }
    }
}

/// Runs `jeton pair`.
pub fn pair(args: PairArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let path = vault_path(args.vault)?;
    match args.command {
        PairCommand::Show { png } => {
            let address = remembered(&path)?;
            let vault = open_vault(&path)?;
            let key = core_sync::key(&vault).map_err(sync_error)?;
            let invitation = pair::invite(&key, &address, now()).map_err(pair_error)?;
            match png {
                Some(file) => {
                    let image = draw::png(&invitation.payload, 8).map_err(CliError::input)?;
                    std::fs::write(&file, image).map_err(|e| {
                        CliError::Input(format!("cannot write {}: {e}", file.display()))
                    })?;
                    writeln!(out, "pairing QR code written to {}", file.display())?;
                }
                None => {
                    let qr = draw::Qr::new(&invitation.payload, draw::Ecc::Medium)
                        .map_err(CliError::input)?;
                    write!(out, "{}", qr.terminal())?;
                }
            }
            writeln!(out, "pairing code: {}", invitation.code.as_str())?;
            writeln!(out, "valid for {} minutes", pair::LIFETIME_SECS / 60)?;
            Ok(())
        }
        PairCommand::Scan { image, code } => {
            let bytes = std::fs::read(&image)
                .map_err(|e| CliError::Input(format!("cannot read {}: {e}", image.display())))?;
            let codes = scan::scan_image(&bytes).map_err(CliError::input)?;
            let payload = codes
                .iter()
                .map(|c| c.payload.as_str())
                .find(|p| p.starts_with(pair::PREFIX))
                .ok_or_else(|| CliError::input(PairError::NotAnInvitation))?;
            let code = match code {
                Some(code) => Zeroizing::new(code),
                None => password(PAIR_CODE_ENV, "Pairing code shown on the other device: ")?,
            };
            let pairing = pair::accept(payload, &code, now()).map_err(pair_error)?;
            let store = open_store(&pairing.store)?;
            let _lock = lock(&path)?;
            let mut vault = open_or_create_vault(&path)?;
            core_sync::join(&mut vault, store.as_ref(), &pairing.key).map_err(sync_error)?;
            remember(&path, &pairing.store)?;
            writeln!(out, "joined the sync on {}", shown(&pairing.store))?;
            let report = sync_now(&mut vault, store.as_ref())?;
            super::backup::warn_if_failed(&vault);
            print_report(out, &report)
        }
    }
}

fn vault_path(path: Option<PathBuf>) -> Result<PathBuf, CliError> {
    match path {
        Some(path) => Ok(path),
        None => default_path(),
    }
}

/// A folder, or a WebDAV server for `http://` and `https://` addresses.
fn open_store(address: &str) -> Result<Box<dyn BlobStore>, CliError> {
    if is_webdav(address) {
        let url = url::Url::parse(address)
            .map_err(|_| CliError::Input(format!("{} is not a WebDAV address", shown(address))))?;
        let secret = if url.username().is_empty() || url.password().is_some() {
            None
        } else {
            Some(password(STORE_PASSWORD_ENV, "WebDAV password: ")?)
        };
        let store = WebDavStore::new(address, secret.as_deref().map(String::as_str))
            .map_err(CliError::input)?;
        return Ok(Box::new(store));
    }
    let store = FolderStore::new(address).map_err(CliError::input)?;
    Ok(Box::new(store))
}

/// Whether the address is a WebDAV URL: its scheme is `http` or `https`, in any case (RFC 3986
/// §3.1), so that `HTTP://user:password@host` never becomes a local folder of that name.
fn is_webdav(address: &str) -> bool {
    let starts = |prefix: &str| {
        address
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    starts("http://") || starts("https://")
}

/// A folder address made absolute (against the current directory), so that the remembered
/// address and a pairing invitation name the same folder from anywhere. URLs are unchanged.
fn absolute(address: String) -> Result<String, CliError> {
    if is_webdav(&address) {
        return Ok(address);
    }
    let path = std::path::absolute(&address)
        .map_err(|e| CliError::Input(format!("cannot resolve the folder {address}: {e}")))?;
    path.into_os_string()
        .into_string()
        .map_err(|_| CliError::Input(format!("the folder {address} is not valid Unicode")))
}

/// Syncs now; again on the vault as it is now if another command changed it meanwhile (the
/// files a refused round wrote are read back as this device's own, ADR 0006).
fn sync_now(
    vault: &mut jeton_core::vault::Vault,
    store: &dyn BlobStore,
) -> Result<SyncReport, CliError> {
    super::vault::changing_with(vault, |v| core_sync::sync(v, store), sync_error)
}

/// An address as printed: without a password.
fn shown(address: &str) -> String {
    match url::Url::parse(address) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(None);
            url.to_string()
        }
        _ => address.to_owned(),
    }
}

/// A file beside the vault: `VAULT` + `suffix`.
fn beside(vault: &Path, suffix: &str) -> PathBuf {
    let mut name = vault.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn store_file(vault: &Path) -> PathBuf {
    beside(vault, ".sync-store")
}

fn remember(vault: &Path, address: &str) -> Result<(), CliError> {
    let file = store_file(vault);
    // The address without any password in it: passwords are never written to disk.
    std::fs::write(&file, format!("{}\n", shown(address)))
        .map_err(|e| CliError::Input(format!("cannot write {}: {e}", file.display())))
}

fn remembered(vault: &Path) -> Result<String, CliError> {
    let file = store_file(vault);
    match std::fs::read_to_string(&file) {
        Ok(text) if !text.trim().is_empty() => Ok(text.trim().to_owned()),
        _ => Err(CliError::Input(format!(
            "sync is not set up for {}: run `jeton sync init --store DIR|URL`, or pair with a device that syncs",
            vault.display()
        ))),
    }
}

/// Holds an exclusive lock beside the vault while one sync runs.
fn lock(vault: &Path) -> Result<File, CliError> {
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(beside(vault, ".sync-lock"))
        .map_err(|e| CliError::Input(format!("cannot lock the vault for sync: {e}")))?;
    file.lock()
        .map_err(|e| CliError::Input(format!("cannot lock the vault for sync: {e}")))?;
    Ok(file)
}

fn print_report(out: &mut dyn Write, report: &SyncReport) -> Result<(), CliError> {
    writeln!(
        out,
        "synced: sent {} changes, received {}; {} added, {} updated, {} removed; {} devices",
        report.sent, report.received, report.added, report.updated, report.removed, report.devices
    )?;
    for conflict in &report.conflicts {
        writeln!(
            out,
            "conflict: an account was edited on two devices; kept {}, the other edit ({}) is in its history",
            super::scan::escaped(&conflict.kept),
            super::scan::escaped(&conflict.lost)
        )?;
    }
    if report.skipped > 0 {
        writeln!(
            out,
            "{} accounts come from a newer Jeton and are kept for later",
            report.skipped
        )?;
    }
    Ok(())
}

fn sync_error(error: SyncError) -> CliError {
    CliError::Input(error.to_string())
}

fn pair_error(error: PairError) -> CliError {
    CliError::Input(error.to_string())
}
