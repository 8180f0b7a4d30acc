//! A small real vault, made once per fuzzing process, that each input copies and tampers with.
//!
//! The vault's header and record decoders are private, so the targets reach them the way an
//! attacker with write access to the file would: by changing the file's SQLite rows, then
//! opening and unlocking it. The vault uses the cheap test KDF so that each unlock costs
//! microseconds.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use jeton_core::vault::{self, KdfParams, KeyWrapError, KeyWrapper, Vault};
use jeton_core::{ClockOffset, uri};

/// The passphrase of the template vault.
pub const PASSPHRASE: &str = "fuzz passphrase";

/// A platform "keystore" that stores the vault key as it is: the header then holds the raw key,
/// so mutated platform slots still reach the canary and the header MAC.
pub struct Identity;

impl KeyWrapper for Identity {
    fn wrap(&self, vault_key: &[u8]) -> Result<Vec<u8>, KeyWrapError> {
        Ok(vault_key.to_vec())
    }
    fn unwrap(&self, wrapped: &[u8]) -> Result<Vec<u8>, KeyWrapError> {
        Ok(wrapped.to_vec())
    }
}

/// The template vault.
pub struct Template {
    /// The file's bytes (WAL checkpointed into it).
    pub bytes: Vec<u8>,
    /// Its accounts, as an unlocked vault lists them.
    pub entries: Vec<vault::Entry>,
    /// Its clock offset.
    pub clock: ClockOffset,
    /// Where inputs are written.
    pub work: PathBuf,
}

/// A scratch directory: in memory when `/dev/shm` exists.
fn scratch() -> PathBuf {
    let base = Path::new("/dev/shm");
    let base = if base.is_dir() {
        base.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    let dir = base.join(format!("jeton-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The template, made on first use.
pub fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = scratch();
        let path = dir.join("template.jeton");
        remove(&path);
        let mut vault =
            Vault::create_with_kdf(&path, PASSPHRASE, KdfParams::INSECURE_FAST_FOR_TESTS).unwrap();
        for text in [
            "otpauth://totp/Omnivox:2412345?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Omnivox",
            "otpauth://hotp/Bank:marie?secret=JBSWY3DPEHPK3PXP&counter=7&digits=8&algorithm=SHA256",
        ] {
            vault.add(uri::parse(text).unwrap()).unwrap();
        }
        let clock = ClockOffset::from_seconds(42);
        vault.set_clock_offset(clock).unwrap();
        vault.add_platform_slot(&Identity).unwrap();
        let entries = vault.list().unwrap();
        drop(vault);
        // Fold any WAL left behind into the main file, so the bytes are the whole vault.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        drop(conn);
        let bytes = std::fs::read(&path).unwrap();
        // For making seeds (docs/fuzzing.md): a copy of the template where asked.
        if let Some(out) = std::env::var_os("JETON_FUZZ_TEMPLATE_OUT") {
            std::fs::write(out, &bytes).unwrap();
        }
        remove(&path);
        Template {
            bytes,
            entries,
            clock,
            work: dir.join("input.jeton"),
        }
    })
}

/// Removes a vault file and its SQLite companions.
pub fn remove(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(name);
    }
}

impl Template {
    /// Writes a fresh copy of the template to the work path, lets `tamper` change it through
    /// SQLite, and returns the path.
    pub fn copy_with(&self, tamper: impl FnOnce(&rusqlite::Connection)) -> &Path {
        remove(&self.work);
        std::fs::write(&self.work, &self.bytes).unwrap();
        let conn = rusqlite::Connection::open(&self.work).unwrap();
        tamper(&conn);
        drop(conn);
        &self.work
    }

    /// Opens the vault at the work path and unlocks it every way it can; checks that whatever
    /// comes out is what the template holds (tampering may hide accounts, never forge them).
    pub fn open_and_check(&self, passphrase_too: bool) {
        let Ok(mut vault) = Vault::open(&self.work) else {
            return;
        };
        let _ = vault.passphrase_kdf();
        let _ = vault.platform_slots();
        if vault.unlock_with(&Identity).is_ok() {
            self.check(&vault);
            vault.lock();
        }
        if passphrase_too && vault.unlock_with_passphrase(PASSPHRASE).is_ok() {
            self.check(&vault);
        }
    }

    fn check(&self, vault: &Vault) {
        let listed = vault.list().unwrap();
        for entry in &listed {
            assert!(
                self.entries.contains(entry),
                "an account the vault never held was listed: {entry:?}"
            );
        }
        let _ = vault.codes_at(1_800_000_000).unwrap();
        if let Some(clock) = vault.clock_offset().unwrap() {
            assert_eq!(clock, self.clock, "a clock offset the vault never stored");
        }
        let _ = vault.damaged();
    }
}
