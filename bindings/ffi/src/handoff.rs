//! Phone to phone with no storage at all (the core's `handoff`): the old phone shows its
//! accounts as a series of sealed QR codes ([`VaultAccounts::hand_off`]) and a code; the new
//! phone feeds every scanned text to a [`HandoffReceiver`], then imports with the code
//! ([`VaultAccounts::receive_handoff`]).

use std::sync::{Arc, Mutex};

use jeton_core::handoff::{self, Receiver};
use jeton_core::transfer;
use zeroize::Zeroizing;

use crate::error::{JetonError, guard};
use crate::sync::{count, now_secs as now};
use crate::transfer::ImportSummary;
use crate::vault::VaultAccounts;

/// A series to show: each frame as a QR code (one at a time, or several side by side), and the
/// code beside them. Valid ten minutes.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct HandoffSeries {
    /// The QR codes' texts, in order.
    pub frames: Vec<String>,
    /// The code the new phone asks for (`ABCDE-FGHIJ`).
    pub code: String,
}

impl std::fmt::Debug for HandoffSeries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HandoffSeries")
            .field("frames", &self.frames.len())
            .field("code", &"[redacted]")
            .finish()
    }
}

/// How many QR codes of a series have been scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct HandoffProgress {
    /// Scanned so far, each counted once.
    pub scanned: u32,
    /// In the series.
    pub total: u32,
}

/// Collects the QR codes of a series as the camera reads them, in any order.
#[derive(Debug, Default, uniffi::Object)]
pub struct HandoffReceiver {
    inner: Mutex<Receiver>,
}

#[uniffi::export]
impl HandoffReceiver {
    /// An empty receiver.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Takes one scanned text; `Pairing` when it is not part of this series.
    pub fn add(&self, payload: String) -> Result<HandoffProgress, JetonError> {
        guard(|| {
            let mut receiver = self.inner.lock().map_err(|_| {
                JetonError::Internal("an earlier call failed with this receiver".to_owned())
            })?;
            let progress = receiver.add(&payload)?;
            Ok(HandoffProgress {
                scanned: count(progress.scanned),
                total: count(progress.total),
            })
        })
    }
}

#[uniffi::export]
impl VaultAccounts {
    /// Every account as a series of sealed QR codes for a new phone, and the code that opens
    /// them (Argon2id: takes a moment; the vault is not held meanwhile).
    pub fn hand_off(&self) -> Result<HandoffSeries, JetonError> {
        guard(|| {
            let accounts: Vec<_> = {
                let vault = self.vault().session()?;
                transfer::vault_entries(&vault)?
                    .into_iter()
                    .map(|e| e.account)
                    .collect()
            };
            let series = handoff::show(&accounts, now())?;
            Ok(HandoffSeries {
                frames: series.frames,
                code: series.code.to_string(),
            })
        })
    }

    /// Opens a complete series with the code the user typed and imports its accounts in one
    /// transaction (those already here are skipped). `WrongPassphrase` for a wrong code.
    pub fn receive_handoff(
        &self,
        receiver: Arc<HandoffReceiver>,
        code: String,
    ) -> Result<ImportSummary, JetonError> {
        guard(|| {
            let code = Zeroizing::new(code);
            let imported = {
                let receiver = receiver.inner.lock().map_err(|_| {
                    JetonError::Internal("an earlier call failed with this receiver".to_owned())
                })?;
                receiver.open(&code, now())?
            };
            let mut vault = self.vault().session()?;
            Ok(transfer::import_into(&mut vault, imported)?.into())
        })
    }
}
