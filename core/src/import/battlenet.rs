//! Battle.net Authenticator's shared preferences: `AUTHENTICATOR_DEVICE_SECRET` and
//! `AUTHENTICATOR_SERIAL`, each the hex of its text XORed with a fixed mask (the one Aegis and
//! other readers use). The unmasked secret is itself hex; the serial (`US-2211-2050-3346`)
//! becomes the account name. Codes are SHA-1, 8 digits, 30 seconds; the issuer is `Battle.net`.

use data_encoding::HEXLOWER_PERMISSIVE;
use zeroize::Zeroizing;

use super::{Format, ImportError, Read, Refusal, fields, label, prefs};
use crate::Secret;
use crate::otp::{Algorithm, Kind};

const FORMAT: Format = Format::BattleNet;
const ISSUER: &str = "Battle.net";
/// The key of the masked secret.
pub(crate) const SECRET_KEY: &str = "com.blizzard.messenger.AUTHENTICATOR_DEVICE_SECRET";
const SERIAL_KEY: &str = "com.blizzard.messenger.AUTHENTICATOR_SERIAL";
const ENCRYPTION_KEY: &str = "com.blizzard.messenger.AUTHENTICATOR_CREDENTIALS_ENCRYPTION_TYPE";

/// The mask Battle.net XORs its stored values with.
const MASK: [u8; 57] = [
    0x39, 0x8e, 0x27, 0xfc, 0x50, 0x27, 0x6a, 0x65, 0x60, 0x65, 0xb0, 0xe5, 0x25, 0xf4, 0xc0, 0x6c,
    0x04, 0xc6, 0x10, 0x75, 0x28, 0x6b, 0x8e, 0x7a, 0xed, 0xa5, 0x9d, 0xa9, 0x81, 0x3b, 0x5d, 0xd6,
    0xc8, 0x0d, 0x2f, 0xb3, 0x80, 0x68, 0x77, 0x3f, 0xa5, 0x9b, 0xa4, 0x7c, 0x17, 0xca, 0x6c, 0x64,
    0x79, 0x01, 0x5c, 0x1d, 0x5b, 0x8b, 0x8f, 0x6b, 0x9a,
];

/// Reverses the mask: hex → bytes XOR mask.
fn unmask(hex: &str) -> Result<Zeroizing<Vec<u8>>, String> {
    let mut bytes = Zeroizing::new(
        HEXLOWER_PERMISSIVE
            .decode(hex.trim().as_bytes())
            .map_err(|_| "the stored value is not hexadecimal".to_owned())?,
    );
    if bytes.len() > MASK.len() {
        return Err(format!(
            "the stored value has {} bytes, more than the {} the mask covers",
            bytes.len(),
            MASK.len()
        ));
    }
    for (byte, mask) in bytes.iter_mut().zip(MASK) {
        *byte ^= mask;
    }
    Ok(bytes)
}

/// Reads Battle.net Authenticator's shared preferences.
pub fn read(data: &[u8]) -> Result<Read, ImportError> {
    let text = super::utf8(data, FORMAT)?;
    let entries = prefs::parse(text, FORMAT)?;
    if let Some(kind) = prefs::get(&entries, ENCRYPTION_KEY)
        && kind != "MASK"
    {
        return Err(ImportError::unsupported(
            FORMAT,
            format!("its credentials are protected with {kind:?}; Jeton reads only MASK"),
        ));
    }
    let masked = prefs::get(&entries, SECRET_KEY)
        .ok_or_else(|| ImportError::malformed(FORMAT, format!("{SECRET_KEY} is missing")))?;
    let serial = match prefs::get(&entries, SERIAL_KEY) {
        Some(masked) => unmask(masked)
            .ok()
            .and_then(|b| String::from_utf8(b.to_vec()).ok())
            .ok_or_else(|| ImportError::malformed(FORMAT, "the serial cannot be unmasked"))?,
        None => String::new(),
    };
    let result = unmask(masked)
        .and_then(|hex| {
            HEXLOWER_PERMISSIVE
                .decode(&hex)
                .map_err(|_| "the unmasked secret is not hexadecimal".to_owned())
        })
        .and_then(|bytes| {
            let params = fields::params(Kind::Totp, Algorithm::Sha1, Some(8), Some(30), 0)?;
            fields::entry(
                Some(ISSUER.into()),
                serial.clone(),
                Secret::new(bytes),
                params,
            )
        });
    Ok(match result {
        Ok(entry) => (vec![entry], Vec::new()),
        Err(reason) => (
            Vec::new(),
            vec![Refusal {
                position: 1,
                label: label(Some(ISSUER), &serial),
                reason,
            }],
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_secret_and_other_protection_are_named() {
        assert!(matches!(
            read(b"<map></map>"),
            Err(ImportError::Malformed { .. })
        ));
        let other = format!(
            "<map><string name=\"{ENCRYPTION_KEY}\">KEYSTORE</string><string name=\"{SECRET_KEY}\">00</string></map>"
        );
        assert!(matches!(
            read(other.as_bytes()),
            Err(ImportError::Unsupported { .. })
        ));
        assert!(unmask(&"00".repeat(58)).is_err());
    }
}
