//! Imports keep what the original app showed, and exports read back as they were written: each
//! test states its expectation from an independent source (the app's own source code, a peer
//! computation, the format's writer) and failed before the fix it came with.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use jeton_core::account::Entry;
use jeton_core::import::{self, Format};
use jeton_core::otp::{Kind, OtpParams};
use jeton_core::{Account, Secret, export, uri};

/// A FreeOTP token store (`shared_prefs/tokens.xml`) holding one token, as FreeOTP's
/// `TokenPersistence` writes it: the token is Gson's JSON of `Token`, escaped in a `<string>`.
fn freeotp_store(key: &str, token_json: &str) -> String {
    let escaped = token_json.replace('"', "&quot;");
    format!(
        "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n    \
         <string name=\"{key}\">{escaped}</string>\n    \
         <string name=\"tokenOrder\">[&quot;{key}&quot;]</string>\n</map>\n"
    )
}

/// Boeing's secret from the fixtures README (JRZCL47CMXVOQMNPZR2F7J4RGI) as FreeOTP's signed bytes.
const BOEING_BYTES: &str = "[76,114,37,-13,-30,101,-22,-24,49,-81,-52,116,95,-89,-111,50]";

#[test]
fn freeotp_steam_token_is_read_as_steam() {
    // FreeOTP (Token.java) makes Steam codes for any token whose issuerExt is "Steam" (the only
    // case where it accepts 5 digits); Aegis's FreeOtpImporter reads such a token as SteamInfo.
    let token = format!(
        r#"{{"algo":"SHA1","counter":0,"digits":5,"issuerExt":"Steam","issuerInt":"Steam","label":"Sophia","period":30,"secret":{BOEING_BYTES},"type":"TOTP"}}"#
    );
    let store = freeotp_store("Steam:Sophia", &token);
    let imported = import::read(store.as_bytes(), None, None).unwrap();
    assert_eq!(imported.format, Format::FreeOtp);
    assert!(imported.refused.is_empty(), "{:?}", imported.refused);
    let account = &imported.entries[0].account;
    // FreeOTP's getHOTP with STEAMCHARS, recomputed in Python (hmac/sha1) at T = 1,700,000,000:
    // Steam code "747JR"; the 5 decimal digits of the same HMAC would be "23421".
    let code = account.code_at(1_700_000_000).unwrap();
    assert_eq!(
        (account.params.kind, code.digits.as_str()),
        (Kind::Steam, "747JR"),
        "FreeOTP shows this token's Steam code"
    );
}

#[test]
fn freeotp_renamed_token_keeps_the_name_freeotp_shows() {
    // FreeOTP's rename (Token.setIssuer / setLabel) stores issuerAlt and labelAlt, and the list
    // shows getIssuer() = issuerAlt ?: issuerExt and getLabel() = labelAlt ?: label.
    let token = r#"{"algo":"SHA1","counter":0,"digits":6,"issuerAlt":"Omnivox","issuerExt":"Deno","issuerInt":"Deno","label":"Mason","labelAlt":"2412345","period":30,"secret":[-28,-110,112,-16,-46,31,54,92,-124,8,-8,-76,117,-59,38,124],"type":"TOTP"}"#;
    let store = freeotp_store("Deno:Mason", token);
    let imported = import::read(store.as_bytes(), None, None).unwrap();
    assert_eq!(imported.format, Format::FreeOtp);
    let account = &imported.entries[0].account;
    assert_eq!(
        (account.issuer.as_deref(), account.name.as_str()),
        (Some("Omnivox"), "2412345"),
        "the label FreeOTP showed after the user renamed the token"
    );
}

#[test]
fn label_less_uri_with_a_url_in_its_query_has_no_name() {
    // Key Uri Format: the label is the path after otpauth://TYPE/ and ends at '?'. This URI has no
    // path at all, so there is no account name; a '/' inside a query value (FreeOTP's `image`
    // parameter holds a URL) is not a label.
    let account = uri::parse(
        "otpauth://totp?secret=JBSWY3DPEHPK3PXP&issuer=ACME&image=https://acme.example/logo.png",
    )
    .unwrap();
    assert_eq!(account.issuer.as_deref(), Some("ACME"));
    assert_eq!(account.name, "", "the name was taken from the image URL");
}

