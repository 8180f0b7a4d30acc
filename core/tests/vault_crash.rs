//! The crash test: a writer process is SIGKILLed at random moments, hundreds of times; after
//! each kill the vault must open, undamaged, with every committed change in it and no HOTP code
//! shown twice.
//!
//! The writer is this same test binary re-run with `--ignored --exact crash_writer_child`.
//! `JETON_CRASH_ITERATIONS` (default 300) and `JETON_CRASH_SEED` tune a run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/crash.rs"]
mod crash;
use crash::{Rng, env_count, env_seed, vault_with_hotp};

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use jeton_core::otp::OtpParams;
use jeton_core::vault::{AccountId, Vault};
use jeton_core::{Account, Kind, Secret};

const PATH_ENV: &str = "JETON_CRASH_VAULT";
const ROUND_ENV: &str = "JETON_CRASH_ROUND";
const PASS: &str = "crash-test";

/// A secret that the account's name determines, so the parent can check it.
fn secret_for(name: &str) -> Vec<u8> {
    let mut s = name.as_bytes().to_vec();
    s.resize(20, b'#');
    s
}

fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    writeln!(out, "crash: {line}").unwrap();
    out.flush().unwrap();
}

/// The writer. Not a test on its own: the crash test runs it in a child process.
#[test]
#[ignore = "the crash test's child process; run by crash_test_sigkill_at_random_points"]
fn crash_writer_child() {
    let path = std::env::var(PATH_ENV).expect("run by the crash test");
    let round: u64 = std::env::var(ROUND_ENV).unwrap().parse().unwrap();
    let mut vault = Vault::open(&path).unwrap();
    vault.unlock_with_passphrase(PASS).unwrap();
    let hotp = vault
        .list()
        .unwrap()
        .into_iter()
        .find(|e| e.kind == Kind::Hotp)
        .unwrap()
        .id;
    let mut mine: Vec<AccountId> = Vec::new();
    say("ready");
    for k in 0u64.. {
        match k % 5 {
            1 | 3 => {
                say("begin hotp");
                let code = vault.next_hotp(hotp).unwrap();
                say(&format!("done hotp {} {}", code.step, code.digits));
            }
            4 if !mine.is_empty() => {
                let id = mine.remove(0);
                say(&format!("begin remove {id}"));
                vault.remove(id).unwrap();
                say(&format!("done remove {id}"));
            }
            _ => {
                let name = format!("r{round}-k{k}");
                say(&format!("begin add {name}"));
                let id = vault
                    .add(Account {
                        issuer: Some("Crash".into()),
                        name: name.clone(),
                        secret: Secret::from_slice(&secret_for(&name)),
                        params: OtpParams::totp(),
                    })
                    .unwrap();
                mine.push(id);
                say(&format!("done add {name} {id}"));
            }
        }
    }
}

