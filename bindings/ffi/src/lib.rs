//! # jeton-ffi
//!
//! The one FFI facade over `jeton-core`, exported with UniFFI to Kotlin (package
//! `dev.jeton.ffi`) and Swift (module `Jeton`). It holds no OTP, crypto or parsing logic of its
//! own: it converts types, maps the core's errors to [`JetonError`] in one place, and contains
//! panics. [`Vault`] is the facade (with [`VaultAccounts`] and [`VaultKeys`] under it); the
//! platforms supply the vault's device key through the [`KeyWrapper`] trait, and may supply
//! sync storage through the [`SyncStore`] trait ([`VaultSync`]). The API is batch-oriented, since each call from Kotlin costs microseconds: a code list
//! asks for every account's code at one instant in a single call ([`codes_at`]).
//!
//! ```
//! use jeton_ffi::{CodeOutcome, OtpAccount, codes_at};
//!
//! let account = OtpAccount::from_uri(
//!     "otpauth://totp/Omnivox:2412345?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ".into(),
//! ).unwrap();
//! let outcomes = codes_at(vec![account], 59);
//! assert!(matches!(&outcomes[0], CodeOutcome::Ready { code } if code.digits == "287082"));
//! ```

mod backup;
mod clock;
mod error;
mod handoff;
mod keys;
mod otp;
mod scan;
mod sync;
#[cfg(feature = "test-hooks")]
mod test_hooks;
mod transfer;
mod vault;

pub use backup::{AutoBackupOutcome, AutoBackupSetting};
pub use error::JetonError;
pub use handoff::{HandoffProgress, HandoffReceiver, HandoffSeries};
pub use keys::{KeyBytes, KeyWrapError, KeyWrapper, VaultKeys, default_kdf_parameters};
// The core's own types cross as they are (UniFFI `remote` declarations in `otp` and `keys`),
// under the names the shells use.
pub use jeton_core::otp::{
    Algorithm as HashAlgorithm, Kind as OtpKind, OtpParams as OtpParameters,
};
pub use jeton_core::vault::KdfParams as KdfParameters;
pub use otp::{
    AccountDetails, CodeOutcome, MAX_VERIFY_WINDOW, OtpAccount, OtpCode, codes_at,
    default_totp_parameters,
};
pub use scan::{
    MigrationPart, ScanPoint, ScannedCode, ScannedContent, Scanner, scan_frame, scan_image,
};
pub use sync::{
    Pairing, PairingInvitation, SyncConflict, SyncStore, SyncStoreError, SyncSummary, VaultSync,
    accept_pairing, folder_sync_store, webdav_sync_store,
};
#[cfg(feature = "test-hooks")]
pub use test_hooks::panic_inside_jeton;
pub use transfer::{ImportSummary, MigrationProgress, MigrationScans};
pub use vault::{Vault, VaultAccounts, VaultCode, VaultEntry};

uniffi::setup_scaffolding!();

/// Every heap block this library frees is zeroed first (1Password's `zeroizing-alloc`, as
/// Bitwarden's SDK does). `Zeroizing` wipes the key material Jeton owns; this also wipes what
/// it cannot reach: the buffers UniFFI allocates to carry a call's arguments and results across
/// the boundary (a key passed to or from a `KeyWrapper`, a passphrase, a scanned payload), which
/// the generated code frees after reading, and a `Vec`'s old block when it grows. Measured cost:
/// docs/performance.md ("FFI").
#[global_allocator]
static ALLOCATOR: zeroizing_alloc::ZeroAlloc<std::alloc::System> =
    zeroizing_alloc::ZeroAlloc(std::alloc::System);

/// The version of the Jeton core these bindings were built from.
#[uniffi::export]
pub fn core_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
