//! Resumable training state on disk: a directory holding the adapter (PEFT keys), the
//! optimizer's moments and `trainer_state.json` (step, random-generator state, loss history, a
//! fingerprint of the run). A new checkpoint is written into a fresh sibling directory and
//! swapped in by renames, so a kill at any moment leaves a complete checkpoint behind: the new
//! one, or the previous one under `<name>.old`.

use crate::error::{Result, TrainError};
use crate::optim::Moments;
use candle_core::{Device, Tensor};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Name prefix of the directories new checkpoints are written into before the swap.
const STAGING_PREFIX: &str = ".checkpoint-";
/// The adapter weights inside a checkpoint.
const ADAPTER_FILE: &str = "adapter_model.safetensors";
/// The optimizer moments inside a checkpoint.
const OPTIMIZER_FILE: &str = "optimizer.safetensors";
/// The state inside a checkpoint; written last, so its presence marks a complete checkpoint.
const STATE_FILE: &str = "trainer_state.json";

/// A checkpoint's contents.
#[derive(Debug, Clone)]
pub struct Checkpoint<S> {
    /// Adapter matrices under their PEFT keys.
    pub adapter: HashMap<String, Tensor>,
    /// Optimizer moments under the same keys.
    pub moments: HashMap<String, Moments>,
    /// Everything else (serialised as JSON).
    pub state: S,
}

/// Writes `checkpoint` to `dir`, replacing what was there only once the new one is complete.
pub fn save<S: Serialize>(dir: &Path, checkpoint: &Checkpoint<S>) -> Result<()> {
    let parent = parent_of(dir);
    std::fs::create_dir_all(parent).map_err(|e| TrainError::io(parent, e))?;
    remove_stale_staging(parent)?;
    let staging = tempfile::Builder::new()
        .prefix(STAGING_PREFIX)
        .tempdir_in(parent)
        .map_err(|e| TrainError::io(parent, e))?;
    let adapter_path = staging.path().join(ADAPTER_FILE);
    candle_core::safetensors::save(&checkpoint.adapter, &adapter_path)?;
    let optimizer_path = staging.path().join(OPTIMIZER_FILE);
    candle_core::safetensors::save(&moment_tensors(&checkpoint.moments), &optimizer_path)?;
    let state_path = staging.path().join(STATE_FILE);
    let state = serde_json::to_vec_pretty(&checkpoint.state)
        .map_err(|e| TrainError::json(&state_path, e))?;
    std::fs::write(&state_path, state).map_err(|e| TrainError::io(&state_path, e))?;
    for file in [&adapter_path, &optimizer_path, &state_path] {
        sync(file)?;
    }
    replace_dir(&staging.keep(), dir)
}

/// Reads the checkpoint in `dir` (or the previous one, if a save was cut short); `None` when
/// there is none.
pub fn load<S: for<'de> Deserialize<'de>>(dir: &Path) -> Result<Option<Checkpoint<S>>> {
    let Some(dir) = [dir.to_path_buf(), old_of(dir)]
        .into_iter()
        .find(|d| d.join(STATE_FILE).is_file())
    else {
        return Ok(None);
    };
    let state_path = dir.join(STATE_FILE);
    let text = std::fs::read(&state_path).map_err(|e| TrainError::io(&state_path, e))?;
    let state = serde_json::from_slice(&text).map_err(|e| TrainError::json(&state_path, e))?;
    let adapter = candle_core::safetensors::load(dir.join(ADAPTER_FILE), &Device::Cpu)?;
    let optimizer_path = dir.join(OPTIMIZER_FILE);
    let moments = split_moments(candle_core::safetensors::load(
        &optimizer_path,
        &Device::Cpu,
    )?)
    .map_err(|message| TrainError::Mismatch {
        path: optimizer_path,
        message,
    })?;
    Ok(Some(Checkpoint {
        adapter,
        moments,
        state,
    }))
}

fn moment_tensors(moments: &HashMap<String, Moments>) -> HashMap<String, Tensor> {
    moments
        .iter()
        .flat_map(|(key, m)| {
            [
                (format!("{key}.exp_avg"), m.first.clone()),
                (format!("{key}.exp_avg_sq"), m.second.clone()),
            ]
        })
        .collect()
}

