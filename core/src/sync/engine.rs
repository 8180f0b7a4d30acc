//! Setting sync up, joining it, and one sync: diff, read, merge, write, apply.

use std::time::{SystemTime, UNIX_EPOCH};

use zeroize::Zeroizing;

use super::diff;
use super::error::SyncError;
use super::id::Id;
use super::keys::SyncKey;
use super::log::{self, FORMAT_FILE, MAX_OPS_PER_FILE, VERSION};
use super::prune::{self, Pruning};
use super::remote::{self, Listing};
use super::snapshot::{self, Snapshot};
use super::state::{Announced, State};
use super::store::{BlobStore, Created};
use super::writer::LogWriter;
use crate::vault::{AccountId, Record, Stamp, Vault};

/// The most accounts a sync keeps (deleted ones included).
pub const MAX_ACCOUNTS: usize = 10_000;
/// How many listings in all may name a file gone by the time it is read (pruned by another
/// device meanwhile) before the sync gives up.
const MAX_STALE_LISTINGS: usize = 3;

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Changes this device sent.
    pub sent: usize,
    /// Changes received from the other devices.
    pub received: usize,
    /// Accounts added to this vault.
    pub added: usize,
    /// Accounts of this vault changed.
    pub updated: usize,
    /// Accounts removed from this vault.
    pub removed: usize,
    /// Accounts edited on two devices at once: the newer edit was kept, the other is listed here.
    pub conflicts: Vec<Conflict>,
    /// Accounts received in a form this version cannot show (from a newer Jeton); kept for later.
    pub skipped: usize,
    /// Devices writing to the store.
    pub devices: usize,
}

/// An account edited on two devices at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The account in this vault, if it still exists.
    pub account: Option<AccountId>,
    /// The label of the version kept.
    pub kept: String,
    /// The label of the version that lost (kept in the account's sync history).
    pub lost: String,
}

fn load(vault: &Vault) -> Result<Option<State>, SyncError> {
    let Some(plain) = vault.sync_state()? else {
        return Ok(None);
    };
    let state: State = serde_json::from_slice(&plain).map_err(|_| SyncError::damaged_state())?;
    if state.version > VERSION {
        return Err(SyncError::NewerVersion {
            found: state.version,
            supported: VERSION,
        });
    }
    Ok(Some(state))
}

