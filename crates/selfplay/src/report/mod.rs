//! Per-round summaries (`crucible campaign status`) and the Markdown report with SVG charts.

mod charts;
mod render;
mod summary;
mod training;

pub use render::{render_text, write_report};
pub use summary::{BUCKETS, KindSummary, RoundSummary, summarize};
pub use training::{TrainingSummary, heldout_label};

#[cfg(test)]
mod tests;
