//! Telling the newer formats apart by their contents: zip archives by the entry they name, SQLite
//! databases by the tables their schema names, Android shared preferences by the keys they hold,
//! JSON by its shape, CSV by its header. Each test also recognises a file cut short, so that it is reported as a damaged file
//! of its format rather than as an unknown file.

use super::{
    Format, andotp, authplus, authpro, authy, battlenet, bitwarden_csv, fields::contains, freeotp,
    prefs, protonpass, sqlite, totpauth,
};

/// The format of a file that is not UTF-8 text: a database or an encrypted backup.
pub(crate) fn binary(data: &[u8]) -> Option<Format> {
    // Before Authenticator Plus: a Proton Pass export stored uncompressed could hold the text
    // `Accounts.txt` in an item; an Authenticator Plus backup's entry is encrypted.
    if protonpass::looks_like_export(data) {
        return Some(Format::ProtonPass);
    }
    if authplus::looks_like_backup(data) {
        return Some(Format::AuthenticatorPlus);
    }
    if authpro::is_encrypted(data) {
        return Some(Format::AuthenticatorPro);
    }
    if andotp::looks_encrypted(data) {
        return Some(Format::AndOtp);
    }
    if data.starts_with(freeotp::JAVA_SERIALIZED) && contains(data, b"mCipher") {
        return Some(Format::FreeOtp);
    }
    if !sqlite::is_sqlite(data) {
        return None;
    }
    // The schema (page 1) names the tables and columns in plain text, even in a file cut short.
    if contains(data, b"CREATE TABLE \"authenticator\"") || contains(data, b"authenticatorcategory")
    {
        Some(Format::AuthenticatorPro)
    } else if contains(data, b"oath_secret_key") {
        Some(Format::MicrosoftDb)
    } else if contains(data, b"original_name") || contains(data, b"email TEXT NOT NULL") {
        Some(Format::GoogleDb)
    } else {
        None
    }
}

/// The format of a text that is neither a JSON object nor a list of URIs: shared preferences,
/// a Bitwarden CSV, a JSON array, a TOTP Authenticator backup (base64 text).
pub(crate) fn text(text: &str) -> Option<Format> {
    if prefs::is_prefs(text) {
        return if text.contains(authy::AUTHENTICATOR_KEY) || text.contains(authy::AUTHY_KEY) {
            Some(Format::Authy)
        } else if text.contains(battlenet::SECRET_KEY) {
            Some(Format::BattleNet)
        } else if text.contains(totpauth::LIST_KEY) {
            Some(Format::TotpAuthenticator)
        } else if text.contains("tokenOrder") || text.contains("&quot;issuerExt&quot;") {
            Some(Format::FreeOtp)
        } else {
            None
        };
    }
    if bitwarden_csv::is_export(text) {
        return Some(Format::BitwardenCsv);
    }
    if text.starts_with('[') {
        return if text.contains("\"otpGenerator\"") {
            Some(Format::Duo)
        } else if text.contains("\"secret\"") && text.contains("\"type\"") {
            Some(Format::AndOtp)
        } else {
            None
        };
    }
    if totpauth::looks_like_backup(text) {
        return Some(Format::TotpAuthenticator);
    }
    None
}

/// The format of a JSON object with these top-level keys (`damaged`: the object is cut short,
/// so only the keys before the cut are known).
pub(crate) fn json_object(has: &dyn Fn(&str) -> bool, damaged: bool) -> Option<Format> {
    if has("kdfParams") && (damaged || has("encryptedData")) {
        Some(Format::Ente)
    } else if has("Authenticators") {
        Some(Format::AuthenticatorPro)
    } else if has("tokens") && (damaged || has("tokenOrder")) {
        Some(Format::FreeOtp)
    } else if has("shared_secret") || has("accounts") {
        Some(Format::Steam)
    } else {
        None
    }
}

/// The keys a damaged JSON text names at nesting depth 1 (strings followed by `:`), as far as it
/// goes. Good enough to tell which app wrote it.
pub(crate) fn damaged_json_keys(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut depth = 0usize;
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        match c {
            '{' | '[' => depth += 1,
            '}' | ']' => depth = depth.saturating_sub(1),
            '"' => {
                let mut end = None;
                let mut escaped = false;
                for (i, c) in chars.by_ref() {
                    match (escaped, c) {
                        (true, _) => escaped = false,
                        (false, '\\') => escaped = true,
                        (false, '"') => {
                            end = Some(i);
                            break;
                        }
                        _ => {}
                    }
                }
                let Some(end) = end else { break };
                let is_key = text[end + 1..].trim_start().starts_with(':');
                if depth == 1 && is_key {
                    keys.push(text[start + 1..end].to_owned());
                }
            }
            _ => {}
        }
    }
    keys
}
