//! A WebDAV server (Nextcloud, ownCloud, Apache `mod_dav`, most personal clouds) as a
//! [`BlobStore`], through the `ureq` HTTP client (rustls with the Mozilla roots for `https`).
//!
//! - `create` makes the missing folders (`MKCOL`), then `PUT`s with `If-None-Match: *`, so
//!   a file that exists is never replaced (`412 Precondition Failed` means it was there).
//!   Servers write a `PUT` to a temporary file and rename it, so a reader never sees half a file.
//!   Two writers racing on the same new name can both pass that check: Apache `mod_dav` tests
//!   it before the upload, not atomically with it (both got `201` in `core/tests/webdav.rs`'s
//!   trial). Sync never races there: each device writes only under its own folder, and one
//!   device's syncs are serialized by the caller (the FFI's vault lock, the CLI's lock file).
//! - `list` walks folders with `PROPFIND Depth: 1` (many servers refuse `Depth: infinity`),
//!   skipping names Jeton never writes (what other programs leave in the folder).
//! - A password is only sent over `https`, or over `http` to the loopback address.

use std::io::Read;
use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use ureq::http::{self, Method, StatusCode};
use url::Url;
use zeroize::Zeroizing;

use super::store::{BlobStore, Created, StoreError, check_name};

/// The most a `PROPFIND` answer may weigh (a folder of many thousand files is well under it).
const MAX_LISTING: u64 = 16 * 1024 * 1024;
/// How deep `list` follows folders.
const MAX_DEPTH: usize = 8;
/// Connect and whole-request timeouts.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The `PROPFIND` body asking only whether each name is a folder.
const RESOURCETYPE: &[u8] = br#"<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/></D:prop></D:propfind>"#;

/// Characters escaped in a path segment (names are `[a-z0-9._-]` already; this is belt and braces).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'.').remove(b'_').remove(b'-');

/// A folder on a WebDAV server.
pub struct WebDavStore {
    agent: ureq::Agent,
    /// The folder's URL, ending with `/`, without credentials.
    base: Url,
    authorization: Option<Zeroizing<String>>,
}

impl std::fmt::Debug for WebDavStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebDavStore")
            .field("base", &self.base.as_str())
            .field(
                "authorization",
                &self.authorization.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

/// Why a WebDAV address cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebDavError {
    /// Not a URL, or not `http`/`https`.
    #[error(
        "{0:?} is not a WebDAV address; give one like https://cloud.example.org/remote.php/dav/files/me/jeton/"
    )]
    BadUrl(String),
    /// A password would travel in the clear.
    #[error(
        "refusing to send a password over plain http to {0}; use an https:// address (plain http is only allowed to this computer)"
    )]
    PasswordOverHttp(String),
}

