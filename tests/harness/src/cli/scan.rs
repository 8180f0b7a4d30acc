//! `jeton scan` and `jeton qr`: QR codes from image files, and drawn from a URI.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{ArgGroup, Args};
use jeton_core::intake::Content;
use jeton_core::{draw, scan};

use super::CliError;

/// Arguments of `jeton scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Image files (PNG, JPEG, GIF, WebP) to read QR codes from.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// One JSON object per code: {"file", "text" (or "bytes" in base64 when the code holds no
    /// text), "corners" [[x, y] × 4], "kind" ("account", "invalid-account", "migration",
    /// "text" or "bytes")}.
    #[arg(long)]
    json: bool,
    /// Read each image as a camera frame (its luma plane through the phone's frame path, with
    /// the frame budget), for comparison with the image path.
    #[arg(long)]
    frame: bool,
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
    /// Replace an existing PNG or SVG file (never done otherwise).
    #[arg(long)]
    force: bool,
}

/// Prints every code in every file: `FILE<TAB>PAYLOAD` lines (control and bidi characters
/// escaped, so one code is one line) or, with `--json`, one JSON object per line. Files are
/// scanned concurrently (one worker per available core) and printed in the order given, each
/// file's lines together. A file that can't be read gets one line on stderr and the others are
/// still scanned; then the exit status is 2. Otherwise it is 1 when no file holds a code.
pub fn scan(args: ScanArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let mut found = 0usize;
    let mut failed = 0usize;
    let mut print = |path: &PathBuf, result: Result<Vec<scan::ScannedCode>, String>| {
        let codes = match result {
            Ok(codes) => codes,
            Err(message) => {
                eprintln!("jeton: {}: {message}", escaped(&path.display().to_string()));
                failed += 1;
                return Ok(());
            }
        };
        for code in &codes {
            if args.json {
                writeln!(out, "{}", json(path, code))?;
            } else {
                let shown = escaped(&path.display().to_string());
                writeln!(out, "{shown}\t{}", escaped(&code.payload))?;
            }
        }
        found += codes.len();
        Ok::<(), CliError>(())
    };
    in_order(&args.files, |path| read(path, args.frame), &mut print)?;
    if failed > 0 {
        return Err(CliError::Incomplete(format!(
            "{failed} of {} files could not be scanned",
            args.files.len()
        )));
    }
    if found == 0 {
        let what = match args.files.as_slice() {
            [one] => escaped(&one.display().to_string()),
            many => format!("{} files", many.len()),
        };
        return Err(CliError::NotFound(format!("no QR code found in {what}")));
    }
    Ok(())
}

/// Runs `work` on every item on up to [`std::thread::available_parallelism`] threads, and hands
/// each result to `take` on this thread in the items' order, as soon as it and all before it are
/// done. Stops early with `take`'s first error (the workers then finish the item they hold).
fn in_order<T: Sync, R: Send, E>(
    items: &[T],
    work: impl Fn(&T) -> R + Sync,
    take: &mut dyn FnMut(&T, R) -> Result<(), E>,
) -> Result<(), E> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(items.len());
    if workers <= 1 {
        return items.iter().try_for_each(|item| take(item, work(item)));
    }
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::channel();
        for _ in 0..workers {
            let send = send.clone();
            let (next, stop, work) = (&next, &stop, &work);
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    if send.send((i, work(item))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(send);
        // Results that came back before an earlier item's, by index.
        let mut waiting: Vec<Option<R>> =
            std::iter::repeat_with(|| None).take(items.len()).collect();
        let mut printed = 0;
        for (i, result) in receive {
            waiting[i] = Some(result);
            while let Some(result) = waiting.get_mut(printed).and_then(Option::take) {
                if let Err(e) = take(&items[printed], result) {
                    stop.store(true, Ordering::Relaxed);
                    return Err(e);
                }
                printed += 1;
            }
        }
        Ok(())
    })
}

/// The codes in one file, or why it can't be scanned.
fn read(path: &Path, frame: bool) -> Result<Vec<scan::ScannedCode>, String> {
    let bytes = super::read_bounded(path)?;
    // `scan_frame` runs the same pipeline on a luma plane with these options.
    let options = if frame {
        scan::ScanOptions::frame()
    } else {
        scan::ScanOptions::image()
    };
    scan::scan_image_with(&bytes, &options).map_err(|e| e.to_string())
}

/// One code as a JSON object.
fn json(path: &Path, code: &scan::ScannedCode) -> String {
    let kind = match &code.bytes {
        Some(_) => "bytes",
        None => match Content::classify(&code.payload) {
            Content::Account(_) => "account",
            Content::InvalidAccount(_) => "invalid-account",
            Content::Migration => "migration",
            Content::Text => "text",
        },
    };
    let corners: Vec<[f32; 2]> = code.corners.iter().map(|p| [p.x, p.y]).collect();
    let (key, value) = match &code.bytes {
        Some(bytes) => ("bytes", data_encoding::BASE64.encode(bytes)),
        None => ("text", code.payload.clone()),
    };
    let mut object = serde_json::Map::new();
    object.insert("file".into(), path.display().to_string().into());
    object.insert(key.into(), value.into());
    object.insert("corners".into(), serde_json::json!(corners));
    object.insert("kind".into(), kind.into());
    // serde_json leaves C1 controls and text-direction characters as they are: written as
    // `\uXXXX` escapes (all are in the BMP), the JSON means the same and shows safely.
    let mut line = String::new();
    for c in serde_json::Value::Object(object).to_string().chars() {
        if jeton_core::account::is_unsafe_char(c) {
            line.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            line.push(c);
        }
    }
    line
}

/// The text with `\\`, control characters and bidirectional formatting characters escaped
/// (`\\t`, `\\n`, `\\r`, `\\u{…}`), so that it shows as it is and stays on one line.
pub fn escaped(text: &str) -> String {
    jeton_core::account::escape(text)
}

/// Draws the URI to a PNG or SVG file, or prints it as terminal half blocks. A file holds the
/// account's secret: it is written readable by its owner only, and an existing file is
/// replaced only with `--force`.
pub fn qr(args: QrArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let write = |path: &PathBuf, bytes: &[u8]| {
        super::transfer::write_private(path, bytes, None, args.force)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_the_items_order_whatever_finishes_first() {
        // The first items take longest, so that the later ones finish first on several workers.
        let items: Vec<u64> = (0..12).collect();
        let mut seen = Vec::new();
        in_order(
            &items,
            |&i| {
                std::thread::sleep(std::time::Duration::from_millis(2 * (12 - i)));
                i * 10
            },
            &mut |&item, result| {
                seen.push((item, result));
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        let expected: Vec<(u64, u64)> = items.iter().map(|&i| (i, i * 10)).collect();
        assert_eq!(seen, expected);
    }

    #[test]
    fn the_first_error_of_take_stops_the_run() {
        let items: Vec<u32> = (0..50).collect();
        let mut taken = 0;
        let result = in_order(&items, |&i| i, &mut |&item, _| {
            taken += 1;
            if item == 3 { Err(item) } else { Ok(()) }
        });
        assert_eq!(result, Err(3));
        assert_eq!(taken, 4);
    }
}
