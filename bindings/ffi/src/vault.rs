//! The vault, as Kotlin and Swift see it: one [`Vault`] object (the facade), with
//! [`VaultAccounts`] and [`VaultKeys`] (in `keys`) as its sub-objects. Its clock is in `clock`,
//! imports and backups in `transfer`, automatic backups in `backup`, sync in `sync`.

use jeton_core::vault::{self as core_vault, AccountId, CurrentCode, Entry, KdfParams};
use jeton_core::{Account, uri};
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use zeroize::Zeroizing;

use crate::error::{JetonError, guard};
use crate::keys::{KeyWrapper, Platform, VaultKeys};
use crate::otp::{OtpAccount, OtpCode};
use crate::sync::VaultSync;
use jeton_core::otp::{Algorithm, Kind};

/// An account as a list shows it: everything but the secret.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VaultEntry {
    /// Permanent id (a UUID).
    pub id: String,
    /// The service, when known.
    pub issuer: Option<String>,
    /// The user's name at the service.
    pub name: String,
    /// `Issuer (name)`, or the name alone.
    pub label: String,
    /// TOTP, HOTP or Steam.
    pub kind: Kind,
    /// Hash under the HMAC.
    pub algorithm: Algorithm,
    /// Code length.
    pub digits: u8,
    /// Seconds per step (TOTP, Steam).
    pub period: u32,
    /// HOTP: the counter of the next code.
    pub counter: u64,
    /// Pinned to the top.
    pub favourite: bool,
    /// Place in the user's order (0 first).
    pub position: u32,
}

/// One account's code at an instant.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum VaultCode {
    /// A time-based code.
    Ready {
        /// The account's id.
        id: String,
        /// Its code.
        code: OtpCode,
    },
    /// A counter-based (HOTP) account: take its code with [`VaultAccounts::next_hotp`].
    CounterBased {
        /// The account's id.
        id: String,
    },
    /// This account cannot make a code now (the others still do).
    Failed {
        /// The account's id.
        id: String,
        /// Why, for a person.
        reason: String,
    },
}

/// An encrypted vault file, locked or unlocked: the facade of Jeton's API. Accounts are
/// reached through [`Vault::accounts`], key slots through [`Vault::keys`]. Every change is
/// committed before its method returns. Safe to share between threads.
#[derive(uniffi::Object)]
pub struct Vault {
    inner: Mutex<core_vault::Vault>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault")
    }
}

#[uniffi::export]
impl Vault {
    /// Creates a vault at `path` protected by `passphrase` (default Argon2id costs), unlocked.
    #[uniffi::constructor]
    pub fn create(path: String, passphrase: String) -> Result<Arc<Self>, JetonError> {
        guard(|| Ok(Self::wrap(core_vault::Vault::create(&path, &passphrase)?)))
    }

    /// [`Vault::create`] with chosen Argon2id costs.
    #[uniffi::constructor]
    pub fn create_with_kdf(
        path: String,
        passphrase: String,
        kdf: KdfParams,
    ) -> Result<Arc<Self>, JetonError> {
        guard(|| {
            Ok(Self::wrap(core_vault::Vault::create_with_kdf(
                &path,
                &passphrase,
                kdf,
            )?))
        })
    }

    /// Opens the vault at `path`, locked.
    #[uniffi::constructor]
    pub fn open(path: String) -> Result<Arc<Self>, JetonError> {
        guard(|| Ok(Self::wrap(core_vault::Vault::open(&path)?)))
    }

    /// Whether the vault must be unlocked before use.
    pub fn is_locked(&self) -> Result<bool, JetonError> {
        guard(|| Ok(self.session()?.is_locked()))
    }

    /// Unlocks with the passphrase. Argon2id runs without holding the vault, so the other
    /// calls (a code ticker, a list) are not blocked meanwhile.
    pub fn unlock_with_passphrase(&self, passphrase: String) -> Result<(), JetonError> {
        guard(|| {
            let passphrase = Zeroizing::new(passphrase);
            let unlocker = self.session()?.unlocker()?;
            let key = unlocker.with_passphrase(&passphrase)?;
            Ok(self.session()?.unlock_with_key(key)?)
        })
    }

    /// Unlocks with the device keystore. [`JetonError::Keystore`] means: ask for the passphrase.
    /// The keystore (and its prompt) is called without holding the vault: the wrapper may call
    /// back into this vault, and other calls go on meanwhile.
    pub fn unlock_with_key(&self, wrapper: Arc<dyn KeyWrapper>) -> Result<(), JetonError> {
        guard(|| {
            let unlocker = self.session()?.unlocker()?;
            let key = unlocker.with_wrapper(&Platform(wrapper))?;
            Ok(self.session()?.unlock_with_key(key)?)
        })
    }

