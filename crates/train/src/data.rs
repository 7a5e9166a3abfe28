//! Training data: JSONL conversations (`{"messages": [{"role": …, "content": …}, …]}`, the
//! layout campaigns export) rendered with the model's chat template, tokenized, and grouped into
//! length-bucketed, right-padded batches.
//!
//! The prompt is everything up to the last assistant message's content (the template's
//! `<|im_start|>assistant\n` included); the completion is that content plus the end-of-turn
//! token. Prompt and completion are tokenized separately, exactly as generation sees them.

use crate::error::{Result, TrainError};
use crucible_model::{ChatMessage, ChatTemplate, Role};
use serde::Deserialize;
use std::io::BufRead;
use std::path::Path;
use tokenizers::Tokenizer;

/// One tokenized conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingExample {
    /// Prompt tokens, then completion tokens.
    pub tokens: Vec<u32>,
    /// How many of `tokens` are the prompt (not scored).
    pub prompt_len: usize,
    /// How much each of its completion tokens counts in the loss: the JSONL line's optional
    /// `weight` (a campaign weights the proposer's puzzles by their reward), 1 by default.
    pub weight: f32,
}

impl TrainingExample {
    /// Completion tokens: the ones the loss scores.
    pub fn completion_len(&self) -> usize {
        self.tokens.len() - self.prompt_len
    }
}

/// Renders conversations with a model's chat template and tokenizer.
pub struct ChatFormat {
    tokenizer: Tokenizer,
    template: ChatTemplate,
    end_of_turn: u32,
}

impl ChatFormat {
    /// The tokenizer and template of a model (a GGUF file's metadata or a folder's files).
    pub fn from_parts(parts: &crucible_model::HfParts) -> Result<Self> {
        let tokenizer = parts.tokenizer.clone();
        let template = ChatTemplate::from_gguf_template(parts.chat_template.as_deref());
        let end_of_turn = tokenizer
            .token_to_id(&template.end_of_turn)
            .ok_or_else(|| {
                TrainError::Tokenizer(format!(
                    "no token `{}` in the vocabulary",
                    template.end_of_turn
                ))
            })?;
        Ok(ChatFormat {
            tokenizer,
            template,
            end_of_turn,
        })
    }

    /// The end-of-turn token (also used as padding, which is never scored).
    pub fn end_of_turn(&self) -> u32 {
        self.end_of_turn
    }

    /// Token ids of `text` (special tokens recognised).
    pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
        self.tokenizer
            .encode(text, false)
            .map(|e| e.get_ids().to_vec())
            .map_err(|e| TrainError::Tokenizer(e.to_string()))
    }

    /// The example of a conversation that ends with the assistant's reply.
    pub fn example(&self, messages: &[ChatMessage]) -> Result<TrainingExample, String> {
        let Some((reply, context)) = messages.split_last() else {
            return Err("no messages".into());
        };
        if reply.role != Role::Assistant {
            return Err("the last message is not the assistant's".into());
        }
        if !context.iter().any(|m| m.role == Role::User) {
            return Err("no user message".into());
        }
        if let Some(pos) = context.iter().skip(1).position(|m| m.role == Role::System) {
            return Err(format!(
                "message {} is a system message; only the first may be",
                pos + 2
            ));
        }
        let mut tokens = self
            .encode(&self.template.render(context))
            .map_err(|e| e.to_string())?;
        let prompt_len = tokens.len();
        tokens.extend(self.encode(&reply.content).map_err(|e| e.to_string())?);
        tokens.push(self.end_of_turn);
        Ok(TrainingExample {
            tokens,
            prompt_len,
            weight: 1.0,
        })
    }
}

/// A JSONL line.
#[derive(Deserialize)]
struct Line {
    messages: Vec<ChatMessage>,
    #[serde(default = "unit_weight")]
    weight: f32,
}

fn unit_weight() -> f32 {
    1.0
}

/// Examples read from a file.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// The usable examples, in file order.
    pub examples: Vec<TrainingExample>,
    /// Conversations longer than the length limit, left out.
    pub too_long: usize,
}

