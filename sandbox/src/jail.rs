//! Running a native tool (the compiler) on untrusted input: a private directory, Landlock
//! filesystem and network rules, resource limits, a wall-clock timeout and capped output.
//!
//! Landlock (Linux ≥ 5.13; network rules ≥ 6.7) is applied in the child between `fork` and
//! `exec`, so the compiler can read only its own installation and the directories we name, and
//! write only its private temporary directory. `#include "/etc/passwd"` therefore fails with
//! "permission denied" before any byte is read. On a kernel without Landlock the jail refuses
//! to run unless `allow_unconfined` is set, so an operator never loses isolation silently.

use crate::SandboxError;
use landlock::{
    ABI, Access, AccessFs, AccessNet, CompatLevel, Compatible, PathBeneath, PathFd, Ruleset,
    RulesetAttr, RulesetCreated, RulesetCreatedAttr, RulesetStatus,
};
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What a jailed process may touch and use.
#[derive(Debug, Clone)]
pub struct JailSpec {
    /// Directories (or files) readable and executable, recursively.
    pub read_only: Vec<PathBuf>,
    /// Directories readable and writable, recursively.
    pub read_write: Vec<PathBuf>,
    /// Wall-clock limit; the whole process group is killed past it.
    pub timeout: Duration,
    /// Address-space limit (RLIMIT_AS) in bytes.
    pub memory_bytes: u64,
    /// Largest file the process may write (RLIMIT_FSIZE) in bytes.
    pub file_bytes: u64,
    /// Bytes kept of stdout and of stderr each; the rest is read and dropped.
    pub output_bytes: usize,
    /// Run even if the kernel cannot enforce Landlock (never the default).
    pub allow_unconfined: bool,
}

/// The result of a jailed run.
#[derive(Debug, Clone)]
pub struct JailOutcome {
    /// Exit code, or `None` when killed by a signal.
    pub code: Option<i32>,
    /// Whether the wall-clock timeout killed it.
    pub timed_out: bool,
    /// The signal that ended it, if any.
    pub signal: Option<i32>,
    /// Captured stdout (capped).
    pub stdout: Vec<u8>,
    /// Captured stderr (capped).
    pub stderr: Vec<u8>,
    /// Wall time taken.
    pub elapsed: Duration,
}

/// Runs `cmd` (already given its arguments, cwd and environment) inside the jail.
pub fn run_jailed(mut cmd: Command, spec: &JailSpec) -> Result<JailOutcome, SandboxError> {
    let ruleset = build_ruleset(spec)?;
    let ruleset = Mutex::new(Some(ruleset));
    let (mem, fsize) = (spec.memory_bytes, spec.file_bytes);
    let cpu_secs = spec.timeout.as_secs() + 2;
    let unconfined_ok = spec.allow_unconfined;
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    // SAFETY: the closure runs in the forked child before exec. It only calls setrlimit,
    // prctl and the Landlock syscalls on a ruleset prepared in the parent; the mutex is
    // private to this closure and never held across the fork.
    unsafe {
        cmd.pre_exec(move || {
            set_rlimit(libc::RLIMIT_AS, mem)?;
            set_rlimit(libc::RLIMIT_FSIZE, fsize)?;
            set_rlimit(libc::RLIMIT_CORE, 0)?;
            set_rlimit(libc::RLIMIT_CPU, cpu_secs)?;
            let taken = ruleset.lock().ok().and_then(|mut guard| guard.take());
            if let Some(ruleset) = taken {
                let status = ruleset.restrict_self().map_err(std::io::Error::other)?;
                if status.ruleset == RulesetStatus::NotEnforced && !unconfined_ok {
                    return Err(std::io::Error::other("landlock not enforced"));
                }
            }
            Ok(())
        });
    }
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| SandboxError::CompilerProcess(format!("spawn failed: {e}")))?;
    let stdout = capture(child.stdout.take(), spec.output_bytes);
    let stderr = capture(child.stderr.take(), spec.output_bytes);
    let pid = child.id() as libc::pid_t;
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= spec.timeout => {
                timed_out = true;
                // SAFETY: plain syscall; the group id is the child's pid (process_group(0)).
                unsafe { libc::kill(-pid, libc::SIGKILL) };
                let status = child
                    .wait()
                    .map_err(|e| SandboxError::CompilerProcess(format!("wait failed: {e}")))?;
                break status;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => return Err(SandboxError::CompilerProcess(format!("wait failed: {e}"))),
        }
    };
    // Kill anything the tool left behind in its group (e.g. a linker it spawned).
    // SAFETY: as above.
    unsafe { libc::kill(-pid, libc::SIGKILL) };
    use std::os::unix::process::ExitStatusExt;
    Ok(JailOutcome {
        code: status.code(),
        signal: status.signal(),
        timed_out,
        stdout: join_capture(stdout),
        stderr: join_capture(stderr),
        elapsed: started.elapsed(),
    })
}

