//! The files on the store: names, the format marker, and op files (sealed, hash-chained).
//!
//! - `jeton-sync/format`: `jeton-sync <version>\n` in clear, then a canary sealed with the
//!   sync key, which proves the key to a joining device.
//! - `jeton-sync/v1/<device hex>/<seq:016x>.op`: `JSYNC` ‖ version (u16, big-endian) ‖ the body
//!   sealed under `Context::SyncOps { device, seq }`. The body names the SHA-256 of the
//!   device's previous file (zeros for the first), and may carry the device's acknowledgement
//!   and a snapshot's announcement.
//! - `jeton-sync/v1/<device hex>/<seq:016x>.snap`: a snapshot announced by that device's file
//!   `seq` (`super::snapshot`).

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::error::SyncError;
use super::id::Id;
use super::keys::Keys;
use super::op::Op;
use super::state::{Ack, Cover};
use crate::seal::{self, Context};

/// The sync format this version writes and reads.
pub const VERSION: u16 = 1;
/// The folder everything lives in.
pub const ROOT: &str = "jeton-sync";
/// The format marker.
pub const FORMAT_FILE: &str = "jeton-sync/format";
/// The folder of this version's logs.
pub const LOGS: &str = "jeton-sync/v1";
/// The largest file a sync reads.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// The most ops one file carries.
pub const MAX_OPS_PER_FILE: usize = 1000;

/// The first bytes of an op file.
pub(super) const OP_MAGIC: &[u8] = b"JSYNC";
const CANARY: &[u8] = b"jeton sync canary";

/// A SHA-256 of a file's bytes.
pub type Hash = [u8; 32];

/// The name of a device's `seq`th file.
pub fn op_name(device: &Id, seq: u64) -> String {
    format!("{LOGS}/{}/{seq:016x}.op", device.hex())
}

/// The name of the snapshot announced by a device's `seq`th file.
pub fn snap_name(device: &Id, seq: u64) -> String {
    format!("{LOGS}/{}/{seq:016x}.snap", device.hex())
}

/// What a name under [`LOGS`] is.
#[derive(Debug, PartialEq, Eq)]
pub enum Name {
    /// An op file.
    Op(Id, u64),
    /// A snapshot.
    Snap(Id, u64),
    /// A file of a later version or of another kind (ignored by this version).
    Other,
}

/// Reads a listed name. A name shaped like Jeton's own op or snapshot file (a sequence of 16
/// hex digits) in a folder that is no device's, or with sequence 0, is refused.
pub fn parse_name(name: &str) -> Result<Name, SyncError> {
    let Some(rest) = name.strip_prefix(LOGS).and_then(|r| r.strip_prefix('/')) else {
        return Ok(Name::Other);
    };
    let Some((device, file)) = rest.split_once('/') else {
        return Ok(Name::Other);
    };
    let (seq, snap) = if let Some(seq) = file.strip_suffix(".op") {
        (seq, false)
    } else if let Some(seq) = file.strip_suffix(".snap") {
        (seq, true)
    } else {
        return Ok(Name::Other);
    };
    // Only a sequence of 16 hex digits is Jeton's: other programs leave `.op`-ending names too (a
    // Mac's `._0000000000000001.op`, an old ownCloud client's `…_conflict-….op`).
    if seq.len() != 16
        || !seq
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Ok(Name::Other);
    }
    let bad = || SyncError::Tampered(format!("the file name {name:?} is not one Jeton writes"));
    let device = Id::from_hex(device).ok_or_else(bad)?;
    let seq = u64::from_str_radix(seq, 16).map_err(|_| bad())?;
    if seq == 0 {
        return Err(bad());
    }
    Ok(if snap {
        Name::Snap(device, seq)
    } else {
        Name::Op(device, seq)
    })
}

/// The format marker's bytes.
pub fn format_file(keys: &Keys) -> Result<Vec<u8>, SyncError> {
    let mut bytes = format!("{ROOT} {VERSION}\n").into_bytes();
    bytes.extend(
        keys.seal
            .seal(CANARY, &Context::SyncCanary { version: VERSION })?,
    );
    Ok(bytes)
}

