//! `jeton`: the phone, on a desktop. See `jeton --help`.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use jeton_harness::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Output is buffered so that a failing command prints nothing on stdout.
    let mut out = Vec::new();
    match cli.run(&mut out) {
        Ok(()) => match std::io::stdout().write_all(&out) {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::from(1),
        },
        Err(error) => {
            // A partial result (some files of `jeton scan` unreadable) still prints what it has.
            if matches!(error, jeton_harness::cli::CliError::Incomplete(_)) {
                let _ = std::io::stdout().write_all(&out);
            }
            eprintln!("jeton: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}
