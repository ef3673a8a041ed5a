//! The process allocator: mimalloc for the many small, short-lived allocations of parsing
//! (about a quarter of a scan's time went to the system allocator), and the system allocator
//! for blocks of 4 MiB and more.
//!
//! Large blocks are the growing arrays of a scan (a million verdicts). The system allocator maps
//! them directly and grows them in place with `mremap`, without a copy; mimalloc would allocate,
//! copy and free, holding both copies at once and doubling the peak memory of a large scan.

use std::alloc::{GlobalAlloc, Layout, System};

const LARGE: usize = 4 << 20;

pub struct Allocator;

fn large(size: usize) -> bool {
    size >= LARGE
}

// SAFETY: every block is freed and resized by the allocator that made it: `Layout::size` is the
// size the block was allocated or last resized with (the `GlobalAlloc` contract), so `large`
// gives the same answer at allocation and at release; a resize across the threshold moves the
// block between allocators by copy.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe {
            if large(layout.size()) {
                System.alloc(layout)
            } else {
                mimalloc::MiMalloc.alloc(layout)
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe {
            if large(layout.size()) {
                System.alloc_zeroed(layout)
            } else {
                mimalloc::MiMalloc.alloc_zeroed(layout)
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe {
            if large(layout.size()) {
                System.dealloc(ptr, layout)
            } else {
                mimalloc::MiMalloc.dealloc(ptr, layout)
            }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        unsafe {
            match (large(layout.size()), large(new_size)) {
                (true, true) => System.realloc(ptr, layout, new_size),
                (false, false) => mimalloc::MiMalloc.realloc(ptr, layout, new_size),
                _ => {
                    let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
                    let new = self.alloc(new_layout);
                    if !new.is_null() {
                        std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                    new
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn blocks_cross_the_threshold_both_ways() {
        let mut v: Vec<u64> = (0..1000).collect();
        v.reserve(super::LARGE); // small -> large
        v.extend(1000..2_000_000);
        assert_eq!(v[1_999_999], 1_999_999);
        v.truncate(10);
        v.shrink_to_fit(); // large -> small
        assert_eq!(v, (0..10).collect::<Vec<_>>());
    }
}
