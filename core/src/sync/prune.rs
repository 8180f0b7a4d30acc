//! When to write a snapshot, when to acknowledge one, and which files to delete.
//!
//! A file may be deleted once (1) the newest snapshot still on the store covers it, (2) every
//! active device has acknowledged reading it, and (3) it is not its log's last file (which
//! proves the log's length to the devices that read it). (1) alone keeps every device correct:
//! a device that still needed a deleted file starts that log from the snapshot. (2) saves the
//! active devices from downloading the snapshot. (3) keeps rollbacks detectable.

use std::collections::BTreeSet;

use super::id::Id;
use super::log;
use super::remote::Listing;
use super::state::{Announced, State};

/// How a sync keeps the store small.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pruning {
    /// Write a snapshot once this many log files are not covered by the newest one (at least 1).
    pub snapshot_after: u64,
    /// A device whose newest acknowledgement is older than this (ms) does not hold pruning
    /// back; when it syncs again it starts from the snapshot.
    pub inactive_after_ms: u64,
}

impl Default for Pruning {
    /// A snapshot every 32 files; devices silent for 90 days stop holding pruning back.
    fn default() -> Self {
        Self {
            snapshot_after: 32,
            inactive_after_ms: 90 * 24 * 60 * 60 * 1000,
        }
    }
}

/// The newest announced snapshot that is on the store.
pub(super) fn best<'a>(state: &'a State, listing: &Listing) -> Option<&'a Announced> {
    state
        .snapshots
        .iter()
        .filter(|a| listing.snaps.contains(&(a.device, a.seq)))
        .max_by_key(|a| a.reach())
}

/// How many log files `best` does not cover.
pub(super) fn uncovered(listing: &Listing, best: Option<&Announced>) -> u64 {
    listing
        .logs
        .iter()
        .map(|(device, seqs)| {
            let covered = best.and_then(|b| b.cover.get(device)).map_or(0, |s| s.seq);
            u64::try_from(seqs.range(covered + 1..).count()).unwrap_or(u64::MAX)
        })
        .sum()
}

/// Whether this device has read files that `best` covers and has not said so yet.
pub(super) fn should_acknowledge(state: &State, best: &Announced) -> bool {
    let acked = state.acks.get(&state.device);
    best.cover.iter().any(|(device, cover)| {
        let read = state.seen.get(device).map_or(0, |s| s.seq).min(cover.seq);
        let said = acked.and_then(|a| a.seen.get(device)).copied().unwrap_or(0);
        read > said
    })
}

/// Forgets announcements of snapshots that are gone, keeping any newer than the best listed
/// one (written after the listing, or never written by a sync that was cut).
pub(super) fn retain(state: &mut State, listing: &Listing) {
    let top = best(state, listing).map(Announced::reach);
    state.snapshots.retain(|a| {
        listing.snaps.contains(&(a.device, a.seq)) || top.is_none_or(|t| a.reach() > t)
    });
}

