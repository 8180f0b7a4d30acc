//! Reading the other devices' logs (and this device's own files from an interrupted sync):
//! every log is checked against the highest file already seen, then read file by file along
//! its hash chain. Any rollback, gap or broken link stops the sync before anything is merged.
//!
//! Logs may have been pruned (their oldest files deleted once a snapshot covers them). A log
//! whose first remaining file comes after the next one this device needs is read from the
//! newest snapshot that covers the missing files; a prefix that no snapshot covers is
//! tampering, and a log shorter than what was read (or than a snapshot says) is a rollback.

use std::collections::{BTreeMap, BTreeSet};

use super::error::SyncError;
use super::id::Id;
use super::keys::Keys;
use super::log::{self, Hash, MAX_FILE_BYTES, Name};
use super::op::Op;
use super::snapshot::{self, MAX_SNAPSHOT_BYTES, Snapshot};
use super::state::{Ack, Announced, Seen};
use super::store::BlobStore;

/// The most devices one sync takes.
pub const MAX_DEVICES: usize = 256;
/// The most files one sync reads.
pub const MAX_FILES_PER_SYNC: usize = 10_000;

/// The files of this version on the store.
#[derive(Default)]
pub(super) struct Listing {
    /// Every log's files.
    pub(super) logs: BTreeMap<Id, BTreeSet<u64>>,
    /// Every snapshot, by writer and announcing file.
    pub(super) snaps: BTreeSet<(Id, u64)>,
}

impl Listing {
    /// Sorts listed names; a name shaped like a sync file but malformed is refused.
    pub(super) fn parse(names: &[String]) -> Result<Self, SyncError> {
        let mut listing = Self::default();
        for name in names {
            match log::parse_name(name)? {
                Name::Op(device, seq) => {
                    listing.logs.entry(device).or_default().insert(seq);
                }
                Name::Snap(device, seq) => {
                    listing.snaps.insert((device, seq));
                }
                Name::Other => {}
            }
        }
        Ok(listing)
    }
}

/// What the logs held that this device had not read.
pub(super) struct News {
    /// New ops, in each log's order.
    pub(super) ops: Vec<Op>,
    /// The highest file now read, per device.
    pub(super) seen: BTreeMap<Id, Seen>,
    /// How many devices have a log.
    pub(super) devices: usize,
    /// Acknowledgements read, per device (the newest).
    pub(super) acks: Vec<(Id, Ack)>,
    /// Snapshots announced in the files read.
    pub(super) announced: Vec<Announced>,
    /// The snapshot this device started some logs from, if it needed one.
    pub(super) snapshot: Option<Snapshot>,
}

fn short(device: &Id) -> String {
    format!("{device:?}")
}

/// A file the listing named is gone: another device pruned it since (it may, once every
/// device has read it, or once a newer snapshot replaces it). The listing is stale; the error
/// is what a fresh one that still misses the file means.
pub(super) struct Stale(pub(super) SyncError);

