//! Authenticator secrets at rest: the server must be able to read them back (to verify codes),
//! so they are sealed, not hashed — XChaCha20-Poly1305 under a server key kept in its own file
//! (`server.key`, mode 0600), bound to the account's id. A copy of the database alone (a
//! backup, a stolen file) does not reveal any secret. Real portals keep that key in a KMS.

use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use super::SimError;

const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;

/// The server key that seals authenticator secrets.
pub struct ServerKey(Zeroizing<[u8; KEY_LEN]>);

impl ServerKey {
    /// Reads `server.key` in `dir`, or creates it (32 random bytes, readable by the owner only).
    pub fn load_or_create(dir: &Path) -> Result<Self, SimError> {
        let path = dir.join("server.key");
        match std::fs::read(&path) {
            Ok(bytes) => {
                let key: [u8; KEY_LEN] = bytes.as_slice().try_into().map_err(|_| {
                    SimError::Config(format!(
                        "{} is not a 32-byte key; restore it or start from an empty data folder",
                        path.display()
                    ))
                })?;
                Ok(Self(Zeroizing::new(key)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = Zeroizing::new([0u8; KEY_LEN]);
                getrandom::fill(key.as_mut_slice()).map_err(|e| SimError::Random(e.to_string()))?;
                write_private(&path, key.as_slice())?;
                Ok(Self(key))
            }
            Err(e) => Err(SimError::io(format!("cannot read {}", path.display()), e)),
        }
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&(*self.0).into())
    }

    /// Seals `secret` for account `user_id`: `nonce ‖ ciphertext ‖ tag`.
    pub fn seal(&self, user_id: &str, secret: &[u8]) -> Result<Vec<u8>, SimError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| SimError::Random(e.to_string()))?;
        let sealed = self
            .cipher()
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: secret,
                    aad: user_id.as_bytes(),
                },
            )
            .map_err(|_| SimError::Config("sealing a secret failed".to_owned()))?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens a secret sealed for `user_id`; fails if the key, the account or the bytes differ.
    pub fn open(&self, user_id: &str, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, SimError> {
        let damaged = || {
            SimError::Config(format!(
                "the authenticator secret of {user_id} cannot be opened: wrong server.key or damaged database"
            ))
        };
        if sealed.len() < NONCE_LEN {
            return Err(damaged());
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| damaged())?;
        self.cipher()
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: body,
                    aad: user_id.as_bytes(),
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| damaged())
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), SimError> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| SimError::io(format!("cannot create {}", path.display()), e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| SimError::io(format!("cannot write {}", path.display()), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_for_its_account_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let key = ServerKey::load_or_create(dir.path()).unwrap();
        let sealed = key.seal("2412345", b"12345678901234567890").unwrap();
        assert!(!sealed.windows(20).any(|w| w == b"12345678901234567890"));
        assert_eq!(
            key.open("2412345", &sealed).unwrap().as_slice(),
            b"12345678901234567890"
        );
        assert!(
            key.open("2412346", &sealed).is_err(),
            "bound to the account"
        );
        let again = ServerKey::load_or_create(dir.path()).unwrap();
        assert_eq!(
            again.open("2412345", &sealed).unwrap().as_slice(),
            b"12345678901234567890"
        );
        let other = ServerKey::load_or_create(tempfile::tempdir().unwrap().path()).unwrap();
        assert!(
            other.open("2412345", &sealed).is_err(),
            "another key cannot open it"
        );
        let mut flipped = sealed.clone();
        flipped[30] ^= 1;
        assert!(key.open("2412345", &flipped).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn the_key_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        ServerKey::load_or_create(dir.path()).unwrap();
        let mode = std::fs::metadata(dir.path().join("server.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
