//! The merge's rules, one test each.

#![allow(clippy::unwrap_used)]
use super::*;
use crate::sync::hlc::MAX_AHEAD_MS;

fn data(name: &str, secret: &[u8], counter: u64) -> AccountData {
    AccountData {
        issuer: Some("Omnivox".into()),
        name: name.into(),
        secret: secret.to_vec(),
        kind: 1,
        algorithm: 0,
        digits: 6,
        period: 30,
        t0: 0,
        counter,
        favourite: false,
        groups: Vec::new(),
        note: String::new(),
        icon: None,
    }
}

fn at(wall: u64, device: u8) -> Hlc {
    Hlc {
        wall,
        counter: 0,
        device: Id([device; 16]),
    }
}

fn state() -> State {
    State::new(&SyncKey::generate().unwrap(), Id([9; 16]))
}

fn upsert(id: Id, t: Hlc, base: Option<Hlc>, name: &str) -> Op {
    Op::Upsert {
        id,
        at: t,
        base,
        account: Box::new(data(name, b"s", 0)),
    }
}

fn merged(ops: &[Op]) -> (State, Vec<Clash>) {
    let mut s = state();
    let mut clashes = Vec::new();
    for op in ops {
        s.apply(op.clone(), &mut clashes);
    }
    (s, clashes)
}

const X: Id = Id([1; 16]);

#[test]
fn an_account_is_only_deleted_by_a_delete() {
    let (s, _) = merged(&[upsert(X, at(10, 1), None, "a")]);
    // Merging nothing more (an empty remote) keeps it.
    assert!(s.accounts[&X].live().is_some());
}

#[test]
fn a_deletion_beats_only_older_edits() {
    let older = upsert(X, at(10, 1), None, "a");
    let delete = Op::Delete {
        id: X,
        at: at(20, 2),
    };
    let newer = upsert(X, at(30, 1), Some(at(10, 1)), "b");
    for order in [
        vec![older.clone(), delete.clone()],
        vec![delete.clone(), older.clone()],
    ] {
        assert!(merged(&order).0.accounts[&X].live().is_none());
    }
    for order in [
        vec![older.clone(), delete.clone(), newer.clone()],
        vec![newer.clone(), delete.clone(), older.clone()],
        vec![delete, newer, older],
    ] {
        let (s, _) = merged(&order);
        assert_eq!(s.accounts[&X].live().unwrap().account.name, "b");
    }
}

#[test]
fn concurrent_edits_keep_the_loser_and_say_so() {
    let origin = upsert(X, at(10, 1), None, "origin");
    let left = upsert(X, at(20, 1), Some(at(10, 1)), "left");
    let right = upsert(X, at(25, 2), Some(at(10, 1)), "right");
    for order in [
        vec![origin.clone(), left.clone(), right.clone()],
        vec![origin.clone(), right.clone(), left.clone()],
    ] {
        let (s, clashes) = merged(&order);
        let e = &s.accounts[&X];
        assert_eq!(e.live().unwrap().account.name, "right");
        assert_eq!(e.history.len(), 1);
        assert_eq!(e.history[0].account.name, "left");
        assert_eq!(clashes.len(), 1);
        assert_eq!(
            (clashes[0].kept.as_str(), clashes[0].lost.as_str()),
            ("Omnivox (right)", "Omnivox (left)")
        );
    }
    // An edit made from the latest version is not a conflict.
    let follow = upsert(X, at(30, 2), Some(at(20, 1)), "follow");
    let (s, clashes) = merged(&[origin, left, follow]);
    assert!(clashes.is_empty());
    assert!(s.accounts[&X].history.is_empty());
}

#[test]
fn the_same_account_added_twice_is_one_account_without_conflict() {
    let a = upsert(X, at(10, 1), None, "same");
    let b = upsert(X, at(11, 2), None, "same");
    let (s, clashes) = merged(&[a, b]);
    assert_eq!(s.accounts.len(), 1);
    assert!(clashes.is_empty());
}

