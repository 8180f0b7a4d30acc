//! andOTP backups, plain and encrypted. The plain backup is a JSON array of `{secret, issuer,
//! label, digits, type, algorithm, period | counter, tags}`. `type` is `TOTP`, `HOTP`, `STEAM` or
//! `MOTP` (Jeton refuses mOTP); the tags become groups. Older versions kept no `issuer` and wrote
//! the label as `Issuer - label`.
//!
//! An encrypted backup is that JSON sealed with AES-256-GCM (12-byte nonce, 16-byte tag at the
//! end). The current format starts with a header: the PBKDF2-HMAC-SHA1 iteration count (4 bytes,
//! big-endian; andOTP picks it between 140,000 and 160,000), a 12-byte salt, then the nonce. The
//! old format has no header: the key is the unsalted SHA-256 of the password and the file starts
//! with the nonce. Nothing marks which one a file is, so the current format is tried first when
//! its header is plausible, then the old one.
//!
//! [`write()`] writes the plain backup, for people moving to andOTP (the format lives here, with
//! its reader).

use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use super::{Entry, Format, ImportError, Read, fields, label, non_empty, secret_from_base32};
use crate::otp::Kind;
use crate::seal::foreign;

const FORMAT: Format = Format::AndOtp;
/// The most PBKDF2 iterations a backup may ask for (andOTP writes 140,000 to 160,000; a million
/// take about half a second): more is refused before any work, as a crafted file.
pub const MAX_PBKDF2_ITERATIONS: u32 = 1_000_000;
const ITERATIONS_LEN: usize = 4;
const SALT_LEN: usize = 12;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const HEADER_LEN: usize = ITERATIONS_LEN + SALT_LEN;

#[derive(Deserialize)]
struct Raw {
    secret: String,
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    digits: Option<i64>,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    algorithm: Option<String>,
    #[serde(default)]
    period: Option<i64>,
    #[serde(default)]
    counter: Option<u64>,
    #[serde(default)]
    tags: Vec<String>,
}

impl Drop for Raw {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

/// Whether the bytes are a plain backup: text (possibly cut inside its last character) that
/// starts with `[`. Anything else given as andOTP is an encrypted backup.
fn is_plain(data: &[u8]) -> bool {
    let text = match std::str::from_utf8(data) {
        Ok(text) => text,
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(data.get(..e.valid_up_to()).unwrap_or_default()).unwrap_or_default()
        }
        Err(_) => return false,
    };
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('[')
}

/// Whether the file is an encrypted andOTP backup (anything given as andOTP that is not JSON).
pub fn is_encrypted(data: &[u8]) -> bool {
    !is_plain(data)
}

/// The iteration count of the current format's header, when the file is long enough to have
/// one and the count is not zero. (An old-format file starts with its random nonce instead.)
fn header_iterations(data: &[u8]) -> Option<u32> {
    let bytes: [u8; ITERATIONS_LEN] = data.get(..ITERATIONS_LEN)?.try_into().ok()?;
    let iterations = u32::from_be_bytes(bytes);
    (iterations > 0 && data.len() >= HEADER_LEN + NONCE_LEN + TAG_LEN).then_some(iterations)
}

/// Whether the bytes look like a current-format encrypted backup, for detection by content: a
/// header whose iteration count is within what Jeton accepts (so the first byte is 0, which no
/// text and no other format Jeton reads starts with). Old-format backups carry no mark at all:
/// they need `--format andotp`.
pub(crate) fn looks_encrypted(data: &[u8]) -> bool {
    header_iterations(data).is_some_and(|i| i <= MAX_PBKDF2_ITERATIONS)
}

/// Reads an andOTP backup; `password` is needed when it is encrypted.
pub fn read(data: &[u8], password: Option<&str>) -> Result<Read, ImportError> {
    if is_plain(data) {
        return read_plain(data, "");
    }
    let password = password.ok_or(ImportError::PasswordRequired(FORMAT))?;
    let plain = decrypt(data, password)?;
    read_plain(&plain, "decrypted backup: ")
}