/// Checks the format marker: a version this build reads, and (with `keys`) the key.
pub fn check_format(bytes: &[u8], keys: Option<&Keys>) -> Result<(), SyncError> {
    let bad = || SyncError::Tampered("the format marker is damaged".into());
    let line_end = bytes.iter().position(|b| *b == b'\n').ok_or_else(bad)?;
    let line = std::str::from_utf8(&bytes[..line_end]).map_err(|_| bad())?;
    let version: u16 = line
        .strip_prefix(ROOT)
        .and_then(|v| v.strip_prefix(' '))
        .and_then(|v| v.parse().ok())
        .ok_or_else(bad)?;
    if version > VERSION {
        return Err(SyncError::NewerVersion {
            found: version,
            supported: VERSION,
        });
    }
    if let Some(keys) = keys {
        let sealed = &bytes[line_end + 1..];
        match keys.seal.open(sealed, &Context::SyncCanary { version }) {
            Ok(plain) if plain.as_slice() == CANARY => {}
            _ => return Err(SyncError::WrongKey),
        }
    }
    Ok(())
}

/// What an op file says besides its ops.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Meta {
    /// What the device had read when it wrote the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) ack: Option<Ack>,
    /// What the snapshot named after this file covers (the snapshot is written just after).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) snapshot: Option<Cover>,
}

/// The sealed body of an op file.
#[derive(Serialize, Deserialize)]
struct Body {
    device: Id,
    seq: u64,
    prev: String,
    ops: Vec<Op>,
    #[serde(flatten)]
    meta: Meta,
}

/// An op file's bytes.
pub fn seal_ops(
    keys: &Keys,
    device: &Id,
    seq: u64,
    prev: &Hash,
    ops: &[Op],
    meta: &Meta,
) -> Result<Vec<u8>, SyncError> {
    let body = Body {
        device: *device,
        seq,
        prev: data_encoding::HEXLOWER.encode(prev),
        ops: ops.to_vec(),
        meta: meta.clone(),
    };
    // Sized up front so that growing does not leave copies of secrets in freed memory.
    let mut plain = Zeroizing::new(Vec::with_capacity(1024 + ops.len() * 2048));
    serde_json::to_writer(&mut *plain, &body).map_err(|e| SyncError::Tampered(e.to_string()))?;
    let context = Context::SyncOps {
        version: VERSION,
        device: &device.0,
        seq,
    };
    let mut bytes = OP_MAGIC.to_vec();
    bytes.extend_from_slice(&VERSION.to_be_bytes());
    bytes.extend(keys.seal.seal(&plain, &context)?);
    Ok(bytes)
}

/// Opens an op file read under `device`'s `seq`th name, checks that it follows `prev`, and
/// returns its ops and what else it says.
pub fn open_ops(
    keys: &Keys,
    device: &Id,
    seq: u64,
    prev: &Hash,
    bytes: &[u8],
) -> Result<(Vec<Op>, Meta), SyncError> {
    let name = op_name(device, seq);
    let bad = |why: &str| SyncError::Tampered(format!("{name} {why}"));
    let (version, sealed) = unframe(bytes, OP_MAGIC, &name, "a Jeton sync file")?;
    let context = Context::SyncOps {
        version,
        device: &device.0,
        seq,
    };
    let plain = keys
        .seal
        .open(sealed, &context)
        .map_err(|_| bad("does not open (changed, or sealed with another key)"))?;
    let body: Body = serde_json::from_slice(&plain).map_err(|_| bad("is malformed"))?;
    if body.device != *device || body.seq != seq {
        return Err(bad("was written under another name"));
    }
    if body.prev != data_encoding::HEXLOWER.encode(prev) {
        return Err(bad(
            "does not follow the file before it (broken hash chain)",
        ));
    }
    if body.ops.len() > MAX_OPS_PER_FILE {
        return Err(bad("carries too many changes"));
    }
    Ok((body.ops, body.meta))
}

/// The hash that the next file names.
pub fn hash(bytes: &[u8]) -> Hash {
    seal::sha256(bytes)
}

