//! A fixed pool of worker threads, where guest code runs.
//!
//! Guests run on fibers (wasmtime's async support) whose stacks come from the engine's pool:
//! compiled WebAssembly uses that stack for its call frames, so deep recursion (a DFS over 10^6
//! nodes) needs far more than a thread's usual few MiB. Each fiber stack is
//! [`MAX_WASM_STACK_BYTES`] plus 1 MiB for host frames (virtual; pages are committed only when
//! touched), so a runaway recursion ends in a clean stack-overflow trap. The workers themselves
//! only run host code.

use crate::SandboxError;
use std::sync::{Arc, Mutex, mpsc};

/// Stack reserved for each worker thread (host code only).
const WORKER_STACK_BYTES: usize = 8 << 20;

/// The stack a guest may use (the engine's `max_wasm_stack`).
pub const MAX_WASM_STACK_BYTES: usize = 496 << 20;

type Job = Box<dyn FnOnce() + Send + 'static>;

/// A pool of big-stack worker threads.
pub struct WorkerPool {
    sender: Mutex<Option<mpsc::Sender<Job>>>,
    threads: Mutex<Vec<std::thread::JoinHandle<()>>>,
    size: usize,
}

impl WorkerPool {
    /// Starts `size` workers (at least one).
    pub fn new(size: usize) -> Result<Self, SandboxError> {
        let size = size.max(1);
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let mut threads = Vec::with_capacity(size);
        for i in 0..size {
            let rx = Arc::clone(&rx);
            let handle = std::thread::Builder::new()
                .name(format!("crucible-sandbox-{i}"))
                .stack_size(WORKER_STACK_BYTES)
                .spawn(move || worker_loop(&rx))
                .map_err(|e| SandboxError::Worker(format!("cannot start worker thread: {e}")))?;
            threads.push(handle);
        }
        Ok(WorkerPool {
            sender: Mutex::new(Some(tx)),
            threads: Mutex::new(threads),
            size,
        })
    }

    /// How many workers run at once.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Queues `f` and returns a receiver for its result.
    pub fn submit<R, F>(&self, f: F) -> Result<tokio::sync::oneshot::Receiver<R>, SandboxError>
    where
        R: Send + 'static,
        F: FnOnce() -> R + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(f());
        });
        let guard = self
            .sender
            .lock()
            .map_err(|_| SandboxError::Worker("pool lock poisoned".into()))?;
        let sender = guard
            .as_ref()
            .ok_or_else(|| SandboxError::Worker("pool is shut down".into()))?;
        sender
            .send(job)
            .map_err(|_| SandboxError::Worker("all workers have exited".into()))?;
        Ok(rx)
    }

    /// Runs `f` on a worker and waits for it (from any thread that is not a worker).
    pub fn run_blocking<R, F>(&self, f: F) -> Result<R, SandboxError>
    where
        R: Send + 'static,
        F: FnOnce() -> R + Send + 'static,
    {
        self.submit(f)?
            .blocking_recv()
            .map_err(|_| SandboxError::Worker("worker panicked".into()))
    }

    /// Runs `f` on a worker and awaits it.
    pub async fn run<R, F>(&self, f: F) -> Result<R, SandboxError>
    where
        R: Send + 'static,
        F: FnOnce() -> R + Send + 'static,
    {
        self.submit(f)?
            .await
            .map_err(|_| SandboxError::Worker("worker panicked".into()))
    }
}

impl Drop for WorkerPool {
    fn drop(&mut self) {
        if let Ok(mut sender) = self.sender.lock() {
            sender.take();
        }
        if let Ok(mut threads) = self.threads.lock() {
            for t in threads.drain(..) {
                let _ = t.join();
            }
        }
    }
}

/// Takes jobs until the channel closes. A panicking job drops its result sender, which the
/// caller sees as `Worker("worker panicked")`; the worker itself keeps serving.
fn worker_loop(rx: &Mutex<mpsc::Receiver<Job>>) {
    loop {
        let job = match rx.lock() {
            Ok(guard) => guard.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => {
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            }
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_jobs_and_survives_panics() {
        let pool = WorkerPool::new(2).expect("pool");
        assert_eq!(pool.run_blocking(|| 2 + 2).expect("job"), 4);
        let panicked = pool.run_blocking(|| -> u32 { panic!("boom") });
        assert!(matches!(panicked, Err(SandboxError::Worker(_))));
        assert_eq!(pool.run_blocking(|| 7).expect("pool still serves"), 7);
    }
}