/// Opens an encrypted backup: the current format when its header is plausible, else (or when
/// that fails) the old one. A wrong password and an altered file look the same to AES-GCM.
fn decrypt(data: &[u8], password: &str) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    if data.len() < NONCE_LEN + TAG_LEN {
        return Err(ImportError::malformed(
            FORMAT,
            format!(
                "{} bytes is shorter than any encrypted backup ({} or more)",
                data.len(),
                NONCE_LEN + TAG_LEN
            ),
        ));
    }
    let iterations = header_iterations(data);
    if let Some(iterations) = iterations.filter(|i| *i <= MAX_PBKDF2_ITERATIONS) {
        let salt = data.get(ITERATIONS_LEN..HEADER_LEN).unwrap_or_default();
        let nonce = data
            .get(HEADER_LEN..HEADER_LEN + NONCE_LEN)
            .unwrap_or_default();
        let sealed = data.get(HEADER_LEN + NONCE_LEN..).unwrap_or_default();
        let key = foreign::pbkdf2_sha1(password, salt, iterations);
        if let Ok(plain) = foreign::open_aes256_gcm(&key, nonce, sealed) {
            return Ok(plain);
        }
    }
    let (nonce, sealed) = data.split_at(NONCE_LEN);
    let key = foreign::unsalted_sha256(password);
    foreign::open_aes256_gcm(&key, nonce, sealed).map_err(|_| match iterations {
        // The header asked for a cost Jeton refuses, and the old format does not open it.
        Some(i) if i > MAX_PBKDF2_ITERATIONS && data.first() == Some(&0) => {
            ImportError::unsupported(
                FORMAT,
                format!(
                    "the backup asks for {i} PBKDF2 iterations, more than Jeton allows ({MAX_PBKDF2_ITERATIONS})"
                ),
            )
        }
        _ => ImportError::WrongPassword(FORMAT),
    })
}

fn read_plain(data: &[u8], context: &str) -> Result<Read, ImportError> {
    let raws: Vec<Raw> = serde_json::from_slice(data)
        .map_err(|e| ImportError::malformed(FORMAT, format!("{context}{e}")))?;
    Ok(fields::sort_out(raws.iter().enumerate().map(
        |(index, raw)| {
            let (issuer, name) = names(raw);
            let shown = label(issuer.as_deref(), &name);
            (
                index + 1,
                to_entry(raw, issuer, name).map_err(|r| (shown, r)),
            )
        },
    )))
}

/// Issuer and name: the `issuer` field and the label; without an `issuer` field (older
/// versions), the label's `Issuer - ` or `Issuer:` prefix. With an `issuer` field, only a
/// prefix repeating that issuer goes (`ACME:john` under `ACME`); an empty one keeps the label
/// whole, as andOTP shows it (`user:42` is a name, not an issuer and a name).
fn names(raw: &Raw) -> (Option<String>, String) {
    let text = raw.label.as_deref().unwrap_or_default();
    match (non_empty(raw.issuer.as_deref()), text.split_once(" - ")) {
        (Some(issuer), _) => fields::split_name(text, Some(&issuer)),
        (None, _) if raw.issuer.is_some() => (None, text.trim().to_owned()),
        (None, Some((issuer, rest))) => fields::split_name(rest, Some(issuer)),
        (None, None) => fields::split_name(text, None),
    }
}

fn to_entry(raw: &Raw, issuer: Option<String>, name: String) -> Result<Entry, String> {
    let kind = match raw.kind.to_ascii_uppercase().as_str() {
        "TOTP" => Kind::Totp,
        "HOTP" => Kind::Hotp,
        "STEAM" => Kind::Steam,
        other => {
            return Err(format!(
                "andOTP type {other} is not supported (TOTP, HOTP, STEAM)"
            ));
        }
    };
    let algorithm = fields::algorithm(raw.algorithm.as_deref().unwrap_or("SHA1"))?;
    let params = fields::params(
        kind,
        algorithm,
        raw.digits,
        raw.period,
        raw.counter.unwrap_or(0),
    )?;
    let mut entry = fields::entry(issuer, name, secret_from_base32(&raw.secret)?, params)?;
    entry.groups = raw
        .tags
        .iter()
        .filter(|t| !t.trim().is_empty())
        .cloned()
        .collect();
    Ok(entry)
}

/// One account as andOTP's plain backup writes it.
#[derive(Serialize)]
struct Out<'a> {
    secret: &'a str,
    issuer: &'a str,
    label: &'a str,
    digits: u8,
    #[serde(rename = "type")]
    kind: &'static str,
    algorithm: &'static str,
    thumbnail: &'static str,
    last_used: u64,
    used_frequency: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    counter: Option<u64>,
    tags: &'a [String],
}

