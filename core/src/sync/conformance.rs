//! The contract of [`BlobStore`] as tests that any store runs: `check` for the operations,
//! `race` for two writers creating the same name at once. Used by `FolderStore`'s tests and by
//! every adapter's (built with the `test-params` feature, which the crate's dev-dependency turns
//! on). They panic on a broken contract, as tests do.

#![allow(clippy::panic)]

use super::store::{BlobStore, Created, StoreError};

/// Checks every rule of the contract on an empty `store`, under the folder `conformance`.
pub fn check(store: &dyn BlobStore) {
    let p = "conformance";
    assert_eq!(
        store.list(p),
        Ok(Vec::new()),
        "an absent folder lists as empty"
    );
    assert_eq!(store.read(&format!("{p}/none"), 10), Ok(None));
    assert_eq!(
        store.delete(&format!("{p}/none")),
        Ok(()),
        "deleting nothing succeeds"
    );

    let a = format!("{p}/dev-1/0000000000000001.op");
    assert_eq!(store.create(&a, b"first"), Ok(Created::New));
    assert_eq!(store.create(&a, b"second"), Ok(Created::AlreadyExists));
    assert_eq!(
        store.read(&a, 100),
        Ok(Some(b"first".to_vec())),
        "a file is never overwritten"
    );
    assert_eq!(
        store.read(&a, 5),
        Ok(Some(b"first".to_vec())),
        "the limit is inclusive"
    );
    assert_eq!(store.read(&a, 4), Err(StoreError::TooLarge { limit: 4 }));

    let b = format!("{p}/dev-2/0000000000000001.op");
    let empty = format!("{p}/empty");
    assert_eq!(store.create(&b, &[0u8, 255, 10, 13]), Ok(Created::New));
    assert_eq!(store.create(&empty, b""), Ok(Created::New));
    assert_eq!(store.read(&b, 100), Ok(Some(vec![0u8, 255, 10, 13])));
    assert_eq!(store.read(&empty, 0), Ok(Some(Vec::new())));

    let mut all = store.list(p).unwrap_or_default();
    all.sort();
    let mut expected = vec![a.clone(), b.clone(), empty.clone()];
    expected.sort();
    assert_eq!(all, expected, "list gives whole names, recursively");
    assert_eq!(store.list(&format!("{p}/dev-1")), Ok(vec![a.clone()]));
    assert_eq!(
        store.list(&format!("{p}/dev")),
        Ok(Vec::new()),
        "a prefix is a folder"
    );

    assert_eq!(store.delete(&a), Ok(()));
    assert_eq!(store.read(&a, 100), Ok(None));
    assert_eq!(store.delete(&a), Ok(()));
    assert_eq!(store.create(&a, b"again"), Ok(Created::New));
    assert_eq!(store.read(&a, 100), Ok(Some(b"again".to_vec())));

    for bad in ["", "../x", "/x", "A", "x//y"] {
        assert!(
            matches!(store.create(bad, b"x"), Err(StoreError::BadName(_))),
            "{bad:?}"
        );
        assert!(matches!(store.read(bad, 1), Err(StoreError::BadName(_))));
    }
    for name in [a, b, empty] {
        assert_eq!(store.delete(&name), Ok(()));
    }
}

/// Two threads create the same names at once, many times: exactly one of each pair is `New`,
/// and the file holds that one's bytes whole.
pub fn race(store: &dyn BlobStore) {
    for round in 0..50 {
        let name = format!("race/{round:04}");
        let bytes: [Vec<u8>; 2] = [vec![b'a'; 64 * 1024], vec![b'b'; 64 * 1024]];
        let results: Vec<Result<Created, StoreError>> = std::thread::scope(|s| {
            let handles: Vec<_> = bytes
                .iter()
                .map(|b| s.spawn(|| store.create(&name, b)))
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or(Err(StoreError::Other("panicked".into())))
                })
                .collect()
        });
        let new: Vec<usize> = (0..2).filter(|i| results[*i] == Ok(Created::New)).collect();
        let exists = results
            .iter()
            .filter(|r| **r == Ok(Created::AlreadyExists))
            .count();
        assert_eq!((new.len(), exists), (1, 1), "round {round}: {results:?}");
        let stored = store.read(&name, 1 << 20);
        assert_eq!(stored, Ok(Some(bytes[new[0]].clone())), "round {round}");
        assert_eq!(store.delete(&name), Ok(()));
    }
    assert_eq!(store.list("race"), Ok(Vec::new()));
}
