//! The thread pool our kernels split their work over: workers that park when idle, and a
//! caller that waits only for work that was actually taken.
//!
//! candle's barrier pool (which our kernels used before) waits at every operation until each
//! worker has woken and checked in, spinning meanwhile. When another process (the sandbox
//! judging beside the model) holds a core, a descheduled worker stalls every operation for a
//! scheduler time slice, thousands of times per token. Here the work is a shared cursor over
//! chunks: whoever runs takes the next chunk, the caller included, so a worker that is not
//! running simply takes nothing, and the caller waits only for chunks in progress, spinning
//! briefly and then parking (so its core goes to whoever needs it). Idle workers spin briefly
//! after a job (the next one usually follows within microseconds while decoding) and then park.
//!
//! candle's element-wise operations still use candle's own pool; `crucible` keeps that one to
//! the calling thread (`CANDLE_NUM_THREADS=1`) so that one pool, this one, holds the cores.
//! `CRUCIBLE_CANDLE_POOL=1` sends our kernels to candle's pool instead (for an A/B in one
//! build: `scripts/decode_beside_judge.sh`).

use std::cell::Cell;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::thread::Thread;
use std::time::{Duration, Instant};

/// How long an idle worker spins for the next job before it parks.
const WORKER_SPIN: Duration = Duration::from_micros(100);
/// How long the caller spins for chunks in progress before it parks.
const CALLER_SPIN: Duration = Duration::from_micros(20);
/// Chunks per thread: enough that a thread which falls behind leaves little for the others.
const CHUNKS_PER_THREAD: usize = 8;

thread_local! {
    /// Set on pool workers and on a caller while its job runs: a nested call runs inline.
    static IN_POOL: Cell<bool> = const { Cell::new(false) };
}

/// One parallel call: its chunks, the closure, and who is still running part of it.
struct Job {
    cursor: AtomicUsize,
    items: usize,
    chunk: usize,
    /// Threads that may be running a chunk (raised before taking one, lowered after).
    active: AtomicUsize,
    /// The caller's closure; only called for a chunk taken while the caller waits (see
    /// [`Pool::run`]), so it is alive whenever it is called.
    work: *const (dyn Fn(Range<usize>) + Sync),
    panicked: AtomicBool,
    caller: Thread,
}

// SAFETY: `work` points to a `Sync` closure, called only while its owner waits for the job.
unsafe impl Send for Job {}
// SAFETY: as above; the other fields are atomics or `Sync`.
unsafe impl Sync for Job {}

impl Job {
    /// Takes chunks until none is left; returns once this thread holds none.
    fn help(&self) {
        self.active.fetch_add(1, Ordering::SeqCst);
        loop {
            let start = self.cursor.fetch_add(self.chunk, Ordering::SeqCst);
            if start >= self.items {
                break;
            }
            let range = start..self.items.min(start + self.chunk);
            // SAFETY: a chunk was taken after `active` was raised, so the caller is still
            // waiting (it returns only when the cursor is spent and `active` is zero).
            let work = unsafe { &*self.work };
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(range))).is_err() {
                self.panicked.store(true, Ordering::SeqCst);
            }
        }
        if self.active.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.caller.unpark();
        }
    }
}

/// State shared by the caller and the workers.
struct Shared {
    /// Bumped for every job; a worker runs the job when it sees a new value.
    generation: AtomicU64,
    job: Mutex<Option<Arc<Job>>>,
    /// Workers parked (or about to park) on `wake`.
    sleeping: AtomicUsize,
    sleep_lock: Mutex<()>,
    wake: Condvar,
}

/// A pool of `size - 1` workers plus the calling thread.
pub(crate) struct Pool {
    shared: Arc<Shared>,
    threads: usize,
    /// One job at a time; a second concurrent caller runs its work inline.
    calling: Mutex<()>,
}

impl Pool {
    /// A pool for `threads` threads in all (the caller and `threads - 1` workers).
    fn new(threads: usize) -> Pool {
        let shared = Arc::new(Shared {
            generation: AtomicU64::new(0),
            job: Mutex::new(None),
            sleeping: AtomicUsize::new(0),
            sleep_lock: Mutex::new(()),
            wake: Condvar::new(),
        });
        let mut started = 1;
        for i in 1..threads.max(1) {
            let shared = Arc::clone(&shared);
            let spawned = std::thread::Builder::new()
                .name(format!("crucible-model-{i}"))
                .spawn(move || worker(&shared));
            if spawned.is_ok() {
                started += 1;
            }
        }
        Pool {
            shared,
            threads: started,
            calling: Mutex::new(()),
        }
    }