/// Writes an andOTP plain backup (the JSON array andOTP restores from "plain text"): issuer,
/// name, secret, type (`TOTP`, `HOTP`, `STEAM`), algorithm, digits, period or next counter, and
/// the groups as tags. Notes and favourites have no place in the format and are not written.
/// The output holds every secret in clear, in a zeroizing buffer.
pub fn write(entries: &[Entry]) -> Result<Zeroizing<String>, serde_json::Error> {
    let secrets: Vec<Zeroizing<String>> = entries
        .iter()
        .map(|e| e.account.secret.to_base32())
        .collect();
    let out: Vec<Out<'_>> = entries
        .iter()
        .zip(&secrets)
        .map(|(entry, secret)| {
            let account = &entry.account;
            let p = &account.params;
            Out {
                secret,
                issuer: account.issuer.as_deref().unwrap_or_default(),
                label: &account.name,
                digits: p.digits,
                kind: match p.kind {
                    Kind::Totp => "TOTP",
                    Kind::Hotp => "HOTP",
                    Kind::Steam => "STEAM",
                },
                algorithm: p.algorithm.as_str(),
                thumbnail: "Default",
                last_used: 0,
                used_frequency: 0,
                period: (p.kind != Kind::Hotp).then_some(p.period),
                counter: (p.kind == Kind::Hotp).then_some(p.counter),
                tags: &entry.groups,
            }
        })
        .collect();
    let mut bytes = Zeroizing::new(Vec::with_capacity(64 + 300 * entries.len()));
    serde_json::to_writer(&mut *bytes, &out)?;
    // serde_json writes UTF-8 only.
    Ok(Zeroizing::new(
        String::from_utf8_lossy(bytes.as_slice()).into_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_motp_and_labels() {
        let file = br#"[
            {"secret":"JBSWY3DPEHPK3PXP","issuer":"","label":"Omnivox:2412345","digits":6,"type":"TOTP","algorithm":"SHA1","period":30,"tags":["School"]},
            {"secret":"JBSWY3DPEHPK3PXP","issuer":"M","label":"m","digits":6,"type":"MOTP","algorithm":"MD5","period":10,"tags":[]}
        ]"#;
        let (entries, refused) = read(file, None).unwrap();
        // An empty issuer field keeps the label whole, as andOTP shows it.
        assert_eq!(entries[0].account.issuer, None);
        assert_eq!(entries[0].account.name, "Omnivox:2412345");
        assert_eq!(entries[0].groups, vec!["School".to_owned()]);
        assert!(refused[0].reason.contains("MOTP"));
        assert!(matches!(
            read(b"[{", None),
            Err(ImportError::Malformed { .. })
        ));
    }

    #[test]
    fn written_backups_read_back() {
        let uris = [
            "otpauth://totp/Omnivox:2412345?secret=JBSWY3DPEHPK3PXP&algorithm=SHA256&digits=8&period=60",
            "otpauth://hotp/Issuu:James?secret=YOOMIXWS5GN6RTBPUFFWKTW5M4&counter=7",
            "otpauth://totp/NoIssuer?secret=JBSWY3DPEHPK3PXP",
        ];
        let mut entries: Vec<Entry> = uris
            .iter()
            .map(|u| Entry::new(crate::uri::parse(u).unwrap()))
            .collect();
        entries[0].groups = vec!["School".into(), "Work".into()];
        let mut steam = Entry::new(entries[2].account.clone());
        steam.account.params = crate::OtpParams::steam();
        steam.account.issuer = Some("Steam".into());
        entries.push(steam);
        let text = write(&entries).unwrap();
        let (back, refused) = read(text.as_bytes(), None).unwrap();
        assert!(refused.is_empty());
        assert_eq!(back, entries);
        assert_eq!(write(&[]).unwrap().as_str(), "[]");
    }

    #[test]
    fn old_labels_carry_the_issuer() {
        let file = br#"[{"secret":"JBSWY3DPEHPK3PXP","label":"Deno - Deno:Mason","type":"TOTP"},
            {"secret":"JBSWY3DPEHPK3PXP","label":"Only - a - name","issuer":"","type":"TOTP"}]"#;
        let (entries, _) = read(file, None).unwrap();
        assert_eq!(entries[0].account.issuer.as_deref(), Some("Deno"));
        assert_eq!(entries[0].account.name, "Mason");
        assert_eq!(entries[1].account.issuer, None);
        assert_eq!(entries[1].account.name, "Only - a - name");
    }

    #[test]
    fn encrypted_files_need_a_password_and_bounded_costs() {
        let mut file = vec![0u8; HEADER_LEN + NONCE_LEN + TAG_LEN + 8];
        file[..4].copy_from_slice(&150_000u32.to_be_bytes());
        assert!(looks_encrypted(&file) && is_encrypted(&file));
        assert_eq!(
            read(&file, None),
            Err(ImportError::PasswordRequired(FORMAT))
        );
        // A crafted header: refused by name before any PBKDF2 work.
        file[..4].copy_from_slice(&0x00ff_ffffu32.to_be_bytes());
        assert!(!looks_encrypted(&file));
        assert!(matches!(
            read(&file, Some("pw")),
            Err(ImportError::Unsupported { detail, .. }) if detail.contains("16777215")
        ));
        assert!(matches!(
            read(&[1u8; 20], Some("pw")),
            Err(ImportError::Malformed { .. })
        ));
        // A text file cut inside a character is still a (damaged) plain backup.
        assert!(is_plain(
            "[{\"label\":\"é".as_bytes().split_last().unwrap().1
        ));
    }
}
