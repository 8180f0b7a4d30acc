//! Authenticator Plus (com.mufri.authenticatorplus) backups: a zip archive, encrypted with the
//! backup password, whose entry `Accounts.txt` is a list of `otpauth://` URIs, one a line (read
//! by [`super::plain`]).
//!
//! The app encrypts the entry with the zip format's traditional PKWARE cipher ("ZipCrypto") and
//! compresses it with deflate; the archive is read with the `zip` crate. ZipCrypto is weak (a
//! known plaintext breaks it) and has no authentication tag: the password is checked by one byte
//! of the 12-byte encryption header (a wrong password passes with odds of 1 in 256), then the
//! decrypted, inflated text by the entry's CRC-32. Any failure after the password byte passed is
//! reported as a wrong password "or the file was altered": the two cannot be told apart. Jeton
//! reads this format only to move people out of it.
//!
//! Not read: a SQLCipher database (compatibility 3, table `accounts`), which Aegis read as
//! Authenticator Plus's backup for two months of 2020 before it moved to this zip (Aegis commit
//! 1824d38f, "Import from ZIP for the Authenticator Plus, instead of SQLite databases"); no such
//! file was available to test against, and reading it would need a SQLCipher page decryptor.

use std::io::Cursor;

use zip::ZipArchive;
use zip::result::ZipError;

use super::{Format, ImportError, Read, fields::contains, plain, zipped};

const FORMAT: Format = Format::AuthenticatorPlus;
/// The entry of the archive that holds the accounts.
pub const ENTRY_NAME: &str = "Accounts.txt";
/// How a zip archive starts (a local file header).
const LOCAL_HEADER: &[u8] = b"PK\x03\x04";
/// The largest `Accounts.txt` read (declared or inflated): 10,000 URIs of 400 bytes fit four
/// times over. More is refused before or while inflating it, as a crafted file (a zip bomb).
pub const MAX_LIST_BYTES: u64 = 16 << 20;

type Archive<'a> = ZipArchive<Cursor<&'a [u8]>>;

/// Whether the bytes look like an Authenticator Plus backup: a zip archive that names
/// `Accounts.txt` (its first local header does, so a file cut short is still recognised).
pub(crate) fn looks_like_backup(data: &[u8]) -> bool {
    data.starts_with(LOCAL_HEADER) && contains(data, ENTRY_NAME.as_bytes())
}

/// Whether the backup's `Accounts.txt` is encrypted (the app always encrypts it). A file that
/// cannot be opened as a zip archive counts as encrypted, so that reading it names the damage.
pub fn is_encrypted(data: &[u8]) -> bool {
    let Ok((mut archive, index)) = open(data) else {
        return true;
    };
    archive.by_index_raw(index).map_or(true, |f| f.encrypted())
}

/// Reads a backup with its password.
pub fn read(data: &[u8], password: Option<&str>) -> Result<Read, ImportError> {
    let (mut archive, index) = open(data)?;
    let (encrypted, declared) = archive
        .by_index_raw(index)
        .map(|f| (f.encrypted(), f.size()))
        .map_err(damaged)?;
    if declared > MAX_LIST_BYTES {
        return Err(too_large(declared));
    }
    let password = match (encrypted, password) {
        (true, None) => return Err(ImportError::PasswordRequired(FORMAT)),
        (true, Some(password)) => Some(password.as_bytes()),
        (false, _) => None,
    };
    let file = match password {
        Some(password) => archive.by_index_decrypt(index, password),
        None => archive.by_index(index),
    };
    let file = file.map_err(|e| match e {
        ZipError::InvalidPassword => ImportError::WrongPassword(FORMAT),
        ZipError::UnsupportedArchive(what) => ImportError::unsupported(
            FORMAT,
            format!("{what} (Jeton reads ZipCrypto entries, stored or deflated)"),
        ),
        other => damaged(other),
    })?;
    // An inflate or CRC-32 failure: a wrong password that passed the check byte, or an altered
    // file (a plain entry: an altered file).
    let failed = || match password {
        Some(_) => ImportError::WrongPassword(FORMAT),
        None => ImportError::malformed(
            FORMAT,
            format!("{ENTRY_NAME} does not inflate or does not match its CRC-32"),
        ),
    };
    let text = zipped::read_bounded(file, declared, MAX_LIST_BYTES, failed, too_large)?;
    plain::read(super::utf8(&text, FORMAT)?)
}

/// The archive and the index of its `Accounts.txt`: the first entry of that name, in any
/// folder (the way Aegis's importer finds it).
fn open(data: &[u8]) -> Result<(Archive<'_>, usize), ImportError> {
    let archive = ZipArchive::new(Cursor::new(data)).map_err(damaged)?;
    let index = (0..archive.len())
        .find(|&i| {
            archive
                .name_for_index(i)
                .is_some_and(|name| name.rsplit(['/', '\\']).next() == Some(ENTRY_NAME))
        })
        .ok_or_else(|| {
            ImportError::malformed(FORMAT, format!("the archive holds no {ENTRY_NAME}"))
        })?;
    Ok((archive, index))
}

fn too_large(len: u64) -> ImportError {
    zipped::too_large(FORMAT, ENTRY_NAME, len, MAX_LIST_BYTES)
}

fn damaged(error: ZipError) -> ImportError {
    zipped::damaged(FORMAT, error)
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, ZipWriter};

    use super::*;

    const LIST: &str = "otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&issuer=Deno\n";

    /// A zip holding `entries`, deflated, not encrypted (the `zip` crate writes ZipCrypto only
    /// through a private API; the encrypted path is tested on the real file in
    /// `core/tests/authenticator_plus.rs`).
    fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        for (name, bytes) in entries {
            writer.start_file(*name, options).unwrap();
            writer.write_all(bytes).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn a_plain_entry_in_a_folder_is_read_without_a_password() {
        let data = zip(&[
            ("notes.txt", b"x"),
            ("backup/Accounts.txt", LIST.as_bytes()),
        ]);
        assert!(looks_like_backup(&data));
        assert!(!is_encrypted(&data));
        let (entries, refused) = read(&data, None).unwrap();
        assert_eq!((entries.len(), refused.len()), (1, 0));
        assert_eq!(entries[0].account.name, "Mason");
        // A password given for a plain entry is not needed, and does no harm.
        assert_eq!(read(&data, Some("x")).unwrap().0.len(), 1);
    }

    #[test]
    fn an_archive_without_the_list_is_damaged() {
        let data = zip(&[("Accounts.txt.bak", LIST.as_bytes())]);
        assert!(
            matches!(read(&data, Some("x")), Err(ImportError::Malformed { detail, .. }) if detail.contains("no Accounts.txt"))
        );
        assert!(matches!(
            read(b"PK\x03\x04", None),
            Err(ImportError::Malformed { .. })
        ));
        assert!(!looks_like_backup(b"Accounts.txt"));
    }

    #[test]
    fn a_list_bigger_than_the_limit_is_refused() {
        let big = vec![b'\n'; usize::try_from(MAX_LIST_BYTES).unwrap() + 1];
        let data = zip(&[("Accounts.txt", &big)]);
        assert!(data.len() < 100_000, "a small file: {}", data.len());
        assert!(
            matches!(read(&data, None), Err(ImportError::Malformed { detail, .. }) if detail.contains("more than Jeton reads"))
        );
        // A declared size that lies is stopped while inflating: `zipped`'s tests.
    }
}