    /// Calls `f` on ranges covering `0..items` exactly once each, spread over the pool.
    pub(crate) fn run(&self, items: usize, f: &(dyn Fn(Range<usize>) + Sync)) {
        if items == 0 {
            return;
        }
        let guard = match self.calling.try_lock() {
            Ok(guard) if self.threads > 1 && !IN_POOL.with(Cell::get) => guard,
            _ => return f(0..items),
        };
        // SAFETY: the lifetime is erased only for the job's duration: `run` returns after
        // every chunk taken has finished, and no chunk is taken after that (see `Job::help`).
        let work: *const (dyn Fn(Range<usize>) + Sync) = unsafe { std::mem::transmute(f) };
        let job = Arc::new(Job {
            cursor: AtomicUsize::new(0),
            items,
            chunk: items.div_ceil(self.threads * CHUNKS_PER_THREAD).max(1),
            active: AtomicUsize::new(0),
            work,
            panicked: AtomicBool::new(false),
            caller: std::thread::current(),
        });
        self.publish(&job);
        IN_POOL.with(|flag| flag.set(true));
        job.help();
        IN_POOL.with(|flag| flag.set(false));
        wait_until(CALLER_SPIN, || job.active.load(Ordering::SeqCst) == 0);
        drop(guard);
        if job.panicked.load(Ordering::SeqCst) {
            panic!("a model kernel panicked on a pool thread");
        }
    }

    /// Hands `job` to the workers and wakes those that sleep.
    fn publish(&self, job: &Arc<Job>) {
        let shared = &self.shared;
        *lock(&shared.job) = Some(Arc::clone(job));
        shared.generation.fetch_add(1, Ordering::SeqCst);
        if shared.sleeping.load(Ordering::SeqCst) > 0 {
            let _held = lock(&shared.sleep_lock);
            shared.wake.notify_all();
        }
    }
}

/// A worker: waits for a new job, helps with it, and so on.
fn worker(shared: &Shared) {
    IN_POOL.with(|flag| flag.set(true));
    let mut seen = 0u64;
    loop {
        let new_job = || shared.generation.load(Ordering::SeqCst) != seen;
        if !spin_until(WORKER_SPIN, new_job) {
            let mut held = lock(&shared.sleep_lock);
            shared.sleeping.fetch_add(1, Ordering::SeqCst);
            while !new_job() {
                held = shared.wake.wait(held).unwrap_or_else(|e| e.into_inner());
            }
            shared.sleeping.fetch_sub(1, Ordering::SeqCst);
        }
        seen = shared.generation.load(Ordering::SeqCst);
        let job = lock(&shared.job).clone();
        if let Some(job) = job {
            job.help();
        }
    }
}

/// Spins until `done` holds or `limit` has passed; whether it holds.
fn spin_until(limit: Duration, done: impl Fn() -> bool) -> bool {
    let started = Instant::now();
    loop {
        for _ in 0..64 {
            if done() {
                return true;
            }
            std::hint::spin_loop();
        }
        if started.elapsed() >= limit {
            return done();
        }
    }
}

/// Spins for up to `spin`, then parks (woken by [`Job::help`]'s unpark) until `done` holds.
fn wait_until(spin: Duration, done: impl Fn() -> bool) {
    if spin_until(spin, &done) {
        return;
    }
    while !done() {
        std::thread::park_timeout(Duration::from_millis(1));
    }
}

/// Locks `mutex`, ignoring poisoning (the data are plain values).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The process's pool, sized by `RAYON_NUM_THREADS` (as candle's pools are) when first used.
pub(crate) fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| Pool::new(candle_core::utils::get_num_threads()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_runs_once_on_a_pool_of_three() {
        let pool = Pool::new(3);
        assert_eq!(pool.threads, 3);
        for items in [1, 2, 7, 100, 10_000] {
            let seen: Vec<AtomicUsize> = (0..items).map(|_| AtomicUsize::new(0)).collect();
            pool.run(items, &|range: Range<usize>| {
                for i in range {
                    seen[i].fetch_add(1, Ordering::Relaxed);
                }
            });
            assert!(
                seen.iter().all(|c| c.load(Ordering::Relaxed) == 1),
                "{items}"
            );
        }
    }

    #[test]
    fn nested_and_concurrent_calls_run_inline() {
        let pool = Pool::new(2);
        let total = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| {
                    for _ in 0..200 {
                        pool.run(8, &|outer: Range<usize>| {
                            pool.run(4, &|inner: Range<usize>| {
                                total.fetch_add(outer.len() * inner.len(), Ordering::Relaxed);
                            });
                        });
                    }
                });
            }
        });
        assert_eq!(total.load(Ordering::Relaxed), 3 * 200 * 8 * 4);
    }

    #[test]
    fn a_panic_in_a_chunk_reaches_the_caller() {
        let pool = Pool::new(2);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pool.run(64, &|range: Range<usize>| assert!(!range.contains(&63)));
        }));
        assert!(result.is_err());
        // The pool still works afterwards.
        let count = AtomicUsize::new(0);
        pool.run(64, &|range: Range<usize>| {
            count.fetch_add(range.len(), Ordering::Relaxed);
        });
        assert_eq!(count.load(Ordering::Relaxed), 64);
    }
}
