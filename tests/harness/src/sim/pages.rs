//! The pages a person sees, in French (Québec) with an English switch (`?lang=en`), following
//! the school's procedure: "Validation en 2 étapes" → "Commencer" → methods → QR code (and the
//! secret as text) → "Suivant" → code → "VALIDER" → email → code → "VALIDER" → "Activation
//! terminée" → "Continuer" → home. Everything is served by the binary: no script, no CDN.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use data_encoding::BASE64;
use serde::Deserialize;

use super::api::blocking;
use super::portal::{Method, NextStep, Portal, Refusal};
use super::store::Session;

const SESSION_COOKIE: &str = "omnivox_session";
const LANG_COOKIE: &str = "omnivox_lang";

const STYLE: &str = "
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

/// The pages' routes.
pub fn routes() -> Router<Arc<Portal>> {
    Router::new()
        .route("/", get(root))
        .route("/style.css", get(style))
        .route("/connexion", get(login_page).post(login_submit))
        .route("/deconnexion", get(logout))
        .route("/validation", get(intro))
        .route("/validation/methodes", get(methods))
        .route("/validation/application", get(totp_page))
        .route(
            "/validation/application/code",
            get(totp_code_page).post(totp_code_submit),
        )
        .route("/validation/courriel", get(email_page).post(email_submit))
        .route(
            "/validation/courriel/code",
            get(email_code_page).post(email_code_submit),
        )
        .route("/validation/terminee", get(done))
        .route("/verification", get(verify_page).post(verify_submit))
        .route(
            "/verification/courriel",
            axum::routing::post(verify_send_email),
        )
        .route("/accueil", get(home))
        .route("/clara", get(clara_page).post(clara_submit))
}

/// The language of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
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
}

#[derive(Debug, Default, Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

