//! Automatic backups, Aegis's behaviour with Jeton's backup format: after each change of the
//! vault's accounts, a backup in a folder the user chose, the last N kept
//! (design: `docs/adr/0007-automatic-backups.md`).
//!
//! This module does the files; the vault keeps the choice ([`AutoBackup`]) and the
//! passphrase's [`BackupKey`] sealed under its own key, and calls [`AutoBackup::write`] after
//! each committed change, so every front end (CLI, Android, iOS) gets it by changing the vault.
//!
//! A backup is named `jeton-backup-YYYYMMDD-HHMMSS-mmm.json` (UTC): names sort in the order
//! the backups were written, even if the device's clock goes back (a new name is always later
//! than the newest one there). It is written to a temporary file in the folder, flushed, then
//! renamed, so a backup is whole or absent. Then the oldest beyond N are removed. Only names of
//! exactly that form are counted or removed: other files in the folder are never touched.
//!
//! ```
//! use jeton_core::account::Entry;
//! use jeton_core::backup::{self, BackupKey, KdfParams, auto::AutoBackup};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let account = jeton_core::uri::parse("otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ").unwrap();
//! let key = BackupKey::derive("correct horse", KdfParams::OWASP_MINIMUM).unwrap();
//! let choice = AutoBackup::new(dir.path().to_str().unwrap(), 2).unwrap();
//! for at in [1_000, 2_000, 3_000] {
//!     choice.write(&key, &[Entry::new(account.clone())], at).unwrap();
//! }
//! let kept = choice.backups().unwrap();
//! assert_eq!(kept.len(), 2);
//! assert!(kept[1].ends_with("jeton-backup-19700101-000003-000.json"));
//! let file = std::fs::read(&kept[1]).unwrap();
//! assert!(backup::drill(&file, "correct horse", &[account]).unwrap().passed());
//! ```

use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use data_encoding::HEXLOWER;
use zeroize::Zeroizing;

use super::{BackupError, BackupKey};
use crate::account::Entry;
use crate::seal;

/// What every automatic backup's name starts with.
pub const PREFIX: &str = "jeton-backup-";
/// What every automatic backup's name ends with.
pub const SUFFIX: &str = ".json";
/// How many backups are kept when the user does not say.
pub const DEFAULT_KEEP: usize = 10;
/// The most backups one may ask to keep.
pub const MAX_KEEP: usize = 1000;
/// The longest folder name kept.
pub const MAX_FOLDER_LEN: usize = 4096;
/// The version of [`AutoBackup::encode`]'s bytes.
const ENCODING: u8 = 1;

/// Why an automatic backup could not be set up or written. A failed backup never undoes or
/// blocks the vault change that asked for it; the vault reports it (`Vault::last_auto_backup`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AutoBackupError {
    /// The number of backups to keep is out of range.
    #[error("keep between 1 and {MAX_KEEP} automatic backups (not {0})")]
    Keep(usize),
    /// The folder's name is empty or too long.
    #[error("choose a folder for automatic backups (a name of at most {MAX_FOLDER_LEN} bytes)")]
    FolderName,
    /// The folder does not exist (deleted, or its drive is not mounted).
    #[error(
        "the backup folder {0} is missing (deleted, or its drive is not mounted); the change is saved in the vault, but not backed up"
    )]
    FolderMissing(String),
    /// The disk is full.
    #[error(
        "the backup folder {0} is full; the change is saved in the vault, but not backed up: free some space"
    )]
    Full(String),
    /// The folder cannot be written (read-only, no permission, I/O error).
    #[error(
        "cannot write a backup in {folder} ({reason}); the change is saved in the vault, but not backed up"
    )]
    Write {
        /// The folder.
        folder: String,
        /// What the system said.
        reason: String,
    },
    /// The new backup was written, but an older one beyond the number kept was not removed.
    #[error("the backup {written} was written, but an older one could not be removed: {reason}")]
    Prune {
        /// The backup just written.
        written: String,
        /// What the system said.
        reason: String,
    },
    /// The vault's automatic backup setting does not open.
    #[error(
        "the automatic backup settings in the vault are damaged; the change is saved, but not backed up: turn automatic backups on again"
    )]
    Settings,
    /// The backup could not be sealed.
    #[error("the backup could not be sealed: {0}")]
    Seal(BackupError),
}

