//! Reading the other devices' logs (and this device's own files from an interrupted sync):
//! every log is checked against the highest file already seen, then read file by file along
//! its hash chain. Any rollback, gap or broken link stops the sync before anything is merged.

use std::collections::{BTreeMap, BTreeSet};

use super::error::SyncError;
use super::id::Id;
use super::keys::Keys;
use super::log::{self, Hash, MAX_FILE_BYTES, Name};
use super::op::Op;
use super::state::Seen;
use super::store::BlobStore;

/// The most devices one sync takes.
pub const MAX_DEVICES: usize = 256;
/// The most files one sync reads.
pub const MAX_FILES_PER_SYNC: usize = 10_000;

/// What the logs held that this device had not read.
pub(super) struct News {
    /// New ops, in each log's order.
    pub(super) ops: Vec<Op>,
    /// The highest file now read, per device.
    pub(super) seen: BTreeMap<Id, Seen>,
    /// How many devices have a log.
    pub(super) devices: usize,
}

fn short(device: &Id) -> String {
    format!("{device:?}")
}

/// Reads every log listed in `names` past what `seen` records.
pub(super) fn read(
    store: &dyn BlobStore,
    keys: &Keys,
    names: &[String],
    seen: &BTreeMap<Id, Seen>,
) -> Result<News, SyncError> {
    let mut logs: BTreeMap<Id, BTreeSet<u64>> = BTreeMap::new();
    for name in names {
        if let Name::Op(device, seq) = log::parse_name(name)? {
            logs.entry(device).or_default().insert(seq);
        }
    }
    let devices = logs.len();
    if devices > MAX_DEVICES {
        return Err(SyncError::TooLarge(format!(
            "{devices} devices write to this storage, more than {MAX_DEVICES}"
        )));
    }
    for device in seen.keys() {
        logs.entry(*device).or_default();
    }
    let mut news = News {
        ops: Vec::new(),
        seen: seen.clone(),
        devices,
    };
    let mut files = 0usize;
    for (device, seqs) in &logs {
        let (from, mut prev): (u64, Hash) = match seen.get(device) {
            Some(s) => {
                let hash = s.hash().ok_or_else(|| {
                    SyncError::Vault(crate::vault::VaultError::Damaged(
                        crate::vault::Damage::SyncState,
                    ))
                })?;
                (s.seq, hash)
            }
            None => (0, [0; 32]),
        };
        let top = seqs.last().copied().unwrap_or(0);
        if top < from {
            return Err(SyncError::RolledBack(format!(
                "device {}'s log ends at file {top}, but file {from} was already read",
                short(device)
            )));
        }
        if let Some(missing) = (from + 1..=top).find(|s| !seqs.contains(s)) {
            return Err(SyncError::Tampered(format!(
                "file {missing} of device {}'s log is missing, though later ones exist",
                short(device)
            )));
        }
        if top == from && from > 0 {
            // Nothing new: the last file read must still be the same file.
            let name = log::op_name(device, from);
            let same = store
                .read(&name, MAX_FILE_BYTES)?
                .is_some_and(|bytes| crate::seal::same(&log::hash(&bytes), &prev));
            if !same {
                return Err(SyncError::RolledBack(format!(
                    "file {from} of device {}'s log was replaced or removed",
                    short(device)
                )));
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
            let bytes = store.read(&name, MAX_FILE_BYTES)?.ok_or_else(|| {
                SyncError::Tampered(format!("{name} was listed but cannot be read"))
            })?;
            let ops = log::open_ops(keys, device, seq, &prev, &bytes)?;
            prev = log::hash(&bytes);
            news.ops.extend(ops);
        }
        if top > from {
            news.seen.insert(*device, Seen::new(top, &prev));
        }
    }
    Ok(news)
}
