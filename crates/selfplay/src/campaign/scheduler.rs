//! The model scheduler: one thread decodes the queued requests in batches (solver requests
//! first), and the models a campaign holds loaded between rounds.

use crate::SelfplayError;
use crate::tune::ModelOpener;
use crucible_model::{Completion, GenerationRequest, Generator, ModelError};
use std::collections::VecDeque;
use std::sync::{Condvar, Mutex};
use std::time::Instant;
use tokio::sync::mpsc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum JobKey {
    Propose(u32),
    /// The first request of a mutation in two requests: the variant of the seed, named.
    Idea(u32),
    /// The proposer's description of a valid induction program whose reply had none.
    Describe(u32),
    Solve(i64),
    /// More samples for a pool task none of whose first samples passed.
    Retry(i64),
}

impl JobKey {
    /// The proposal slot a proposer request works on; `None` for a solver request.
    fn slot(self) -> Option<u32> {
        match self {
            JobKey::Propose(slot) | JobKey::Idea(slot) | JobKey::Describe(slot) => Some(slot),
            JobKey::Solve(_) | JobKey::Retry(_) => None,
        }
    }
}

/// A request for the model thread.
pub(super) struct Job {
    pub(super) key: JobKey,
    pub(super) solver: bool,
    pub(super) request: GenerationRequest,
}

/// A finished request.
pub(super) struct ModelDone {
    pub(super) key: JobKey,
    pub(super) result: Result<Vec<Completion>, ModelError>,
    pub(super) seconds: f64,
}

/// Requests waiting for the model: solver requests first, then proposals, lowest slot first —
/// slots commit in order, so a follow-up request (a feedback turn, a description) for an early
/// slot goes ahead of later slots' first requests instead of holding every commit back.
#[derive(Default)]
pub(super) struct JobQueue {
    state: Mutex<QueueState>,
    ready: Condvar,
}

#[derive(Default)]
struct QueueState {
    solve: VecDeque<Job>,
    propose: VecDeque<Job>,
    closed: bool,
}

impl JobQueue {
    pub(super) fn push(&self, job: Job, solve: bool) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if solve {
            state.solve.push_back(job);
        } else {
            let slot = job.key.slot();
            let at = state
                .propose
                .iter()
                .position(|queued| queued.key.slot() > slot)
                .unwrap_or(state.propose.len());
            state.propose.insert(at, job);
        }
        self.ready.notify_one();
    }

    pub(super) fn close(&self) {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).closed = true;
        self.ready.notify_all();
    }

    /// Up to `batch` sequences' worth of jobs of one role (at least one job); empty once closed.
    fn take(&self, batch: usize) -> Vec<Job> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if state.closed {
                return Vec::new();
            }
            let from_solve = !state.solve.is_empty();
            let source = if from_solve {
                &mut state.solve
            } else {
                &mut state.propose
            };
            let mut jobs: Vec<Job> = Vec::new();
            let mut sequences = 0;
            while let Some(job) = source.front() {
                if !jobs.is_empty() && sequences + job.request.n > batch {
                    break;
                }
                sequences += job.request.n;
                jobs.extend(source.pop_front());
            }
            if !jobs.is_empty() {
                return jobs;
            }
            state = self.ready.wait(state).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// The model thread: decodes queued requests in batches until the queue closes.
