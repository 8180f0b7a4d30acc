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
use jeton_core::sync::{self, FolderStore, pair};
use jeton_core::vault::{AccountId, Vault};
use jeton_core::{Account, draw, uri};
use serde_json::{Value, json};

use super::CliError;

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
        let text = scan_qr_png(&png)?;
        let account = uri::parse(&text)
            .map_err(|e| format!("the QR code is not a usable otpauth URI: {e}"))?;
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

    #[allow(clippy::too_many_lines)]
    async fn journey(&mut self) -> Result<(), String> {
        let e = |error: CliError| error.to_string();

        self.begin(
            "Création d'un compte étudiant et d'un compte du personnel.",
            "Creating a student and a staff member.",
        )
        .map_err(e)?;
        self.ok("/api/users", None, json!({"id": STUDENT, "role": "student", "password": PASSWORD, "name": "Marie Tremblay"})).await?;
        self.ok(
            "/api/users",
            None,
            json!({"id": STAFF, "role": "staff", "password": PASSWORD, "name": "Luc Gagnon"}),
        )
        .await?;
        self.done(
            &format!("Étudiante {STUDENT} et membre du personnel {STAFF} créés."),
            &format!("Student {STUDENT} and staff member {STAFF} created."),
        )
        .map_err(e)?;

        self.begin(
            "L'étudiante ouvre une session : Omnivox exige la validation en 2 étapes.",
            "The student logs in: Omnivox requires two-step validation.",
        )
        .map_err(e)?;
        let (token, next) = self.login(STUDENT).await?;
        if next != "enrol" {
            return Err(format!("expected to be asked to enrol, got {next:?}"));
        }
        self.done(
            "Mot de passe accepté ; « Commencer » la configuration.",
            "Password accepted; \"Start\" the set-up.",
        )
        .map_err(e)?;

        self.begin(
            "Le téléphone numérise le code QR et garde le compte dans son coffre.",
            "The phone scans the QR code and keeps the account in its vault.",
        )
        .map_err(e)?;
        let vault = Vault::create(&self.vault_path, VAULT_PASSPHRASE)
            .map_err(|e| format!("cannot create the vault: {e}"))?;
        let mut phone = Phone {
            vault,
            clock_error: 0,
            correction: ClockOffset::ZERO,
        };
        let student_id = self
            .enrol(&token, &mut phone, ("Étudiante", "Student"))
            .await?;
        // The vault is a file: close it, reopen it, unlock it, as the phone would after a restart.
        drop(phone.vault);
        let mut vault =
            Vault::open(&self.vault_path).map_err(|e| format!("cannot reopen the vault: {e}"))?;
        vault
            .unlock_with_passphrase(VAULT_PASSPHRASE)
            .map_err(|e| format!("cannot unlock the vault: {e}"))?;
        phone.vault = vault;
        self.done(
            "Coffre refermé puis rouvert avec la phrase de passe : le compte y est.",
            "Vault closed, then reopened with its passphrase: the account is there.",
        )
        .map_err(e)?;

        self.begin(
            "« Suivant » : le code de l'application confirme la méthode (VALIDER).",
            "\"Next\": the app's code confirms the method (VALIDATE).",
        )
        .map_err(e)?;
        let code = self.phone_code(&phone, student_id)?;
        self.ok("/api/2fa/totp/confirm", Some(&token), json!({"code": code}))
            .await?;
        self.done(
            &format!("Code {code} accepté : l'application d'authentification est configurée."),
            &format!("Code {code} accepted: the authenticator app is set up."),
        )
        .map_err(e)?;

        self.begin(
            "Méthode par courriel : adresse personnelle, code de sécurité reçu, VALIDER.",
            "Email method: personal address, security code received, VALIDATE.",
        )
        .map_err(e)?;
        let address = "marie.tremblay@gmail.com";
        self.ok(
            "/api/2fa/email/start",
            Some(&token),
            json!({"address": address}),
        )
        .await?;
        let emailed = self.outbox_code(address)?;
        self.ok(
            "/api/2fa/email/confirm",
            Some(&token),
            json!({"code": emailed}),
        )
        .await?;
        self.done(&format!("Courriel à {address} (boîte d'envoi .eml) : code {emailed} accepté. Activation terminée."), &format!("Email to {address} (.eml outbox): code {emailed} accepted. Activation complete.")).map_err(e)?;

        self.begin(
            "30 secondes plus tard, nouvelle connexion avec le code du téléphone.",
            "30 seconds later, a new login with the phone's code.",
        )
        .map_err(e)?;
        self.clock.advance(30);
        let (token, next) = self.login(STUDENT).await?;
        if next != "verify" {
            return Err(format!("expected to be asked for a code, got {next:?}"));
        }
        let code = self.phone_code(&phone, student_id)?;
        self.verify_totp(&token, &code).await?;
        self.done(
            &format!("Code {code} accepté : bienvenue dans Omnivox."),
            &format!("Code {code} accepted: welcome to Omnivox."),
        )
        .map_err(e)?;

        self.begin(
            "Quelqu'un réutilise le même code (rejeu).",
            "Someone uses the same code again (replay).",
        )
        .map_err(e)?;
        let (other, _) = self.login(STUDENT).await?;
        let (status, body) = self
            .call(
                "/api/2fa/verify",
                Some(&other),
                json!({"method": "totp", "code": code}),
            )
            .await?;
        if status != 401 || body["error"] != "replayed_code" {
            return Err(format!(
                "the replayed code was not refused as a replay: {status} {body}"
            ));
        }
        self.done(
            &format!(
                "Refusé : {}",
                body["message_fr"].as_str().unwrap_or_default()
            ),
            &format!("Refused: {}", body["message"].as_str().unwrap_or_default()),
        )
        .map_err(e)?;

        self.begin(
            "Connexion avec un code reçu par courriel plutôt que l'application.",
            "Logging in with a code by email instead of the app.",
        )
        .map_err(e)?;
        self.ok("/api/2fa/email/start", Some(&other), json!({}))
            .await?;
        let emailed = self.outbox_code(address)?;
        self.ok(
            "/api/2fa/verify",
            Some(&other),
            json!({"method": "email", "code": emailed}),
        )
        .await?;
        self.done(
            &format!("Code {emailed} du courriel accepté."),
            &format!("Emailed code {emailed} accepted."),
        )
        .map_err(e)?;

        self.begin(
            "Le membre du personnel configure son application (même téléphone, même coffre).",
            "The staff member sets up the app (same phone, same vault).",
        )
        .map_err(e)?;
        let (staff_token, _) = self.login(STAFF).await?;
        let staff_id = self
            .enrol(&staff_token, &mut phone, ("Personnel", "Staff"))
            .await?;
        let code = self.phone_code(&phone, staff_id)?;
        self.ok(
            "/api/2fa/totp/confirm",
            Some(&staff_token),
            json!({"code": code}),
        )
        .await?;
        self.ok(
            "/api/2fa/email/start",
            Some(&staff_token),
            json!({"address": "luc.gagnon@cegepmontpetit.ca"}),
        )
        .await?;
        let emailed = self.outbox_code("luc.gagnon@cegepmontpetit.ca")?;
        self.ok(
            "/api/2fa/email/confirm",
            Some(&staff_token),
            json!({"code": emailed}),
        )
        .await?;
        self.done(
            &format!("Code {code} accepté ; courriel du Cégep confirmé."),
            &format!("Code {code} accepted; college email confirmed."),
        )
        .map_err(e)?;

        self.begin(
            "Clara accepte le même code à 6 chiffres pour le personnel.",
            "Clara accepts the same 6-digit code for staff.",
        )
        .map_err(e)?;
        self.ok(
            "/clara/api/verify",
            None,
            json!({"id": STAFF, "code": code}),
        )
        .await?;
        let (status, body) = self
            .call(
                "/clara/api/verify",
                None,
                json!({"id": STUDENT, "code": code}),
            )
            .await?;
        if status != 403 {
            return Err(format!("Clara should refuse a student: {status} {body}"));
        }
        self.done(
            &format!("Clara : code {code} accepté pour {STAFF} ; refusée aux étudiants."),
            &format!("Clara: code {code} accepted for {STAFF}; refused to students."),
        )
        .map_err(e)?;

        self.begin(
            "Le téléphone a 2 minutes d'avance : son code est refusé.",
            "The phone's clock is 2 minutes fast: its code is refused.",
        )
        .map_err(e)?;
        self.clock.advance(30);
        phone.clock_error = 120;
        let (token, _) = self.login(STAFF).await?;
        let wrong = self.phone_code(&phone, staff_id)?;
        let (status, body) = self
            .call(
                "/api/2fa/verify",
                Some(&token),
                json!({"method": "totp", "code": wrong}),
            )
            .await?;
        if status != 401 || body["error"] != "wrong_code" {
            return Err(format!(
                "a code 2 minutes ahead should be wrong: {status} {body}"
            ));
        }
        self.done(
            &format!(
                "Code {wrong} refusé : {}",
                body["message_fr"].as_str().unwrap_or_default()
            ),
            &format!(
                "Code {wrong} refused: {}",
                body["message"].as_str().unwrap_or_default()
            ),
        )
        .map_err(e)?;

        self.begin(
            "Le téléphone vérifie son horloge avec l'en-tête Date d'Omnivox, puis réessaie.",
            "The phone checks its clock against Omnivox's Date header, then tries again.",
        )
        .map_err(e)?;
        let sent = UNIX_EPOCH + Duration::from_secs(phone_time(self.now(), phone.clock_error));
        let response = self
            .http
            .get(format!("{}/", self.url))
            .send()
            .await
            .map_err(|e| format!("clock check: {e}"))?;
        let received = UNIX_EPOCH + Duration::from_secs(phone_time(self.now(), phone.clock_error));
        let date = response
            .headers()
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
            .ok_or("the portal sent no Date header")?
            .to_owned();
        phone.correction =
            ClockOffset::from_date_header(&date, sent, received).map_err(|e| e.to_string())?;
        let code = self.phone_code(&phone, staff_id)?;
        self.verify_totp(&token, &code).await?;
        let offset = phone.correction.seconds();
        self.done(
            &format!(
                "Date du serveur « {date} » : décalage {offset:+} s appliqué ; code {code} accepté."
            ),
            &format!("Server Date \"{date}\": offset {offset:+} s applied; code {code} accepted."),
        )
        .map_err(e)?;

        self.phone_change(phone, student_id).await
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
