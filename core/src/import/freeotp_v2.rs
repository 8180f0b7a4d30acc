//! FreeOTP 2 backups: a Java-serialised `java.util.HashMap<String, String>`.
//!
//! `masterKey` holds `{mAlgorithm, mIterations, mSalt, mEncryptedKey}`: the password key is
//! `mAlgorithm` (`PBKDF2withHmacSHA1` or `PBKDF2withHmacSHA512`) over `mIterations` with
//! `mSalt`, 256 bits; it opens `mEncryptedKey`, the 256-bit master key, sealed with AES-256-GCM
//! whose nonce is in `mParameters` (DER `SEQUENCE { OCTET STRING nonce, INTEGER tag length }`)
//! and whose associated data is `mToken` (`AES`). Each token `UUID` holds `{"key": "<sealed
//! secret, same shape, mToken the HMAC name>"}` and `UUID-token` its other fields, as FreeOTP 1
//! writes them. Byte arrays are lists of signed bytes. Only this shape of stream is read: any
//! other Java object is refused as damaged.

use serde::Deserialize;
use zeroize::{Zeroize, Zeroizing};

use super::freeotp::{JAVA_SERIALIZED, Token};
use super::{Format, ImportError};
use crate::seal::{Key, foreign};

const FORMAT: Format = Format::FreeOtp;
/// The most PBKDF2 iterations a backup may ask for (FreeOTP writes 100,000): more is refused
/// before any work, as a crafted file.
pub const MAX_PBKDF2_ITERATIONS: u32 = 1_000_000;
/// The most entries a backup's map may declare (two per token, and the master key).
pub const MAX_ENTRIES: usize = 10_000;

const TC_NULL: u8 = 0x70;
const TC_REFERENCE: u8 = 0x71;
const TC_CLASSDESC: u8 = 0x72;
const TC_OBJECT: u8 = 0x73;
const TC_STRING: u8 = 0x74;
const TC_BLOCKDATA: u8 = 0x77;
const TC_ENDBLOCKDATA: u8 = 0x78;
const TC_LONGSTRING: u8 = 0x7c;
/// The first handle a stream assigns (to the class descriptor, then the map, then strings).
const BASE_HANDLE: u32 = 0x7e_0000;

fn damaged(detail: impl std::fmt::Display) -> ImportError {
    ImportError::malformed(FORMAT, detail)
}

/// A reader over the serialised stream.
struct Stream<'a> {
    data: &'a [u8],
    at: usize,
    /// Strings by handle (index = handle − BASE_HANDLE); the class and the map hold two slots.
    strings: Vec<Option<Zeroizing<String>>>,
}

impl<'a> Stream<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ImportError> {
        let end = self.at.checked_add(n).filter(|end| *end <= self.data.len());
        let bytes = end
            .and_then(|end| self.data.get(self.at..end))
            .ok_or_else(|| damaged("the backup ends early"))?;
        self.at += n;
        Ok(bytes)
    }

    fn byte(&mut self) -> Result<u8, ImportError> {
        Ok(self.take(1)?.first().copied().unwrap_or_default())
    }

    fn u16(&mut self) -> Result<u16, ImportError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, ImportError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn expect(&mut self, bytes: &[u8], what: &str) -> Result<(), ImportError> {
        if self.take(bytes.len())? == bytes {
            Ok(())
        } else {
            Err(damaged(format!("not a FreeOTP backup map ({what})")))
        }
    }

    /// A length-prefixed name in the class descriptor.
    fn name(&mut self, expected: &str) -> Result<(), ImportError> {
        let len = usize::from(self.u16()?);
        self.expect(expected.as_bytes(), expected).and_then(|()| {
            (len == expected.len())
                .then_some(())
                .ok_or_else(|| damaged("unexpected class layout"))
        })
    }

    /// A string object: new (`TC_STRING`, `TC_LONGSTRING`) or a back-reference.
    fn string(&mut self) -> Result<Zeroizing<String>, ImportError> {
        let len = match self.byte()? {
            TC_STRING => usize::from(self.u16()?),
            TC_LONGSTRING => {
                let high = self.u32()?;
                let low = self.u32()?;
                if high != 0 {
                    return Err(damaged("a string longer than the file"));
                }
                usize::try_from(low).map_err(|_| damaged("a string longer than the file"))?
            }
            TC_REFERENCE => {
                let handle = self.u32()?;
                let index = handle.checked_sub(BASE_HANDLE).map(|i| i as usize);
                return index
                    .and_then(|i| self.strings.get(i))
                    .and_then(Option::as_ref)
                    .cloned()
                    .ok_or_else(|| {
                        damaged(format!("a reference to an unknown string {handle:#x}"))
                    });
            }
            other => {
                return Err(damaged(format!(
                    "expected a string, found tag {other:#04x}"
                )));
            }
        };
        // Java writes modified UTF-8; FreeOTP's keys and JSON values are plain UTF-8 text.
        let text = std::str::from_utf8(self.take(len)?)
            .map_err(|_| damaged("a string is not UTF-8 text"))?;
        let text = Zeroizing::new(text.to_owned());
        self.strings.push(Some(text.clone()));
        Ok(text)
    }
}

