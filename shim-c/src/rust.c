/*
 * rust.c — the synchronization of Rust's precompiled standard library.
 *
 * `hbsan cargo` builds Rust programs with rustc's ThreadSanitizer
 * instrumentation, but std comes precompiled without it. Code that std
 * inlines or instantiates into the program (generic and #[inline]
 * functions: Mutex::lock's fast path, MutexGuard's unlock, Arc, channels,
 * atomics) is instrumented and reports its atomics; what runs inside std's
 * own object code is invisible. These hooks supply the edges std's object
 * code makes between the program's instrumented code:
 *
 * | std function (called by instrumented code)  | edge                                       |
 * |---------------------------------------------|--------------------------------------------|
 * | sys Mutex::lock_contended(m)                | acquire m after (std took the lock)        |
 * | sys RwLock::read_/write_contended(l)        | acquire l's words after                    |
 * | sys Condvar::wait/wait_timeout(c, m, ..)    | release m before, acquire m after          |
 * | sys Once::call(o, _, f)                     | release o when f returns, acquire o after  |
 * | Once::wait/wait_force(o)                    | acquire o after                            |
 * | Barrier::wait(b)                            | release b before, acquire b after          |
 * | ScopeData::decrement_num_running_threads(s) | release into s's words before              |
 * | thread::park / park_timeout                 | acquire the thread's parker after          |
 * | Stdout/Stderr/Stdin::lock, Stdin::lines     | acquire the returned guard's lock after    |
 *
 * The other halves are instrumented: an unlock is an inlined Release swap
 * or fetch_sub on the lock word, Once::is_completed an inlined Acquire load,
 * Thread::unpark an inlined Release swap on the parker, thread::scope's
 * wait an inlined Acquire load of the running-thread count.
 *
 * `hbsan cargo` links each hook through `ld --wrap`: for every such std
 * function it generates `__wrap_<symbol>`, which calls the hook here with
 * `__real_<symbol>` (the function itself) and all six argument registers,
 * so the hooks need not know an argument list beyond what they use (a
 * #[track_caller] function has one more, hidden). Only calls from the
 * program's code are wrapped; std's calls to itself stay as they are.
 *
 * Some edges need an address std keeps to itself:
 * - a parker: std's Thread::unpark (instrumented) swaps NOTIFIED into the
 *   parker's state word, park consumes it inside std. The futex wait a park
 *   makes when it sleeps (value PARKED, u32::MAX) names the word; the
 *   syscall interceptor below sees it. A park that finds its token at once
 *   makes no system call, so the word's place in a thread's data is learnt
 *   before main: the main thread parks with a zero timeout (its token is
 *   still empty, so it sleeps, for no time), and the distance from its
 *   handle (thread::current(), an Arc's pointer) to the word it waited on
 *   locates every thread's parker from its handle.
 * - a scope's running-thread count: its offset in ScopeData is the
 *   compiler's choice, so the release goes into each of the struct's three
 *   words (the instrumented load in thread::scope acquires from the right
 *   one; the others are never acquired).
 * - a standard stream's lock: Stdout::lock & co. lock inside std and return a
 *   guard whose drop, instantiated in the program, unlocks (an instrumented
 *   Release swap) somewhere inside the locked object; the acquire goes to
 *   each 32-bit word of the object's first GUARD_WINDOW bytes (the others
 *   are never released into: nothing there is an atomic the program uses).
 *
 * Frees: an Arc's block is freed by whoever drops the last reference, after
 * a Release decrement of the count and an Acquire fence. When that happens
 * inside std (a thread's own handle, dropped by std as the thread exits),
 * the free is not ordered after the program's instrumented uses of the
 * block (Thread::unpark's swap, the other handles' decrements). So before a
 * free is checked, the freeing thread acquires the two words an ArcInner
 * starts with (strong and weak counts): what std's last drop did, modelled
 * for every block (a block whose first words are not an Arc's counts
 * usually holds no synchronization there).
 *
 * One more thing std brings: Arc's last drop orders the free with an
 * Acquire fence after a Release decrement. The runtime only records what
 * relaxed loads read once some thread has executed a fence, so a program
 * whose first fence is an Arc's would lose its first edge: in Rust programs
 * the fence model is armed at start-up.
 */
#define _GNU_SOURCE
#include "real.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

/* What a wrapped function returns: both return registers, so that a
 * function returning a pair (a guard: pointer and flag) comes back whole. */
typedef struct {
    uintptr_t r0, r1;
} hbsan_rust_ret;

