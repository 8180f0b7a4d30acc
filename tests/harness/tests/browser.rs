//! The real-browser test: headless Chromium, driven over WebDriver (chromedriver), walks the
//! whole enrolment on the simulator's pages as the school's procedure describes it. The QR code
//! is read from a screenshot of the page by Jeton's scanner (`jeton_core::scan`), and the code
//! typed is computed by the core from what was read.
//!
//! Needs Debian's `chromium` and `chromium-driver` (scripts/setup.d/browser.sh); run by
//! scripts/test.d/browser.sh: `cargo test -p jeton-harness --test browser -- --ignored`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use support::Sim;

/// chromedriver on a free loopback port; killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver not found: run scripts/setup.d/browser.sh");
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Self { child, url }
    }

    async fn browser(&self, profile: &std::path::Path) -> Client {
        let caps = json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--window-size=1000,1000",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!()
        };
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&self.url)
            .await
            .unwrap()
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn fill(client: &Client, css: &str, text: &str) {
    let field = client.find(Locator::Css(css)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn heading(client: &Client) -> String {
    client
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn path(client: &Client) -> String {
    client.current_url().await.unwrap().path().to_owned()
}

/// Clicks and waits until the browser has loaded `to` (a click on a submit button returns
/// before the next page is there).
async fn click_to(client: &Client, css: &str, to: &str) {
    let before = client.find(Locator::Css("html")).await.unwrap();
    click(client, css).await;
    for _ in 0..200 {
        let stale = before.tag_name().await.is_err();
        if stale && path(client).await == to {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!(
        "clicking {css} did not lead to {to}, but to {}",
        path(client).await
    );
}

/// Reads the QR code in a screenshot of the whole page with Jeton's scanner.
fn scan_screenshot(png: &[u8]) -> String {
    let found = jeton_core::scan::scan_image(png).unwrap();
    assert_eq!(found.len(), 1, "one QR code on the page");
    found[0].payload.clone()
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver; run by scripts/test.d/browser.sh"]
async fn a_student_enrols_in_a_real_browser_from_a_screenshot_of_the_qr() {
    let sim = Sim::start().await;
    sim.create("2498765", "student").await;
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let client = driver.browser(profile.path()).await;

    client
        .goto(&format!("{}/connexion?lang=fr", sim.url))
        .await
        .unwrap();
    assert_eq!(heading(&client).await, "Connexion à Omnivox");
    fill(&client, "#identifiant", "2498765").await;
    fill(&client, "#motdepasse", "correct horse battery").await;
    click_to(&client, "#connexion", "/validation").await;
    assert_eq!(heading(&client).await, "Validation en 2 étapes");
    click_to(&client, "#commencer", "/validation/methodes").await;
    assert_eq!(heading(&client).await, "Méthodes disponibles");
    click_to(&client, "#methode-application", "/validation/application").await;

    // The phone's part: a picture of the screen, a scanner, a code.
    let screenshot = client.screenshot().await.unwrap();
    let uri = scan_screenshot(&screenshot);
    let account = jeton_core::uri::parse(&uri).unwrap();
    assert_eq!(account.issuer.as_deref(), Some("Omnivox"));
    assert_eq!(account.name, "2498765");
    let shown = client
        .find(Locator::Css("#secret"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        shown,
        support::secret_param(&uri),
        "the secret shown as text is the QR's"
    );
    let oracle = support::Oracle::from_base32(&shown);

    click_to(&client, "#suivant", "/validation/application/code").await;
    let now = sim.clock_now();
    let code = account.code_at(now).unwrap().digits.as_str().to_owned();
    assert_eq!(code, oracle.code(now), "Jeton and totp-rs agree");
    fill(&client, "#code", &code).await;
    click_to(&client, "#valider", "/validation/courriel").await;
    assert!(client.find(Locator::Css("#premiere-methode")).await.is_ok());

    fill(&client, "#courriel", "etudiant.2498765@gmail.com").await;
    click_to(&client, "#suivant", "/validation/courriel/code").await;
    let emailed = sim.last_email_code("etudiant.2498765@gmail.com");
    fill(&client, "#code", &emailed).await;
    click_to(&client, "#valider", "/validation/terminee").await;
    assert_eq!(heading(&client).await, "Activation terminée");
    click_to(&client, "#continuer", "/accueil").await;
    assert_eq!(heading(&client).await, "Accueil");

    // The English switch.
    click_to(&client, "#lang", "/accueil").await;
    assert_eq!(heading(&client).await, "Home");

    // Next login: the same code is a replay, the next one works.
    click_to(&client, "#deconnexion", "/connexion").await;
    fill(&client, "#identifiant", "2498765").await;
    fill(&client, "#motdepasse", "correct horse battery").await;
    click_to(&client, "#connexion", "/verification").await;
    fill(&client, "#code", &code).await;
    click_to(&client, "#valider", "/verification").await;
    let error = client
        .find(Locator::Css("#erreur"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(error.contains("already used"), "{error}");
    sim.clock.advance(30);
    fill(
        &client,
        "#code",
        account.code_at(now + 30).unwrap().digits.as_str(),
    )
    .await;
    click_to(&client, "#valider", "/accueil").await;
    assert_eq!(heading(&client).await, "Home");

    client.close().await.unwrap();
}