    /// Forgets the key and every decrypted account until the next unlock.
    pub fn lock(&self) -> Result<(), JetonError> {
        guard(|| {
            self.session()?.lock();
            Ok(())
        })
    }

    /// Descriptions of the parts found damaged when the vault was unlocked (empty when none).
    pub fn damage(&self) -> Result<Vec<String>, JetonError> {
        guard(|| {
            Ok(self
                .session()?
                .damaged()
                .iter()
                .map(ToString::to_string)
                .collect())
        })
    }

    /// The accounts of this vault.
    pub fn accounts(self: Arc<Self>) -> Arc<VaultAccounts> {
        Arc::new(VaultAccounts { vault: self })
    }

    /// The key slots of this vault (passphrase and device keystore).
    pub fn keys(self: Arc<Self>) -> Arc<VaultKeys> {
        Arc::new(VaultKeys::new(self))
    }

    /// Sync with the person's other devices: set up, join, sync, pair.
    pub fn sync(self: Arc<Self>) -> Arc<VaultSync> {
        Arc::new(VaultSync::new(self))
    }
}

impl Vault {
    fn wrap(vault: core_vault::Vault) -> Arc<Self> {
        Arc::new(Self {
            inner: Mutex::new(vault),
        })
    }

    /// The vault, or an error if an earlier call panicked while holding it (its in-memory state
    /// may then be half-changed; what is on disk is whole, since every change is a transaction).
    pub(crate) fn session(&self) -> Result<MutexGuard<'_, core_vault::Vault>, JetonError> {
        self.inner.lock().map_err(|_| {
            JetonError::Internal(
                "an earlier call failed inside this vault; open the vault again".to_owned(),
            )
        })
    }
}

/// The accounts of a [`Vault`]: list, codes, add, update, reorder, remove.
#[derive(Debug, uniffi::Object)]
pub struct VaultAccounts {
    vault: Arc<Vault>,
}

#[uniffi::export]
impl VaultAccounts {
    /// Every account, in the user's order, without secrets.
    pub fn list(&self) -> Result<Vec<VaultEntry>, JetonError> {
        guard(|| Ok(self.vault.session()?.list()?.iter().map(entry).collect()))
    }

    /// Accounts whose issuer or name contains `query`, ignoring case.
    pub fn search(&self, query: String) -> Result<Vec<VaultEntry>, JetonError> {
        guard(|| {
            let found = self.vault.session()?.search(&query)?;
            Ok(found.iter().map(entry).collect())
        })
    }

    /// The code of every account at `unix_seconds` (true time), in the user's order, in one
    /// call.
    pub fn codes_at(&self, unix_seconds: u64) -> Result<Vec<VaultCode>, JetonError> {
        guard(|| Ok(vault_codes(self.vault.session()?.codes_at(unix_seconds)?)))
    }

    /// The code of every account at `device_unix_seconds` read on the device's own clock,
    /// corrected by the clock offset stored with [`Vault::check_clock`]: what a code list shows
    /// each second, in one call.
    pub fn device_codes_at(&self, device_unix_seconds: u64) -> Result<Vec<VaultCode>, JetonError> {
        guard(|| {
            Ok(vault_codes(
                self.vault.session()?.device_codes_at(device_unix_seconds)?,
            ))
        })
    }

    /// Every account's code at `device_unix_seconds` (the device's clock, corrected like
    /// [`VaultAccounts::device_codes_at`]) as one flat [`CodeSheet`]: what a ticker asks for
    /// each second when the list is long.
    pub fn device_code_sheet_at(&self, device_unix_seconds: u64) -> Result<CodeSheet, JetonError> {
        guard(|| {
            let vault = self.vault.session()?;
            let unix = vault.true_time(device_unix_seconds)?;
            Ok(code_sheet(unix, vault.codes_at(unix)?))
        })
    }

    /// Adds the account of an `otpauth://` URI (typed, pasted or scanned) at the end of the
    /// list; returns its id.
    pub fn add_uri(&self, uri: String) -> Result<String, JetonError> {
        guard(|| self.insert(uri::parse(&uri)?))
    }

    /// Adds an account made with [`OtpAccount`]; returns its id.
    pub fn add(&self, account: Arc<OtpAccount>) -> Result<String, JetonError> {
        guard(|| self.insert(account.account().clone()))
    }

    /// The account with its secret, e.g. to edit or export it.
    pub fn get(&self, id: String) -> Result<Arc<OtpAccount>, JetonError> {
        guard(|| {
            let record = self.vault.session()?.get(parse_id(&id)?)?;
            Ok(Arc::new(OtpAccount::new(record.account)))
        })
    }

