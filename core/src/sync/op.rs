//! The operations a device logs, and the account data they carry.

use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use super::hlc::Hlc;
use super::id::Id;
use crate::account::{Account, Extras};
use crate::otp::{Algorithm, Kind, OtpParams};
use crate::secret::Secret;
use crate::vault::Record;

/// An account as the sync carries it: everything the vault keeps except its local id, its
/// place in the list (a register of its own), and its created and last-used times (local).
/// The secret and the note are wiped on drop.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct AccountData {
    pub(super) issuer: Option<String>,
    pub(super) name: String,
    pub(super) secret: Vec<u8>,
    pub(super) kind: u8,
    pub(super) algorithm: u8,
    pub(super) digits: u8,
    pub(super) period: u32,
    pub(super) t0: u64,
    pub(super) counter: u64,
    pub(super) favourite: bool,
    pub(super) groups: Vec<String>,
    pub(super) note: String,
    pub(super) icon: Option<String>,
}

impl Drop for AccountData {
    fn drop(&mut self) {
        self.secret.zeroize();
        self.note.zeroize();
    }
}

impl std::fmt::Debug for AccountData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountData")
            .field("issuer", &self.issuer)
            .field("name", &self.name)
            .field("counter", &self.counter)
            .finish_non_exhaustive()
    }
}

pub(super) fn kind_code(kind: Kind) -> u8 {
    match kind {
        Kind::Totp => 0,
        Kind::Hotp => 1,
        Kind::Steam => 2,
    }
}

fn kind_of(code: u8) -> Option<Kind> {
    match code {
        0 => Some(Kind::Totp),
        1 => Some(Kind::Hotp),
        2 => Some(Kind::Steam),
        _ => None,
    }
}

fn algorithm_code(algorithm: Algorithm) -> u8 {
    match algorithm {
        Algorithm::Sha1 => 0,
        Algorithm::Sha256 => 1,
        Algorithm::Sha512 => 2,
    }
}

fn algorithm_of(code: u8) -> Option<Algorithm> {
    match code {
        0 => Some(Algorithm::Sha1),
        1 => Some(Algorithm::Sha256),
        2 => Some(Algorithm::Sha512),
        _ => None,
    }
}

impl AccountData {
    /// What the sync carries of a vault record.
    pub(super) fn of(record: &Record) -> Self {
        let a = &record.account;
        let p = &a.params;
        Self {
            issuer: a.issuer.clone(),
            name: a.name.clone(),
            secret: a.secret.expose().to_vec(),
            kind: kind_code(p.kind),
            algorithm: algorithm_code(p.algorithm),
            digits: p.digits,
            period: p.period,
            t0: p.t0,
            counter: p.counter,
            favourite: record.extras.favourite,
            groups: record.extras.groups.clone(),
            note: record.extras.note.clone(),
            icon: record.extras.icon.clone(),
        }
    }

    /// Whether two versions say the same thing, the HOTP counter aside (it merges apart).
    pub(super) fn same_content(&self, other: &Self) -> bool {
        self.issuer == other.issuer
            && self.name == other.name
            && crate::seal::same(&self.secret, &other.secret)
            && (self.kind, self.algorithm, self.digits, self.period, self.t0)
                == (
                    other.kind,
                    other.algorithm,
                    other.digits,
                    other.period,
                    other.t0,
                )
            && self.favourite == other.favourite
            && self.groups == other.groups
            && self.note == other.note
            && self.icon == other.icon
    }

    /// The account and extras, with the HOTP counter `counter`; `None` if the data names a
    /// kind or algorithm this version does not know.
    pub(super) fn to_account(&self, counter: u64) -> Option<(Account, Extras)> {
        let account = Account {
            issuer: self.issuer.clone(),
            name: self.name.clone(),
            secret: Secret::from_slice(&self.secret),
            params: OtpParams {
                kind: kind_of(self.kind)?,
                algorithm: algorithm_of(self.algorithm)?,
                digits: self.digits,
                period: self.period,
                counter,
                t0: self.t0,
            },
        };
        let extras = Extras {
            favourite: self.favourite,
            groups: self.groups.clone(),
            note: self.note.clone(),
            icon: self.icon.clone(),
        };
        Some((account, extras))
    }

    /// The label a list shows.
    pub(super) fn label(&self) -> String {
        crate::account::label(self.issuer.as_deref(), &self.name)
    }
}

/// One logged change.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub(super) enum Op {
    /// The whole account as it now is; `base` is the clock of the version it was edited from.
    Upsert {
        id: Id,
        at: Hlc,
        base: Option<Hlc>,
        account: Box<AccountData>,
    },
    /// The account was removed.
    Delete { id: Id, at: Hlc },
    /// The HOTP counter moved to `value` (merges as the maximum).
    Counter { id: Id, value: u64 },
    /// The account's place in the list.
    Position { id: Id, at: Hlc, position: u32 },
}

impl Op {
    /// The clock that orders it (a counter needs none).
    pub(super) fn at(&self) -> Option<Hlc> {
        match self {
            Op::Upsert { at, .. } | Op::Delete { at, .. } | Op::Position { at, .. } => Some(*at),
            Op::Counter { .. } => None,
        }
    }
}
