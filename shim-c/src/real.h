/*
 * real.h — internal to shim-c: finding the real functions behind the
 * interceptors, and deciding when an interceptor must only forward.
 *
 * Every interceptor has the same shape:
 *
 *     if (hbsan_forward_only())
 *         return REAL(f)(args);
 *     ... tell the runtime (hbsan_rt.h) ...
 *     return REAL(f)(args);
 *
 * REAL(f) is the definition of f that the interceptor hides: the next one
 * in the dynamic linker's search order (libc, libstdc++), found once with
 * dlsym(RTLD_NEXT, "f") and cached. The malloc family does not go through
 * dlsym at all: glibc exports its allocator as __libc_malloc & co., which
 * keeps malloc working while dlsym itself allocates.
 */
#ifndef HBSAN_SHIM_REAL_H
#define HBSAN_SHIM_REAL_H

#include <stddef.h>
#include <stdint.h>

#include "hbsan_rt.h"

/* Shim-internal symbols are hidden: the executable exports the interceptors
 * and the runtime's hooks, nothing else. */
#define HBSAN_HIDDEN __attribute__((visibility("hidden")))

/* The interceptor's caller, the program's call site. Only meaningful as the
 * first thing evaluated in the interceptor itself (not in a helper). */
#define HBSAN_CALLER_PC() __builtin_return_address(0)
/* The frame of interceptor `fn`: one byte past its entry, as a return
 * address would be, so that the symbolizer, which steps back one byte, looks
 * up the entry instruction itself (attributed to `fn`'s own line, never to a
 * helper inlined further in, nor to the function laid out before it). */
#define HBSAN_SELF_PC(fn) ((void *)((uintptr_t)(fn) + 1))

/* The program's memory [p, p+n) read / written by interceptor `self` on
 * the program's behalf (n <= 0: nothing). `caller_pc` must be a local of
 * the interceptor, set by HBSAN_CALLER_PC() on entry. */
#define HBSAN_READS(p, n, self)                                                                    \
    do {                                                                                           \
        if ((n) > 0)                                                                               \
            __hbsan_read_range((const void *)(p), (size_t)(n), caller_pc, HBSAN_SELF_PC(self));    \
    } while (0)
#define HBSAN_ATOMIC_READS(p, n, self)                                                             \
    do {                                                                                           \
        if ((n) > 0)                                                                               \
            __hbsan_atomic_read_range((const void *)(p), (size_t)(n), caller_pc,                   \
                                      HBSAN_SELF_PC(self));                                        \
    } while (0)
#define HBSAN_WRITES(p, n, self)                                                                   \
    do {                                                                                           \
        if ((n) > 0)                                                                               \
            __hbsan_write_range((const void *)(p), (size_t)(n), caller_pc, HBSAN_SELF_PC(self));   \
    } while (0)

/* ---- glibc's allocator, under names nothing interposes -------------------- */

void *__libc_malloc(size_t size);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);
void __libc_free(void *p);
void *__libc_memalign(size_t alignment, size_t size);
void *__libc_valloc(size_t size);
void *__libc_pvalloc(size_t size);

/* ---- when to only forward --------------------------------------------------- */

/* Non-zero while the shim itself asks this thread's interceptors to stand
 * aside: inside a real operator new (whose malloc must not be reported a
 * second time), before a new thread has told the runtime it started, after
 * it has told the runtime it finished. A counter, so that windows nest.
 * initial-exec: the shim only ever lives in an executable, and a
 * general-dynamic access could call __tls_get_addr, which may malloc. */
extern __thread int hbsan_quiet __attribute__((tls_model("initial-exec"))) HBSAN_HIDDEN;

/* Signals whose handlers wait for this thread to leave the runtime (bit
 * sig-1; see signals.c), and the function that runs them. */
extern __thread unsigned long long hbsan_signals_pending
    __attribute__((tls_model("initial-exec"))) HBSAN_HIDDEN;
HBSAN_HIDDEN void hbsan_signals_deliver(void);

/* Whether the interceptor must only forward to the real function: the
 * runtime is running on this thread (its own malloc/memcpy/locks must not
 * come back to it), or the shim opened a quiet window. Otherwise this is a
 * safe point to run signal handlers that had to wait. */
static inline int hbsan_forward_only(void) {
    if (hbsan_quiet != 0 || __hbsan_in_runtime() != 0)
        return 1;
    if (__builtin_expect(hbsan_signals_pending != 0, 0))
        hbsan_signals_deliver();
    return 0;
}

/* ---- programs whose callers are not instrumented ------------------------------- */

/* Defined (by the glue `hbsan cargo` links in; see rust.c) in Rust programs:
 * their standard library comes precompiled, without instrumentation, and it
 * is what calls the interceptors there — Rust code instrumented by rustc
 * reports its own copies through __tsan_memcpy & co. and never reaches
 * memcpy. std's locks are invisible to the runtime, so the bytes std hands
 * to memcpy, read, realloc… would look unsynchronized between threads: in
 * such programs the interceptors report no ranges (their synchronization,
 * allocation and thread events stay). */