/// The user's choice: a folder and how many backups to keep there. No secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoBackup {
    folder: String,
    keep: usize,
}

/// A backup written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The new backup.
    pub path: PathBuf,
    /// How many older backups were removed.
    pub removed: usize,
}

impl AutoBackup {
    /// Backups in `folder` (a path on this device), the newest `keep` kept (1 to
    /// [`MAX_KEEP`]). The folder is checked when a backup is written, not here.
    pub fn new(folder: impl Into<String>, keep: usize) -> Result<Self, AutoBackupError> {
        let folder = folder.into();
        if folder.is_empty() || folder.len() > MAX_FOLDER_LEN {
            return Err(AutoBackupError::FolderName);
        }
        if keep == 0 || keep > MAX_KEEP {
            return Err(AutoBackupError::Keep(keep));
        }
        Ok(Self { folder, keep })
    }

    /// The folder.
    pub fn folder(&self) -> &Path {
        Path::new(&self.folder)
    }

    /// How many backups are kept.
    pub fn keep(&self) -> usize {
        self.keep
    }

    /// The automatic backups in the folder, oldest first (only names this module writes).
    pub fn backups(&self) -> Result<Vec<PathBuf>, AutoBackupError> {
        Ok(self.listed()?.into_iter().map(|(_, path)| path).collect())
    }

    fn listed(&self) -> Result<Vec<(u64, PathBuf)>, AutoBackupError> {
        let entries = std::fs::read_dir(self.folder()).map_err(|e| self.io_error(&e))?;
        let mut found = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| self.io_error(&e))?;
            let name = entry.file_name();
            if let Some(ms) = name.to_str().and_then(time_of) {
                found.push((ms, entry.path()));
            }
        }
        found.sort();
        Ok(found)
    }

    /// Seals `entries` with `key` into a new backup named after `now_ms` (Unix milliseconds,
    /// or just after the newest backup there if that is later), then removes the oldest beyond
    /// the number kept.
    pub fn write(
        &self,
        key: &BackupKey,
        entries: &[Entry],
        now_ms: u64,
    ) -> Result<Written, AutoBackupError> {
        if !self.folder().is_dir() {
            return Err(AutoBackupError::FolderMissing(self.folder.clone()));
        }
        let file = key.seal(entries).map_err(AutoBackupError::Seal)?;
        let mut at = match self.listed()?.last() {
            Some((newest, _)) => now_ms.max(newest.saturating_add(1)),
            None => now_ms,
        };
        let temp = self.write_temp(&file)?;
        let path = loop {
            let path = self.folder().join(name_at(at));
            if !path.exists() {
                break path;
            }
            at = at.saturating_add(1);
        };
        if let Err(e) = std::fs::rename(&temp, &path) {
            let _ = std::fs::remove_file(&temp);
            return Err(self.io_error(&e));
        }
        sync_folder(self.folder());
        let removed = self.prune(&path)?;
        Ok(Written { path, removed })
    }

    /// Writes `bytes` to a new temporary file in the folder (owner-only, flushed to disk).
    fn write_temp(&self, bytes: &[u8]) -> Result<PathBuf, AutoBackupError> {
        let mut random = [0u8; 8];
        seal::fill_random(&mut random)
            .map_err(|e| AutoBackupError::Seal(BackupError::Random(e.to_string())))?;
        let temp = self
            .folder()
            .join(format!(".{PREFIX}{}.tmp", HEXLOWER.encode(&random)));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let written = options.open(&temp).and_then(|mut out| {
            out.write_all(bytes)?;
            out.sync_all()
        });
        if let Err(e) = written {
            let _ = std::fs::remove_file(&temp);
            return Err(self.io_error(&e));
        }
        Ok(temp)
    }

    /// Removes the oldest backups beyond the number kept; returns how many.
    fn prune(&self, written: &Path) -> Result<usize, AutoBackupError> {
        let failed = |reason: String| AutoBackupError::Prune {
            written: written.display().to_string(),
            reason,
        };
        let all = self.listed().map_err(|e| failed(e.to_string()))?;
        let excess = all.len().saturating_sub(self.keep);
        for (_, old) in all.iter().take(excess) {
            match std::fs::remove_file(old) {
                Ok(()) => {}
                // Removed by someone else meanwhile: the goal is reached.
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(failed(format!("{}: {e}", old.display()))),
            }
        }
        Ok(excess)
    }

    fn io_error(&self, e: &std::io::Error) -> AutoBackupError {
        let folder = self.folder.clone();
        match e.kind() {
            ErrorKind::StorageFull | ErrorKind::QuotaExceeded => AutoBackupError::Full(folder),
            ErrorKind::NotFound => AutoBackupError::FolderMissing(folder),
            _ => AutoBackupError::Write {
                folder,
                reason: e.to_string(),
            },
        }
    }

    /// The choice and the key as bytes, for the vault to keep sealed. Wiped on drop.
    pub fn encode(&self, key: &BackupKey) -> Zeroizing<Vec<u8>> {
        let key = key.encode();
        let mut out = Zeroizing::new(Vec::with_capacity(
            1 + 4 + 4 + self.folder.len() + key.len(),
        ));
        out.push(ENCODING);
        out.extend_from_slice(&u32::try_from(self.keep).unwrap_or(u32::MAX).to_be_bytes());
        out.extend_from_slice(
            &u32::try_from(self.folder.len())
                .unwrap_or(u32::MAX)
                .to_be_bytes(),
        );
        out.extend_from_slice(self.folder.as_bytes());
        out.extend_from_slice(&key);
        out
    }

    /// Reads what [`AutoBackup::encode`] wrote; `None` if the bytes are not that.
    pub fn decode(bytes: &[u8]) -> Option<(Self, BackupKey)> {
        let (&version, rest) = bytes.split_first()?;
        if version != ENCODING {
            return None;
        }
        let word = |at: usize| -> Option<usize> {
            let bytes: [u8; 4] = rest.get(at..at + 4)?.try_into().ok()?;
            usize::try_from(u32::from_be_bytes(bytes)).ok()
        };
        let keep = word(0)?;
        let len = word(4)?;
        let folder = std::str::from_utf8(rest.get(8..8usize.checked_add(len)?)?).ok()?;
        let key = BackupKey::decode(rest.get(8 + len..)?)?;
        let choice = Self::new(folder, keep).ok()?;
        Some((choice, key))
    }
}

