//! Work counted rather than timed, for the tests that double an input and check that the work
//! roughly doubles (timings are not asserted: the machines that run the tests are shared).
//!
//! Two measures: the bytes allocated on the current thread (what copies cost), and the steps
//! the searches that could go quadratic report with [`step`] (key comparisons). Outside tests
//! [`step`] compiles to nothing.

/// Count `n` steps of work on this thread (tests only).
#[inline(always)]
pub(crate) fn step(n: usize) {
    #[cfg(test)]
    counting::STEPS.with(|s| s.set(s.get() + n as u64));
    #[cfg(not(test))]
    let _ = n;
}

#[cfg(test)]
pub(crate) use counting::measure;

#[cfg(test)]
mod counting {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    thread_local! {
        pub(super) static STEPS: Cell<u64> = const { Cell::new(0) };
        static BYTES: Cell<u64> = const { Cell::new(0) };
    }

    struct Counting;

    fn count(n: usize) {
        let _ = BYTES.try_with(|b| b.set(b.get() + n as u64));
    }

    // SAFETY: every call is passed to the system allocator unchanged; counting touches only a
    // thread-local integer, which allocates nothing.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, l: Layout) -> *mut u8 {
            count(l.size());
            unsafe { System.alloc(l) }
        }
        unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
            count(l.size());
            unsafe { System.alloc_zeroed(l) }
        }
        unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
            unsafe { System.dealloc(p, l) }
        }
        unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
            count(n);
            unsafe { System.realloc(p, l, n) }
        }
    }

    #[global_allocator]
    static ALLOCATOR: Counting = Counting;

    /// (bytes allocated, steps counted) by `f` on this thread.
    pub(crate) fn measure<T>(f: impl FnOnce() -> T) -> (u64, u64) {
        let (b0, s0) = (BYTES.with(Cell::get), STEPS.with(Cell::get));
        drop(f());
        (BYTES.with(Cell::get) - b0, STEPS.with(Cell::get) - s0)
    }
}
