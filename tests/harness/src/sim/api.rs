//! The JSON API beside the pages, for scripts, tests and the demo. Described in
//! `docs/omnivox-sim.openapi.yaml` (also served at `/api/openapi.yaml`).
//!
//! Sessions are named by `Authorization: Bearer <token>` (the token `POST /api/login` returns).
//! Refusals are JSON `{"error": "...", "message": "...", "message_fr": "..."}` with a status
//! that tells them apart: 401 wrong, replayed or expired code; 429 with `Retry-After` and
//! `retry_after_seconds` when throttled or locked; 400 `bad_request` for a body that is not
//! the JSON an operation takes, 409 `conflict` for a well-formed request the account's state
//! does not allow (a method not set up), 413 `too_large` past [`super::MAX_BODY_BYTES`].

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection};
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use data_encoding::BASE64;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::SimError;
use super::portal::{Method, NextStep, Portal, Refusal, Status, Words};
use super::store::{Role, Session};

/// The OpenAPI description of this API.
pub const OPENAPI_YAML: &str = include_str!("../../../../docs/omnivox-sim.openapi.yaml");

/// The API's routes.
pub fn routes() -> Router<Arc<Portal>> {
    Router::new()
        .route("/api/openapi.yaml", get(openapi))
        .route("/api/users", post(create_user))
        .route("/api/login", post(login))
        .route("/api/me", get(me))
        .route("/api/2fa/totp/start", post(totp_start))
        .route("/api/2fa/totp/confirm", post(totp_confirm))
        .route("/api/2fa/email/start", post(email_start))
        .route("/api/2fa/email/confirm", post(email_confirm))
        .route("/api/2fa/verify", post(verify))
        .route("/clara/api/verify", post(clara_verify))
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status = match &self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::NotLoggedIn
            | Self::BadCredentials
            | Self::WrongCode
            | Self::ReplayedCode
            | Self::ExpiredCode => StatusCode::UNAUTHORIZED,
            Self::NoCodeRequested | Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Internal(error) => {
                eprintln!("omnivox-sim: {error}");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let retry_after = match &self {
            Self::Throttled { retry_after, .. } => Some(*retry_after),
            _ => None,
        };
        let body = ErrorBody {
            error: self.code(),
            message: self.message_en(),
            message_fr: self.message_fr(),
            retry_after_seconds: retry_after,
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

/// A refusal as JSON.
#[derive(Debug, Serialize)]
struct ErrorBody {
    error: &'static str,
    message: String,
    message_fr: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after_seconds: Option<u64>,
}

/// A JSON body whose rejections are refusals like any other: 400 `bad_request` with the
/// reason, or 413 `too_large`, in the API's JSON shape (axum's own are plain text).
struct ApiJson<T>(T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Refusal;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_refusal(&rejection)),
        }
    }
}

fn json_refusal(rejection: &JsonRejection) -> Refusal {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return Refusal::TooLarge;
    }
    bad_json(&rejection.body_text())
}

fn bad_json(reason: &str) -> Refusal {
    Refusal::BadRequest(Words {
        fr: format!("Le corps de la requête n'est pas le JSON attendu : {reason}"),
        en: format!("The request body is not the JSON expected: {reason}"),
    })
}

/// Runs a portal call off the async workers (SQLite and Argon2 block).
pub(crate) async fn blocking<T: Send + 'static>(
    portal: Arc<Portal>,
    call: impl FnOnce(&Portal) -> Result<T, Refusal> + Send + 'static,
) -> Result<T, Refusal> {
    tokio::task::spawn_blocking(move || call(&portal))
        .await
        .map_err(|e| Refusal::Internal(SimError::Config(format!("request task failed: {e}"))))?
}

fn bearer(headers: &HeaderMap) -> Result<String, Refusal> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned())
        .ok_or(Refusal::NotLoggedIn)
}

fn user_agent(headers: &HeaderMap) -> String {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Runs `call` with the session named by the request's bearer token.
async fn with_session<T: Send + 'static>(
    portal: Arc<Portal>,
    headers: &HeaderMap,
    call: impl FnOnce(&Portal, &Session) -> Result<T, Refusal> + Send + 'static,
) -> Result<T, Refusal> {
    let token = bearer(headers)?;
    blocking(portal, move |p| {
        let session = p.session(&token)?;
        call(p, &session)
    })
    .await
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/yaml")], OPENAPI_YAML)
}

/// `POST /api/users`.
#[derive(Debug, Deserialize)]
struct NewUser {
    id: String,
    role: Role,
    password: String,
    #[serde(default)]
    name: String,
}

#[derive(Debug, Serialize)]
struct CreatedUser {
    id: String,
    role: Role,
    name: String,
}