/* A wrapped std function, with the six argument registers. */
typedef hbsan_rust_ret (*hbsan_rust_real)(uintptr_t, uintptr_t, uintptr_t, uintptr_t, uintptr_t,
                                          uintptr_t);

#define ARGS uintptr_t a0, uintptr_t a1, uintptr_t a2, uintptr_t a3, uintptr_t a4, uintptr_t a5
#define FORWARD(real) (real)(a0, a1, a2, a3, a4, a5)

/* The hooks; `hbsan cargo`'s generated glue calls them (see src/cargo/). */
HBSAN_HIDDEN hbsan_rust_ret hbsan_rust_acquire_after(hbsan_rust_real real, ARGS);
HBSAN_HIDDEN hbsan_rust_ret hbsan_rust_rwlock_acquire_after(hbsan_rust_real real, ARGS);
HBSAN_HIDDEN hbsan_rust_ret hbsan_rust_condvar_wait(hbsan_rust_real real, ARGS);
HBSAN_HIDDEN hbsan_rust_ret hbsan_rust_once_call(hbsan_rust_real real, ARGS);
HBSAN_HIDDEN hbsan_rust_ret hbsan_rust_release_acquire_around(hbsan_rust_real real, ARGS);
HBSAN_HIDDEN hbsan_rust_ret hbsan_rust_scope_release_before(hbsan_rust_real real, ARGS);
HBSAN_HIDDEN hbsan_rust_ret hbsan_rust_park(hbsan_rust_real real, ARGS);
HBSAN_HIDDEN hbsan_rust_ret hbsan_rust_guard_acquire_after(hbsan_rust_real real, ARGS);

/* ---- locks ------------------------------------------------------------------------ */

/* a0 is the lock, held when the real function returns. */
hbsan_rust_ret hbsan_rust_acquire_after(hbsan_rust_real real, ARGS) {
    hbsan_rust_ret r = FORWARD(real);
    if (!hbsan_forward_only())
        __hbsan_acquire((void *)a0);
    return r;
}

/* sys RwLock is two 32-bit words (state, writer_notify) in an order the
 * compiler picks; the instrumented unlocks release into the state word, the
 * other is never released into. */
hbsan_rust_ret hbsan_rust_rwlock_acquire_after(hbsan_rust_real real, ARGS) {
    hbsan_rust_ret r = FORWARD(real);
    if (!hbsan_forward_only()) {
        __hbsan_acquire((void *)a0);
        __hbsan_acquire((void *)(a0 + 4));
    }
    return r;
}

/* Condvar::wait(cv = a0, mutex = a1 [, timeout]): std unlocks the mutex
 * (a Release swap inside std) and locks it again before returning. */
hbsan_rust_ret hbsan_rust_condvar_wait(hbsan_rust_real real, ARGS) {
    if (hbsan_forward_only())
        return FORWARD(real);
    __hbsan_release((void *)a1);
    hbsan_rust_ret r = FORWARD(real);
    __hbsan_acquire((void *)a1);
    return r;
}

/* ---- Once ---------------------------------------------------------------------------- */

/* Once::call(once = a0, ignore_poisoning = a1, f = &mut dyn FnMut(&OnceState)
 * as data a2 and vtable a3, ...). std stores COMPLETE (a Release swap inside
 * std) right after f returns, and readers then find it with an instrumented
 * Acquire load, so the release must happen before that store: f is called
 * through a closure of our own whose call_mut releases once f has returned.
 *
 * A trait object's vtable: drop_in_place (NULL when there is nothing to
 * drop), size, align, then the methods: FnOnce::call_once, FnMut::call_mut. */
enum { VT_DROP, VT_SIZE, VT_ALIGN, VT_CALL_ONCE, VT_CALL_MUT, VT_LEN };

struct once_closure {
    uintptr_t data;
    const uintptr_t *vtable;
    void *once;
};

typedef void (*call_mut_fn)(uintptr_t data, void *state);

static void once_call_mut(struct once_closure *c, void *state) {
    ((call_mut_fn)c->vtable[VT_CALL_MUT])(c->data, state);
    if (!hbsan_forward_only())
        __hbsan_release(c->once);
}

static void once_call_once(void) {
    hbsan_shim_die("std::sync::Once called its closure by value", NULL);
}

static const uintptr_t once_vtable[VT_LEN] = {
    [VT_DROP] = 0,
    [VT_SIZE] = sizeof(struct once_closure),
    [VT_ALIGN] = _Alignof(struct once_closure),
    [VT_CALL_ONCE] = (uintptr_t)once_call_once,
    [VT_CALL_MUT] = (uintptr_t)once_call_mut,
};

