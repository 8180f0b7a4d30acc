//! `jeton import`, `jeton export` and `jeton drill`: accounts in and out of a vault.
//!
//! Passwords come from the environment when set (`JETON_PASSPHRASE` for the vault,
//! `JETON_FILE_PASSWORD` for an encrypted file being imported or a Jeton backup being written or
//! checked), else from a prompt on the terminal.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use jeton_core::backup;
use jeton_core::export;
use jeton_core::import::{self, Format};
use jeton_core::transfer::{self, Summary};
use jeton_core::vault::{KdfParams, Vault};
use zeroize::Zeroizing;

use super::CliError;

/// Environment variable holding the vault's passphrase.
pub const VAULT_PASSPHRASE_ENV: &str = "JETON_PASSPHRASE";
/// Environment variable holding the password of the file imported or exported.
pub const FILE_PASSWORD_ENV: &str = "JETON_FILE_PASSWORD";

/// Arguments of `jeton import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A file another authenticator wrote (any format `--format` names: Aegis, 2FAS, andOTP,
    /// FreeOTP, Authenticator Pro, Authy, Bitwarden, Proton, Ente, Google and Microsoft
    /// Authenticator's databases, ...; detected from its contents), a Jeton backup, or one or more
    /// otpauth:// / otpauth-migration:// URIs (every code of a batch).
    #[arg(required = true, value_name = "FILE|URI")]
    sources: Vec<String>,
    /// Read the input as this format instead of detecting it.
    #[arg(long, value_parser = parse_format)]
    format: Option<Format>,
    /// The vault to import into; created (with the passphrase given) if it does not exist.
    #[arg(long, env = "JETON_VAULT")]
    vault: PathBuf,
}

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// A Jeton backup, sealed with a passphrase.
    Jeton,
    /// An Aegis plain vault (JSON). Plaintext.
    Aegis,
    /// An andOTP plain backup (JSON; andOTP, FreeOTP+ and Aegis read it). Plaintext.
    Andotp,
    /// One otpauth:// URI per line. Plaintext.
    Otpauth,
    /// Google Authenticator migration QR codes (PNG files in the OUT directory, drawn by `jeton_core::draw`). Plaintext.
    GoogleQr,
}

/// Arguments of `jeton export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to write.
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// Where to write it: a file, or a directory for google-qr.
    #[arg(value_name = "OUT")]
    out: PathBuf,
    /// Allow a plaintext export (every secret readable by whoever gets the file).
    #[arg(long)]
    plaintext: bool,
    /// Replace OUT (or, for google-qr, the PNG files in it) if it already exists. The vault
    /// itself is never replaced.
    #[arg(long)]
    force: bool,
    /// The vault to export.
    #[arg(long, env = "JETON_VAULT")]
    vault: PathBuf,
}

/// Arguments of `jeton drill`.
#[derive(Debug, Args)]
pub struct DrillArgs {
    /// The Jeton backup to check.
    #[arg(value_name = "BACKUP")]
    backup: PathBuf,
    /// The vault it should match.
    #[arg(long, env = "JETON_VAULT")]
    vault: PathBuf,
}

fn parse_format(name: &str) -> Result<Format, String> {
    Format::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
        format!(
            "unknown format {name:?}: expected one of {}",
            names.join(", ")
        )
    })
}

/// A password from `env`, else from a prompt on the terminal.
pub(super) fn password(env: &str, prompt: &str) -> Result<Zeroizing<String>, CliError> {
    if let Ok(value) = std::env::var(env) {
        return Ok(Zeroizing::new(value));
    }
    rpassword::prompt_password(prompt)
        .map(Zeroizing::new)
        .map_err(|e| CliError::Input(format!("{prompt} could not be read ({e}); set {env}")))
}

/// A new passphrase for a file (a backup, a recovery key): from `env`, or typed twice on a
/// terminal, since a typo would seal something nobody can open.
pub(super) fn new_password(env: &str, what: &str) -> Result<Zeroizing<String>, CliError> {
    if let Ok(value) = std::env::var(env) {
        return Ok(Zeroizing::new(value));
    }
    let first = password(env, &format!("New {what}: "))?;
    let again = password(env, &format!("Repeat the new {what}: "))?;
    if first != again {
        return Err(CliError::Input(format!("the two {what}s differ")));
    }
    Ok(first)
}

pub(super) fn open_vault(path: &Path) -> Result<Vault, CliError> {
    let mut vault = Vault::open(path).map_err(CliError::input)?;
    let passphrase = password(VAULT_PASSPHRASE_ENV, "Vault passphrase: ")?;
    vault
        .unlock_with_passphrase(&passphrase)
        .map_err(CliError::input)?;
    Ok(vault)
}

pub(super) fn open_or_create_vault(path: &Path) -> Result<Vault, CliError> {
    if path.exists() {
        return open_vault(path);
    }
    let passphrase = match std::env::var(VAULT_PASSPHRASE_ENV) {
        Ok(value) => Zeroizing::new(value),
        Err(_) => {
            let first = password(VAULT_PASSPHRASE_ENV, "New vault passphrase: ")?;
            let again = password(VAULT_PASSPHRASE_ENV, "Repeat the new vault passphrase: ")?;
            if first != again {
                return Err(CliError::Input("the two passphrases differ".into()));
            }
            first
        }
    };
    Vault::create_with_kdf(path, &passphrase, KdfParams::DEFAULT).map_err(CliError::input)
}