#[test]
fn crash_test_sigkill_at_random_points() {
    let iterations = env_count("JETON_CRASH_ITERATIONS", 300);
    let seed = env_seed("JETON_CRASH_SEED");
    eprintln!("crash test: {iterations} iterations, JETON_CRASH_SEED={seed}");
    let mut rng = Rng(seed);

    let dir = tempfile::tempdir().unwrap();
    let (path, hotp) = vault_with_hotp(dir.path(), PASS);

    // What must be in the vault: committed adds (id -> name), minus committed removes.
    let mut committed: BTreeMap<AccountId, String> = BTreeMap::new();
    let mut highest_hotp_step_shown: Option<u64> = None;
    let mut killed_mid_write = 0;
    let mut total_ops = 0;
    let exe = std::env::current_exe().unwrap();
    let started = Instant::now();

    for round in 0..iterations {
        let mut child = Command::new(&exe)
            .args(["--ignored", "--exact", "crash_writer_child", "--nocapture"])
            .args(["--test-threads", "1"])
            .env(PATH_ENV, &path)
            .env(ROUND_ENV, round.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| l.strip_prefix("crash: ").map(str::to_owned))
                .collect::<Vec<_>>()
        });
        // Wait for the writer to be unlocked, then let it write for a random while.
        let delay = Duration::from_micros(2_000 + rng.next() % 40_000);
        std::thread::sleep(delay);
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        assert!(
            !status.success(),
            "round {round}: the writer was not killed"
        );
        let lines = reader.join().unwrap();

        let mut in_flight: Option<&str> = None;
        for line in &lines {
            let words: Vec<&str> = line.split(' ').collect();
            match words.as_slice() {
                ["begin", ..] => in_flight = Some(line),
                ["done", "add", name, id] => {
                    committed.insert(id.parse().unwrap(), (*name).to_owned());
                    in_flight = None;
                    total_ops += 1;
                }
                ["done", "remove", id] => {
                    committed.remove(&id.parse().unwrap());
                    in_flight = None;
                    total_ops += 1;
                }
                ["done", "hotp", step, _code] => {
                    let step: u64 = step.parse().unwrap();
                    if let Some(previous) = highest_hotp_step_shown {
                        assert!(
                            step > previous,
                            "round {round}: HOTP step {step} shown twice"
                        );
                    }
                    highest_hotp_step_shown = Some(step);
                    in_flight = None;
                    total_ops += 1;
                }
                ["ready"] => {}
                other => panic!("round {round}: unexpected line {other:?}"),
            }
        }
        if in_flight.is_some() {
            killed_mid_write += 1;
        }

        // The vault opens, undamaged, with every committed change.
        let mut vault =
            Vault::open(&path).unwrap_or_else(|e| panic!("round {round} (seed {seed}): {e}"));
        vault.unlock_with_passphrase(PASS).unwrap();
        assert!(
            vault.damaged().is_empty(),
            "round {round} (seed {seed}): {:?}",
            vault.damaged()
        );
        let present: BTreeSet<AccountId> = vault.list().unwrap().iter().map(|e| e.id).collect();
        // A remove cut short by the kill may or may not have committed: the file decides.
        if let Some(id) = in_flight.and_then(|l| l.strip_prefix("begin remove ")) {
            let id: AccountId = id.parse().unwrap();
            if !present.contains(&id) {
                committed.remove(&id);
            }
        }
        for (id, name) in &committed {
            assert!(
                present.contains(id),
                "round {round} (seed {seed}): committed account {name} lost; {} present; last lines {:?}",
                present.len(),
                &lines[lines.len().saturating_sub(4)..]
            );
            let record = vault.get(*id).unwrap();
            assert_eq!(&record.account.name, name);
            assert_eq!(record.account.secret.expose(), secret_for(name));
        }
        // Anything else present is the HOTP account or the one add cut short by the kill.
        for id in &present {
            if *id == hotp || committed.contains_key(id) {
                continue;
            }
            let record = vault.get(*id).unwrap();
            let in_flight_add =
                in_flight.is_some_and(|l| l == format!("begin add {}", record.account.name));
            assert!(
                in_flight_add,
                "round {round} (seed {seed}): unexpected account {}",
                record.account.name
            );
            committed.insert(*id, record.account.name.clone());
        }
        // The counter was committed before any code it made was shown.
        let counter = vault.get(hotp).unwrap().account.params.counter;
        if let Some(step) = highest_hotp_step_shown {
            assert!(
                counter > step,
                "round {round} (seed {seed}): counter {counter} would show step {step} again"
            );
        }
    }
    eprintln!(
        "crash test: {iterations} kills, {killed_mid_write} in the middle of a write, \
         {total_ops} committed operations, {} accounts, {:?}",
        committed.len() + 1,
        started.elapsed()
    );
    assert!(
        total_ops > iterations,
        "the writer barely wrote: {total_ops}"
    );
    assert!(
        killed_mid_write * 4 > iterations,
        "too few kills landed during a write: {killed_mid_write}"
    );
}
