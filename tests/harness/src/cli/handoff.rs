//! `jeton move show|scan`: every account to a new phone with no storage at all, as a series of
//! sealed QR codes and a code shown beside them (the core's `handoff`).

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use jeton_core::handoff::{self, HandoffError, Receiver};
use jeton_core::{draw, scan, transfer};
use zeroize::Zeroizing;

use super::transfer::{open_or_create_vault, open_vault, password};
use super::vault::default_path;
use super::{CliError, now};

/// Environment variable holding the code shown beside the QR codes.
pub const MOVE_CODE_ENV: &str = "JETON_MOVE_CODE";

/// Arguments of `jeton move`.
#[derive(Debug, Args)]
pub struct MoveArgs {
    /// The vault file [default: vault.jeton in the user's data directory].
    #[arg(long, global = true, env = "JETON_VAULT", value_name = "PATH")]
    vault: Option<PathBuf>,
    #[command(subcommand)]
    command: MoveCommand,
}

#[derive(Debug, Subcommand)]
enum MoveCommand {
    /// On the old phone: show every account as a series of sealed QR codes and a code (valid
    /// 10 minutes).
    Show {
        /// Write the QR codes as PNG files (move-1.png, ...) in this folder instead of drawing
        /// them in the terminal.
        #[arg(long, value_name = "DIR")]
        png_dir: Option<PathBuf>,
    },
    /// On the new phone: read every QR code of the series from images (any order), ask for
    /// the code, and import the accounts.
    Scan {
        /// Screenshots or photos of the QR codes.
        #[arg(required = true)]
        images: Vec<PathBuf>,
        /// The code shown beside the QR codes [default: JETON_MOVE_CODE, else a prompt].
        #[arg(long)]
        code: Option<String>,
    },
}

fn error(e: HandoffError) -> CliError {
    CliError::Input(e.to_string())
}

/// Runs `jeton move`.
pub fn run(args: MoveArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let path = match args.vault {
        Some(path) => path,
        None => default_path()?,
    };
    match args.command {
        MoveCommand::Show { png_dir } => {
            let accounts: Vec<_> = transfer::vault_entries(&open_vault(&path)?)
                .map_err(CliError::input)?
                .into_iter()
                .map(|e| e.account)
                .collect();
            let series = handoff::show(&accounts, now()).map_err(error)?;
            let total = series.frames.len();
            match &png_dir {
                Some(dir) => {
                    // The whole series or nothing, never over files already there (another
                    // series' codes mixed with these would not scan as one).
                    let mut files = Vec::with_capacity(total);
                    for (i, frame) in series.frames.iter().enumerate() {
                        let image = draw::png(frame, 4).map_err(CliError::input)?;
                        files.push((dir.join(format!("move-{}.png", i + 1)), image));
                    }
                    if let Some((there, _)) = files.iter().find(|(f, _)| f.exists()) {
                        return Err(CliError::Input(format!(
                            "{} already exists; choose an empty folder for the QR codes",
                            there.display()
                        )));
                    }
                    super::transfer::write_private_set(&files, Some(&path), false)?;
                    for (i, (file, _)) in files.iter().enumerate() {
                        writeln!(out, "QR code {} of {total}: {}", i + 1, file.display())?;
                    }
                }
                None => {
                    for (i, frame) in series.frames.iter().enumerate() {
                        let qr =
                            draw::Qr::new(frame, draw::Ecc::Medium).map_err(CliError::input)?;
                        writeln!(out, "QR code {} of {total}:", i + 1)?;
                        write!(out, "{}", qr.terminal())?;
                    }
                }
            }
            writeln!(
                out,
                "{} accounts in {total} QR codes; code: {}",
                accounts.len(),
                series.code.as_str()
            )?;
            writeln!(out, "valid for {} minutes", handoff::LIFETIME_SECS / 60)?;
            Ok(())
        }
        MoveCommand::Scan { images, code } => {
            let mut receiver = Receiver::default();
            for image in &images {
                let bytes = super::read_bounded(image).map_err(|e| {
                    CliError::Input(format!("cannot read {}: {e}", image.display()))
                })?;
                let codes = scan::scan_image(&bytes).map_err(CliError::input)?;
                let mut found = false;
                for payload in codes.iter().map(|c| c.payload.as_str()) {
                    if payload.starts_with(handoff::PREFIX) {
                        receiver.add(payload).map_err(error)?;
                        found = true;
                    }
                }
                if !found {
                    return Err(CliError::Input(format!(
                        "{} holds no QR code of a Jeton move",
                        image.display()
                    )));
                }
            }
            let progress = receiver.progress();
            writeln!(
                out,
                "scanned {} of {} QR codes",
                progress.scanned, progress.total
            )?;
            let code = match code {
                Some(code) => Zeroizing::new(code),
                None => password(MOVE_CODE_ENV, "Code shown beside the QR codes: ")?,
            };
            let imported = receiver.open(&code, now()).map_err(error)?;
            let mut vault = open_or_create_vault(&path)?;
            let summary = transfer::import_into(&mut vault, imported).map_err(CliError::input)?;
            writeln!(out, "{summary}")?;
            super::backup::warn_if_failed(&vault);
            Ok(())
        }
    }
}
