//! Authenticator Pro (Stratum) backups: the plain JSON export (`Authenticators`, `Categories`,
//! `AuthenticatorCategories`) and the app's private SQLite database (tables `authenticator`,
//! `category`, `authenticatorcategory`), which hold the same fields.
//!
//! `Type` is 1 HOTP, 2 TOTP, 3 mOTP, 4 Steam, 5 Yandex (Jeton takes 1, 2 and 4); `Algorithm` is
//! 0 SHA-1, 1 SHA-256, 2 SHA-512; `Counter` is the next counter value.
//!
//! Encrypted backups hold the same JSON. The current ones start with `AUTHENTICATORPRO`, then a
//! 16-byte salt and a 12-byte IV; the key is Argon2id of the password (64 MiB, 3 passes, 4 lanes,
//! fixed by the format, not read from the file) and the rest is AES-256-GCM with its tag. Legacy
//! ones start with `AuthenticatorPro`, then a 20-byte salt and a 16-byte IV; the key is
//! PBKDF2-HMAC-SHA1 over 64,000 iterations and the rest is AES-256-CBC with PKCS#7 padding.

use rusqlite::Connection;
use serde::Deserialize;
use zeroize::{Zeroize, Zeroizing};

use super::{Entry, Format, ImportError, Read, fields, label, secret_from_base32, sqlite};
use crate::otp::{Algorithm, Kind};
use crate::seal::{KdfParams, foreign};

const FORMAT: Format = Format::AuthenticatorPro;

