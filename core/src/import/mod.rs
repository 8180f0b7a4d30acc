//! Other apps' exports, read into Jeton accounts: Google Authenticator's `otpauth-migration://`
//! codes, Aegis, 2FAS, andOTP, Authenticator Pro, Authenticator Plus, Authy, FreeOTP 2 and TOTP
//! Authenticator backups (plain and encrypted), Proton Pass exports, lists of `otpauth://` URIs
//! (Ente and others), and the exports or private stores of the other apps [`Format`] names. One file per app; the
//! cryptography they need is in [`crate::seal::foreign`] (Authenticator Plus's zip cipher: in the
//! `zip` crate).
//!
//! Reading a file never half-succeeds: a broken, truncated or wrongly decrypted file is an
//! [`ImportError`] naming the problem, and nothing is returned. Inside a readable file, an entry
//! Jeton cannot use (an MD5 Google code, an Aegis Yandex entry, an invalid secret) is not dropped
//! silently: it becomes a [`Refusal`] with its position, its label and the reason.
//!
//! ```
//! use jeton_core::import::{self, Format};
//!
//! let list = b"otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&issuer=Deno\n\
//!              otpauth://md5/Nope:x?secret=JBSWY3DPEHPK3PXP\n";
//! assert_eq!(import::detect(list), Some(Format::OtpauthList));
//! let imported = import::read(list, None, None).unwrap();
//! assert_eq!(imported.entries.len(), 1);
//! assert_eq!(imported.entries[0].account.issuer.as_deref(), Some("Deno"));
//! assert_eq!(imported.refused.len(), 1);
//! assert_eq!(imported.refused[0].position, 2);
//! ```

use std::fmt;

use crate::Secret;

pub mod aegis;
pub mod andotp;
pub mod authplus;
pub mod authpro;
pub mod authy;
pub mod battlenet;
pub mod bitwarden;
pub mod bitwarden_csv;
pub mod duo;
pub mod ente;
mod fields;
pub mod freeotp;
pub mod freeotp_v2;
pub mod google;
pub mod googledb;
pub mod microsoft;
pub mod plain;
mod prefs;
pub mod proton;
pub mod protonpass;
mod sniff;
mod sqlite;
pub mod steam;
pub mod totpauth;
pub mod twofas;
mod zipped;

pub use crate::account::{Entry, same_account};
pub(crate) use fields::{account_from_totp_field, admit};
pub use google::{GoogleError, LISTED_MISSING, MAX_BATCH_CODES, MigrationScans, ScanProgress};

/// An entry of a readable file that Jeton did not take, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// 1-based position of the entry in the file (line, or entry in the list).
    pub position: usize,
    /// The entry's label as the file gives it (issuer and account), never its secret.
    pub label: String,
    /// Why it was refused, in words the user can act on.
    pub reason: String,
}

impl Refusal {
    /// The refusal of the file's entry at 0-based `index`, labelled `Issuer (name)`.
    pub(crate) fn at(index: usize, issuer: Option<&str>, name: &str, reason: String) -> Self {
        Self {
            position: index + 1,
            label: label(issuer, name),
            reason,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{} {}: {}", self.position, self.label, self.reason)
    }
}

/// What a file held: the accounts Jeton can use and the entries it refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The format the file was read as.
    pub format: Format,
    /// Usable accounts, in the file's order.
    pub entries: Vec<Entry>,
    /// Entries that were not taken, in the file's order.
    pub refused: Vec<Refusal>,
}

