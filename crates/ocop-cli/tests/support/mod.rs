//! What the end-to-end tests of `ocop serve` share: the `ocop` binary, a demo database, a
//! server on a loopback port that is always stopped, and `ocop verify`.
#![allow(dead_code, reason = "each test crate uses a part of it")]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The repository's root.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `ocop` binary under test, run from the repository's root.
pub(crate) fn ocop() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ocop"));
    c.current_dir(root());
    c
}

/// A fresh temporary folder for one test.
pub(crate) fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The plugins the definitions pin, built from this tree into `target/ocop-plugins` (a
/// no-op when they are current), then the demo's database in `dir` (a small programme
/// year of Cần Thơ, seed 3); `extra` goes to `ocop demo` as it is.
pub(crate) fn demo(dir: &Path, products: u32, extra: &[&str]) -> PathBuf {
    for plugin in ["plugins/criteria-26-2026", "plugins/cantho-local"] {
        succeeded(ocop().args(["plugin", "build", plugin]));
    }
    let db = dir.join("ocop.sqlite");
    succeeded(
        ocop()
            .args(["demo", "--products", &products.to_string(), "--seed", "3"])
            .args(extra)
            .arg("--db")
            .arg(&db)
            .arg("--out")
            .arg(dir),
    );
    db
}

/// `ocop serve` on a loopback port chosen by the system, on database `db` with the auth
/// file `auth`, with the plugins the demo built; its log goes to `<dir>/serve.log`. It is
/// stopped with SIGTERM by [`Served::stop`], or killed when dropped.
pub(crate) struct Served {
    /// `http://127.0.0.1:PORT`.
    pub(crate) url: String,
    /// Where the server's log lines go.
    pub(crate) log: PathBuf,
    child: Child,
    drain: Option<JoinHandle<()>>,
}

impl Served {
    pub(crate) fn start(dir: &Path, db: &Path, auth: &Path, extra: &[&str]) -> Served {
        let mut child = ocop()
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--clock-start",
                "2026-06-01",
            ])
            .args(extra)
            .arg("--db")
            .arg(db)
            .arg("--auth")
            .arg(auth)
            .arg("--plugins")
            .arg(root().join("target/ocop-plugins"))
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let url = loop {
            let Some(line) = lines.next() else {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the server stopped before listening");
            };
            if let Some(rest) = line.unwrap().split("listening on ").nth(1) {
                break rest.split_whitespace().next().unwrap().to_owned();
            }
        };
        // The request log goes on to a file the test reads afterwards.
        let log = dir.join("serve.log");
        let mut file = std::fs::File::create(&log).unwrap();
        let drain = std::thread::spawn(move || {
            for l in lines.map_while(Result::ok) {
                use std::io::Write;
                let _ = writeln!(file, "{l}");
            }
        });
        Served {
            url,
            log,
            child,
            drain: Some(drain),
        }
    }

    /// The port it listens on.
    pub(crate) fn port(&self) -> &str {
        self.url.rsplit(':').next().unwrap()
    }

    /// SIGTERM: the server finishes what it has and exits; its status, once its log is
    /// written.
    pub(crate) fn stop(mut self) -> ExitStatus {
        self.terminate()
    }

    fn terminate(&mut self) -> ExitStatus {
        let killed = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let start = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            if start.elapsed() > Duration::from_secs(20) {
                let _ = self.child.kill();
                break self.child.wait().unwrap();
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        if let Some(d) = self.drain.take() {
            d.join().unwrap();
        }
        status
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if self.drain.is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// `ocop verify` holds on every case of `db`.
pub(crate) fn verify(db: &Path) {
    succeeded(ocop().arg("verify").arg("--db").arg(db));
}

/// Runs `command`, which must succeed (else the test fails with the command and its
/// stderr); its output.
pub(crate) fn succeeded(command: &mut Command) -> Output {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
