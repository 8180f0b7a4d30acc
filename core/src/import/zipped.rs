//! Reading one entry of a zip archive into memory, bounded: the readers of zip exports
//! (Authenticator Plus, Proton Pass) refuse an entry bigger than their limit before inflating
//! it (by its declared size) and while inflating it (a declared size can lie: a zip bomb).

use zeroize::Zeroizing;
use zip::result::ZipError;

use super::{Format, ImportError};

const CHUNK: usize = 8 * 1024;

/// Reads `reader` to its end into a zeroizing buffer, refusing more than `limit` bytes with
/// `too_large(bytes read so far)`; a read error (an inflate or CRC-32 failure) becomes
/// `failed()`. The buffer is sized from the `declared` size and, when that was a lie, grown by
/// copying into a new zeroizing buffer (never reallocated in place, which would leave the old
/// bytes behind).
pub(crate) fn read_bounded(
    mut reader: impl std::io::Read,
    declared: u64,
    limit: u64,
    failed: impl Fn() -> ImportError,
    too_large: impl Fn(u64) -> ImportError,
) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let capacity = usize::try_from(declared).map_or(limit, |d| d.min(limit));
    let mut out = Zeroizing::new(Vec::with_capacity(capacity.saturating_add(1)));
    let mut chunk = Zeroizing::new([0u8; CHUNK]);
    loop {
        let n = reader.read(&mut chunk[..]).map_err(|_| failed())?;
        if n == 0 {
            return Ok(out);
        }
        let len = out.len() + n;
        if len > limit {
            return Err(too_large(len as u64));
        }
        if len > out.capacity() {
            let mut grown =
                Zeroizing::new(Vec::with_capacity(len.max(out.capacity() * 2).min(limit)));
            grown.extend_from_slice(&out);
            out = grown;
        }
        out.extend_from_slice(&chunk[..n]);
    }
}

/// `entry` of a `format` archive is `len` bytes or more, over `limit`.
pub(crate) fn too_large(format: Format, entry: &str, len: u64, limit: u64) -> ImportError {
    ImportError::malformed(
        format,
        format!("{entry} is {len} bytes or more, more than Jeton reads ({limit})"),
    )
}

/// A `format` file that the `zip` crate cannot read as an archive.
pub(crate) fn damaged(format: Format, error: ZipError) -> ImportError {
    ImportError::malformed(format, format!("not a readable zip archive: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::Format;

    fn failed() -> ImportError {
        ImportError::WrongPassword(Format::AuthenticatorPlus)
    }

    fn too_large(len: u64) -> ImportError {
        ImportError::malformed(Format::AuthenticatorPlus, format!("{len} bytes"))
    }

    #[test]
    fn a_lying_declared_size_stops_at_the_limit_and_grows_when_small() {
        // Endless input declared as 10 bytes: stopped at the limit all the same.
        let endless = std::io::repeat(b'\n');
        assert!(matches!(
            read_bounded(endless, 10, 1 << 20, failed, too_large),
            Err(ImportError::Malformed { detail, .. }) if detail == format!("{} bytes", (1 << 20) + CHUNK)
        ));
        // More than declared, within the limit: read whole.
        let grown = read_bounded(&[7u8; 3 * CHUNK][..], 1, 1 << 20, failed, too_large).unwrap();
        assert_eq!(grown.as_slice(), &[7u8; 3 * CHUNK][..]);
        // Exactly the limit is allowed; one byte more is not.
        assert_eq!(
            read_bounded(&[1u8; 100][..], 100, 100, failed, too_large)
                .unwrap()
                .len(),
            100
        );
        assert!(read_bounded(&[1u8; 101][..], 100, 100, failed, too_large).is_err());
    }

    #[test]
    fn a_read_error_is_the_callers_error() {
        struct Broken;
        impl std::io::Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("crc"))
            }
        }
        assert_eq!(
            read_bounded(Broken, 1, 100, failed, too_large),
            Err(failed())
        );
    }
}
