//! The core's modules form layers, and every `crate::` reference points down: a module uses only
//! modules in lower layers (and itself). The table below is the specification; it is drawn in
//! docs/architecture.md. A new top-level module must be added here, in its layer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Layers from the bottom. A module may use modules of strictly lower layers.
const LAYERS: &[&[&str]] = &[
    &["secret", "seal", "clock"],
    &["otp"],
    &["account"],
    &["uri", "migration"],
    &["backup"],
    &["scan", "draw", "vault"],
    &["import"],
    &["export", "intake"],
    &["transfer", "sync"],
    &["handoff"],
];

/// Names the crate root re-exports, and the module that defines each.
const ROOT_REEXPORTS: &[(&str, &str)] = &[
    ("Account", "account"),
    ("codes_at", "account"),
    ("ClockError", "clock"),
    ("ClockOffset", "clock"),
    ("Algorithm", "otp"),
    ("Code", "otp"),
    ("Digits", "otp"),
    ("Kind", "otp"),
    ("OtpError", "otp"),
    ("OtpParams", "otp"),
    ("Secret", "secret"),
    ("SecretError", "secret"),
    ("UriError", "uri"),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every name `crate::` is followed by in `text`, braces expanded one level
/// (`crate::{Account, otp::Kind}` gives `Account` and `otp`).
fn crate_references(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        // `jeton_core::` or `$crate::` are not this crate's paths.
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    names.push(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                names.push(name);
            }
        }
    }
    names
}

#[test]
fn every_crate_reference_points_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let reexports: BTreeMap<&str, &str> = ROOT_REEXPORTS.iter().copied().collect();
    let mut upward = Vec::new();
    let mut unknown = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let module = first.to_string_lossy().trim_end_matches(".rs").to_string();
        if module == "lib" {
            continue;
        }
        let Some(own_layer) = layer_of(&module) else {
            unknown.push(format!(
                "{} (module {module} is in no layer)",
                relative.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for name in crate_references(&text) {
            let target = reexports
                .get(name.as_str())
                .copied()
                .unwrap_or(name.as_str());
            if target == module {
                continue;
            }
            match layer_of(target) {
                Some(layer) if layer < own_layer => {}
                Some(_) => upward.push(format!("{}: {module} -> {target}", relative.display())),
                None => unknown.push(format!("{}: crate::{name}", relative.display())),
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "names missing from the layer table: {unknown:#?}"
    );
    assert!(
        upward.is_empty(),
        "references that do not point to a lower layer: {upward:#?}"
    );
}

#[test]
fn the_reference_reader_sees_groups_and_skips_other_crates() {
    let text =
        "use crate::{Account, otp::Kind};\nuse jeton_core::vault;\nlet x = crate::uri::parse(s);";
    assert_eq!(crate_references(text), ["Account", "otp", "uri"]);
}