impl WebDavStore {
    /// A store in the folder at `url` (`http://` or `https://`; a user name in the URL is
    /// used with `password`). The folder itself must exist or be creatable.
    pub fn new(url: &str, password: Option<&str>) -> Result<Self, WebDavError> {
        let mut base = Url::parse(url).map_err(|_| WebDavError::BadUrl(url.to_owned()))?;
        if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
            return Err(WebDavError::BadUrl(url.to_owned()));
        }
        let user = percent_decode_str(base.username())
            .decode_utf8_lossy()
            .into_owned();
        let url_password = base.password().map(|p| Zeroizing::new(p.to_owned()));
        let password = password
            .map(|p| Zeroizing::new(p.to_owned()))
            .or(url_password);
        let _ = base.set_username("");
        let _ = base.set_password(None);
        base.set_query(None);
        base.set_fragment(None);
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let authorization = match (user.is_empty(), password) {
            (true, None) => None,
            (_, password) => {
                let loopback = match base.host() {
                    Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                    Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                    Some(url::Host::Domain(d)) => d == "localhost",
                    None => false,
                };
                if base.scheme() == "http" && !loopback {
                    return Err(WebDavError::PasswordOverHttp(
                        base.host_str().unwrap_or_default().to_owned(),
                    ));
                }
                let pair = Zeroizing::new(format!(
                    "{user}:{}",
                    password.as_ref().map(|p| p.as_str()).unwrap_or_default()
                ));
                let encoded = Zeroizing::new(data_encoding::BASE64.encode(pair.as_bytes()));
                Some(Zeroizing::new(format!("Basic {}", encoded.as_str())))
            }
        };
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .allow_non_standard_methods(true)
            .max_redirects(0)
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(REQUEST_TIMEOUT))
            .user_agent(concat!("jeton/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Ok(Self {
            agent,
            base,
            authorization,
        })
    }

    /// The folder's address, without credentials.
    pub fn url(&self) -> &str {
        self.base.as_str()
    }

    fn url_of(&self, name: &str, folder: bool) -> String {
        let mut path: String = name
            .split('/')
            .map(|segment| utf8_percent_encode(segment, SEGMENT).to_string())
            .collect::<Vec<_>>()
            .join("/");
        if folder {
            path.push('/');
        }
        format!("{}{path}", self.base)
    }

    fn send(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<http::Response<ureq::Body>, StoreError> {
        let mut request = http::Request::builder().method(method).uri(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(authorization) = &self.authorization {
            request = request.header("Authorization", authorization.as_str());
        }
        let request = request
            .body(body)
            .map_err(|e| StoreError::Other(e.to_string()))?;
        let response = self.agent.run(request).map_err(transport_error)?;
        match response.status() {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(StoreError::Denied(format!(
                "the server answered {}",
                response.status()
            ))),
            StatusCode::INSUFFICIENT_STORAGE => Err(StoreError::Full),
            status if status.is_server_error() => Err(StoreError::Unreachable(format!(
                "the server answered {status}"
            ))),
            _ => Ok(response),
        }
    }

    /// Makes `folder` (a name without the trailing `/`, or "" for the base) and its parents.
    fn make_folders(&self, folder: &str) -> Result<(), StoreError> {
        let mut path = String::new();
        let segments: Vec<&str> = folder.split('/').filter(|s| !s.is_empty()).collect();
        // The base folder itself first, so a fresh store works.
        let mut targets = vec![self.base.as_str().to_owned()];
        for segment in segments {
            if !path.is_empty() {
                path.push('/');
            }
            path.push_str(segment);
            targets.push(self.url_of(&path, true));
        }
        for url in targets {
            let response =
                match self.send(Method::from_bytes(b"MKCOL").map_err(other)?, &url, &[], &[]) {
                    Ok(response) => response,
                    // Apache `mod_dav` answers `403` when another writer made the folder between its
                    // check and its `mkdir`: refused, or made meanwhile, the folder tells.
                    Err(denied @ StoreError::Denied(_)) => {
                        if self.is_folder(&url)? {
                            continue;
                        }
                        return Err(denied);
                    }
                    Err(error) => return Err(error),
                };
            match response.status().as_u16() {
                // Made, or already there (405 Method Not Allowed is what RFC 4918 says for that).
                200..=299 | 405 => {}
                409 => {
                    return Err(StoreError::Other(format!(
                        "cannot make the folder {url}: its parent is missing"
                    )));
                }
                status => {
                    return Err(StoreError::Other(format!(
                        "cannot make the folder {url}: the server answered {status}"
                    )));
                }
            }
        }
        Ok(())
    }

    /// Whether `url` names a folder on the server (`PROPFIND Depth: 0`).
    fn is_folder(&self, url: &str) -> Result<bool, StoreError> {
        let response = self.send(
            Method::from_bytes(b"PROPFIND").map_err(other)?,
            url,
            &[
                ("Depth", "0"),
                ("Content-Type", "application/xml; charset=utf-8"),
            ],
            RESOURCETYPE,
        )?;
        if response.status().as_u16() != 207 {
            return Ok(false);
        }
        let bytes = read_body(response, MAX_LISTING)?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| StoreError::Other(format!("the answer about {url} is not UTF-8")))?;
        Ok(parse_multistatus(text)?
            .iter()
            .any(|(_, is_folder)| *is_folder))
    }

    fn list_into(
        &self,
        folder: &str,
        depth: usize,
        out: &mut Vec<String>,
    ) -> Result<(), StoreError> {
        if depth > MAX_DEPTH {
            return Err(StoreError::Other(format!(
                "folders nested deeper than {MAX_DEPTH} under {folder}"
            )));
        }
        let url = self.url_of(folder, true);
        let response = self.send(
            Method::from_bytes(b"PROPFIND").map_err(other)?,
            &url,
            &[
                ("Depth", "1"),
                ("Content-Type", "application/xml; charset=utf-8"),
            ],
            RESOURCETYPE,
        )?;
        match response.status().as_u16() {
            207 => {}
            404 => return Ok(()),
            status => {
                return Err(StoreError::Other(format!(
                    "cannot list {url}: the server answered {status}"
                )));
            }
        }
        let bytes = read_body(response, MAX_LISTING)?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| StoreError::Other(format!("the listing of {url} is not UTF-8")))?;
        let entries = parse_multistatus(text)?;
        // A listing always names the folder itself. One that does not names other paths: a
        // proxy in front of the server that does not tell it its public path, or an address
        // spelled otherwise than the server spells it. Nothing would ever be listed.
        if !entries
            .iter()
            .any(|(href, _)| self.relative_of(href).as_deref() == Some(folder))
        {
            let named = entries.first().map_or("nothing", |(href, _)| href.as_str());
            return Err(StoreError::Other(format!(
                "the server's listing of {url} names {named}, not that folder: use the address \
                 the server gives its files, or have the proxy in front of it tell it its path"
            )));
        }
        for (href, is_folder) in entries {
            let Some(name) = self.name_of(&href, folder) else {
                continue;
            };
            // What other programs leave in the folder (a Mac's `.DS_Store`, a cloud client's
            // conflict copy, a note) is not part of the store, as in the local folder store.
            if check_name(&name).is_err() {
                continue;
            }
            if is_folder {
                self.list_into(&name, depth + 1, out)?;
            } else {
                out.push(name);
            }
        }
        Ok(())
    }

    /// The store name an `href` of a listing of `folder` stands for; `None` for the folder
    /// itself and for what is not directly inside it.
    fn name_of(&self, href: &str, folder: &str) -> Option<String> {
        let relative = self.relative_of(href)?;
        let inside = relative.strip_prefix(folder)?.strip_prefix('/')?;
        (!inside.is_empty() && !inside.contains('/')).then(|| relative.clone())
    }

    /// The path an `href` names under the store's folder, without a trailing `/` ("" for the
    /// folder itself); `None` outside it.
    fn relative_of(&self, href: &str) -> Option<String> {
        let path = match Url::parse(href) {
            Ok(absolute) => absolute.path().to_owned(),
            Err(_) => href.to_owned(),
        };
        let path = percent_decode_str(&path).decode_utf8().ok()?.into_owned();
        let base = percent_decode_str(self.base.path())
            .decode_utf8()
            .ok()?
            .into_owned();
        Some(path.strip_prefix(&base)?.trim_end_matches('/').to_owned())
    }
}

