//! `uri::parse` on any text. An accepted URI must survive `uri::format` and parse back to the
//! same account, and its code must be computable.
#![no_main]

use jeton_core::uri;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(account) = uri::parse(text) else {
        return;
    };
    let _ = account.code_at(1_800_000_000);
    let _ = account.display_label();
    let written = uri::format(&account);
    match uri::parse(&written) {
        Ok(again) => assert_eq!(
            again, account,
            "format then parse changed the account: {written}"
        ),
        Err(e) => panic!("Jeton's own URI is refused ({e}): {written}"),
    }
});
