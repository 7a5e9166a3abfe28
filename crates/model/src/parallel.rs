//! Work split across our kernels' thread pool ([`crate::pool`]), whose size follows
//! `RAYON_NUM_THREADS`.

use std::ops::Range;

/// Work below this many multiply-adds (about 10 µs) runs on the calling thread: waking the
/// pool and waiting at its barrier costs more, and much more when other processes hold the cores.
const SERIAL_WORK: usize = 1 << 20;

/// Calls `f` on ranges covering `0..items`, spread over the pool when `work` (multiply-adds,
/// roughly) is worth it, else at once on this thread.
pub(crate) fn for_each_range(items: usize, work: usize, f: impl Fn(Range<usize>) + Sync) {
    if work < SERIAL_WORK || items < 2 {
        f(0..items);
    } else {
        if candle_pool() {
            candle_core::utils::barrier_pool().execute_chunked(items, f);
        } else {
            crate::pool::pool().run(items, &f);
        }
    }
}

/// Whether `CRUCIBLE_CANDLE_POOL` asks for candle's barrier pool instead of ours (for an A/B of
/// the two in one build; read once).
fn candle_pool() -> bool {
    static CANDLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *CANDLE.get_or_init(|| std::env::var_os("CRUCIBLE_CANDLE_POOL").is_some())
}

/// Calls `f(i, row_i)` for every `width`-wide row of `out`, rows spread over the pool when
/// `work_per_row` times the rows is worth it (see [`for_each_range`]).
pub(crate) fn for_each_row(
    out: &mut [f32],
    width: usize,
    work_per_row: usize,
    f: impl Fn(usize, &mut [f32]) + Sync,
) {
    if width == 0 {
        return;
    }
    let rows = out.len() / width;
    let base = Base(out.as_mut_ptr());
    for_each_range(rows, rows * work_per_row, |range| {
        for row in range {
            // SAFETY: rows are disjoint slices of `out`, which outlives the call, and
            // the ranges cover each row index once.
            let slice = unsafe { base.row(row, width) };
            f(row, slice);
        }
    });
}

/// The start of a buffer shared by workers that write disjoint parts of it.
#[derive(Clone, Copy)]
pub(crate) struct Base(pub(crate) *mut f32);

// SAFETY: users write disjoint elements only (see the callers).
unsafe impl Send for Base {}
// SAFETY: as above.
unsafe impl Sync for Base {}

impl Base {
    /// `width` elements from `row * width`.
    ///
    /// # Safety
    /// They must lie inside the buffer, which must outlive the slice, and nobody else may
    /// access them meanwhile.
    pub(crate) unsafe fn row<'a>(self, row: usize, width: usize) -> &'a mut [f32] {
        // SAFETY: guaranteed by the caller.
        unsafe { std::slice::from_raw_parts_mut(self.0.add(row * width), width) }
    }

    /// `len` elements from `offset`.
    ///
    /// # Safety
    /// As for [`Base::row`].
    pub(crate) unsafe fn slice<'a>(self, offset: usize, len: usize) -> &'a mut [f32] {
        // SAFETY: guaranteed by the caller.
        unsafe { std::slice::from_raw_parts_mut(self.0.add(offset), len) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_visited_once() {
        let mut out = vec![0f32; 5 * 3];
        for_each_row(&mut out, 3, 1 << 20, |i, row| {
            for v in row.iter_mut() {
                *v += i as f32;
            }
        });
        assert_eq!(
            out,
            [0., 0., 0., 1., 1., 1., 2., 2., 2., 3., 3., 3., 4., 4., 4.]
        );
    }
}
