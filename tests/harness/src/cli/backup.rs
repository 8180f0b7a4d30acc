//! `jeton backup auto ...`: after each change of the vault, an encrypted backup in a folder,
//! the last N kept (docs/adr/0007-automatic-backups.md). The vault remembers the folder and N
//! and writes the backups itself, so every command that changes it (`vault add`, `import`,
//! `sync`, ...) makes one; a backup that cannot be written is a warning on stderr, never a
//! lost change. `jeton export --format jeton` and `jeton drill` are the manual counterparts.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use jeton_core::backup::auto::{AutoBackup, DEFAULT_KEEP};
use jeton_core::vault::Vault;

use super::CliError;
use super::transfer::{VAULT_PASSPHRASE_ENV, open_vault, password};
use super::vault::default_path;

/// Arguments of `jeton backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The vault file [default: vault.jeton in the user's data directory].
    #[arg(long, global = true, env = "JETON_VAULT", value_name = "PATH")]
    vault: Option<PathBuf>,
    #[command(subcommand)]
    command: BackupCommand,
}

#[derive(Debug, Subcommand)]
enum BackupCommand {
    /// After each change, an encrypted backup in DIR that opens with the vault's passphrase,
    /// the last N kept. Without DIR: whether automatic backups are on, and where.
    Auto {
        /// The folder (created if missing), e.g. one a cloud drive keeps.
        #[arg(value_name = "DIR", conflicts_with = "off")]
        dir: Option<PathBuf>,
        /// How many backups to keep [default: 10, or the number already chosen].
        #[arg(long, value_name = "N", conflicts_with = "off")]
        keep: Option<usize>,
        /// Turn automatic backups off (the backups already written stay).
        #[arg(long)]
        off: bool,
    },
}

/// Runs `jeton backup`.
pub fn run(args: BackupArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let path = match args.vault {
        Some(path) => path,
        None => default_path()?,
    };
    let BackupCommand::Auto { dir, keep, off } = args.command;
    if off {
        let mut vault = open_vault(&path)?;
        let before = vault.auto_backup().map_err(CliError::input)?;
        vault.turn_off_auto_backup().map_err(CliError::input)?;
        match before {
            Some(choice) => writeln!(
                out,
                "automatic backups off; the backups in {} stay",
                choice.folder().display()
            )?,
            None => writeln!(out, "automatic backups were already off")?,
        }
        return Ok(());
    }
    if dir.is_none() && keep.is_none() {
        let vault = open_vault(&path)?;
        return status(&vault, out);
    }
    // Turning on (or changing) needs the passphrase itself: backups open with it.
    let passphrase = password(VAULT_PASSPHRASE_ENV, "Vault passphrase: ")?;
    let mut vault = Vault::open(&path).map_err(CliError::input)?;
    vault
        .unlock_with_passphrase(&passphrase)
        .map_err(CliError::input)?;
    let current = vault.auto_backup().map_err(CliError::input)?;
    let folder = match (dir, &current) {
        (Some(dir), _) => {
            std::fs::create_dir_all(&dir).map_err(|e| {
                CliError::Input(format!("cannot create the folder {}: {e}", dir.display()))
            })?;
            // Absolute, so that later commands run from elsewhere write to the same place.
            std::fs::canonicalize(&dir)
                .map_err(|e| CliError::Input(format!("{}: {e}", dir.display())))?
        }
        (None, Some(choice)) => choice.folder().to_owned(),
        (None, None) => {
            return Err(CliError::Input(
                "automatic backups are off: say where with `jeton backup auto DIR`".into(),
            ));
        }
    };
    let keep = keep
        .or(current.as_ref().map(AutoBackup::keep))
        .unwrap_or(DEFAULT_KEEP);
    let text = folder.to_str().ok_or_else(|| {
        CliError::Input(format!(
            "the folder name {} is not valid UTF-8; choose another folder",
            folder.display()
        ))
    })?;
    let choice = AutoBackup::new(text, keep).map_err(CliError::input)?;
    vault
        .set_auto_backup(choice, &passphrase)
        .map_err(CliError::input)?;
    writeln!(
        out,
        "automatic backups on: after each change, a backup in {} (the last {keep} kept), opened with the vault's passphrase",
        folder.display()
    )?;
    match vault.last_auto_backup() {
        Some(Ok(written)) => {
            writeln!(out, "first backup: {}", written.path.display())?;
            Ok(())
        }
        Some(Err(e)) => Err(CliError::Input(format!(
            "automatic backups are on, but the first backup failed: {e}"
        ))),
        None => Ok(()),
    }
}

fn status(vault: &Vault, out: &mut dyn Write) -> Result<(), CliError> {
    let Some(choice) = vault.auto_backup().map_err(CliError::input)? else {
        writeln!(
            out,
            "automatic backups: off (turn them on with `jeton backup auto DIR`)"
        )?;
        return Ok(());
    };
    writeln!(out, "automatic backups: on")?;
    writeln!(out, "folder: {}", choice.folder().display())?;
    writeln!(out, "kept: the last {}", choice.keep())?;
    match choice.backups() {
        Ok(found) => {
            writeln!(out, "there now: {}", found.len())?;
            if let Some(newest) = found.last() {
                writeln!(out, "newest: {}", newest.display())?;
            }
        }
        Err(e) => writeln!(out, "there now: unknown ({e})")?,
    }
    Ok(())
}

/// Prints a warning if the automatic backup that a change made failed (the change is saved).
pub(super) fn warn_if_failed(vault: &Vault) {
    if let Some(Err(e)) = vault.last_auto_backup() {
        eprintln!("jeton: warning: {e}");
    }
}
