//! Continuous batching: many samples decode together, one token each per step.
//!
//! Every sample of every request waits in line. While the batch has free slots, the next
//! samples join it: their request's prompt is prefilled once (several requests' prompts in one
//! forward call), the cache is cloned for each sample, and each samples its first token from
//! the prompt's logits. Each step then feeds every active sample's last token through the
//! model at once; finished samples leave and free their slot for the next in line. A sample's
//! text depends only on its prompt, settings and seed, never on its neighbours in the batch.

use crate::generator::{Completion, FinishReason, GenerationRequest};
use crate::sampling::{SeededRng, sample};
use crate::transformer::{KvCache, Step, Transformer};
use crate::{ModelError, SamplingParams};
use std::collections::VecDeque;
use tokenizers::Tokenizer;

/// Most prompt tokens prefilled in one forward call (one request may exceed it alone). Bounds
/// the activations a prefill holds at once; beyond about a thousand rows, candle's per-operation
/// buffers stop being reused by the allocator and every operation faults in fresh pages.
const PREFILL_TOKENS: usize = 1024;

/// What decoding needs from the model.
pub(crate) struct Decoder<'a> {
    /// The forward pass.
    pub transformer: &'a Transformer,
    /// For the text of the sampled tokens.
    pub tokenizer: &'a Tokenizer,
    /// Tokens that end a completion.
    pub stop_tokens: &'a [u32],
    /// Most samples decoding at once.
    pub max_batch: usize,
}

/// One request in the scheduler.
struct Job<'a> {
    request: &'a GenerationRequest,
    prompt: Vec<u32>,
    completions: Vec<Option<Completion>>,
    unfinished: usize,
    prefill: Option<Prefill>,
    error: Option<ModelError>,
}

/// A prefilled prompt, kept until every sample of its request has joined the batch.
struct Prefill {
    cache: KvCache,
    logits: Vec<f32>,
    waiting: usize,
}

/// One sample being decoded.
struct Sample {
    job: usize,
    index: usize,
    cache: KvCache,
    rng: SeededRng,
    transcript: Transcript,
    next: u32,
}

/// Runs the requests (their prompts already tokenized; a failed tokenization fails only its
/// request). `stream` receives the text of request 0's first sample as it grows; `on_done(i)`
/// is called when request `i` is finished.
pub(crate) fn run(
    decoder: &Decoder<'_>,
    requests: &[GenerationRequest],
    prompts: Vec<Result<Vec<u32>, ModelError>>,
    stream: &mut dyn FnMut(&str),
    on_done: &mut dyn FnMut(usize),
) -> Vec<Result<Vec<Completion>, ModelError>> {
    let mut scheduler = Scheduler {
        decoder,
        jobs: Vec::with_capacity(requests.len()),
        waiting: VecDeque::new(),
        active: Vec::new(),
        stream,
        on_done,
    };
    for (request, prompt) in requests.iter().zip(prompts) {
        scheduler.add(request, prompt);
    }
    while scheduler.admit() {
        scheduler.step();
    }
    scheduler
        .jobs
        .into_iter()
        .map(|job| match job.error {
            Some(e) => Err(e),
            None => Ok(job.completions.into_iter().flatten().collect()),
        })
        .collect()
}

struct Scheduler<'a, 'r> {
    decoder: &'a Decoder<'a>,
    jobs: Vec<Job<'r>>,
    /// Samples not yet started: (job, sample index).
    waiting: VecDeque<(usize, usize)>,
    active: Vec<Sample>,
    stream: &'a mut dyn FnMut(&str),
    on_done: &'a mut dyn FnMut(usize),
}

