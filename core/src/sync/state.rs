//! The merged state: per account a last-writer-wins register ordered by hybrid logical clock,
//! with tombstones, a counter that merges as the maximum, a position register, and the versions
//! that lost a concurrent edit. Merging is commutative for the live state: the same ops in any
//! order give the same accounts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use super::hlc::Hlc;
use super::id::Id;
use super::keys::SyncKey;
use super::log::Hash;
use super::op::{AccountData, Op};

/// How many losing versions an account keeps.
pub const MAX_HISTORY: usize = 8;

/// One version of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Version {
    pub(super) at: Hlc,
    pub(super) base: Option<Hlc>,
    pub(super) account: AccountData,
}

/// What the sync knows about one account.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct Entity {
    /// The newest version.
    pub(super) record: Option<Version>,
    /// The newest deletion.
    pub(super) deleted: Option<Hlc>,
    /// The highest HOTP counter seen.
    pub(super) counter: u64,
    /// The newest position.
    pub(super) position: Option<(Hlc, u32)>,
    /// Versions that lost to a concurrent edit, oldest first.
    pub(super) history: Vec<Version>,
    /// This vault's id for it (local; not part of the merge, nor of snapshots).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) local: Option<String>,
}

impl Entity {
    /// The version shown, if the account exists: its newest version is newer than its newest
    /// deletion.
    pub(super) fn live(&self) -> Option<&Version> {
        self.record
            .as_ref()
            .filter(|r| self.deleted.is_none_or(|d| d < r.at))
    }

    /// The HOTP counter to show: never below any counter seen.
    pub(super) fn counter(&self) -> u64 {
        self.record
            .as_ref()
            .map_or(self.counter, |r| r.account.counter.max(self.counter))
    }
}

/// A concurrent edit found while merging: `kept` won, `lost` is kept in history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Clash {
    pub(super) id: Id,
    pub(super) kept: String,
    pub(super) lost: String,
}

/// The highest file of a log that this device has read (or written).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Seen {
    pub(super) seq: u64,
    pub(super) hash: String,
}

impl Seen {
    pub(super) fn hash(&self) -> Option<Hash> {
        let bytes = data_encoding::HEXLOWER.decode(self.hash.as_bytes()).ok()?;
        bytes.try_into().ok()
    }

    pub(super) fn new(seq: u64, hash: &Hash) -> Self {
        Self {
            seq,
            hash: data_encoding::HEXLOWER.encode(hash),
        }
    }
}

/// What a snapshot covers: the highest file of every log merged into it.
pub(super) type Cover = BTreeMap<Id, Seen>;

/// What a device had read when it wrote one of its log files (its acknowledgement).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Ack {
    /// The file of its own log that carries it (a later file's acknowledgement replaces it).
    pub(super) file: u64,
    /// The device's wall clock then (ms), which tells active devices from silent ones.
    pub(super) wall: u64,
    /// The highest file read, per log.
    pub(super) seen: BTreeMap<Id, u64>,
}

/// A snapshot that a log file announced: `device`'s file `seq`, covering `cover`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Announced {
    pub(super) device: Id,
    pub(super) seq: u64,
    pub(super) cover: Cover,
}

impl Announced {
    /// How far it reaches, to pick the newest of several (covers only grow over time).
    pub(super) fn reach(&self) -> (u64, Id, u64) {
        let files = self.cover.values().map(|s| s.seq).sum();
        (files, self.device, self.seq)
    }

    /// Whether it covers at least everything `other` covers.
    pub(super) fn covers(&self, other: &Cover) -> bool {
        other
            .iter()
            .all(|(d, s)| self.cover.get(d).is_some_and(|mine| mine.seq >= s.seq))
    }
}

/// The key bytes, wiped on drop.
#[derive(Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub(super) struct KeyBytes(pub(super) Vec<u8>);

impl Drop for KeyBytes {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// Everything a device keeps about the sync, sealed in its vault.
#[derive(Clone, Serialize, Deserialize)]
pub(super) struct State {
    pub(super) version: u16,
    pub(super) key: KeyBytes,
    pub(super) device: Id,
    /// The last clock issued or observed.
    pub(super) clock: Hlc,
    /// The newest wall time seen from another device (clamped to a day past the local clock).
    #[serde(default)]
    pub(super) peak: u64,
    /// The highest file read or written, per device (this one included).
    pub(super) seen: BTreeMap<Id, Seen>,
    pub(super) accounts: BTreeMap<Id, Entity>,
    /// The newest acknowledgement read from every device (this one's: the last it wrote).
    #[serde(default)]
    pub(super) acks: BTreeMap<Id, Ack>,
    /// Snapshots announced in the logs and still worth knowing (listed, or not yet listed).
    #[serde(default)]
    pub(super) snapshots: Vec<Announced>,
}

impl State {
    pub(super) fn new(key: &SyncKey, device: Id) -> Self {
        Self {
            version: super::log::VERSION,
            key: KeyBytes(key.expose().to_vec()),
            device,
            clock: Hlc::zero(device),
            peak: 0,
            seen: BTreeMap::new(),
            accounts: BTreeMap::new(),
            acks: BTreeMap::new(),
            snapshots: Vec::new(),
        }
    }