async fn create_user(
    State(portal): State<Arc<Portal>>,
    ApiJson(new): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<CreatedUser>), Refusal> {
    let user = blocking(portal, move |p| {
        p.create_user(&new.id, new.role, &new.name, &new.password)
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUser {
            id: user.id,
            role: user.role,
            name: user.name,
        }),
    ))
}

#[derive(Debug, Deserialize)]
struct LoginRequest {
    id: String,
    password: String,
}

#[derive(Debug, Serialize)]
struct LoginResponse {
    token: String,
    next: NextStep,
    methods: Vec<Method>,
}

async fn login(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, Refusal> {
    let agent = user_agent(&headers);
    let (session, next, status) = blocking(portal, move |p| {
        let (session, next) = p.login(&request.id, &request.password, &agent)?;
        let status = p.status(&session)?;
        Ok((session, next, status))
    })
    .await?;
    Ok(Json(LoginResponse {
        token: session.token,
        next,
        methods: methods(&status),
    }))
}

fn methods(status: &Status) -> Vec<Method> {
    let mut methods = Vec::new();
    if status.totp {
        methods.push(Method::Totp);
    }
    if status.email {
        methods.push(Method::Email);
    }
    methods
}

async fn me(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
) -> Result<Json<Status>, Refusal> {
    Ok(Json(
        with_session(portal, &headers, |p, s| p.status(s)).await?,
    ))
}

#[derive(Debug, Serialize)]
struct TotpStart {
    otpauth_uri: String,
    secret: String,
    qr_png_base64: String,
    algorithm: &'static str,
    digits: u8,
    period: u32,
}

async fn totp_start(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
) -> Result<Json<TotpStart>, Refusal> {
    let enrolment = with_session(portal, &headers, |p, s| p.start_totp(s)).await?;
    Ok(Json(TotpStart {
        qr_png_base64: BASE64.encode(&enrolment.qr_png),
        otpauth_uri: enrolment.uri,
        secret: enrolment.secret_base32,
        algorithm: enrolment.params.algorithm.as_str(),
        digits: enrolment.params.digits,
        period: enrolment.params.period,
    }))
}

#[derive(Debug, Deserialize)]
struct CodeRequest {
    code: String,
}

#[derive(Debug, Serialize)]
struct Done {
    status: &'static str,
    authenticated: bool,
}

const DONE: Done = Done {
    status: "ok",
    authenticated: true,
};

async fn totp_confirm(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<CodeRequest>,
) -> Result<Json<Done>, Refusal> {
    with_session(portal, &headers, move |p, s| {
        p.confirm_totp(s, &request.code)
    })
    .await?;
    Ok(Json(DONE))
}

#[derive(Debug, Default, Deserialize)]
struct EmailStart {
    #[serde(default)]
    address: Option<String>,
}

#[derive(Debug, Serialize)]
struct EmailSent {
    sent_to: String,
    expires_in_seconds: u64,
}

async fn email_start(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<EmailSent>, Refusal> {
    // The body is optional: empty means a login code to the confirmed address.
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Refusal::TooLarge
        } else {
            bad_json(&rejection.body_text())
        }
    })?;
    let address = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<EmailStart>(&body)
            .map_err(|e| bad_json(&e.to_string()))?
            .address
    };
    let (sent_to, expires) = with_session(portal, &headers, move |p, s| {
        p.start_email(s, address.as_deref())
    })
    .await?;
    Ok(Json(EmailSent {
        sent_to,
        expires_in_seconds: expires,
    }))
}

async fn email_confirm(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<CodeRequest>,
) -> Result<Json<Done>, Refusal> {
    with_session(portal, &headers, move |p, s| {
        p.confirm_email(s, &request.code)
    })
    .await?;
    Ok(Json(DONE))
}

#[derive(Debug, Deserialize)]
struct VerifyRequest {
    method: Method,
    code: String,
}

async fn verify(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<VerifyRequest>,
) -> Result<Json<Done>, Refusal> {
    with_session(portal, &headers, move |p, s| {
        p.verify(s, request.method, &request.code)
    })
    .await?;
    Ok(Json(DONE))
}

#[derive(Debug, Deserialize)]
struct ClaraRequest {
    id: String,
    code: String,
}

#[derive(Debug, Serialize)]
struct ClaraDone {
    status: &'static str,
}

async fn clara_verify(
    State(portal): State<Arc<Portal>>,
    ApiJson(request): ApiJson<ClaraRequest>,
) -> Result<Json<ClaraDone>, Refusal> {
    blocking(portal, move |p| p.clara_verify(&request.id, &request.code)).await?;
    Ok(Json(ClaraDone { status: "ok" }))
}
