//! The `jeton` command line: one module per group of subcommands.

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Parser, Subcommand};

mod backup;
mod codes;
mod demo;
mod handoff;
mod scan;
mod sync;
mod transfer;
mod vault;

/// What went wrong, in words for the person at the terminal. The binary prints it on one line
/// of stderr and exits with [`CliError::exit_code`].
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The input given (a URI, a file, an option) is not usable.
    #[error("{0}")]
    Input(String),
    /// The command ran but found nothing (e.g. no QR code in the images).
    #[error("{0}")]
    NotFound(String),
    /// Some inputs failed (each said why on stderr); the output holds what the others gave.
    #[error("{0}")]
    Incomplete(String),
    /// Writing the output failed.
    #[error("could not write the output: {0}")]
    Output(#[from] std::io::Error),
    /// A step of `jeton demo` did not go as it should.
    #[error("the demo failed at {0}")]
    Failed(String),
}

impl CliError {
    /// Exit status: 2 for bad input, 1 for nothing found or a failure to write.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Input(_) | Self::Incomplete(_) => 2,
            Self::NotFound(_) | Self::Output(_) | Self::Failed(_) => 1,
        }
    }

    /// Builds an input error from anything that can be displayed.
    pub fn input(error: impl std::fmt::Display) -> Self {
        Self::Input(error.to_string())
    }
}

/// Jeton on a desktop: the phone's job (codes, scanning, the vault) from a terminal.
#[derive(Debug, Parser)]
#[command(name = "jeton", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the code of an otpauth:// URI (digits only).
    Code(codes::CodeArgs),
    /// Print an otpauth:// URI's account as JSON, normalized.
    Parse(codes::ParseArgs),
    /// Import another app's export, a Jeton backup or otpauth URIs into a vault (the usable
    /// accounts in one transaction; refused entries are listed and make the exit status 2).
    Import(transfer::ImportArgs),
    /// Export a vault: an encrypted Jeton backup, or (with --plaintext) Aegis, andOTP, otpauth, Google QR.
    Export(transfer::ExportArgs),
    /// Check that a Jeton backup opens and matches the vault, without restoring it.
    Drill(transfer::DrillArgs),
    /// Automatic backups: `auto DIR [--keep N]` after each change, `auto --off`, `auto` (status).
    Backup(backup::BackupArgs),
    /// Walk the whole Omnivox/Clara journey against a simulator started in-process.
    Demo(demo::DemoArgs),
    /// Print every QR code in image files, one `FILE<TAB>PAYLOAD` line each.
    Scan(scan::ScanArgs),
    /// Draw a QR code of a URI as PNG, SVG, or in the terminal.
    Qr(scan::QrArgs),
    /// The encrypted vault: init, add, list, codes, code, rename, remove, passwd.
    Vault(vault::VaultArgs),
    /// Sync the vault with your other devices over a folder or WebDAV, end-to-end encrypted
    /// (`init --store DIR|URL` once, then `jeton sync`).
    Sync(sync::SyncArgs),
    /// Pair a new device: `show` a QR code on this one, `scan` it on the new one.
    Pair(sync::PairArgs),
    /// Move every account to a new phone with no storage at all: `show` a series of sealed QR
    /// codes on this one, `scan` them on the new one.
    Move(handoff::MoveArgs),
}

impl Cli {
    /// Runs the parsed command, writing its normal output to `out`.
    pub fn run(self, out: &mut dyn Write) -> Result<(), CliError> {
        match self.command {
            Command::Code(args) => codes::code(args, out),
            Command::Parse(args) => codes::parse(args, out),
            Command::Import(args) => transfer::import(args, out),
            Command::Export(args) => transfer::export(args, out),
            Command::Drill(args) => transfer::drill(args, out),
            Command::Backup(args) => backup::run(args, out),
            // Streams to the terminal: each step shows as it happens, even if a later one fails.
            Command::Demo(args) => demo::run(args, &mut std::io::stdout().lock()),
            Command::Scan(args) => scan::scan(args, out),
            Command::Qr(args) => scan::qr(args, out),
            Command::Vault(args) => vault::run(args, out),
            Command::Sync(args) => sync::run(args, out),
            Command::Pair(args) => sync::pair(args, out),
            Command::Move(args) => handoff::run(args, out),
        }
    }
}

/// Files larger than this are refused before they are read whole: no export, backup or image
/// of a QR code comes near it.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// The bytes of `path`, or why not; a file over [`MAX_FILE_BYTES`] (or `/dev/zero`) is refused
/// after reading at most one byte more than the limit.
pub fn read_bounded(path: &std::path::Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "the file is larger than {} MiB, more than any file Jeton reads",
            MAX_FILE_BYTES >> 20
        ));
    }
    Ok(bytes)
}

/// The current Unix time in seconds.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
