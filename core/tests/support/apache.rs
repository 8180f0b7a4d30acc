//! A real Apache httpd with `mod_dav`, started on a free loopback port for one test and stopped
//! when dropped. Debian's `apache2` package (`bash scripts/setup` installs it); a missing server
//! fails the test loudly: sync is tested against the real thing, never a mock of HTTP.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running server; its WebDAV folder is `url()`.
pub struct Apache {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

/// A user name and password the server accepts when started with [`Apache::with_password`].
pub const USER: &str = "etudiant";
/// The password for [`USER`].
pub const PASSWORD: &str = "correct horse battery";

impl Apache {
    /// A server with an open WebDAV folder.
    pub fn start() -> Self {
        Self::launch(false)
    }

    /// A server whose WebDAV folder asks for [`USER`] / [`PASSWORD`] (HTTP Basic).
    pub fn with_password() -> Self {
        Self::launch(true)
    }

    /// The WebDAV folder's address.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/dav/", self.port)
    }

    /// The same folder behind a reverse proxy (this server, `mod_proxy`) that serves it at
    /// `/cloud/dav/` without telling it so: its listings name `/dav/...` paths.
    pub fn url_behind_a_proxy(&self) -> String {
        format!("http://127.0.0.1:{}/cloud/dav/", self.port)
    }

    /// The folder on disk that the server serves.
    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn launch(password: bool) -> Self {
        let binary = std::env::var_os("APACHE2")
            .map(PathBuf::from)
            .unwrap_or_else(|| "/usr/sbin/apache2".into());
        assert!(
            binary.exists(),
            "{} is missing: the WebDAV tests need Debian's apache2 (run `bash scripts/setup`)",
            binary.display()
        );
        let modules = Path::new("/usr/lib/apache2/modules");
        let dir = tempfile::Builder::new()
            .prefix("jeton-dav-")
            .tempdir()
            .unwrap();
        let data = dir.path().join("data");
        let run = dir.path().join("run");
        std::fs::create_dir_all(&data).unwrap();
        std::fs::create_dir_all(&run).unwrap();
        let root = is_root();
        if root {
            // Debian's httpd refuses to serve as root: its workers run as www-data, which must
            // reach and write the folders.
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
            let status = Command::new("chown")
                .args(["-R", "www-data:www-data"])
                .arg(&data)
                .arg(&run)
                .status()
                .unwrap();
            assert!(status.success(), "chown www-data failed");
        }
        let auth = if password {
            let users = dir.path().join("users");
            std::fs::write(&users, format!("{USER}:{{SHA}}{}\n", sha1_base64(PASSWORD))).unwrap();
            format!(
                "  AuthType Basic\n  AuthName jeton\n  AuthBasicProvider file\n  AuthUserFile {}\n  Require valid-user\n",
                users.display()
            )
        } else {
            "  Require all granted\n".to_owned()
        };
        let user = if root {
            "User www-data\nGroup www-data\n"
        } else {
            ""
        };
        let m = modules.display();
        // Another test's server may take the free port between `free_port` and the bind: this
        // one then exits at once (and a connect would reach the other one), so it is started
        // again on a new port until its own pid file says it is serving.
        for _attempt in 0..5 {
            let _ = std::fs::remove_file(run.join("httpd.pid"));
            let port = free_port();
            let conf = format!(
                "ServerRoot {root_dir}\nPidFile {run}/httpd.pid\nListen 127.0.0.1:{port}\nServerName 127.0.0.1\n\
                 LoadModule mpm_event_module {m}/mod_mpm_event.so\n\
                 LoadModule authz_core_module {m}/mod_authz_core.so\n\
                 LoadModule authz_user_module {m}/mod_authz_user.so\n\
                 LoadModule authn_core_module {m}/mod_authn_core.so\n\
                 LoadModule authn_file_module {m}/mod_authn_file.so\n\
                 LoadModule auth_basic_module {m}/mod_auth_basic.so\n\
                 LoadModule alias_module {m}/mod_alias.so\n\
                 LoadModule dav_module {m}/mod_dav.so\n\
                 LoadModule dav_fs_module {m}/mod_dav_fs.so\n\
                 LoadModule proxy_module {m}/mod_proxy.so\n\
                 LoadModule proxy_http_module {m}/mod_proxy_http.so\n\
                 {user}ErrorLog {run}/error.log\nDavLockDB {run}/lock\nDocumentRoot {data}\n\
                 Alias /dav {data}\n<Directory {data}>\n  Dav On\n{auth}</Directory>\n\
                 ProxyPass /cloud/dav/ http://127.0.0.1:{port}/dav/\n",
                root_dir = dir.path().display(),
                run = run.display(),
                data = data.display(),
            );
            let conf_path = dir.path().join("httpd.conf");
            std::fs::write(&conf_path, conf).unwrap();
            let child = Command::new(&binary)
                .arg("-f")
                .arg(&conf_path)
                .arg("-DFOREGROUND")
                .stdin(Stdio::null())
                .spawn()
                .unwrap();
            let mut child = child;
            if Self::wait_until_listening(&mut child, port, &run) {
                return Self { child, port, dir };
            }
            let _ = child.wait();
        }
        panic!("apache2 could not bind a free port in five attempts");
    }

    /// Whether this server came up: its pid file is written once it has bound its port, and
    /// it accepts connections. False when it exited (the port was taken).
    fn wait_until_listening(child: &mut Child, port: u16, run: &Path) -> bool {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if matches!(child.try_wait(), Ok(Some(_))) {
                return false;
            }
            if run.join("httpd.pid").is_file()
                && std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
            {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let log = std::fs::read_to_string(run.join("error.log")).unwrap_or_default();
        panic!("apache2 did not start on port {port}:\n{log}");
    }

    /// Stops the server now (the store becomes unreachable).
    pub fn stop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        // SIGTERM: httpd stops its workers and exits.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Apache {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn is_root() -> bool {
    let out = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// `{SHA}` in an htpasswd file is base64 of SHA-1 of the password (Apache's documented format).
fn sha1_base64(password: &str) -> String {
    use sha1::Digest;
    data_encoding::BASE64.encode(&sha1::Sha1::digest(password.as_bytes()))
}
