//! Exported only with the `test-hooks` feature, for the Kotlin and Swift test suites.

use crate::error::{JetonError, guard};

/// Panics inside Jeton on purpose, so a test can check that the caller receives
/// [`JetonError::Internal`] and that the library goes on working afterwards.
#[uniffi::export]
pub fn panic_inside_jeton(message: String) -> Result<(), JetonError> {
    #[allow(clippy::panic)] // Panicking is this hook's whole purpose.
    guard(|| panic!("{message}"))
}
