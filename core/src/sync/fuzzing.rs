//! For the `sync_sealed` fuzz target only (the `test-params` feature): open a store file to the
//! plaintext body a device sealed, and seal any body under a file's name, so that the JSON past
//! the AEAD check — which no one without the sync key can reach — meets the fuzzer too.

use zeroize::Zeroizing;

use super::id::Id;
use super::keys::SyncKey;
use super::log::{self, Name, VERSION};
use super::snapshot;
use crate::seal::Context;

/// What a sealed file's name says: its magic, device, sequence and whether it is a snapshot.
fn parts(name: &str) -> Option<(&'static [u8], Id, u64, bool)> {
    match log::parse_name(name).ok()? {
        Name::Op(device, seq) => Some((log::OP_MAGIC, device, seq, false)),
        Name::Snap(device, seq) => Some((snapshot::MAGIC, device, seq, true)),
        Name::Other => None,
    }
}

fn context(device: &Id, seq: u64, version: u16, snap: bool) -> Context<'_> {
    let device = &device.0;
    if snap {
        Context::SyncSnapshot {
            version,
            device,
            seq,
        }
    } else {
        Context::SyncOps {
            version,
            device,
            seq,
        }
    }
}

/// The body sealed in the store file `name` (an op file or a snapshot), or `None` when the name
/// is not one of those or the file does not open with `key`.
pub fn open_body(key: &SyncKey, name: &str, bytes: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let (magic, device, seq, snap) = parts(name)?;
    let (version, sealed) = log::unframe(bytes, magic, name, "a sync file").ok()?;
    let keys = key.derive();
    keys.seal
        .open(sealed, &context(&device, seq, version, snap))
        .ok()
}

/// `body` sealed as the store file `name` would be (an op file or a snapshot), or `None` when
/// the name is not one of those.
pub fn seal_body(key: &SyncKey, name: &str, body: &[u8]) -> Option<Vec<u8>> {
    let (magic, device, seq, snap) = parts(name)?;
    let keys = key.derive();
    let mut bytes = magic.to_vec();
    bytes.extend_from_slice(&VERSION.to_be_bytes());
    bytes.extend(
        keys.seal
            .seal(body, &context(&device, seq, VERSION, snap))
            .ok()?,
    );
    Some(bytes)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::sync::log::Meta;

    #[test]
    fn the_hooks_read_and_write_what_a_device_seals() {
        let key = SyncKey::generate().unwrap();
        let device = Id([5; 16]);
        let name = log::op_name(&device, 3);
        let real =
            log::seal_ops(&key.derive(), &device, 3, &[1; 32], &[], &Meta::default()).unwrap();
        let body = open_body(&key, &name, &real).unwrap();
        assert!(body.starts_with(b"{\"device\":"));
        let resealed = seal_body(&key, &name, &body).unwrap();
        assert!(log::open_ops(&key.derive(), &device, 3, &[1; 32], &resealed).is_ok());
        // Under another name it does not open; names that are not sealed files have no body.
        assert!(open_body(&key, &log::op_name(&device, 4), &real).is_none());
        assert!(seal_body(&key, "jeton-sync/format", b"{}").is_none());
    }
}
