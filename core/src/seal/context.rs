//! What a sealed value is bound to: its associated data, one variant per place Jeton seals.
//! The byte encodings are part of the file formats (docs/adr/0001-vault-format.md) and must not
//! change for a format already written.

use super::KdfParams;

/// The associated data of a seal: a value sealed in one context does not open in another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context<'a> {
    /// A vault's canary (a known value that proves the key).
    VaultCanary {
        /// The vault format it is written in.
        format: u16,
        /// The vault's id.
        vault_id: &'a [u8; 16],
    },
    /// A vault's account index (generation and revisions).
    VaultIndex {
        /// The vault format.
        format: u16,
        /// The vault's id.
        vault_id: &'a [u8; 16],
    },
    /// The clock correction of a version-1 vault (later versions keep it in the index).
    VaultClock {
        /// The vault format.
        format: u16,
        /// The vault's id.
        vault_id: &'a [u8; 16],
    },
    /// One field of one account at one revision.
    VaultField {
        /// The vault format.
        format: u16,
        /// The vault's id.
        vault_id: &'a [u8; 16],
        /// The account's id.
        account: &'a [u8; 16],
        /// The account's revision.
        revision: u64,
        /// The field's tag.
        field: u8,
    },
    /// A vault key wrapped by a passphrase slot, with the slot's own parameters.
    PassphraseSlot {
        /// The vault's id.
        vault_id: &'a [u8; 16],
        /// The slot's Argon2id costs.
        kdf: &'a KdfParams,
        /// The slot's salt.
        salt: &'a [u8],
    },
    /// A vault key wrapped by the desktop's software key wrapper.
    SoftwareKeyWrapper,
    /// A Jeton backup's contents, bound to its header.
    Backup {
        /// The backup format version.
        version: u64,
        /// The header as serialized in its fixed field order.
        header: &'a [u8],
    },
    /// A vault's sync state (the sync key and what the devices have seen).
    VaultSyncState {
        /// The vault format.
        format: u16,
        /// The vault's id.
        vault_id: &'a [u8; 16],
    },
    /// A vault's automatic backup setting (the folder, how many to keep, the backup key).
    VaultAutoBackup {
        /// The vault format.
        format: u16,
        /// The vault's id.
        vault_id: &'a [u8; 16],
    },
    /// The canary of a sync store, which proves the sync key when a device joins.
    SyncCanary {
        /// The sync format version.
        version: u16,
    },
    /// One file of one device's sync log: bound to its name, so that it opens nowhere else.
    SyncOps {
        /// The sync format version.
        version: u16,
        /// The writing device's id.
        device: &'a [u8; 16],
        /// The file's place in that device's log.
        seq: u64,
    },
    /// A snapshot of the merged sync state: bound to its name, so that it opens nowhere else.
    SyncSnapshot {
        /// The sync format version.
        version: u16,
        /// The writing device's id.
        device: &'a [u8; 16],
        /// The log file that announced it.
        seq: u64,
    },
    /// A pairing invitation (sync key and store address), sealed with a short code.
    Pairing {
        /// The invitation format version.
        version: u8,
        /// The salt of the code's Argon2id.
        salt: &'a [u8],
    },
    /// A sync key kept on the sync storage, sealed with a recovery passphrase.
    SyncRecovery {
        /// The recovery file format version.
        version: u8,
        /// The salt of the passphrase's Argon2id.
        salt: &'a [u8],
    },
    /// Accounts handed from phone to phone as a series of QR codes, sealed with a short code.
    Handoff {
        /// The series format version.
        version: u8,
        /// The salt of the code's Argon2id.
        salt: &'a [u8],
    },
    /// Raw associated data, for test vectors only.
    #[cfg(test)]
    Raw(&'a [u8]),
}

