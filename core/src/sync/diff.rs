//! The vault and the merged state, compared both ways: what changed in the vault since the last
//! sync (as ops), and what the vault must become after a merge (as records to write and remove).

use std::collections::{BTreeMap, BTreeSet};

use super::id::Id;
use super::keys::Keys;
use super::op::{AccountData, Op, kind_code};
use super::state::State;
use crate::vault::{AccountId, Record};

fn local_id(text: &Option<String>) -> Option<AccountId> {
    text.as_deref().and_then(|t| t.parse().ok())
}

/// The vault's changes since the last sync, as ops stamped with fresh clocks. Maps new accounts
/// to sync ids and unmaps removed ones in `state` (its merge comes after).
pub(super) fn local_changes(
    state: &mut State,
    keys: &Keys,
    records: &[Record],
    now_ms: u64,
) -> Vec<Op> {
    let mut ops = Vec::new();
    let (mut clock, peak) = (state.clock, state.peak);
    let mut stamp = || clock.stamp(peak, now_ms);
    let in_vault: BTreeSet<AccountId> = records.iter().map(|r| r.id).collect();
    let mut mapped: BTreeMap<AccountId, Id> = BTreeMap::new();
    for (sid, entity) in &mut state.accounts {
        let Some(lid) = local_id(&entity.local) else {
            continue;
        };
        if in_vault.contains(&lid) && !mapped.contains_key(&lid) {
            mapped.insert(lid, *sid);
            continue;
        }
        // Removed from the vault since the last sync.
        entity.local = None;
        if entity.live().is_some() {
            ops.push(Op::Delete {
                id: *sid,
                at: stamp(),
            });
        }
    }
    for record in records {
        let data = AccountData::of(record);
        let sid = match mapped.get(&record.id) {
            Some(sid) => *sid,
            None => {
                let kind = record.account.params.kind;
                let secret = record.account.secret.expose();
                let mut sid = keys.account_id(kind, secret);
                let taken = state.accounts.get(&sid).is_some_and(|e| e.local.is_some());
                if taken {
                    sid = keys.duplicate_id(kind, secret, &record.id);
                }
                let entity = state.accounts.entry(sid).or_default();
                entity.local = Some(record.id.to_string());
                debug_assert_eq!(data.kind, kind_code(kind));
                sid
            }
        };
        let entity = state.accounts.entry(sid).or_default();
        match entity.live() {
            Some(version) => {
                if !data.same_content(&version.account) {
                    let base = Some(version.at);
                    ops.push(Op::Upsert {
                        id: sid,
                        at: stamp(),
                        base,
                        account: Box::new(data.clone()),
                    });
                }
                if data.counter > entity.counter() {
                    ops.push(Op::Counter {
                        id: sid,
                        value: data.counter,
                    });
                }
            }
            None => {
                let base = entity.record.as_ref().map(|r| r.at);
                ops.push(Op::Upsert {
                    id: sid,
                    at: stamp(),
                    base,
                    account: Box::new(data.clone()),
                });
            }
        }
        if entity.position.map(|(_, p)| p) != Some(record.position) {
            ops.push(Op::Position {
                id: sid,
                at: stamp(),
                position: record.position,
            });
        }
    }
    state.clock = clock;
    ops
}

/// What the vault must write and remove to show the merged state.
#[derive(Default)]
pub(super) struct Apply {
    pub(super) upserts: Vec<Record>,
    pub(super) removals: Vec<AccountId>,
    pub(super) added: usize,
    pub(super) updated: usize,
    /// Accounts whose data this version cannot use (an unknown kind or invalid parameters,
    /// written by a newer or broken device): left out of the vault, kept in the state.
    pub(super) skipped: usize,
}

/// Brings the vault to the merged state; maps new accounts to fresh local ids in `state`.
pub(super) fn to_vault(state: &mut State, records: &[Record], now_secs: u64) -> Apply {
    let by_id: BTreeMap<AccountId, &Record> = records.iter().map(|r| (r.id, r)).collect();
    let mut next_position = records
        .iter()
        .map(|r| r.position.saturating_add(1))
        .max()
        .unwrap_or(0);
    let mut apply = Apply::default();
    let mut used: BTreeSet<AccountId> = by_id.keys().copied().collect();
    for entity in state.accounts.values_mut() {
        let existing = local_id(&entity.local).and_then(|id| by_id.get(&id).copied());
        let Some(version) = entity.live() else {
            if let Some(record) = existing {
                apply.removals.push(record.id);
            }
            entity.local = None;
            continue;
        };
        let usable = version
            .account
            .to_account(entity.counter())
            .filter(|(a, _)| !a.secret.is_empty() && a.params.validate().is_ok());
        let Some((account, extras)) = usable else {
            apply.skipped += 1;
            continue;
        };
        let position = entity.position.map(|(_, p)| p);
        match existing {
            Some(record) => {
                let mut new = record.clone();
                new.account = account;
                new.extras = extras;
                if let Some(position) = position {
                    new.position = position;
                }
                if new != *record {
                    apply.upserts.push(new);
                    apply.updated += 1;
                }
            }
            None => {
                let mut id = AccountId::random();
                while used.contains(&id) {
                    id = AccountId::random();
                }
                used.insert(id);
                let position = position.unwrap_or_else(|| {
                    let p = next_position;
                    next_position = next_position.saturating_add(1);
                    p
                });
                apply.upserts.push(Record {
                    id,
                    account,
                    position,
                    extras,
                    created_at: now_secs,
                    last_used_at: None,
                });
                entity.local = Some(id.to_string());
                apply.added += 1;
            }
        }
    }
    apply
}
