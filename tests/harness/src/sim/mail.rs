//! Security codes by email, worded like the school's ("Votre code de sécurité : …"): written to
//! an outbox folder as `.eml` files, or sent over SMTP with `--smtp URL`.

use std::path::{Path, PathBuf};

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, SinglePart};
use lettre::{FileTransport, Message, SmtpTransport, Transport};

use super::SimError;

/// The sender's name on every message.
pub const FROM_NAME: &str = "Omnivox (simulateur)";
/// The sender's address on every message.
pub const FROM_ADDRESS: &str = "no-reply@omnivox.invalid";

/// Where messages go.
#[derive(Debug, Clone)]
pub enum Mailer {
    /// Each message becomes one `.eml` file in this folder.
    Outbox(PathBuf),
    /// Each message is sent to this SMTP server, e.g. `smtp://127.0.0.1:2525`.
    Smtp(String),
}

/// What the security-code email says.
#[derive(Debug, Clone)]
pub struct CodeEmail<'a> {
    /// Recipient.
    pub to: &'a str,
    /// The 6 digits.
    pub code: &'a str,
    /// When the request was made (Unix seconds).
    pub requested_at: u64,
    /// The browser that asked, as sent in `User-Agent`.
    pub browser: &'a str,
    /// Whether the code confirms a new address (enrolment) or a login.
    pub confirming_address: bool,
}

impl Mailer {
    /// Sends a security code.
    pub fn send_code(&self, email: &CodeEmail<'_>) -> Result<(), SimError> {
        let message = code_message(email)?;
        match self {
            Self::Outbox(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| SimError::io(format!("cannot create {}", dir.display()), e))?;
                FileTransport::new(dir)
                    .send(&message)
                    .map(|_| ())
                    .map_err(|e| SimError::Mail(e.to_string()))
            }
            Self::Smtp(url) => smtp_transport(url)?
                .send(&message)
                .map(|_| ())
                .map_err(|e| SimError::Mail(e.to_string())),
        }
    }
}

/// A plain SMTP transport for `smtp://host[:port]` (port 25 by default). This build has no
/// TLS: it is meant for a local relay or a test sink on loopback.
fn smtp_transport(url: &str) -> Result<SmtpTransport, SimError> {
    let parsed =
        url::Url::parse(url).map_err(|e| SimError::Config(format!("bad SMTP URL {url:?}: {e}")))?;
    if parsed.scheme() != "smtp" {
        return Err(SimError::Config(format!(
            "SMTP URL {url:?}: only plain smtp://host:port is supported (no TLS in this build)"
        )));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(SimError::Config(format!(
            "SMTP URL {url:?}: credentials are not sent over plain SMTP; use a local relay"
        )));
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| SimError::Config(format!("SMTP URL {url:?} has no host")))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Ok(SmtpTransport::builder_dangerous(host)
        .port(parsed.port().unwrap_or(25))
        .timeout(Some(std::time::Duration::from_secs(10)))
        .build())
}

fn code_message(email: &CodeEmail<'_>) -> Result<Message, SimError> {
    let to: Mailbox = email
        .to
        .parse()
        .map_err(|e| SimError::Mail(format!("bad address {:?}: {e}", email.to)))?;
    let from = Mailbox::new(
        Some(FROM_NAME.to_owned()),
        FROM_ADDRESS
            .parse()
            .map_err(|e| SimError::Mail(format!("bad sender: {e}")))?,
    );
    let when = httpdate::fmt_http_date(
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(email.requested_at),
    );
    let browser = browser_summary(email.browser);
    let intro_fr = if email.confirming_address {
        "Afin de confirmer le courriel à ajouter comme méthode de validation d'identité en 2 étapes, veuillez utiliser le code de sécurité ci-dessous."
    } else {
        "Afin de confirmer votre identité, veuillez utiliser le code de sécurité ci-dessous."
    };
    let intro_en = if email.confirming_address {
        "To confirm the email address to add as a two-step validation method, please use the security code below."
    } else {
        "To confirm your identity, please use the security code below."
    };
    let code = email.code;
    let text = format!(
        "{intro_fr}\n\n\
         Votre code de sécurité : {code}\n\n\
         Demande effectuée en date du {when} à Longueuil, Canada (simulé) à partir de {browser}.\n\
         Ce code expire dans 10 minutes et ne peut servir qu'une fois.\n\n\
         Si vous n'êtes pas l'auteur de cette demande, nous vous prions d'ignorer ce courriel.\n\n\
         ----\n\n\
         {intro_en}\n\n\
         Your security code: {code}\n\n\
         Requested on {when} from Longueuil, Canada (simulated) using {browser}.\n\
         This code expires in 10 minutes and works once.\n\n\
         If you did not make this request, please ignore this email.\n"
    );
    Message::builder()
        .from(from)
        .to(to)
        .subject("Omnivox – Code de sécurité / Security code")
        .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(
            Body::new_with_encoding(wrap(&text, 70), ContentTransferEncoding::EightBit).map_err(
                |_| SimError::Mail("the message cannot be sent as 8-bit text".to_owned()),
            )?,
        ))
        .map_err(|e| SimError::Mail(e.to_string()))
}

