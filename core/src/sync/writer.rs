//! Appending to this device's own log: each file names the previous one's hash and carries
//! the device's acknowledgement (what it has read of every log).

use super::error::SyncError;
use super::id::Id;
use super::keys::Keys;
use super::log::{self, Hash, Meta};
use super::op::Op;
use super::remote::Listing;
use super::state::{Ack, Cover, Seen, State};
use super::store::{BlobStore, Created};

/// Appends files to this device's log, each carrying its acknowledgement.
pub(super) struct LogWriter<'a> {
    store: &'a dyn BlobStore,
    keys: &'a Keys,
    device: Id,
    seq: u64,
    prev: Hash,
    ack: Ack,
    /// Files written, not yet recorded in the state.
    pub(super) written: u64,
    fresh: Vec<u64>,
}

impl<'a> LogWriter<'a> {
    pub(super) fn new(
        state: &State,
        store: &'a dyn BlobStore,
        keys: &'a Keys,
        now_ms: u64,
    ) -> Result<Self, SyncError> {
        let device = state.device;
        let (seq, prev) = match state.seen.get(&device) {
            Some(seen) => (seen.seq, seen.hash().ok_or_else(SyncError::damaged_state)?),
            None => (0, [0; 32]),
        };
        let ack = Ack {
            file: seq,
            wall: now_ms,
            seen: state.seen.iter().map(|(d, s)| (*d, s.seq)).collect(),
        };
        Ok(Self {
            store,
            keys,
            device,
            seq,
            prev,
            ack,
            written: 0,
            fresh: Vec::new(),
        })
    }

    /// Writes the next file; returns its seq.
    pub(super) fn append(&mut self, ops: &[Op], snapshot: Option<Cover>) -> Result<u64, SyncError> {
        self.seq += 1;
        self.ack.file = self.seq;
        let meta = Meta {
            ack: Some(self.ack.clone()),
            snapshot,
        };
        let bytes = log::seal_ops(self.keys, &self.device, self.seq, &self.prev, ops, &meta)?;
        match self
            .store
            .create(&log::op_name(&self.device, self.seq), &bytes)?
        {
            Created::New => {}
            Created::AlreadyExists => return Err(SyncError::Busy),
        }
        self.prev = log::hash(&bytes);
        self.written += 1;
        self.fresh.push(self.seq);
        Ok(self.seq)
    }

    /// Records the files written so far in the state and the listing.
    pub(super) fn record(&mut self, state: &mut State, listing: &mut Listing) {
        if self.fresh.is_empty() {
            return;
        }
        state
            .seen
            .insert(self.device, Seen::new(self.seq, &self.prev));
        state.acknowledge(self.device, self.ack.clone());
        listing
            .logs
            .entry(self.device)
            .or_default()
            .extend(self.fresh.drain(..));
    }
}
