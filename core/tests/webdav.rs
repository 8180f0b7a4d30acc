//! The WebDAV store against a real Apache httpd with `mod_dav`, started by each test on a
//! loopback port (`support/apache.rs`). Run with `--features webdav` (the workspace test run
//! enables it through the harness).

#![cfg(feature = "webdav")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/apache.rs"]
mod apache;
#[path = "support/measure.rs"]
mod measure;

use std::sync::Arc;

use apache::Apache;
use jeton_core::sync::webdav::WebDavStore;
use jeton_core::sync::{BlobStore, Created, StoreError, conformance};

#[test]
fn the_store_keeps_the_contract_every_store_keeps() {
    let server = Apache::start();
    conformance::check(&WebDavStore::new(&server.url(), None).unwrap());
}

// `conformance::race` (two writers creating one name at the same instant) does not hold on
// Apache: `If-None-Match: *` is checked before the upload, not atomically with it, and both
// writers were seen to get 201 (measured here: round 0 of 50). Sync never depends on it: each
// device writes only under its own folder and one device's syncs are serialized (the vault's
// lock in the FFI, a lock file in the CLI). See the module docs of `sync::webdav`.

#[test]
fn a_file_is_created_once_and_never_replaced() {
    let server = Apache::start();
    let store = WebDavStore::new(&server.url(), None).unwrap();
    let name = "jeton-sync/v1/0a1b/0000000000000001.op";
    assert_eq!(store.create(name, b"first").unwrap(), Created::New);
    assert_eq!(
        store.create(name, b"second").unwrap(),
        Created::AlreadyExists
    );
    assert_eq!(
        store.read(name, 1024).unwrap().as_deref(),
        Some(&b"first"[..])
    );
    // What the server holds on disk, read independently of the client.
    let on_disk = std::fs::read(server.data().join(name)).unwrap();
    assert_eq!(on_disk, b"first");
}

#[test]
fn missing_files_and_folders_are_absent_not_errors() {
    let server = Apache::start();
    let store = WebDavStore::new(&server.url(), None).unwrap();
    assert_eq!(store.read("nothing/here.op", 1024).unwrap(), None);
    assert_eq!(store.list("nothing").unwrap(), Vec::<String>::new());
    store.delete("nothing/here.op").unwrap();
}

#[test]
fn listing_walks_nested_folders_and_deleting_removes() {
    let server = Apache::start();
    let store = WebDavStore::new(&server.url(), None).unwrap();
    let names = [
        "s/v1/aa/1.op",
        "s/v1/aa/2.op",
        "s/v1/bb/1.op",
        "s/v1/snapshot.snap",
        "t/other.op",
    ];
    for name in names {
        assert_eq!(store.create(name, name.as_bytes()).unwrap(), Created::New);
    }
    let mut listed = store.list("s").unwrap();
    listed.sort();
    assert_eq!(
        listed,
        [
            "s/v1/aa/1.op",
            "s/v1/aa/2.op",
            "s/v1/bb/1.op",
            "s/v1/snapshot.snap"
        ]
    );
    assert_eq!(store.list("s/v1/aa").unwrap().len(), 2);
    store.delete("s/v1/aa/1.op").unwrap();
    assert!(!server.data().join("s/v1/aa/1.op").exists());
    let mut listed = store.list("s/v1").unwrap();
    listed.sort();
    assert_eq!(
        listed,
        ["s/v1/aa/2.op", "s/v1/bb/1.op", "s/v1/snapshot.snap"]
    );
}

/// What other programs leave in the folder (a Mac's `.DS_Store`, a note, a folder of photos,
/// a cloud client's conflict copy) is not part of the store: listing skips it, as the local
/// folder store does, instead of failing every sync on a name Jeton would never write.
#[test]
fn foreign_files_in_the_folder_are_not_listed() {
    let server = Apache::start();
    let store = WebDavStore::new(&server.url(), None).unwrap();
    store.create("j/v1/aa/1.op", b"x").unwrap();
    let data = server.data();
    std::fs::write(data.join("j/.DS_Store"), b"mac").unwrap();
    std::fs::write(data.join("j/v1/aa/1 (conflicted copy).op"), b"copy").unwrap();
    std::fs::write(data.join("j/v1/Notes.txt"), b"note").unwrap();
    std::fs::create_dir_all(data.join("j/Photos")).unwrap();
    std::fs::write(data.join("j/Photos/a.op"), b"photo").unwrap();
    assert_eq!(store.list("j").unwrap(), ["j/v1/aa/1.op"]);
}

