//! Load: verifications per second over HTTP on loopback with many concurrent clients, then the
//! replay invariant checked from the clients' side (each code accepted exactly once).
//!
//! Bounded by default (20 accounts × 10 steps × 20 copies = 4,000 requests, 64 in flight) so it
//! fits in CI; larger runs: `SIM_LOAD_USERS=50 SIM_LOAD_ROUNDS=20 SIM_LOAD_COPIES=40
//! SIM_LOAD_CLIENTS=128 cargo test --release -p jeton-harness --test sim_load -- --nocapture`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;
use support::{Sim, T0};
use tokio::sync::Semaphore;

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread")]
async fn verifications_per_second_and_no_code_accepted_twice() {
    let users = setting("SIM_LOAD_USERS", 20);
    let rounds = setting("SIM_LOAD_ROUNDS", 10);
    let copies = setting("SIM_LOAD_COPIES", 20);
    let clients = setting("SIM_LOAD_CLIENTS", 64);

    let sim = Sim::start().await;
    let mut accounts = Vec::new();
    for u in 0..users {
        let id = format!("24{u:05}");
        let oracle = sim.enrolled(&id, "student").await;
        let (token, _) = sim.login(&id).await;
        accounts.push((id, token, Arc::new(oracle)));
    }
    let sim = Arc::new(sim);
    let gate = Arc::new(Semaphore::new(clients));
    let mut outcomes: HashMap<(usize, usize), (u32, u32)> = HashMap::new();
    let mut latencies = Vec::with_capacity(users * rounds * copies);
    let started = Instant::now();
    let run = async {
        for round in 1..=rounds {
            let now = T0 + 30 * round as u64;
            sim.clock.set(now);
            let mut tasks = Vec::new();
            for (u, (_, token, oracle)) in accounts.iter().enumerate() {
                let code = oracle.code(now);
                for _ in 0..copies {
                    let (sim, gate, token, code) = (
                        Arc::clone(&sim),
                        Arc::clone(&gate),
                        token.clone(),
                        code.clone(),
                    );
                    tasks.push(tokio::spawn(async move {
                        let _permit = gate.acquire_owned().await.unwrap();
                        let sent = Instant::now();
                        let (status, body) = sim
                            .post(
                                "/api/2fa/verify",
                                Some(&token),
                                json!({"method": "totp", "code": code}),
                            )
                            .await;
                        (
                            u,
                            status,
                            body["error"].as_str().map(str::to_owned),
                            sent.elapsed(),
                        )
                    }));
                }
            }
            for task in tasks {
                let (u, status, error, latency) = task.await.unwrap();
                latencies.push(latency);
                let entry = outcomes.entry((u, round)).or_default();
                match (status, error.as_deref()) {
                    (StatusCode::OK, None) => entry.0 += 1,
                    (StatusCode::UNAUTHORIZED, Some("replayed_code")) => entry.1 += 1,
                    other => panic!("unexpected answer {other:?}"),
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(300), run)
        .await
        .expect("load run took over 5 minutes");
    let elapsed = started.elapsed();

    // The invariant: every (account, step) accepted exactly once, every other copy a replay.
    assert_eq!(outcomes.len(), users * rounds);
    for ((u, round), (accepted, replayed)) in &outcomes {
        assert_eq!(
            *accepted, 1,
            "account {u} step {round} accepted {accepted} times"
        );
        assert_eq!(*replayed as usize, copies - 1);
    }

    // The same check without HTTP or SQLite, in the same run: what the server adds.
    let secret = jeton_core::Secret::new(vec![7u8; 20]);
    let params = jeton_core::OtpParams::totp();
    let bare = 20_000u32;
    let started = Instant::now();
    for i in 0..bare {
        let _ = std::hint::black_box(jeton_core::otp::verify(
            &secret,
            &params,
            "123456",
            T0 + u64::from(i),
            1,
        ));
    }
    let bare_rate = f64::from(bare) / started.elapsed().as_secs_f64();

    let total = latencies.len();
    latencies.sort();
    let pct = |p: f64| latencies[((total as f64 * p) as usize).min(total - 1)];
    println!(
        "load: {total} verifications ({users} accounts x {rounds} steps x {copies} copies, {clients} concurrent clients) in {:.2} s = {:.0} verifications/s; latency p50 {:.2} ms, p99 {:.2} ms; accepted once each: {} codes; bare otp::verify (+-1 step, no HTTP, no SQLite) {:.0}/s",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
        users * rounds,
        bare_rate,
    );
}