/// One `(key, value)` pair of the map.
type Pair = (Zeroizing<String>, Zeroizing<String>);

/// The `(key, value)` pairs of the serialised map, in stream order.
fn entries(data: &[u8]) -> Result<Vec<Pair>, ImportError> {
    let mut s = Stream {
        data,
        at: 0,
        strings: vec![None, None],
    };
    s.expect(JAVA_SERIALIZED, "stream header")?;
    s.expect(&[TC_OBJECT, TC_CLASSDESC], "object")?;
    s.name("java.util.HashMap")?;
    s.take(8)?; // serialVersionUID
    s.take(1)?; // flags
    // Android versions differ in HashMap's serialised fields (`loadFactor`, and `threshold` or
    // not): only primitive fields are accepted, and their values skipped.
    let fields = s.u16()?;
    if fields > 8 {
        return Err(damaged("unexpected HashMap fields"));
    }
    let mut values_len = 0;
    for _ in 0..fields {
        values_len += match s.byte()? {
            b'B' | b'Z' => 1,
            b'C' | b'S' => 2,
            b'F' | b'I' => 4,
            b'D' | b'J' => 8,
            _ => return Err(damaged("unexpected HashMap fields")),
        };
        let len = usize::from(s.u16()?);
        s.take(len)?;
    }
    s.expect(&[TC_ENDBLOCKDATA, TC_NULL], "class end")?;
    s.take(values_len)?;
    s.expect(&[TC_BLOCKDATA, 8], "map sizes")?;
    s.take(4)?; // capacity
    let size = s.u32()? as usize;
    if size > MAX_ENTRIES {
        return Err(damaged(format!(
            "the map declares {size} entries, more than Jeton reads ({MAX_ENTRIES})"
        )));
    }
    let mut pairs = Vec::with_capacity(size);
    for _ in 0..size {
        let key = s.string()?;
        let value = s.string()?;
        pairs.push((key, value));
    }
    s.expect(&[TC_ENDBLOCKDATA], "map end")?;
    if s.at != data.len() {
        return Err(damaged("bytes after the map"));
    }
    Ok(pairs)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MasterKey {
    #[serde(rename = "mAlgorithm")]
    algorithm: String,
    #[serde(rename = "mIterations")]
    iterations: u32,
    #[serde(rename = "mSalt")]
    salt: Vec<i8>,
    #[serde(rename = "mEncryptedKey")]
    encrypted_key: Sealed,
}

/// Bytes sealed with AES-256-GCM, as FreeOTP writes them.
#[derive(Deserialize)]
struct Sealed {
    #[serde(rename = "mCipher")]
    cipher: String,
    #[serde(rename = "mCipherText")]
    ciphertext: Vec<i8>,
    #[serde(rename = "mParameters")]
    parameters: Vec<i8>,
    #[serde(rename = "mToken")]
    token: String,
}

#[derive(Deserialize)]
struct SealedKey {
    key: String,
}

impl Drop for SealedKey {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

fn bytes(signed: &[i8]) -> Vec<u8> {
    signed.iter().map(|b| b.to_ne_bytes()[0]).collect()
}

/// The nonce of DER `SEQUENCE { OCTET STRING nonce, INTEGER tag bits }` (or a bare OCTET STRING).
fn nonce(parameters: &[u8]) -> Option<&[u8]> {
    let body = match parameters {
        [0x30, len, body @ ..] if usize::from(*len) == body.len() => body,
        other => other,
    };
    match body {
        [0x04, len, rest @ ..] => rest.get(..usize::from(*len)),
        _ => None,
    }
}

impl Sealed {
    fn open(&self, key: &Key) -> Result<Zeroizing<Vec<u8>>, ()> {
        if self.cipher != "AES/GCM/NoPadding" {
            return Err(());
        }
        let parameters = bytes(&self.parameters);
        let nonce = nonce(&parameters).ok_or(())?;
        let sealed = Zeroizing::new(bytes(&self.ciphertext));
        foreign::open_aes256_gcm_with_aad(key, nonce, &sealed, self.token.as_bytes())
            .map_err(|_| ())
    }
}

/// The tokens of a backup, secrets opened with `password`, each with its 1-based position.
pub(crate) fn tokens(data: &[u8], password: &str) -> Result<Vec<(usize, Token)>, ImportError> {
    let pairs = entries(data)?;
    let value = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k.as_str() == key)
            .map(|(_, v)| v.as_str())
    };
    let master: MasterKey = serde_json::from_str(
        value("masterKey").ok_or_else(|| damaged("the backup holds no masterKey"))?,
    )
    .map_err(|e| damaged(format!("masterKey: {e}")))?;
    let key = master_key(&master, password)?;
    let mut tokens = Vec::new();
    for (index, (uuid, sealed)) in pairs.iter().enumerate() {
        if uuid.as_str() == "masterKey" || uuid.ends_with("-token") {
            continue;
        }
        let fields = value(&format!("{}-token", uuid.as_str()))
            .ok_or_else(|| damaged(format!("the key {:?} has no token", uuid.as_str())))?;
        let mut token: Token = serde_json::from_str(fields)
            .map_err(|e| damaged(format!("the token {:?}: {e}", uuid.as_str())))?;
        let wrapper: SealedKey = serde_json::from_str(sealed)
            .map_err(|e| damaged(format!("the key {:?}: {e}", uuid.as_str())))?;
        let inner: Sealed = serde_json::from_str(&wrapper.key)
            .map_err(|e| damaged(format!("the key {:?}: {e}", uuid.as_str())))?;
        // The master key opened, so a secret that does not open was altered.
        let secret = inner
            .open(&key)
            .map_err(|()| damaged(format!("the key {:?} does not open", uuid.as_str())))?;
        token.secret = secret.iter().map(|b| i8::from_ne_bytes([*b])).collect();
        tokens.push((index + 1, token));
    }
    Ok(tokens)
}