/// The export formats Jeton reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Google Authenticator's `otpauth-migration://offline?data=…`, one URI per line.
    GoogleMigration,
    /// An Aegis vault export (JSON), plain or encrypted.
    Aegis,
    /// A 2FAS `.2fas` backup, plain or encrypted.
    TwoFas,
    /// One `otpauth://` URI per line (Ente Auth, many others).
    OtpauthList,
    /// A Bitwarden unencrypted JSON export.
    Bitwarden,
    /// A Proton Authenticator JSON export.
    Proton,
    /// A Jeton backup file (see [`crate::backup`]).
    JetonBackup,
    /// An Authenticator Pro (Stratum) JSON backup or the app's private database.
    AuthenticatorPro,
    /// An andOTP backup, plain or encrypted (old encrypted backups carry no mark: force
    /// `andotp`).
    AndOtp,
    /// FreeOTP's or FreeOTP+'s token store (shared preferences), a FreeOTP+ JSON export, or a
    /// FreeOTP 2 encrypted backup.
    FreeOtp,
    /// A Bitwarden unencrypted CSV export.
    BitwardenCsv,
    /// Authy's private token store (shared preferences), secrets decrypted or encrypted with
    /// the Authy backup password.
    Authy,
    /// Google Authenticator's private database.
    GoogleDb,
    /// Microsoft Authenticator's private database.
    MicrosoftDb,
    /// A Steam Guard `.maFile`.
    Steam,
    /// Battle.net Authenticator's shared preferences.
    BattleNet,
    /// A Duo Mobile export.
    Duo,
    /// A TOTP Authenticator backup (encrypted) or the app's private shared preferences.
    TotpAuthenticator,
    /// An Ente Auth encrypted export (its plain export is an [`Format::OtpauthList`]).
    Ente,
    /// An Authenticator Plus backup: a password-encrypted zip holding an `otpauth://` list.
    AuthenticatorPlus,
    /// A Proton Pass export (unencrypted): a zip holding `Proton Pass/data.json`, whose logins
    /// with a TOTP are accounts.
    ProtonPass,
}

impl Format {
    /// Every format, for help texts and option parsing.
    pub const ALL: [Format; 21] = [
        Format::GoogleMigration,
        Format::Aegis,
        Format::TwoFas,
        Format::OtpauthList,
        Format::Bitwarden,
        Format::Proton,
        Format::JetonBackup,
        Format::AuthenticatorPro,
        Format::AndOtp,
        Format::FreeOtp,
        Format::BitwardenCsv,
        Format::Authy,
        Format::GoogleDb,
        Format::MicrosoftDb,
        Format::Steam,
        Format::BattleNet,
        Format::Duo,
        Format::TotpAuthenticator,
        Format::Ente,
        Format::AuthenticatorPlus,
        Format::ProtonPass,
    ];

    /// A short name for option values: `google`, `aegis`, `2fas`, `otpauth`, `bitwarden`,
    /// `proton`, `jeton`, `authpro`, `andotp`, `freeotp`, `bitwarden-csv`, `authy`,
    /// `google-db`, `microsoft`, `steam`, `battlenet`, `duo`, `totp-authenticator`, `ente`,
    /// `authplus`, `proton-pass`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::GoogleMigration => "google",
            Format::Aegis => "aegis",
            Format::TwoFas => "2fas",
            Format::OtpauthList => "otpauth",
            Format::Bitwarden => "bitwarden",
            Format::Proton => "proton",
            Format::JetonBackup => "jeton",
            Format::AuthenticatorPro => "authpro",
            Format::AndOtp => "andotp",
            Format::FreeOtp => "freeotp",
            Format::BitwardenCsv => "bitwarden-csv",
            Format::Authy => "authy",
            Format::GoogleDb => "google-db",
            Format::MicrosoftDb => "microsoft",
            Format::Steam => "steam",
            Format::BattleNet => "battlenet",
            Format::Duo => "duo",
            Format::TotpAuthenticator => "totp-authenticator",
            Format::Ente => "ente",
            Format::AuthenticatorPlus => "authplus",
            Format::ProtonPass => "proton-pass",
        }
    }

    /// The format with this short name (see [`Format::as_str`]), in any case.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(name))
    }

    /// The name people know the source app by.
    pub fn app_name(self) -> &'static str {
        match self {
            Format::GoogleMigration => "Google Authenticator",
            Format::Aegis => "Aegis",
            Format::TwoFas => "2FAS",
            Format::OtpauthList => "otpauth list",
            Format::Bitwarden => "Bitwarden",
            Format::Proton => "Proton Authenticator",
            Format::JetonBackup => "Jeton backup",
            Format::AuthenticatorPro => "Authenticator Pro",
            Format::AndOtp => "andOTP",
            Format::FreeOtp => "FreeOTP",
            Format::BitwardenCsv => "Bitwarden CSV",
            Format::Authy => "Authy",
            Format::GoogleDb => "Google Authenticator database",
            Format::MicrosoftDb => "Microsoft Authenticator database",
            Format::Steam => "Steam Guard",
            Format::BattleNet => "Battle.net Authenticator",
            Format::Duo => "Duo Mobile",
            Format::TotpAuthenticator => "TOTP Authenticator",
            Format::Ente => "Ente Auth",
            Format::AuthenticatorPlus => "Authenticator Plus",
            Format::ProtonPass => "Proton Pass",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.app_name())
    }
}

