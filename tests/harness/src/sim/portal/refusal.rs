//! Why a request was refused, with a stable machine name and a message in French (Québec)
//! and in English: every word the portal says about a refusal is here.

use crate::sim::SimError;

/// Why a request was refused. Each kind has a stable machine name ([`Refusal::code`]) and a
/// message in French and in English.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// The request itself is malformed.
    #[error("{0}")]
    BadRequest(Words),
    /// No session, or an unknown one.
    #[error("not logged in")]
    NotLoggedIn,
    /// Unknown id or wrong password.
    #[error("unknown id or wrong password")]
    BadCredentials,
    /// The code is not the right one.
    #[error("wrong code")]
    WrongCode,
    /// The code was right but was already used (same time step, or same email code).
    #[error("this code was already used")]
    ReplayedCode,
    /// The email code was right but is more than 10 minutes old.
    #[error("this email code has expired")]
    ExpiredCode,
    /// No email code was asked for in this attempt.
    #[error("no email code was requested in this attempt")]
    NoCodeRequested,
    /// Too many failures: wait, or the account is locked.
    #[error("too many attempts; retry in {retry_after} s")]
    Throttled {
        /// Seconds to wait.
        retry_after: u64,
        /// Locked out rather than slowed down.
        locked: bool,
    },
    /// The account may not do this.
    #[error("{0}")]
    Forbidden(Words),
    /// It conflicts with the account's state (already enrolled, id taken, method not set up).
    #[error("{0}")]
    Conflict(Words),
    /// The request body is larger than the simulator reads.
    #[error("the request is too large")]
    TooLarge,
    /// The server failed.
    #[error(transparent)]
    Internal(#[from] SimError),
}

impl From<rusqlite::Error> for Refusal {
    fn from(error: rusqlite::Error) -> Self {
        Self::Internal(SimError::Database(error))
    }
}

impl Refusal {
    /// The machine-readable name of the refusal, as the API returns it in `error`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::NotLoggedIn => "not_logged_in",
            Self::BadCredentials => "bad_credentials",
            Self::WrongCode => "wrong_code",
            Self::ReplayedCode => "replayed_code",
            Self::ExpiredCode => "expired_code",
            Self::NoCodeRequested => "no_code_requested",
            Self::Throttled { locked: false, .. } => "throttled",
            Self::Throttled { locked: true, .. } => "locked",
            Self::Forbidden(_) => "forbidden",
            Self::Conflict(_) => "conflict",
            Self::TooLarge => "too_large",
            Self::Internal(_) => "internal",
        }
    }

    /// The message in French (Québec).
    pub fn message_fr(&self) -> String {
        match self {
            Self::BadRequest(w) | Self::Forbidden(w) | Self::Conflict(w) => w.fr.clone(),
            Self::NotLoggedIn => "Vous devez d'abord ouvrir une session.".to_owned(),
            Self::BadCredentials => "Identifiant ou mot de passe invalide.".to_owned(),
            Self::WrongCode => "Le code est invalide. Vérifiez-le et réessayez.".to_owned(),
            Self::ReplayedCode => {
                "Ce code a déjà été utilisé. Attendez le prochain code de l'application.".to_owned()
            }
            Self::ExpiredCode => {
                "Ce code de sécurité est expiré. Demandez-en un nouveau.".to_owned()
            }
            Self::NoCodeRequested => "Aucun code de sécurité n'a été demandé.".to_owned(),
            Self::Throttled {
                retry_after,
                locked,
            } => {
                if *locked {
                    format!(
                        "Trop d'essais infructueux : le compte est verrouillé. Réessayez dans {retry_after} s."
                    )
                } else {
                    format!("Trop d'essais. Réessayez dans {retry_after} s.")
                }
            }
            Self::TooLarge => "La requête est trop volumineuse.".to_owned(),
            Self::Internal(_) => "Erreur du serveur.".to_owned(),
        }
    }

    /// The message in English.
    pub fn message_en(&self) -> String {
        match self {
            Self::Throttled {
                retry_after,
                locked,
            } => {
                if *locked {
                    format!(
                        "Too many failed attempts: the account is locked. Retry in {retry_after} s."
                    )
                } else {
                    format!("Too many attempts. Retry in {retry_after} s.")
                }
            }
            Self::WrongCode => "The code is wrong. Check it and try again.".to_owned(),
            Self::ReplayedCode => {
                "This code was already used. Wait for the app's next code.".to_owned()
            }
            Self::ExpiredCode => "This security code has expired. Ask for a new one.".to_owned(),
            Self::BadRequest(w) | Self::Forbidden(w) | Self::Conflict(w) => w.en.clone(),
            other => {
                let mut text = other.to_string();
                if let Some(first) = text.get(..1) {
                    let upper = first.to_uppercase();
                    text.replace_range(..1, &upper);
                }
                text
            }
        }
    }
}

/// A message in French (Québec) and in English; shown in English by `Display`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    /// French (Québec).
    pub fr: String,
    /// English.
    pub en: String,
}

impl std::fmt::Display for Words {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

pub(super) fn both(fr: &str, en: &str) -> Words {
    Words {
        fr: fr.to_owned(),
        en: en.to_owned(),
    }
}
