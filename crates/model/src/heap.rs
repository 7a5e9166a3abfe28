//! Keeps freed memory in the process heap while a model computes (training, generation).
//!
//! Every candle operation allocates a fresh output buffer, and a training step (or a long
//! prefill) frees and re-allocates gigabytes of them. With glibc's default settings each buffer of more than
//! 128 KiB (after adjustment, a few MiB) is a fresh `mmap` handed back with `munmap` when freed,
//! so every step faults in and zeroes all of its pages again: on the 0.5B model that was a third
//! of the training time, spent in the kernel. While a [`HeapReuse`] guard is alive, buffers of up
//! to 32 MiB come from the heap and freed memory stays there for the next step; dropping the
//! last guard restores glibc's defaults and hands the free memory back (`malloc_trim`). Peak
//! memory stays the same (measured in `BENCHMARKS.md`). Elsewhere than on glibc it does nothing.

use std::sync::Mutex;

/// Guards alive at the moment (the settings are process-wide).
static ACTIVE: Mutex<usize> = Mutex::new(0);

/// While alive, freed memory is kept in the heap for reuse (see the module documentation).
pub struct HeapReuse {
    _private: (),
}

impl HeapReuse {
    /// Switches the allocator to keep freed memory, unless another guard already did.
    pub fn begin() -> Self {
        let mut active = ACTIVE.lock().unwrap_or_else(|p| p.into_inner());
        if *active == 0 {
            settings::keep();
        }
        *active += 1;
        HeapReuse { _private: () }
    }
}

impl Drop for HeapReuse {
    fn drop(&mut self) {
        let mut active = ACTIVE.lock().unwrap_or_else(|p| p.into_inner());
        *active -= 1;
        if *active == 0 {
            settings::restore();
        }
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod settings {
    /// Largest buffer served from the heap: glibc's ceiling for `M_MMAP_THRESHOLD` on 64-bit.
    const MMAP_THRESHOLD: i32 = 32 << 20;
    /// Free memory at the top of the heap kept rather than returned (the largest `int`).
    const TRIM_THRESHOLD: i32 = i32::MAX;
    /// Extra memory requested whenever the heap grows, so growth happens rarely.
    const TOP_PAD: i32 = 256 << 20;
    /// glibc's defaults for the three settings (128 KiB each, per `mallopt(3)`).
    const DEFAULT: i32 = 128 << 10;

    pub fn keep() {
        // SAFETY: mallopt only changes allocator tunables; it is safe to call at any time.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
            libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
            libc::mallopt(libc::M_TOP_PAD, TOP_PAD);
        }
    }

    pub fn restore() {
        // SAFETY: as above; malloc_trim only releases free memory.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, DEFAULT);
            libc::mallopt(libc::M_TRIM_THRESHOLD, DEFAULT);
            libc::mallopt(libc::M_TOP_PAD, DEFAULT);
            libc::malloc_trim(0);
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod settings {
    pub fn keep() {}
    pub fn restore() {}
}
