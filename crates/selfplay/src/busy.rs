//! Wall time during which a stage had work in progress, counting overlapping tasks once.
//!
//! Many sandbox tasks (validations, judgings) are in flight at once and most of them wait for a
//! sandbox worker, so summing each task's elapsed time overstates a stage many times over (a
//! round's "judge" time once summed to 11× its wall time). A [`BusyClock`] instead measures the
//! union of the tasks' intervals: each task holds a [`Busy`] guard while it runs and, when done,
//! [`Busy::finish`] hands it the busy time not yet claimed by any task, so the claims of all
//! tasks add up to the stage's busy wall time.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Shared by a stage's tasks (cheap to clone).
#[derive(Clone, Default)]
pub struct BusyClock(Arc<Mutex<State>>);

#[derive(Default)]
struct State {
    /// Tasks in progress.
    active: usize,
    /// Since when the unclaimed interval in progress runs (`Some` while `active > 0`).
    since: Option<Instant>,
    /// Busy time of finished intervals no task has claimed yet.
    unclaimed: Duration,
}

impl BusyClock {
    /// Marks a task of the stage as in progress until the guard is finished or dropped.
    pub fn enter(&self) -> Busy {
        let mut state = self.lock();
        if state.active == 0 {
            state.since = Some(Instant::now());
        }
        state.active += 1;
        Busy {
            clock: self.clone(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Ends one task; returns the busy seconds unclaimed so far if `claim`.
    fn exit(&self, claim: bool) -> f64 {
        let mut state = self.lock();
        state.active = state.active.saturating_sub(1);
        let now = Instant::now();
        if let Some(since) = state.since {
            state.unclaimed += now - since;
            state.since = (state.active > 0).then_some(now);
        }
        if claim {
            std::mem::take(&mut state.unclaimed).as_secs_f64()
        } else {
            0.0
        }
    }
}

/// A task in progress; dropping it without [`Busy::finish`] leaves its time to other tasks.
pub struct Busy {
    clock: BusyClock,
}

impl Busy {
    /// Ends the task and returns the stage's busy seconds that no task has claimed yet.
    pub fn finish(self) -> f64 {
        let seconds = self.clock.exit(true);
        std::mem::forget(self);
        seconds
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.clock.exit(false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread::sleep;

    const STEP: Duration = Duration::from_millis(40);

    #[test]
    fn overlapping_tasks_count_once() {
        let clock = BusyClock::default();
        let started = Instant::now();
        let a = clock.enter();
        let b = clock.enter();
        sleep(STEP);
        let claimed_a = a.finish();
        sleep(STEP);
        let claimed_b = b.finish();
        let wall = started.elapsed().as_secs_f64();
        // Two tasks overlapping for the whole interval: their claims add up to the wall time,
        // where per-task elapsed times would add up to about 1.5 times it.
        let total = claimed_a + claimed_b;
        assert!(
            total <= wall + 1e-6,
            "claimed {total} s of a {wall} s interval"
        );
        assert!(total >= 2.0 * STEP.as_secs_f64(), "claimed only {total} s");
        assert!(claimed_a >= STEP.as_secs_f64() && claimed_b >= STEP.as_secs_f64());
    }

    #[test]
    fn idle_gaps_are_not_counted_and_dropped_tasks_leave_their_time() {
        let clock = BusyClock::default();
        let dropped = clock.enter();
        sleep(STEP);
        drop(dropped);
        sleep(STEP * 3);
        let later = clock.enter();
        sleep(STEP);
        let claimed = later.finish();
        // The dropped task's interval and the later one, but not the gap between them.
        assert!(
            claimed >= 2.0 * STEP.as_secs_f64(),
            "claimed only {claimed} s"
        );
        assert!(
            claimed < 4.0 * STEP.as_secs_f64(),
            "counted the idle gap: {claimed} s"
        );
    }
}