extern const char hbsan_rust_std_uninstrumented __attribute__((weak));

static inline int hbsan_std_uninstrumented(void) { return &hbsan_rust_std_uninstrumented != NULL; }
static inline int hbsan_ranges_reported(void) { return !hbsan_std_uninstrumented(); }

/* In such programs, a block is about to be freed (rust.c). */
HBSAN_HIDDEN void hbsan_rust_freeing(void *p);

/* Every range report of the interceptors goes through these names. */
#define __hbsan_read_range(p, n, caller_pc, self_pc)                                               \
    (hbsan_ranges_reported() ? (__hbsan_read_range)((p), (n), (caller_pc), (self_pc)) : (void)0)
#define __hbsan_write_range(p, n, caller_pc, self_pc)                                              \
    (hbsan_ranges_reported() ? (__hbsan_write_range)((p), (n), (caller_pc), (self_pc)) : (void)0)
#define __hbsan_atomic_read_range(p, n, caller_pc, self_pc)                                        \
    (hbsan_ranges_reported() ? (__hbsan_atomic_read_range)((p), (n), (caller_pc), (self_pc))       \
                             : (void)0)

static inline void hbsan_quiet_begin(void) { hbsan_quiet++; }
static inline void hbsan_quiet_end(void) { hbsan_quiet--; }

/* For `int hbsan_quiet_scope __attribute__((cleanup(hbsan_quiet_cleanup)))`:
 * closes a quiet window even when an exception (a throwing operator new,
 * thread cancellation) unwinds through the interceptor. */
static inline void hbsan_quiet_cleanup(int *unused) {
    (void)unused;
    hbsan_quiet--;
}

/* Copies an object byte by byte. For the shim's own structures (signal
 * masks, siginfo, sigaction): a plain struct assignment may be compiled
 * into a call to memcpy, that is, to the memcpy interceptor, which would
 * report the shim's bookkeeping as the program's accesses. volatile keeps
 * the compiler from turning the loop back into memcpy. */
static inline void hbsan_copy(void *dst, const void *src, size_t n) {
    volatile unsigned char *d = dst;
    const volatile unsigned char *s = src;
    for (size_t i = 0; i < n; i++)
        d[i] = s[i];
}

/* ---- real functions ---------------------------------------------------------- */

/* Finds `name` with dlsym(RTLD_NEXT) and caches it in *slot. Returns NULL
 * only when this very thread is already resolving the same slot (dlsym ->
 * calloc -> runtime -> memcpy -> resolving memcpy again): the string
 * interceptors then use their own slow fallbacks. Any other failure is
 * fatal, with a message. */
HBSAN_HIDDEN void *hbsan_real_resolve(void **slot, const char *name);
/* Like hbsan_real_resolve, but recursion is fatal too. */
HBSAN_HIDDEN void *hbsan_real_resolve_must(void **slot, const char *name);

/* A system call made directly (syscall() is intercepted: rust.c); returns
 * the kernel's result, -errno on failure. */
HBSAN_HIDDEN long hbsan_raw_syscall(long n, const long a[6]);

/* Writes "hbsan: <msg>\n" to stderr without touching stdio or the heap,
 * then aborts. */
HBSAN_HIDDEN __attribute__((noreturn)) void hbsan_shim_die(const char *msg, const char *detail);

static inline void *hbsan_real_try(void **slot, const char *name) {
    void *p = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    return p ? p : hbsan_real_resolve(slot, name);
}

static inline void *hbsan_real_get(void **slot, const char *name) {
    void *p = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
    return p ? p : hbsan_real_resolve_must(slot, name);
}

/* A real function's cache slot and name, listed in the `hbsan_real` section
 * so that all of them can be resolved at once (hbsan_real_resolve_all). */
struct hbsan_real_entry {
    void **slot;
    const char *name;
};

/* Declares the cache slot of REAL(name) in the file that uses it. */
#define HBSAN_REAL_SLOT(name)                                                                      \
    static void *hbsan_real_slot_##name;                                                           \
    static const struct hbsan_real_entry hbsan_real_entry_##name                                   \
        __attribute__((used, section("hbsan_real"), aligned(sizeof(void *)))) = {                  \
            &hbsan_real_slot_##name, #name}

/* Resolves every real function not resolved yet (those the C library does
 * not have stay unresolved: REAL_TRY's callers handle it). Called before
 * the program's second thread starts: looking a symbol up takes a lock of
 * the dynamic linker, and a thread that looked one up for the first time
 * inside a dl_iterate_phdr callback (the linker's write lock held) while
 * another thread was in dlopen or dlclose (its other lock held, waiting for
 * the write lock) would wait forever. */
HBSAN_HIDDEN void hbsan_real_resolve_all(void);

/* The real `name`, typed like the declaration in scope. */
#define REAL(name) ((__typeof__(&name))hbsan_real_get(&hbsan_real_slot_##name, #name))

/* The real `name`, or NULL while this thread is resolving it (see above). */
#define REAL_TRY(name) ((__typeof__(&name))hbsan_real_try(&hbsan_real_slot_##name, #name))

#endif /* HBSAN_SHIM_REAL_H */
