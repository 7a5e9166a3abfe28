//! Seed derivation. Every random choice of a campaign comes from its seed and the parts that
//! name the choice (round, slot, stream), so a resumed or repeated campaign makes the same
//! ones. The values are stable forever: stored results depend on them.

/// The campaign's independent random streams; a stream's number is the last part of the seeds
/// derived for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stream {
    /// A proposal slot: the proposer's sampling, its topic, difficulty and mutation parent.
    Proposal,
    /// A task's first solver samples.
    Solve,
    /// A role's fine-tuning after a round (initialisation, split and order).
    Training,
    /// More solver samples for a pool task none of whose first samples passed.
    Retry,
    /// Held-out sampling of one problem.
    Heldout,
    /// The replayed conversations drawn for a role's training after a round.
    Replay,
}

impl Stream {
    /// The stream's number (fixed: changing one changes every seed derived from it).
    fn number(self) -> u64 {
        match self {
            Stream::Proposal => 1,
            Stream::Solve => 2,
            Stream::Training => 3,
            Stream::Retry => 4,
            Stream::Heldout => 7,
            Stream::Replay => 8,
        }
    }

    /// The seed for the choice named by `parts` in this stream: `derive` of the parts followed
    /// by the stream's number.
    pub(crate) fn seed(self, parts: &[u64]) -> u64 {
        absorb(derive(parts), self.number())
    }
}

/// A seed from several parts.
pub(crate) fn derive(parts: &[u64]) -> u64 {
    parts.iter().fold(0x5EED, |acc, &p| absorb(acc, p))
}

/// One more part folded into a seed.
fn absorb(acc: u64, part: u64) -> u64 {
    mix(acc ^ mix(part.wrapping_add(0x9E37_79B9_7F4A_7C15)))
}

/// SplitMix64's finaliser.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_stable_and_distinct() {
        assert_eq!(derive(&[0, 1, 2, 1]), derive(&[0, 1, 2, 1]));
        assert_ne!(derive(&[0, 1, 2, 1]), derive(&[0, 1, 3, 1]));
        assert_ne!(derive(&[0, 1, 2, 1]), derive(&[0, 1, 2, 2]));
        // Streams append their number: the seeds stored campaigns were made with.
        assert_eq!(Stream::Proposal.seed(&[5, 1, 2]), derive(&[5, 1, 2, 1]));
        assert_eq!(Stream::Heldout.seed(&[5, 3]), derive(&[5, 3, 7]));
        assert_eq!(Stream::Training.seed(&[12, 1, 0]), 0x3613_f4c1_5cd1_fcd3);
    }
}
