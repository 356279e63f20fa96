//! Nanoseconds per hook of the Go race ABI, on the cases that matter:
//! - `read/same-epoch`: a word the goroutine already touched in this epoch
//!   (the common case: the check exits after one compare);
//! - `read/cold`: a word nobody touched since its allocation;
//! - `read/after-other-goroutine`: a word last written by another
//!   goroutine that synchronized with us (a full check against its cell);
//! - `acquire`, `release`: a mutex-style acquire and release.
//!
//! `cargo bench --bench hooks`. Timing is only reported, never asserted.

use core::ffi::c_void;
use std::hint::black_box;
use std::sync::OnceLock;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use hbsan::minigo::ffi::*;
use hbsan::minigo::{self, Goroutine};

struct Handle(*mut c_void);
// SAFETY: the benchmark drives the main goroutine from criterion's one thread.
unsafe impl Send for Handle {}
unsafe impl Sync for Handle {}

fn main_goroutine() -> *mut c_void {
    static MAIN: OnceLock<Handle> = OnceLock::new();
    MAIN.get_or_init(|| {
        // SAFETY: GORACE is read once, at init, on this thread.
        unsafe { std::env::set_var("GORACE", "atexit_sleep_ms=0") };
        Handle(minigo::init().handle())
    })
    .0
}

const WORDS: usize = 1 << 16;

fn bench(c: &mut Criterion) {
    let thr = main_goroutine();
    let pc = 0x1234 as *mut c_void;
    let mut buf = vec![0u64; WORDS];
    let base = buf.as_mut_ptr() as *mut c_void;

    let mut g = c.benchmark_group("hooks");
    g.bench_function("read/same-epoch", |b| {
        // SAFETY: live handle; addresses are only recorded.
        unsafe { __tsan_read(thr, base, pc) };
        b.iter(|| unsafe { __tsan_read(thr, black_box(base), pc) });
    });
    g.bench_function("write/same-epoch", |b| {
        unsafe { __tsan_write(thr, base, pc) };
        b.iter(|| unsafe { __tsan_write(thr, black_box(base), pc) });
    });
    g.bench_function("read/cold", |b| {
        b.iter_batched(
            || {
                // A fresh allocation: every word's shadow is empty.
                unsafe { __tsan_malloc(thr, pc, base, WORDS * 8) };
            },
            |()| {
                for i in 0..WORDS {
                    unsafe { __tsan_read(thr, black_box(base.wrapping_add(i * 8)), pc) };
                }
            },
            BatchSize::PerIteration,
        );
    });
    g.bench_function("read/after-other-goroutine", |b| {
        b.iter_batched(
            || {
                // Another goroutine writes every word, then hands over
                // through a channel-like release/acquire.
                let main = goroutine(thr);
                let addr = base as usize;
                main.go(hbsan::pc!(), move |g| {
                    for i in 0..WORDS {
                        unsafe {
                            __tsan_write(
                                g.handle(),
                                (addr + i * 8) as *mut c_void,
                                0x99 as *mut c_void,
                            )
                        };
                    }
                    unsafe { __tsan_release(g.handle(), 1 as *mut c_void) };
                })
                .join();
                unsafe { __tsan_acquire(thr, 1 as *mut c_void) };
            },
            |()| {
                for i in 0..WORDS {
                    unsafe { __tsan_read(thr, black_box(base.wrapping_add(i * 8)), pc) };
                }
            },
            BatchSize::PerIteration,
        );
    });
    let sync = 0x10_0000usize as *mut c_void;
    g.bench_function("release", |b| {
        b.iter(|| unsafe { __tsan_release(thr, black_box(sync)) })
    });
    g.bench_function("acquire", |b| {
        b.iter(|| unsafe { __tsan_acquire(thr, black_box(sync)) })
    });
    g.finish();
    drop(buf);
}

/// The main goroutine as a `Goroutine` (for starting goroutines).
fn goroutine(thr: *mut c_void) -> std::mem::ManuallyDrop<Goroutine> {
    std::mem::ManuallyDrop::new(Goroutine::from_handle(thr))
}

criterion_group!(benches, bench);
criterion_main!(benches);
