//! Stand-in tuners: one that records its jobs and writes placeholder outputs, one that refuses
//! every base.

use crucible_selfplay::{TrainRole, TuneError, TuneJob, Tuned, Tuner};
use std::path::Path;

/// Records the jobs it is given and writes stand-in outputs (no real training).
#[derive(Default)]
pub(crate) struct RecordingTuner {
    /// (role, round, training lines, continued from)
    pub(crate) jobs: Vec<(TrainRole, u32, usize, Option<std::path::PathBuf>)>,
    /// The base model of each job.
    pub(crate) bases: Vec<String>,
}

impl Tuner for RecordingTuner {
    fn tune(
        &mut self,
        job: &TuneJob<'_>,
        progress: &mut dyn FnMut(&str),
    ) -> Result<Tuned, TuneError> {
        progress("step 1/1");
        let lines = std::fs::read_to_string(job.data)
            .map_err(TuneError::failed)?
            .lines()
            .count();
        for (dir, file) in [
            (job.adapter_dir, "adapter_config.json"),
            (job.model_dir, "config.json"),
        ] {
            std::fs::create_dir_all(dir).map_err(TuneError::failed)?;
            std::fs::write(dir.join(file), "{}").map_err(TuneError::failed)?;
        }
        self.bases.push(job.base.to_string());
        self.jobs.push((
            job.role,
            job.round,
            lines,
            job.init_adapter.map(Path::to_path_buf),
        ));
        Ok(Tuned {
            examples: lines,
            final_loss: Some(1.0),
        })
    }
}

/// A tuner that cannot train its base.
pub(crate) struct RefusingTuner;

impl Tuner for RefusingTuner {
    fn check(&self, base: &str) -> Result<(), TuneError> {
        Err(TuneError::Unsupported(format!(
            "{base} is not a .gguf file"
        )))
    }

    fn tune(&mut self, _: &TuneJob<'_>, _: &mut dyn FnMut(&str)) -> Result<Tuned, TuneError> {
        panic!("a base that cannot be trained is never tuned")
    }
}
