//! Aegis Authenticator vault exports (JSON), plain and encrypted.
//!
//! An encrypted vault keeps its entries in `db`, a base64 AES-256-GCM ciphertext whose nonce and
//! tag are in `header.params`. The key (the master key) is itself sealed in one or more `slots`;
//! a password slot (type 1) derives its key with scrypt (`n`, `r`, `p`, `salt`) and unwraps the
//! master key with AES-256-GCM (`key_params`). Entries are TOTP, HOTP or Steam (Yandex and mOTP
//! are refused by name); groups are a name (`group`, db version 2) or a list of group UUIDs named
//! in `db.groups` (version 3).

use data_encoding::{BASE64, HEXLOWER_PERMISSIVE};
use serde::Deserialize;
use serde_json::value::RawValue;
use zeroize::{Zeroize, Zeroizing};

use super::{Entry, Format, ImportError, Read, label, non_empty, secret_from_base32};
use crate::Account;
use crate::otp::{Algorithm, OtpParams};
use crate::seal::{Key, foreign};

const FORMAT: Format = Format::Aegis;
/// The newest database version this reader knows.
pub const MAX_DB_VERSION: u64 = 3;
/// Most memory scrypt may use for one slot, 128·r·N bytes (Aegis writes N = 2^15, r = 8: 32 MiB).
/// `scrypt` allocates it infallibly, so a crafted file must not be able to ask for gigabytes.
pub const MAX_SCRYPT_MEMORY: u64 = 256 * 1024 * 1024;
/// Most scrypt passes (`p`) accepted from a file (Aegis writes 1).
pub const MAX_SCRYPT_PARALLELISM: u32 = 4;
/// Most password slots tried (Aegis writes one): each costs a full scrypt run.
pub const MAX_PASSWORD_SLOTS: usize = 2;

/// Entries are kept as raw JSON text borrowed from the input (which, for an encrypted vault, is
/// the zeroized plaintext) instead of `serde_json::Value` trees that would copy every secret.
#[derive(Deserialize)]
struct File<'a> {
    version: u64,
    header: Header,
    #[serde(borrow)]
    db: &'a RawValue,
}

#[derive(Deserialize)]
struct Header {
    slots: Option<Vec<Slot>>,
    params: Option<KeyParams>,
}

#[derive(Deserialize)]
struct Slot {
    #[serde(rename = "type")]
    kind: u8,
    key: String,
    key_params: KeyParams,
    n: Option<u64>,
    r: Option<u32>,
    p: Option<u32>,
    salt: Option<String>,
}

#[derive(Deserialize)]
struct KeyParams {
    nonce: String,
    tag: String,
}

#[derive(Deserialize)]
struct Db<'a> {
    version: u64,
    #[serde(borrow)]
    entries: Vec<&'a RawValue>,
    #[serde(default)]
    groups: Vec<Group>,
}

#[derive(Deserialize)]
struct Group {
    uuid: String,
    name: String,
}

#[derive(Deserialize)]
struct RawEntry {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    favorite: bool,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    groups: Vec<String>,
    info: Info,
}

#[derive(Deserialize)]
struct Info {
    secret: String,
    #[serde(default)]
    algo: Option<String>,
    #[serde(default)]
    digits: Option<u32>,
    #[serde(default)]
    period: Option<u32>,
    #[serde(default)]
    counter: Option<u64>,
}

impl Drop for Info {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

/// Just the label of an entry, to name it when the rest is unreadable.
#[derive(Deserialize)]
struct LabelOnly {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    issuer: Option<String>,
}

fn parse_file(data: &[u8]) -> Result<File<'_>, ImportError> {
    serde_json::from_slice(data).map_err(|e| ImportError::malformed(FORMAT, e))
}

/// Whether the file is an encrypted Aegis vault (false when it is not an Aegis file at all).
pub fn is_encrypted(data: &[u8]) -> bool {
    parse_file(data).is_ok_and(|f| f.db.get().starts_with('"'))
}