fn account(issuer: Option<&str>, name: &str) -> Account {
    Account {
        issuer: issuer.map(str::to_owned),
        name: name.to_owned(),
        secret: Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap(),
        params: OtpParams::totp(),
    }
}

#[test]
fn andotp_export_reads_back_an_account_whose_name_holds_a_colon() {
    // An account with no issuer whose name holds a colon (Jeton's own otpauth form keeps it: the
    // URI writes an empty issuer prefix). Jeton's andOTP export writes issuer "" and label "a:b";
    // importing that file back must give the same account (docs/imports.md: round trip).
    let entries = vec![Entry::new(account(None, "user:42"))];
    for entry in &entries {
        assert_eq!(
            uri::parse(&uri::format(&entry.account)).unwrap(),
            entry.account,
            "otpauth keeps it"
        );
    }
    let file = export::andotp_json(&entries).unwrap();
    let back = import::read(file.as_bytes(), None, None).unwrap();
    assert_eq!(back.format, Format::AndOtp);
    let labels: Vec<(Option<&str>, &str)> = back
        .entries
        .iter()
        .map(|e| (e.account.issuer.as_deref(), e.account.name.as_str()))
        .collect();
    assert_eq!(labels, [(None, "user:42")]);
}

#[test]
fn google_export_reads_back_an_issuer_holding_a_colon() {
    // uri.rs supports an issuer with a colon ("A:B"); Jeton's Google export writes name "A:B:john"
    // and issuer "A:B"; Jeton's own import of that code must give the account back.
    let original = account(Some("Clara: Staff"), "john");
    assert_eq!(uri::parse(&uri::format(&original)).unwrap(), original);
    let codes = export::google_migration_with_batch_id(std::slice::from_ref(&original), 7);
    assert!(codes.left_out.is_empty());
    let back = import::read(codes.uris[0].as_bytes(), None, None).unwrap();
    let got = &back.entries[0].account;
    assert_eq!(
        (got.issuer.as_deref(), got.name.as_str()),
        (Some("Clara: Staff"), "john")
    );
}

#[test]
fn ente_codes_in_the_trash_are_not_imported_as_live_accounts() {
    // Ente Auth's plain export writes every code (`CodeStore.getAllCodes`) with its codeDisplay,
    // whose `trashed` flag (present in the real ente_auth.txt) marks a code the user deleted.
    let list = "otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&issuer=Deno&algorithm=SHA1&digits=6&period=30&codeDisplay=%7B%22pinned%22%3Afalse%2C%22trashed%22%3Afalse%2C%22lastUsedAt%22%3A0%2C%22tapCount%22%3A0%2C%22tags%22%3A%5B%5D%7D\n\
                otpauth://totp/OldBank:Mason?secret=5OM4WOOGPLQEF6UGN3CPEOOLWU&issuer=OldBank&algorithm=SHA1&digits=6&period=30&codeDisplay=%7B%22pinned%22%3Afalse%2C%22trashed%22%3Atrue%2C%22lastUsedAt%22%3A0%2C%22tapCount%22%3A0%2C%22tags%22%3A%5B%5D%7D\n";
    let imported = import::read(list.as_bytes(), None, None).unwrap();
    let issuers: Vec<Option<&str>> = imported
        .entries
        .iter()
        .map(|e| e.account.issuer.as_deref())
        .collect();
    assert_eq!(
        issuers,
        [Some("Deno")],
        "the trashed OldBank code came back"
    );
    // Not dropped silently either: refused by name and line, saying where it is.
    let refused = &imported.refused;
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(
        (refused[0].position, refused[0].label.as_str()),
        (2, "OldBank (Mason)")
    );
    assert!(refused[0].reason.contains("trash"), "{}", refused[0].reason);
}