impl BlobStore for WebDavStore {
    fn create(&self, name: &str, bytes: &[u8]) -> Result<Created, StoreError> {
        check_name(name)?;
        let put = || {
            self.send(
                Method::PUT,
                &self.url_of(name, false),
                &[
                    ("If-None-Match", "*"),
                    ("Content-Type", "application/octet-stream"),
                ],
                bytes,
            )
        };
        let mut response = put()?;
        if response.status() == StatusCode::CONFLICT || response.status() == StatusCode::NOT_FOUND {
            // The folder is missing: make it, then try once more.
            let folder = name
                .rsplit_once('/')
                .map(|(folder, _)| folder)
                .unwrap_or("");
            self.make_folders(folder)?;
            response = put()?;
        }
        match response.status().as_u16() {
            200..=299 => Ok(Created::New),
            412 => Ok(Created::AlreadyExists),
            status => Err(StoreError::Other(format!(
                "cannot write {name}: the server answered {status}"
            ))),
        }
    }

    fn read(&self, name: &str, limit: u64) -> Result<Option<Vec<u8>>, StoreError> {
        check_name(name)?;
        let response = self.send(Method::GET, &self.url_of(name, false), &[], &[])?;
        match response.status().as_u16() {
            200 => read_body(response, limit).map(Some),
            404 | 410 => Ok(None),
            status => Err(StoreError::Other(format!(
                "cannot read {name}: the server answered {status}"
            ))),
        }
    }

    fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        check_name(prefix)?;
        let mut names = Vec::new();
        self.list_into(prefix, 0, &mut names)?;
        Ok(names)
    }

    fn delete(&self, name: &str) -> Result<(), StoreError> {
        check_name(name)?;
        let response = self.send(Method::DELETE, &self.url_of(name, false), &[], &[])?;
        match response.status().as_u16() {
            200..=299 | 404 | 410 => Ok(()),
            status => Err(StoreError::Other(format!(
                "cannot delete {name}: the server answered {status}"
            ))),
        }
    }
}

fn other(error: impl std::fmt::Display) -> StoreError {
    StoreError::Other(error.to_string())
}

