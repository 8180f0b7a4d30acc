//! The pull (decrypting) side of libsodium's `crypto_secretstream_xchacha20poly1305`, for one
//! message, to open other apps' files (Ente Auth's encrypted export). Jeton never seals with it.
//!
//! libsodium's construction (`crypto_secretstream/xchacha20poly1305/secretstream_xchacha20poly1305.c`):
//! the 24-byte header's first 16 bytes and the key give the stream key through HChaCha20; the
//! ChaCha20-IETF nonce is a 32-bit little-endian counter starting at 1 followed by the header's
//! last 8 bytes. A message is `tag byte ‖ ciphertext ‖ 16-byte MAC`: block 0 of the keystream
//! keys Poly1305, block 1 encrypts the tag byte (padded to a 64-byte block that is MACed whole,
//! as encrypted), blocks 2… encrypt the message. The MAC covers the associated data (none here)
//! padded to 16 bytes, the 64-byte tag block, the ciphertext followed by (its length mod 16)
//! zero bytes (libsodium's padding, not up to a multiple of 16), then both lengths as 64-bit
//! little-endian numbers. Only the first message of a stream is opened here:
//! the state update after it (nonce XOR MAC, rekeying) is not needed.
//!
//! RustCrypto's `crypto_secretstream` 0.2 does this too, but on the previous `chacha20` 0.9 /
//! `poly1305` 0.8 / `aead` 0.5: it would bring a second copy of the cipher stack for ~60 lines.

use chacha20::ChaCha20;
use chacha20::cipher::{KeyIvInit, StreamCipher, StreamCipherSeek};
use poly1305::Poly1305;
use poly1305::universal_hash::KeyInit;
use zeroize::Zeroizing;

use super::{Key, OpenError};

/// Length of a secretstream header.
pub const HEADER_LEN: usize = 24;
/// What a message adds to its plaintext: the tag byte and the MAC.
pub const OVERHEAD: usize = 1 + MAC_LEN;
const MAC_LEN: usize = 16;
const BLOCK: usize = 64;

/// The tag a message was pushed with (libsodium's `TAG_MESSAGE`, `TAG_PUSH`, `TAG_REKEY`,
/// `TAG_FINAL`: bits 0 and 1, FINAL being both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    /// `TAG_MESSAGE` (0).
    Message,
    /// `TAG_PUSH` (1).
    Push,
    /// `TAG_REKEY` (2).
    Rekey,
    /// `TAG_FINAL` (3): the end of the stream.
    Final,
}

