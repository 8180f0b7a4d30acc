//! QR codes from camera frames and image files.

use std::sync::Arc;

use std::time::Duration;

use jeton_core::intake::Content;
use jeton_core::scan::{self, ScanOptions};
use zeroize::Zeroizing;

use crate::error::{JetonError, guard};
use crate::otp::OtpAccount;

/// A point in the scanned image, in pixels from its top-left corner.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct ScanPoint {
    /// Pixels to the right.
    pub x: f32,
    /// Pixels down.
    pub y: f32,
}

/// What a scanned QR code holds.
#[derive(uniffi::Enum)]
pub enum ScannedContent {
    /// An authenticator account, ready to add (or to show before adding).
    Account {
        /// The account.
        account: Arc<OtpAccount>,
    },
    /// An `otpauth://` URI that does not parse; `reason` tells the user why.
    InvalidAccount {
        /// What is wrong, for a person.
        reason: String,
    },
    /// One code of a Google Authenticator export (`otpauth-migration://`): add `part` to a
    /// [`crate::MigrationScans`], which imports the accounts once every code of the export is
    /// scanned. Its text (every secret of its accounts) stays in Rust.
    Migration {
        /// The code's payload, opaque to the shells.
        part: Arc<MigrationPart>,
    },
    /// Anything else: a web address, plain text, or one of Jeton's own sealed codes (a pairing
    /// or a handoff QR code), whose text is passed on as is. Not an authenticator account.
    Text {
        /// The text the code carries, exactly as decoded.
        text: String,
    },
}

/// One code of a Google Authenticator export, as scanned: opaque to Kotlin and Swift (it holds
/// the secrets of up to ten accounts), handed to [`crate::MigrationScans::add`].
#[derive(uniffi::Object)]
pub struct MigrationPart {
    pub(crate) uri: Zeroizing<String>,
}

impl std::fmt::Debug for MigrationPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MigrationPart([redacted])")
    }
}

/// One QR code found in an image: where it is and what it means. The shells never get the
/// text of a code that holds a secret: an account arrives as an [`OtpAccount`], an export's
/// code as an opaque [`MigrationPart`].
#[derive(uniffi::Record)]
pub struct ScannedCode {
    /// Corners: top-left, top-right, bottom-right, bottom-left as the code is drawn.
    pub corners: Vec<ScanPoint>,
    /// What the code holds.
    pub content: ScannedContent,
}

/// Every QR code in a camera frame's luma (Y) plane: `height` rows of `row_stride` bytes, of
/// which the first `width` are pixels. An empty list means no code in this frame.
#[uniffi::export]
pub fn scan_frame(
    luma: Vec<u8>,
    width: u32,
    height: u32,
    row_stride: u32,
) -> Result<Vec<ScannedCode>, JetonError> {
    guard(|| Ok(codes(scan::scan_frame(&luma, width, height, row_stride)?)))
}

/// Every QR code in an image file's bytes (PNG, JPEG, GIF, WebP), e.g. a screenshot.
#[uniffi::export]
pub fn scan_image(bytes: Vec<u8>) -> Result<Vec<ScannedCode>, JetonError> {
    guard(|| Ok(codes(scan::scan_image(&bytes)?)))
}

/// A scanner with its own time budget. [`scan_frame`] uses 100 ms, which keeps a camera preview
/// fluid, and [`scan_image`] 1 s; a slow phone, or a still image picked by the user, may want
/// another.
#[derive(Debug, uniffi::Object)]
pub struct Scanner {
    budget: Duration,
}

#[uniffi::export]
impl Scanner {
    /// A scanner that starts no new pass after `budget_ms` milliseconds (a pass that started
    /// finishes).
    #[uniffi::constructor]
    pub fn new(budget_ms: u32) -> Arc<Self> {
        Arc::new(Self {
            budget: Duration::from_millis(u64::from(budget_ms)),
        })
    }

    /// [`scan_frame`] within this scanner's budget.
    pub fn scan_frame(
        &self,
        luma: Vec<u8>,
        width: u32,
        height: u32,
        row_stride: u32,
    ) -> Result<Vec<ScannedCode>, JetonError> {
        guard(|| {
            let options = ScanOptions {
                budget: self.budget,
                ..ScanOptions::frame()
            };
            Ok(codes(scan::scan_frame_with(
                &luma, width, height, row_stride, &options,
            )?))
        })
    }

    /// [`scan_image`] within this scanner's budget.
    pub fn scan_image(&self, bytes: Vec<u8>) -> Result<Vec<ScannedCode>, JetonError> {
        guard(|| {
            let options = ScanOptions {
                budget: self.budget,
                ..ScanOptions::image()
            };
            Ok(codes(scan::scan_image_with(&bytes, &options)?))
        })
    }
}

fn codes(found: Vec<scan::ScannedCode>) -> Vec<ScannedCode> {
    found.into_iter().map(scanned).collect()
}

fn scanned(code: scan::ScannedCode) -> ScannedCode {
    ScannedCode {
        corners: code
            .corners
            .iter()
            .map(|p| ScanPoint { x: p.x, y: p.y })
            .collect(),
        content: match Content::classify(&code.payload) {
            Content::Account(account) => ScannedContent::Account {
                account: Arc::new(OtpAccount::new(*account)),
            },
            Content::InvalidAccount(error) => ScannedContent::InvalidAccount {
                reason: error.to_string(),
            },
            Content::Migration => ScannedContent::Migration {
                part: Arc::new(MigrationPart {
                    uri: Zeroizing::new(code.payload),
                }),
            },
            Content::Text => ScannedContent::Text { text: code.payload },
        },
    }
}
