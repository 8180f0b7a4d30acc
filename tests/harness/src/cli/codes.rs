//! `jeton code` and `jeton parse`: codes and accounts from a URI, no vault needed.

use std::io::Write;

use clap::Args;
use jeton_core::{Account, uri};
use serde::Serialize;

use super::{CliError, now};

/// Arguments of `jeton code`.
#[derive(Debug, Args)]
pub struct CodeArgs {
    /// The account's otpauth:// URI.
    #[arg(long)]
    uri: String,
    /// The instant, in Unix seconds (default: now). HOTP ignores it and uses the URI's counter.
    #[arg(long, value_name = "UNIX_SECONDS")]
    at: Option<u64>,
}

/// Arguments of `jeton parse`.
#[derive(Debug, Args)]
pub struct ParseArgs {
    /// The otpauth:// URI to read.
    uri: String,
}

/// Prints the code, digits only.
pub fn code(args: CodeArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let account = uri::parse(&args.uri).map_err(CliError::input)?;
    let code = account
        .code_at(args.at.unwrap_or_else(now))
        .map_err(CliError::input)?;
    writeln!(out, "{}", code.digits)?;
    Ok(())
}

/// The normalized account as `jeton parse` prints it.
#[derive(Debug, Serialize)]
struct ParsedAccount<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    issuer: Option<&'a str>,
    account: &'a str,
    algorithm: &'a str,
    digits: u8,
    period: Option<u32>,
    counter: Option<u64>,
    secret: &'a str,
    uri: &'a str,
}

/// Prints the normalized account as JSON.
pub fn parse(args: ParseArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let account: Account = uri::parse(&args.uri).map_err(CliError::input)?;
    let params = &account.params;
    let secret = account.secret.to_base32();
    let canonical = uri::format(&account);
    let hotp = params.kind == jeton_core::Kind::Hotp;
    let parsed = ParsedAccount {
        kind: params.kind.as_str(),
        issuer: account.issuer.as_deref(),
        account: &account.name,
        algorithm: params.algorithm.as_str(),
        digits: params.digits,
        period: (!hotp).then_some(params.period),
        counter: hotp.then_some(params.counter),
        secret: &secret,
        uri: &canonical,
    };
    serde_json::to_writer_pretty(&mut *out, &parsed).map_err(std::io::Error::from)?;
    writeln!(out)?;
    Ok(())
}
