//! The simulator as an attacker meets it: session tokens kept only as hashes, unknown ids that
//! cost what known ones do (counted, not timed), and the pages' defences (escaping, CSRF,
//! bounded bodies).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use jeton_harness::sim::portal::WorkDone;
use reqwest::StatusCode;
use serde_json::json;
use sha2::{Digest, Sha256};
use support::{Sim, T0};

fn work(sim: &Sim) -> WorkDone {
    sim.sim.as_ref().unwrap().portal().work()
}

#[tokio::test]
async fn the_database_keeps_the_sha256_of_session_tokens_never_the_tokens() {
    let sim = Sim::start().await;
    sim.create("2400101", "student").await;
    let (token, _) = sim.login("2400101").await;
    // The token works…
    let response = sim
        .client
        .get(format!("{}/api/me", sim.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // …a different one of the same shape does not.
    let mut other = token.clone().into_bytes();
    other[0] = if other[0] == b'0' { b'1' } else { b'0' };
    let response = sim
        .client
        .get(format!("{}/api/me", sim.url))
        .bearer_auth(String::from_utf8(other).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    // Ask for an email code so that the attempt is recorded too.
    let (status, body) = sim
        .post(
            "/api/2fa/email/start",
            Some(&token),
            json!({"address": "eleve@gmail.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let db = rusqlite::Connection::open(sim.dir.path().join("omnivox-sim.sqlite3")).unwrap();
    let hashes: Vec<Vec<u8>> = db
        .prepare("SELECT token_hash FROM sessions")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let expected = Sha256::digest(token.as_bytes()).to_vec();
    assert_eq!(hashes, vec![expected.clone()]);
    // No table holds the token in clear (sqlite3's dump of every row, as text and bytes).
    let dump = std::fs::read(sim.dir.path().join("omnivox-sim.sqlite3")).unwrap();
    let wal = std::fs::read(sim.dir.path().join("omnivox-sim.sqlite3-wal")).unwrap_or_default();
    for file in [&dump, &wal] {
        assert!(
            !file.windows(token.len()).any(|w| w == token.as_bytes()),
            "the token is on disk"
        );
    }
    let attempt: String = db
        .query_row("SELECT attempt FROM email_codes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(attempt, data_encoding::HEXLOWER.encode(&expected));
}

#[tokio::test]
async fn an_unknown_id_at_login_costs_one_password_hash_like_a_known_one() {
    let sim = Sim::start().await;
    sim.create("2400102", "student").await;
    let login = |id: &'static str| {
        sim.post(
            "/api/login",
            None,
            json!({"id": id, "password": "not the password"}),
        )
    };
    let before = work(&sim);
    let (known, _) = login("2400102").await;
    let after_known = work(&sim);
    let (unknown, _) = login("2499999").await;
    let after_unknown = work(&sim);
    assert_eq!(
        (known, unknown),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    let cost_known = after_known.since(before);
    let cost_unknown = after_unknown.since(after_known);
    assert_eq!(cost_known.password_hashes, 1);
    assert_eq!(cost_unknown, cost_known, "the same work either way");
}

#[tokio::test]
async fn an_unknown_id_at_clara_costs_one_secret_opening_and_one_code_check() {
    let sim = Sim::start().await;
    let staff = sim.enrolled("p200101", "staff").await;
    let wrong = staff.code(T0 + 3000);
    let clara = |id: &'static str, code: String| {
        sim.post("/clara/api/verify", None, json!({"id": id, "code": code}))
    };
    let before = work(&sim);
    let (known, _) = clara("p200101", wrong.clone()).await;
    let after_known = work(&sim);
    let (unknown, body) = clara("p299999", wrong).await;
    let after_unknown = work(&sim);
    assert_eq!(known, StatusCode::UNAUTHORIZED);
    assert_eq!(
        (unknown, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("bad_credentials"))
    );
    let cost_known = after_known.since(before);
    let cost_unknown = after_unknown.since(after_known);
    assert_eq!(
        cost_known,
        WorkDone {
            password_hashes: 0,
            secret_openings: 1,
            code_checks: 1
        }
    );
    assert_eq!(cost_unknown, cost_known, "the same work either way");
}

/// A user named like an injection, enrolled and past the second step; returns the session
/// token (the page cookie and the API token are the same session).
async fn enrolled_with_name(sim: &Sim, id: &str, name: &str) -> String {
    let (status, body) = sim
        .post(
            "/api/users",
            None,
            json!({"id": id, "role": "student", "password": "correct horse battery", "name": name}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["name"], name, "the name is kept as given");
    let (token, _) = sim.login(id).await;
    let oracle = sim.start_totp(&token).await;
    let (status, body) = sim
        .post(
            "/api/2fa/totp/confirm",
            Some(&token),
            json!({"code": oracle.code(T0)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    token
}

#[tokio::test]
async fn a_name_made_of_markup_is_shown_escaped() {
    let sim = Sim::start().await;
    let name = "<script>alert(1)</script> & \"quotes\" 'too'";
    let token = enrolled_with_name(&sim, "2400103", name).await;
    let html = sim
        .client
        .get(format!("{}/accueil", sim.url))
        .header("cookie", format!("omnivox_session={token}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;too&#39;"
        ),
        "{html}"
    );
    assert!(!html.contains("<script"), "{html}");
    // The API returns it as data, unchanged.
    let me: serde_json::Value = sim
        .client
        .get(format!("{}/api/me", sim.url))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["name"], name);
    // Control characters are refused at the door.
    let (status, _) = sim
        .post(
            "/api/users",
            None,
            json!({"id": "2400104", "role": "student", "password": "correct horse battery", "name": "a\u{1b}[2Jb"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn post_form(sim: &Sim, path: &str, cookie: &str, body: String) -> reqwest::Response {
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    no_redirects
        .post(format!("{}{path}", sim.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", cookie)
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn session_forms_without_their_csrf_token_are_refused_and_do_nothing() {
    let sim = Sim::start().await;
    sim.create("2400105", "student").await;
    let (token, _) = sim.login("2400105").await;
    let oracle = sim.start_totp(&token).await;
    let cookie = format!("omnivox_session={token}");
    let html = sim
        .client
        .get(format!("{}/validation/application/code", sim.url))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = support::csrf_in(&html);
    assert_eq!(csrf.len(), 64, "a SHA-256 in hex: {csrf}");
    assert!(!csrf.contains(&token) && !token.contains(&csrf));
    let code = oracle.code(T0);
    let path = "/validation/application/code";
    for body in [
        format!("code={code}"),
        format!("code={code}&csrf="),
        format!("code={code}&csrf={}", "0".repeat(64)),
    ] {
        let response = post_form(&sim, path, &cookie, body.clone()).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{body}");
        assert!(response.text().await.unwrap().contains("expiré"));
    }
    // Another session's token does not do either.
    sim.create("2400106", "student").await;
    let (other, _) = sim.login("2400106").await;
    let other_html = sim
        .client
        .get(format!("{}/validation/application/code", sim.url))
        .header("cookie", format!("omnivox_session={other}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let other_csrf = support::csrf_in(&other_html);
    assert_ne!(other_csrf, csrf);
    let response = post_form(
        &sim,
        path,
        &cookie,
        format!("code={code}&csrf={other_csrf}"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // Nothing was done: the same code, with the right token, is still unused and confirms.
    let response = post_form(&sim, path, &cookie, format!("code={code}&csrf={csrf}")).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        response.headers()["location"],
        "/validation/courriel?premiere=1"
    );
}

#[tokio::test]
async fn the_login_and_clara_forms_need_the_token_of_their_cookie() {
    let sim = Sim::start().await;
    sim.create("2400107", "student").await;
    for path in ["/connexion", "/clara"] {
        let page = sim
            .client
            .get(format!("{}{path}", sim.url))
            .send()
            .await
            .unwrap();
        let cookie = support::set_cookie(&page, "omnivox_csrf").unwrap();
        let csrf = support::csrf_in(&page.text().await.unwrap());
        assert_eq!(cookie, format!("omnivox_csrf={csrf}"));
        // Clara refuses a student with 403 of its own: an unknown id shows the CSRF check alone.
        let fields = if path == "/clara" {
            "id=nobody&code=123456"
        } else {
            "id=2400107&password=correct+horse+battery"
        };
        for (cookie, body) in [
            (String::new(), format!("{fields}&csrf={csrf}")),
            (cookie.clone(), fields.to_owned()),
            (cookie.clone(), format!("{fields}&csrf={}", "f".repeat(32))),
        ] {
            let response = post_form(&sim, path, &cookie, body.clone()).await;
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path} {body}");
        }
        let response = post_form(&sim, path, &cookie, format!("{fields}&csrf={csrf}")).await;
        assert_ne!(response.status(), StatusCode::FORBIDDEN, "{path}");
    }
}

#[tokio::test]
async fn bodies_over_16_kib_are_refused_with_413() {
    let sim = Sim::start().await;
    sim.create("2400108", "student").await;
    let big = "x".repeat(20 * 1024);
    let (status, body) = sim
        .post(
            "/api/login",
            None,
            json!({"id": "2400108", "password": big}),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("too_large"))
    );
    // Under the limit, the request is read and judged.
    let (status, body) = sim
        .post(
            "/api/login",
            None,
            json!({"id": "2400108", "password": "x".repeat(15 * 1024)}),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("bad_credentials"))
    );
    let response = post_form(&sim, "/connexion", "", format!("id=a&password={big}")).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let (status, body) = sim
        .post("/api/2fa/email/start", Some("x"), json!({"address": big}))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("too_large"))
    );
}

#[tokio::test]
async fn bodies_that_are_not_the_expected_json_are_400_in_the_apis_shape() {
    let sim = Sim::start().await;
    for (path, body) in [
        ("/api/login", json!({"id": 5})),
        (
            "/api/users",
            json!({"id": "x", "role": "admin", "password": "long enough"}),
        ),
        ("/clara/api/verify", json!([])),
    ] {
        let (status, reply) = sim.post(path, None, body).await;
        assert_eq!(
            (status, reply["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("bad_request")),
            "{path}: {reply}"
        );
    }
}
