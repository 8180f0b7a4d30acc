//! Runs Jeton's scanner and plain `rqrr` over a corpus made by `scripts/scan/corpus.py`, timing
//! each decode in-process (file loading excluded). Prints one JSON line per image and decoder:
//! `{"file", "decoder", "payloads", "ms"}`. `scripts/scan/bench.py` and
//! `scripts/test.d/scan.sh` read it.
//!
//! ```text
//! cargo run --release --example scan_corpus -- CORPUS_DIR [--decoders jeton,rqrr] [--budget-ms N]
//! ```

use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
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
    let mut options = ScanOptions::default();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--decoders" => {
                let list = args.next().ok_or("--decoders needs a list")?;
                decoders = list.split(',').map(str::to_string).collect();
            }
            "--budget-ms" => {
                let ms = args.next().ok_or("--budget-ms needs a number")?;
                let ms: u64 = ms.parse().map_err(|e| format!("--budget-ms {ms}: {e}"))?;
                options.budget = Duration::from_millis(ms);
            }
            _ if dir.is_none() => dir = Some(PathBuf::from(arg)),
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    let dir = dir.ok_or("usage: scan_corpus CORPUS_DIR [--decoders jeton,rqrr] [--budget-ms N]")?;
    let manifest = std::fs::read_to_string(dir.join("manifest.jsonl"))
        .map_err(|e| format!("{}: {e}", dir.join("manifest.jsonl").display()))?;
    let mut out = std::io::stdout().lock();
    for line in manifest.lines().filter(|l| !l.trim().is_empty()) {
        let entry: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let file = entry["file"].as_str().ok_or("manifest line without file")?;
        let gray = image::open(dir.join(file))
            .map_err(|e| format!("{file}: {e}"))?
            .into_luma8();
        let (w, h) = gray.dimensions();
        for decoder in &decoders {
            let start = Instant::now();
            let payloads = match decoder.as_str() {
                "jeton" => scan::scan_frame_with(gray.as_raw(), w, h, w, &options)
                    .map_err(|e| format!("{file}: {e}"))?
                    .into_iter()
                    .map(|c| c.payload)
                    .collect(),
                "rqrr" => plain_rqrr(&gray),
                other => return Err(format!("unknown decoder {other:?}")),
            };
            let ms = start.elapsed().as_secs_f64() * 1000.0;
            let record = serde_json::json!({
                "file": file, "decoder": decoder, "payloads": payloads, "ms": ms,
            });
            writeln!(out, "{record}").map_err(|e| e.to_string())?;
        }
    }
    Ok(())
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