fn transport_error(error: ureq::Error) -> StoreError {
    // Anything the transport reports (connection, timeout, name lookup, protocol) means the
    // server could not be used now; only a local full disk is told apart.
    match error {
        ureq::Error::Io(e) if e.raw_os_error() == Some(28) => StoreError::Full,
        other => StoreError::Unreachable(other.to_string()),
    }
}

/// Reads a body, refusing more than `limit` bytes.
fn read_body(response: http::Response<ureq::Body>, limit: u64) -> Result<Vec<u8>, StoreError> {
    let mut bytes = Vec::new();
    let read = response
        .into_body()
        .into_reader()
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| StoreError::Unreachable(format!("the connection broke while reading: {e}")))?;
    if read as u64 > limit {
        return Err(StoreError::TooLarge { limit });
    }
    Ok(bytes)
}

/// The `(href, is a folder)` of each response in a `207 Multi-Status` body (RFC 4918 §14.16).
fn parse_multistatus(text: &str) -> Result<Vec<(String, bool)>, StoreError> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: 1_000_000,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options)
        .map_err(|e| StoreError::Other(format!("the server's listing is not valid XML: {e}")))?;
    const DAV: &str = "DAV:";
    let mut out = Vec::new();
    for response in doc
        .descendants()
        .filter(|n| n.has_tag_name((DAV, "response")))
    {
        let Some(href) = response
            .children()
            .find(|n| n.has_tag_name((DAV, "href")))
            .and_then(|n| n.text())
        else {
            continue;
        };
        let is_folder = response
            .descendants()
            .any(|n| n.has_tag_name((DAV, "collection")));
        out.push((href.trim().to_owned(), is_folder));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_travel_over_plain_http_to_another_host() {
        assert!(matches!(
            WebDavStore::new("http://me@cloud.example.org/dav/", Some("pw")),
            Err(WebDavError::PasswordOverHttp(_))
        ));
        assert!(WebDavStore::new("http://me@127.0.0.1:8080/dav", Some("pw")).is_ok());
        assert!(WebDavStore::new("https://me@cloud.example.org/dav", Some("pw")).is_ok());
        assert!(WebDavStore::new("http://cloud.example.org/dav", None).is_ok());
        assert!(matches!(
            WebDavStore::new("ftp://x/", None),
            Err(WebDavError::BadUrl(_))
        ));
        assert!(matches!(
            WebDavStore::new("not a url", None),
            Err(WebDavError::BadUrl(_))
        ));
    }

    #[test]
    fn debug_hides_the_password_and_the_url_loses_its_credentials() {
        let store = WebDavStore::new("https://me:hunter2@cloud.example.org/dav?x=1", None).unwrap();
        let shown = format!("{store:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("aHVudGVy"), "{shown}"); // nor its base64
        assert_eq!(store.url(), "https://cloud.example.org/dav/");
    }

    #[test]
    fn listings_are_read_relative_to_the_folder() {
        // The shape Nextcloud answers with: absolute paths, percent-encoded.
        let body = r#"<?xml version="1.0"?>
<d:multistatus xmlns:d="DAV:">
 <d:response><d:href>/remote.php/dav/files/me%20too/jeton/v1/</d:href>
  <d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop></d:propstat></d:response>
 <d:response><d:href>/remote.php/dav/files/me%20too/jeton/v1/a.op</d:href>
  <d:propstat><d:prop><d:resourcetype/></d:prop></d:propstat></d:response>
 <d:response><d:href>https://cloud.example.org/remote.php/dav/files/me%20too/jeton/v1/dev/</d:href>
  <d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop></d:propstat></d:response>
</d:multistatus>"#;
        let store = WebDavStore::new(
            "https://cloud.example.org/remote.php/dav/files/me%20too/jeton",
            None,
        )
        .unwrap();
        let entries = parse_multistatus(body).unwrap();
        let names: Vec<_> = entries
            .iter()
            .map(|(href, folder)| (store.name_of(href, "v1"), *folder))
            .collect();
        assert_eq!(
            names,
            vec![
                (None, true),
                (Some("v1/a.op".to_owned()), false),
                (Some("v1/dev".to_owned()), true)
            ]
        );
    }

    #[test]
    fn hostile_listings_are_refused_not_followed() {
        assert!(parse_multistatus("<!DOCTYPE x [<!ENTITY a 'b'>]><x/>").is_err());
        assert!(parse_multistatus("not xml").is_err());
    }
}
