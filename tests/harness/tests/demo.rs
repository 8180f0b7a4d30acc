//! `jeton demo` as a user runs it: the binary, its output, its exit status.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

#[test]
fn the_demo_walks_every_step_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_jeton"))
        .args(["demo", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for step in 1..=12 {
        assert!(
            stdout.contains(&format!("[{step}/12]")),
            "step {step} missing:\n{stdout}"
        );
    }
    assert_eq!(stdout.matches("  ✔ ").count(), 14, "{stdout}");
    assert!(!stdout.contains('✘'));
    assert!(stdout.contains("Demo passed: 12 of 12 steps."));
    assert!(stdout.contains("offset -120 s applied"), "{stdout}");
    // What it left behind: the vault, the simulator's database and the outbox's messages.
    assert!(dir.path().join("telephone.jeton").exists());
    assert!(dir.path().join("omnivox-data/omnivox-sim.sqlite3").exists());
    let emails = std::fs::read_dir(dir.path().join("omnivox-data/outbox"))
        .unwrap()
        .count();
    assert_eq!(emails, 3, "two enrolments and one login by email");
}

#[test]
fn the_demo_fails_with_exit_1_when_a_step_fails() {
    // A folder holding a previous demo's vault: creating the phone's vault must fail.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("telephone.jeton"), b"not a vault").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_jeton"))
        .args(["demo", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("[3/12]") && !stdout.contains("[4/12]"),
        "{stdout}"
    );
    assert!(stdout.contains("Demo failed at step 3."), "{stdout}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("the demo failed at step 3"));
}