fn split_moments(mut tensors: HashMap<String, Tensor>) -> Result<HashMap<String, Moments>, String> {
    let keys: Vec<String> = tensors
        .keys()
        .filter_map(|k| k.strip_suffix(".exp_avg").map(String::from))
        .collect();
    let mut moments = HashMap::new();
    for key in keys {
        let first = tensors.remove(&format!("{key}.exp_avg"));
        let second = tensors.remove(&format!("{key}.exp_avg_sq"));
        match (first, second) {
            (Some(first), Some(second)) => moments.insert(key, Moments { first, second }),
            _ => return Err(format!("{key}: incomplete moments")),
        };
    }
    match tensors.keys().next() {
        Some(extra) => Err(format!("unexpected tensor {extra}")),
        None => Ok(moments),
    }
}

/// Removes staging directories a killed save left behind.
fn remove_stale_staging(parent: &Path) -> Result<()> {
    let entries = std::fs::read_dir(parent).map_err(|e| TrainError::io(parent, e))?;
    for entry in entries.flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(STAGING_PREFIX)
        {
            std::fs::remove_dir_all(entry.path()).map_err(|e| TrainError::io(entry.path(), e))?;
        }
    }
    Ok(())
}

fn parent_of(dir: &Path) -> &Path {
    dir.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn old_of(dir: &Path) -> PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_os_string();
    name.push(".old");
    dir.with_file_name(name)
}

fn sync(path: &Path) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| TrainError::io(path, e))?;
    file.sync_all().map_err(|e| TrainError::io(path, e))
}

/// Moves `staged` to `dir`: the current `dir` first becomes `dir.old`, removed at the end.
fn replace_dir(staged: &Path, dir: &Path) -> Result<()> {
    let old = old_of(dir);
    if dir.exists() {
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(|e| TrainError::io(&old, e))?;
        }
        std::fs::rename(dir, &old).map_err(|e| TrainError::io(dir, e))?;
    }
    std::fs::rename(staged, dir).map_err(|e| TrainError::io(dir, e))?;
    sync(parent_of(dir))?;
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(|e| TrainError::io(&old, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoint(value: f32, step: usize) -> candle_core::Result<Checkpoint<usize>> {
        let t = Tensor::new(&[value, value], &Device::Cpu)?;
        Ok(Checkpoint {
            adapter: HashMap::from([("a".to_string(), t.clone())]),
            moments: HashMap::from([(
                "a".to_string(),
                Moments {
                    first: t.clone(),
                    second: (&t * 2.0)?,
                },
            )]),
            state: step,
        })
    }

    #[test]
    fn checkpoints_replace_each_other_and_survive_a_cut_save() -> Result<()> {
        let root = tempfile::tempdir().map_err(|e| TrainError::io("tempdir", e))?;
        let dir = root.path().join("checkpoint");
        assert!(load::<usize>(&dir)?.is_none());
        let stale = root.path().join(format!("{STAGING_PREFIX}killed"));
        std::fs::create_dir(&stale).map_err(|e| TrainError::io(&stale, e))?;
        save(&dir, &checkpoint(1.0, 1)?)?;
        save(&dir, &checkpoint(2.0, 2)?)?;
        let back = load::<usize>(&dir)?.ok_or(TrainError::Config("missing".into()))?;
        assert_eq!(back.state, 2);
        assert_eq!(back.moments["a"].second.to_vec1::<f32>()?, vec![4.0, 4.0]);
        assert_eq!(back.adapter["a"].to_vec1::<f32>()?, vec![2.0, 2.0]);
        assert!(!old_of(&dir).exists());
        assert!(!stale.exists());

        // A kill between the two renames leaves only `checkpoint.old`.
        std::fs::rename(&dir, old_of(&dir)).map_err(|e| TrainError::io(&dir, e))?;
        let back = load::<usize>(&dir)?.ok_or(TrainError::Config("missing".into()))?;
        assert_eq!(back.state, 2);
        save(&dir, &checkpoint(3.0, 3)?)?;
        assert_eq!(load::<usize>(&dir)?.map(|c| c.state), Some(3));
        assert!(!old_of(&dir).exists());
        Ok(())
    }
}
