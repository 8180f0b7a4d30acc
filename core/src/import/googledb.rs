//! Google Authenticator's private database (`databases`, table `accounts`): `email` (the label,
//! often `Issuer:name`), `issuer`, `secret` (base32), `type` (0 TOTP, 1 HOTP) and `counter`.
//! The database keeps no algorithm, digits nor period: its codes are SHA-1, 6 digits, 30 s.

use super::{Format, ImportError, Read, Refusal, fields, secret_from_base32, sqlite};
use crate::otp::{Algorithm, Kind};

const FORMAT: Format = Format::GoogleDb;

/// Reads Google Authenticator's database.
pub fn read(data: &[u8]) -> Result<Read, ImportError> {
    let db = sqlite::open(data, FORMAT)?;
    sqlite::require_table(&db, "accounts", FORMAT)?;
    let error = sqlite::row_error(FORMAT);
    let mut statement = db
        .prepare("SELECT email, issuer, secret, type, counter FROM accounts ORDER BY _id")
        .map_err(&error)?;
    let rows = statement
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, Option<String>>(1)?,
                zeroize::Zeroizing::new(row.get::<_, String>(2)?),
                row.get::<_, Option<i64>>(3)?,
                row.get::<_, Option<i64>>(4)?,
            ))
        })
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(&error)?;
    let mut entries = Vec::new();
    let mut refused = Vec::new();
    for (index, (email, issuer, secret, kind, counter)) in rows.iter().enumerate() {
        let (issuer, name) = fields::split_name(email, issuer.as_deref());
        let result = match kind.unwrap_or(0) {
            0 => Ok(Kind::Totp),
            1 => Ok(Kind::Hotp),
            other => Err(format!("Google Authenticator type {other} is not known")),
        }
        .and_then(|kind| {
            let counter = u64::try_from(counter.unwrap_or(0))
                .map_err(|_| "the counter is negative".to_owned())?;
            let params = fields::params(kind, Algorithm::Sha1, None, None, counter)?;
            fields::entry(
                issuer.clone(),
                name.clone(),
                secret_from_base32(secret)?,
                params,
            )
        });
        match result {
            Ok(entry) => entries.push(entry),
            Err(reason) => refused.push(Refusal::at(index, issuer.as_deref(), &name, reason)),
        }
    }
    Ok((entries, refused))
}