/// Reads the sources into one input: a file's bytes, or URIs joined one per line.
fn input(sources: &[String]) -> Result<Vec<u8>, CliError> {
    let is_uri = |s: &str| {
        s.get(..7)
            .is_some_and(|p| p.eq_ignore_ascii_case("otpauth"))
    };
    if sources.iter().all(|s| is_uri(s)) {
        return Ok(sources.join("\n").into_bytes());
    }
    match sources {
        [file] => super::read_bounded(Path::new(file))
            .map_err(|e| CliError::Input(format!("cannot read {file}: {e}"))),
        _ => Err(CliError::Input(
            "give one file, or one or more otpauth:// / otpauth-migration:// URIs".into(),
        )),
    }
}

/// Imports a file or URIs into the vault: every usable account in one transaction, then prints
/// the summary; any refused entry makes the exit status 2.
pub fn import(args: ImportArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let data = Zeroizing::new(input(&args.sources)?);
    let format = match args.format {
        Some(format) => format,
        None => import::detect(&data)
            .ok_or_else(|| CliError::input(import::ImportError::UnknownFormat))?,
    };
    let file_password = if import::needs_password(&data, format) {
        Some(password(
            FILE_PASSWORD_ENV,
            &format!("Password of the {format} file: "),
        )?)
    } else {
        None
    };
    // The file is read (and decrypted) completely before the vault is touched.
    let imported = import::read(
        &data,
        Some(format),
        file_password.as_deref().map(String::as_str),
    )
    .map_err(CliError::input)?;
    let mut vault = open_or_create_vault(&args.vault)?;
    let summary =
        super::vault::changing(&mut vault, |v| transfer::import_into(v, imported.clone()))?;
    print_summary(out, format, &summary)?;
    super::backup::warn_if_failed(&vault);
    // The usable accounts are added (in one transaction); what was refused makes the exit
    // status 2, so that a script notices.
    match summary.refused.len() {
        0 => Ok(()),
        n => Err(CliError::Incomplete(format!(
            "{n} {} refused (listed above); the other accounts were imported",
            if n == 1 { "entry was" } else { "entries were" }
        ))),
    }
}

fn print_summary(out: &mut dyn Write, format: Format, summary: &Summary) -> Result<(), CliError> {
    writeln!(out, "{format}: {summary}")?;
    for label in &summary.added {
        writeln!(out, "added: {label}")?;
    }
    for label in &summary.duplicates {
        writeln!(out, "skipped (already in the vault): {label}")?;
    }
    for refusal in &summary.refused {
        writeln!(out, "refused: {refusal}")?;
    }
    Ok(())
}

/// Whether `a` and `b` name the same existing file (through links too).
fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::metadata(a), fs::metadata(b)) {
        #[cfg(unix)]
        (Ok(a), Ok(b)) => {
            use std::os::unix::fs::MetadataExt;
            (a.dev(), a.ino()) == (b.dev(), b.ino())
        }
        #[cfg(not(unix))]
        (Ok(_), Ok(_)) => fs::canonicalize(a).ok() == fs::canonicalize(b).ok(),
        _ => false,
    }
}

/// Refuses to write onto the vault, and onto an existing file unless `force`.
fn check_target(path: &Path, vault: Option<&Path>, force: bool) -> Result<(), CliError> {
    if vault.is_some_and(|vault| same_file(path, vault)) {
        return Err(CliError::Input(format!(
            "{} is the vault itself; export to another file",
            path.display()
        )));
    }
    if !force && fs::symlink_metadata(path).is_ok() {
        return Err(already_exists(path));
    }
    // Whatever the path: an SQLite database (any vault, this one under another name too) is
    // never replaced by an export or a picture, even with --force.
    let mut head = [0u8; 16];
    let is_database = fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok_and(|()| &head == b"SQLite format 3\0");
    if is_database {
        return Err(CliError::Input(format!(
            "{} is a database (a vault?) and is never replaced; choose another file",
            path.display()
        )));
    }
    Ok(())
}

fn already_exists(path: &Path) -> CliError {
    CliError::Input(format!(
        "{} already exists; choose another name, or add --force to replace it",
        path.display()
    ))
}

/// Writes `bytes` to `path` so that only its owner can read them and an existing file is never
/// half overwritten: into a temporary file in the same directory (mode 0600 before any byte is
/// written), synced, then renamed onto `path` — only if `path` does not exist unless `force`,
/// never onto the vault — and the directory synced. A failure to write is an output error
/// (exit status 1); an existing file or the vault named is bad input (2).
pub(super) fn write_private(
    path: &Path,
    bytes: &[u8],
    vault: Option<&Path>,
    force: bool,
) -> Result<(), CliError> {
    check_target(path, vault, force)?;
    let cannot = |e: std::io::Error| {
        CliError::Output(std::io::Error::new(
            e.kind(),
            format!("cannot write {}: {e}", path.display()),
        ))
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(cannot)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.as_file()
            .set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(cannot)?;
    }
    file.write_all(bytes).map_err(cannot)?;
    file.as_file().sync_all().map_err(cannot)?;
    if force {
        file.persist(path).map_err(|e| cannot(e.error))?;
    } else {
        file.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                already_exists(path)
            } else {
                cannot(e.error)
            }
        })?;
    }
    #[cfg(unix)]
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(cannot)?;
    Ok(())
}

