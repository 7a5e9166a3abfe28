//! The real `crucible serve` binary: SIGTERM during a run answers the run and exits 0, and a
//! SandboxFusion-style Python client (`scripts/sandbox_fusion_client.py`, run with `requests`
//! in a venv the test makes) and SandboxFusion's own SDK (`sandbox-fusion` from PyPI,
//! `scripts/sandbox_fusion_sdk_client.py`) pass against it with only the URL changed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A started server: the child process and its address (`127.0.0.1:PORT`).
struct Served {
    child: Child,
    address: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `crucible serve` on a free port and waits for its "listening on" line.
fn serve(extra: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_crucible"))
        .args(["serve", "--listen", "127.0.0.1:0", "--workers", "1"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("crucible serve starts");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            eprintln!("[serve] {line}");
            if let Some(address) = line.split("listening on http://").nth(1) {
                let _ = tx.send(address.trim().to_string());
            }
        }
    });
    let address = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("the server says where it listens");
    Served { child, address }
}

/// One HTTP/1.1 request over a fresh connection: (status, body).
fn http(address: &str, method: &str, path: &str, body: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(300)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

#[test]
fn sigterm_during_a_run_answers_it_and_exits_0() {
    let mut served = serve(&[]);
    let address = served.address.clone();
    // About two seconds of C on the fuel clock: several seconds of wall time here.
    let slow = r#"{"language":"c","code":"int main(void){volatile long x=0;for(;;)x++;}","run_timeout":1.5}"#;
    let runner = std::thread::spawn({
        let address = address.clone();
        move || http(&address, "POST", "/run_code", slow)
    });
    let started = Instant::now();
    loop {
        let (_, health) = http(&address, "GET", "/health", "").expect("health");
        if health.contains("\"queue_depth\":1") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the run never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = served.child.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        http(&address, "GET", "/health", "").is_err(),
        "after SIGTERM the server accepts no new connections"
    );
    let (status, body) = runner.join().expect("runner").expect("the run is answered");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"TimeLimitExceeded\""), "{body}");
    let deadline = Instant::now() + Duration::from_secs(30);
    let exit = loop {
        if let Some(exit) = served.child.try_wait().expect("wait") {
            break exit;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(exit.code(), Some(0), "exit status {exit:?}");
}

/// A venv with the clients' packages (`scripts/sandbox-fusion-client-requirements.txt`, all
/// pinned), made once in the cache directory and remade when that list changes; the tests of
/// this binary share one (made by whichever asks first).
fn client_venv() -> std::path::PathBuf {
    static VENV: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    VENV.get_or_init(make_client_venv).clone()
}

/// Makes (or finds up to date) the venv of [`client_venv`]; its Python.
fn make_client_venv() -> std::path::PathBuf {
    let requirements = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scripts/sandbox-fusion-client-requirements.txt");
    let wanted = std::fs::read_to_string(&requirements).expect("the requirements file");
    let venv = crucible_sandbox::default_cache_dir().join("venvs/sandbox-fusion-client");
    let python = venv.join("bin/python");
    let marker = venv.join("installed-requirements.txt");
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(wanted.as_str()) {
        return python;
    }
    let made = Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(&venv)
        .status()
        .expect("python3 -m venv runs");
    assert!(made.success(), "python3 -m venv {} failed", venv.display());
    let pip = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(&requirements)
        .status()
        .expect("pip runs");
    assert!(
        pip.success(),
        "pip install -r {} failed",
        requirements.display()
    );
    std::fs::write(&marker, wanted).expect("marker");
    python
}

/// Runs a client script of `scripts/` with the venv's Python and `args`; its stdout (it must
/// exit 0).
fn run_client(script: &str, args: &[&str]) -> String {
    let python = client_venv();
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scripts")
        .join(script);
    let output = Command::new(&python)
        .arg(&script)
        .args(args)
        .output()
        .expect("the venv's python runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    eprintln!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        output.status.success(),
        "{} failed:\n{stdout}",
        script.display()
    );
    stdout
}

/// Whether `python3` is here (the client tests need it; `setup.sh` does not install it).
fn have_python() -> bool {
    let found = Command::new("python3").arg("--version").output().is_ok();
    if !found {
        eprintln!("skipped: python3 is not installed");
    }
    found
}

#[test]
fn a_sandbox_fusion_python_client_works_by_changing_the_url() {
    if !have_python() {
        return;
    }
    let served = serve(&["--token", "t0ken"]);
    let url = format!("http://{}", served.address);
    let stdout = run_client("sandbox_fusion_client.py", &[&url, "t0ken"]);
    assert!(stdout.contains("transport: requests 2.32.3"), "{stdout}");
    assert!(stdout.contains("all SandboxFusion client checks passed"));
}

#[test]
fn sandbox_fusions_own_sdk_works_by_changing_the_url() {
    if !have_python() {
        return;
    }
    let served = serve(&[]);
    let url = format!("http://{}", served.address);
    let stdout = run_client("sandbox_fusion_sdk_client.py", &[&url]);
    assert!(stdout.contains("sdk: sandbox-fusion 0.3.7"), "{stdout}");
    assert!(stdout.contains("all SandboxFusion SDK checks passed"));
}