/// Flushes the folder's entry list, so a rename survives a power cut (best effort: not every
/// platform lets a folder be opened).
fn sync_folder(folder: &Path) {
    #[cfg(unix)]
    if let Ok(dir) = std::fs::File::open(folder) {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = folder;
}

/// The name of a backup written at `ms` (Unix milliseconds, UTC).
pub fn name_at(ms: u64) -> String {
    let secs = ms / 1000;
    let days = i64::try_from(secs / 86_400).unwrap_or(i64::MAX / 2);
    let (year, month, day) = civil_from_days(days);
    let rest = secs % 86_400;
    format!(
        "{PREFIX}{year:04}{month:02}{day:02}-{:02}{:02}{:02}-{:03}{SUFFIX}",
        rest / 3600,
        rest / 60 % 60,
        rest % 60,
        ms % 1000
    )
}

/// The time (Unix milliseconds) in a name that [`name_at`] wrote; `None` for any other name.
pub fn time_of(name: &str) -> Option<u64> {
    let stamp = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    let bytes = stamp.as_bytes();
    if bytes.len() != 19 || bytes[8] != b'-' || bytes[15] != b'-' {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<u64> {
        let digits = stamp.get(from..to)?;
        if digits.bytes().all(|b| b.is_ascii_digit()) {
            digits.parse().ok()
        } else {
            None
        }
    };
    let (year, month, day) = (number(0, 4)?, number(4, 6)?, number(6, 8)?);
    let (hour, minute, second) = (number(9, 11)?, number(11, 13)?, number(13, 15)?);
    let milli = number(16, 19)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let days = days_from_civil(i64::try_from(year).ok()?, month, day);
    let secs = u64::try_from(days).ok()? * 86_400 + hour * 3600 + minute * 60 + second;
    let ms = secs.checked_mul(1000)?.checked_add(milli)?;
    // Only the canonical spelling (no 31 February, no second 60) is ours.
    (name_at(ms) == name).then_some(ms)
}

/// Year, month and day of a day count since 1970-01-01 (proleptic Gregorian; Howard
/// Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u64, u64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        u64::try_from(month).unwrap_or(1),
        u64::try_from(day).unwrap_or(1),
    )
}

