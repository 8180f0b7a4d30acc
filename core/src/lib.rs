//! # jeton-core
//!
//! The engine of Jeton, an open authenticator: HOTP/TOTP codes (RFC 4226/6238, Steam Guard),
//! `otpauth://` URIs parsed the way real QR codes write them, and — in the modules that grow on
//! this foundation — QR scanning and drawing, an encrypted vault, imports and exports.
//! No platform code and no FFI live here; `bindings/ffi` exposes this crate to Kotlin and Swift.
//!
//! ```
//! use jeton_core::uri;
//!
//! let account = uri::parse(
//!     "otpauth://totp/Omnivox:2412345?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Omnivox",
//! ).unwrap();
//! let code = account.code_at(59).unwrap();
//! assert_eq!(code.digits, "287082"); // RFC 6238, SHA-1, T = 59 s, last 6 digits
//! assert_eq!(code.seconds_left, Some(1));
//! ```
#![forbid(unsafe_code)]

pub mod account;
pub mod backup;
pub mod clock;
pub mod draw;
pub mod export;
pub mod handoff;
pub mod import;
pub mod intake;
pub mod migration;
pub mod otp;
pub mod scan;
pub mod seal;
pub mod secret;
pub mod sync;
pub mod transfer;
pub mod uri;
pub mod vault;

pub use account::{Account, codes_at};
pub use clock::{ClockError, ClockOffset};
pub use otp::{Algorithm, Code, Digits, Kind, OtpError, OtpParams};
pub use secret::{Secret, SecretError};
pub use uri::UriError;