#[test]
fn bitwarden_organization_csv_export_is_read() {
    // Bitwarden's organization vault export (OrganizationVaultExportService.buildCsvExport):
    // `collections` first, then buildCommonCipher's columns; no folder, no favorite.
    let csv = "collections,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp\n\
               \"Staff,Teachers\",login,Omnivox,,,0,https://omnivox.example,2412345,pw,JBSWY3DPEHPK3PXP\n";
    let detected = import::detect(csv.as_bytes());
    let forced = import::read(csv.as_bytes(), Some(Format::BitwardenCsv), None);
    let account = forced.as_ref().ok().map(|i| {
        let a = &i.entries[0].account;
        (a.issuer.clone(), a.name.clone())
    });
    assert_eq!(
        (detected, account),
        (
            Some(Format::BitwardenCsv),
            Some((Some("Omnivox".to_owned()), "2412345".to_owned()))
        ),
        "forced read gave {forced:?}"
    );
    // Its collections (joined by commas, as papaparse writes an array) become the groups.
    let groups = forced.map(|i| i.entries[0].groups.clone());
    assert_eq!(groups, Ok(vec!["Staff".to_owned(), "Teachers".to_owned()]));
}

fn fixture(name: &str) -> Option<Vec<u8>> {
    let dir = common::fixtures()?;
    Some(std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}")))
}

#[test]
fn a_cut_totp_authenticator_backup_is_reported_as_a_damaged_backup() {
    // import::detect's own rule: "a truncated Aegis export should be reported as a damaged Aegis
    // export, not as an unknown file". Forced with --format totp-authenticator, the same bytes
    // are named a damaged TOTP Authenticator export; detected, they are an unknown file.
    let Some(data) = fixture("totp_authenticator.bin") else {
        return;
    };
    let cut = &data[..data.len() - 1];
    let forced = import::read(cut, Some(Format::TotpAuthenticator), Some("Testtest1"));
    assert!(
        matches!(
            forced,
            Err(import::ImportError::Malformed {
                format: Format::TotpAuthenticator,
                ..
            })
        ),
        "{forced:?}"
    );
    let detected = import::read(cut, None, Some("Testtest1"));
    assert!(
        matches!(
            detected,
            Err(import::ImportError::Malformed {
                format: Format::TotpAuthenticator,
                ..
            })
        ),
        "a backup missing its last byte: {:?}",
        detected.map(|i| i.entries.len()).map_err(|e| e.to_string())
    );
}

#[test]
fn bitwarden_entry_with_a_direction_override_is_refused_at_its_position() {
    // README: labels with text-direction characters are refused "at every door into an account
    // (..., every import, ...)", and `jeton import` lists each refused entry as `#N label: reason`
    // with N its position in the file (import::Refusal: "1-based position of the entry in the
    // file"). Item 3 of this Bitwarden export has U+202E in its name.
    let file = "{\"encrypted\":false,\"folders\":[],\"items\":[\
        {\"name\":\"Mail\",\"login\":{\"username\":\"me\",\"totp\":null}},\
        {\"name\":\"Omnivox\",\"login\":{\"username\":\"2412345\",\"totp\":\"JBSWY3DPEHPK3PXP\"}},\
        {\"name\":\"moc.\u{202e}elgoog\",\"login\":{\"username\":\"x\",\"totp\":\"JBSWY3DPEHPK3PXQ\"}}\
    ]}";
    let imported = import::read(file.as_bytes(), None, None).unwrap();
    assert_eq!(imported.format, Format::Bitwarden);
    let positions: Vec<usize> = imported.refused.iter().map(|r| r.position).collect();
    assert_eq!(
        (imported.entries.len(), positions),
        (1, vec![3]),
        "the item with U+202E came through as an account"
    );
}

#[test]
fn ente_code_note_is_kept() {
    // Ente Auth's CodeDisplay.toJson writes `note` (the user's note on the code) into the
    // codeDisplay parameter of every exported URI; Jeton keeps notes (Entry::note).
    let list = "otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&issuer=Deno&algorithm=SHA1&digits=6&period=30&codeDisplay=%7B%22pinned%22%3Atrue%2C%22trashed%22%3Afalse%2C%22lastUsedAt%22%3A0%2C%22tapCount%22%3A0%2C%22tags%22%3A%5B%22School%22%5D%2C%22note%22%3A%22recovery%20codes%20in%20the%20drawer%22%7D\n";
    let imported = import::read(list.as_bytes(), None, None).unwrap();
    let entry = &imported.entries[0];
    assert!(entry.favourite);
    assert_eq!(entry.groups, ["School"]);
    assert_eq!(
        entry.note.as_deref(),
        Some("recovery codes in the drawer"),
        "Ente's note was dropped"
    );
}