impl<'r> Scheduler<'_, 'r> {
    /// Queues a request's samples (or finishes it at once: failed tokenization, nothing to
    /// generate, a prompt longer than the context).
    fn add(&mut self, request: &'r GenerationRequest, prompt: Result<Vec<u32>, ModelError>) {
        let id = self.jobs.len();
        let limit = self.decoder.transformer.params().max_positions;
        let (prompt, error) = match prompt {
            Ok(p) if p.len() >= limit => {
                let positions = p.len() + 1;
                (p, Some(ModelError::ContextFull { positions, limit }))
            }
            Ok(p) => (p, None),
            Err(e) => (Vec::new(), Some(e)),
        };
        let mut job = Job {
            request,
            completions: vec![None; request.n],
            unfinished: request.n,
            prompt,
            prefill: None,
            error,
        };
        if job.error.is_none() && request.sampling.max_new_tokens == 0 {
            let empty = Transcript::default().finish(self.decoder, &job, FinishReason::Length);
            job.completions = match empty {
                Ok(c) => vec![Some(c); request.n],
                Err(e) => {
                    job.error = Some(e);
                    Vec::new()
                }
            };
            job.unfinished = 0;
        }
        let done = job.error.is_some() || job.unfinished == 0;
        self.jobs.push(job);
        if done {
            (self.on_done)(id);
        } else {
            self.waiting.extend((0..request.n).map(|i| (id, i)));
        }
    }

    /// Fills free slots with waiting samples, prefilling their prompts as needed. Returns
    /// whether anything is left to decode.
    fn admit(&mut self) -> bool {
        while self.active.len() < self.decoder.max_batch.max(1) {
            let Some(&(job, index)) = self.waiting.front() else {
                break;
            };
            if self.jobs[job].error.is_some() {
                self.waiting.pop_front();
                continue;
            }
            if self.jobs[job].prefill.is_none() {
                self.prefill_next();
                continue;
            }
            self.waiting.pop_front();
            self.start(job, index);
        }
        !self.active.is_empty()
    }

    /// Prefills the prompts of the requests whose samples are next in line for the free slots
    /// (at least one request; more while they fit in [`PREFILL_TOKENS`]).
    fn prefill_next(&mut self) {
        let free = self.decoder.max_batch.max(1) - self.active.len();
        let mut chosen: Vec<usize> = Vec::new();
        let mut tokens = 0;
        for &(job, _) in self.waiting.iter().take(free) {
            let j = &self.jobs[job];
            if j.prefill.is_some() || j.error.is_some() || chosen.contains(&job) {
                continue;
            }
            if !chosen.is_empty() && tokens + j.prompt.len() > PREFILL_TOKENS {
                break;
            }
            tokens += j.prompt.len();
            chosen.push(job);
        }
        let transformer = self.decoder.transformer;
        let mut caches: Vec<KvCache> = chosen.iter().map(|_| transformer.new_cache()).collect();
        let mut steps: Vec<Step<'_>> = caches
            .iter_mut()
            .zip(&chosen)
            .map(|(cache, &job)| Step {
                cache,
                tokens: &self.jobs[job].prompt,
            })
            .collect();
        match transformer.forward(&mut steps) {
            Ok(all_logits) => {
                for ((job, cache), logits) in chosen.into_iter().zip(caches).zip(all_logits) {
                    let waiting = self.jobs[job].unfinished;
                    self.jobs[job].prefill = Some(Prefill {
                        cache,
                        logits,
                        waiting,
                    });
                }
            }
            Err(e) => {
                for job in chosen {
                    self.fail(job, shared_error(&e));
                }
            }
        }
    }

    /// Starts sample `index` of `job` from its prefilled prompt: samples the first token and
    /// joins the batch unless that already finished it.
    fn start(&mut self, job: usize, index: usize) {
        let request = self.jobs[job].request;
        let Some(prefill) = self.jobs[job].prefill.as_mut() else {
            return;
        };
        prefill.waiting -= 1;
        let mut rng = SeededRng::new(request.sampling.seed.wrapping_add(index as u64));
        let (token, logprob) = sample(&prefill.logits, &request.sampling, &mut rng);
        // The last sample to start takes the prefilled cache itself.
        let cache = if prefill.waiting > 0 {
            prefill.cache.clone()
        } else {
            match self.jobs[job].prefill.take() {
                Some(last) => last.cache,
                None => return,
            }
        };
        let sample = Sample {
            job,
            index,
            cache,
            rng,
            transcript: Transcript::default(),
            next: token,
        };
        self.accept(sample, token, logprob);
    }

    /// One decoding step for every active sample.
    fn step(&mut self) {
        let mut steps: Vec<Step<'_>> = self
            .active
            .iter_mut()
            .map(|s| Step {
                cache: &mut s.cache,
                tokens: std::slice::from_ref(&s.next),
            })
            .collect();
        let result = self.decoder.transformer.forward(&mut steps);
        let samples = std::mem::take(&mut self.active);
        match result {
            Ok(all_logits) => {
                for (mut s, logits) in samples.into_iter().zip(all_logits) {
                    let params = &self.jobs[s.job].request.sampling;
                    let (token, logprob) = sample(&logits, params, &mut s.rng);
                    self.accept(s, token, logprob);
                }
            }
            Err(e) => {
                for s in samples {
                    self.fail(s.job, shared_error(&e));
                }
            }
        }
    }

    /// Adds a sampled token to a sample: it goes back into the batch, or its completion is
    /// recorded (samples of a failed request are dropped).
    fn accept(&mut self, mut s: Sample, token: u32, logprob: f32) {
        let job = &self.jobs[s.job];
        if job.error.is_some() {
            return;
        }
        let mut silent = |_: &str| {};
        let sink: &mut dyn FnMut(&str) = if s.job == 0 && s.index == 0 {
            &mut *self.stream
        } else {
            &mut silent
        };
        let limit = self.decoder.transformer.params().max_positions;
        let progress = s.transcript.push(
            self.decoder,
            job,
            token,
            logprob,
            s.cache.len() >= limit,
            sink,
        );
        match progress {
            Ok(None) => {
                s.next = token;
                self.active.push(s);
            }
            Ok(Some(completion)) => self.complete(s.job, s.index, completion),
            Err(e) => self.fail(s.job, e),
        }
    }

    fn complete(&mut self, job: usize, index: usize, completion: Completion) {
        let j = &mut self.jobs[job];
        if j.error.is_some() {
            return;
        }
        j.completions[index] = Some(completion);
        j.unfinished -= 1;
        if j.unfinished == 0 {
            (self.on_done)(job);
        }
    }

    /// Fails a request: its other samples are dropped.
    fn fail(&mut self, job: usize, error: ModelError) {
        let j = &mut self.jobs[job];
        if j.error.is_some() {
            return;
        }
        j.error = Some(error);
        j.prefill = None;
        j.completions.clear();
        self.active.retain(|s| s.job != job);
        (self.on_done)(job);
    }
}

