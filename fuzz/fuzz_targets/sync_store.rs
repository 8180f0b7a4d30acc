//! The sync store as someone who can write to it would attack it (a cloud folder, a WebDAV
//! server): the input is a list of edits to a real store that two devices synced through —
//! replace a file's bytes, add a file under any name, delete one — after which the second
//! device syncs. Sync may refuse (tampered, rolled back, damaged); it must never panic, nor put
//! an account in the vault that no device wrote (every log and snapshot is sealed, so edits can
//! hide or replay, never forge).
#![no_main]

use std::sync::Mutex;

use arbitrary::Arbitrary;
use jeton_core::sync;
use jeton_fuzz::sync::{Memory, template, with_device_b};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
enum Edit {
    /// Replace the bytes of the store's n-th file.
    Replace(u8, Vec<u8>),
    /// Add a file beside the n-th one, its name changed at the end.
    AddBeside(u8, String, Vec<u8>),
    /// Add a file under any name.
    Add(String, Vec<u8>),
    /// Delete the n-th file.
    Delete(u8),
    /// Copy the n-th file over the m-th (a replay).
    Copy(u8, u8),
}

fuzz_target!(|edits: Vec<Edit>| {
    let template = template();
    let mut files = template.files.clone();
    for edit in edits.into_iter().take(8) {
        let names: Vec<String> = files.keys().cloned().collect();
        let nth = |n: u8| names.get(usize::from(n) % names.len().max(1)).cloned();
        match edit {
            Edit::Replace(n, bytes) => {
                if let Some(name) = nth(n) {
                    files.insert(name, bytes);
                }
            }
            Edit::AddBeside(n, tail, bytes) => {
                if let Some(name) = nth(n) {
                    let folder = name.rsplit_once('/').map_or("", |(folder, _)| folder);
                    files.insert(format!("{folder}/{tail}"), bytes);
                }
            }
            Edit::Add(name, bytes) => {
                files.insert(name, bytes);
            }
            Edit::Delete(n) => {
                if let Some(name) = nth(n) {
                    files.remove(&name);
                }
            }
            Edit::Copy(from, to) => {
                if let (Some(from), Some(to)) = (nth(from), nth(to)) {
                    let bytes = files[&from].clone();
                    files.insert(to, bytes);
                }
            }
        }
    }
    let store = Memory(Mutex::new(files));
    with_device_b(|vault| {
        if sync::sync(vault, &store).is_ok() {
            for entry in vault.list().unwrap() {
                assert!(
                    matches!(entry.issuer.as_deref(), Some("A" | "B")),
                    "an account no device wrote: {:?}",
                    entry.issuer
                );
            }
        }
    });
});
