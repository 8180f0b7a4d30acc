//! The simulator end to end over HTTP on loopback: the whole journey of the school's procedure,
//! the verification policy (replay, window, throttling, lockout), email codes, Clara, restarts.
//! Codes are computed by totp-rs from the secret read out of the QR image by rqrr.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::Arc;

use jeton_harness::sim::policy;
use reqwest::StatusCode;
use serde_json::json;
use support::{Sim, T0};

#[tokio::test]
async fn a_student_enrols_both_methods_then_logs_in_with_either() {
    let sim = Sim::start().await;
    sim.create("2412345", "student").await;
    let (token, next) = sim.login("2412345").await;
    assert_eq!(next, "enrol");

    let oracle = sim.start_totp(&token).await;
    let (status, body) = sim
        .post(
            "/api/2fa/totp/confirm",
            Some(&token),
            json!({"code": oracle.code(T0)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["authenticated"], true);

    let (status, body) = sim
        .post(
            "/api/2fa/email/start",
            Some(&token),
            json!({"address": "Marie.Tremblay@gmail.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["sent_to"], "marie.tremblay@gmail.com");
    assert_eq!(body["expires_in_seconds"], 600);
    let code = sim.last_email_code("marie.tremblay@gmail.com");
    let (status, body) = sim
        .post(
            "/api/2fa/email/confirm",
            Some(&token),
            json!({"code": code}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let me = sim
        .client
        .get(format!("{}/api/me", sim.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(
        me,
        json!({"user": "2412345", "name": "2412345", "role": "student", "authenticated": true, "totp": true, "email": true})
    );

    // Next login: a code from the app (a later step: the enrolment used T0's).
    sim.clock.advance(30);
    let (token, next) = sim.login("2412345").await;
    assert_eq!(next, "verify");
    let code = oracle.code(T0 + 30);
    let (status, body) = sim
        .post(
            "/api/2fa/verify",
            Some(&token),
            json!({"method": "totp", "code": code}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The same code again, even from another session, is a replay.
    let (other, _) = sim.login("2412345").await;
    let (status, body) = sim
        .post(
            "/api/2fa/verify",
            Some(&other),
            json!({"method": "totp", "code": code}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "replayed_code", "{body}");

    // Or a code by email, to the confirmed address.
    let (status, body) = sim
        .post("/api/2fa/email/start", Some(&other), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let code = sim.last_email_code("marie.tremblay@gmail.com");
    let (status, body) = sim
        .post(
            "/api/2fa/verify",
            Some(&other),
            json!({"method": "email", "code": code}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn methods_stay_unconfirmed_until_a_code_verifies_and_cannot_be_added_without_one() {
    let sim = Sim::start().await;
    sim.create("2400001", "student").await;
    let (token, _) = sim.login("2400001").await;
    let oracle = sim.start_totp(&token).await;
    let (status, body) = sim
        .post(
            "/api/2fa/totp/confirm",
            Some(&token),
            json!({"code": oracle.code(T0 + 3600)}),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("wrong_code"))
    );
    let (_, next) = sim.login("2400001").await;
    assert_eq!(next, "enrol", "an unconfirmed method does not count");

    sim.post(
        "/api/2fa/totp/confirm",
        Some(&token),
        json!({"code": oracle.code(T0)}),
    )
    .await;
    // A new session of an enrolled account must pass the second step before adding methods.
    let (fresh, next) = sim.login("2400001").await;
    assert_eq!(next, "verify");
    let (status, body) = sim
        .post(
            "/api/2fa/email/start",
            Some(&fresh),
            json!({"address": "x@gmail.com"}),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let (status, body) = sim
        .post("/api/2fa/totp/start", Some(&fresh), json!({}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
}

#[tokio::test]
async fn students_use_a_personal_address_and_staff_the_colleges() {
    let sim = Sim::start().await;
    sim.create("2400002", "student").await;
    sim.create("p123456", "staff").await;
    let (student, _) = sim.login("2400002").await;
    let (staff, _) = sim.login("p123456").await;
    let (status, body) = sim
        .post(
            "/api/2fa/email/start",
            Some(&student),
            json!({"address": "e@cegepmontpetit.ca"}),
        )
        .await;
    // A well-formed address this account may not use: forbidden, not malformed.
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body["message_fr"].as_str().unwrap().contains("personnelle"),
        "{body}"
    );
    let (status, body) = sim
        .post(
            "/api/2fa/email/start",
            Some(&staff),
            json!({"address": "prof@gmail.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body["message"].as_str().unwrap().contains("college"),
        "{body}"
    );
    let (status, _) = sim
        .post(
            "/api/2fa/email/start",
            Some(&staff),
            json!({"address": "prof@cegepmontpetit.ca"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = sim
        .post(
            "/api/2fa/email/start",
            Some(&student),
            json!({"address": "not an address"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn one_valid_code_sent_100_times_at_once_is_accepted_exactly_once() {
    let sim = Sim::start().await;
    let oracle = sim.enrolled("2400003", "student").await;
    sim.clock.advance(30);
    let code = oracle.code(T0 + 30);
    // Ten sessions, ten concurrent submissions each.
    let mut tokens = Vec::new();
    for _ in 0..10 {
        tokens.push(sim.login("2400003").await.0);
    }
    let sim = Arc::new(sim);
    let mut tasks = Vec::new();
    for i in 0..100 {
        let sim = Arc::clone(&sim);
        let token = tokens[i % 10].clone();
        let code = code.clone();
        tasks.push(tokio::spawn(async move {
            sim.post(
                "/api/2fa/verify",
                Some(&token),
                json!({"method": "totp", "code": code}),
            )
            .await
        }));
    }
    let mut accepted = 0;
    let mut replayed = 0;
    for task in tasks {
        let (status, body) = task.await.unwrap();
        match body["error"].as_str() {
            None if status == StatusCode::OK => accepted += 1,
            Some("replayed_code") if status == StatusCode::UNAUTHORIZED => replayed += 1,
            _ => panic!("unexpected answer {status} {body}"),
        }
    }
    assert_eq!((accepted, replayed), (1, 99));
}

#[tokio::test]
async fn one_step_of_skew_is_accepted_two_are_refused() {
    let sim = Sim::start().await;
    let oracle = sim.enrolled("2400004", "student").await;
    let (token, _) = sim.login("2400004").await;
    let verify = |code: String| {
        let sim = &sim;
        let token = token.clone();
        async move {
            let (status, body) = sim
                .post(
                    "/api/2fa/verify",
                    Some(&token),
                    json!({"method": "totp", "code": code}),
                )
                .await;
            (status, body["error"].as_str().map(str::to_owned))
        }
    };
    sim.clock.set(T0 + 300);
    assert_eq!(
        verify(oracle.code(T0 + 300 - 60)).await.1.as_deref(),
        Some("wrong_code")
    );
    assert_eq!(
        verify(oracle.code(T0 + 300 - 30)).await,
        (StatusCode::OK, None)
    );
    sim.clock.set(T0 + 600);
    assert_eq!(
        verify(oracle.code(T0 + 600 + 60)).await.1.as_deref(),
        Some("wrong_code")
    );
    assert_eq!(
        verify(oracle.code(T0 + 600 + 30)).await,
        (StatusCode::OK, None)
    );
    // The step after an accepted future step is still refused until it is newer.
    assert_eq!(
        verify(oracle.code(T0 + 600)).await.1.as_deref(),
        Some("replayed_code")
    );
}

#[tokio::test]
async fn failures_slow_down_then_lock_and_the_lock_survives_a_restart_then_expires() {
    let mut sim = Sim::start().await;
    let oracle = sim.enrolled("2400005", "student").await;
    let (token, _) = sim.login("2400005").await;
    // A code that matches no step near `at`, according to totp-rs.
    let wrong = |at: u64, n: u64| {
        let near = [oracle.code(at - 30), oracle.code(at), oracle.code(at + 30)];
        (n..)
            .map(|k| format!("{:06}", (k * 7919) % 1_000_000))
            .find(|c| !near.contains(c))
            .unwrap()
    };
    let mut now = T0 + 900;
    sim.clock.set(now);
    for n in 1..=10u32 {
        let (status, body) = sim
            .post(
                "/api/2fa/verify",
                Some(&token),
                json!({"method": "totp", "code": wrong(now, u64::from(n))}),
            )
            .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("wrong_code")),
            "failure {n}"
        );
        let delay = policy::delay_after(n);
        if n == 4 {
            // Fourth failure in a row: the next try must wait 2 s, and is told so.
            let response = sim
                .client
                .post(format!("{}/api/2fa/verify", sim.url))
                .bearer_auth(&token)
                .json(&json!({"method": "totp", "code": oracle.code(now)}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
            assert_eq!(response.headers()["retry-after"], "2");
            let body: serde_json::Value = response.json().await.unwrap();
            assert_eq!(body["error"], "throttled");
            assert_eq!(body["retry_after_seconds"], 2);
        }
        if n < 10 {
            now += delay;
            sim.clock.set(now);
        }
    }
    // Locked: even the right code is refused, with the time left.
    let (status, body) = sim
        .post(
            "/api/2fa/verify",
            Some(&token),
            json!({"method": "totp", "code": oracle.code(now)}),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["error"], "locked");
    assert_eq!(body["retry_after_seconds"], 900);
    // Passwords are locked out too.
    let (status, _) = sim
        .post(
            "/api/login",
            None,
            json!({"id": "2400005", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);

    sim.restart().await;
    sim.clock.set(now + 899);
    let (status, body) = sim
        .post(
            "/api/2fa/verify",
            Some(&token),
            json!({"method": "totp", "code": oracle.code(now + 899)}),
        )
        .await;
    assert_eq!(
        (status, body["retry_after_seconds"].as_u64()),
        (StatusCode::TOO_MANY_REQUESTS, Some(1))
    );

    sim.clock.set(now + 900);
    let (status, body) = sim
        .post(
            "/api/2fa/verify",
            Some(&token),
            json!({"method": "totp", "code": oracle.code(now + 900)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The success cleared the run: one wrong code is a plain refusal again.
    let (status, _) = sim
        .post(
            "/api/2fa/verify",
            Some(&token),
            json!({"method": "totp", "code": wrong(now + 900, 1)}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn email_codes_expire_work_once_and_belong_to_their_attempt() {
    let sim = Sim::start().await;
    sim.create("2400006", "student").await;
    let (token, _) = sim.login("2400006").await;
    let (other, _) = sim.login("2400006").await;

    // Nothing asked yet.
    let (status, body) = sim
        .post(
            "/api/2fa/email/confirm",
            Some(&token),
            json!({"code": "123456"}),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::CONFLICT, Some("no_code_requested"))
    );

    sim.post(
        "/api/2fa/email/start",
        Some(&token),
        json!({"address": "l@yahoo.ca"}),
    )
    .await;
    let first = sim.last_email_code("l@yahoo.ca");
    // Another session (another attempt) cannot use it.
    let (status, body) = sim
        .post(
            "/api/2fa/email/confirm",
            Some(&other),
            json!({"code": first}),
        )
        .await;
    assert_eq!(body["error"], "no_code_requested", "{status} {body}");
    // Ten minutes later it has expired.
    sim.clock.advance(policy::EMAIL_CODE_LIFETIME);
    let (status, body) = sim
        .post(
            "/api/2fa/email/confirm",
            Some(&token),
            json!({"code": first}),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("expired_code"))
    );

    sim.post(
        "/api/2fa/email/start",
        Some(&token),
        json!({"address": "l@yahoo.ca"}),
    )
    .await;
    let second = sim.last_email_code("l@yahoo.ca");
    sim.clock.advance(policy::EMAIL_CODE_LIFETIME - 1);
    if second != first {
        let (_, body) = sim
            .post(
                "/api/2fa/email/confirm",
                Some(&token),
                json!({"code": first}),
            )
            .await;
        assert_eq!(body["error"], "wrong_code", "the old code was replaced");
    }
    let (status, body) = sim
        .post(
            "/api/2fa/email/confirm",
            Some(&token),
            json!({"code": second}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = sim
        .post(
            "/api/2fa/email/confirm",
            Some(&token),
            json!({"code": second}),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("replayed_code"))
    );

    // The outbox holds only the hash's preimage in the mail: the database never has the code.
    let db = std::fs::read(sim.dir.path().join("omnivox-sim.sqlite3")).unwrap();
    let wal = std::fs::read(sim.dir.path().join("omnivox-sim.sqlite3-wal")).unwrap_or_default();
    for bytes in [db, wal] {
        assert!(
            !bytes.windows(6).any(|w| w == second.as_bytes()),
            "code stored in clear"
        );
    }
}

#[tokio::test]
async fn email_sends_are_throttled() {
    let sim = Sim::start().await;
    sim.create("2400007", "student").await;
    let (token, _) = sim.login("2400007").await;
    for _ in 0..policy::EMAIL_SENDS_PER_WINDOW {
        let (status, _) = sim
            .post(
                "/api/2fa/email/start",
                Some(&token),
                json!({"address": "a@gmail.com"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, body) = sim
        .post(
            "/api/2fa/email/start",
            Some(&token),
            json!({"address": "a@gmail.com"}),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("throttled"))
    );
    sim.clock.advance(policy::EMAIL_SEND_WINDOW + 1);
    let (status, _) = sim
        .post(
            "/api/2fa/email/start",
            Some(&token),
            json!({"address": "a@gmail.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn clara_accepts_a_staff_code_once_and_refuses_students() {
    let sim = Sim::start().await;
    let staff = sim.enrolled("p200001", "staff").await;
    sim.enrolled("2400008", "student").await;
    // The code just used on Omnivox works on Clara once: Clara keeps its own record.
    let code = staff.code(T0);
    let (status, body) = sim
        .post(
            "/clara/api/verify",
            None,
            json!({"id": "p200001", "code": code}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = sim
        .post(
            "/clara/api/verify",
            None,
            json!({"id": "p200001", "code": code}),
        )
        .await;
    assert_eq!(body["error"], "replayed_code");
    let (status, body) = sim
        .post(
            "/clara/api/verify",
            None,
            json!({"id": "p200001", "code": staff.code(T0 + 3000)}),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("wrong_code"))
    );
    let (status, body) = sim
        .post(
            "/clara/api/verify",
            None,
            json!({"id": "2400008", "code": "123456"}),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let (status, _) = sim
        .post(
            "/clara/api/verify",
            None,
            json!({"id": "nobody", "code": "123456"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_restart_mid_journey_loses_nothing() {
    let mut sim = Sim::start().await;
    sim.create("2400009", "student").await;
    let (token, _) = sim.login("2400009").await;
    let oracle = sim.start_totp(&token).await;
    sim.restart().await;
    // The secret is sealed at rest: neither the database nor its journal holds it.
    let secret = oracle.secret_bytes();
    for file in ["omnivox-sim.sqlite3", "omnivox-sim.sqlite3-wal"] {
        let bytes = std::fs::read(sim.dir.path().join(file)).unwrap_or_default();
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret),
            "{file} holds the secret"
        );
    }
    let (status, body) = sim
        .post(
            "/api/2fa/totp/confirm",
            Some(&token),
            json!({"code": oracle.code(T0)}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "session and pending secret survive: {body}"
    );
    sim.post(
        "/api/2fa/email/start",
        Some(&token),
        json!({"address": "s@outlook.com"}),
    )
    .await;
    let code = sim.last_email_code("s@outlook.com");
    sim.restart().await;
    let (status, body) = sim
        .post(
            "/api/2fa/email/confirm",
            Some(&token),
            json!({"code": code}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "the email code survives: {body}");
    sim.restart().await;
    // The last accepted step survives too: T0's code is still a replay.
    let (fresh, next) = sim.login("2400009").await;
    assert_eq!(next, "verify");
    let (_, body) = sim
        .post(
            "/api/2fa/verify",
            Some(&fresh),
            json!({"method": "totp", "code": oracle.code(T0)}),
        )
        .await;
    assert_eq!(body["error"], "replayed_code");
}

#[tokio::test]
async fn refusals_are_clear_for_bad_input() {
    let sim = Sim::start().await;
    sim.create("2400010", "student").await;
    let (status, body) = sim
        .post(
            "/api/users",
            None,
            json!({"id": "2400010", "role": "student", "password": "another password"}),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::CONFLICT, Some("conflict"))
    );
    let (status, _) = sim
        .post(
            "/api/users",
            None,
            json!({"id": "x y", "role": "student", "password": "long enough"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = sim
        .post(
            "/api/login",
            None,
            json!({"id": "2400010", "password": "wrong password"}),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("bad_credentials"))
    );
    let (status, body) = sim.post("/api/2fa/totp/start", None, json!({})).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("not_logged_in"))
    );
    let (token, _) = sim.login("2400010").await;
    let (status, body) = sim
        .post(
            "/api/2fa/totp/confirm",
            Some(&token),
            json!({"code": "12ab56"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["message_fr"].as_str().unwrap().contains("chiffres"));
    // Well-formed, but the account has set nothing up yet: a conflict with its state.
    for (path, body) in [
        ("/api/2fa/totp/confirm", json!({"code": "287082"})),
        (
            "/api/2fa/verify",
            json!({"method": "totp", "code": "287082"}),
        ),
        ("/api/2fa/email/start", json!({})),
    ] {
        let (status, reply) = sim.post(path, Some(&token), body).await;
        assert_eq!(
            (status, reply["error"].as_str()),
            (StatusCode::CONFLICT, Some("conflict")),
            "{path}: {reply}"
        );
    }
    sim.create("p240010", "staff").await;
    let (status, reply) = sim
        .post(
            "/clara/api/verify",
            None,
            json!({"id": "p240010", "code": "287082"}),
        )
        .await;
    assert_eq!(
        (status, reply["error"].as_str()),
        (StatusCode::CONFLICT, Some("conflict")),
        "{reply}"
    );
    // Passwords are 8 to 256 characters (the API description's maxLength), counted as
    // characters, not bytes: 256 two-byte characters are fine, 257 ASCII ones are not.
    let (status, body) = sim
        .post(
            "/api/users",
            None,
            json!({"id": "2400011", "role": "student", "password": "é".repeat(256)}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = sim
        .post(
            "/api/users",
            None,
            json!({"id": "2400012", "role": "student", "password": "x".repeat(257)}),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request"))
    );
}

#[tokio::test]
async fn user_creation_is_off_unless_enabled() {
    let mut sim = Sim::start().await;
    let config = sim.config().allow_user_creation(false);
    if let Some(running) = sim.sim.take() {
        running.stop().await;
    }
    sim.boot(config).await;
    let (status, body) = sim
        .post(
            "/api/users",
            None,
            json!({"id": "2400011", "role": "student", "password": "long enough"}),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
}

#[tokio::test]
async fn every_response_carries_the_simulators_time_and_the_clock_check_reads_it() {
    let sim = Sim::start().await;
    sim.clock.set(T0 + 1234);
    let sent = std::time::UNIX_EPOCH + std::time::Duration::from_secs(T0 + 1234 + 120);
    let response = sim
        .client
        .get(format!("{}/connexion", sim.url))
        .send()
        .await
        .unwrap();
    let date = response.headers()["date"].to_str().unwrap().to_owned();
    assert_eq!(
        httpdate::parse_http_date(&date).unwrap(),
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(T0 + 1234)
    );
    let offset = jeton_core::ClockOffset::from_date_header(&date, sent, sent).unwrap();
    assert_eq!(offset.seconds(), -120);
}

#[tokio::test]
async fn the_openapi_file_names_every_route_the_server_serves() {
    let sim = Sim::start().await;
    let served = sim
        .client
        .get(format!("{}/api/openapi.yaml", sim.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let file = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/omnivox-sim.openapi.yaml"
    ))
    .unwrap();
    assert_eq!(served, file);
    for path in [
        "/api/users",
        "/api/login",
        "/api/me",
        "/api/2fa/totp/start",
        "/api/2fa/totp/confirm",
        "/api/2fa/email/start",
        "/api/2fa/email/confirm",
        "/api/2fa/verify",
        "/clara/api/verify",
    ] {
        assert!(
            file.contains(&format!("  {path}:\n")),
            "{path} is not documented"
        );
        // And the server answers it (anything but 404).
        let status = sim
            .client
            .post(format!("{}{path}", sim.url))
            .json(&json!({}))
            .send()
            .await
            .unwrap()
            .status();
        assert_ne!(status, StatusCode::NOT_FOUND, "{path}");
    }
}

/// A minimal SMTP server on loopback that keeps the DATA of each message it is given.
async fn smtp_sink() -> (
    std::net::SocketAddr,
    tokio::sync::mpsc::UnboundedReceiver<String>,
) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                while let Ok(Some(line)) = lines.next_line().await {
                    let verb = line
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
                        "DATA" => {
                            write.write_all(b"354 end with .\r\n").await.unwrap();
                            let mut data = String::new();
                            while let Ok(Some(line)) = lines.next_line().await {
                                if line == "." {
                                    break;
                                }
                                data.push_str(&line);
                                data.push('\n');
                            }
                            tx.send(data).unwrap();
                            b"250 queued\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (addr, rx)
}

#[tokio::test]
async fn with_smtp_the_code_goes_out_over_smtp() {
    let (addr, mut received) = smtp_sink().await;
    let mut sim = Sim::start().await;
    if let Some(running) = sim.sim.take() {
        running.stop().await;
    }
    let config = sim
        .config()
        .mailer(jeton_harness::sim::Mailer::Smtp(format!("smtp://{addr}")));
    sim.boot(config).await;
    sim.create("2400012", "student").await;
    let (token, _) = sim.login("2400012").await;
    let (status, body) = sim
        .post(
            "/api/2fa/email/start",
            Some(&token),
            json!({"address": "r@gmail.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let message = tokio::time::timeout(std::time::Duration::from_secs(10), received.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(message.contains("To: r@gmail.com"), "{message}");
    assert!(message.contains("Chrome 120.0.0.0"), "{message}");
    let code = jeton_harness::sim::mail::code_in(&message).unwrap();
    assert!(
        !sim.outbox().exists(),
        "nothing goes to the outbox with --smtp"
    );
    let (status, body) = sim
        .post(
            "/api/2fa/email/confirm",
            Some(&token),
            json!({"code": code}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn pages_speak_french_switch_to_english_and_show_refusals() {
    let sim = Sim::start().await;
    sim.create("2400013", "student").await;
    let page = |path: &str, cookie: Option<&str>| {
        let mut request = sim.client.get(format!("{}{path}", sim.url));
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        request.send()
    };
    let french = page("/connexion", None).await.unwrap();
    assert!(
        french
            .text()
            .await
            .unwrap()
            .contains("<h1>Connexion à Omnivox</h1>")
    );
    let english = page("/connexion?lang=en", None).await.unwrap();
    let cookie = support::set_cookie(&english, "omnivox_lang").unwrap();
    assert!(cookie.starts_with("omnivox_lang=en"), "{cookie}");
    assert!(
        english
            .text()
            .await
            .unwrap()
            .contains("<h1>Log in to Omnivox</h1>")
    );
    let remembered = page("/connexion", Some("omnivox_lang=en")).await.unwrap();
    assert!(
        remembered
            .text()
            .await
            .unwrap()
            .contains("Log in to Omnivox")
    );
    // Nothing but the binary serves the page: no script, no outside stylesheet.
    let html = page("/connexion", None)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !html.contains("<script") && !html.contains("https://"),
        "{html}"
    );

    // The login form carries a CSRF token that matches a cookie set with the page.
    let login = page("/connexion", None).await.unwrap();
    let csrf_cookie = support::set_cookie(&login, "omnivox_csrf").unwrap();
    let csrf = support::csrf_in(&login.text().await.unwrap());
    let refused = sim
        .client
        .post(format!("{}/connexion", sim.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &csrf_cookie)
        .body(format!("id=2400013&password=not+the+password&csrf={csrf}"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("Identifiant ou mot de passe invalide.")
    );
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let accepted = no_redirects
        .post(format!("{}/connexion", sim.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &csrf_cookie)
        .body(format!(
            "id=2400013&password=correct+horse+battery&csrf={csrf}"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    assert_eq!(accepted.headers()["location"], "/validation");
    let session = accepted.headers()["set-cookie"].to_str().unwrap();
    assert!(session.contains("HttpOnly"), "{session}");
    let session = support::set_cookie(&accepted, "omnivox_session").unwrap();
    let intro = page("/validation", Some(&session))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(intro.contains("<h1>Validation en 2 étapes</h1>") && intro.contains("Commencer"));
}
