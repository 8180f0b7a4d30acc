//! Runs Jeton's scanner and plain `rqrr` over a corpus made by `scripts/scan/corpus.py`, timing
//! each decode in-process (file loading excluded). Frames get `ScanOptions::frame()` (what
//! `scan_frame` uses), screenshots and photos `ScanOptions::image()` (what `scan_image` uses).
//! Prints one JSON line per image and decoder:
//! `{"file", "decoder", "payloads", "ms"}`. `scripts/scan/bench.py` and
//! `scripts/test.d/scan.sh` read it.
//!
//! `--repeat N` decodes each image N times and reports the median time (for profiling and for
//! steadier timings on a busy machine); `--only CATEGORY` reads that category of the corpus only.
//!
//! With `--files LIST` instead of a corpus, it reads the image files named in LIST (one path a
//! line) as `jeton scan` does: Jeton through `scan_image_with` on the file's bytes (decoding
//! included in the time), rqrr on the decoded gray image (decoding included too), and `decode`
//! the file decoded to gray and no more (what Jeton's time includes before any scanning). Each
//! line then also has `"data"`: each code's bytes in hex (`scripts/scan/photos.py` reads it).
//!
//! ```text
//! cargo run --release --example scan_corpus -- CORPUS_DIR [--decoders jeton,rqrr] [--budget-ms N]
//!     [--repeat N] [--only CATEGORY]
//! cargo run --release --example scan_corpus -- --files LIST [--decoders jeton,rqrr,decode]
//!     [--budget-ms N]
//! ```