fn encode(state: &State) -> Result<Zeroizing<Vec<u8>>, SyncError> {
    // Sized up front so that growing does not leave copies of secrets in freed memory.
    let mut out = Zeroizing::new(Vec::with_capacity(4096 + state.accounts.len() * 2048));
    serde_json::to_writer(&mut *out, state).map_err(|_| SyncError::damaged_state())?;
    Ok(out)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Whether sync is set up on this (unlocked) vault.
pub fn is_set_up(vault: &Vault) -> Result<bool, SyncError> {
    Ok(vault.sync_state()?.is_some())
}

/// Sets up a new sync on `store` with a fresh sync key, this vault as its first device. Then
/// call [`sync`] to send the accounts.
pub fn init(vault: &mut Vault, store: &dyn BlobStore) -> Result<(), SyncError> {
    if is_set_up(vault)? {
        return Err(SyncError::AlreadySetUp);
    }
    let since = vault.stamp()?;
    let setup = Setup::start(store)?;
    setup
        .adopt(vault, since)
        .map_err(|e| setup.abandon(store, e))
}

/// Joins the sync on `store` that `key` opens, as a new device. Then call [`sync`].
pub fn join(vault: &mut Vault, store: &dyn BlobStore, key: &SyncKey) -> Result<(), SyncError> {
    if is_set_up(vault)? {
        return Err(SyncError::AlreadySetUp);
    }
    let since = vault.stamp()?;
    Setup::join(store, key)?.adopt(vault, since)
}

/// [`init`] and [`join`] in steps, for callers that share a vault between threads (the
/// bindings): the store part ([`Setup::start`], [`Setup::join`]) runs without the vault, then
/// [`Setup::adopt`] writes this device's sync state into it.
pub struct Setup {
    state: State,
    /// Whether [`Setup::start`] wrote the store's format marker (removed again on failure).
    created: bool,
}

impl Setup {
    /// A new sync on `store`, with a fresh key: writes the store's format marker.
    pub fn start(store: &dyn BlobStore) -> Result<Self, SyncError> {
        let key = SyncKey::generate()?;
        let keys = key.derive();
        let state = State::new(&key, Id::random()?);
        let error = match store.create(FORMAT_FILE, &log::format_file(&keys)?) {
            Ok(Created::New) => None,
            Ok(Created::AlreadyExists) => Some(SyncError::StoreInUse),
            Err(error) => Some(error.into()),
        };
        if let Some(error) = error {
            // The reply may be what was lost (a timeout after the server stored the upload, a
            // platform store that retried it): a marker that this new key opens is this
            // set-up's own.
            let ours = matches!(store.read(FORMAT_FILE, 4096),
                Ok(Some(marker)) if log::check_format(&marker, Some(&keys)).is_ok());
            if !ours {
                return Err(error);
            }
        }
        Ok(Self {
            state,
            created: true,
        })
    }

    /// The sync on `store` that `key` opens, joined as a new device.
    pub fn join(store: &dyn BlobStore, key: &SyncKey) -> Result<Self, SyncError> {
        let marker = store
            .read(FORMAT_FILE, 4096)?
            .ok_or(SyncError::NoSyncInStore)?;
        log::check_format(&marker, Some(&key.derive()))?;
        Ok(Self {
            state: State::new(key, Id::random()?),
            created: false,
        })
    }

    /// Makes the vault a device of this sync, if it is not set up and has not been written
    /// since `since` (from [`Vault::stamp`] before the store part).
    pub fn adopt(&self, vault: &mut Vault, since: Stamp) -> Result<(), SyncError> {
        if is_set_up(vault)? {
            return Err(SyncError::AlreadySetUp);
        }
        vault.commit_sync(since, Vec::new(), Vec::new(), encode(&self.state)?)?;
        Ok(())
    }

    /// After a failed [`Setup::adopt`]: removes the format marker [`Setup::start`] wrote (no
    /// one uses it yet), so that a retry can succeed; returns `error`.
    pub fn abandon(self, store: &dyn BlobStore, error: SyncError) -> SyncError {
        if self.created {
            let _ = store.delete(FORMAT_FILE);
        }
        error
    }
}

/// The sync key, for pairing a new device.
pub fn key(vault: &Vault) -> Result<SyncKey, SyncError> {
    let state = load(vault)?.ok_or(SyncError::NotSetUp)?;
    SyncKey::from_bytes(&state.key.0).ok_or_else(SyncError::damaged_state)
}

/// This device leaves the sync: its vault forgets the key and state; its accounts stay.
pub fn leave(vault: &mut Vault) -> Result<(), SyncError> {
    vault.clear_sync_state()?;
    Ok(())
}

/// Sends this vault's changes and applies the other devices', in one vault transaction; writes
/// a snapshot and prunes the store when [`Pruning::default`] says so.
pub fn sync(vault: &mut Vault, store: &dyn BlobStore) -> Result<SyncReport, SyncError> {
    sync_at(vault, store, now_ms())
}

/// [`sync`] at the wall-clock time `now_ms` (milliseconds since the Unix epoch).
pub fn sync_at(
    vault: &mut Vault,
    store: &dyn BlobStore,
    now_ms: u64,
) -> Result<SyncReport, SyncError> {
    sync_with(vault, store, now_ms, &Pruning::default())
}

/// [`sync_at`] with the given snapshot and pruning policy: [`begin`], [`Exchange::run`],
/// [`finish`] and [`Finished::prune`] in a row.
pub fn sync_with(
    vault: &mut Vault,
    store: &dyn BlobStore,
    now_ms: u64,
    pruning: &Pruning,
) -> Result<SyncReport, SyncError> {
    let exchanged = begin(vault)?.run(store, now_ms, pruning)?;
    Ok(finish(vault, exchanged)?.prune(store))
}

/// What a sync needs from the vault, copied out of it by [`begin`]: the sync state, every
/// account, and where the vault stood. Holds secrets; wiped when dropped.
pub struct Exchange {
    state: State,
    records: Vec<Record>,
    since: Stamp,
}

/// What [`Exchange::run`] did on the store and what [`finish`] commits to the vault.
pub struct Exchanged {
    report: SyncReport,
    commit: Option<Commit>,
    prune: Vec<String>,
    since: Stamp,
}

/// The vault's part of a sync: accounts to write and remove, and the new sync state.
struct Commit {
    upserts: Vec<Record>,
    removals: Vec<AccountId>,
    state: Zeroizing<Vec<u8>>,
}

/// A sync committed to the vault; [`Finished::prune`] tidies the store.
pub struct Finished {
    report: SyncReport,
    prune: Vec<String>,
}

/// The first of a sync's steps, for callers that share a vault between threads (the bindings):
/// copies what the sync needs out of the vault, so that [`Exchange::run`] reads and writes the
/// store (the network, a platform's storage) without holding it. Then [`finish`] commits; if the
/// vault was written in between it refuses with [`ChangedElsewhere`](crate::vault::VaultError::ChangedElsewhere) and applies
/// nothing: begin again (the files the run wrote are read back as this device's own history,
/// as after a crash).
pub fn begin(vault: &Vault) -> Result<Exchange, SyncError> {
    Ok(Exchange {
        state: load(vault)?.ok_or(SyncError::NotSetUp)?,
        records: vault.records()?,
        since: vault.stamp()?,
    })
}

/// The last vault step of a sync: commits what [`Exchange::run`] merged, all or nothing, if the
/// vault has not been written since [`begin`] ([`ChangedElsewhere`](crate::vault::VaultError::ChangedElsewhere) otherwise).
pub fn finish(vault: &mut Vault, exchanged: Exchanged) -> Result<Finished, SyncError> {
    if let Some(commit) = exchanged.commit {
        let Commit {
            upserts,
            removals,
            state,
        } = commit;
        vault.commit_sync(exchanged.since, upserts, removals, state)?;
    }
    Ok(Finished {
        report: exchanged.report,
        prune: exchanged.prune,
    })
}

impl Finished {
    /// Removes the store files that every device has read past, best effort (the next sync
    /// retries what fails), and returns what the sync did.
    pub fn prune(self, store: &dyn BlobStore) -> SyncReport {
        for name in &self.prune {
            if store.delete(name).is_err() {
                break;
            }
        }
        self.report
    }
}

impl Exchange {
    /// The store half of a sync: reads every device's new files, merges them with this vault's
    /// changes, and writes this device's new files (and a snapshot when `pruning` says so).
    /// Touches no vault.
    pub fn run(
        self,
        store: &dyn BlobStore,
        now_ms: u64,
        pruning: &Pruning,
    ) -> Result<Exchanged, SyncError> {
        let Self {
            mut state,
            records,
            since,
        } = self;
        let seen_before = state.seen.clone();
        let key = SyncKey::from_bytes(&state.key.0).ok_or_else(SyncError::damaged_state)?;
        let keys = key.derive();

        let marker = store
            .read(FORMAT_FILE, 4096)?
            .ok_or(SyncError::NoSyncInStore)?;
        log::check_format(&marker, Some(&keys))?;
        // Every log's new files (from a snapshot where they were pruned), checked before anything
        // is merged or stamped. A file pruned by another device since the listing makes it
        // stale: listed again, a few times, before a file still missing is an error.
        let mut stale_listings = 0;
        let (mut listing, news) = loop {
            let names = store.list(log::ROOT)?;
            check_versions(&names)?;
            let listing = Listing::parse(&names)?;
            match remote::read(store, &keys, &listing, &state.seen)? {
                Ok(news) => break (listing, news),
                Err(remote::Stale(error)) => {
                    stale_listings += 1;
                    if stale_listings >= MAX_STALE_LISTINGS {
                        return Err(error);
                    }
                }
            }
        };
        for at in news.ops.iter().filter_map(|op| op.at()) {
            state.observe(at, now_ms);
        }
        if let Some(snapshot) = &news.snapshot {
            for at in State::clocks(&snapshot.accounts) {
                state.observe(at, now_ms);
            }
        }

        // The vault's changes against the state of the last sync, stamped after what was read.
        let local = diff::local_changes(&mut state, &keys, &records, now_ms);
        let mut report = SyncReport {
            sent: local.len(),
            received: news.ops.len(),
            devices: news.devices,
            ..SyncReport::default()
        };
        state.seen = news.seen;
        for (device, ack) in news.acks {
            state.acknowledge(device, ack);
        }
        for announced in news.announced {
            state.announce(announced);
        }
        if let Some(snapshot) = news.snapshot {
            report.received += snapshot.accounts.len();
            for (device, ack) in snapshot.acks {
                state.acknowledge(device, ack);
            }
            state.announce(Announced {
                device: snapshot.device,
                seq: snapshot.seq,
                cover: snapshot.cover,
            });
            state.absorb(snapshot.accounts);
        }

        let mut ops = news.ops;
        ops.extend(local.iter().cloned());
        ops.sort_by_key(|op| op.at());
        let mut clashes = Vec::new();
        for op in ops {
            state.apply(op, &mut clashes);
        }
        if state.accounts.len() > MAX_ACCOUNTS {
            return Err(SyncError::TooLarge(format!(
                "more than {MAX_ACCOUNTS} accounts"
            )));
        }

        // This device's new files, before the vault commits: a crash in between leaves files that
        // the next sync reads back as this device's own history.
        let mut log = LogWriter::new(&state, store, &keys, now_ms)?;
        for chunk in local.chunks(MAX_OPS_PER_FILE) {
            log.append(chunk, None)?;
        }
        log.record(&mut state, &mut listing);
        let best = prune::best(&state, &listing);
        let pruned_unsnapshotted = best.is_none()
            && listing
                .logs
                .values()
                .any(|seqs| seqs.first().is_some_and(|low| *low > 1));
        let snapshot_due = prune::uncovered(&listing, best) >= pruning.snapshot_after.max(1)
            || pruned_unsnapshotted;
        // A device's first file makes it known to the others, which then wait for it to read
        // their files before pruning them.
        let ack_due = log.written == 0
            && (!state.seen.contains_key(&state.device)
                || best.is_some_and(|b| prune::should_acknowledge(&state, b)));
        if snapshot_due {
            // The announcement first, then the snapshot: a snapshot on the store is always
            // announced in its writer's log.
            let cover = state.seen.clone();
            let seq = log.append(&[], Some(cover.clone()))?;
            let snapshot = Snapshot {
                device: state.device,
                seq,
                cover: cover.clone(),
                acks: state.acks.clone(),
                accounts: state
                    .accounts
                    .iter()
                    .map(|(id, e)| {
                        let mut e = e.clone();
                        e.local = None;
                        (*id, e)
                    })
                    .collect(),
            };
            match store.create(
                &log::snap_name(&state.device, seq),
                &snapshot::seal(&keys, &snapshot)?,
            )? {
                Created::New => {}
                Created::AlreadyExists => return Err(SyncError::Busy),
            }
            log.record(&mut state, &mut listing);
            listing.snaps.insert((state.device, seq));
            state.announce(Announced {
                device: state.device,
                seq,
                cover,
            });
        } else if ack_due {
            log.append(&[], None)?;
            log.record(&mut state, &mut listing);
        }

        let apply = diff::to_vault(&mut state, &records, now_ms / 1000);
        report.added = apply.added;
        report.updated = apply.updated;
        report.removed = apply.removals.len();
        report.skipped = apply.skipped;
        report.conflicts = clashes
            .into_iter()
            .map(|c| Conflict {
                account: state
                    .accounts
                    .get(&c.id)
                    .and_then(|e| e.local.as_deref())
                    .and_then(|t| t.parse().ok()),
                kept: c.kept,
                lost: c.lost,
            })
            .collect();
        prune::retain(&mut state, &listing);
        let unchanged = report.sent == 0
            && report.received == 0
            && apply.upserts.is_empty()
            && apply.removals.is_empty()
            && state.seen == seen_before;
        let commit = if unchanged {
            None
        } else {
            Some(Commit {
                upserts: apply.upserts,
                removals: apply.removals,
                state: encode(&state)?,
            })
        };
        Ok(Exchanged {
            report,
            commit,
            // Pruning comes after the commit and is best effort: the next sync retries what fails.
            prune: prune::plan(&state, &listing, now_ms, pruning),
            since,
        })
    }
}

/// A folder of a later version (`jeton-sync/v2/...`) means a newer Jeton writes here.
fn check_versions(names: &[String]) -> Result<(), SyncError> {
    for name in names {
        let Some(rest) = name.strip_prefix("jeton-sync/v") else {
            continue;
        };
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(found) = digits.parse::<u16>()
            && found > VERSION
        {
            return Err(SyncError::NewerVersion {
                found,
                supported: VERSION,
            });
        }
    }
    Ok(())
}
