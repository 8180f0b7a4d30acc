//! The markup of the pages: the page shell, escaping, cookies, the CSRF token and the forms.
//! The words come from [`super::text`]; every string that is not a constant of this crate goes
//! through [`esc`] before it reaches the HTML.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::text::{self, Text};
use crate::sim::portal::Refusal;

pub(super) const SESSION_COOKIE: &str = "omnivox_session";
pub(super) const LANG_COOKIE: &str = "omnivox_lang";
/// Before login there is no session to bind a CSRF token to: the login and Clara forms carry
/// a random token that must match this cookie (double submit).
pub(super) const CSRF_COOKIE: &str = "omnivox_csrf";

pub(super) const STYLE: &str = "
body{font-family:system-ui,'DejaVu Sans',sans-serif;background:#eef1f5;margin:0;color:#1d2733}
header{background:#00558c;color:#fff;padding:.8em 1.5em;display:flex;justify-content:space-between}
header a{color:#fff}
main{max-width:36em;margin:2em auto;background:#fff;padding:1.5em 2em;border-radius:6px;box-shadow:0 1px 4px #0002}
h1{font-size:1.4em;color:#00558c}
label{display:block;margin:.8em 0 .3em}
input{font-size:1.1em;padding:.4em;width:100%;box-sizing:border-box}
button,.button{background:#00558c;color:#fff;border:0;padding:.6em 1.4em;font-size:1em;border-radius:4px;margin-top:1em;text-decoration:none;display:inline-block;cursor:pointer}
.actions{text-align:right}
.error{background:#fde8e8;color:#8a1c1c;padding:.6em;border-radius:4px}
.note{background:#fff7e0;padding:.6em;border-radius:4px}
.secret{font-family:'DejaVu Sans Mono',monospace;font-size:1.1em;letter-spacing:.05em;word-break:break-all}
ul.methods{list-style:none;padding:0} ul.methods li{margin:.6em 0}
img#qr{display:block;margin:1em auto;image-rendering:pixelated}
";

/// The language of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lang {
    Fr,
    En,
}

impl Lang {
    fn pick<'a>(self, fr: &'a str, en: &'a str) -> &'a str {
        match self {
            Self::Fr => fr,
            Self::En => en,
        }
    }

    /// The text in this language.
    pub(super) fn say(self, text: Text) -> &'static str {
        self.pick(text.fr, text.en)
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct LangQuery {
    pub(super) lang: Option<String>,
}

/// What every page needs: language (and whether the query changed it), the session token and
/// the CSRF token of its forms.
pub(super) struct Visit {
    pub(super) lang: Lang,
    set_lang: Option<Lang>,
    pub(super) token: Option<String>,
    /// The pre-session CSRF cookie the browser sent, if any.
    csrf_cookie: Option<String>,
    /// A fresh pre-session CSRF token, set as a cookie with the page when none was sent.
    new_csrf_cookie: Option<String>,
}

impl Visit {
    /// The CSRF token a form posted in this visit must carry: bound to the session when there
    /// is one (a hash of its token under its own label), else the pre-session cookie.
    fn expected_csrf(&self) -> Option<String> {
        match (&self.token, &self.csrf_cookie) {
            (Some(token), _) => Some(session_csrf(token)),
            (None, Some(cookie)) => Some(cookie.clone()),
            (None, None) => None,
        }
    }

    /// The hidden field that carries the CSRF token in every form of this page.
    pub(super) fn csrf_field(&self) -> String {
        let token = self
            .expected_csrf()
            .or_else(|| self.new_csrf_cookie.clone())
            .unwrap_or_default();
        format!(
            "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
            esc(&token)
        )
    }

    /// Whether a posted form's token is the one this visit's forms carry (constant time).
    pub(super) fn csrf_ok(&self, posted: &str) -> bool {
        self.expected_csrf().is_some_and(|expected| {
            !posted.is_empty() && bool::from(expected.as_bytes().ct_eq(posted.as_bytes()))
        })
    }
}

/// The CSRF token of a session: SHA-256 of a label and the session token. The database keeps
/// only the SHA-256 of the bare token, so it cannot be used to forge this one.
fn session_csrf(token: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"omnivox-sim csrf v1\0");
    hasher.update(token.as_bytes());
    data_encoding::HEXLOWER.encode(&hasher.finalize())
}

fn random_token() -> String {
    let mut bytes = [0u8; 16];
    // Without randomness the field stays empty and the post is refused: never a weak token.
    match getrandom::fill(&mut bytes) {
        Ok(()) => data_encoding::HEXLOWER.encode(&bytes),
        Err(_) => String::new(),
    }
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then_some(value)
        })
}

pub(super) fn visit(headers: &HeaderMap, query: &LangQuery) -> Visit {
    let from_query = match query.lang.as_deref() {
        Some("en") => Some(Lang::En),
        Some("fr") => Some(Lang::Fr),
        _ => None,
    };
    let lang = from_query.unwrap_or(match cookie(headers, LANG_COOKIE) {
        Some("en") => Lang::En,
        _ => Lang::Fr,
    });
    let csrf_cookie = cookie(headers, CSRF_COOKIE)
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    let token = cookie(headers, SESSION_COOKIE)
        .filter(|t| !t.is_empty())
        .map(str::to_owned);
    Visit {
        lang,
        set_lang: from_query,
        new_csrf_cookie: csrf_cookie.is_none().then(random_token),
        csrf_cookie,
        token,
    }
}

/// Escapes text for HTML content and quoted attribute values.
pub(super) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page: header with the language switch, a title, and the body.
pub(super) fn page(visit: &Visit, path: &str, title: &str, body: &str) -> Response {
    page_with_status(visit, StatusCode::OK, path, title, body)
}

/// A whole page with another status than 200.
pub(super) fn page_with_status(
    visit: &Visit,
    status: StatusCode,
    path: &str,
    title: &str,
    body: &str,
) -> Response {
    let lang = visit.lang;
    let (other_code, switch_name) = match lang {
        Lang::Fr => ("en", "English"),
        Lang::En => ("fr", "Français"),
    };
    let html_lang = lang.pick("fr-CA", "en-CA");
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{html_lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} – Omnivox</title><link rel=\"stylesheet\" href=\"/style.css\"></head>\
         <body><header><strong>Omnivox</strong><a id=\"lang\" href=\"{path}?lang={other_code}\">{switch_name}</a></header>\
         <main><h1>{title}</h1>{body}</main></body></html>",
        title = esc(title),
    );
    let mut response = (status, Html(html)).into_response();
    if let Some(token) = &visit.new_csrf_cookie {
        let value = format!("{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict");
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    if let Some(lang) = visit.set_lang {
        let value = format!(
            "{LANG_COOKIE}={}; Path=/; SameSite=Lax",
            lang.pick("fr", "en")
        );
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// A refusal's message, in the page's language.
pub(super) fn error_box(visit: &Visit, refusal: &Refusal) -> String {
    let text = match visit.lang {
        Lang::Fr => refusal.message_fr(),
        Lang::En => refusal.message_en(),
    };
    format!(
        "<p class=\"error\" id=\"erreur\" role=\"alert\">{}</p>",
        esc(&text)
    )
}

/// The status of a page that shows a refusal.
pub(super) fn status_of(refusal: &Refusal) -> StatusCode {
    match refusal {
        Refusal::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        Refusal::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        Refusal::Forbidden(_) => StatusCode::FORBIDDEN,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// Back to the login page.
pub(super) fn to_login() -> Response {
    Redirect::to("/connexion").into_response()
}

/// A form posted without this visit's CSRF token: refused, nothing done.
pub(super) fn csrf_refused(visit: &Visit, path: &str) -> Response {
    let body = format!(
        "<p class=\"error\" id=\"erreur\" role=\"alert\">{}</p>",
        visit.lang.say(text::FORM_EXPIRED)
    );
    page_with_status(visit, StatusCode::FORBIDDEN, path, "Omnivox", &body)
}

pub(super) fn login_form(visit: &Visit, error: Option<&Refusal>) -> String {
    let l = visit.lang;
    format!(
        "{error}<form method=\"post\" action=\"/connexion\">{csrf}\
         <label for=\"identifiant\">{id}</label><input id=\"identifiant\" name=\"id\" autocomplete=\"username\" required>\
         <label for=\"motdepasse\">{pw}</label><input id=\"motdepasse\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
         <div class=\"actions\"><button id=\"connexion\" type=\"submit\">{go}</button></div></form>",
        error = error.map(|e| error_box(visit, e)).unwrap_or_default(),
        id = l.say(text::STUDENT_NUMBER_OR_STAFF),
        pw = l.say(text::PASSWORD),
        go = l.say(text::LOG_IN),
        csrf = visit.csrf_field(),
    )
}

pub(super) fn code_form(
    visit: &Visit,
    action: &str,
    hint: &str,
    error: Option<&Refusal>,
    extra: &str,
) -> String {
    let l = visit.lang;
    format!(
        "{error}<form method=\"post\" action=\"{action}\">{csrf}<label for=\"code\">{hint}</label>\
         <input id=\"code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"10\" required>{extra}\
         <div class=\"actions\"><button id=\"valider\" type=\"submit\">{go}</button></div></form>",
        error = error.map(|e| error_box(visit, e)).unwrap_or_default(),
        go = l.say(text::VALIDATE),
        csrf = visit.csrf_field(),
    )
}

pub(super) fn totp_code_body(visit: &Visit, error: Option<&Refusal>) -> String {
    let hint = visit.lang.say(text::ENTER_THE_APP_CODE);
    code_form(visit, "/validation/application/code", hint, error, "")
}

pub(super) fn email_body(visit: &Visit, first_done: bool, error: Option<&Refusal>) -> String {
    let l = visit.lang;
    format!(
        "{done}{error}<p>{why}</p><p class=\"note\">{rule}</p>\
         <form method=\"post\" action=\"/validation/courriel\">{csrf}<label for=\"courriel\">{label}</label>\
         <input id=\"courriel\" name=\"address\" type=\"email\" autocomplete=\"email\" required>\
         <div class=\"actions\"><a href=\"/validation/terminee\" id=\"plus-tard\">{later}</a> \
         <button id=\"suivant\" type=\"submit\">{next}</button></div></form>",
        done = if first_done {
            format!(
                "<p class=\"note\" id=\"premiere-methode\">{}</p>",
                l.say(text::THE_FIRST_METHOD_IS)
            )
        } else {
            String::new()
        },
        error = error.map(|e| error_box(visit, e)).unwrap_or_default(),
        why = l.say(text::SETTING_UP_A_MAIN),
        rule = l.say(text::STUDENTS_MUST_USE_THEIR),
        label = l.say(text::EMAIL_ADDRESS),
        later = l.say(text::LATER),
        next = l.say(text::NEXT_CAPS),
        csrf = visit.csrf_field(),
    )
}

pub(super) fn email_code_body(visit: &Visit, error: Option<&Refusal>) -> String {
    let hint = visit.lang.say(text::A_SECURITY_CODE_WAS);
    code_form(visit, "/validation/courriel/code", hint, error, "")
}

pub(super) fn verify_body(
    visit: &Visit,
    email: bool,
    sent: bool,
    error: Option<&Refusal>,
) -> String {
    let l = visit.lang;
    let hint = l.say(text::ENTER_THE_AUTHENTICATOR_APP);
    let choice = format!(
        "<label><input type=\"radio\" name=\"method\" value=\"totp\" id=\"par-application\" {app_checked}> {app}</label>{mail}",
        app_checked = if sent { "" } else { "checked" },
        app = l.say(text::AUTHENTICATOR_APP),
        mail = if email {
            format!(
                "<label><input type=\"radio\" name=\"method\" value=\"email\" id=\"par-courriel\" {}> {}</label>",
                if sent { "checked" } else { "" },
                l.say(text::CODE_RECEIVED_BY_EMAIL)
            )
        } else {
            String::new()
        },
    );
    let send = if email {
        format!(
            "<form method=\"post\" action=\"/verification/courriel\">{}<button id=\"envoyer-courriel\" type=\"submit\">{}</button></form>{}",
            visit.csrf_field(),
            l.say(text::EMAIL_ME_A_CODE),
            if sent {
                format!(
                    "<p class=\"note\" id=\"courriel-envoye\">{}</p>",
                    l.say(text::A_CODE_WAS_SENT)
                )
            } else {
                String::new()
            }
        )
    } else {
        String::new()
    };
    format!(
        "{}{send}",
        code_form(visit, "/verification", hint, error, &choice)
    )
}

pub(super) fn clara_body(visit: &Visit, message: &str) -> String {
    let l = visit.lang;
    format!(
        "{message}<form method=\"post\" action=\"/clara\">{csrf}\
         <label for=\"identifiant\">{id}</label><input id=\"identifiant\" name=\"id\" required>\
         <label for=\"code\">{code}</label><input id=\"code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" required>\
         <div class=\"actions\"><button id=\"valider\" type=\"submit\">{go}</button></div></form>",
        id = l.say(text::STAFF_ID),
        code = l.say(text::CLARA_CODE),
        csrf = visit.csrf_field(),
        go = l.say(text::VALIDATE),
    )
}