/// Reads a JSONL file of conversations; blank lines are skipped, malformed ones are errors.
/// Examples with more than `max_len` tokens are counted and left out (cutting them would drop
/// the end-of-turn token the model must learn).
pub fn read_jsonl(path: &Path, format: &ChatFormat, max_len: usize) -> Result<Dataset> {
    let file = std::fs::File::open(path).map_err(|e| TrainError::io(path, e))?;
    let mut data = Dataset::default();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| TrainError::io(path, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let error = |message: String| TrainError::Data {
            path: path.to_path_buf(),
            line: i + 1,
            message,
        };
        let parsed: Line = serde_json::from_str(&line).map_err(|e| error(e.to_string()))?;
        if !(parsed.weight.is_finite() && parsed.weight >= 0.0) {
            return Err(error(format!(
                "weight {} is not a finite number ≥ 0",
                parsed.weight
            )));
        }
        let example = TrainingExample {
            weight: parsed.weight,
            ..format.example(&parsed.messages).map_err(error)?
        };
        if example.tokens.len() > max_len {
            data.too_long += 1;
        } else {
            data.examples.push(example);
        }
    }
    Ok(data)
}

/// Right-padded examples: `inputs[r * len + p]` predicts `targets[r * len + p]` where `scored`.
/// With right padding and a causal mask, padding never influences real positions, so no
/// attention mask beyond the causal one is needed.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// Sequences.
    pub rows: usize,
    /// Positions per sequence.
    pub len: usize,
    /// Input tokens, `rows × len`.
    pub inputs: Vec<u32>,
    /// Next-token targets, `rows × len`.
    pub targets: Vec<u32>,
    /// Whether each position is scored (a completion token follows it).
    pub scored: Vec<bool>,
    /// The loss weight of each position (its example's weight).
    pub weights: Vec<f32>,
    /// Input tokens that are not padding.
    pub real_tokens: usize,
}

impl Batch {
    /// Packs `examples`, padding with `pad`.
    pub fn new(examples: &[&TrainingExample], pad: u32) -> Batch {
        let len = examples
            .iter()
            .map(|e| e.tokens.len().saturating_sub(1))
            .max()
            .unwrap_or(0);
        let size = examples.len() * len;
        let mut batch = Batch {
            rows: examples.len(),
            len,
            inputs: vec![pad; size],
            targets: vec![0; size],
            scored: vec![false; size],
            weights: vec![0.0; size],
            real_tokens: 0,
        };
        for (r, example) in examples.iter().enumerate() {
            let n = example.tokens.len().saturating_sub(1);
            let row = r * len;
            batch.inputs[row..row + n].copy_from_slice(&example.tokens[..n]);
            batch.targets[row..row + n].copy_from_slice(&example.tokens[1..]);
            let first_scored = example.prompt_len.saturating_sub(1);
            for flag in &mut batch.scored[row + first_scored..row + n] {
                *flag = true;
            }
            for weight in &mut batch.weights[row + first_scored..row + n] {
                *weight = example.weight;
            }
            batch.real_tokens += n;
        }
        batch
    }

    /// Positions the loss scores.
    pub fn scored_tokens(&self) -> usize {
        self.scored.iter().filter(|s| **s).count()
    }
}

