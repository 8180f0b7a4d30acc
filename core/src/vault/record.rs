//! What the vault keeps about an account, and how each part is sealed as its own field.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;
use zeroize::Zeroizing;

use super::wire::{Malformed, Reader, Writer};
pub use crate::account::Extras;
use crate::otp::{Algorithm, Kind, OtpParams};
use crate::{Account, Secret};

/// An account's permanent id in the vault (a random UUID).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(Uuid);

impl AccountId {
    /// A fresh random id.
    pub fn random() -> Self {
        Self(Uuid::new_v4())
    }

    /// The id's 16 bytes.
    pub fn as_bytes(&self) -> &[u8; 16] {
        self.0.as_bytes()
    }

    /// An id from 16 bytes.
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(Uuid::from_bytes(bytes))
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), f)
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountId({self})")
    }
}

impl FromStr for AccountId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

/// An account as the vault keeps it, secret included. `Debug` never shows the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Permanent id.
    pub id: AccountId,
    /// Issuer, name, secret and code parameters.
    pub account: Account,
    /// Place in the user's order (0 first).
    pub position: u32,
    /// Favourite, groups, note, icon hint.
    pub extras: Extras,
    /// When it was added, in Unix seconds.
    pub created_at: u64,
    /// When a code was last taken, in Unix seconds.
    pub last_used_at: Option<u64>,
}

/// An account as a list shows it: everything but the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Permanent id.
    pub id: AccountId,
    /// The service.
    pub issuer: Option<String>,
    /// The user's name at the service.
    pub name: String,
    /// TOTP, HOTP or Steam.
    pub kind: Kind,
    /// Hash under the HMAC.
    pub algorithm: Algorithm,
    /// Code length.
    pub digits: u8,
    /// TOTP step in seconds.
    pub period: u32,
    /// HOTP: the counter of the next code.
    pub counter: u64,
    /// Place in the user's order.
    pub position: u32,
    /// Favourite, groups, note, icon hint.
    pub extras: Extras,
    /// When it was added (Unix seconds).
    pub created_at: u64,
    /// When a code was last taken (Unix seconds).
    pub last_used_at: Option<u64>,
}

impl Entry {
    /// The label a list shows: `Issuer (name)`, or the name alone.
    pub fn label(&self) -> String {
        crate::account::label(self.issuer.as_deref(), &self.name)
    }
}

impl From<&Record> for Entry {
    fn from(r: &Record) -> Self {
        let p = &r.account.params;
        Self {
            id: r.id,
            issuer: r.account.issuer.clone(),
            name: r.account.name.clone(),
            kind: p.kind,
            algorithm: p.algorithm,
            digits: p.digits,
            period: p.period,
            counter: p.counter,
            position: r.position,
            extras: r.extras.clone(),
            created_at: r.created_at,
            last_used_at: r.last_used_at,
        }
    }
}

/// The separately sealed parts of an account record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// Secret and code parameters (kind, algorithm, digits, period, counter).
    Otp,
    /// Issuer.
    Issuer,
    /// Account name.
    Name,
    /// Note.
    Note,
    /// Groups.
    Groups,
    /// Icon hint.
    Icon,
    /// Position, favourite, created and last-used times.
    Details,
}

impl Field {
    /// Every field, in column order.
    pub const ALL: [Field; 7] = [
        Field::Otp,
        Field::Issuer,
        Field::Name,
        Field::Note,
        Field::Groups,
        Field::Icon,
        Field::Details,
    ];

    /// The column that stores it.
    pub fn column(self) -> &'static str {
        match self {
            Field::Otp => "otp",
            Field::Issuer => "issuer",
            Field::Name => "name",
            Field::Note => "note",
            Field::Groups => "groups",
            Field::Icon => "icon",
            Field::Details => "details",
        }
    }

    pub(crate) fn tag(self) -> u8 {
        match self {
            Field::Otp => 1,
            Field::Issuer => 2,
            Field::Name => 3,
            Field::Note => 4,
            Field::Groups => 5,
            Field::Icon => 6,
            Field::Details => 7,
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::Otp => "secret and code settings",
            Field::Issuer => "issuer",
            Field::Name => "account name",
            Field::Note => "note",
            Field::Groups => "groups",
            Field::Icon => "icon hint",
            Field::Details => "position, favourite and times",
        })
    }
}

fn kind_code(kind: Kind) -> u8 {
    match kind {
        Kind::Totp => 0,
        Kind::Hotp => 1,
        Kind::Steam => 2,
    }
}

fn algorithm_code(algorithm: Algorithm) -> u8 {
    match algorithm {
        Algorithm::Sha1 => 0,
        Algorithm::Sha256 => 1,
        Algorithm::Sha512 => 2,
    }
}

fn optional(w: &mut Writer, value: Option<&str>) {
    match value {
        Some(v) => w.u8(1).raw(v.as_bytes()),
        None => w.u8(0),
    };
}