/// The names to delete.
pub(super) fn plan(
    state: &State,
    listing: &Listing,
    now_ms: u64,
    pruning: &Pruning,
) -> Vec<String> {
    let Some(best) = best(state, listing) else {
        return Vec::new();
    };
    let active = |device: &Id| {
        *device == state.device
            || state
                .acks
                .get(device)
                .is_none_or(|a| a.wall.saturating_add(pruning.inactive_after_ms) >= now_ms)
    };
    let readers: BTreeSet<Id> = listing.logs.keys().copied().filter(active).collect();
    let mut names = Vec::new();
    for (device, seqs) in &listing.logs {
        let Some(top) = seqs.last() else { continue };
        let mut bound = best
            .cover
            .get(device)
            .map_or(0, |s| s.seq)
            .min(top.saturating_sub(1));
        for reader in &readers {
            let read = if *reader == state.device {
                state.seen.get(device).map_or(0, |s| s.seq)
            } else {
                state
                    .acks
                    .get(reader)
                    .and_then(|a| a.seen.get(device))
                    .copied()
                    .unwrap_or(0)
            };
            bound = bound.min(read);
        }
        names.extend(seqs.range(..=bound).map(|seq| log::op_name(device, *seq)));
    }
    // Snapshots that the best one makes useless.
    for announced in &state.snapshots {
        let key = (announced.device, announced.seq);
        if key != (best.device, best.seq)
            && listing.snaps.contains(&key)
            && best.covers(&announced.cover)
        {
            names.push(log::snap_name(&announced.device, announced.seq));
        }
    }
    names
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::collections::BTreeMap;

    use super::*;
    use crate::sync::keys::SyncKey;
    use crate::sync::state::{Ack, Seen};

    const ME: Id = Id([1; 16]);
    const OTHER: Id = Id([2; 16]);
    const DAY: u64 = 24 * 60 * 60 * 1000;

    fn seen(seq: u64) -> Seen {
        Seen::new(seq, &[seq as u8; 32])
    }

    /// Two logs of ten files each, both read whole by this device; a snapshot of mine (file 6)
    /// covers files 1-5 of mine and 1-8 of the other's.
    fn setup() -> (State, Listing) {
        let mut state = State::new(&SyncKey::generate().unwrap(), ME);
        state.seen = [(ME, seen(10)), (OTHER, seen(10))].into();
        state.snapshots.push(Announced {
            device: ME,
            seq: 6,
            cover: [(ME, seen(5)), (OTHER, seen(8))].into(),
        });
        let mut listing = Listing::default();
        listing.logs.insert(ME, (1..=10).collect());
        listing.logs.insert(OTHER, (1..=10).collect());
        listing.snaps.insert((ME, 6));
        (state, listing)
    }

    fn ack(wall: u64, mine: u64, other: u64) -> Ack {
        Ack {
            file: 10,
            wall,
            seen: BTreeMap::from([(ME, mine), (OTHER, other)]),
        }
    }

    fn seqs(names: &[String], device: &Id) -> Vec<u64> {
        names
            .iter()
            .filter_map(|n| match log::parse_name(n).unwrap() {
                log::Name::Op(d, seq) if d == *device => Some(seq),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn only_files_covered_and_acknowledged_by_every_active_device_go() {
        let (mut state, listing) = setup();
        let now = 100 * DAY;
        let policy = Pruning::default();
        // The other device's acknowledgement is unknown: nothing goes.
        assert!(plan(&state, &listing, now, &policy).is_empty());
        // It has read 3 of mine and 9 of its own: mine up to 3, its own up to the cover (8).
        state.acks.insert(OTHER, ack(now, 3, 9));
        let names = plan(&state, &listing, now, &policy);
        assert_eq!(seqs(&names, &ME), [1, 2, 3]);
        assert_eq!(seqs(&names, &OTHER), (1..=8).collect::<Vec<_>>());
        // Silent for longer than the policy allows: it no longer holds pruning back.
        state.acks.insert(OTHER, ack(now - 91 * DAY, 3, 9));
        let names = plan(&state, &listing, now, &policy);
        assert_eq!(seqs(&names, &ME), [1, 2, 3, 4, 5]);
        // Without a listed snapshot nothing goes, whatever was acknowledged.
        let unlisted = Listing {
            logs: listing.logs.clone(),
            ..Listing::default()
        };
        assert!(plan(&state, &unlisted, now, &policy).is_empty());
    }

    #[test]
    fn a_log_keeps_its_last_file() {
        let (mut state, mut listing) = setup();
        listing.logs.insert(OTHER, (1..=8).collect());
        state.seen.insert(OTHER, seen(8));
        state.acks.insert(OTHER, ack(0, 10, 8));
        let names = plan(&state, &listing, 0, &Pruning::default());
        assert_eq!(seqs(&names, &OTHER), (1..=7).collect::<Vec<_>>());
    }

    #[test]
    fn snapshots_covered_by_the_newest_go_and_the_newest_stays() {
        let (mut state, mut listing) = setup();
        state.acks.insert(OTHER, ack(0, 10, 10));
        let older = Announced {
            device: OTHER,
            seq: 4,
            cover: [(ME, seen(2)), (OTHER, seen(3))].into(),
        };
        let apart = Announced {
            device: OTHER,
            seq: 9,
            cover: [(ME, seen(1)), (OTHER, seen(9))].into(),
        };
        for a in [&older, &apart] {
            listing.snaps.insert((a.device, a.seq));
            state.snapshots.push(a.clone());
        }
        let names = plan(&state, &listing, 0, &Pruning::default());
        let snaps: Vec<_> = names.iter().filter(|n| n.ends_with(".snap")).collect();
        assert_eq!(snaps, [&log::snap_name(&OTHER, 4)]);
        assert_eq!(best(&state, &listing).map(|b| b.seq), Some(6));
        assert_eq!(uncovered(&listing, best(&state, &listing)), 5 + 2);
    }
}