pub(super) fn model_worker(
    queue: &JobQueue,
    proposer: &mut (dyn Generator + 'static),
    mut solver: Option<&mut (dyn Generator + 'static)>,
    batch: usize,
    results: &mpsc::UnboundedSender<ModelDone>,
) {
    loop {
        let jobs = queue.take(batch);
        if jobs.is_empty() {
            return;
        }
        let requests: Vec<GenerationRequest> = jobs.iter().map(|j| j.request.clone()).collect();
        let model: &mut dyn Generator = match (&mut solver, jobs[0].solver) {
            (Some(s), true) => &mut **s,
            _ => &mut *proposer,
        };
        let started = Instant::now();
        let outputs = model.generate_batch(&requests, &mut |_| {});
        let sequences: usize = requests.iter().map(|r| r.n).sum::<usize>().max(1);
        let per_sequence = started.elapsed().as_secs_f64() / sequences as f64;
        for (job, result) in jobs.into_iter().zip(outputs) {
            let done = ModelDone {
                key: job.key,
                result,
                seconds: per_sequence * job.request.n as f64,
            };
            if results.send(done).is_err() {
                return;
            }
        }
    }
}

/// The models currently loaded, one per distinct spec.
pub(super) struct Held<'a> {
    opener: &'a mut dyn ModelOpener,
    open: Vec<(String, Box<dyn Generator>)>,
}

impl<'a> Held<'a> {
    pub(super) fn new(opener: &'a mut dyn ModelOpener) -> Self {
        Held {
            opener,
            open: Vec::new(),
        }
    }

    /// Keeps exactly the models `specs` names loaded: drops the others (first, to free their
    /// memory), then opens what is missing.
    pub(super) fn hold(&mut self, specs: &[&str]) -> Result<(), SelfplayError> {
        self.open.retain(|(spec, _)| specs.contains(&spec.as_str()));
        for spec in specs {
            if !self.open.iter().any(|(s, _)| s == spec) {
                let model = self.opener.open(spec)?;
                self.open.push((spec.to_string(), model));
            }
        }
        Ok(())
    }

    /// A held model.
    pub(super) fn get(
        &mut self,
        spec: &str,
    ) -> Result<&mut (dyn Generator + 'static), SelfplayError> {
        self.open
            .iter_mut()
            .find(|(s, _)| s == spec)
            .map(|(_, model)| &mut **model)
            .ok_or_else(|| SelfplayError::Config(format!("model `{spec}` is not loaded")))
    }

    /// The proposer and, when it is another model, the solver (both must be held).
    #[allow(clippy::type_complexity)]
    pub(super) fn pair(
        &mut self,
        proposer: &str,
        solver: &str,
    ) -> Result<
        (
            &mut (dyn Generator + 'static),
            Option<&mut (dyn Generator + 'static)>,
        ),
        SelfplayError,
    > {
        let mut found_proposer = None;
        let mut found_solver = None;
        for (spec, model) in self.open.iter_mut() {
            if spec == proposer {
                found_proposer = Some(&mut **model);
            } else if spec == solver {
                found_solver = Some(&mut **model);
            }
        }
        let proposer = found_proposer
            .ok_or_else(|| SelfplayError::Config(format!("model `{proposer}` is not loaded")))?;
        Ok((proposer, found_solver))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(n: usize, solver: bool) -> Job {
        keyed(JobKey::Propose(0), n, solver)
    }

    fn keyed(key: JobKey, n: usize, solver: bool) -> Job {
        Job {
            key,
            solver,
            request: GenerationRequest {
                messages: Vec::new(),
                n,
                sampling: crucible_model::SamplingParams::default(),
            },
        }
    }

    #[test]
    fn queue_serves_solver_requests_first_within_the_batch() {
        let q = JobQueue::default();
        for _ in 0..5 {
            q.push(job(1, false), false);
        }
        q.push(job(4, true), true);
        q.push(job(4, true), true);
        q.push(job(4, true), true);
        let first = q.take(8);
        assert_eq!(first.len(), 2);
        assert!(first.iter().all(|j| j.solver));
        assert_eq!(q.take(8).len(), 1);
        assert_eq!(q.take(3).len(), 3);
        assert_eq!(q.take(3).len(), 2);
        q.close();
        assert!(q.take(3).is_empty());
    }

    #[test]
    fn a_follow_up_request_for_an_early_slot_goes_ahead_of_later_slots() {
        let q = JobQueue::default();
        for slot in [3, 4, 5] {
            q.push(keyed(JobKey::Propose(slot), 1, false), false);
        }
        q.push(keyed(JobKey::Propose(3), 1, false), false);
        q.push(keyed(JobKey::Describe(4), 1, false), false);
        q.push(keyed(JobKey::Idea(2), 1, false), false);
        let order: Vec<JobKey> = q.take(6).into_iter().map(|j| j.key).collect();
        assert_eq!(
            order,
            [
                JobKey::Idea(2),
                JobKey::Propose(3),
                JobKey::Propose(3),
                JobKey::Propose(4),
                JobKey::Describe(4),
                JobKey::Propose(5),
            ]
        );
    }
}
