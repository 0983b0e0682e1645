//! The allocator of every binary that runs the server (the server itself, the benchmark, the
//! tests): mimalloc. With glibc's malloc, allocating and freeing took about a quarter of the
//! server's CPU under batch load (README, Benchmark); mimalloc's thread-local free lists made the
//! batch update 15–20% faster end to end.
//!
//! The one module where `unsafe` is allowed: mimalloc's options are set through its C API.
#![allow(unsafe_code)]

/// Set here, once per binary that links the server.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc 3's `mi_option_e` (`mimalloc.h`): how long freed memory
/// is kept before it is given back to the OS. Not exported as a constant by `libmimalloc-sys`;
/// the test below checks that this index holds that option's default (1000 ms in
/// mimalloc 3's `options.c`; no neighbouring option has it).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long freed memory is kept for reuse before it goes back to the OS, in milliseconds.
///
/// Not 0: given back at once, the few MiB a batch of 1,000 contacts allocates were faulted in
/// again by the next batch, and the page faults and `madvise` calls were a third of the
/// server's CPU in a deep-change batch (perf, 5 batches: 500 samples at 0 ms, 329 at 25 ms;
/// the open-loop PUT p99 fell from 140 to 10 ms in the same pair of runs). Not mimalloc's
/// default second either: at 8 concurrent batches that kept the peak RSS at 142 MiB where
/// 25 ms keeps it at 110-116 (README, Benchmark).
pub const PURGE_DELAY_MS: std::os::raw::c_long = 25;

/// Sets the purge delay to [`PURGE_DELAY_MS`]. Call at start. `MIMALLOC_PURGE_DELAY` in the
/// environment, read by mimalloc itself, wins.
pub fn return_freed_memory_soon() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: sets an integer option, which mimalloc allows at any time.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, PURGE_DELAY_MS) };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The index names the purge delay: its default is 1000 (ms), and setting it reads back.
    /// (Other tests of this binary do not touch it; the default is read before setting.)
    #[test]
    fn purge_delay_is_the_option_set() {
        // SAFETY: reads and sets an integer option.
        let default = unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) };
        assert_eq!(default, 1000, "mimalloc's option {PURGE_DELAY} is not the purge delay (default 1000 ms)");
        return_freed_memory_soon();
        // SAFETY: as above.
        assert_eq!(unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) }, PURGE_DELAY_MS);
    }
}
