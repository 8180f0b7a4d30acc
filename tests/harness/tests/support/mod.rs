//! Shared by the simulator's behaviour tests: a simulator on a free loopback port with a clock
//! the test moves, an HTTP client, and an independent code generator (totp-rs).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::Arc;

use jeton_harness::sim::mail;
use jeton_harness::sim::{Config, ManualClock, Simulator};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// 2026-11-29T00:00:00Z, a step boundary: tests start at a known time.
pub const T0: u64 = 1_795_910_400;

/// A running simulator with a manual clock, its data folder and a client.
pub struct Sim {
    pub sim: Option<Simulator>,
    pub clock: Arc<ManualClock>,
    pub dir: tempfile::TempDir,
    pub client: reqwest::Client,
    pub url: String,
}

impl Sim {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = ManualClock::at(T0);
        let mut sim = Self {
            sim: None,
            clock,
            dir,
            client: reqwest::Client::builder()
                .user_agent("Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0.0.0 jeton-tests")
                .build()
                .unwrap(),
            url: String::new(),
        };
        sim.boot(sim.config()).await;
        sim
    }

    pub fn config(&self) -> Config {
        Config::new(self.dir.path())
            .allow_user_creation(true)
            .clock(self.clock.clone())
    }

    pub async fn boot(&mut self, config: Config) {
        let sim = Simulator::start(config, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        self.url = sim.url();
        self.sim = Some(sim);
    }

    /// Stops the server and starts a new one on the same data folder (a new port).
    pub async fn restart(&mut self) {
        if let Some(sim) = self.sim.take() {
            sim.stop().await;
        }
        self.boot(self.config()).await;
    }

    pub fn outbox(&self) -> PathBuf {
        self.dir.path().join("outbox")
    }

    /// The code in the newest message of the outbox addressed to `to`.
    pub fn last_email_code(&self, to: &str) -> String {
        let files = mail::outbox_messages(&self.outbox()).unwrap();
        let text = files
            .iter()
            .rev()
            .map(|f| std::fs::read_to_string(f).unwrap())
            .find(|t| t.contains(&format!("To: {to}")))
            .unwrap_or_else(|| panic!("no email to {to} in the outbox"));
        mail::code_in(&text).unwrap()
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        let mut request = self.client.post(format!("{}{path}", self.url)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let value = response.json().await.unwrap_or(Value::Null);
        (status, value)
    }

    pub async fn create(&self, id: &str, role: &str) {
        let (status, body) = self
            .post(
                "/api/users",
                None,
                json!({"id": id, "role": role, "password": "correct horse battery"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    /// Logs in and returns (token, next step).
    pub async fn login(&self, id: &str) -> (String, String) {
        let (status, body) = self
            .post(
                "/api/login",
                None,
                json!({"id": id, "password": "correct horse battery"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        (
            body["token"].as_str().unwrap().to_owned(),
            body["next"].as_str().unwrap().to_owned(),
        )
    }

    /// Starts the authenticator enrolment; returns the secret read from the QR code's PNG
    /// (decoded by rqrr, independently of Jeton's scanner) as an independent code generator.
    pub async fn start_totp(&self, token: &str) -> Oracle {
        let (status, body) = self
            .post("/api/2fa/totp/start", Some(token), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let png = data_encoding::BASE64
            .decode(body["qr_png_base64"].as_str().unwrap().as_bytes())
            .unwrap();
        let uri = decode_qr(&png);
        assert_eq!(uri, body["otpauth_uri"].as_str().unwrap());
        let secret = secret_param(&uri);
        assert_eq!(secret, body["secret"].as_str().unwrap());
        Oracle::from_base32(&secret)
    }

    /// A student enrolled with the authenticator app only, confirmed at T0.
    pub async fn enrolled(&self, id: &str, role: &str) -> Oracle {
        self.create(id, role).await;
        let (token, _) = self.login(id).await;
        let oracle = self.start_totp(&token).await;
        let (status, body) = self
            .post(
                "/api/2fa/totp/confirm",
                Some(&token),
                json!({"code": oracle.code(self.clock_now())}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        oracle
    }

    pub fn clock_now(&self) -> u64 {
        use jeton_harness::sim::SimClock;
        self.clock.now()
    }
}

/// Reads the QR code in a PNG with rqrr.
pub fn decode_qr(png: &[u8]) -> String {
    let image = image::load_from_memory(png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code expected");
    grids[0].decode().unwrap().1
}

/// The `secret=` parameter of an otpauth URI.
pub fn secret_param(uri: &str) -> String {
    let query = uri.split_once('?').unwrap().1;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("secret="))
        .unwrap()
        .to_owned()
}

/// Codes computed by totp-rs, not by Jeton: the tests' independent truth.
pub struct Oracle(totp_rs::Totp);

impl Oracle {
    pub fn from_base32(secret: &str) -> Self {
        let bytes = data_encoding::BASE32_NOPAD
            .decode(secret.trim_end_matches('=').as_bytes())
            .unwrap();
        assert_eq!(bytes.len(), 20, "secrets are 160 bits");
        Self(
            totp_rs::Builder::new()
                .with_secret(bytes)
                .build_noncompliant(),
        )
    }

    /// The secret's bytes.
    pub fn secret_bytes(&self) -> Vec<u8> {
        self.0.secret().to_vec()
    }

    /// The 6-digit code at Unix time `unix`.
    pub fn code(&self, unix: u64) -> String {
        self.0.generate(unix).to_string()
    }
}

/// The CSRF token in a page's forms (the hidden `csrf` field).
pub fn csrf_in(html: &str) -> String {
    let start = html
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF field")
        + 19;
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}

/// The `name=value` pair of the cookie `name` a response sets.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap().to_owned())
        .find(|pair| pair.starts_with(&format!("{name}=")))
}
