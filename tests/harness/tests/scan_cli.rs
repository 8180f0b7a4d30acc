#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `jeton scan` and `jeton qr` as a user runs them, checked against peer tools where they are
//! installed (`qrencode` draws, `zbarimg` reads; scripts/setup installs both).

use std::path::Path;
use std::process::{Command, Output};

const URI: &str = "otpauth://totp/Omnivox:2412345?secret=JBSWY3DPEHPK3PXP&issuer=Omnivox";

fn jeton(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jeton"))
        .args(args)
        .output()
        .unwrap()
}

fn has(tool: &str) -> bool {
    let found = Command::new(tool).arg("--version").output().is_ok();
    if !found {
        eprintln!("skipped: {tool} is not installed (scripts/setup installs it)");
    }
    found
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_drawn_png_scans_back_with_its_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("code.png");
    let drawn = jeton(&["qr", URI, "--png", png.to_str().unwrap()]);
    assert!(drawn.status.success(), "{}", text(&drawn.stderr));
    let scanned = jeton(&["scan", png.to_str().unwrap()]);
    assert_eq!(scanned.status.code(), Some(0), "{}", text(&scanned.stderr));
    assert_eq!(text(&scanned.stdout), format!("{}\t{URI}\n", png.display()));
}

#[test]
fn no_code_exits_1_and_an_unreadable_file_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let blank = dir.path().join("blank.png");
    image::GrayImage::from_pixel(64, 64, image::Luma([255]))
        .save(&blank)
        .unwrap();
    let none = jeton(&["scan", blank.to_str().unwrap()]);
    assert_eq!(none.status.code(), Some(1));
    assert!(none.stdout.is_empty());
    assert!(
        text(&none.stderr).contains("no QR code found"),
        "{}",
        text(&none.stderr)
    );

    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "not an image").unwrap();
    let missing = dir.path().join("missing.png");
    for path in [&notes, &missing] {
        let failed = jeton(&["scan", blank.to_str().unwrap(), path.to_str().unwrap()]);
        assert_eq!(failed.status.code(), Some(2), "{}", path.display());
        let stderr = text(&failed.stderr);
        assert!(stderr.contains(&path.display().to_string()), "{stderr}");
    }
}

#[test]
fn qr_needs_exactly_one_kind_of_output_and_prints_half_blocks() {
    assert_eq!(jeton(&["qr", URI]).status.code(), Some(2));
    let shown = jeton(&["qr", URI, "--terminal"]);
    assert!(shown.status.success());
    let lines = text(&shown.stdout);
    assert!(lines.lines().count() > 10);
    assert!(lines.chars().all(|c| " ▀▄█\n".contains(c)));
}

#[test]
fn an_svg_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("code.svg");
    assert!(
        jeton(&["qr", URI, "--svg", svg.to_str().unwrap()])
            .status
            .success()
    );
    let doc = std::fs::read_to_string(&svg).unwrap();
    assert!(doc.contains("<svg") && doc.contains("</svg>"));
}

#[test]
fn codes_drawn_by_qrencode_are_scanned() {
    if !has("qrencode") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (i, level) in ["L", "M", "Q", "H"].iter().enumerate() {
        let png = dir.path().join(format!("qrencode-{level}.png"));
        let status = Command::new("qrencode")
            .args(["-l", level, "-s", &(2 + i).to_string(), "-o"])
            .arg(&png)
            .arg(URI)
            .status()
            .unwrap();
        assert!(status.success());
        files.push(png);
    }
    let args: Vec<&str> = ["scan"]
        .into_iter()
        .chain(files.iter().map(|p| p.to_str().unwrap()))
        .collect();
    let scanned = jeton(&args);
    assert_eq!(scanned.status.code(), Some(0), "{}", text(&scanned.stderr));
    let expected: String = files
        .iter()
        .map(|p| format!("{}\t{URI}\n", p.display()))
        .collect();
    assert_eq!(text(&scanned.stdout), expected);
}

#[test]
fn zbarimg_reads_what_jeton_draws() {
    if !has("zbarimg") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("code.png");
    assert!(
        jeton(&[
            "qr",
            URI,
            "--png",
            png.to_str().unwrap(),
            "--module-px",
            "3"
        ])
        .status
        .success()
    );
    let read = Command::new("zbarimg")
        .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
        .arg(Path::new(&png))
        .output()
        .unwrap();
    assert!(read.status.success(), "{}", text(&read.stderr));
    assert_eq!(text(&read.stdout).trim_end(), URI);
}