/// Days since 1970-01-01 of a date (the inverse of [`civil_from_days`]).
fn days_from_civil(year: i64, month: u64, day: u64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let month = i64::try_from(month).unwrap_or(1);
    let day = i64::try_from(day).unwrap_or(1);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_utc_timestamps_that_round_trip() {
        // Expected values from `date -u -d @SECONDS +%Y%m%d-%H%M%S`.
        assert_eq!(name_at(0), "jeton-backup-19700101-000000-000.json");
        assert_eq!(
            name_at(951_782_400_007),
            "jeton-backup-20000229-000000-007.json"
        );
        assert_eq!(
            name_at(1_795_000_000_999),
            "jeton-backup-20261118-110640-999.json"
        );
        assert_eq!(
            name_at(4_102_444_799_000),
            "jeton-backup-20991231-235959-000.json"
        );
        for ms in [0, 951_782_400_007, 1_795_000_000_999, 4_102_444_799_000] {
            assert_eq!(time_of(&name_at(ms)), Some(ms));
        }
    }

    #[test]
    fn names_sort_in_time_order() {
        let times = [
            0u64,
            999,
            1_000,
            59_999,
            86_399_999,
            951_782_400_007,
            4_102_444_799_000,
        ];
        let names: Vec<String> = times.iter().map(|&t| name_at(t)).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
    }

    #[test]
    fn only_canonical_names_are_ours() {
        for name in [
            "jeton-backup-20260231-000000-000.json",
            "jeton-backup-20261118-110660-000.json",
            "jeton-backup-20261118-110640-00.json",
            "jeton-backup-2026111a-110640-000.json",
            "jeton-backup-20261118-110640-000.json.tmp",
            ".jeton-backup-0123456789abcdef.tmp",
            "notes.json",
        ] {
            assert_eq!(time_of(name), None, "{name}");
        }
    }

    #[test]
    fn a_clock_that_goes_back_still_names_the_newest_backup_last() {
        let dir = tempfile::tempdir().unwrap();
        let key = BackupKey::derive(
            "correct horse",
            crate::seal::KdfParams::INSECURE_FAST_FOR_TESTS,
        )
        .unwrap();
        let choice = AutoBackup::new(dir.path().to_str().unwrap(), 2).unwrap();
        let first = choice.write(&key, &[], 5_000).unwrap();
        // The clock went back an hour, then two backups in the same millisecond.
        let second = choice.write(&key, &[], 1_000).unwrap();
        let third = choice.write(&key, &[], 1_000).unwrap();
        assert!(
            second
                .path
                .ends_with("jeton-backup-19700101-000005-001.json")
        );
        assert!(
            third
                .path
                .ends_with("jeton-backup-19700101-000005-002.json")
        );
        assert_eq!(third.removed, 1);
        assert_eq!(choice.backups().unwrap(), vec![second.path, third.path]);
        assert!(
            !first.path.exists(),
            "the oldest, not the newest, was removed"
        );
    }

    #[test]
    fn the_choice_is_checked() {
        assert_eq!(AutoBackup::new("/x", 0), Err(AutoBackupError::Keep(0)));
        assert_eq!(
            AutoBackup::new("/x", MAX_KEEP + 1),
            Err(AutoBackupError::Keep(MAX_KEEP + 1))
        );
        assert_eq!(AutoBackup::new("", 3), Err(AutoBackupError::FolderName));
        assert!(AutoBackup::new("/x", MAX_KEEP).is_ok());
    }

    #[test]
    fn the_choice_and_key_round_trip_and_damage_is_refused() {
        let key = BackupKey::derive(
            "correct horse",
            crate::seal::KdfParams::INSECURE_FAST_FOR_TESTS,
        )
        .unwrap();
        let choice = AutoBackup::new("/sdcard/Jeton sauvegardes", 7).unwrap();
        let bytes = choice.encode(&key);
        let (back, back_key) = AutoBackup::decode(&bytes).unwrap();
        assert_eq!(back, choice);
        assert_eq!(back_key.encode().as_slice(), key.encode().as_slice());
        assert!(AutoBackup::decode(&bytes[..bytes.len() - 1]).is_none());
        let mut longer = bytes.to_vec();
        longer.push(0);
        assert!(AutoBackup::decode(&longer).is_none());
        assert!(AutoBackup::decode(&[]).is_none());
        assert!(!format!("{key:?}").contains("key:"));
    }
}