/// The version and sealed part of a file framed as `magic ‖ version (u16 BE) ‖ sealed`: a file
/// without the magic or cut short is tampering under `name`; a newer version is a newer Jeton.
pub(super) fn unframe<'a>(
    bytes: &'a [u8],
    magic: &[u8],
    name: &str,
    kind: &str,
) -> Result<(u16, &'a [u8]), SyncError> {
    let bad = |why: String| SyncError::Tampered(format!("{name} {why}"));
    let rest = bytes
        .strip_prefix(magic)
        .ok_or_else(|| bad(format!("is not {kind}")))?;
    let (version, sealed) = rest
        .split_first_chunk::<2>()
        .ok_or_else(|| bad("is cut short".to_owned()))?;
    let version = u16::from_be_bytes(*version);
    if version > VERSION {
        return Err(SyncError::NewerVersion {
            found: version,
            supported: VERSION,
        });
    }
    Ok((version, sealed))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::sync::keys::SyncKey;

    #[test]
    fn names_round_trip_and_bad_ones_are_refused() {
        let device = Id([0xab; 16]);
        let name = op_name(&device, 0x1f);
        assert_eq!(
            name,
            "jeton-sync/v1/abababababababababababababababab/000000000000001f.op"
        );
        assert_eq!(parse_name(&name).unwrap(), Name::Op(device, 0x1f));
        assert_eq!(parse_name("jeton-sync/v1/x.snap").unwrap(), Name::Other);
        let snap = snap_name(&device, 3);
        assert_eq!(parse_name(&snap).unwrap(), Name::Snap(device, 3));
        assert_eq!(parse_name("jeton-sync/format").unwrap(), Name::Other);
        // What other programs leave beside Jeton's files.
        for foreign in [
            "jeton-sync/v1/abababababababababababababababab/1.op",
            "jeton-sync/v1/abababababababababababababababab/._0000000000000001.op",
            "jeton-sync/v1/abababababababababababababababab/0000000000000001_conflict-20261207-223000.op",
            "jeton-sync/v1/abababababababababababababababab/000000000000000g.snap",
        ] {
            assert_eq!(parse_name(foreign).unwrap(), Name::Other, "{foreign}");
        }
        for bad in [
            "jeton-sync/v1/abab/0000000000000001.op",
            "jeton-sync/v1/abababababababababababababababab/0000000000000000.op",
        ] {
            assert!(
                matches!(parse_name(bad), Err(SyncError::Tampered(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn op_files_open_only_where_they_were_written() {
        let keys = SyncKey::generate().unwrap().derive();
        let device = Id([1; 16]);
        let prev = [7u8; 32];
        let meta = Meta {
            ack: Some(Ack {
                file: 2,
                wall: 5,
                seen: [(device, 1)].into(),
            }),
            snapshot: None,
        };
        let bytes = seal_ops(&keys, &device, 2, &prev, &[], &meta).unwrap();
        let (ops, opened) = open_ops(&keys, &device, 2, &prev, &bytes).unwrap();
        assert!(ops.is_empty());
        assert_eq!(opened, meta);
        // Another name, another previous file, another key, one flipped byte: all refused.
        assert!(open_ops(&keys, &device, 3, &prev, &bytes).is_err());
        assert!(open_ops(&keys, &Id([2; 16]), 2, &prev, &bytes).is_err());
        assert!(open_ops(&keys, &device, 2, &[0; 32], &bytes).is_err());
        let other = SyncKey::generate().unwrap().derive();
        assert!(open_ops(&other, &device, 2, &prev, &bytes).is_err());
        let mut flipped = bytes.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(open_ops(&keys, &device, 2, &prev, &flipped).is_err());
        let mut newer = bytes;
        newer[OP_MAGIC.len() + 1] = 9;
        assert!(matches!(
            open_ops(&keys, &device, 2, &prev, &newer),
            Err(SyncError::NewerVersion { found: 9, .. })
        ));
    }

    #[test]
    fn the_format_marker_proves_the_key_and_the_version() {
        let keys = SyncKey::generate().unwrap().derive();
        let marker = format_file(&keys).unwrap();
        assert!(marker.starts_with(b"jeton-sync 1\n"));
        check_format(&marker, Some(&keys)).unwrap();
        let other = SyncKey::generate().unwrap().derive();
        assert!(matches!(
            check_format(&marker, Some(&other)),
            Err(SyncError::WrongKey)
        ));
        assert!(matches!(
            check_format(b"jeton-sync 2\nxyz", None),
            Err(SyncError::NewerVersion {
                found: 2,
                supported: 1
            })
        ));
        assert!(matches!(
            check_format(b"garbage", None),
            Err(SyncError::Tampered(_))
        ));
    }
}