    /// Takes in a device's acknowledgement, unless a later one is already known.
    pub(super) fn acknowledge(&mut self, device: Id, ack: Ack) {
        if self
            .acks
            .get(&device)
            .is_none_or(|known| known.file < ack.file)
        {
            self.acks.insert(device, ack);
        }
    }

    /// Takes in a snapshot's announcement.
    pub(super) fn announce(&mut self, announced: Announced) {
        let known = self
            .snapshots
            .iter()
            .any(|a| a.device == announced.device && a.seq == announced.seq);
        if !known {
            self.snapshots.push(announced);
        }
    }

    /// Merges a snapshot's accounts: the same join as merging the ops it was made from (the
    /// newer version, the newer deletion, the higher counter, the newer position), without
    /// reporting its conflicts again; its history joins this device's.
    pub(super) fn absorb(&mut self, accounts: BTreeMap<Id, Entity>) {
        for (id, theirs) in accounts {
            let Entity {
                record,
                deleted,
                counter,
                position,
                history,
                local: _,
            } = theirs;
            let mine = self.accounts.entry(id).or_default();
            mine.counter = mine.counter.max(counter);
            mine.deleted = mine.deleted.max(deleted);
            if let Some((at, p)) = position
                && mine.position.is_none_or(|(m, _)| m < at)
            {
                mine.position = Some((at, p));
            }
            if let Some(record) = record {
                mine.counter = mine.counter.max(record.account.counter);
                if mine.record.as_ref().is_none_or(|r| r.at < record.at) {
                    mine.record = Some(record);
                }
            }
            for version in history {
                let current = mine.record.as_ref().is_some_and(|r| r.at == version.at);
                if !current && !mine.history.iter().any(|v| v.at == version.at) {
                    mine.history.push(version);
                }
            }
            mine.history.sort_by_key(|v| v.at);
            let excess = mine.history.len().saturating_sub(MAX_HISTORY);
            mine.history.drain(..excess);
        }
    }

    /// Every clock in `accounts`, for the local clock to move past.
    pub(super) fn clocks(accounts: &BTreeMap<Id, Entity>) -> impl Iterator<Item = Hlc> + '_ {
        accounts.values().flat_map(|e| {
            e.record
                .iter()
                .map(|r| r.at)
                .chain(e.deleted)
                .chain(e.position.map(|(at, _)| at))
        })
    }

    /// A clock for a change made now: after every clock issued or observed, and no more than
    /// a day (`MAX_AHEAD_MS`) past the newest clock seen from another device.
    #[cfg(test)]
    pub(super) fn stamp(&mut self, now_ms: u64) -> Hlc {
        self.clock.stamp(self.peak, now_ms)
    }

    /// Takes in a received clock, at most a day (`MAX_AHEAD_MS`) past the local wall clock.
    pub(super) fn observe(&mut self, at: Hlc, now_ms: u64) {
        let at = at.clamped(now_ms);
        if at.device != self.device {
            self.peak = self.peak.max(at.wall);
        }
        self.clock.observe(at);
    }

    /// Merges one op. Concurrent edits with different contents are reported in `clashes`.
    pub(super) fn apply(&mut self, op: Op, clashes: &mut Vec<Clash>) {
        match op {
            Op::Upsert {
                id,
                at,
                base,
                account,
            } => {
                let entity = self.accounts.entry(id).or_default();
                // Every version's counter counts, the loser's too: a code is never reused.
                entity.counter = entity.counter.max(account.counter);
                let incoming = Version {
                    at,
                    base,
                    account: *account,
                };
                let Some(current) = entity.record.take() else {
                    entity.record = Some(incoming);
                    return;
                };
                if current.at == incoming.at {
                    entity.record = Some(current);
                    return;
                }
                let (winner, loser) = if incoming.at > current.at {
                    (incoming, current)
                } else {
                    (current, incoming)
                };
                // The winner was edited from the loser or a later version: no conflict. Two
                // versions with the same content (one account added on two devices) neither.
                let descends = winner.base.is_some_and(|b| b >= loser.at);
                if !descends && !winner.account.same_content(&loser.account) {
                    clashes.push(Clash {
                        id,
                        kept: winner.account.label(),
                        lost: loser.account.label(),
                    });
                    if !entity.history.iter().any(|v| v.at == loser.at) {
                        entity.history.push(loser);
                        entity.history.sort_by_key(|v| v.at);
                        let excess = entity.history.len().saturating_sub(MAX_HISTORY);
                        entity.history.drain(..excess);
                    }
                }
                entity.record = Some(winner);
            }
            Op::Delete { id, at } => {
                let entity = self.accounts.entry(id).or_default();
                entity.deleted = entity.deleted.max(Some(at));
            }
            Op::Counter { id, value } => {
                let entity = self.accounts.entry(id).or_default();
                entity.counter = entity.counter.max(value);
            }
            Op::Position { id, at, position } => {
                let entity = self.accounts.entry(id).or_default();
                if entity.position.is_none_or(|(t, _)| t < at) {
                    entity.position = Some((at, position));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