/// Reads every log in `listing` past what `seen` records.
pub(super) fn read(
    store: &dyn BlobStore,
    keys: &Keys,
    listing: &Listing,
    seen: &BTreeMap<Id, Seen>,
) -> Result<Result<News, Stale>, SyncError> {
    let devices = listing.logs.len();
    if devices > MAX_DEVICES {
        return Err(SyncError::TooLarge(format!(
            "{devices} devices write to this storage, more than {MAX_DEVICES}"
        )));
    }
    let mut logs = listing.logs.clone();
    for device in seen.keys() {
        logs.entry(*device).or_default();
    }
    // Rollbacks and holes, against what this device read.
    let mut pruned: Vec<(Id, u64)> = Vec::new();
    for (device, seqs) in &logs {
        let from = seen.get(device).map_or(0, |s| s.seq);
        let (low, top) = match (seqs.first(), seqs.last()) {
            (Some(low), Some(top)) => (*low, *top),
            _ => (1, 0),
        };
        if top < from {
            return Err(SyncError::RolledBack(format!(
                "device {}'s log ends at file {top}, but file {from} was already read",
                short(device)
            )));
        }
        if let Some(missing) = (low..=top).find(|s| !seqs.contains(s)) {
            return Err(SyncError::Tampered(format!(
                "file {missing} of device {}'s log is missing, though later ones exist",
                short(device)
            )));
        }
        if low > from + 1 {
            pruned.push((*device, low));
        }
    }
    // Logs pruned past what this device read start from a snapshot.
    let mut start = seen.clone();
    let snapshot = if pruned.is_empty() {
        None
    } else {
        match choose(store, keys, listing, &pruned)? {
            Ok(snapshot) => Some(snapshot),
            Err(stale) => return Ok(Err(stale)),
        }
    };
    if let Some(snapshot) = &snapshot {
        for (device, cover) in &snapshot.cover {
            if start.get(device).is_none_or(|s| s.seq < cover.seq) {
                start.insert(*device, cover.clone());
                logs.entry(*device).or_default();
            }
        }
    }
    let mut news = News {
        ops: Vec::new(),
        seen: start.clone(),
        devices,
        acks: Vec::new(),
        announced: Vec::new(),
        snapshot: None,
    };
    let mut files = 0usize;
    for (device, seqs) in &logs {
        let (from, mut prev): (u64, Hash) = match start.get(device) {
            Some(s) => (s.seq, s.hash().ok_or_else(SyncError::damaged_state)?),
            None => (0, [0; 32]),
        };
        let top = seqs.last().copied().unwrap_or(0);
        if top < from {
            return Err(SyncError::RolledBack(format!(
                "device {}'s log ends at file {top}, but a snapshot covers file {from}",
                short(device)
            )));
        }
        if let Some(low) = seqs.first().filter(|low| **low > from + 1) {
            return Err(SyncError::Tampered(format!(
                "files {} to {} of device {}'s log were removed, and no snapshot covers them",
                from + 1,
                low - 1,
                short(device)
            )));
        }
        if top == from && from > 0 {
            // Nothing new: the last file read must still be the same file.
            let name = log::op_name(device, from);
            let gone = || {
                SyncError::RolledBack(format!(
                    "file {from} of device {}'s log was replaced or removed",
                    short(device)
                ))
            };
            match store.read(&name, MAX_FILE_BYTES)? {
                None => return Ok(Err(Stale(gone()))),
                Some(bytes) if !crate::seal::same(&log::hash(&bytes), &prev) => {
                    return Err(gone());
                }
                Some(_) => {}
            }
        }
        for seq in from + 1..=top {
            files += 1;
            if files > MAX_FILES_PER_SYNC {
                return Err(SyncError::TooLarge(format!(
                    "more than {MAX_FILES_PER_SYNC} new files; sync more often"
                )));
            }
            let name = log::op_name(device, seq);
            let Some(bytes) = store.read(&name, MAX_FILE_BYTES)? else {
                return Ok(Err(Stale(SyncError::Tampered(format!(
                    "{name} was listed but cannot be read"
                )))));
            };
            let (ops, meta) = log::open_ops(keys, device, seq, &prev, &bytes)?;
            prev = log::hash(&bytes);
            news.ops.extend(ops);
            if let Some(ack) = meta.ack {
                news.acks.push((*device, ack));
            }
            if let Some(cover) = meta.snapshot {
                news.announced.push(Announced {
                    device: *device,
                    seq,
                    cover,
                });
            }
        }
        if top > from {
            news.seen.insert(*device, Seen::new(top, &prev));
        }
    }
    news.snapshot = snapshot;
    Ok(Ok(news))
}

/// The newest listed snapshot that covers every file pruned from the logs in `pruned` (each
/// with its first remaining file).
fn choose(
    store: &dyn BlobStore,
    keys: &Keys,
    listing: &Listing,
    pruned: &[(Id, u64)],
) -> Result<Result<Snapshot, Stale>, SyncError> {
    let mut candidates: Vec<(Id, u64)> = listing.snaps.iter().copied().collect();
    candidates.sort_by_key(|(device, seq)| std::cmp::Reverse((*seq, *device)));
    let mut vanished = false;
    for (device, seq) in candidates {
        let Some(bytes) = store.read(&log::snap_name(&device, seq), MAX_SNAPSHOT_BYTES)? else {
            vanished = true; // pruned since the listing, for a newer one
            continue;
        };
        let snapshot = snapshot::open(keys, &device, seq, &bytes)?;
        let fills = pruned.iter().all(|(log, low)| {
            snapshot
                .cover
                .get(log)
                .is_some_and(|c| c.seq.saturating_add(1) >= *low)
        });
        if fills {
            return Ok(Ok(snapshot));
        }
    }
    let which = pruned.first().map_or_else(String::new, |(device, low)| {
        format!(
            " (files before file {low} of device {}'s log)",
            short(device)
        )
    });
    let error = SyncError::Tampered(format!(
        "log files were removed{which}, and no snapshot on the storage covers them"
    ));
    if vanished {
        Ok(Err(Stale(error)))
    } else {
        Err(error)
    }
}