/// The plaintext of one field (zeroized when dropped).
pub fn encode_field(record: &Record, field: Field) -> Zeroizing<Vec<u8>> {
    // Sized up front so that no reallocation leaves a copy of the secret behind.
    let mut w = Writer(Vec::with_capacity(32 + record.account.secret.len()));
    let a = &record.account;
    match field {
        Field::Otp => {
            let p = &a.params;
            w.u8(kind_code(p.kind))
                .u8(algorithm_code(p.algorithm))
                .u8(p.digits)
                .u32(p.period)
                .u64(p.counter)
                .u64(p.t0)
                .raw(a.secret.expose());
        }
        Field::Issuer => optional(&mut w, a.issuer.as_deref()),
        Field::Name => {
            w.raw(a.name.as_bytes());
        }
        Field::Note => {
            w.raw(record.extras.note.as_bytes());
        }
        Field::Groups => {
            w.u32(u32::try_from(record.extras.groups.len()).unwrap_or(u32::MAX));
            for g in &record.extras.groups {
                w.bytes(g.as_bytes());
            }
        }
        Field::Icon => optional(&mut w, record.extras.icon.as_deref()),
        Field::Details => {
            w.u32(record.position)
                .u8(u8::from(record.extras.favourite))
                .u64(record.created_at);
            match record.last_used_at {
                Some(t) => w.u8(1).u64(t),
                None => w.u8(0),
            };
        }
    }
    Zeroizing::new(w.0)
}

fn utf8(bytes: &[u8]) -> Result<String, Malformed> {
    String::from_utf8(bytes.to_vec()).map_err(|_| Malformed)
}

fn read_optional(r: &mut Reader<'_>) -> Result<Option<String>, Malformed> {
    match r.u8()? {
        0 => Ok(None),
        1 => utf8(r.rest()).map(Some),
        _ => Err(Malformed),
    }
}

/// Fills `record`'s part from the plaintext of `field`.
pub fn decode_field(record: &mut Record, field: Field, plain: &[u8]) -> Result<(), Malformed> {
    let mut r = Reader::new(plain);
    match field {
        Field::Otp => {
            let kind = match r.u8()? {
                0 => Kind::Totp,
                1 => Kind::Hotp,
                2 => Kind::Steam,
                _ => return Err(Malformed),
            };
            let algorithm = match r.u8()? {
                0 => Algorithm::Sha1,
                1 => Algorithm::Sha256,
                2 => Algorithm::Sha512,
                _ => return Err(Malformed),
            };
            record.account.params = OtpParams {
                kind,
                algorithm,
                digits: r.u8()?,
                period: r.u32()?,
                counter: r.u64()?,
                t0: r.u64()?,
            };
            record.account.secret = Secret::from_slice(r.rest());
        }
        Field::Issuer => record.account.issuer = read_optional(&mut r)?,
        Field::Name => record.account.name = utf8(r.rest())?,
        Field::Note => record.extras.note = utf8(r.rest())?,
        Field::Groups => {
            let count = r.u32()?;
            let mut groups = Vec::new();
            for _ in 0..count {
                groups.push(r.string()?);
            }
            record.extras.groups = groups;
        }
        Field::Icon => record.extras.icon = read_optional(&mut r)?,
        Field::Details => {
            record.position = r.u32()?;
            record.extras.favourite = match r.u8()? {
                0 => false,
                1 => true,
                _ => return Err(Malformed),
            };
            record.created_at = r.u64()?;
            record.last_used_at = match r.u8()? {
                0 => None,
                1 => Some(r.u64()?),
                _ => return Err(Malformed),
            };
        }
    }
    r.finish()
}

impl Record {
    /// An empty record to decode fields into.
    pub(crate) fn blank(id: AccountId) -> Self {
        Self {
            id,
            account: Account {
                issuer: None,
                name: String::new(),
                secret: Secret::new(Vec::new()),
                params: OtpParams::totp(),
            },
            position: 0,
            extras: Extras::default(),
            created_at: 0,
            last_used_at: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_round_trips() {
        let record = Record {
            id: AccountId::random(),
            account: Account {
                issuer: Some("Cégep".into()),
                name: "2412345".into(),
                secret: Secret::from_slice(b"12345678901234567890"),
                params: OtpParams {
                    digits: 8,
                    algorithm: Algorithm::Sha512,
                    ..OtpParams::hotp(42)
                },
            },
            position: 7,
            extras: Extras {
                favourite: true,
                groups: vec!["École".into(), String::new(), "Work".into()],
                note: "backup codes on paper".into(),
                icon: Some("omnivox.com".into()),
            },
            created_at: 1_700_000_000,
            last_used_at: Some(1_700_000_100),
        };
        let mut back = Record::blank(record.id);
        for field in Field::ALL {
            decode_field(&mut back, field, &encode_field(&record, field)).unwrap();
        }
        assert_eq!(back, record);
    }

    #[test]
    fn account_id_text_round_trip() {
        let id = AccountId::random();
        assert_eq!(id.to_string().parse::<AccountId>().unwrap(), id);
    }
}