/// Wraps each line at `width` bytes on spaces, so that the message can travel as 8-bit
/// text (lines of at most 76 characters) and stays readable in the .eml file.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.lines() {
        let mut length = 0;
        for (i, word) in line.split(' ').enumerate() {
            let size = word.len();
            if i > 0 {
                if length + 1 + size > width {
                    out.push('\n');
                    length = 0;
                } else {
                    out.push(' ');
                    length += 1;
                }
            }
            out.push_str(word);
            length += size;
        }
        out.push('\n');
    }
    out
}

/// "Chrome 117 on Linux"-style summary of a `User-Agent`, or the header as it is.
fn browser_summary(user_agent: &str) -> String {
    let ua = user_agent.trim();
    if ua.is_empty() {
        return "un client inconnu / an unknown client".to_owned();
    }
    let os = ["Windows", "Android", "iPhone", "Mac OS X", "Linux"]
        .into_iter()
        .find(|os| ua.contains(os));
    let browser = ["Edg/", "Firefox/", "Chrome/", "Safari/"]
        .into_iter()
        .find_map(|name| {
            let start = ua.find(name)?;
            let version: String = ua[start + name.len()..]
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            Some(format!("{} {version}", name.trim_end_matches('/')))
        });
    match (browser, os) {
        (Some(b), Some(os)) => format!("{os} {b}"),
        (Some(b), None) => b,
        _ => ua.chars().take(80).collect(),
    }
}

/// Finds the security code in a message written by [`Mailer`] (the line "Votre code de
/// sécurité : 123456").
pub fn code_in(message: &str) -> Option<String> {
    message.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("Votre code de sécurité : ")?;
        let code = rest.trim();
        (code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())).then(|| code.to_owned())
    })
}

/// The `.eml` files of an outbox, oldest first (by modification time, then name).
pub fn outbox_messages(dir: &Path) -> Result<Vec<PathBuf>, SimError> {
    let mut found = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(SimError::io(format!("cannot read {}", dir.display()), e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| SimError::io("cannot read the outbox", e))?;
        let path = entry.path();
        if path.extension().is_some_and(|x| x == "eml") {
            let modified = entry
                .metadata()
                .and_then(|m| m.modified())
                .map_err(|e| SimError::io("cannot read the outbox", e))?;
            found.push((modified, path));
        }
    }
    found.sort();
    Ok(found.into_iter().map(|(_, p)| p).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_are_named_like_the_schools_email() {
        let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/117.0.0.0 Safari/537.36";
        assert_eq!(browser_summary(chrome), "Windows Chrome 117.0.0.0");
        assert_eq!(browser_summary("jeton-demo"), "jeton-demo");
        assert!(browser_summary("").contains("unknown"));
    }

    #[test]
    fn long_lines_are_wrapped_on_spaces() {
        let wrapped = wrap("aaa bbb ccc ddd\nshort\n", 7);
        assert_eq!(wrapped, "aaa bbb\nccc ddd\nshort\n");
        assert!(
            wrap(&"mot ".repeat(100), 72)
                .lines()
                .all(|l| l.chars().count() <= 72)
        );
    }

    #[test]
    fn the_code_is_found_only_on_its_line() {
        let text = "Date: 123456\n\nVotre code de sécurité : 042917\nYour security code: 042917\n";
        assert_eq!(code_in(text).as_deref(), Some("042917"));
        assert_eq!(code_in("Votre code de sécurité : 12345"), None);
    }

    #[test]
    fn the_outbox_holds_a_readable_message() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = Mailer::Outbox(dir.path().to_owned());
        mailer
            .send_code(&CodeEmail {
                to: "marie@example.com",
                code: "004213",
                requested_at: 1_700_000_000,
                browser: "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0.1 Safari/537.36",
                confirming_address: true,
            })
            .unwrap();
        let files = outbox_messages(dir.path()).unwrap();
        assert_eq!(files.len(), 1);
        let text = std::fs::read_to_string(&files[0]).unwrap();
        assert!(text.contains("To: marie@example.com"), "{text}");
        assert!(text.contains("Linux Chrome 120.0.1"), "{text}");
        assert!(text.contains("Tue, 14 Nov 2023 22:13:20 GMT"), "{text}");
        assert_eq!(code_in(&text).as_deref(), Some("004213"));
    }
}