/// How current encrypted backups start.
const MAGIC: &[u8] = b"AUTHENTICATORPRO";
/// How legacy encrypted backups start.
const LEGACY_MAGIC: &[u8] = b"AuthenticatorPro";
/// The Argon2id costs of current backups (2^16 KiB, 3 passes, 4 lanes).
const ARGON2: KdfParams = KdfParams {
    memory_kib: 1 << 16,
    iterations: 3,
    parallelism: 4,
};
const SALT_LEN: usize = 16;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// PBKDF2-HMAC-SHA1 iterations of legacy backups.
const LEGACY_ITERATIONS: u32 = 64_000;
const LEGACY_SALT_LEN: usize = 20;
const BLOCK_LEN: usize = 16;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct File {
    authenticators: Vec<Raw>,
    #[serde(default)]
    categories: Vec<Category>,
    #[serde(default)]
    authenticator_categories: Vec<Link>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Raw {
    #[serde(rename = "Type")]
    kind: i64,
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    username: Option<String>,
    secret: String,
    #[serde(default)]
    algorithm: i64,
    #[serde(default)]
    digits: Option<i64>,
    #[serde(default)]
    period: Option<i64>,
    #[serde(default)]
    counter: i64,
}

impl Drop for Raw {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Category {
    id: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Link {
    category_id: String,
    authenticator_secret: String,
}

impl Drop for Link {
    fn drop(&mut self) {
        self.authenticator_secret.zeroize();
    }
}

/// Whether the bytes are an encrypted Authenticator Pro backup.
pub fn is_encrypted(data: &[u8]) -> bool {
    data.starts_with(MAGIC) || data.starts_with(LEGACY_MAGIC)
}

/// Reads an Authenticator Pro backup (plain or encrypted; `password` opens an encrypted one) or
/// its private database.
pub fn read(data: &[u8], password: Option<&str>) -> Result<Read, ImportError> {
    let file = if is_encrypted(data) {
        let password = password.ok_or(ImportError::PasswordRequired(FORMAT))?;
        let plain = decrypt(data, password)?;
        // CBC has no tag: a wrong password can leave valid padding around garbage, which is
        // told from a damaged backup only by not being JSON.
        serde_json::from_slice(&plain).map_err(|e| {
            if data.starts_with(LEGACY_MAGIC) {
                ImportError::WrongPassword(FORMAT)
            } else {
                ImportError::malformed(FORMAT, format!("decrypted backup: {e}"))
            }
        })?
    } else if sqlite::is_sqlite(data) {
        from_database(&sqlite::open(data, FORMAT)?)?
    } else {
        serde_json::from_slice(data).map_err(|e| ImportError::malformed(FORMAT, e))?
    };
    Ok(fields::sort_out(
        file.authenticators.iter().enumerate().map(|(index, raw)| {
            let shown = || {
                label(
                    raw.issuer.as_deref(),
                    raw.username.as_deref().unwrap_or_default(),
                )
            };
            (index + 1, to_entry(raw, &file).map_err(|r| (shown(), r)))
        }),
    ))
}

fn decrypt(data: &[u8], password: &str) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let too_short = |min: usize| {
        ImportError::malformed(
            FORMAT,
            format!(
                "the encrypted backup has {} bytes, fewer than its header and one block ({min})",
                data.len()
            ),
        )
    };
    if let Some(rest) = data.strip_prefix(MAGIC) {
        let min = MAGIC.len() + SALT_LEN + NONCE_LEN + TAG_LEN;
        if data.len() < min {
            return Err(too_short(min));
        }
        let (salt, rest) = rest.split_at(SALT_LEN);
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let key = ARGON2
            .derive(password, salt)
            .map_err(|e| ImportError::unsupported(FORMAT, e))?;
        return foreign::open_aes256_gcm(&key, nonce, sealed)
            .map_err(|_| ImportError::WrongPassword(FORMAT));
    }
    let rest = data.strip_prefix(LEGACY_MAGIC).unwrap_or_default();
    let min = LEGACY_MAGIC.len() + LEGACY_SALT_LEN + 2 * BLOCK_LEN;
    if data.len() < min {
        return Err(too_short(min));
    }
    let (salt, rest) = rest.split_at(LEGACY_SALT_LEN);
    let (iv, sealed) = rest.split_at(BLOCK_LEN);
    if sealed.len() % BLOCK_LEN != 0 {
        return Err(ImportError::malformed(
            FORMAT,
            format!(
                "the ciphertext has {} bytes, not a whole number of AES blocks",
                sealed.len()
            ),
        ));
    }
    let key = foreign::pbkdf2_sha1(password, salt, LEGACY_ITERATIONS);
    foreign::open_aes256_cbc(&key, iv, sealed).map_err(|_| ImportError::WrongPassword(FORMAT))
}

fn to_entry(raw: &Raw, file: &File) -> Result<Entry, String> {
    let kind = match raw.kind {
        1 => Kind::Hotp,
        2 => Kind::Totp,
        4 => Kind::Steam,
        3 => return Err("mOTP accounts are not supported".into()),
        5 => return Err("Yandex accounts are not supported".into()),
        other => return Err(format!("Authenticator Pro type {other} is not known")),
    };
    let algorithm = match raw.algorithm {
        0 => Algorithm::Sha1,
        1 => Algorithm::Sha256,
        2 => Algorithm::Sha512,
        other => return Err(format!("Authenticator Pro algorithm {other} is not known")),
    };
    let counter = u64::try_from(raw.counter)
        .map_err(|_| format!("the counter {} is negative", raw.counter))?;
    let params = fields::params(kind, algorithm, raw.digits, raw.period, counter)?;
    let secret = secret_from_base32(&raw.secret)?;
    let mut entry = fields::entry(
        super::non_empty(raw.issuer.as_deref()),
        raw.username
            .as_deref()
            .unwrap_or_default()
            .trim()
            .to_owned(),
        secret,
        params,
    )?;
    entry.groups = file
        .authenticator_categories
        .iter()
        .filter(|link| link.authenticator_secret == raw.secret)
        .filter_map(|link| file.categories.iter().find(|c| c.id == link.category_id))
        .map(|c| c.name.clone())
        .collect();
    Ok(entry)
}

fn from_database(db: &Connection) -> Result<File, ImportError> {
    let error = sqlite::row_error(FORMAT);
    sqlite::require_table(db, "authenticator", FORMAT)?;
    let mut statement = db
        .prepare(
            "SELECT type, issuer, username, secret, algorithm, digits, period, counter \
             FROM authenticator ORDER BY ranking, rowid",
        )
        .map_err(&error)?;
    let authenticators = statement
        .query_map([], |row| {
            Ok(Raw {
                kind: row.get(0)?,
                issuer: row.get(1)?,
                username: row.get(2)?,
                secret: row.get(3)?,
                algorithm: row.get::<_, Option<i64>>(4)?.unwrap_or(0),
                digits: row.get(5)?,
                period: row.get(6)?,
                counter: row.get::<_, Option<i64>>(7)?.unwrap_or(0),
            })
        })
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(&error)?;
    let mut categories = Vec::new();
    let mut links = Vec::new();
    if sqlite::has_table(db, "category") && sqlite::has_table(db, "authenticatorcategory") {
        categories = db
            .prepare("SELECT id, name FROM category ORDER BY ranking, rowid")
            .and_then(|mut s| {
                s.query_map([], |row| {
                    Ok(Category {
                        id: row.get(0)?,
                        name: row.get(1)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()
            })
            .map_err(&error)?;
        links = db
            .prepare(
                "SELECT categoryId, authenticatorSecret FROM authenticatorcategory \
                 ORDER BY ranking, rowid",
            )
            .and_then(|mut s| {
                s.query_map([], |row| {
                    Ok(Link {
                        category_id: row.get(0)?,
                        authenticator_secret: row.get(1)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()
            })
            .map_err(&error)?;
    }
    Ok(File {
        authenticators,
        categories,
        authenticator_categories: links,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_refusals_and_encrypted_files() {
        let file = br#"{"Authenticators":[
            {"Type":2,"Issuer":"Omnivox","Username":"2412345","Secret":"JBSWY3DPEHPK3PXP","Algorithm":0,"Digits":6,"Period":30,"Counter":0},
            {"Type":3,"Issuer":"M","Username":"m","Secret":"JBSWY3DPEHPK3PXP","Pin":"1234"},
            {"Type":2,"Issuer":"B","Username":"b","Secret":"JBSWY3DPEHPK3PXP","Algorithm":7}
        ],"Categories":[{"Id":"c1","Name":"School","Ranking":0}],
        "AuthenticatorCategories":[{"CategoryId":"c1","AuthenticatorSecret":"JBSWY3DPEHPK3PXP","Ranking":0}]}"#;
        let (entries, refused) = read(file, None).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].groups, vec!["School".to_owned()]);
        assert_eq!(refused.len(), 2);
        assert!(refused[0].reason.contains("mOTP"));
        assert_eq!(refused[1].label, "B (b)");
        assert_eq!(
            read(b"AUTHENTICATORPRO\x00\x01", None),
            Err(ImportError::PasswordRequired(FORMAT))
        );
        for cut in [&b"AUTHENTICATORPRO\x00\x01"[..], b"AuthenticatorPro\x00"] {
            assert!(matches!(
                read(cut, Some("pw")),
                Err(ImportError::Malformed { .. })
            ));
        }
        let mut legacy = b"AuthenticatorPro".to_vec();
        legacy.resize(LEGACY_MAGIC.len() + LEGACY_SALT_LEN + 2 * BLOCK_LEN + 1, 0);
        assert!(matches!(
            read(&legacy, Some("pw")),
            Err(ImportError::Malformed { detail, .. }) if detail.contains("AES blocks")
        ));
    }
}