/* Whether `vt` looks like the vtable of a closure: a plausible size and
 * alignment and two methods. Otherwise the closure is left alone and the
 * release happens after Once::call returns (a reader that sees COMPLETE in
 * between would miss it). */
static int closure_vtable(const uintptr_t *vt) {
    uintptr_t align = vt[VT_ALIGN];
    return vt[VT_SIZE] < (1u << 20) && align != 0 && (align & (align - 1)) == 0 &&
           align <= 4096 && vt[VT_CALL_ONCE] != 0 && vt[VT_CALL_MUT] != 0;
}

hbsan_rust_ret hbsan_rust_once_call(hbsan_rust_real real, ARGS) {
    if (hbsan_forward_only() || a3 == 0)
        return FORWARD(real);
    const uintptr_t *vt = (const uintptr_t *)a3;
    hbsan_rust_ret r;
    if (closure_vtable(vt)) {
        struct once_closure c;
        c.data = a2;
        c.vtable = vt;
        c.once = (void *)a0;
        r = real(a0, a1, (uintptr_t)&c, (uintptr_t)once_vtable, a4, a5);
    } else {
        r = FORWARD(real);
        __hbsan_release((void *)a0);
    }
    /* Every caller leaves with the Once complete (or panics): the waiters
     * take what the initializer published. */
    __hbsan_acquire((void *)a0);
    return r;
}

/* ---- Barrier ------------------------------------------------------------------------- */

/* Barrier::wait(b = a0): everything before any thread's wait happens
 * before everything after every thread's wait of the same round (also
 * ThreadSanitizer's model of pthread_barrier_wait: a thread that is already
 * in the next round when a slow one leaves publishes to it early). */
hbsan_rust_ret hbsan_rust_release_acquire_around(hbsan_rust_real real, ARGS) {
    if (hbsan_forward_only())
        return FORWARD(real);
    __hbsan_release((void *)a0);
    hbsan_rust_ret r = FORWARD(real);
    __hbsan_acquire((void *)a0);
    return r;
}

/* ---- thread::scope ------------------------------------------------------------------- */

/* ScopeData::decrement_num_running_threads(s = a0, panicked): a scoped thread
 * is done; the count's Release decrement happens inside std. */
hbsan_rust_ret hbsan_rust_scope_release_before(hbsan_rust_real real, ARGS) {
    if (!hbsan_forward_only()) {
        __hbsan_release((void *)a0);
        __hbsan_release((void *)(a0 + 8));
        __hbsan_release((void *)(a0 + 16));
    }
    return FORWARD(real);
}

/* ---- frees ------------------------------------------------------------------------------ */

void hbsan_rust_freeing(void *p) {
    __hbsan_acquire(p);
    __hbsan_acquire((char *)p + 8);
}

/* ---- standard streams -------------------------------------------------------------- */

/* The bytes of a returned lock searched for its lock word: std's
 * ReentrantLock<RefCell<LineWriter<StdoutRaw>>> and Mutex<BufReader<StdinRaw>>
 * are under 64 bytes. */
#define GUARD_WINDOW 64

/* Stdout::lock(&self) and the like: the guard comes back in the first return
 * register (a reference to the lock; for Stdin's, with a poison flag in the
 * second). */
hbsan_rust_ret hbsan_rust_guard_acquire_after(hbsan_rust_real real, ARGS) {
    hbsan_rust_ret r = FORWARD(real);
    if (r.r0 != 0 && !hbsan_forward_only())
        for (uintptr_t p = r.r0 & ~(uintptr_t)3; p < r.r0 + GUARD_WINDOW; p += 4)
            __hbsan_acquire((void *)p);
    return r;
}

/* ---- park ----------------------------------------------------------------------------- */

/* This thread's parker state word, once learnt; and whether it is inside
 * park (where its futex waits are the parker's). */
static __thread void *parker __attribute__((tls_model("initial-exec")));
static __thread int parking __attribute__((tls_model("initial-exec")));

/* From a thread's handle to its parker's state word; 0 while unknown. */
static uintptr_t parker_offset;

/* std's thread::current and thread::park_timeout (the real one), from the
 * glue; absent when std has no such functions (or in C programs). */
extern const hbsan_rust_real hbsan_rust_std_current __attribute__((weak));
extern const hbsan_rust_real hbsan_rust_std_park_timeout __attribute__((weak));