/// Reads an Aegis vault; `password` is needed when it is encrypted.
pub fn read(data: &[u8], password: Option<&str>) -> Result<Read, ImportError> {
    let file = parse_file(data)?;
    if file.version != 1 {
        return Err(ImportError::unsupported(
            FORMAT,
            format!("file version {} (Jeton reads version 1)", file.version),
        ));
    }
    let plain: Zeroizing<Vec<u8>>;
    let db: Db<'_> = if file.db.get().starts_with('"') {
        let ciphertext: String = serde_json::from_str(file.db.get())
            .map_err(|e| ImportError::malformed(FORMAT, format!("db: {e}")))?;
        let password = password.ok_or(ImportError::PasswordRequired(FORMAT))?;
        plain = decrypt_db(&file.header, &ciphertext, password)?;
        serde_json::from_slice(&plain)
            .map_err(|e| ImportError::malformed(FORMAT, format!("decrypted db: {e}")))?
    } else {
        serde_json::from_str(file.db.get())
            .map_err(|e| ImportError::malformed(FORMAT, format!("db: {e}")))?
    };
    if db.version == 0 || db.version > MAX_DB_VERSION {
        return Err(ImportError::unsupported(
            FORMAT,
            format!(
                "database version {} (Jeton reads 1 to {MAX_DB_VERSION}); export again from an Aegis release Jeton knows",
                db.version
            ),
        ));
    }
    Ok(super::fields::sort_out(db.entries.iter().enumerate().map(
        |(index, value)| (index + 1, to_entry(value, &db.groups)),
    )))
}

fn to_entry(value: &RawValue, groups: &[Group]) -> Result<Entry, (String, String)> {
    let guess_label = || {
        let found: Option<LabelOnly> = serde_json::from_str(value.get()).ok();
        let found = found.unwrap_or(LabelOnly {
            name: None,
            issuer: None,
        });
        label(
            found.issuer.as_deref(),
            found.name.as_deref().unwrap_or_default(),
        )
    };
    let raw: RawEntry = serde_json::from_str(value.get())
        .map_err(|e| (guess_label(), format!("the entry is malformed: {e}")))?;
    let issuer = non_empty(raw.issuer.as_deref());
    let name = raw.name.unwrap_or_default();
    let shown = label(issuer.as_deref(), &name);
    let refuse = |reason: String| (shown.clone(), reason);
    let secret = secret_from_base32(&raw.info.secret).map_err(refuse)?;
    let algorithm = match raw
        .info
        .algo
        .as_deref()
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        None | Some("SHA1") => Algorithm::Sha1,
        Some("SHA256") => Algorithm::Sha256,
        Some("SHA512") => Algorithm::Sha512,
        Some(other) => {
            return Err(refuse(format!(
                "algorithm {other} is not supported (SHA1, SHA256, SHA512)"
            )));
        }
    };
    let mut params = match raw.kind.as_str() {
        "totp" => OtpParams::totp(),
        "hotp" => OtpParams::hotp(raw.info.counter.unwrap_or(0)),
        "steam" => OtpParams::steam(),
        other => {
            return Err(refuse(format!(
                "Aegis entry type {other:?} is not supported (totp, hotp, steam)"
            )));
        }
    };
    params.algorithm = algorithm;
    if raw.kind != "steam"
        && let Some(digits) = raw.info.digits
    {
        params.digits = u8::try_from(digits).unwrap_or(u8::MAX);
    }
    if raw.kind != "hotp"
        && let Some(period) = raw.info.period
    {
        params.period = period;
    }
    params.validate().map_err(|e| refuse(e.to_string()))?;
    let group_names = if raw.groups.is_empty() {
        raw.group.into_iter().filter(|g| !g.is_empty()).collect()
    } else {
        raw.groups
            .iter()
            .map(|id| {
                groups
                    .iter()
                    .find(|g| g.uuid.eq_ignore_ascii_case(id))
                    .map(|g| g.name.clone())
                    .ok_or_else(|| {
                        refuse(format!(
                            "it refers to group {id}, which the file does not define"
                        ))
                    })
            })
            .collect::<Result<Vec<_>, _>>()?
    };
    let entry = Entry {
        account: Account {
            issuer,
            name,
            secret,
            params,
        },
        groups: group_names,
        note: non_empty(raw.note.as_deref()),
        favourite: raw.favorite,
    };
    // `fields::sort_out` checks it with `fields::admit`, like every reader's entries.
    Ok(entry)
}

