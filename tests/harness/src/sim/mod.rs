//! `omnivox-sim`: the portal's side of two-step validation, on one machine.
//!
//! It plays what a student or a staff member meets on Omnivox (the school's procedure is in
//! `shared/seed/`): log in, "Validation en 2 étapes", an authenticator app enrolled by QR code,
//! the main email address confirmed by a security code, then a code from either method at each
//! login. **Clara**, a second relying party, accepts the same 6-digit code for staff.
//!
//! Pages (French, with an English switch) and a JSON API (`docs/omnivox-sim.openapi.yaml`) share
//! one [`portal`] of rules; state lives in SQLite under the data folder, so a restart loses
//! nothing. Time comes from a [`SimClock`], which tests and the demo move by hand.
//!
//! ```no_run
//! # async fn run() -> Result<(), jeton_harness::sim::SimError> {
//! use jeton_harness::sim::{Config, Simulator};
//!
//! let config = Config::new("/tmp/omnivox-data").allow_user_creation(true);
//! let sim = Simulator::start(config, "127.0.0.1:0".parse().unwrap()).await?;
//! println!("Omnivox at {}", sim.url());
//! sim.stop().await;
//! # Ok(()) }
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub mod api;
pub mod mail;
pub mod pages;
pub mod policy;
pub mod portal;
pub mod sealing;
pub mod store;
pub mod verifier;

pub use mail::Mailer;
pub use portal::Portal;
pub use verifier::{HashAlgorithm, TotpParams};

/// The simulator's sense of time, in Unix seconds. Tests and the demo use a [`ManualClock`] so
/// that lockouts expire and codes change without waiting.
pub trait SimClock: Send + Sync + 'static {
    /// The current Unix time in seconds.
    fn now(&self) -> u64;
}

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl SimClock for SystemClock {
    fn now(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}

/// A clock that moves only when told to.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicU64);

impl ManualClock {
    /// A clock showing `unix` seconds.
    pub fn at(unix: u64) -> Arc<Self> {
        Arc::new(Self(AtomicU64::new(unix)))
    }

    /// A clock starting at the machine's current time.
    pub fn starting_now() -> Arc<Self> {
        Self::at(SystemClock.now())
    }

    /// Moves the clock forward by `seconds`.
    pub fn advance(&self, seconds: u64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }

    /// Sets the clock to `unix` seconds.
    pub fn set(&self, unix: u64) {
        self.0.store(unix, Ordering::SeqCst);
    }
}

impl SimClock for ManualClock {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// How the simulator is set up.
#[derive(Clone)]
pub struct Config {
    /// Folder holding the SQLite database and, by default, the outbox.
    pub data_dir: PathBuf,
    /// Where security codes by email go.
    pub mailer: Mailer,
    /// Whether `POST /api/users` may create accounts (tests and the demo).
    pub allow_user_creation: bool,
    /// Parameters of new authenticator enrolments (SHA-1, 6 digits, 30 s by default).
    pub otp: TotpParams,
    /// The college's email domain: staff must use it, students must not.
    pub college_domain: String,
    /// The issuer written in the QR code.
    pub issuer: String,
    /// The source of time.
    pub clock: Arc<dyn SimClock>,
}

impl Config {
    /// Defaults: data in `data_dir`, mail to `data_dir/outbox`, no account creation, SHA-1, 6
    /// digits, 30 s, the machine's clock.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        let data_dir = data_dir.into();
        Self {
            mailer: Mailer::Outbox(data_dir.join("outbox")),
            data_dir,
            allow_user_creation: false,
            otp: TotpParams::default(),
            college_domain: "cegepmontpetit.ca".to_owned(),
            issuer: "Omnivox".to_owned(),
            clock: Arc::new(SystemClock),
        }
    }

    /// Enables or disables `POST /api/users`.
    pub fn allow_user_creation(mut self, allow: bool) -> Self {
        self.allow_user_creation = allow;
        self
    }

    /// Uses another clock.
    pub fn clock(mut self, clock: Arc<dyn SimClock>) -> Self {
        self.clock = clock;
        self
    }

    /// Sends mail another way.
    pub fn mailer(mut self, mailer: Mailer) -> Self {
        self.mailer = mailer;
        self
    }

    /// Sets the algorithm, digits and period of new enrolments.
    pub fn otp(mut self, algorithm: HashAlgorithm, digits: u8, period: u32) -> Self {
        self.otp = TotpParams {
            algorithm,
            digits,
            period,
        };
        self
    }
}

/// Why the simulator could not start or could not serve a request.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The database could not be opened or used.
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// A file or socket operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The configuration cannot work.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Email could not be sent.
    #[error("could not send the email: {0}")]
    Mail(String),
    /// The operating system's random source failed.
    #[error("no randomness available: {0}")]
    Random(String),
}

impl SimError {
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }
}

/// A running simulator: its address, and a way to stop it.
pub struct Simulator {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
    portal: Arc<Portal>,
}

impl Simulator {
    /// Opens the data folder and serves on `listen` (port 0 picks a free port).
    pub async fn start(config: Config, listen: SocketAddr) -> Result<Self, SimError> {
        let portal = Arc::new(Portal::open(config)?);
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| SimError::io(format!("cannot listen on {listen}"), e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| SimError::io("cannot read the listening address", e))?;
        let app = router(Arc::clone(&portal));
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(error) = served {
                eprintln!("omnivox-sim: server stopped: {error}");
            }
        });
        Ok(Self {
            addr,
            shutdown: Some(tx),
            task,
            portal,
        })
    }

    /// The socket address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The rules and state behind the server, for checks after the fact.
    pub fn portal(&self) -> &Portal {
        &self.portal
    }

    /// Stops accepting requests, lets the open ones finish, and closes.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }

    /// Waits until the server stops by itself (never, unless it fails).
    pub async fn wait(self) {
        let _ = self.task.await;
    }
}

/// The largest request body accepted, in bytes: a form or a JSON request is a few hundred;
/// anything larger is refused with 413 before it is read further.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The whole HTTP surface: pages, the JSON API and Clara, with a `Date` header from the
/// simulator's clock on every response and bodies bounded by [`MAX_BODY_BYTES`].
pub fn router(portal: Arc<Portal>) -> axum::Router {
    let clock = Arc::clone(&portal.config().clock);
    pages::routes()
        .merge(api::routes())
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(portal)
        .layer(axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                let clock = Arc::clone(&clock);
                async move {
                    let mut response = next.run(request).await;
                    let now = UNIX_EPOCH + std::time::Duration::from_secs(clock.now());
                    if let Ok(value) =
                        axum::http::HeaderValue::from_str(&httpdate::fmt_http_date(now))
                    {
                        response
                            .headers_mut()
                            .insert(axum::http::header::DATE, value);
                    }
                    response
                }
            },
        ))
}