    /// Replaces an account's issuer, name, secret and parameters.
    pub fn update(&self, id: String, account: Arc<OtpAccount>) -> Result<(), JetonError> {
        guard(|| {
            let id = parse_id(&id)?;
            Ok(self
                .vault
                .session()?
                .update(id, account.account().clone())?)
        })
    }

    /// Changes an account's issuer and name.
    pub fn rename(
        &self,
        id: String,
        issuer: Option<String>,
        name: String,
    ) -> Result<(), JetonError> {
        guard(|| {
            let id = parse_id(&id)?;
            Ok(self.vault.session()?.rename(id, issuer, name)?)
        })
    }

    /// Puts `ids` first, in that order; the others follow in their current order.
    pub fn reorder(&self, ids: Vec<String>) -> Result<(), JetonError> {
        guard(|| {
            let ids = ids
                .iter()
                .map(|id| parse_id(id))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(self.vault.session()?.reorder(&ids)?)
        })
    }

    /// Removes an account.
    pub fn remove(&self, id: String) -> Result<(), JetonError> {
        guard(|| {
            let id = parse_id(&id)?;
            Ok(self.vault.session()?.remove(id)?)
        })
    }

    /// The next code of a counter-based (HOTP) account; the counter is saved first, so a code
    /// is never shown twice.
    pub fn next_hotp(&self, id: String) -> Result<OtpCode, JetonError> {
        guard(|| {
            let id = parse_id(&id)?;
            Ok(self.vault.session()?.next_hotp(id)?.into())
        })
    }
}

impl VaultAccounts {
    pub(crate) fn vault(&self) -> &Vault {
        &self.vault
    }

    fn insert(&self, account: Account) -> Result<String, JetonError> {
        Ok(self.vault.session()?.add(account)?.to_string())
    }
}

/// Every account's code at one instant as one text, so that a ticker's call each second costs
/// the shells one string to lift (a list of 1,000 records costs Kotlin and Swift far more than
/// computing the codes: `docs/performance.md`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CodeSheet {
    /// The true time (Unix seconds) the codes are for: the device's time corrected by the
    /// vault's clock check.
    pub unix_seconds: u64,
    /// One line per account in the list's order, each ending with `\n`:
    /// `<id> <code> <seconds left>` for a code to show, `<id>` alone for a counter-based (HOTP)
    /// account (take its code with [`VaultAccounts::next_hotp`]) or one without a code now
    /// (see `failures`). Ids and codes never contain spaces.
    pub lines: String,
    /// The accounts that have no code now, with why (usually none).
    pub failures: Vec<CodeFailure>,
}

/// An account without a code at the sheet's instant.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CodeFailure {
    /// The account's id.
    pub id: String,
    /// Why, for a person.
    pub reason: String,
}

fn code_sheet(unix_seconds: u64, codes: Vec<core_vault::AccountCode>) -> CodeSheet {
    use std::fmt::Write as _;
    let mut lines = String::with_capacity(codes.len() * 52);
    let mut failures = Vec::new();
    for code in codes {
        let id = code.id.to_string();
        lines.push_str(&id);
        match code.current {
            CurrentCode::Ready(code) => {
                let _ = write!(
                    lines,
                    " {} {}",
                    code.digits.as_str(),
                    code.seconds_left.unwrap_or(0)
                );
            }
            CurrentCode::CounterBased => {}
            CurrentCode::Unavailable(e) => failures.push(CodeFailure {
                id,
                reason: e.to_string(),
            }),
        }
        lines.push('\n');
    }
    CodeSheet {
        unix_seconds,
        lines,
        failures,
    }
}

fn vault_codes(codes: Vec<core_vault::AccountCode>) -> Vec<VaultCode> {
    codes
        .into_iter()
        .map(|c| {
            let id = c.id.to_string();
            match c.current {
                CurrentCode::Ready(code) => VaultCode::Ready {
                    id,
                    code: code.into(),
                },
                CurrentCode::CounterBased => VaultCode::CounterBased { id },
                CurrentCode::Unavailable(e) => VaultCode::Failed {
                    id,
                    reason: e.to_string(),
                },
            }
        })
        .collect()
}

fn parse_id(id: &str) -> Result<AccountId, JetonError> {
    AccountId::from_str(id)
        .map_err(|_| JetonError::NoSuchAccount(format!("{id:?} is not an account id")))
}

fn entry(e: &Entry) -> VaultEntry {
    VaultEntry {
        id: e.id.to_string(),
        issuer: e.issuer.clone(),
        name: e.name.clone(),
        label: e.label(),
        kind: e.kind,
        algorithm: e.algorithm,
        digits: e.digits,
        period: e.period,
        counter: e.counter,
        favourite: e.extras.favourite,
        position: e.position,
    }
}