use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use jeton_core::scan::{self, ScanOptions};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("scan_corpus: {message}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut dir: Option<PathBuf> = None;
    let mut decoders = vec!["jeton".to_string(), "rqrr".to_string()];
    let mut budget: Option<Duration> = None;
    let mut files: Option<PathBuf> = None;
    let mut repeat = 1usize;
    let mut only: Option<String> = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--files" => files = Some(PathBuf::from(args.next().ok_or("--files needs a list")?)),
            "--decoders" => {
                let list = args.next().ok_or("--decoders needs a list")?;
                decoders = list.split(',').map(str::to_string).collect();
            }
            "--budget-ms" => {
                let ms = args.next().ok_or("--budget-ms needs a number")?;
                let ms: u64 = ms.parse().map_err(|e| format!("--budget-ms {ms}: {e}"))?;
                budget = Some(Duration::from_millis(ms));
            }
            "--repeat" => {
                let n = args.next().ok_or("--repeat needs a number")?;
                repeat = n.parse().map_err(|e| format!("--repeat {n}: {e}"))?;
                repeat = repeat.max(1);
            }
            "--only" => only = Some(args.next().ok_or("--only needs a category")?),
            _ if dir.is_none() => dir = Some(PathBuf::from(arg)),
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    if let Some(list) = files {
        return run_files(&list, &decoders, budget);
    }
    let dir = dir.ok_or("usage: scan_corpus CORPUS_DIR [--decoders jeton,rqrr] [--budget-ms N]")?;
    let manifest = std::fs::read_to_string(dir.join("manifest.jsonl"))
        .map_err(|e| format!("{}: {e}", dir.join("manifest.jsonl").display()))?;
    let mut out = std::io::stdout().lock();
    for line in manifest.lines().filter(|l| !l.trim().is_empty()) {
        let entry: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let file = entry["file"].as_str().ok_or("manifest line without file")?;
        if only
            .as_ref()
            .is_some_and(|c| entry["category"] != c.as_str())
        {
            continue;
        }
        let gray = image::open(dir.join(file))
            .map_err(|e| format!("{file}: {e}"))?
            .into_luma8();
        let (w, h) = gray.dimensions();
        // Camera frames are scanned as the app scans its preview, screenshots and photos as
        // files.
        let mut options = if entry["kind"] == "screenshot" || entry["kind"] == "photo" {
            ScanOptions::image()
        } else {
            ScanOptions::frame()
        };
        if let Some(budget) = budget {
            options.budget = budget;
        }
        for decoder in &decoders {
            let mut times = Vec::with_capacity(repeat);
            let mut payloads = Vec::new();
            for _ in 0..repeat {
                let start = Instant::now();
                payloads = match decoder.as_str() {
                    "jeton" => scan::scan_frame_with(gray.as_raw(), w, h, w, &options)
                        .map_err(|e| format!("{file}: {e}"))?
                        .into_iter()
                        .map(|c| c.payload)
                        .collect(),
                    "rqrr" => plain_rqrr(&gray),
                    other => return Err(format!("unknown decoder {other:?}")),
                };
                times.push(start.elapsed().as_secs_f64() * 1000.0);
            }
            times.sort_by(f64::total_cmp);
            let ms = times[times.len() / 2];
            let record = serde_json::json!({
                "file": file, "decoder": decoder, "payloads": payloads, "ms": ms,
            });
            writeln!(out, "{record}").map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// Each image file named in `list`, read as `jeton scan` reads it, timed with its decoding.
fn run_files(list: &Path, decoders: &[String], budget: Option<Duration>) -> Result<(), String> {
    let names = std::fs::read_to_string(list).map_err(|e| format!("{}: {e}", list.display()))?;
    let mut options = ScanOptions::image();
    if let Some(budget) = budget {
        options.budget = budget;
    }
    let mut out = std::io::stdout().lock();
    for file in names.lines().filter(|l| !l.trim().is_empty()) {
        let bytes = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
        for decoder in decoders {
            let start = Instant::now();
            let data: Vec<Vec<u8>> = match decoder.as_str() {
                "jeton" => scan::scan_image_with(&bytes, &options)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|c| c.bytes.unwrap_or_else(|| c.payload.into_bytes()))
                    .collect(),
                "rqrr" => image::load_from_memory(&bytes)
                    .map(|i| plain_rqrr_bytes(&i.into_luma8()))
                    .unwrap_or_default(),
                // The file decoded to gray and nothing more, as `scan_image` does it for the
                // photos (RGB, Rec. 709 luma in fixed point): the floor under Jeton's time.
                "decode" => {
                    let gray: u64 = image::load_from_memory(&bytes)
                        .map(|i| i.into_rgb8())
                        .map(|rgb| {
                            rgb.as_raw()
                                .chunks_exact(3)
                                .map(|p| {
                                    (2126 * u64::from(p[0])
                                        + 7152 * u64::from(p[1])
                                        + 722 * u64::from(p[2])
                                        + 5000)
                                        / 10_000
                                })
                                .sum()
                        })
                        .unwrap_or_default();
                    std::hint::black_box(gray);
                    Vec::new()
                }
                other => return Err(format!("unknown decoder {other:?}")),
            };
            let ms = start.elapsed().as_secs_f64() * 1000.0;
            let hex: Vec<String> = data
                .iter()
                .map(|d| d.iter().map(|b| format!("{b:02x}")).collect())
                .collect();
            let payloads: Vec<String> = data
                .iter()
                .map(|d| String::from_utf8_lossy(d).into_owned())
                .collect();
            let record = serde_json::json!({
                "file": file, "decoder": decoder, "payloads": payloads, "data": hex, "ms": ms,
            });
            writeln!(out, "{record}").map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// [`plain_rqrr`], each code's raw bytes.
fn plain_rqrr_bytes(gray: &image::GrayImage) -> Vec<Vec<u8>> {
    catch_unwind(AssertUnwindSafe(|| {
        let mut prepared = rqrr::PreparedImage::prepare(gray.clone());
        prepared
            .detect_grids()
            .iter()
            .filter_map(|g| {
                let mut data = Vec::new();
                g.decode_to(&mut data).ok().map(|_| data)
            })
            .collect()
    }))
    .unwrap_or_default()
}

/// `rqrr` as its README shows it: its own row threshold, every grid decoded. Panics count as
/// nothing found.
fn plain_rqrr(gray: &image::GrayImage) -> Vec<String> {
    catch_unwind(AssertUnwindSafe(|| {
        let mut prepared = rqrr::PreparedImage::prepare(gray.clone());
        prepared
            .detect_grids()
            .iter()
            .filter_map(|g| g.decode().ok().map(|(_, text)| text))
            .collect()
    }))
    .unwrap_or_default()
}