/// Behind a reverse proxy that does not tell the server its public path (a Nextcloud without
/// `overwritewebroot`), writing and reading work but the listing names other paths: an error
/// that says so, never an empty listing (sync would take the files for gone).
#[test]
fn a_listing_that_names_other_paths_is_an_error_not_empty() {
    let server = Apache::start();
    let store = WebDavStore::new(&server.url_behind_a_proxy(), None).unwrap();
    let name = "j/v1/aa/0000000000000001.op";
    assert_eq!(store.create(name, b"x").unwrap(), Created::New);
    assert_eq!(store.read(name, 10).unwrap().as_deref(), Some(&b"x"[..]));
    match store.list("j") {
        Err(StoreError::Other(reason)) => {
            assert!(reason.contains("names /dav/j/,"), "{reason}");
            assert!(reason.contains("proxy"), "{reason}");
        }
        listed => panic!("{listed:?}"),
    }
    // Straight to the server, the same folder lists.
    let direct = WebDavStore::new(&server.url(), None).unwrap();
    assert_eq!(direct.list("j").unwrap(), [name]);
}

#[test]
fn a_file_over_the_limit_is_refused() {
    let server = Apache::start();
    let store = WebDavStore::new(&server.url(), None).unwrap();
    store.create("big.op", &vec![7u8; 4096]).unwrap();
    assert_eq!(
        store.read("big.op", 4096).unwrap().map(|b| b.len()),
        Some(4096)
    );
    assert_eq!(
        store.read("big.op", 4095),
        Err(StoreError::TooLarge { limit: 4095 })
    );
}

#[test]
fn bad_names_never_reach_the_server() {
    let server = Apache::start();
    let store = WebDavStore::new(&server.url(), None).unwrap();
    for name in ["../escape", "a/../../b", "A", "a b", "%2e%2e/x"] {
        assert!(
            matches!(store.create(name, b"x"), Err(StoreError::BadName(_))),
            "{name}"
        );
    }
    assert_eq!(std::fs::read_dir(server.data()).unwrap().count(), 0);
}

#[test]
fn the_password_is_checked_by_the_server() {
    let server = Apache::with_password();
    let anonymous = WebDavStore::new(&server.url(), None).unwrap();
    assert!(matches!(
        anonymous.create("a.op", b"x"),
        Err(StoreError::Denied(_))
    ));
    let wrong = WebDavStore::new(
        &server.url().replace("http://", "http://etudiant@"),
        Some("nope"),
    )
    .unwrap();
    assert!(matches!(wrong.list("x"), Err(StoreError::Denied(_))));
    let right = WebDavStore::new(
        &server
            .url()
            .replace("http://", &format!("http://{}@", apache::USER)),
        Some(apache::PASSWORD),
    )
    .unwrap();
    assert_eq!(right.create("a.op", b"x").unwrap(), Created::New);
    assert_eq!(right.read("a.op", 10).unwrap().as_deref(), Some(&b"x"[..]));
}

/// A folder the server's account may not write into is refused as such, not taken for one
/// another writer has just made.
#[test]
fn a_folder_the_server_may_not_make_is_denied() {
    use std::os::unix::fs::PermissionsExt;
    let server = Apache::start();
    let locked = server.data().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    let store = WebDavStore::new(&server.url(), None).unwrap();
    assert!(matches!(
        store.create("locked/inside/a.op", b"x"),
        Err(StoreError::Denied(_))
    ));
    assert_eq!(store.list("locked").unwrap(), Vec::<String>::new());
}

#[test]
fn a_server_that_went_away_is_unreachable() {
    let mut server = Apache::start();
    let store = WebDavStore::new(&server.url(), None).unwrap();
    store.create("a.op", b"x").unwrap();
    server.stop();
    for result in [
        store.read("a.op", 10).map(|_| ()),
        store.create("b.op", b"y").map(|_| ()),
        store.list("x").map(|_| ()),
    ] {
        assert!(
            matches!(result, Err(StoreError::Unreachable(_))),
            "{result:?}"
        );
    }
}

