//! The demo's journey up to the phone change: accounts created in the portal, each phone scans
//! the portal's QR code, logs in with its codes, the email method, the clock check.

use super::*;

impl Demo<'_> {
    /// Steps 1 to 12: the student and the staff member enrol their phones, log in with codes
    /// and by email, and the phone's clock is checked; then the phone change.
    #[allow(clippy::too_many_lines)]
    pub(super) async fn journey(&mut self) -> Result<(), String> {
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
