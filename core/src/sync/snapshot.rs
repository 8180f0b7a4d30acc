//! Snapshots: the merged state as one sealed file, so that the log files it covers can be
//! pruned and a new (or long silent) device can start from it instead of from every log's
//! first file.
//!
//! `jeton-sync/v1/<device hex>/<seq:016x>.snap` is `JSNAP` ‖ version (u16, big-endian) ‖ the
//! body sealed under `Context::SyncSnapshot { device, seq }`. The device's log file `seq`
//! announces it (with its cover) and is written first; the snapshot covers that device's log up
//! to file `seq - 1`, and every other log up to what the device had read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::error::SyncError;
use super::id::Id;
use super::keys::Keys;
use super::log::{self, VERSION, snap_name};
use super::state::{Ack, Cover, Entity};
use crate::seal::Context;

/// The largest snapshot a sync reads (10,000 accounts with their history fit well below it).
pub const MAX_SNAPSHOT_BYTES: u64 = 64 * 1024 * 1024;

/// The first bytes of a snapshot.
pub(super) const MAGIC: &[u8] = b"JSNAP";

/// A snapshot's sealed body.
#[derive(Serialize, Deserialize)]
pub(super) struct Snapshot {
    pub(super) device: Id,
    pub(super) seq: u64,
    /// The highest file of every log merged into `accounts`.
    pub(super) cover: Cover,
    /// The acknowledgements the device knew, so that a device starting here can prune.
    pub(super) acks: BTreeMap<Id, Ack>,
    /// The merged accounts (without any device's local ids).
    pub(super) accounts: BTreeMap<Id, Entity>,
}

fn context(device: &Id, seq: u64, version: u16) -> Context<'_> {
    Context::SyncSnapshot {
        version,
        device: &device.0,
        seq,
    }
}

/// A snapshot's bytes.
pub(super) fn seal(keys: &Keys, snapshot: &Snapshot) -> Result<Vec<u8>, SyncError> {
    // Sized up front so that growing does not leave copies of secrets in freed memory.
    let mut plain = Zeroizing::new(Vec::with_capacity(4096 + snapshot.accounts.len() * 2048));
    serde_json::to_writer(&mut *plain, snapshot).map_err(|e| SyncError::Tampered(e.to_string()))?;
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&VERSION.to_be_bytes());
    bytes.extend(
        keys.seal
            .seal(&plain, &context(&snapshot.device, snapshot.seq, VERSION))?,
    );
    Ok(bytes)
}

/// Opens the snapshot read under `device`'s `seq`th snapshot name.
pub(super) fn open(
    keys: &Keys,
    device: &Id,
    seq: u64,
    bytes: &[u8],
) -> Result<Snapshot, SyncError> {
    let name = snap_name(device, seq);
    let bad = |why: &str| SyncError::Tampered(format!("{name} {why}"));
    let (version, sealed) = log::unframe(bytes, MAGIC, &name, "a Jeton snapshot")?;
    let plain = keys
        .seal
        .open(sealed, &context(device, seq, version))
        .map_err(|_| bad("does not open (changed, or sealed with another key)"))?;
    let snapshot: Snapshot = serde_json::from_slice(&plain).map_err(|_| bad("is malformed"))?;
    if snapshot.device != *device || snapshot.seq != seq {
        return Err(bad("was written under another name"));
    }
    // Its own log is covered up to the file before the one that announced it.
    if snapshot.cover.get(device).is_some_and(|s| s.seq >= seq) {
        return Err(bad("covers files written after it"));
    }
    Ok(snapshot)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::sync::keys::SyncKey;
    use crate::sync::state::Seen;

    fn snapshot(device: Id, seq: u64) -> Snapshot {
        Snapshot {
            device,
            seq,
            cover: [(device, Seen::new(seq - 1, &[3; 32]))].into(),
            acks: BTreeMap::new(),
            accounts: BTreeMap::new(),
        }
    }

    #[test]
    fn snapshots_open_only_where_they_were_written() {
        let keys = SyncKey::generate().unwrap().derive();
        let device = Id([1; 16]);
        let bytes = seal(&keys, &snapshot(device, 4)).unwrap();
        let opened = open(&keys, &device, 4, &bytes).unwrap();
        assert_eq!(opened.cover[&device].seq, 3);
        assert!(open(&keys, &device, 5, &bytes).is_err());
        assert!(open(&keys, &Id([2; 16]), 4, &bytes).is_err());
        let other = SyncKey::generate().unwrap().derive();
        assert!(open(&other, &device, 4, &bytes).is_err());
        let mut flipped = bytes.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(matches!(
            open(&keys, &device, 4, &flipped),
            Err(SyncError::Tampered(_))
        ));
        // A body that claims to cover its own announcement is refused, even sealed right.
        let mut ahead = snapshot(device, 4);
        ahead.cover.insert(device, Seen::new(4, &[3; 32]));
        let bytes = seal(&keys, &ahead).unwrap();
        assert!(open(&keys, &device, 4, &bytes).is_err());
    }
}
