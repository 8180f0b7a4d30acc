//! The JSON inside sync files, past the AEAD check: what a device holding the sync key (a lost
//! phone, a buggy or hostile build) could write. The input picks one sealed file of a real store
//! that two devices synced through (an op file or a snapshot), changes its plaintext body — by
//! splices into the real body, or a whole new one — and seals it again under the same name with
//! the sync key; then the second device syncs. Sync may refuse; it must never panic, a refused
//! sync must leave the vault as it was, and what a sync accepts must be a vault that opens again
//! from disk with the same accounts, each giving a code.
#![no_main]

use std::sync::Mutex;

use arbitrary::Arbitrary;
use jeton_core::sync::{self, fuzzing};
use jeton_core::vault::Vault;
use jeton_fuzz::sync::{Memory, PASSPHRASE, template, with_device_b};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Splice {
    at: u16,
    remove: u8,
    insert: Vec<u8>,
}

#[derive(Debug, Arbitrary)]
enum Body {
    /// Up to 8 splices into the file's real body (keeps most of it valid JSON).
    Splices(Vec<Splice>),
    /// A body of the input's own.
    Whole(Vec<u8>),
}

fuzz_target!(|input: (u8, Body)| {
    let (file, body) = input;
    let template = template();
    let sealed: Vec<&String> = template
        .files
        .keys()
        .filter(|name| name.ends_with(".op") || name.ends_with(".snap"))
        .collect();
    let Some(name) = sealed.get(usize::from(file) % sealed.len().max(1)) else {
        return;
    };
    let mut plain = fuzzing::open_body(&template.key, name, &template.files[*name])
        .expect("the template's files open")
        .to_vec();
    match body {
        Body::Splices(splices) => {
            for splice in splices.into_iter().take(8) {
                let at = usize::from(splice.at).min(plain.len());
                let end = (at + usize::from(splice.remove)).min(plain.len());
                plain.splice(at..end, splice.insert);
            }
        }
        Body::Whole(bytes) => plain = bytes,
    }
    let mut files = template.files.clone();
    let resealed = fuzzing::seal_body(&template.key, name, &plain).expect("a sealed file's name");
    files.insert((*name).clone(), resealed);
    let store = Memory(Mutex::new(files));
    with_device_b(|vault| {
        let before = vault.list().unwrap();
        match sync::sync(vault, &store) {
            Err(_) => assert_eq!(vault.list().unwrap(), before, "a refused sync changed the vault"),
            Ok(_) => {
                let after = vault.list().unwrap();
                vault.codes_at(1_800_000_000).expect("every account gives a code");
                let mut again = Vault::open(vault.path()).unwrap();
                again.unlock_with_passphrase(PASSPHRASE).unwrap();
                assert_eq!(again.list().unwrap(), after, "what sync applied did not persist");
            }
        }
    });
});
