//! FreeOTP and FreeOTP+: the shared preferences file where both apps keep their tokens (one
//! `<string>` of JSON per token, and `tokenOrder`), and FreeOTP+'s JSON export
//! (`{"tokenOrder": […], "tokens": […]}`).
//!
//! A token is `{algo, counter, digits, issuerExt, issuerInt, label, period, secret, type}`, the
//! secret as a list of signed bytes, plus `issuerAlt`/`labelAlt` once the user renamed it (the
//! names FreeOTP then shows). A TOTP token whose `issuerExt` is exactly `Steam` shows Steam
//! Guard codes in FreeOTP (its `Token.getHOTP`), so it is read as a Steam account. FreeOTP keeps the HOTP counter *before* its next use and
//! increments it first, so the next counter is `counter + 1` (as Aegis reads it too). Encrypted
//! FreeOTP 2 backups (a Java-serialised map) are read by [`super::freeotp_v2`]; they keep the
//! next counter itself.

use serde::Deserialize;
use zeroize::{Zeroize, Zeroizing};

use super::{Format, ImportError, Read, fields, label, non_empty, prefs};
use crate::Secret;
use crate::otp::Kind;

const FORMAT: Format = Format::FreeOtp;

/// How a Java-serialised object stream starts (FreeOTP 2's encrypted backups).
pub(crate) const JAVA_SERIALIZED: &[u8] = &[0xac, 0xed, 0x00, 0x05];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Export {
    #[serde(default)]
    token_order: Vec<String>,
    tokens: Vec<Token>,
}

/// One token as FreeOTP writes it (in a FreeOTP 2 backup, without its secret, which is sealed
/// apart).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Token {
    #[serde(default)]
    algo: Option<String>,
    #[serde(default)]
    counter: Option<u64>,
    #[serde(default)]
    digits: Option<i64>,
    #[serde(default)]
    issuer_ext: Option<String>,
    #[serde(default)]
    issuer_int: Option<String>,
    #[serde(default)]
    issuer_alt: Option<String>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    label_alt: Option<String>,
    #[serde(default)]
    period: Option<i64>,
    #[serde(default)]
    pub(crate) secret: Vec<i8>,
    #[serde(rename = "type")]
    kind: String,
}