/* This thread's handle (the address of its Arc), or 0. The handle
 * thread::current() returns is a new reference: it is given back at once
 * (a Release decrement of the count, as Arc's drop; the thread's own
 * reference keeps it above zero). */
static uintptr_t current_handle(void) {
    if (&hbsan_rust_std_current == NULL)
        return 0;
    hbsan_rust_ret r = hbsan_rust_std_current(0, 0, 0, 0, 0, 0);
    if (r.r0 != 0)
        __atomic_fetch_sub((uintptr_t *)r.r0, 1, __ATOMIC_RELEASE);
    return r.r0;
}

/* thread::park(), park_timeout(dur), park_timeout_ms(ms). */
hbsan_rust_ret hbsan_rust_park(hbsan_rust_real real, ARGS) {
    if (hbsan_forward_only())
        return FORWARD(real);
    if (parker == NULL && parker_offset != 0) {
        uintptr_t handle = current_handle();
        if (handle != 0)
            parker = (void *)(handle + parker_offset);
    }
    parking++;
    hbsan_rust_ret r = FORWARD(real);
    parking--;
    if (parker != NULL)
        __hbsan_acquire(parker);
    return r;
}

/* ---- start-up ----------------------------------------------------------------------------- */

void __tsan_atomic_thread_fence(int mo);

/* Runs before main (after the runtime's start in .preinit_array).
 * - An acquire fence with nothing pending changes no clock, but from now on
 *   relaxed loads record what they read (see the top of the file).
 * - The main thread parks for no time: nothing can have unparked it yet, so
 *   it sleeps on its parker and the syscall interceptor learns the word; its
 *   distance from the thread's handle is every thread's (it is checked to be
 *   inside a thread's data). */
__attribute__((constructor)) static void hbsan_rust_start(void) {
    if (!hbsan_std_uninstrumented())
        return;
    __tsan_atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (&hbsan_rust_std_park_timeout == NULL || &hbsan_rust_std_current == NULL)
        return;
    hbsan_rust_park(hbsan_rust_std_park_timeout, 0, 0, 0, 0, 0, 0);
    uintptr_t handle = current_handle();
    uintptr_t word = (uintptr_t)parker;
    if (handle != 0 && word > handle && word - handle < 256 && word % 4 == 0)
        parker_offset = word - handle;
}

/* The parker's futex wait: FUTEX_WAIT_BITSET (or FUTEX_WAIT) on a word
 * expected to hold PARKED. */
#define PARKED 0xffffffffUL

/* The system call itself, as glibc's syscall() makes it (no dlsym: the
 * runtime makes system calls through syscall() while it starts); the result
 * is the kernel's, -errno on failure. */
long hbsan_raw_syscall(long n, const long a[6]) {
#if defined(__x86_64__)
    register long r10 __asm__("r10") = a[3];
    register long r8 __asm__("r8") = a[4];
    register long r9 __asm__("r9") = a[5];
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a[0]), "S"(a[1]), "d"(a[2]), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
#elif defined(__aarch64__)
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a[0];
    register long x1 __asm__("x1") = a[1];
    register long x2 __asm__("x2") = a[2];
    register long x3 __asm__("x3") = a[3];
    register long x4 __asm__("x4") = a[4];
    register long x5 __asm__("x5") = a[5];
    __asm__ volatile("svc 0"
                     : "+r"(x0)
                     : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                     : "memory");
    return x0;
#else
#error "hbsan's syscall interceptor supports x86_64 and aarch64"
#endif
}

/* syscall(2): the six possible arguments are taken whatever the call
 * (reading unused variadic registers is what glibc's syscall() does too). */
long syscall(long number, ...) {
    va_list ap;
    va_start(ap, number);
    long a[6];
    for (int i = 0; i < 6; i++)
        a[i] = va_arg(ap, long);
    va_end(ap);
    if (number == SYS_futex && parking != 0) {
        int op = (int)a[1] & 0x7f; /* without FUTEX_PRIVATE_FLAG, FUTEX_CLOCK_REALTIME */
        if ((op == 0 /* FUTEX_WAIT */ || op == 9 /* FUTEX_WAIT_BITSET */) &&
            (unsigned long)(unsigned int)a[2] == PARKED)
            parker = (void *)a[0];
    }
    long r = hbsan_raw_syscall(number, a);
    if ((unsigned long)r > -4096UL) {
        errno = (int)-r;
        return -1;
    }
    return r;
}
