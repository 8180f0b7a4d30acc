//! What can go wrong with a vault, in terms a user can act on.

use std::fmt;
use std::path::PathBuf;

use super::record::{AccountId, Field};
use crate::otp::OtpError;
use crate::seal::KdfError;

/// Where the vault file was found damaged or tampered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Damage {
    /// The header: key slots, KDF parameters, format version.
    Header,
    /// The sealed index of accounts (which accounts exist, at which revision).
    AccountIndex,
    /// The stored clock correction (the vault opens without it).
    ClockOffset,
    /// One field of one account does not open or does not decode.
    Field {
        /// The account.
        account: AccountId,
        /// The field.
        field: Field,
    },
    /// An account's record is not the latest one written (rolled back, or swapped from
    /// another copy of the file).
    StaleAccount {
        /// The account.
        account: AccountId,
    },
    /// An account the vault wrote is missing from the file.
    MissingAccount {
        /// The account.
        account: AccountId,
    },
    /// A record that this vault never wrote (added outside Jeton).
    UnknownAccount {
        /// The id found in the file.
        account: AccountId,
    },
    /// The database file itself: cut short or overwritten, so SQLite cannot read its pages.
    File,
    /// A row that cannot even be read (bad id or column types).
    UnreadableRow,
    /// The sync state (sync key and what the devices have seen) does not open.
    SyncState,
    /// The automatic backup setting does not open.
    AutoBackup,
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Damage::Header => f.write_str("the header (key slots, key parameters, version)"),
            Damage::AccountIndex => f.write_str("the index of accounts"),
            Damage::ClockOffset => f.write_str("the stored clock correction"),
            Damage::SyncState => f.write_str("the sync settings (set up sync again)"),
            Damage::AutoBackup => {
                f.write_str("the automatic backup settings (turn automatic backups on again)")
            }
            Damage::Field { account, field } => write!(f, "the {field} of account {account}"),
            Damage::StaleAccount { account } => write!(
                f,
                "account {account}, which is older than the rest of the vault (rolled back or swapped)"
            ),
            Damage::MissingAccount { account } => {
                write!(f, "account {account}, which is missing from the file")
            }
            Damage::UnknownAccount { account } => {
                write!(f, "account {account}, which this vault never wrote")
            }
            Damage::UnreadableRow => f.write_str("an account row that cannot be read"),
            Damage::File => {
                f.write_str("the file itself, cut short or overwritten (restore it from a backup)")
            }
        }
    }
}

/// Why a vault operation failed. No variant carries secret material.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The passphrase does not open the vault.
    #[error("wrong passphrase")]
    WrongPassphrase,
    /// The file was changed outside Jeton, by accident or on purpose.
    #[error("the vault file is corrupted or was tampered with: {0}")]
    Damaged(Damage),
    /// The file is not a Jeton vault.
    #[error("{} is not a Jeton vault", .0.display())]
    NotAVault(PathBuf),
    /// No file at the path.
    #[error("there is no vault at {}", .0.display())]
    NotFound(PathBuf),
    /// Creating a vault where a file already exists.
    #[error("{} already exists; choose another path or remove it first", .0.display())]
    AlreadyExists(PathBuf),
    /// The vault file could not be created (no such folder, no permission, disk full).
    #[error("cannot create {}: {reason}", path.display())]
    Create {
        /// Where.
        path: PathBuf,
        /// The system's words.
        reason: String,
    },
    /// Made by a later Jeton.
    #[error(
        "this vault was made by a newer version of Jeton (format {found}, this one reads up to {supported}); update Jeton"
    )]
    NewerVersion {
        /// The file's version.
        found: u32,
        /// The latest version this build reads.
        supported: u32,
    },
    /// The operation needs the vault unlocked.
    #[error("the vault is locked; unlock it first")]
    Locked,
    /// The keystore key that wrapped the vault key is gone (or the vault has no platform slot).
    #[error("the device keystore key for this vault is gone; open the vault with your passphrase")]
    KeystoreKeyGone,
    /// The platform keystore failed for another reason.
    #[error("the device keystore failed: {0}")]
    Keystore(String),
    /// A new vault or a passphrase change was given a passphrase shorter than
    /// [`MIN_PASSPHRASE_CHARS`](super::MIN_PASSPHRASE_CHARS).
    #[error(
        "the passphrase has {chars} characters; choose one of at least {min} characters (a few words are easy to remember)"
    )]
    PassphraseTooShort {
        /// How many characters it has.
        chars: usize,
        /// The least a passphrase may have.
        min: usize,
    },
    /// The vault has no passphrase slot.
    #[error("this vault has no passphrase; open it with the device keystore")]
    NoPassphrase,
    /// Another program wrote to the vault since this handle was unlocked; nothing was written.
    #[error("the vault was changed by another program since it was unlocked; unlock it again")]
    ChangedElsewhere,
    /// No account with that id.
    #[error("no account {0} in the vault")]
    NoSuchAccount(AccountId),
    /// `next_hotp` on an account whose codes come from the clock.
    #[error("account {0} is not counter-based (HOTP); its code comes with the others")]
    NotCounterBased(AccountId),
    /// The HOTP counter reached its largest value.
    #[error("account {0} has used every counter value")]
    CounterExhausted(AccountId),
    /// The account's code parameters are unusable.
    #[error("the account cannot make codes: {0}")]
    InvalidAccount(#[from] OtpError),
    /// The issuer or name holds a control or text-direction character.
    #[error(transparent)]
    Label(#[from] crate::account::LabelError),
    /// The key derivation parameters are unusable.
    #[error("the passphrase key parameters are unusable")]
    Kdf(#[from] KdfError),
    /// The operating system's random generator failed.
    #[error("the system's random number generator failed")]
    Random,
    /// Reading or writing the file failed.
    #[error("could not read or write the vault file: {0}")]
    Storage(#[source] rusqlite::Error),
}

impl From<rusqlite::Error> for VaultError {
    /// SQLite's "database disk image is malformed" is the file damaged, said in Jeton's words.
    fn from(e: rusqlite::Error) -> Self {
        if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseCorrupt) {
            VaultError::Damaged(Damage::File)
        } else {
            VaultError::Storage(e)
        }
    }
}
