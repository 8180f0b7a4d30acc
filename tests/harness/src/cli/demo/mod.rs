//! `jeton demo`: the whole journey of a student and a staff member, on this machine, in one
//! command. It starts `omnivox-sim` in-process on a free loopback port and plays the phone
//! (Jeton's core: scanner, vault, codes, clock check) and the browser (the JSON API) against
//! it, printing each step in French and English. Any failed step stops it with exit code 1.
//!
//! The portal draws its QR code to PNG (the simulator uses the `qrcode` crate directly, so the
//! drawing is independent of Jeton's); the phone reads it with `jeton_core::scan`.
//!
//! Then the student changes phones: the old phone syncs (end-to-end encrypted, to a folder in the
//! demo's folder), shows a pairing QR code (drawn to PNG with `jeton_core::draw`) that the new
//! phone reads with the same scanner, and the new phone's code opens Omnivox.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use jeton_core::clock::ClockOffset;
use jeton_core::intake::Content;
use jeton_core::sync::{self, FolderStore, pair};
use jeton_core::vault::{AccountId, Vault};
use jeton_core::{Account, draw};
use serde_json::{Value, json};

use super::CliError;

mod journey;
mod phone_change;
use crate::sim::{Config, ManualClock, SimClock, Simulator, mail};

/// Options of `jeton demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Keep the simulator's database, its outbox and the vault in this folder (it must not
    /// hold a previous demo's). By default a temporary folder, removed afterwards.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

const STUDENT: &str = "2412345";
const STAFF: &str = "p123456";
const PASSWORD: &str = "motdepasse-demo";
const VAULT_PASSPHRASE: &str = "phrase de passe du téléphone";
const NEW_PHONE_PASSPHRASE: &str = "phrase du nouveau téléphone";
const STEPS: usize = 16;