fn hex(field: &str, text: &str) -> Result<Vec<u8>, ImportError> {
    HEXLOWER_PERMISSIVE
        .decode(text.as_bytes())
        .map_err(|_| ImportError::malformed(FORMAT, format!("{field} is not hexadecimal")))
}

/// AES-256-GCM open of `ciphertext ‖ tag` with a 12-byte nonce; `None` when the tag fails.
fn open_gcm(key: &Key, nonce: &[u8], ciphertext: &[u8], tag: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if tag.len() != 16 {
        return None;
    }
    let mut sealed = Vec::with_capacity(ciphertext.len() + tag.len());
    sealed.extend_from_slice(ciphertext);
    sealed.extend_from_slice(tag);
    foreign::open_aes256_gcm(key, nonce, &sealed).ok()
}

fn decrypt_db(
    header: &Header,
    db: &str,
    password: &str,
) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let params = header
        .params
        .as_ref()
        .ok_or_else(|| ImportError::malformed(FORMAT, "the encrypted db has no header.params"))?;
    let slots = header
        .slots
        .as_ref()
        .ok_or_else(|| ImportError::malformed(FORMAT, "the encrypted db has no header.slots"))?;
    let password_slots: Vec<&Slot> = slots.iter().filter(|s| s.kind == 1).collect();
    if password_slots.is_empty() {
        return Err(ImportError::unsupported(
            FORMAT,
            "the vault has no password slot (only biometric or raw keys): export it with a password",
        ));
    }
    if password_slots.len() > MAX_PASSWORD_SLOTS {
        return Err(ImportError::unsupported(
            FORMAT,
            format!(
                "the vault has {} password slots; Jeton tries at most {MAX_PASSWORD_SLOTS}",
                password_slots.len()
            ),
        ));
    }
    let mut master = None;
    for slot in password_slots {
        if let Some(key) = unwrap_password_slot(slot, password)? {
            master = Some(key);
            break;
        }
    }
    let master = master.ok_or(ImportError::WrongPassword(FORMAT))?;
    let master = Key::from_slice(&master)
        .ok_or_else(|| ImportError::malformed(FORMAT, "the master key is not 32 bytes"))?;
    let nonce = hex("header.params.nonce", &params.nonce)?;
    let tag = hex("header.params.tag", &params.tag)?;
    let ciphertext = BASE64
        .decode(db.trim().as_bytes())
        .map_err(|_| ImportError::malformed(FORMAT, "db is not valid base64 (truncated?)"))?;
    // The master key opened a slot, so a failure here is damage, not a wrong password.
    open_gcm(&master, &nonce, &ciphertext, &tag).ok_or_else(|| {
        ImportError::malformed(
            FORMAT,
            "the encrypted db does not authenticate (altered or truncated)",
        )
    })
}