/// Writes a set of files (QR codes that only make sense together) whole or not at all: every
/// name is checked first, each file is written by [`write_private`], and if one fails, those
/// already written are removed, so no partial set of secrets is left behind.
pub(super) fn write_private_set(
    files: &[(PathBuf, Vec<u8>)],
    vault: Option<&Path>,
    force: bool,
) -> Result<(), CliError> {
    for (path, _) in files {
        check_target(path, vault, force)?;
    }
    for (done, (path, bytes)) in files.iter().enumerate() {
        if let Err(e) = write_private(path, bytes, vault, force) {
            for (written, _) in &files[..done] {
                let _ = fs::remove_file(written);
            }
            return Err(e);
        }
    }
    Ok(())
}

/// Exports the vault. Plaintext formats need `--plaintext` and warn on stderr.
pub fn export(args: ExportArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let plaintext = args.format != ExportFormat::Jeton;
    if plaintext && !args.plaintext {
        return Err(CliError::Input(
            "this export is plaintext: anyone who gets it can make your codes. Add --plaintext to confirm, or use --format jeton for an encrypted backup".into(),
        ));
    }
    let vault = open_vault(&args.vault)?;
    let entries = transfer::vault_entries(&vault).map_err(CliError::input)?;
    if plaintext {
        eprintln!(
            "jeton: warning: writing {} account secret(s) in plaintext to {}; delete it once imported elsewhere",
            entries.len(),
            args.out.display()
        );
    }
    let vault_path = Some(args.vault.as_path());
    let one_file = |bytes: &[u8]| write_private(&args.out, bytes, vault_path, args.force);
    match args.format {
        ExportFormat::Jeton => {
            let passphrase = new_password(FILE_PASSWORD_ENV, "backup passphrase")?;
            one_file(&backup::seal(&entries, &passphrase).map_err(CliError::input)?)?;
        }
        ExportFormat::Aegis => {
            one_file(
                export::aegis_json(&entries)
                    .map_err(CliError::input)?
                    .as_bytes(),
            )?;
        }
        ExportFormat::Andotp => {
            one_file(
                export::andotp_json(&entries)
                    .map_err(CliError::input)?
                    .as_bytes(),
            )?;
        }
        ExportFormat::Otpauth => {
            one_file(export::otpauth_list(entries.iter().map(|e| &e.account)).as_bytes())?;
        }
        ExportFormat::GoogleQr => {
            let accounts: Vec<_> = entries.iter().map(|e| e.account.clone()).collect();
            let codes = export::google_migration(&accounts).map_err(CliError::input)?;
            for refusal in &codes.left_out {
                eprintln!("jeton: not exported: {refusal}");
            }
            fs::create_dir_all(&args.out)?;
            let total = codes.uris.len();
            let mut files = Vec::with_capacity(total);
            for (n, uri) in codes.uris.iter().enumerate() {
                let png = jeton_core::draw::png(uri, 8).map_err(CliError::input)?;
                files.push((
                    args.out.join(format!("google-{}-of-{total}.png", n + 1)),
                    png,
                ));
            }
            write_private_set(&files, vault_path, args.force)?;
            for (path, _) in &files {
                writeln!(out, "{}", path.display())?;
            }
        }
    }
    writeln!(
        out,
        "exported {} account(s) to {}",
        entries.len(),
        args.out.display()
    )?;
    Ok(())
}

/// Checks that a backup opens and matches the vault, restoring nothing.
pub fn drill(args: DrillArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let file = super::read_bounded(&args.backup)
        .map_err(|e| CliError::Input(format!("cannot read {}: {e}", args.backup.display())))?;
    let vault = open_vault(&args.vault)?;
    let passphrase = password(FILE_PASSWORD_ENV, "Backup passphrase: ")?;
    let report = transfer::drill(&file, &passphrase, &vault).map_err(CliError::input)?;
    let mut problems = Vec::new();
    problems.extend(
        report
            .missing
            .iter()
            .map(|l| format!("missing from the backup: {l}")),
    );
    problems.extend(
        report
            .unexpected
            .iter()
            .map(|l| format!("not in the vault: {l}")),
    );
    problems.extend(
        report
            .changed
            .iter()
            .map(|l| format!("different settings: {l}")),
    );
    if !problems.is_empty() {
        return Err(CliError::Input(format!(
            "drill failed, the backup does not match the vault: {}",
            problems.join("; ")
        )));
    }
    writeln!(
        out,
        "drill passed: the backup opens and holds the vault's {} account(s)",
        report.matched
    )?;
    Ok(())
}