/// What every page needs: language (and whether the query changed it) and the session token.
struct Visit {
    lang: Lang,
    set_lang: Option<Lang>,
    token: Option<String>,
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

fn visit(headers: &HeaderMap, query: &LangQuery) -> Visit {
    let from_query = match query.lang.as_deref() {
        Some("en") => Some(Lang::En),
        Some("fr") => Some(Lang::Fr),
        _ => None,
    };
    let lang = from_query.unwrap_or(match cookie(headers, LANG_COOKIE) {
        Some("en") => Lang::En,
        _ => Lang::Fr,
    });
    Visit {
        lang,
        set_lang: from_query,
        token: cookie(headers, SESSION_COOKIE).map(str::to_owned),
    }
}

fn esc(text: &str) -> String {
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
fn page(visit: &Visit, path: &str, title: &str, body: &str) -> Response {
    page_with_status(visit, StatusCode::OK, path, title, body)
}

fn page_with_status(
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

fn error_box(visit: &Visit, refusal: &Refusal) -> String {
    let text = match visit.lang {
        Lang::Fr => refusal.message_fr(),
        Lang::En => refusal.message_en(),
    };
    format!(
        "<p class=\"error\" id=\"erreur\" role=\"alert\">{}</p>",
        esc(&text)
    )
}

fn status_of(refusal: &Refusal) -> StatusCode {
    match refusal {
        Refusal::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        Refusal::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        Refusal::Forbidden(_) => StatusCode::FORBIDDEN,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

async fn current_session(portal: &Arc<Portal>, visit: &Visit) -> Option<Session> {
    let token = visit.token.clone()?;
    blocking(Arc::clone(portal), move |p| p.session(&token))
        .await
        .ok()
}

fn to_login() -> Response {
    Redirect::to("/connexion").into_response()
}

async fn style() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE)
}

async fn root(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let visit = visit(&headers, &q);
    match current_session(&portal, &visit).await {
        Some(s) if s.authenticated => Redirect::to("/accueil").into_response(),
        _ => to_login(),
    }
}

fn login_form(visit: &Visit, error: Option<&Refusal>) -> String {
    let l = visit.lang;
    format!(
        "{error}<form method=\"post\" action=\"/connexion\">\
         <label for=\"identifiant\">{id}</label><input id=\"identifiant\" name=\"id\" autocomplete=\"username\" required>\
         <label for=\"motdepasse\">{pw}</label><input id=\"motdepasse\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
         <div class=\"actions\"><button id=\"connexion\" type=\"submit\">{go}</button></div></form>",
        error = error.map(|e| error_box(visit, e)).unwrap_or_default(),
        id = l.pick(
            "Numéro de DA ou identifiant du personnel",
            "Student number or staff id"
        ),
        pw = l.pick("Mot de passe", "Password"),
        go = l.pick("Connexion", "Log in"),
    )
}

async fn login_page(headers: HeaderMap, Query(q): Query<LangQuery>) -> Response {
    let visit = visit(&headers, &q);
    let title = visit.lang.pick("Connexion à Omnivox", "Log in to Omnivox");
    page(&visit, "/connexion", title, &login_form(&visit, None))
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    id: String,
    password: String,
}

async fn login_submit(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let visit = visit(&headers, &LangQuery::default());
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    match blocking(portal, move |p| p.login(&form.id, &form.password, &agent)).await {
        Ok((session, next)) => {
            let target = match next {
                NextStep::Enrol => "/validation",
                NextStep::Verify => "/verification",
            };
            let mut response = Redirect::to(target).into_response();
            let value = format!(
                "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax",
                session.token
            );
            if let Ok(value) = HeaderValue::from_str(&value) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            response
        }
        Err(refusal) => {
            let title = visit.lang.pick("Connexion à Omnivox", "Log in to Omnivox");
            let body = login_form(&visit, Some(&refusal));
            page_with_status(&visit, status_of(&refusal), "/connexion", title, &body)
        }
    }
}

async fn logout() -> Response {
    let mut response = to_login();
    response.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static("omnivox_session=; Path=/; Max-Age=0"),
    );
    response
}

async fn intro(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let visit = visit(&headers, &q);
    if current_session(&portal, &visit).await.is_none() {
        return to_login();
    }
    let l = visit.lang;
    let body = format!(
        "<p>{p1}</p><p>{p2}</p><p>{p3}</p>\
         <div class=\"actions\"><a class=\"button\" id=\"commencer\" href=\"/validation/methodes\">{go}</a></div>",
        p1 = l.pick(
            "Vous devez mettre en place la validation d'identité en 2 étapes pour votre compte utilisateur.",
            "You must set up two-step identity validation for your user account."
        ),
        p2 = l.pick(
            "La validation en 2 étapes consiste à fournir deux types d'informations pour confirmer votre identité. Après avoir entré votre identifiant et votre mot de passe, un code de sécurité à usage unique vous sera demandé.",
            "Two-step validation means giving two kinds of information to confirm who you are. After your id and password, you will be asked for a single-use security code."
        ),
        p3 = l.pick(
            "Cette validation d'identité en 2 étapes a pour but de rendre la connexion à votre compte encore plus sécuritaire.",
            "Two-step validation makes logging in to your account even safer."
        ),
        go = l.pick("Commencer", "Start"),
    );
    page(
        &visit,
        "/validation",
        l.pick("Validation en 2 étapes", "Two-step validation"),
        &body,
    )
}

async fn methods(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let visit = visit(&headers, &q);
    if current_session(&portal, &visit).await.is_none() {
        return to_login();
    }
    let l = visit.lang;
    let body = format!(
        "<p>{intro}</p><ul class=\"methods\">\
         <li><a id=\"methode-application\" href=\"/validation/application\">{app} »</a></li>\
         <li><a id=\"methode-courriel\" href=\"/validation/courriel\">{mail} »</a></li></ul>",
        intro = l.pick(
            "Voici la liste des méthodes de validation de l'identité en 2 étapes que vous pouvez mettre en place pour votre compte utilisateur.",
            "These are the two-step validation methods you can set up for your user account."
        ),
        app = l.pick("Application d'authentification", "Authenticator app"),
        mail = l.pick("Courriel principal", "Main email"),
    );
    page(
        &visit,
        "/validation/methodes",
        l.pick("Méthodes disponibles", "Available methods"),
        &body,
    )
}

async fn totp_page(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let visit = visit(&headers, &q);
    let Some(session) = current_session(&portal, &visit).await else {
        return to_login();
    };
    let l = visit.lang;
    let title = l.pick("Application d'authentification", "Authenticator app");
    match blocking(portal, move |p| p.start_totp(&session)).await {
        Ok(enrolment) => {
            let body = format!(
                "<p>{scan}</p><img id=\"qr\" width=\"300\" height=\"300\" alt=\"{alt}\" src=\"data:image/png;base64,{png}\">\
                 <p>{manual}</p><p class=\"secret\" id=\"secret\">{secret}</p>\
                 <p class=\"note\">{other} <a id=\"autre-methode\" href=\"/validation/courriel\">{other_link}</a></p>\
                 <div class=\"actions\"><a class=\"button\" id=\"suivant\" href=\"/validation/application/code\">{next}</a></div>",
                scan = l.pick(
                    "Sur votre appareil mobile, ouvrez l'application d'authentification, touchez « + », puis numérisez le code QR ci-dessous.",
                    "On your phone, open the authenticator app, tap \"+\", then scan the QR code below."
                ),
                alt = l.pick("Code QR à numériser avec le téléphone", "QR code to scan with the phone"),
                png = BASE64.encode(&enrolment.qr_png),
                manual = l.pick(
                    "Impossible de numériser? Entrez plutôt cette clé dans l'application :",
                    "Cannot scan? Type this key in the app instead:"
                ),
                secret = esc(&enrolment.secret_base32),
                other = l.pick("Pas de téléphone mobile?", "No mobile phone?"),
                other_link = l.pick(
                    "Mettre en place une autre méthode de validation d'identité",
                    "Set up another identity validation method"
                ),
                next = l.pick("Suivant", "Next"),
            );
            page(&visit, "/validation/application", title, &body)
        }
        Err(refusal) => page_with_status(
            &visit,
            status_of(&refusal),
            "/validation/application",
            title,
            &error_box(&visit, &refusal),
        ),
    }
}

fn code_form(
    visit: &Visit,
    action: &str,
    hint: &str,
    error: Option<&Refusal>,
    extra: &str,
) -> String {
    let l = visit.lang;
    format!(
        "{error}<form method=\"post\" action=\"{action}\"><label for=\"code\">{hint}</label>\
         <input id=\"code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"10\" required>{extra}\
         <div class=\"actions\"><button id=\"valider\" type=\"submit\">{go}</button></div></form>",
        error = error.map(|e| error_box(visit, e)).unwrap_or_default(),
        go = l.pick("VALIDER", "VALIDATE"),
    )
}

fn totp_code_body(visit: &Visit, error: Option<&Refusal>) -> String {
    let hint = visit.lang.pick(
        "Entrez le code à 6 chiffres qui s'affiche dans l'application d'authentification, profil Omnivox.",
        "Enter the 6-digit code the authenticator app shows for Omnivox.",
    );
    code_form(visit, "/validation/application/code", hint, error, "")
}

async fn totp_code_page(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let visit = visit(&headers, &q);
    if current_session(&portal, &visit).await.is_none() {
        return to_login();
    }
    let title = visit
        .lang
        .pick("Application d'authentification", "Authenticator app");
    page(
        &visit,
        "/validation/application/code",
        title,
        &totp_code_body(&visit, None),
    )
}

#[derive(Debug, Deserialize)]
struct CodeForm {
    code: String,
    #[serde(default)]
    method: Option<Method>,
}

async fn totp_code_submit(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Response {
    let visit = visit(&headers, &LangQuery::default());
    let Some(session) = current_session(&portal, &visit).await else {
        return to_login();
    };
    match blocking(portal, move |p| p.confirm_totp(&session, &form.code)).await {
        Ok(()) => Redirect::to("/validation/courriel?premiere=1").into_response(),
        Err(refusal) => {
            let title = visit
                .lang
                .pick("Application d'authentification", "Authenticator app");
            let body = totp_code_body(&visit, Some(&refusal));
            page_with_status(
                &visit,
                status_of(&refusal),
                "/validation/application/code",
                title,
                &body,
            )
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct EmailQuery {
    lang: Option<String>,
    premiere: Option<String>,
}

fn email_body(visit: &Visit, first_done: bool, error: Option<&Refusal>) -> String {
    let l = visit.lang;
    format!(
        "{done}{error}<p>{why}</p><p class=\"note\">{rule}</p>\
         <form method=\"post\" action=\"/validation/courriel\"><label for=\"courriel\">{label}</label>\
         <input id=\"courriel\" name=\"address\" type=\"email\" autocomplete=\"email\" required>\
         <div class=\"actions\"><a href=\"/validation/terminee\" id=\"plus-tard\">{later}</a> \
         <button id=\"suivant\" type=\"submit\">{next}</button></div></form>",
        done = if first_done {
            format!(
                "<p class=\"note\" id=\"premiere-methode\">{}</p>",
                l.pick(
                    "La première méthode est configurée. On continue avec la méthode par courriel.",
                    "The first method is set up. Now the email method."
                )
            )
        } else {
            String::new()
        },
        error = error.map(|e| error_box(visit, e)).unwrap_or_default(),
        why = l.pick(
            "La configuration d'un courriel principal comme méthode de validation d'identité est très importante. Un code de sécurité sera envoyé à ce courriel afin de confirmer votre identité.",
            "Setting up a main email as a validation method is very important. A security code will be sent to it to confirm your identity."
        ),
        rule = l.pick(
            "Les membres de la communauté étudiante doivent utiliser leur adresse courriel personnelle (Gmail, Yahoo, etc.). Les membres du personnel doivent utiliser leur adresse courriel du Cégep.",
            "Students must use their personal email address (Gmail, Yahoo, etc.). Staff members must use their college email address."
        ),
        label = l.pick("Adresse courriel", "Email address"),
        later = l.pick("Plus tard", "Later"),
        next = l.pick("SUIVANT", "NEXT"),
    )
}

async fn email_page(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Query(q): Query<EmailQuery>,
) -> Response {
    let visit = visit(&headers, &LangQuery { lang: q.lang });
    if current_session(&portal, &visit).await.is_none() {
        return to_login();
    }
    let title = visit.lang.pick("Ajout d'un courriel", "Adding an email");
    page(
        &visit,
        "/validation/courriel",
        title,
        &email_body(&visit, q.premiere.is_some(), None),
    )
}

#[derive(Debug, Deserialize)]
struct EmailForm {
    address: String,
}

async fn email_submit(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Form(form): Form<EmailForm>,
) -> Response {
    let visit = visit(&headers, &LangQuery::default());
    let Some(session) = current_session(&portal, &visit).await else {
        return to_login();
    };
    match blocking(portal, move |p| {
        p.start_email(&session, Some(&form.address))
    })
    .await
    {
        Ok(_) => Redirect::to("/validation/courriel/code").into_response(),
        Err(refusal) => {
            let title = visit.lang.pick("Ajout d'un courriel", "Adding an email");
            let body = email_body(&visit, false, Some(&refusal));
            page_with_status(
                &visit,
                status_of(&refusal),
                "/validation/courriel",
                title,
                &body,
            )
        }
    }
}

fn email_code_body(visit: &Visit, error: Option<&Refusal>) -> String {
    let hint = visit.lang.pick(
        "Un code de sécurité a été envoyé à l'adresse courriel que vous venez d'ajouter. Entrez le code reçu.",
        "A security code was sent to the address you just added. Enter the code you received.",
    );
    code_form(visit, "/validation/courriel/code", hint, error, "")
}

async fn email_code_page(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let visit = visit(&headers, &q);
    if current_session(&portal, &visit).await.is_none() {
        return to_login();
    }
    let title = visit.lang.pick("Ajout d'un courriel", "Adding an email");
    page(
        &visit,
        "/validation/courriel/code",
        title,
        &email_code_body(&visit, None),
    )
}

async fn email_code_submit(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Response {
    let visit = visit(&headers, &LangQuery::default());
    let Some(session) = current_session(&portal, &visit).await else {
        return to_login();
    };
    match blocking(portal, move |p| p.confirm_email(&session, &form.code)).await {
        Ok(()) => Redirect::to("/validation/terminee").into_response(),
        Err(refusal) => {
            let title = visit.lang.pick("Ajout d'un courriel", "Adding an email");
            let body = email_code_body(&visit, Some(&refusal));
            page_with_status(
                &visit,
                status_of(&refusal),
                "/validation/courriel/code",
                title,
                &body,
            )
        }
    }
}

async fn done(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let visit = visit(&headers, &q);
    if current_session(&portal, &visit).await.is_none() {
        return to_login();
    }
    let l = visit.lang;
    let body = format!(
        "<p><strong id=\"activee\">{on}</strong></p><p>{next}</p><p>{manage}</p>\
         <div class=\"actions\"><a class=\"button\" id=\"continuer\" href=\"/accueil\">{go}</a></div>",
        on = l.pick("Validation en 2 étapes activée", "Two-step validation enabled"),
        next = l.pick(
            "Dès votre prochaine connexion, vous devrez confirmer votre identité à l'aide d'une des méthodes associées à votre compte.",
            "From your next login on, you will confirm your identity with one of the methods of your account."
        ),
        manage = l.pick(
            "La gestion de ces méthodes s'effectue à partir du service « Validation en 2 étapes » disponible dans le menu des services.",
            "Manage these methods from the \"Two-step validation\" service in the services menu."
        ),
        go = l.pick("Continuer", "Continue"),
    );
    page(
        &visit,
        "/validation/terminee",
        l.pick("Activation terminée", "Activation complete"),
        &body,
    )
}

fn verify_body(visit: &Visit, email: bool, sent: bool, error: Option<&Refusal>) -> String {
    let l = visit.lang;
    let hint = l.pick(
        "Entrez le code de l'application d'authentification ou, après l'avoir demandé, le code reçu par courriel.",
        "Enter the authenticator app's code or, once requested, the code received by email.",
    );
    let choice = format!(
        "<label><input type=\"radio\" name=\"method\" value=\"totp\" id=\"par-application\" {app_checked}> {app}</label>{mail}",
        app_checked = if sent { "" } else { "checked" },
        app = l.pick("Application d'authentification", "Authenticator app"),
        mail = if email {
            format!(
                "<label><input type=\"radio\" name=\"method\" value=\"email\" id=\"par-courriel\" {}> {}</label>",
                if sent { "checked" } else { "" },
                l.pick("Code reçu par courriel", "Code received by email")
            )
        } else {
            String::new()
        },
    );
    let send = if email {
        format!(
            "<form method=\"post\" action=\"/verification/courriel\"><button id=\"envoyer-courriel\" type=\"submit\">{}</button></form>{}",
            l.pick("Envoyer un code par courriel", "Email me a code"),
            if sent {
                format!(
                    "<p class=\"note\" id=\"courriel-envoye\">{}</p>",
                    l.pick(
                        "Un code a été envoyé à votre courriel principal.",
                        "A code was sent to your main email."
                    )
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

async fn verify_page(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let visit = visit(&headers, &q);
    let Some(session) = current_session(&portal, &visit).await else {
        return to_login();
    };
    let email = blocking(portal, move |p| p.status(&session))
        .await
        .map(|s| s.email)
        .unwrap_or(false);
    let title = visit
        .lang
        .pick("Validation de l'identité", "Identity validation");
    page(
        &visit,
        "/verification",
        title,
        &verify_body(&visit, email, false, None),
    )
}

async fn verify_submit(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Response {
    let visit = visit(&headers, &LangQuery::default());
    let Some(session) = current_session(&portal, &visit).await else {
        return to_login();
    };
    let method = form.method.unwrap_or(Method::Totp);
    let result = blocking(portal, move |p| {
        let outcome = p.verify(&session, method, &form.code);
        let email = p.status(&session).map(|s| s.email).unwrap_or(false);
        Ok((outcome, email))
    })
    .await;
    match result {
        Ok((Ok(()), _)) => Redirect::to("/accueil").into_response(),
        Ok((Err(refusal), email)) => {
            let title = visit
                .lang
                .pick("Validation de l'identité", "Identity validation");
            let body = verify_body(&visit, email, method == Method::Email, Some(&refusal));
            page_with_status(&visit, status_of(&refusal), "/verification", title, &body)
        }
        Err(refusal) => page_with_status(
            &visit,
            status_of(&refusal),
            "/verification",
            "Omnivox",
            &error_box(&visit, &refusal),
        ),
    }
}

async fn verify_send_email(State(portal): State<Arc<Portal>>, headers: HeaderMap) -> Response {
    let visit = visit(&headers, &LangQuery::default());
    let Some(session) = current_session(&portal, &visit).await else {
        return to_login();
    };
    let title = visit
        .lang
        .pick("Validation de l'identité", "Identity validation");
    match blocking(portal, move |p| p.start_email(&session, None)).await {
        Ok(_) => page(
            &visit,
            "/verification",
            title,
            &verify_body(&visit, true, true, None),
        ),
        Err(refusal) => {
            let body = verify_body(&visit, true, false, Some(&refusal));
            page_with_status(&visit, status_of(&refusal), "/verification", title, &body)
        }
    }
}

async fn home(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let visit = visit(&headers, &q);
    let Some(session) = current_session(&portal, &visit).await else {
        return to_login();
    };
    if !session.authenticated {
        return Redirect::to("/verification").into_response();
    }
    let l = visit.lang;
    let body = format!(
        "<p id=\"bienvenue\">{hello} <strong>{user}</strong>.</p><p><a href=\"/deconnexion\" id=\"deconnexion\">{out}</a></p>",
        hello = l.pick("Bienvenue dans Omnivox,", "Welcome to Omnivox,"),
        user = esc(&session.user_id),
        out = l.pick("Se déconnecter", "Log out"),
    );
    page(&visit, "/accueil", l.pick("Accueil", "Home"), &body)
}

fn clara_body(visit: &Visit, message: &str) -> String {
    let l = visit.lang;
    format!(
        "{message}<form method=\"post\" action=\"/clara\">\
         <label for=\"identifiant\">{id}</label><input id=\"identifiant\" name=\"id\" required>\
         <label for=\"code\">{code}</label><input id=\"code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" required>\
         <div class=\"actions\"><button id=\"valider\" type=\"submit\">{go}</button></div></form>",
        id = l.pick("Identifiant du personnel", "Staff id"),
        code = l.pick(
            "Code de validation à 6 chiffres (le même que pour Omnivox)",
            "6-digit validation code (the same as for Omnivox)"
        ),
        go = l.pick("VALIDER", "VALIDATE"),
    )
}

async fn clara_page(headers: HeaderMap, Query(q): Query<LangQuery>) -> Response {
    let visit = visit(&headers, &q);
    page(&visit, "/clara", "Clara", &clara_body(&visit, ""))
}

#[derive(Debug, Deserialize)]
struct ClaraForm {
    id: String,
    code: String,
}

async fn clara_submit(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Form(form): Form<ClaraForm>,
) -> Response {
    let visit = visit(&headers, &LangQuery::default());
    match blocking(portal, move |p| p.clara_verify(&form.id, &form.code)).await {
        Ok(()) => {
            let ok = format!(
                "<p class=\"note\" id=\"clara-ok\">{}</p>",
                visit.lang.pick(
                    "Identité confirmée. Bienvenue dans Clara.",
                    "Identity confirmed. Welcome to Clara."
                )
            );
            page(&visit, "/clara", "Clara", &ok)
        }
        Err(refusal) => {
            let body = clara_body(&visit, &error_box(&visit, &refusal));
            page_with_status(&visit, status_of(&refusal), "/clara", "Clara", &body)
        }
    }
}