/// Groups examples of similar length: sorted by length, then cut into batches of at most
/// `max_rows` sequences whose padded size (rows × longest) stays within `max_tokens` (a longer
/// example gets a batch of its own). Returns indices into `examples`.
pub fn bucket(examples: &[TrainingExample], max_tokens: usize, max_rows: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..examples.len()).collect();
    order.sort_by_key(|&i| examples[i].tokens.len());
    let mut batches: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    for i in order {
        let len = examples[i].tokens.len();
        if !current.is_empty()
            && (current.len() >= max_rows || (current.len() + 1) * len > max_tokens)
        {
            batches.push(std::mem::take(&mut current));
        }
        current.push(i);
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::test_model;

    fn example(len: usize, prompt_len: usize) -> TrainingExample {
        TrainingExample {
            tokens: (1..=len as u32).collect(),
            prompt_len,
            weight: 1.0,
        }
    }

    #[test]
    fn batch_scores_exactly_the_completion() {
        let (a, b) = (example(5, 3), example(3, 1));
        let batch = Batch::new(&[&a, &b], 99);
        assert_eq!((batch.rows, batch.len), (2, 4));
        assert_eq!(batch.inputs, vec![1, 2, 3, 4, 1, 2, 99, 99]);
        assert_eq!(batch.targets, vec![2, 3, 4, 5, 2, 3, 0, 0]);
        // Row 0: tokens 4, 5 are the completion, predicted at positions 2, 3.
        let expected = [false, false, true, true, true, true, false, false];
        assert_eq!(batch.scored, expected);
        assert_eq!(
            batch.scored_tokens(),
            a.completion_len() + b.completion_len()
        );
        assert_eq!(batch.real_tokens, 6);
    }

    #[test]
    fn buckets_group_lengths_within_the_budget() {
        let examples: Vec<TrainingExample> =
            [9, 2, 8, 3, 30].iter().map(|&n| example(n, 1)).collect();
        let batches = bucket(&examples, 20, 8);
        assert_eq!(batches, vec![vec![1, 3], vec![2, 0], vec![4]]);
        assert_eq!(
            bucket(&examples, 1000, 2),
            vec![vec![1, 3], vec![2, 0], vec![4]]
        );
        let mut all: Vec<usize> = bucket(&examples, 1, 1).concat();
        all.sort_unstable();
        assert_eq!(all, vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn conversations_render_with_the_template() -> Result<()> {
        let Some(path) = test_model() else {
            return Ok(());
        };
        let format = ChatFormat::from_parts(&crucible_model::hf_parts(&path)?)?;
        let messages = [
            ChatMessage::user("Add 2 and 2."),
            ChatMessage {
                role: Role::Assistant,
                content: "4".into(),
            },
        ];
        let ex = format.example(&messages).map_err(TrainError::Config)?;
        let template = ChatTemplate::smollm();
        let prompt = format.encode(&template.render(&messages[..1]))?;
        assert_eq!(&ex.tokens[..ex.prompt_len], prompt.as_slice());
        let mut completion = format.encode("4")?;
        completion.push(format.end_of_turn());
        assert_eq!(&ex.tokens[ex.prompt_len..], completion.as_slice());
        assert_eq!(
            format
                .tokenizer
                .id_to_token(format.end_of_turn())
                .as_deref(),
            Some("<|im_end|>")
        );

        assert!(format.example(&messages[..1]).is_err());
        assert!(format.example(&[messages[1].clone()]).is_err());
        let late_system = [
            messages[0].clone(),
            ChatMessage::system("x"),
            messages[1].clone(),
        ];
        assert!(format.example(&late_system).is_err());

        let dir = tempfile::tempdir().map_err(|e| TrainError::io("tempdir", e))?;
        let file = dir.path().join("d.jsonl");
        let good = r#"{"messages": [{"role": "user", "content": "Add 2 and 2."}, {"role": "assistant", "content": "4"}]}"#;
        let long = format!(
            r#"{{"messages": [{{"role": "user", "content": "{}"}}, {{"role": "assistant", "content": "4"}}]}}"#,
            "word ".repeat(100)
        );
        std::fs::write(&file, format!("{good}\n\n{long}\n"))
            .map_err(|e| TrainError::io(&file, e))?;
        let data = read_jsonl(&file, &format, 64)?;
        assert_eq!((data.examples.len(), data.too_long), (1, 1));
        assert_eq!(data.examples[0], ex);
        std::fs::write(&file, format!("{good}\n{{\"messages\": 3}}\n"))
            .map_err(|e| TrainError::io(&file, e))?;
        let err = read_jsonl(&file, &format, 64).err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("d.jsonl:2:")));
        // An optional weight; a negative one is an error.
        let weighted = good.replacen('{', r#"{"weight": 0.25, "#, 1);
        std::fs::write(&file, format!("{weighted}\n{good}\n"))
            .map_err(|e| TrainError::io(&file, e))?;
        let data = read_jsonl(&file, &format, 64)?;
        let weights: Vec<f32> = data.examples.iter().map(|e| e.weight).collect();
        assert_eq!(weights, vec![0.25, 1.0]);
        std::fs::write(&file, good.replacen('{', r#"{"weight": -1, "#, 1))
            .map_err(|e| TrainError::io(&file, e))?;
        let err = read_jsonl(&file, &format, 64).err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("d.jsonl:1:") && e.contains("weight")));
        Ok(())
    }
}
