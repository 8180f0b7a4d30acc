//! Enrolment of the two methods: the authenticator app (a new secret, its URI drawn as a QR
//! code) and the main email (a code sent to the address), each confirmed by a first code.

use std::io::Cursor;

use super::refusal::{Refusal, both};
use super::rules::{check_address, code_hash, normalize_code, random_bytes, six_digits};
use super::verification::check_email_code;
use super::{OMNIVOX, Portal, TotpEnrolment};
use crate::sim::store::{self, Session, TotpRow};
use crate::sim::verifier;
use crate::sim::{SimError, mail, policy};

/// An email code that confirms a new main address.
pub(super) const PURPOSE_ENROL: &str = "enrol";
/// An email code that logs in.
pub(super) const PURPOSE_LOGIN: &str = "login";

impl Portal {
    /// Starts (or restarts) the authenticator enrolment: a new 160-bit secret, its URI and QR.
    pub fn start_totp(&self, session: &Session) -> Result<TotpEnrolment, Refusal> {
        self.may_enrol(session)?;
        let params = self.config.otp;
        let secret = zeroize::Zeroizing::new(random_bytes::<{ policy::SECRET_BYTES }>()?);
        let row = TotpRow {
            secret: self.key.seal(&session.user_id, secret.as_slice())?,
            algorithm: params.algorithm.as_str().to_owned(),
            digits: params.digits,
            period: params.period,
            confirmed: false,
        };
        if !self.store.set_pending_totp(&session.user_id, &row)? {
            return Err(Refusal::Conflict(both(
                "L'application d'authentification est déjà configurée.",
                "The authenticator app is already set up.",
            )));
        }
        let uri = verifier::otpauth_uri(
            secret.as_slice(),
            params,
            &self.config.issuer,
            &session.user_id,
        )?;
        let qr_png = qr_png(&uri)?;
        Ok(TotpEnrolment {
            uri,
            secret_base32: verifier::base32(secret.as_slice()),
            qr_png,
            params,
        })
    }

    /// Confirms the authenticator enrolment with its first code; the session is then past the
    /// second step.
    pub fn confirm_totp(&self, session: &Session, code: &str) -> Result<(), Refusal> {
        self.may_enrol(session)?;
        let code = normalize_code(code)?;
        let now = self.now();
        self.checked(|tx| {
            let step = self.check_totp(tx, &session.user_id, OMNIVOX, &code, now, false)?;
            store::confirm_totp(tx, &session.user_id)?;
            Ok(step)
        })?;
        self.store.authenticate_session(&session.token)?;
        Ok(())
    }

    /// Sends an email code. With an address: confirms a new main email (enrolment). Without:
    /// a login code to the confirmed address.
    pub fn start_email(
        &self,
        session: &Session,
        address: Option<&str>,
    ) -> Result<(String, u64), Refusal> {
        let user = self
            .store
            .user(&session.user_id)?
            .ok_or(Refusal::NotLoggedIn)?;
        let now = self.now();
        let (purpose, address) = match address {
            Some(address) => {
                self.may_enrol(session)?;
                (
                    PURPOSE_ENROL,
                    check_address(user.role, &self.config.college_domain, address)?,
                )
            }
            None => {
                let address = self.store.confirmed_email(&user.id)?.ok_or_else(|| {
                    Refusal::Conflict(both(
                        "Aucun courriel principal n'est configuré : indiquez une adresse.",
                        "No main email is set up: give an address.",
                    ))
                })?;
                (PURPOSE_LOGIN, address)
            }
        };
        self.gate(&user.id, now)?;
        let since = now.saturating_sub(policy::EMAIL_SEND_WINDOW);
        if self.store.email_codes_sent_since(&user.id, since)? >= policy::EMAIL_SENDS_PER_WINDOW {
            return Err(Refusal::Throttled {
                retry_after: policy::EMAIL_SEND_WINDOW,
                locked: false,
            });
        }
        let code = six_digits()?;
        let salt = random_bytes::<16>()?;
        let hash = code_hash(&salt, &code);
        let expires = now + policy::EMAIL_CODE_LIFETIME;
        self.store.insert_email_code(
            &user.id,
            &session.attempt(),
            purpose,
            &address,
            &salt,
            &hash,
            now,
            expires,
        )?;
        self.config.mailer.send_code(&mail::CodeEmail {
            to: &address,
            code: &code,
            requested_at: now,
            browser: &session.user_agent,
            confirming_address: purpose == PURPOSE_ENROL,
        })?;
        Ok((address, policy::EMAIL_CODE_LIFETIME))
    }

    /// Confirms the main email with the code sent to it; the session is then past the second
    /// step.
    pub fn confirm_email(&self, session: &Session, code: &str) -> Result<(), Refusal> {
        self.may_enrol(session)?;
        let code = normalize_code(code)?;
        let now = self.now();
        self.checked(|tx| {
            let address = check_email_code(tx, session, PURPOSE_ENROL, &code, now)?;
            store::confirm_email(tx, &session.user_id, &address)?;
            Ok(())
        })?;
        self.store.authenticate_session(&session.token)?;
        Ok(())
    }
}

/// Draws an `otpauth://` URI as a QR code PNG, 4-module quiet zone, about 300 px wide.
pub fn qr_png(uri: &str) -> Result<Vec<u8>, SimError> {
    let code = qrcode::QrCode::new(uri.as_bytes())
        .map_err(|e| SimError::Config(format!("cannot draw the QR code: {e}")))?;
    let image = code
        .render::<image::Luma<u8>>()
        .min_dimensions(300, 300)
        .build();
    let mut png = Vec::new();
    image::DynamicImage::ImageLuma8(image)
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| SimError::Config(format!("cannot encode the QR code: {e}")))?;
    Ok(png)
}