/// The master key, opened with the password key.
fn master_key(master: &MasterKey, password: &str) -> Result<Key, ImportError> {
    if master.iterations == 0 || master.iterations > MAX_PBKDF2_ITERATIONS {
        return Err(ImportError::unsupported(
            FORMAT,
            format!(
                "the backup asks for {} PBKDF2 iterations (Jeton allows 1 to {MAX_PBKDF2_ITERATIONS})",
                master.iterations
            ),
        ));
    }
    let salt = bytes(&master.salt);
    let password_key = match master.algorithm.as_str() {
        "PBKDF2withHmacSHA1" => foreign::pbkdf2_sha1(password, &salt, master.iterations),
        "PBKDF2withHmacSHA512" => foreign::pbkdf2_sha512(password, &salt, master.iterations),
        other => {
            return Err(ImportError::unsupported(
                FORMAT,
                format!("master key derivation {other:?} is not known"),
            ));
        }
    };
    let opened = master
        .encrypted_key
        .open(&password_key)
        .map_err(|()| ImportError::WrongPassword(FORMAT))?;
    Key::from_slice(&opened).ok_or_else(|| {
        damaged(format!(
            "the master key has {} bytes, expected 32",
            opened.len()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_from_der_parameters() {
        let der = [
            0x30, 0x11, 0x04, 0x0c, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x02, 0x01, 0x10,
        ];
        assert_eq!(nonce(&der), Some(&der[4..16]));
        assert_eq!(nonce(&der[2..16]), Some(&der[4..16]));
        assert_eq!(nonce(&der[..10]), None);
        assert_eq!(nonce(&[]), None);
    }

    #[test]
    fn foreign_streams_and_crafted_costs_are_refused() {
        assert!(matches!(
            entries(&[
                0xac,
                0xed,
                0,
                5,
                TC_OBJECT,
                TC_CLASSDESC,
                0,
                3,
                b'a',
                b'b',
                b'c'
            ]),
            Err(ImportError::Malformed { .. })
        ));
        let mut stream = vec![0xac, 0xed, 0, 5, TC_OBJECT, TC_CLASSDESC, 0, 17];
        stream.extend_from_slice(b"java.util.HashMap");
        stream.extend_from_slice(&[0; 8]); // serialVersionUID
        stream.extend_from_slice(&[3, 0, 1, b'F', 0, 10]);
        stream.extend_from_slice(b"loadFactor");
        stream.extend_from_slice(&[TC_ENDBLOCKDATA, TC_NULL, 0x3f, 0x40, 0, 0]);
        stream.extend_from_slice(&[TC_BLOCKDATA, 8, 0, 0, 0, 16, 0xff, 0xff, 0xff, 0xff]);
        assert!(matches!(
            entries(&stream),
            Err(ImportError::Malformed { detail, .. }) if detail.contains("4294967295 entries")
        ));
        stream.truncate(stream.len() - 4);
        stream.extend_from_slice(&[0, 0, 0, 0, TC_ENDBLOCKDATA]); // an empty map

        assert_eq!(entries(&stream).map(|p| p.len()), Ok(0));
        let master = MasterKey {
            algorithm: "PBKDF2withHmacSHA512".into(),
            iterations: u32::MAX,
            salt: vec![1; 32],
            encrypted_key: Sealed {
                cipher: "AES/GCM/NoPadding".into(),
                ciphertext: vec![0; 48],
                parameters: vec![],
                token: "AES".into(),
            },
        };
        assert!(matches!(
            master_key(&master, "pw"),
            Err(ImportError::Unsupported { detail, .. }) if detail.contains("4294967295")
        ));
    }
}