/// Opens the first message of a stream (`tag ‖ ciphertext ‖ MAC`, no associated data) under
/// `key` and the stream's `header`; returns the plaintext and the message's tag. A wrong key, a
/// header of the wrong length, a changed or cut message or an unknown tag is an [`OpenError`].
pub fn open_first(
    key: &Key,
    header: &[u8],
    sealed: &[u8],
) -> Result<(Zeroizing<Vec<u8>>, Tag), OpenError> {
    let header: &[u8; HEADER_LEN] = header.try_into().map_err(|_| OpenError)?;
    let len = sealed.len().checked_sub(OVERHEAD).ok_or(OpenError)?;
    let (head, nonce_tail) = header.split_at(16);
    let head: [u8; 16] = head.try_into().map_err(|_| OpenError)?;
    let stream_key = Zeroizing::new(<[u8; 32]>::from(chacha20::hchacha::<chacha20::R20>(
        &(*key.0).into(),
        &head.into(),
    )));
    let mut nonce = [0u8; 12];
    nonce[0] = 1;
    nonce[4..].copy_from_slice(nonce_tail);
    let mut chacha = ChaCha20::new(&(*stream_key).into(), &nonce.into());

    let mut mac_key = Zeroizing::new([0u8; 32]);
    chacha.apply_keystream(mac_key.as_mut_slice());
    let (ciphertext, mac) = sealed[1..].split_at(len);

    // The MACed input: the tag block as stored, the ciphertext, padding, the two lengths.
    let mut tag_block = Zeroizing::new([0u8; BLOCK]);
    tag_block[0] = sealed[0];
    chacha.seek(BLOCK as u64);
    chacha.apply_keystream(tag_block.as_mut_slice());
    let tag_byte = tag_block[0];
    let mut input = Zeroizing::new(Vec::with_capacity(BLOCK + len + 32));
    input.extend_from_slice(&[sealed[0]]);
    input.extend_from_slice(&tag_block[1..]);
    input.extend_from_slice(ciphertext);
    // libsodium pads by (16 - 64 + mlen) mod 16 = mlen mod 16 bytes here, not up to a multiple
    // of 16: what it computes is what it checks.
    let padded = input.len() + len % 16;
    input.resize(padded, 0);
    input.extend_from_slice(&0u64.to_le_bytes());
    input.extend_from_slice(&((BLOCK + len) as u64).to_le_bytes());
    let expected = Poly1305::new(&(*mac_key).into()).compute_unpadded(&input);
    if !super::same(expected.as_slice(), mac) {
        return Err(OpenError);
    }

    let tag = match tag_byte {
        0 => Tag::Message,
        1 => Tag::Push,
        2 => Tag::Rekey,
        3 => Tag::Final,
        _ => return Err(OpenError),
    };
    let mut plain = Zeroizing::new(ciphertext.to_vec());
    chacha.seek(2 * BLOCK as u64);
    chacha.apply_keystream(plain.as_mut_slice());
    Ok((plain, tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(text: &str) -> Vec<u8> {
        data_encoding::HEXLOWER.decode(text.as_bytes()).unwrap()
    }

    // Streams pushed by libsodium (as bundled in PyPI `pynacl` 1.6.2) under the key 00 01 … 1f.
    const HEADER: &str = "67831e00be380b03dc8e181fea9d4ab5dacbc0fb62c57cd0";
    const FINAL: &str = "ab2ccd93b76641e0ab784da7baab4413e35af06450fff644fff5446c7b027c000f03c7e5b0eccb9f93bb0e33f742493689a48b";

    fn key() -> Key {
        Key::from_slice(&(0u8..32).collect::<Vec<u8>>()).unwrap()
    }

    #[test]
    fn opens_what_libsodium_pushed() {
        let (plain, tag) = open_first(&key(), &hex(HEADER), &hex(FINAL)).unwrap();
        assert_eq!(plain.as_slice(), b"Jeton opens libsodium secretstream");
        assert_eq!(tag, Tag::Final);
        // An empty message pushed with TAG_PUSH.
        let (plain, tag) = open_first(
            &key(),
            &hex("1ca1f3921f9360235b4ee45f2e6e803896455d790176fbb0"),
            &hex("78f4a52afcdd0cb78da6340a9c9d7a18d4"),
        )
        .unwrap();
        assert!(plain.is_empty());
        assert_eq!(tag, Tag::Push);
    }

    #[test]
    fn every_change_is_refused() {
        let sealed = hex(FINAL);
        let header = hex(HEADER);
        for at in 0..sealed.len() {
            let mut altered = sealed.clone();
            altered[at] ^= 0x01;
            assert_eq!(
                open_first(&key(), &header, &altered),
                Err(OpenError),
                "{at}"
            );
        }
        for at in 0..header.len() {
            let mut altered = header.clone();
            altered[at] ^= 0x80;
            assert_eq!(
                open_first(&key(), &altered, &sealed),
                Err(OpenError),
                "{at}"
            );
        }
        for cut in 0..sealed.len() {
            assert_eq!(open_first(&key(), &header, &sealed[..cut]), Err(OpenError));
        }
        assert_eq!(open_first(&key(), &header[..23], &sealed), Err(OpenError));
        let other = Key::from_slice(&[7u8; 32]).unwrap();
        assert_eq!(open_first(&other, &header, &sealed), Err(OpenError));
    }
}
