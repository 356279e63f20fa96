//! `sync` and `sync/atomic`, calling the hooks where Go's `sync` package and
//! `runtime/race_amd64.s` do.

use core::ffi::c_void;
use core::sync::atomic::{AtomicI64, AtomicU32, Ordering::Relaxed};
use std::sync::{Condvar, Mutex as StdMutex};

use super::Pc;
use super::ffi::*;
use super::goroutine::Goroutine;

/// A real lock the detector cannot see, with condition-variable waiting.
#[derive(Default)]
struct Lock<T> {
    state: StdMutex<T>,
    changed: Condvar,
}

impl<T> Lock<T> {
    fn update<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let r = f(&mut self.state.lock().unwrap_or_else(|e| e.into_inner()));
        self.changed.notify_all();
        r
    }

    fn wait_until(&self, mut ready: impl FnMut(&mut T) -> bool) {
        let mut st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while !ready(&mut st) {
            st = self.changed.wait(st).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// `sync.Mutex`: Unlock releases, Lock acquires.
#[derive(Default)]
pub struct Mutex {
    locked: Lock<bool>,
}

impl Mutex {
    /// A new, unlocked mutex.
    pub fn new() -> Mutex {
        Mutex::default()
    }

    /// `m.Lock()`.
    pub fn lock(&self, g: &Goroutine) {
        self.locked
            .wait_until(|held| !core::mem::replace(held, true));
        g.acquire(self);
    }

    /// `m.Unlock()`.
    pub fn unlock(&self, g: &Goroutine) {
        g.release(self);
        self.locked.update(|held| *held = false);
    }
}

/// `sync.RWMutex`: Unlock releases to readers and writers (`readerSem`),
/// RUnlock releases-merges to writers (`writerSem`); RLock acquires
/// `readerSem`, Lock acquires both.
#[derive(Default)]
pub struct RwMutex {
    /// (writer holds it, number of readers)
    state: Lock<(bool, usize)>,
    reader_sem: u8,
    writer_sem: u8,
}

impl RwMutex {
    /// A new, unlocked lock.
    pub fn new() -> RwMutex {
        RwMutex::default()
    }

    /// `rw.RLock()`.
    pub fn rlock(&self, g: &Goroutine) {
        self.state.wait_until(|(w, r)| {
            if *w {
                return false;
            }
            *r += 1;
            true
        });
        g.acquire(&self.reader_sem);
    }

    /// `rw.RUnlock()`.
    pub fn runlock(&self, g: &Goroutine) {
        g.release_merge(&self.writer_sem);
        self.state.update(|(_, r)| *r -= 1);
    }

    /// `rw.Lock()`.
    pub fn lock(&self, g: &Goroutine) {
        self.state.wait_until(|(w, r)| {
            if *w || *r > 0 {
                return false;
            }
            *w = true;
            true
        });
        g.acquire(&self.reader_sem);
        g.acquire(&self.writer_sem);
    }

    /// `rw.Unlock()`.
    pub fn unlock(&self, g: &Goroutine) {
        g.release(&self.reader_sem);
        self.state.update(|(w, _)| *w = false);
    }
}

/// `sync.WaitGroup`: Done releases-merges, Wait acquires.
#[derive(Default)]
pub struct WaitGroup {
    count: Lock<i64>,
}

impl WaitGroup {
    /// A new WaitGroup with counter 0.
    pub fn new() -> WaitGroup {
        WaitGroup::default()
    }

    /// `wg.Add(n)`.
    pub fn add(&self, g: &Goroutine, n: i64) {
        if n < 0 {
            g.release_merge(self);
        }
        self.count.update(|c| {
            *c += n;
            assert!(*c >= 0, "sync: negative WaitGroup counter");
        });
    }

    /// `wg.Done()`.
    pub fn done(&self, g: &Goroutine) {
        self.add(g, -1);
    }

    /// `wg.Wait()`.
    pub fn wait(&self, g: &Goroutine) {
        self.count.wait_until(|c| *c == 0);
        g.acquire(self);
    }
}

/// `sync.Once`, as Go writes it: an atomic fast path and a mutex slow path.
#[derive(Default)]
pub struct Once {
    done: AtomicU32,
    m: Mutex,
}

impl Once {
    /// A new Once.
    pub fn new() -> Once {
        Once::default()
    }

    /// `once.Do(f)`.
    pub fn call(&self, g: &Goroutine, f: impl FnOnce()) {
        if atomic32_load(g, &self.done, crate::pc!()) == 0 {
            self.m.lock(g);
            if self.done.load(Relaxed) == 0 {
                g.read(&self.done, crate::pc!());
                f();
                atomic32_store(g, &self.done, 1, crate::pc!());
            }
            self.m.unlock(g);
        }
    }
}

/// Go's argument frame for 64-bit atomics: address, operand(s), result.
#[repr(C)]
struct Frame64 {
    addr: *const AtomicI64,
    a: i64,
    b: i64,
    ret: i64,
}

#[repr(C)]
struct Frame32 {
    addr: *const AtomicU32,
    a: u32,
    b: u32,
    ret: u32,
}

type AtomicHook = unsafe extern "C" fn(*mut c_void, *mut c_void, *mut c_void, *mut u8);

fn call64(g: &Goroutine, hook: AtomicHook, addr: &AtomicI64, a: i64, b: i64, pc: Pc) -> Frame64 {
    let mut f = Frame64 { addr, a, b, ret: 0 };
    // SAFETY: `f` is laid out as Go's frame for the operation, and `addr`
    // is a live, aligned atomic.
    unsafe {
        hook(
            g.thr(),
            core::ptr::null_mut(),
            pc.ptr(),
            &mut f as *mut Frame64 as *mut u8,
        )
    };
    f
}

fn atomic32_load(g: &Goroutine, v: &AtomicU32, pc: Pc) -> u32 {
    let mut f = Frame32 {
        addr: v,
        a: 0,
        b: 0,
        ret: 0,
    };
    // SAFETY: Go's frame for a 32-bit load: the result goes to +8.
    unsafe {
        __tsan_go_atomic32_load(
            g.thr(),
            core::ptr::null_mut(),
            pc.ptr(),
            &mut f as *mut Frame32 as *mut u8,
        )
    };
    f.a
}

fn atomic32_store(g: &Goroutine, v: &AtomicU32, x: u32, pc: Pc) {
    let mut f = Frame32 {
        addr: v,
        a: x,
        b: 0,
        ret: 0,
    };
    // SAFETY: Go's frame for a 32-bit store: the value is at +8.
    unsafe {
        __tsan_go_atomic32_store(
            g.thr(),
            core::ptr::null_mut(),
            pc.ptr(),
            &mut f as *mut Frame32 as *mut u8,
        )
    };
}

/// An `int64` used through `sync/atomic`.
#[derive(Default, Debug)]
pub struct AtomicInt64 {
    v: AtomicI64,
}

impl AtomicInt64 {
    /// A variable holding `v`.
    pub const fn new(v: i64) -> AtomicInt64 {
        AtomicInt64 {
            v: AtomicI64::new(v),
        }
    }

    /// `atomic.AddInt64(&v, delta)`: returns the new value (Go adds the
    /// delta to the old value the runtime returns).
    pub fn add(&self, g: &Goroutine, delta: i64, pc: Pc) -> i64 {
        let f = call64(g, __tsan_go_atomic64_fetch_add, &self.v, delta, 0, pc);
        f.b + delta
    }

    /// `atomic.LoadInt64(&v)`.
    pub fn load(&self, g: &Goroutine, pc: Pc) -> i64 {
        call64(g, __tsan_go_atomic64_load, &self.v, 0, 0, pc).a
    }

    /// `atomic.StoreInt64(&v, x)`.
    pub fn store(&self, g: &Goroutine, x: i64, pc: Pc) {
        call64(g, __tsan_go_atomic64_store, &self.v, x, 0, pc);
    }

    /// `atomic.SwapInt64(&v, x)`: returns the old value.
    pub fn swap(&self, g: &Goroutine, x: i64, pc: Pc) -> i64 {
        call64(g, __tsan_go_atomic64_exchange, &self.v, x, 0, pc).b
    }

    /// `atomic.CompareAndSwapInt64(&v, old, new)`.
    pub fn compare_and_swap(&self, g: &Goroutine, old: i64, new: i64, pc: Pc) -> bool {
        call64(
            g,
            __tsan_go_atomic64_compare_exchange,
            &self.v,
            old,
            new,
            pc,
        )
        .ret as u8
            != 0
    }

    /// The value, read without telling the detector (for printing after
    /// the program is done).
    pub fn peek(&self) -> i64 {
        self.v.load(Relaxed)
    }

    /// The variable's address, as Go code would take `&v`.
    pub fn as_ptr(&self) -> *const i64 {
        self.v.as_ptr()
    }
}
