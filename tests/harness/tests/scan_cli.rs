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
fn several_files_are_printed_in_the_order_given() {
    // Files of different sizes (so that they take different times), a blank one and an unreadable
    // one among them: each file's lines come in argument order, the failure on stderr, exit 2.
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["scan".to_string()];
    let mut expected = String::new();
    for i in 0..9 {
        let path = dir.path().join(format!("code-{i}.png"));
        let uri = format!("otpauth://totp/Omnivox:{i}?secret=JBSWY3DPEHPK3PXP&issuer=Omnivox");
        let module = (2 + (9 - i) * 2).to_string();
        let drawn = jeton(&[
            "qr",
            &uri,
            "--png",
            path.to_str().unwrap(),
            "--module-px",
            &module,
        ]);
        assert!(drawn.status.success(), "{}", text(&drawn.stderr));
        expected.push_str(&format!("{}\t{uri}\n", path.display()));
        args.push(path.display().to_string());
        if i == 4 {
            let blank = dir.path().join("blank.png");
            image::GrayImage::from_pixel(300, 300, image::Luma([255]))
                .save(&blank)
                .unwrap();
            args.push(blank.display().to_string());
            args.push(dir.path().join("missing.png").display().to_string());
        }
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let scanned = jeton(&args);
    assert_eq!(text(&scanned.stdout), expected);
    assert_eq!(scanned.status.code(), Some(2), "{}", text(&scanned.stderr));
    let stderr = text(&scanned.stderr);
    assert_eq!(stderr.matches("missing.png").count(), 1, "{stderr}");
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

/// Draws `text` with `jeton qr` into `dir/name` and returns its path.
fn drawn(dir: &Path, name: &str, text: &str) -> String {
    let png = dir.join(name);
    let out = jeton(&["qr", text, "--png", png.to_str().unwrap()]);
    assert!(out.status.success(), "{}", self::text(&out.stderr));
    png.to_str().unwrap().to_string()
}

#[test]
fn an_unreadable_file_is_reported_and_the_others_are_still_printed() {
    let dir = tempfile::tempdir().unwrap();
    let first = drawn(dir.path(), "first.png", URI);
    let second = drawn(dir.path(), "second.png", "https://example.com/");
    let missing = dir.path().join("missing.png");
    let out = jeton(&["scan", &first, missing.to_str().unwrap(), &second]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stdout),
        format!("{first}\t{URI}\n{second}\thttps://example.com/\n")
    );
    let stderr = text(&out.stderr);
    let about_missing: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("missing.png"))
        .collect();
    assert_eq!(about_missing.len(), 1, "{stderr}");
}

#[test]
fn json_gives_one_object_per_code_with_file_text_corners_and_kind() {
    let dir = tempfile::tempdir().unwrap();
    let account = drawn(dir.path(), "account.png", URI);
    let web = drawn(dir.path(), "web.png", "https://example.com/");
    let out = jeton(&["scan", "--json", &account, &web]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let objects: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(objects.len(), 2);
    assert_eq!(objects[0]["file"], account.as_str());
    assert_eq!(objects[0]["text"], URI);
    assert_eq!(objects[0]["kind"], "account");
    assert_eq!(objects[1]["kind"], "text");
    let corners = objects[0]["corners"].as_array().unwrap();
    assert_eq!(corners.len(), 4);
    // jeton qr draws 8 pixels per module with a 4-module quiet zone: the code starts at 32.
    assert!(
        (corners[0][0].as_f64().unwrap() - 31.5).abs() < 2.0,
        "{corners:?}"
    );
}

#[test]
fn bytes_that_are_no_text_come_as_base64_in_json() {
    let dir = tempfile::tempdir().unwrap();
    // Neither UTF-8, Shift_JIS nor ISO-8859-1 text (0x80 and 0x81 are C1 controls there).
    let data = b"\x00\x81\xff\x80binary";
    let code = qrcode::QrCode::new(data).unwrap();
    let png = dir.path().join("binary.png");
    code.render::<image::Luma<u8>>()
        .module_dimensions(6, 6)
        .build()
        .save(&png)
        .unwrap();
    let out = jeton(&["scan", "--json", png.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let object: serde_json::Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert_eq!(object["kind"], "bytes");
    assert_eq!(object["bytes"], data_encoding::BASE64.encode(data));
    assert!(object.get("text").is_none());
}

#[test]
fn control_and_bidi_characters_are_escaped_so_one_code_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let payload = "a\r\nforged\tline \u{1b}]0;title\u{7} \u{202e}txt.exe \\";
    let png = drawn(dir.path(), "evil.png", payload);
    let out = jeton(&["scan", &png]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!("{png}\ta\\r\\nforged\\tline \\u{{1b}}]0;title\\u{{7}} \\u{{202e}}txt.exe \\\\\n")
    );
    // JSON keeps the exact text.
    let json = jeton(&["scan", "--json", &png]);
    let object: serde_json::Value = serde_json::from_str(text(&json.stdout).trim()).unwrap();
    assert_eq!(object["text"], payload);
}

#[test]
fn frame_runs_the_camera_path_on_an_image() {
    let dir = tempfile::tempdir().unwrap();
    let png = drawn(dir.path(), "code.png", URI);
    let out = jeton(&["scan", "--frame", &png]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), format!("{png}\t{URI}\n"));
}

#[test]
fn huge_module_sizes_are_refused_quickly_with_exit_2() {
    // Found by hand (issue 15): 4294967295 panicked with exit 101, 1000 took 10 s and 2 GB.
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("big.png");
    for px in ["4294967295", "1000"] {
        let start = std::time::Instant::now();
        let out = jeton(&["qr", URI, "--png", png.to_str().unwrap(), "--module-px", px]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("pixels per module"),
            "{}",
            text(&out.stderr)
        );
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        assert!(!png.exists());
    }
}