/// Whether this kernel enforces Landlock filesystem rules.
pub fn landlock_available() -> bool {
    Ruleset::default()
        .set_compatibility(CompatLevel::HardRequirement)
        .handle_access(AccessFs::from_all(ABI::V1))
        .and_then(|r| r.create())
        .is_ok()
}

/// Prepares (in the parent) the ruleset the child will enforce on itself.
fn build_ruleset(spec: &JailSpec) -> Result<RulesetCreated, SandboxError> {
    let abi = ABI::V4;
    let level = if spec.allow_unconfined {
        CompatLevel::BestEffort
    } else {
        CompatLevel::SoftRequirement
    };
    let err = |e: landlock::RulesetError| SandboxError::CompilerProcess(format!("landlock: {e}"));
    let mut ruleset = Ruleset::default()
        .set_compatibility(level)
        .handle_access(AccessFs::from_all(abi))
        .map_err(err)?
        .handle_access(AccessNet::from_all(abi))
        .map_err(err)?
        .create()
        .map_err(err)?;
    for path in &spec.read_only {
        ruleset = add_path(ruleset, path, AccessFs::from_read(abi)).map_err(err)?;
    }
    for path in &spec.read_write {
        ruleset = add_path(ruleset, path, AccessFs::from_all(abi)).map_err(err)?;
    }
    if !spec.allow_unconfined && !landlock_available() {
        return Err(SandboxError::CompilerProcess(
            "this kernel does not enforce Landlock, so untrusted sources cannot be compiled \
             safely; set allow_unconfined to compile anyway"
                .into(),
        ));
    }
    Ok(ruleset)
}

/// Adds one path rule, skipping paths that do not exist on this machine.
fn add_path(
    ruleset: RulesetCreated,
    path: &Path,
    access: landlock::BitFlags<AccessFs>,
) -> Result<RulesetCreated, landlock::RulesetError> {
    // Directory-only rights (read_dir, make_*) are invalid on a file and would void the ruleset.
    let access = if path.is_dir() {
        access
    } else {
        access & AccessFs::from_file(ABI::V4)
    };
    match PathFd::new(path) {
        Ok(fd) => ruleset.add_rule(PathBeneath::new(fd, access)),
        Err(_) => Ok(ruleset),
    }
}

/// Sets a hard and soft resource limit.
fn set_rlimit(resource: libc::__rlimit_resource_t, value: u64) -> std::io::Result<()> {
    let lim = libc::rlimit {
        rlim_cur: value,
        rlim_max: value,
    };
    // SAFETY: plain syscall on a valid struct.
    if unsafe { libc::setrlimit(resource, &lim) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

type Capture = Option<std::thread::JoinHandle<Vec<u8>>>;

/// Reads a child's pipe to the end on a thread, keeping at most `cap` bytes.
fn capture<R: Read + Send + 'static>(pipe: Option<R>, cap: usize) -> Capture {
    let mut pipe = pipe?;
    Some(std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 8192];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            let room = cap.saturating_sub(kept.len());
            kept.extend_from_slice(&buf[..n.min(room)]);
        }
        kept
    }))
}

/// Waits for a capture thread.
fn join_capture(handle: Capture) -> Vec<u8> {
    handle.and_then(|h| h.join().ok()).unwrap_or_default()
}
