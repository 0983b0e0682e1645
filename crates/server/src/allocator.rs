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

/// Gives freed memory back to the OS at once rather than after mimalloc's default second: a
/// batch of 1,000 contacts allocates and frees a few MiB, and at 8 concurrent batches the kept
/// memory raised the peak RSS from 108 to 142 MiB for no measurable speed. Call at start.
/// `MIMALLOC_PURGE_DELAY` in the environment, read by mimalloc itself, wins.
pub fn return_freed_memory_at_once() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: sets an integer option, which mimalloc allows at any time.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) };
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
        // SAFETY: as above.
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) };
        // SAFETY: as above.
        assert_eq!(unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) }, 0);
    }
}
