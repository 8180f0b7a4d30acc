//! The pages a person sees, in French (Québec) with an English switch (`?lang=en`), following
//! the school's procedure: "Validation en 2 étapes" → "Commencer" → methods → QR code (and the
//! secret as text) → "Suivant" → code → "VALIDER" → email → code → "VALIDER" → "Activation
//! terminée" → "Continuer" → home. Everything is served by the binary: no script, no CDN.

mod markup;
mod text;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use data_encoding::BASE64;
use serde::Deserialize;

use super::api::blocking;
use super::portal::{Method, NextStep, Portal};
use super::store::Session;
use markup::{
    LangQuery, SESSION_COOKIE, STYLE, Visit, clara_body, csrf_refused, email_body, email_code_body,
    error_box, esc, login_form, page, page_with_status, status_of, to_login, totp_code_body,
    verify_body, visit,
};

/// The pages' routes. Every form carries a CSRF token ([`markup`]); a post without the right
/// one is refused with 403 before anything is done.
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

async fn current_session(portal: &Arc<Portal>, visit: &Visit) -> Option<Session> {
    let token = visit.token.clone()?;
    blocking(Arc::clone(portal), move |p| p.session(&token))
        .await
        .ok()
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

async fn login_page(headers: HeaderMap, Query(q): Query<LangQuery>) -> Response {
    let visit = visit(&headers, &q);
    let title = visit.lang.say(text::LOG_IN_TO_OMNIVOX);
    page(&visit, "/connexion", title, &login_form(&visit, None))
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    id: String,
    password: String,
    #[serde(default)]
    csrf: String,
}

async fn login_submit(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let visit = visit(&headers, &LangQuery::default());
    if !visit.csrf_ok(&form.csrf) {
        return csrf_refused(&visit, "/connexion");
    }
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
            let title = visit.lang.say(text::LOG_IN_TO_OMNIVOX);
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
        p1 = l.say(text::YOU_MUST_SET_UP),
        p2 = l.say(text::TWO_STEP_VALIDATION_MEANS),
        p3 = l.say(text::TWO_STEP_VALIDATION_MAKES),
        go = l.say(text::START),
    );
    page(
        &visit,
        "/validation",
        l.say(text::TWO_STEP_VALIDATION),
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
        intro = l.say(text::THESE_ARE_THE_TWO),
        app = l.say(text::AUTHENTICATOR_APP),
        mail = l.say(text::MAIN_EMAIL),
    );
    page(
        &visit,
        "/validation/methodes",
        l.say(text::AVAILABLE_METHODS),
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
    let title = l.say(text::AUTHENTICATOR_APP);
    match blocking(portal, move |p| p.start_totp(&session)).await {
        Ok(enrolment) => {
            let body = format!(
                "<p>{scan}</p><img id=\"qr\" width=\"300\" height=\"300\" alt=\"{alt}\" src=\"data:image/png;base64,{png}\">\
                 <p>{manual}</p><p class=\"secret\" id=\"secret\">{secret}</p>\
                 <p class=\"note\">{other} <a id=\"autre-methode\" href=\"/validation/courriel\">{other_link}</a></p>\
                 <div class=\"actions\"><a class=\"button\" id=\"suivant\" href=\"/validation/application/code\">{next}</a></div>",
                scan = l.say(text::ON_YOUR_PHONE_OPEN),
                alt = l.say(text::QR_CODE_TO_SCAN),
                png = BASE64.encode(&enrolment.qr_png),
                manual = l.say(text::CANNOT_SCAN_TYPE_THIS),
                secret = esc(&enrolment.secret_base32),
                other = l.say(text::NO_MOBILE_PHONE),
                other_link = l.say(text::SET_UP_ANOTHER_IDENTITY),
                next = l.say(text::NEXT),
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

async fn totp_code_page(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let visit = visit(&headers, &q);
    if current_session(&portal, &visit).await.is_none() {
        return to_login();
    }
    let title = visit.lang.say(text::AUTHENTICATOR_APP);
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
    csrf: String,
    #[serde(default)]
    method: Option<Method>,
}

async fn totp_code_submit(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Response {
    let visit = visit(&headers, &LangQuery::default());
    if !visit.csrf_ok(&form.csrf) {
        return csrf_refused(&visit, "/validation/application/code");
    }
    let Some(session) = current_session(&portal, &visit).await else {
        return to_login();
    };
    match blocking(portal, move |p| p.confirm_totp(&session, &form.code)).await {
        Ok(()) => Redirect::to("/validation/courriel?premiere=1").into_response(),
        Err(refusal) => {
            let title = visit.lang.say(text::AUTHENTICATOR_APP);
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

async fn email_page(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Query(q): Query<EmailQuery>,
) -> Response {
    let visit = visit(&headers, &LangQuery { lang: q.lang });
    if current_session(&portal, &visit).await.is_none() {
        return to_login();
    }
    let title = visit.lang.say(text::ADDING_AN_EMAIL);
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
    #[serde(default)]
    csrf: String,
}

async fn email_submit(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Form(form): Form<EmailForm>,
) -> Response {
    let visit = visit(&headers, &LangQuery::default());
    if !visit.csrf_ok(&form.csrf) {
        return csrf_refused(&visit, "/validation/courriel");
    }
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
            let title = visit.lang.say(text::ADDING_AN_EMAIL);
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

async fn email_code_page(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let visit = visit(&headers, &q);
    if current_session(&portal, &visit).await.is_none() {
        return to_login();
    }
    let title = visit.lang.say(text::ADDING_AN_EMAIL);
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
    if !visit.csrf_ok(&form.csrf) {
        return csrf_refused(&visit, "/validation/courriel/code");
    }
    let Some(session) = current_session(&portal, &visit).await else {
        return to_login();
    };
    match blocking(portal, move |p| p.confirm_email(&session, &form.code)).await {
        Ok(()) => Redirect::to("/validation/terminee").into_response(),
        Err(refusal) => {
            let title = visit.lang.say(text::ADDING_AN_EMAIL);
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
        on = l.say(text::TWO_STEP_VALIDATION_ENABLED),
        next = l.say(text::FROM_YOUR_NEXT_LOGIN),
        manage = l.say(text::MANAGE_THESE_METHODS_FROM),
        go = l.say(text::CONTINUE),
    );
    page(
        &visit,
        "/validation/terminee",
        l.say(text::ACTIVATION_COMPLETE),
        &body,
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
    let title = visit.lang.say(text::IDENTITY_VALIDATION);
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
    if !visit.csrf_ok(&form.csrf) {
        return csrf_refused(&visit, "/verification");
    }
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
            let title = visit.lang.say(text::IDENTITY_VALIDATION);
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

async fn verify_send_email(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    let visit = visit(&headers, &LangQuery::default());
    if !visit.csrf_ok(&form.csrf) {
        return csrf_refused(&visit, "/verification");
    }
    let Some(session) = current_session(&portal, &visit).await else {
        return to_login();
    };
    let title = visit.lang.say(text::IDENTITY_VALIDATION);
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
    let user = session.user_id.clone();
    let name = blocking(portal, move |p| p.status(&session))
        .await
        .map(|s| s.name)
        .unwrap_or_default();
    let l = visit.lang;
    let body = format!(
        "<p id=\"bienvenue\">{hello} <strong id=\"nom\">{name}</strong> ({user}).</p><p><a href=\"/deconnexion\" id=\"deconnexion\">{out}</a></p>",
        hello = l.say(text::WELCOME_TO_OMNIVOX),
        name = esc(&name),
        user = esc(&user),
        out = l.say(text::LOG_OUT),
    );
    page(&visit, "/accueil", l.say(text::HOME), &body)
}

async fn clara_page(headers: HeaderMap, Query(q): Query<LangQuery>) -> Response {
    let visit = visit(&headers, &q);
    page(&visit, "/clara", "Clara", &clara_body(&visit, ""))
}

#[derive(Debug, Deserialize)]
struct ClaraForm {
    id: String,
    code: String,
    #[serde(default)]
    csrf: String,
}

/// A form with nothing but its CSRF token.
#[derive(Debug, Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn clara_submit(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Form(form): Form<ClaraForm>,
) -> Response {
    let visit = visit(&headers, &LangQuery::default());
    if !visit.csrf_ok(&form.csrf) {
        return csrf_refused(&visit, "/clara");
    }
    match blocking(portal, move |p| p.clara_verify(&form.id, &form.code)).await {
        Ok(()) => {
            let ok = format!(
                "<p class=\"note\" id=\"clara-ok\">{}</p>",
                visit.lang.say(text::IDENTITY_CONFIRMED_WELCOME_TO)
            );
            page(&visit, "/clara", "Clara", &ok)
        }
        Err(refusal) => {
            let body = clara_body(&visit, &error_box(&visit, &refusal));
            page_with_status(&visit, status_of(&refusal), "/clara", "Clara", &body)
        }
    }
}
