//! The `omnivox-sim` binary as a developer starts it: it says where it listens, serves the
//! pages and the API, and refuses account creation unless enabled.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test]
async fn the_binary_serves_on_the_port_it_announces() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_omnivox-sim"))
        .args(["--listen", "127.0.0.1:0", "--data"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap()
        .trim_end_matches('/')
        .to_owned();
    let client = reqwest::Client::new();
    let page = client.get(format!("{url}/connexion")).send().await.unwrap();
    assert!(page.headers().contains_key("date"));
    assert!(page.text().await.unwrap().contains("Connexion à Omnivox"));
    let refused = client
        .post(format!("{url}/api/users"))
        .json(&serde_json::json!({"id": "2400001", "role": "student", "password": "long enough"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), reqwest::StatusCode::FORBIDDEN);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(dir.path().join("omnivox-sim.sqlite3").exists());
    assert!(dir.path().join("server.key").exists());
}

#[test]
fn bad_options_are_refused_with_a_clear_message() {
    let output = Command::new(env!("CARGO_BIN_EXE_omnivox-sim"))
        .args(["--digits", "4"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--digits"));
}
