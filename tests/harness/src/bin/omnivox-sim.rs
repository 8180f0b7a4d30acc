//! `omnivox-sim`: the Omnivox/Clara two-step-validation simulator. See `omnivox-sim --help`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use jeton_harness::sim::{Config, HashAlgorithm, Mailer, Simulator};

/// Plays the portal's side of two-step validation on this machine: pages in French (with an
/// English switch), a JSON API (docs/omnivox-sim.openapi.yaml) and Clara.
#[derive(Debug, Parser)]
#[command(name = "omnivox-sim", version, about)]
struct Args {
    /// Folder for the SQLite state and, unless --smtp is given, the outbox of .eml files.
    #[arg(long, value_name = "DIR", default_value = "omnivox-data")]
    data: PathBuf,
    /// Address to listen on (loopback by default; port 0 picks a free one).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Send email over SMTP, e.g. smtp://127.0.0.1:2525, instead of writing .eml files.
    #[arg(long, value_name = "URL")]
    smtp: Option<String>,
    /// Folder for .eml files (default: DIR/outbox).
    #[arg(long, value_name = "DIR", conflicts_with = "smtp")]
    outbox: Option<PathBuf>,
    /// Let POST /api/users create accounts (tests and demos).
    #[arg(long)]
    allow_user_creation: bool,
    /// Digits of new enrolments' codes.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u8).range(6..=8))]
    digits: u8,
    /// Seconds per code of new enrolments.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(15..=120))]
    period: u32,
    /// Hash of new enrolments: SHA1, SHA256 or SHA512.
    #[arg(long, default_value = "SHA1", value_parser = ["SHA1", "SHA256", "SHA512"])]
    algorithm: String,
    /// The college's email domain (staff must use it, students must not).
    #[arg(long, default_value = "cegepmontpetit.ca")]
    college_domain: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let algorithm = HashAlgorithm::named(&args.algorithm).unwrap_or(HashAlgorithm::Sha1);
    let mut config = Config::new(&args.data)
        .allow_user_creation(args.allow_user_creation)
        .otp(algorithm, args.digits, args.period);
    config.college_domain = args.college_domain;
    if let Some(url) = args.smtp {
        config = config.mailer(Mailer::Smtp(url));
    } else if let Some(dir) = args.outbox {
        config = config.mailer(Mailer::Outbox(dir));
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("omnivox-sim: cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        match Simulator::start(config, args.listen).await {
            Ok(sim) => {
                println!(
                    "omnivox-sim: Omnivox at {0}/  Clara at {0}/clara",
                    sim.url()
                );
                sim.wait().await;
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("omnivox-sim: {error}");
                ExitCode::FAILURE
            }
        }
    })
}