#[test]
fn concurrent_writers_of_different_files_all_land() {
    let server = Apache::start();
    let store = Arc::new(WebDavStore::new(&server.url(), None).unwrap());
    let threads: Vec<_> = (0..4)
        .map(|device| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                for seq in 0..10 {
                    let name = format!("j/v1/d{device}/{seq:016x}.op");
                    assert_eq!(store.create(&name, name.as_bytes()).unwrap(), Created::New);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let listed = store.list("j").unwrap();
    assert_eq!(listed.len(), 40);
    for name in listed {
        assert_eq!(store.read(&name, 100).unwrap().unwrap(), name.as_bytes());
    }
}

/// Writers that start at the same instant into the same new folders all land: the server
/// refusing a folder another writer has just made (Apache `mod_dav` answers `403` when its
/// `mkdir` loses that race) is no reason to fail.
#[test]
fn writers_making_the_same_new_folders_at_once_all_land() {
    const WRITERS: usize = 6;
    const ROUNDS: usize = 15;
    let server = Apache::start();
    let store = Arc::new(WebDavStore::new(&server.url(), None).unwrap());
    let start = Arc::new(std::sync::Barrier::new(WRITERS));
    let threads: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let store = Arc::clone(&store);
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                (0..ROUNDS)
                    .map(|round| {
                        start.wait();
                        let name = format!("r{round}/a/b/w{writer}.op");
                        (store.create(&name, b"x"), name)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for thread in threads {
        for (created, name) in thread.join().unwrap() {
            assert_eq!(created, Ok(Created::New), "{name}");
        }
    }
    let landed: usize = (0..ROUNDS)
        .map(|round| store.list(&format!("r{round}")).unwrap().len())
        .sum();
    assert_eq!(landed, WRITERS * ROUNDS);
}

/// Two devices sync over the server with a snapshot every few files: the store shrinks once
/// both have read a snapshot, and a third device that joins afterwards gets every account.
#[test]
fn pruning_over_webdav_shrinks_the_store_and_a_late_device_gets_everything() {
    use jeton_core::sync::{self, Pruning};
    use jeton_core::vault::{KdfParams, Vault};
    use jeton_core::{Account, OtpParams, Secret};

    let server = Apache::start();
    let store = WebDavStore::new(&server.url(), None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let open = |name: &str| {
        Vault::create_with_kdf(
            dir.path().join(name),
            "password",
            KdfParams::INSECURE_FAST_FOR_TESTS,
        )
        .unwrap()
    };
    let (mut a, mut b, mut c) = (open("a.jeton"), open("b.jeton"), open("c.jeton"));
    let pruning = Pruning {
        snapshot_after: 4,
        ..Pruning::default()
    };
    let t = 1_800_000_000_000u64;
    sync::init(&mut a, &store).unwrap();
    sync::join(&mut b, &store, &sync::key(&a).unwrap()).unwrap();
    for i in 0..12u8 {
        let v = if i % 2 == 0 { &mut a } else { &mut b };
        v.add(Account {
            issuer: Some("Omnivox".into()),
            name: format!("user{i}"),
            secret: Secret::from_slice(&[i + 1; 20]),
            params: OtpParams::totp(),
        })
        .unwrap();
        sync::sync_with(v, &store, t + u64::from(i) * 1000, &pruning).unwrap();
    }
    for round in 0..2u64 {
        sync::sync_with(&mut a, &store, t + 100_000 + round * 2, &pruning).unwrap();
        sync::sync_with(&mut b, &store, t + 100_001 + round * 2, &pruning).unwrap();
    }
    // Files written: each log's highest number; files left: what the server lists.
    let listed: Vec<String> = store
        .list("jeton-sync")
        .unwrap()
        .into_iter()
        .filter(|n| n.ends_with(".op"))
        .collect();
    let mut written = std::collections::BTreeMap::<String, u64>::new();
    for name in &listed {
        let (log, file) = name.rsplit_once('/').unwrap();
        let seq = u64::from_str_radix(file.trim_end_matches(".op"), 16).unwrap();
        let top = written.entry(log.to_owned()).or_default();
        *top = (*top).max(seq);
    }
    let written: u64 = written.values().sum();
    let after = listed.len();
    assert!(
        after < 6 && written >= 12,
        "{written} op files written, {after} left: {listed:?}"
    );
    // What the server holds, read on its disk: the pruned files are gone there too.
    let on_disk = walk(&server.data().join("jeton-sync"))
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "op"))
        .count();
    assert_eq!(on_disk, after);

    sync::join(&mut c, &store, &sync::key(&a).unwrap()).unwrap();
    sync::sync_with(&mut c, &store, t + 200_000, &pruning).unwrap();
    let names = |v: &Vault| {
        let mut n: Vec<String> = v
            .records()
            .unwrap()
            .into_iter()
            .map(|r| r.account.name)
            .collect();
        n.sort();
        n
    };
    assert_eq!(names(&c).len(), 12);
    assert_eq!(names(&c), names(&a));
    assert_eq!(names(&a), names(&b));
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// Measurement, not a check (docs/performance.md):
/// `cargo test -p jeton-core --release --features webdav --test webdav -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement; run by hand"]
fn measure_two_devices_with_a_thousand_accounts() {
    let server = Apache::start();
    let store = WebDavStore::new(&server.url(), None).unwrap();
    measure::two_devices_with_a_thousand_accounts(
        "WebDAV (Apache mod_dav on loopback)",
        &store,
        &server.data(),
    );
}
