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
    for step in 1..=16 {
        assert!(
            stdout.contains(&format!("[{step}/16]")),
            "step {step} missing:\n{stdout}"
        );
    }
    assert_eq!(stdout.matches("  ✔ ").count(), 18, "{stdout}");
    assert!(!stdout.contains('✘'));
    assert!(stdout.contains("Demo passed: 16 of 16 steps."));
    assert!(stdout.contains("offset -120 s applied"), "{stdout}");
    // The phone change: both accounts reach the new phone, whose code Omnivox accepts.
    assert!(
        stdout.contains(
            "2 accounts received, identical: \"Omnivox (2412345)\", \"Omnivox (p123456)\""
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("The new phone's code") && stdout.contains("accepted: welcome to Omnivox"),
        "{stdout}"
    );
    // What it left behind: both phones' vaults, the sync folder, the simulator's database and
    // the outbox's messages.
    assert!(dir.path().join("telephone.jeton").exists());
    assert!(dir.path().join("nouveau-telephone.jeton").exists());
    assert!(
        files_under(&dir.path().join("synchro")) >= 2,
        "the store's marker and the old phone's log"
    );
    assert!(dir.path().join("omnivox-data/omnivox-sim.sqlite3").exists());
    let emails = std::fs::read_dir(dir.path().join("omnivox-data/outbox"))
        .unwrap()
        .count();
    assert_eq!(emails, 3, "two enrolments and one login by email");
}

fn files_under(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|item| item.unwrap().path())
        .map(|path| if path.is_dir() { files_under(&path) } else { 1 })
        .sum()
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
        stdout.contains("[3/16]") && !stdout.contains("[4/16]"),
        "{stdout}"
    );
    assert!(stdout.contains("Demo failed at step 3."), "{stdout}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("the demo failed at step 3"));
}