impl Drop for Token {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

/// Whether the file is an encrypted FreeOTP 2 backup.
pub fn is_encrypted(data: &[u8]) -> bool {
    data.starts_with(JAVA_SERIALIZED)
}

/// Reads FreeOTP's or FreeOTP+'s shared preferences, a FreeOTP+ JSON export, or a FreeOTP 2
/// backup (`password` opens it).
pub fn read(data: &[u8], password: Option<&str>) -> Result<Read, ImportError> {
    if is_encrypted(data) {
        let password = password.ok_or(ImportError::PasswordRequired(FORMAT))?;
        let tokens = super::freeotp_v2::tokens(data, password)?;
        return Ok(sort_out(tokens, false));
    }
    let text = super::utf8(data, FORMAT)?;
    let tokens: Vec<(usize, Token)> = if prefs::is_prefs(text) {
        from_prefs(text)?
    } else {
        let export: Export =
            serde_json::from_str(text).map_err(|e| ImportError::malformed(FORMAT, e))?;
        let _ = export.token_order;
        export.tokens.into_iter().enumerate().collect()
    };
    Ok(sort_out(tokens, true))
}

/// Entries and refusals of `(position, token)`; `before_use`: the counter is the one before
/// the next use (FreeOTP 1 and FreeOTP+), not the next one (FreeOTP 2 backups).
fn sort_out(tokens: Vec<(usize, Token)>, before_use: bool) -> Read {
    fields::sort_out(tokens.into_iter().map(|(position, token)| {
        // What FreeOTP shows: the user's own names first (`getIssuer`, `getLabel`).
        let issuer = non_empty(token.issuer_alt.as_deref())
            .or_else(|| non_empty(token.issuer_ext.as_deref()))
            .or_else(|| non_empty(token.issuer_int.as_deref()));
        let name = non_empty(token.label_alt.as_deref())
            .unwrap_or_else(|| token.label.as_deref().unwrap_or_default().trim().to_owned());
        let shown = label(issuer.as_deref(), &name);
        (
            position,
            to_entry(&token, issuer, name, before_use).map_err(|r| (shown, r)),
        )
    }))
}

/// The tokens of a shared preferences file, in `tokenOrder` (then file order for the others),
/// each with its 1-based position in the file.
fn from_prefs(text: &str) -> Result<Vec<(usize, Token)>, ImportError> {
    let entries = prefs::parse(text, FORMAT)?;
    let order: Vec<String> = match prefs::get(&entries, "tokenOrder") {
        Some(order) => serde_json::from_str(order)
            .map_err(|e| ImportError::malformed(FORMAT, format!("tokenOrder: {e}")))?,
        None => Vec::new(),
    };
    let mut tokens: Vec<(usize, &str, Token)> = Vec::new();
    for (index, (name, value)) in entries.iter().enumerate() {
        if name == "tokenOrder" {
            continue;
        }
        let value: &Zeroizing<String> = value;
        let token: Token = serde_json::from_str(value).map_err(|e| {
            ImportError::malformed(FORMAT, format!("the token {name:?} is damaged: {e}"))
        })?;
        tokens.push((index + 1, name, token));
    }
    tokens.sort_by_key(|(index, name, _)| {
        (
            order.iter().position(|o| o == name).unwrap_or(usize::MAX),
            *index,
        )
    });
    Ok(tokens.into_iter().map(|(i, _, t)| (i, t)).collect())
}

fn to_entry(
    token: &Token,
    issuer: Option<String>,
    name: String,
    before_use: bool,
) -> Result<super::Entry, String> {
    let kind = match token.kind.to_ascii_uppercase().as_str() {
        "TOTP" if token.issuer_ext.as_deref() == Some("Steam") => Kind::Steam,
        "TOTP" => Kind::Totp,
        "HOTP" => Kind::Hotp,
        other => {
            return Err(format!(
                "FreeOTP type {other} is not supported (TOTP, HOTP)"
            ));
        }
    };
    let algorithm = fields::algorithm(token.algo.as_deref().unwrap_or("SHA1"))?;
    let counter = match kind {
        Kind::Hotp if before_use => token
            .counter
            .unwrap_or(0)
            .checked_add(1)
            .ok_or("the counter is at its end")?,
        Kind::Hotp => token.counter.unwrap_or(0),
        _ => 0,
    };
    let params = fields::params(kind, algorithm, token.digits, token.period, counter)?;
    let bytes: Vec<u8> = token.secret.iter().map(|b| b.to_ne_bytes()[0]).collect();
    fields::entry(issuer, name, Secret::new(bytes), params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_types_and_encrypted_backups() {
        let file = br#"{"tokens":[
            {"algo":"SHA1","counter":4,"digits":6,"issuerExt":"","issuerInt":"Omnivox","label":"me","period":30,"secret":[1,-1,2],"type":"HOTP"},
            {"algo":"MD5","digits":6,"label":"x","secret":[1],"type":"TOTP"}
        ]}"#;
        let (entries, refused) = read(file, None).unwrap();
        let account = &entries[0].account;
        assert_eq!(account.issuer.as_deref(), Some("Omnivox"));
        assert_eq!(account.params.counter, 5);
        assert_eq!(account.secret.expose(), &[1, 255, 2]);
        assert!(refused[0].reason.contains("MD5"));
        assert_eq!(
            read(&[0xac, 0xed, 0, 5, 0x73], None),
            Err(ImportError::PasswordRequired(FORMAT))
        );
        assert!(matches!(
            read(&[0xac, 0xed, 0, 5, 0x73], Some("pw")),
            Err(ImportError::Malformed { .. })
        ));
    }
}