/// Why a file could not be imported. Nothing of it was imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The contents match no format Jeton reads.
    #[error(
        "this file is not an export Jeton can read (Google Authenticator, Aegis, 2FAS, otpauth list, Bitwarden, Proton, Jeton backup, Authenticator Pro, andOTP, FreeOTP, Bitwarden CSV, Authy, Google and Microsoft Authenticator databases, Steam, Battle.net, Duo, TOTP Authenticator, Ente Auth, Authenticator Plus, Proton Pass)"
    )]
    UnknownFormat,
    /// The file is encrypted and no password was given.
    #[error("this {0} export is encrypted: give its password")]
    PasswordRequired(Format),
    /// The password does not open the file (or the file was altered).
    #[error("the password does not open this {0} export (or the file was altered)")]
    WrongPassword(Format),
    /// The file is broken: truncated, not valid JSON, a field missing or of the wrong type.
    #[error("this {format} export is damaged or incomplete: {detail}")]
    Malformed {
        /// The format the file claims to be.
        format: Format,
        /// What is wrong, and where.
        detail: String,
    },
    /// A valid file that uses something Jeton does not read (a newer version, an encrypted
    /// Bitwarden export, an Aegis vault with no password slot).
    #[error("this {format} export cannot be read: {detail}")]
    Unsupported {
        /// The format of the file.
        format: Format,
        /// What is not supported, and what to do instead.
        detail: String,
    },
    /// A Google Authenticator migration code is invalid or a batch is incomplete.
    #[error(transparent)]
    Google(#[from] GoogleError),
    /// A Jeton backup could not be opened.
    #[error(transparent)]
    Backup(#[from] crate::backup::BackupError),
}

impl ImportError {
    pub(crate) fn malformed(format: Format, detail: impl fmt::Display) -> Self {
        Self::Malformed {
            format,
            detail: detail.to_string(),
        }
    }

    pub(crate) fn unsupported(format: Format, detail: impl fmt::Display) -> Self {
        Self::Unsupported {
            format,
            detail: detail.to_string(),
        }
    }
}

/// Guesses the format of an export from its contents (never from its file name).
pub fn detect(data: &[u8]) -> Option<Format> {
    if let Some(format) = sniff::binary(data) {
        return Some(format);
    }
    let text = std::str::from_utf8(data).ok()?;
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if let Some(format) = sniff::text(text) {
        return Some(format);
    }
    if text.starts_with('{') {
        // A damaged file still says what it was meant to be: a truncated Aegis export should be
        // reported as a damaged Aegis export, not as an unknown file.
        // A cut file has only the keys before the cut, so one distinctive key is enough then.
        let (keys, damaged): (Vec<String>, bool) =
            match serde_json::from_str::<serde_json::Value>(text) {
                Ok(serde_json::Value::Object(object)) => (object.keys().cloned().collect(), false),
                Ok(_) => return None,
                Err(_) => (sniff::damaged_json_keys(text), true),
            };
        let has = |key: &str| keys.iter().any(|k| k == key);
        let both = |a: &str, b: &str| has(a) && (damaged || has(b));
        return if has("jeton_backup") {
            Some(Format::JetonBackup)
        } else if both("header", "db") {
            Some(Format::Aegis)
        } else if has("schemaVersion") || has("servicesEncrypted") || (damaged && has("services")) {
            Some(Format::TwoFas)
        } else if both("items", "encrypted") {
            Some(Format::Bitwarden)
        } else if both("entries", "version") {
            Some(Format::Proton)
        } else {
            sniff::json_object(&has, damaged)
        };
    }
    let first = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let lower = first.get(..20).unwrap_or(first).to_ascii_lowercase();
    if lower.starts_with("otpauth-migration:") {
        let all_migration = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .all(|l| {
                l.get(..18)
                    .is_some_and(|p| p.eq_ignore_ascii_case("otpauth-migration:"))
            });
        Some(if all_migration {
            Format::GoogleMigration
        } else {
            Format::OtpauthList
        })
    } else if lower.starts_with("otpauth://") {
        Some(Format::OtpauthList)
    } else {
        None
    }
}

/// Whether the file is encrypted and needs a password to be read.
pub fn needs_password(data: &[u8], format: Format) -> bool {
    match format {
        Format::Aegis => aegis::is_encrypted(data),
        Format::TwoFas => twofas::is_encrypted(data),
        Format::JetonBackup => true,
        Format::AndOtp => andotp::is_encrypted(data),
        Format::AuthenticatorPro => authpro::is_encrypted(data),
        Format::Authy => authy::is_encrypted(data),
        Format::FreeOtp => freeotp::is_encrypted(data),
        Format::TotpAuthenticator => totpauth::is_encrypted(data),
        Format::Ente => ente::is_encrypted(data),
        Format::AuthenticatorPlus => authplus::is_encrypted(data),
        Format::GoogleMigration
        | Format::OtpauthList
        | Format::Bitwarden
        | Format::Proton
        | Format::BitwardenCsv
        | Format::GoogleDb
        | Format::MicrosoftDb
        | Format::Steam
        | Format::BattleNet
        | Format::Duo
        | Format::ProtonPass => false,
    }
}

/// Reads an export. The format is detected unless `format` forces one; `password` opens
/// encrypted files (Aegis, 2FAS, andOTP, Jeton backups and the others [`needs_password`] names).
pub fn read(
    data: &[u8],
    format: Option<Format>,
    password: Option<&str>,
) -> Result<Imported, ImportError> {
    let format = match format {
        Some(format) => format,
        None => detect(data).ok_or(ImportError::UnknownFormat)?,
    };
    let (entries, refused) = match format {
        Format::GoogleMigration | Format::OtpauthList => {
            let text = utf8(data, format)?;
            plain::read(text)?
        }
        Format::Aegis => aegis::read(data, password)?,
        Format::TwoFas => twofas::read(data, password)?,
        Format::Bitwarden => bitwarden::read(data)?,
        Format::Proton => proton::read(data)?,
        Format::AuthenticatorPro => authpro::read(data, password)?,
        Format::AndOtp => andotp::read(data, password)?,
        Format::FreeOtp => freeotp::read(data, password)?,
        Format::BitwardenCsv => bitwarden_csv::read(data)?,
        Format::Authy => authy::read(data, password)?,
        Format::GoogleDb => googledb::read(data)?,
        Format::MicrosoftDb => microsoft::read(data)?,
        Format::Steam => steam::read(data)?,
        Format::BattleNet => battlenet::read(data)?,
        Format::Duo => duo::read(data)?,
        Format::TotpAuthenticator => totpauth::read(data, password)?,
        Format::Ente => ente::read(data, password)?,
        Format::AuthenticatorPlus => authplus::read(data, password)?,
        Format::ProtonPass => protonpass::read(data)?,
        Format::JetonBackup => {
            let backup =
                crate::backup::open(data, password.ok_or(ImportError::PasswordRequired(format))?)?;
            (backup.entries, Vec::new())
        }
    };
    Ok(Imported {
        format,
        entries,
        refused,
    })
}

/// What every reader returns: usable entries and refused ones, in file order.
pub(crate) type Read = (Vec<Entry>, Vec<Refusal>);

pub(crate) fn utf8(data: &[u8], format: Format) -> Result<&str, ImportError> {
    let text = std::str::from_utf8(data).map_err(|e| {
        ImportError::malformed(
            format,
            format!("not UTF-8 text (bad byte at {})", e.valid_up_to()),
        )
    })?;
    Ok(text.trim_start_matches('\u{feff}'))
}

/// A label for refusals: `Issuer (name)`, or the name, or `(no name)`.
pub(crate) fn label(issuer: Option<&str>, name: &str) -> String {
    match crate::account::label(issuer.filter(|i| !i.is_empty()), name) {
        shown if shown.is_empty() => "(no name)".to_owned(),
        shown => shown,
    }
}

/// `Some(text)` unless it is empty or blank.
pub(crate) fn non_empty(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// Reads a base32 secret, naming the problem for a refusal.
pub(crate) fn secret_from_base32(text: &str) -> Result<Secret, String> {
    Secret::from_base32(text).map_err(|e| format!("the secret is not valid: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_content() {
        assert_eq!(
            detect(b"  otpauth://totp/a?secret=AA\n"),
            Some(Format::OtpauthList)
        );
        assert_eq!(
            detect(b"otpauth-migration://offline?data=AA\nOTPAUTH-MIGRATION://offline?data=BB"),
            Some(Format::GoogleMigration)
        );
        assert_eq!(
            detect(b"otpauth-migration://offline?data=AA\notpauth://totp/a?secret=AA"),
            Some(Format::OtpauthList)
        );
        assert_eq!(detect(br#"{"header":{},"db":{}}"#), Some(Format::Aegis));
        assert_eq!(
            detect(br#"{"schemaVersion":4,"services":[]}"#),
            Some(Format::TwoFas)
        );
        assert_eq!(
            detect(br#"{"encrypted":false,"items":[]}"#),
            Some(Format::Bitwarden)
        );
        assert_eq!(
            detect(br#"{"version":1,"entries":[]}"#),
            Some(Format::Proton)
        );
        assert_eq!(detect(br#"{"jeton_backup":1}"#), Some(Format::JetonBackup));
        assert_eq!(
            detect(br#"{"version":1,"kdfParams":{"memLimit":1},"encryptedData":"AA=="}"#),
            Some(Format::Ente)
        );
        assert_eq!(
            detect(br#"{"version": 1, "kdfParams": {"memLi"#),
            Some(Format::Ente)
        );
        assert_eq!(detect(br#"{"something":"else"}"#), None);
        // Damaged JSON is still recognised by its top-level keys.
        assert_eq!(
            detect(br#"{"schemaVersion": 4, "services": [{"name": "x"#),
            Some(Format::TwoFas)
        );
        assert_eq!(
            detect(br#"{"version": 1, "header": {"slots": null}, "db": {"entries": [{"#),
            Some(Format::Aegis)
        );
        assert_eq!(
            detect(br#"{"version": 1, "entries": [{"header": 1, "db": 2"#),
            Some(Format::Proton)
        );
        assert_eq!(detect(br#"{"a\"b": {"header": 1, "db": 2"#), None);
        assert_eq!(detect(b"hello"), None);
        assert_eq!(detect(b""), None);
        assert_eq!(detect(&[0xff, 0xfe, 0x00]), None);
    }

    #[test]
    fn unknown_content_is_a_typed_error() {
        assert_eq!(read(b"hello", None, None), Err(ImportError::UnknownFormat));
    }

    #[test]
    fn format_names_round_trip() {
        for format in Format::ALL {
            assert_eq!(Format::from_name(format.as_str()), Some(format));
        }
        assert_eq!(Format::from_name("AEGIS"), Some(Format::Aegis));
        assert_eq!(Format::from_name("lastpass"), None);
    }

    #[test]
    fn same_account_needs_secret_issuer_and_name() {
        let a = crate::uri::parse("otpauth://totp/A:x?secret=JBSWY3DPEHPK3PXP").unwrap();
        let mut b = a.clone();
        b.params.digits = 8;
        assert!(
            same_account(&a, &b),
            "parameters do not make another account"
        );
        let mut c = a.clone();
        c.secret = Secret::from_base32("JBSWY3DPEHPK3PXQ").unwrap();
        assert!(!same_account(&a, &c));
        let mut d = a.clone();
        d.name = "y".into();
        assert!(!same_account(&a, &d));
        let mut e = a.clone();
        e.issuer = None;
        assert!(!same_account(&a, &e));
    }

    #[test]
    fn totp_field_forms() {
        let steam =
            account_from_totp_field("steam://JRZCL47CMXVOQMNPZR2F7J4RGI", Some("S")).unwrap();
        assert_eq!(steam.params, crate::OtpParams::steam());
        assert_eq!(steam.issuer.as_deref(), Some("S"));
        let bare = account_from_totp_field("jbsw y3dp ehpk 3pxp", None).unwrap();
        assert_eq!(bare.params, crate::OtpParams::totp());
        assert_eq!(bare.secret.to_base32().as_str(), "JBSWY3DPEHPK3PXP");
        assert!(account_from_totp_field("steam://", None).is_err());
        assert!(account_from_totp_field("otpauth://totp/x", None).is_err());
    }
}
