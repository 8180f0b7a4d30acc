//! Microsoft Authenticator's private database (`PhoneFactor`, table `accounts`): `name` (the
//! issuer), `username`, `oath_secret_key` and `account_type`. Type 0 is a third-party TOTP
//! account with a base32 secret (SHA-1, 6 digits, 30 s: the app keeps no other parameters);
//! type 1, a personal Microsoft account, has a base64 secret and 8-digit codes. Work accounts
//! (type 2, Entra ID push) have no secret to move and are refused by name.

use data_encoding::BASE64;

use super::{Format, ImportError, Read, Refusal, fields, non_empty, secret_from_base32, sqlite};
use crate::Secret;
use crate::otp::{Algorithm, Kind};

const FORMAT: Format = Format::MicrosoftDb;

/// Reads Microsoft Authenticator's database.
pub fn read(data: &[u8]) -> Result<Read, ImportError> {
    let db = sqlite::open(data, FORMAT)?;
    sqlite::require_table(&db, "accounts", FORMAT)?;
    let error = sqlite::row_error(FORMAT);
    let mut statement = db
        .prepare(
            "SELECT name, username, oath_secret_key, account_type FROM accounts \
             ORDER BY ux_position, _id",
        )
        .map_err(&error)?;
    let rows = statement
        .query_map([], |row| {
            Ok((
                row.get::<_, Option<String>>(0)?,
                row.get::<_, Option<String>>(1)?,
                zeroize::Zeroizing::new(row.get::<_, Option<String>>(2)?.unwrap_or_default()),
                row.get::<_, Option<i64>>(3)?,
            ))
        })
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(&error)?;
    let mut entries = Vec::new();
    let mut refused = Vec::new();
    for (index, (issuer, name, secret, kind)) in rows.iter().enumerate() {
        let issuer = non_empty(issuer.as_deref());
        let name = name.as_deref().unwrap_or_default().trim().to_owned();
        let result = match kind.unwrap_or(0) {
            0 => secret_from_base32(secret).and_then(|secret| {
                let params = fields::params(Kind::Totp, Algorithm::Sha1, None, None, 0)?;
                fields::entry(issuer.clone(), name.clone(), secret, params)
            }),
            1 => BASE64
                .decode(secret.trim().as_bytes())
                .map_err(|_| "the secret is not valid base64".to_owned())
                .and_then(|bytes| {
                    let params = fields::params(Kind::Totp, Algorithm::Sha1, Some(8), None, 0)?;
                    fields::entry(issuer.clone(), name.clone(), Secret::new(bytes), params)
                }),
            other => Err(format!(
                "Microsoft Authenticator account type {other} (work or school sign-in) has no code secret to move"
            )),
        };
        match result {
            Ok(entry) => entries.push(entry),
            Err(reason) => refused.push(Refusal::at(index, issuer.as_deref(), &name, reason)),
        }
    }
    Ok((entries, refused))
}