fn unwrap_password_slot(
    slot: &Slot,
    password: &str,
) -> Result<Option<Zeroizing<Vec<u8>>>, ImportError> {
    let (Some(n), Some(r), Some(p), Some(salt)) = (slot.n, slot.r, slot.p, slot.salt.as_deref())
    else {
        return Err(ImportError::malformed(
            FORMAT,
            "a password slot lacks n, r, p or salt",
        ));
    };
    let log_n = if n.is_power_of_two() && n > 1 {
        u8::try_from(n.trailing_zeros()).unwrap_or(u8::MAX)
    } else {
        return Err(ImportError::malformed(
            FORMAT,
            format!("scrypt n = {n} is not a power of two"),
        ));
    };
    let memory = 128u64
        .saturating_mul(u64::from(r))
        .saturating_mul(1u64 << log_n.min(63));
    if r == 0 || p == 0 || memory > MAX_SCRYPT_MEMORY || p > MAX_SCRYPT_PARALLELISM {
        return Err(ImportError::unsupported(
            FORMAT,
            format!("scrypt parameters n = {n}, r = {r}, p = {p} are beyond what Jeton accepts"),
        ));
    }
    let salt = hex("slot salt", salt)?;
    let derived = foreign::scrypt(password, &salt, log_n, r, p).ok_or_else(|| {
        ImportError::malformed(
            FORMAT,
            format!("scrypt parameters n = {n}, r = {r}, p = {p} are not usable"),
        )
    })?;
    let wrapped = hex("slot key", &slot.key)?;
    let nonce = hex("slot nonce", &slot.key_params.nonce)?;
    let tag = hex("slot tag", &slot.key_params.tag)?;
    Ok(open_gcm(&derived, &nonce, &wrapped, &tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault(entries: &str) -> String {
        format!(
            r#"{{"version":1,"header":{{"slots":null,"params":null}},"db":{{"version":3,"entries":[{entries}],"groups":[{{"uuid":"11111111-1111-1111-1111-111111111111","name":"Work"}}]}}}}"#
        )
    }

    #[test]
    fn refuses_unsupported_entries_by_name() {
        let file = vault(
            r#"{"type":"yandex","name":"n","issuer":"Y","info":{"secret":"JBSWY3DPEHPK3PXP","pin":"1234"}},
               {"type":"totp","name":"ok","issuer":"Z","favorite":true,"note":"hi","groups":["11111111-1111-1111-1111-111111111111"],"info":{"secret":"JBSWY3DPEHPK3PXP","algo":"SHA1","digits":6,"period":30}},
               {"type":"totp","name":"md5","issuer":"M","info":{"secret":"JBSWY3DPEHPK3PXP","algo":"MD5","digits":6,"period":30}},
               {"type":"totp","name":"g","issuer":"G","groups":["22222222-1111-1111-1111-111111111111"],"info":{"secret":"JBSWY3DPEHPK3PXP"}},
               {"type":"totp","name":"d","issuer":"D","info":{"secret":"JBSWY3DPEHPK3PXP","digits":300}}"#,
        );
        let (entries, refused) = read(file.as_bytes(), None).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].groups, vec!["Work".to_owned()]);
        assert_eq!(entries[0].note.as_deref(), Some("hi"));
        assert!(entries[0].favourite);
        let positions: Vec<usize> = refused.iter().map(|r| r.position).collect();
        assert_eq!(positions, vec![1, 3, 4, 5]);
        assert!(
            refused[0].reason.contains("yandex"),
            "{}",
            refused[0].reason
        );
        assert!(refused[1].reason.contains("MD5"));
        assert!(refused[2].reason.contains("22222222"));
    }

    #[test]
    fn newer_versions_are_named() {
        let file = r#"{"version":1,"header":{"slots":null,"params":null},"db":{"version":9,"entries":[]}}"#;
        assert!(matches!(
            read(file.as_bytes(), None),
            Err(ImportError::Unsupported { detail, .. }) if detail.contains("version 9")
        ));
        let file = r#"{"version":2,"header":{"slots":null,"params":null},"db":{"version":1,"entries":[]}}"#;
        assert!(matches!(
            read(file.as_bytes(), None),
            Err(ImportError::Unsupported { .. })
        ));
    }

    #[test]
    fn encrypted_without_password_slot() {
        let file = r#"{"version":1,"header":{"slots":[{"type":2,"uuid":"x","key":"00","key_params":{"nonce":"00","tag":"00"}}],"params":{"nonce":"00","tag":"00"}},"db":"AAAA"}"#;
        assert!(is_encrypted(file.as_bytes()));
        assert_eq!(
            read(file.as_bytes(), None),
            Err(ImportError::PasswordRequired(FORMAT))
        );
        assert!(matches!(
            read(file.as_bytes(), Some("x")),
            Err(ImportError::Unsupported { .. })
        ));
    }

    #[test]
    fn crafted_scrypt_cost_is_refused_before_work() {
        let file = r#"{"version":1,"header":{"slots":[{"type":1,"key":"00","key_params":{"nonce":"00","tag":"00"},"n":1073741824,"r":8,"p":1,"salt":"00"}],"params":{"nonce":"00","tag":"00"}},"db":"AAAA"}"#;
        assert!(matches!(
            read(file.as_bytes(), Some("x")),
            Err(ImportError::Unsupported { .. })
        ));
    }
}
