//! The real `crucible serve` binary: SIGTERM during a run answers the run and exits 0, and a
//! SandboxFusion-style Python client (`scripts/sandbox_fusion_client.py`, run with `requests`
//! in a venv the test makes) passes against it.

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

/// A venv with `requests` (pinned), made once in the cache directory and reused.
fn client_venv() -> std::path::PathBuf {
    let venv = crucible_sandbox::default_cache_dir().join("venvs/sandbox-fusion-client");
    let python = venv.join("bin/python");
    let ready = venv.join("requests-2.32.3");
    if ready.exists() {
        return python;
    }
    let made = Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(&venv)
        .status()
        .expect("python3 -m venv runs");
    assert!(made.success(), "python3 -m venv {} failed", venv.display());
    let pip = Command::new(&python)
        .args(["-m", "pip", "install", "--quiet", "requests==2.32.3"])
        .status()
        .expect("pip runs");
    assert!(pip.success(), "pip install requests==2.32.3 failed");
    std::fs::write(&ready, "").expect("marker");
    python
}

#[test]
fn a_sandbox_fusion_python_client_works_by_changing_the_url() {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("skipped: python3 is not installed");
        return;
    }
    let python = client_venv();
    let served = serve(&["--token", "t0ken"]);
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/sandbox_fusion_client.py");
    let output = Command::new(&python)
        .arg(&script)
        .arg(format!("http://{}", served.address))
        .arg("t0ken")
        .output()
        .expect("the venv's python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the client failed:\n{stdout}");
    assert!(stdout.contains("transport: requests 2.32.3"), "{stdout}");
    assert!(stdout.contains("all SandboxFusion client checks passed"));
}