impl Context<'_> {
    /// The associated data bytes.
    pub(super) fn associated_data(&self) -> Vec<u8> {
        let vault = |label: &[u8], format: u16, vault_id: &[u8; 16]| {
            let mut aad = label.to_vec();
            aad.extend_from_slice(&format.to_be_bytes());
            aad.extend_from_slice(vault_id);
            aad
        };
        match *self {
            Self::VaultCanary { format, vault_id } => vault(b"jeton/canary", format, vault_id),
            Self::VaultIndex { format, vault_id } => vault(b"jeton/index", format, vault_id),
            Self::VaultClock { format, vault_id } => vault(b"jeton/clock", format, vault_id),
            Self::VaultField {
                format,
                vault_id,
                account,
                revision,
                field,
            } => {
                let mut aad = vault(b"jeton/field", format, vault_id);
                aad.extend_from_slice(account);
                aad.extend_from_slice(&revision.to_be_bytes());
                aad.push(field);
                aad
            }
            Self::PassphraseSlot {
                vault_id,
                kdf,
                salt,
            } => {
                let mut aad = b"jeton/slot/passphrase/v1".to_vec();
                aad.extend_from_slice(vault_id);
                aad.extend_from_slice(&kdf.memory_kib.to_be_bytes());
                aad.extend_from_slice(&kdf.iterations.to_be_bytes());
                aad.extend_from_slice(&kdf.parallelism.to_be_bytes());
                aad.extend_from_slice(salt);
                aad
            }
            Self::VaultSyncState { format, vault_id } => {
                vault(b"jeton/sync-state", format, vault_id)
            }
            Self::VaultAutoBackup { format, vault_id } => {
                vault(b"jeton/auto-backup", format, vault_id)
            }
            Self::SyncCanary { version } => {
                let mut aad = b"jeton-sync/canary/".to_vec();
                aad.extend_from_slice(&version.to_be_bytes());
                aad
            }
            Self::SyncOps {
                version,
                device,
                seq,
            } => {
                let mut aad = b"jeton-sync/ops/".to_vec();
                aad.extend_from_slice(&version.to_be_bytes());
                aad.extend_from_slice(device);
                aad.extend_from_slice(&seq.to_be_bytes());
                aad
            }
            Self::SyncSnapshot {
                version,
                device,
                seq,
            } => {
                let mut aad = b"jeton-sync/snapshot/".to_vec();
                aad.extend_from_slice(&version.to_be_bytes());
                aad.extend_from_slice(device);
                aad.extend_from_slice(&seq.to_be_bytes());
                aad
            }
            Self::Pairing { version, salt } => {
                let mut aad = b"jeton-pair/".to_vec();
                aad.push(version);
                aad.extend_from_slice(salt);
                aad
            }
            Self::SyncRecovery { version, salt } => {
                let mut aad = b"jeton-sync-recovery/".to_vec();
                aad.push(version);
                aad.extend_from_slice(salt);
                aad
            }
            Self::Handoff { version, salt } => {
                let mut aad = b"jeton-move/".to_vec();
                aad.push(version);
                aad.extend_from_slice(salt);
                aad
            }
            Self::SoftwareKeyWrapper => b"jeton/software-key-wrapper/v1".to_vec(),
            Self::Backup { version, header } => {
                let mut aad = format!("jeton-backup/{version}\n").into_bytes();
                aad.extend_from_slice(header);
                aad
            }
            #[cfg(test)]
            Self::Raw(aad) => aad.to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_the_written_formats() {
        let id = [7u8; 16];
        let field = Context::VaultField {
            format: 1,
            vault_id: &id,
            account: &[9u8; 16],
            revision: 3,
            field: 2,
        };
        let mut expected = b"jeton/field\x00\x01".to_vec();
        expected.extend([7u8; 16]);
        expected.extend([9u8; 16]);
        expected.extend([0, 0, 0, 0, 0, 0, 0, 3, 2]);
        assert_eq!(field.associated_data(), expected);
        let backup = Context::Backup {
            version: 1,
            header: b"{}",
        };
        assert_eq!(backup.associated_data(), b"jeton-backup/1\n{}");
        let auto_backup = Context::VaultAutoBackup {
            format: 2,
            vault_id: &id,
        };
        let mut expected = b"jeton/auto-backup\x00\x02".to_vec();
        expected.extend([7u8; 16]);
        assert_eq!(auto_backup.associated_data(), expected);
    }
}
