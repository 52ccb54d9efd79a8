//! The adapter's memory allocator, tuned for the hub's fresh instance per message.
//!
//! Rust's own allocator on `wasm32-unknown-unknown` gets every byte of heap by growing the
//! linear memory, so each instance grows it on its first allocation. The host then has to
//! change the memory's protection twice per message (once for the growth, once to shrink
//! it back for the next instance in the slot), system calls that cost more than the mapping
//! of a small message itself. This allocator is the same dlmalloc, handed first a zeroed
//! arena that is part of the module's initial memory; only a message that needs more than
//! [`ARENA_BYTES`] grows the memory.
//!
//! It is installed as the global allocator by the `allocator` feature, on by default; an
//! adapter that wants its own allocator turns the SDK's default features off.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::{Cell, UnsafeCell};
use core::ptr;

/// Bytes of heap an instance has before it grows its memory: enough for messages of tens of
/// kilobytes and the values made from them.
pub const ARENA_BYTES: usize = 1024 * 1024;

/// Wasm page size.
const PAGE: usize = 64 * 1024;

/// The arena: zero-initialised, so it lives in the module's `.bss` and costs no bytes in the
/// component, only address space in each instance's memory.
#[repr(C, align(16))]
struct Arena(UnsafeCell<[u8; ARENA_BYTES]>);

// SAFETY: `wasm32-unknown-unknown` without the `atomics` feature runs one thread.
unsafe impl Sync for Arena {}

static ARENA: Arena = Arena(UnsafeCell::new([0; ARENA_BYTES]));

/// Where dlmalloc gets its segments: the arena once, then memory growth.
struct Segments {
    arena_given: Cell<bool>,
}

// SAFETY: every region handed out is either the arena (given once, never again) or fresh
// pages from `memory.grow`, both zeroed and owned by dlmalloc from then on.
unsafe impl dlmalloc::Allocator for Segments {
    fn alloc(&self, size: usize) -> (*mut u8, usize, u32) {
        if !self.arena_given.get() && size <= ARENA_BYTES {
            self.arena_given.set(true);
            return (ARENA.0.get().cast::<u8>(), ARENA_BYTES, 0);
        }
        let pages = size.div_ceil(PAGE);
        let previous = core::arch::wasm32::memory_grow(0, pages);
        if previous == usize::MAX {
            return (ptr::null_mut(), 0, 0);
        }
        ((previous * PAGE) as *mut u8, pages * PAGE, 0)
    }

    fn remap(&self, _ptr: *mut u8, _old: usize, _new: usize, _can_move: bool) -> *mut u8 {
        ptr::null_mut()
    }

    fn free_part(&self, _ptr: *mut u8, _old: usize, _new: usize) -> bool {
        false
    }

    fn free(&self, _ptr: *mut u8, _size: usize) -> bool {
        false
    }

    fn can_release_part(&self, _flags: u32) -> bool {
        false
    }

    fn allocates_zeros(&self) -> bool {
        true
    }

    fn page_size(&self) -> usize {
        PAGE
    }
}

/// The global allocator: dlmalloc over [`Segments`].
pub struct ArenaAllocator(UnsafeCell<dlmalloc::Dlmalloc<Segments>>);

// SAFETY: one thread, as above.
unsafe impl Sync for ArenaAllocator {}

impl ArenaAllocator {
    const fn new() -> Self {
        Self(UnsafeCell::new(dlmalloc::Dlmalloc::new_with_allocator(
            Segments {
                arena_given: Cell::new(false),
            },
        )))
    }
}

// SAFETY: forwards to dlmalloc, which upholds `GlobalAlloc`'s contract; one thread, so the
// exclusive borrow of its state never overlaps another.
unsafe impl GlobalAlloc for ArenaAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { (*self.0.get()).malloc(layout.size(), layout.align()) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe { (*self.0.get()).calloc(layout.size(), layout.align()) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { (*self.0.get()).free(ptr, layout.size(), layout.align()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        unsafe { (*self.0.get()).realloc(ptr, layout.size(), layout.align(), new_size) }
    }
}

#[global_allocator]
static GLOBAL: ArenaAllocator = ArenaAllocator::new();
