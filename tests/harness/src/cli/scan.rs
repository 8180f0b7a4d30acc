//! `jeton scan` and `jeton qr`: QR codes from image files, and drawn from a URI.

use std::io::Write;
use std::path::PathBuf;

use clap::{ArgGroup, Args};
use jeton_core::{draw, scan};

use super::CliError;

/// Arguments of `jeton scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Image files (PNG, JPEG, GIF, WebP) to read QR codes from.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// Arguments of `jeton qr`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("output").required(true).args(["png", "svg", "terminal"])))]
pub struct QrArgs {
    /// The text to draw, usually an otpauth:// URI.
    uri: String,
    /// Write a PNG image to this file.
    #[arg(long, value_name = "OUT")]
    png: Option<PathBuf>,
    /// Write an SVG image to this file.
    #[arg(long, value_name = "OUT")]
    svg: Option<PathBuf>,
    /// Print the code in the terminal with Unicode half blocks (for light text on a dark
    /// background).
    #[arg(long)]
    terminal: bool,
    /// Pixels per module in the PNG.
    #[arg(long, default_value_t = 8, value_name = "PIXELS")]
    module_px: u32,
}

/// Prints `FILE<TAB>PAYLOAD` for every code in every file. Fails with exit status 2 when a file
/// cannot be read and 1 when no file holds a code.
pub fn scan(args: ScanArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let mut found = 0usize;
    for path in &args.files {
        let bytes =
            std::fs::read(path).map_err(|e| CliError::Input(format!("{}: {e}", path.display())))?;
        let codes = scan::scan_image(&bytes)
            .map_err(|e| CliError::Input(format!("{}: {e}", path.display())))?;
        for code in &codes {
            writeln!(out, "{}\t{}", path.display(), code.payload)?;
        }
        found += codes.len();
    }
    if found == 0 {
        let what = match args.files.as_slice() {
            [one] => one.display().to_string(),
            many => format!("{} files", many.len()),
        };
        return Err(CliError::NotFound(format!("no QR code found in {what}")));
    }
    Ok(())
}

/// Draws the URI to a PNG or SVG file, or prints it as terminal half blocks.
pub fn qr(args: QrArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let write = |path: &PathBuf, bytes: &[u8]| {
        std::fs::write(path, bytes)
            .map_err(|e| CliError::Input(format!("cannot write {}: {e}", path.display())))
    };
    if let Some(path) = &args.png {
        write(
            path,
            &draw::png(&args.uri, args.module_px).map_err(CliError::input)?,
        )?;
    }
    if let Some(path) = &args.svg {
        write(
            path,
            draw::svg(&args.uri).map_err(CliError::input)?.as_bytes(),
        )?;
    }
    if args.terminal {
        out.write_all(
            draw::terminal(&args.uri)
                .map_err(CliError::input)?
                .as_bytes(),
        )?;
    }
    Ok(())
}