/// Runs the demo, writing its steps to `out` as they happen.
pub fn run(args: DemoArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let temporary;
    let dir = match args.dir {
        Some(dir) => dir,
        None => {
            temporary = tempfile::tempdir().map_err(CliError::Output)?;
            temporary.path().to_owned()
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(CliError::Output)?;
    runtime.block_on(async {
        let mut demo = Demo::start(dir, out).await?;
        let outcome = demo.journey().await;
        demo.sim.take_stop().await;
        match outcome {
            Ok(()) => demo.line(&format!(
                "\nDémo réussie : {STEPS} étapes sur {STEPS}. / Demo passed: {STEPS} of {STEPS} steps.\n"
            )),
            Err(failure) => {
                demo.line(&format!(
                    "  ✘ Échec / Failed: {failure}\n\nDémo échouée à l'étape {} / Demo failed at step {}.\n",
                    demo.step, demo.step
                ))?;
                Err(CliError::Failed(format!("step {}: {failure}", demo.step)))
            }
        }
    })
}

/// A running simulator that can be stopped once.
struct RunningSim(Option<Simulator>);

impl RunningSim {
    async fn take_stop(&mut self) {
        if let Some(sim) = self.0.take() {
            sim.stop().await;
        }
    }
}

/// The phone: its vault, its clock (possibly wrong) and its clock correction.
struct Phone {
    vault: Vault,
    clock_error: i64,
    correction: ClockOffset,
}

struct Demo<'a> {
    out: &'a mut dyn Write,
    step: usize,
    sim: RunningSim,
    url: String,
    clock: Arc<ManualClock>,
    outbox: PathBuf,
    http: reqwest::Client,
    vault_path: PathBuf,
    new_vault_path: PathBuf,
    sync_folder: PathBuf,
}

impl<'a> Demo<'a> {
    async fn start(dir: PathBuf, out: &'a mut dyn Write) -> Result<Demo<'a>, CliError> {
        let clock = ManualClock::starting_now();
        let data = dir.join("omnivox-data");
        let config = Config::new(&data)
            .allow_user_creation(true)
            .clock(clock.clone());
        let outbox = data.join("outbox");
        let sim = Simulator::start(config, std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .map_err(|e| CliError::Failed(format!("the simulator did not start: {e}")))?;
        let url = sim.url();
        let http = reqwest::Client::builder()
            .user_agent(concat!("jeton-demo/", env!("CARGO_PKG_VERSION")))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| CliError::Failed(format!("no HTTP client: {e}")))?;
        let mut demo = Demo {
            out,
            step: 0,
            sim: RunningSim(Some(sim)),
            url,
            clock,
            outbox,
            http,
            vault_path: dir.join("telephone.jeton"),
            new_vault_path: dir.join("nouveau-telephone.jeton"),
            sync_folder: dir.join("synchro"),
        };
        demo.line(&format!(
            "Simulateur Omnivox/Clara démarré sur {0} (données : {1}).\n\
             Omnivox/Clara simulator started at {0} (data: {1}).\n\
             L'horloge du simulateur avance à la demande : la démo n'attend pas 30 s entre deux codes.\n\
             The simulator's clock moves on demand: the demo does not wait 30 s between codes.\n",
            demo.url,
            dir.display()
        ))?;
        Ok(demo)
    }

    fn line(&mut self, text: &str) -> Result<(), CliError> {
        writeln!(self.out, "{text}")?;
        self.out.flush()?;
        Ok(())
    }

    /// Starts step `n` with its title in both languages.
    fn begin(&mut self, fr: &str, en: &str) -> Result<(), CliError> {
        self.step += 1;
        let n = self.step;
        self.line(&format!("[{n}/{STEPS}] {fr}\n       {en}"))
    }

    /// Ends a step with what was seen, in both languages.
    fn done(&mut self, fr: &str, en: &str) -> Result<(), CliError> {
        self.line(&format!("  ✔ {fr}\n    {en}"))
    }

    fn now(&self) -> u64 {
        self.clock.now()
    }

    async fn call(
        &self,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> Result<(u16, Value), String> {
        let mut request = self.http.post(format!("{}{path}", self.url)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .map_err(|e| format!("POST {path}: {e}"))?;
        let status = response.status().as_u16();
        let value = response.json().await.unwrap_or(Value::Null);
        Ok((status, value))
    }

    /// A call that must succeed.
    async fn ok(&self, path: &str, token: Option<&str>, body: Value) -> Result<Value, String> {
        let (status, value) = self.call(path, token, body).await?;
        if (200..300).contains(&status) {
            Ok(value)
        } else {
            Err(format!(
                "POST {path} answered {status}: {}",
                value["message"].as_str().unwrap_or("no message")
            ))
        }
    }

    /// Sends a TOTP code for the login `token`; an error unless the portal accepts it.
    async fn verify_totp(&self, token: &str, code: &str) -> Result<(), String> {
        self.ok(
            "/api/2fa/verify",
            Some(token),
            json!({"method": "totp", "code": code}),
        )
        .await
        .map(drop)
    }

    async fn login(&self, id: &str) -> Result<(String, String), String> {
        let body = self
            .ok("/api/login", None, json!({"id": id, "password": PASSWORD}))
            .await?;
        let token = body["token"]
            .as_str()
            .ok_or("no token in the login answer")?;
        let next = body["next"]
            .as_str()
            .ok_or("no next step in the login answer")?;
        Ok((token.to_owned(), next.to_owned()))
    }

    /// Enrols the authenticator: the QR image the portal shows is read by Jeton's scanner,
    /// parsed, and kept in the vault. Returns the account's id in the vault.
    async fn enrol(
        &mut self,
        token: &str,
        phone: &mut Phone,
        (who_fr, who_en): (&str, &str),
    ) -> Result<AccountId, String> {
        let body = self
            .ok("/api/2fa/totp/start", Some(token), json!({}))
            .await?;
        let png = data_encoding::BASE64
            .decode(
                body["qr_png_base64"]
                    .as_str()
                    .unwrap_or_default()
                    .as_bytes(),
            )
            .map_err(|e| format!("the QR image is not base64: {e}"))?;
        let account = match Content::classify(&scan_qr_png(&png)?) {
            Content::Account(account) => *account,
            Content::InvalidAccount(e) => {
                return Err(format!("the QR code is not a usable otpauth URI: {e}"));
            }
            Content::Migration | Content::Text => {
                return Err("the QR code holds no authenticator account".to_owned());
            }
        };
        if account.secret.to_base32().as_str() != body["secret"].as_str().unwrap_or_default() {
            return Err(
                "the secret read from the QR code differs from the one shown as text".to_owned(),
            );
        }
        let label = account.display_label();
        let id = phone
            .vault
            .add(account)
            .map_err(|e| format!("the vault refused the account: {e}"))?;
        self.done(
            &format!("{who_fr} : code QR ({} octets PNG) lu par le scanneur de Jeton → « {label} », gardé dans le coffre chiffré.", png.len()),
            &format!("{who_en}: QR code ({} bytes of PNG) read by Jeton's scanner → \"{label}\", kept in the encrypted vault.", png.len()),
        )
        .map_err(|e| e.to_string())?;
        Ok(id)
    }

    /// The code the phone shows now: its own (possibly wrong) time, corrected if it checked.
    fn phone_code(&self, phone: &Phone, id: AccountId) -> Result<String, String> {
        let record = phone
            .vault
            .get(id)
            .map_err(|e| format!("the vault cannot give the account: {e}"))?;
        let local = phone_time(self.now(), phone.clock_error);
        code_at(&record.account, phone.correction.corrected(local))
    }

    fn outbox_code(&self, to: &str) -> Result<String, String> {
        let files = mail::outbox_messages(&self.outbox).map_err(|e| e.to_string())?;
        files
            .iter()
            .rev()
            .filter_map(|f| std::fs::read_to_string(f).ok())
            .find(|text| text.contains(&format!("To: {to}")))
            .and_then(|text| mail::code_in(&text))
            .ok_or_else(|| {
                format!(
                    "no security code for {to} in the outbox {}",
                    self.outbox.display()
                )
            })
    }
}

/// The phone's idea of the time: the true time plus its clock's error.
fn phone_time(true_now: u64, clock_error: i64) -> u64 {
    u64::try_from(i128::from(true_now) + i128::from(clock_error)).unwrap_or(0)
}

fn code_at(account: &Account, unix: u64) -> Result<String, String> {
    account
        .code_at(unix)
        .map(|c| c.digits.as_str().to_owned())
        .map_err(|e| format!("no code: {e}"))
}

/// Reads the QR code in a PNG image with Jeton's scanner.
fn scan_qr_png(png: &[u8]) -> Result<String, String> {
    let found = jeton_core::scan::scan_image(png)
        .map_err(|e| format!("the QR image cannot be scanned: {e}"))?;
    match found.as_slice() {
        [one] => Ok(one.payload.clone()),
        [] => Err("no QR code found in the image".to_owned()),
        more => Err(format!(
            "{} QR codes in the image, one expected",
            more.len()
        )),
    }
}