/// The text generated so far by one sample.
#[derive(Default)]
struct Transcript {
    tokens: Vec<u32>,
    logprobs: Vec<f32>,
    /// Bytes of text already streamed.
    shown: usize,
}

impl Transcript {
    /// Adds a sampled token; returns the completion if this ends the sample (an end token, a
    /// stop string, the token budget, or a full context: `context_full`).
    fn push(
        &mut self,
        decoder: &Decoder<'_>,
        job: &Job<'_>,
        token: u32,
        logprob: f32,
        context_full: bool,
        sink: &mut dyn FnMut(&str),
    ) -> Result<Option<Completion>, ModelError> {
        let params: &SamplingParams = &job.request.sampling;
        if decoder.stop_tokens.contains(&token) {
            return self
                .finish_streaming(decoder, job, FinishReason::Stop, sink)
                .map(Some);
        }
        self.tokens.push(token);
        self.logprobs.push(logprob);
        let text = decode(decoder.tokenizer, &self.tokens)?;
        if let Some(cut) = crate::stop::cut(&text, params) {
            let text = text[..cut.keep].to_string();
            sink(text.get(self.shown..).unwrap_or(""));
            return Ok(Some(self.completion(text, job, FinishReason::StopString)));
        }
        // Stream only whole characters: a multi-byte character may span tokens.
        if !text.ends_with('\u{FFFD}')
            && text.len() > self.shown
            && text.is_char_boundary(self.shown)
        {
            sink(&text[self.shown..]);
            self.shown = text.len();
        }
        if self.tokens.len() >= params.max_new_tokens || context_full {
            return self
                .finish_streaming(decoder, job, FinishReason::Length, sink)
                .map(Some);
        }
        Ok(None)
    }

    /// The completion, after streaming whatever text was held back.
    fn finish_streaming(
        &mut self,
        decoder: &Decoder<'_>,
        job: &Job<'_>,
        finish: FinishReason,
        sink: &mut dyn FnMut(&str),
    ) -> Result<Completion, ModelError> {
        let text = decode(decoder.tokenizer, &self.tokens)?;
        if text.len() > self.shown && text.is_char_boundary(self.shown) {
            sink(&text[self.shown..]);
        }
        Ok(self.completion(text, job, finish))
    }

    /// The completion without streaming.
    fn finish(
        self,
        decoder: &Decoder<'_>,
        job: &Job<'_>,
        finish: FinishReason,
    ) -> Result<Completion, ModelError> {
        let text = decode(decoder.tokenizer, &self.tokens)?;
        Ok(self.completion(text, job, finish))
    }

    fn completion(&self, text: String, job: &Job<'_>, finish: FinishReason) -> Completion {
        Completion {
            text,
            tokens: self.tokens.clone(),
            logprobs: self.logprobs.clone(),
            finish,
            prompt_tokens: job.prompt.len(),
        }
    }
}

/// Text of token ids (special tokens dropped).
pub(crate) fn decode(tokenizer: &Tokenizer, ids: &[u32]) -> Result<String, ModelError> {
    tokenizer
        .decode(ids, true)
        .map_err(|e| ModelError::Tokenizer(e.to_string()))
}

/// A copy of an error shared by every request of a failed forward call.
fn shared_error(error: &ModelError) -> ModelError {
    ModelError::Candle(candle_core::Error::Msg(error.to_string()))
}