#[test]
fn hotp_counters_merge_as_the_maximum() {
    let mut old = data("h", b"s", 5);
    old.counter = 5;
    let ops = [
        Op::Upsert {
            id: X,
            at: at(10, 1),
            base: None,
            account: Box::new(old),
        },
        Op::Counter { id: X, value: 9 },
        Op::Counter { id: X, value: 7 },
        // A later edit made from a stale copy does not take the counter back.
        Op::Upsert {
            id: X,
            at: at(20, 2),
            base: Some(at(10, 1)),
            account: Box::new(data("renamed", b"s", 6)),
        },
    ];
    let (s, _) = merged(&ops);
    assert_eq!(s.accounts[&X].counter(), 9);
    // A newer version with a lower counter (the same account added again elsewhere).
    let readded = [
        Op::Upsert {
            id: X,
            at: at(10, 1),
            base: None,
            account: Box::new(data("h", b"s", 4)),
        },
        Op::Upsert {
            id: X,
            at: at(20, 2),
            base: None,
            account: Box::new(data("h", b"s", 0)),
        },
    ];
    assert_eq!(merged(&readded).0.accounts[&X].counter(), 4);
    let mut reversed = ops.to_vec();
    reversed.reverse();
    assert_eq!(merged(&reversed).0.accounts[&X].counter(), 9);
}

#[test]
fn positions_are_last_writer_wins() {
    let p1 = Op::Position {
        id: X,
        at: at(10, 1),
        position: 3,
    };
    let p2 = Op::Position {
        id: X,
        at: at(20, 2),
        position: 0,
    };
    assert_eq!(
        merged(&[p1.clone(), p2.clone()]).0.accounts[&X]
            .position
            .unwrap()
            .1,
        0
    );
    assert_eq!(merged(&[p2, p1]).0.accounts[&X].position.unwrap().1, 0);
}

#[test]
fn a_clock_far_ahead_of_the_others_is_held_back() {
    let mut s = state();
    let day = MAX_AHEAD_MS;
    let now = 1_000 * day;
    // Another device was last seen at `now`; this one's wall clock says ten days later.
    s.observe(at(now, 1), now);
    let stamp = s.stamp(now + 10 * day);
    assert_eq!(stamp.wall, now + day);
    // A received clock ten days ahead does not drag this device's clock there.
    let mut t = state();
    t.observe(at(now + 10 * day, 1), now);
    assert_eq!(t.stamp(now).wall, now + day);
    // A device that has seen no other stamps its wall clock.
    assert_eq!(state().stamp(now).wall, now);
}

/// What a device shows of an account: its version, counter and position.
type Shown = (Id, Option<(Hlc, String)>, u64, Option<u32>);

fn shown(s: &State) -> Vec<Shown> {
    s.accounts
        .iter()
        .map(|(id, e)| {
            let live = e.live().map(|v| (v.at, v.account.name.clone()));
            (*id, live, e.counter(), e.position.map(|(_, p)| p))
        })
        .collect()
}

#[test]
fn absorbing_a_snapshot_is_merging_the_ops_it_was_made_from() {
    const Y: Id = Id([2; 16]);
    let mut counted = data("h", b"t", 3);
    counted.kind = 1;
    let ops = vec![
        upsert(X, at(10, 1), None, "a"),
        Op::Upsert {
            id: Y,
            at: at(11, 2),
            base: None,
            account: Box::new(counted),
        },
        Op::Position {
            id: X,
            at: at(12, 1),
            position: 4,
        },
        upsert(X, at(20, 2), Some(at(10, 1)), "b"),
        Op::Counter { id: Y, value: 9 },
        Op::Delete {
            id: Y,
            at: at(25, 1),
        },
        upsert(X, at(30, 1), Some(at(10, 1)), "concurrent"),
        Op::Position {
            id: X,
            at: at(31, 2),
            position: 1,
        },
    ];
    let (all, _) = merged(&ops);
    for split in 0..=ops.len() {
        let (before, after) = ops.split_at(split);
        let (snapshot, _) = merged(before);
        // A device that read only the later ops takes in the snapshot, before or after.
        let (mut late, _) = merged(after);
        late.absorb(snapshot.accounts.clone());
        assert_eq!(shown(&late), shown(&all), "split at {split}");
        let mut early = state();
        early.absorb(snapshot.accounts);
        let mut clashes = Vec::new();
        for op in after {
            early.apply(op.clone(), &mut clashes);
        }
        assert_eq!(shown(&early), shown(&all), "split at {split}");
    }
    // The concurrent edit's loser is kept in history either way.
    assert_eq!(all.accounts[&X].history.len(), 1);
}

#[test]
fn history_is_capped() {
    let mut ops = vec![upsert(X, at(1, 1), None, "0")];
    for i in 2..40u64 {
        ops.push(upsert(X, at(i, (i % 3) as u8 + 1), None, &i.to_string()));
    }
    let (s, _) = merged(&ops);
    assert_eq!(s.accounts[&X].history.len(), MAX_HISTORY);
}
