/*
 * locks.c — mutexes, spinlocks and reader-writer locks (pthread and C11).
 *
 * An acquire is reported after the real function succeeded (the thread
 * holds the lock, so the previous holder's release is complete); a release
 * is reported before the real unlock (once unlocked, the next holder may
 * already be reporting its acquire). Destroy is reported before the real
 * destroy, so that the runtime forgets the lock before its memory can be
 * reused for another one.
 *
 * The lock's own memory is touched like a program variable, as
 * ThreadSanitizer does: init and destroy write its first byte, lock and
 * unlock read it (atomically). Initializing or destroying a lock while
 * another thread, unordered, uses it is then reported as a race on the
 * lock. The lock's
 * read comes after the real lock call (checked with the clock the thread
 * had before acquiring, as before the call): a thread waiting for the lock
 * then does not touch the shadow of the lock word while the holder does,
 * which under contention moved its cache lines back and forth
 * (mutex_counter: 11% of the time).
 */
#define _GNU_SOURCE
#include "real.h"

#include <errno.h>
#include <pthread.h>
#include <threads.h>
#include <time.h>

/* The lock's first byte, written (init, destroy) or read atomically (lock,
 * unlock: as ThreadSanitizer, so that the reads race with the plain writes
 * of an init, a destroy or a free, and are reported as atomic). */
#define LOCK_WRITE(l, self) HBSAN_WRITES(l, 1, self)
#define LOCK_READ(l, self) HBSAN_ATOMIC_READS(l, 1, self)

/* The body of an init: the real one, then the lock's memory written. */
#define LOCK_INIT(self, l, call)                                                                   \
    void *caller_pc = HBSAN_CALLER_PC();                                                           \
    int rc = call;                                                                                 \
    if (rc == 0 && !hbsan_forward_only())                                                          \
        LOCK_WRITE(l, self);                                                                       \
    return rc

/* The body of a destroy: the runtime forgets the lock, its memory is
 * written, then the real destroy. */
#define LOCK_DESTROY(self, l, call)                                                                \
    void *caller_pc = HBSAN_CALLER_PC();                                                           \
    if (!hbsan_forward_only()) {                                                                   \
        LOCK_WRITE(l, self);                                                                       \
        __hbsan_lock_destroyed((void *)(l));                                                       \
    }                                                                                              \
    return call

/* The body of a lock operation: `call` is the real one, `ok(rc)` tells
 * whether it acquired the lock, `flags` are the runtime's lock flags. */
#define LOCK_ACQUIRE(self, l, call, ok, flags)                                                     \
    void *caller_pc = HBSAN_CALLER_PC();                                                           \
    int report = !hbsan_forward_only();                                                            \
    int rc = call;                                                                                 \
    if (report) {                                                                                  \
        LOCK_READ(l, self);                                                                        \
        if (ok(rc))                                                                                \
            __hbsan_lock_acquired((void *)(l), (flags));                                           \
    }                                                                                              \
    return rc

/* The body of an unlock. */
#define LOCK_RELEASE(self, l, call)                                                                \
    void *caller_pc = HBSAN_CALLER_PC();                                                           \
    if (!hbsan_forward_only()) {                                                                   \
        LOCK_READ(l, self);                                                                        \
        __hbsan_lock_releasing((void *)(l));                                                       \
    }                                                                                              \
    return call

/* Success of the pthread lock functions; a robust mutex whose owner died
 * is acquired too (EOWNERDEAD). */
static inline int pthread_ok(int rc) { return rc == 0; }
static inline int mutex_ok(int rc) { return rc == 0 || rc == EOWNERDEAD; }
static inline int c11_ok(int rc) { return rc == thrd_success; }

/* ---- mutex ------------------------------------------------------------------------ */

HBSAN_REAL_SLOT(pthread_mutex_init);
HBSAN_REAL_SLOT(pthread_mutex_destroy);
HBSAN_REAL_SLOT(pthread_mutex_lock);
HBSAN_REAL_SLOT(pthread_mutex_trylock);
HBSAN_REAL_SLOT(pthread_mutex_timedlock);
HBSAN_REAL_SLOT(pthread_mutex_clocklock);
HBSAN_REAL_SLOT(pthread_mutex_unlock);

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr) {
    LOCK_INIT(pthread_mutex_init, m, REAL(pthread_mutex_init)(m, attr));
}

int pthread_mutex_destroy(pthread_mutex_t *m) {
    LOCK_DESTROY(pthread_mutex_destroy, m, REAL(pthread_mutex_destroy)(m));
}

/* One step of a busy wait: tells the CPU (and a hyperthread sibling) that
 * this is a spin. */
static inline void spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Whether the mutex looks free: glibc's lock word, read without taking its
 * cache line from the holder (a trylock would: it is a read-modify-write).
 * Only a hint; the trylock decides. */
static inline int mutex_looks_free(pthread_mutex_t *m) {
#ifdef __GLIBC__
    return __atomic_load_n(&m->__data.__lock, __ATOMIC_RELAXED) == 0;
#else
    (void)m;
    return 1;
#endif
}

/* A waiter looks at a busy mutex this many times, MUTEX_POLL_PAUSES
 * `pause`s apart, before blocking in the real lock: on the machine this was
 * measured on (25 ns a pause), a look every 1.6 us for 32 us. */
#define MUTEX_POLLS 20
#define MUTEX_POLL_PAUSES 64

/* The real lock, after a short spin while the mutex is busy, as glibc's
 * PTHREAD_MUTEX_ADAPTIVE_NP mutexes do.
 *
 * Why: the detector's hooks lengthen every critical section (the acquire
 * and release on the clocks, each access checked), and with glibc's
 * default mutex a thread that finds the lock taken blocks at once. Once a
 * waiter has blocked, the lock word says "contended", every unlock makes a
 * futex wake system call, and a woken waiter that finds the lock taken
 * again blocks again: two threads taking turns at a short critical section
 * fell into a regime where both mostly make system calls (mutex_counter:
 * 2.1-2.7 s, more than half of its CPU time in the kernel, against
 * 1.15-1.6 s outside it; docs/PERFORMANCE.md §31). A waiter that spins
 * instead takes the lock with a trylock, which leaves the lock word
 * uncontended.
 *
 * Why so seldom a look: a waiter that looks at every `pause` takes the
 * lock at the first unlock, and the lock's, the guarded data's and their
 * shadow's cache lines then move to the other core at every critical
 * section (mutex_counter 1.3-1.4 s). Looking every 1.6 us lets the holder
 * run a few critical sections in a row, as a sleeping waiter does
 * (0.8-0.85 s).
 *
 * The mutex's semantics are the real functions': the trylock takes a free
 * mutex (or, recursive, one the caller holds) exactly as the lock would,
 * returns a robust mutex's EOWNERDEAD or ENOTRECOVERABLE as the lock would,
 * and anything still busy after the spin (including an error-checking
 * mutex the caller already holds) goes to the real lock. A priority-ceiling
 * mutex keeps its ceiling in the lock word and never looks free: its
 * waiters look the 20 times, then block in the real lock.
 *
 * The body of a function: it returns the lock's result. */
#define LOCK_SPINNING(m, trylock, busy, lock)                                                      \
    do {                                                                                           \
        int rc_ = trylock;                                                                         \
        for (int i_ = 0; rc_ == (busy) && i_ < MUTEX_POLLS; i_++) {                                \
            for (int k_ = 0; k_ < MUTEX_POLL_PAUSES; k_++)                                         \
                spin_pause();                                                                      \
            if (mutex_looks_free((pthread_mutex_t *)(m)))                                          \
                rc_ = trylock;                                                                     \
        }                                                                                          \
        return rc_ == (busy) ? lock : rc_;                                                         \
    } while (0)

static int mutex_lock_spinning(pthread_mutex_t *m) {
    LOCK_SPINNING(m, REAL(pthread_mutex_trylock)(m), EBUSY, REAL(pthread_mutex_lock)(m));
}

int pthread_mutex_lock(pthread_mutex_t *m) {
    LOCK_ACQUIRE(pthread_mutex_lock, m, mutex_lock_spinning(m), mutex_ok, 0);
}

int pthread_mutex_trylock(pthread_mutex_t *m) {
    LOCK_ACQUIRE(pthread_mutex_trylock, m, REAL(pthread_mutex_trylock)(m), mutex_ok, 0);
}

int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime) {
    LOCK_ACQUIRE(pthread_mutex_timedlock, m, REAL(pthread_mutex_timedlock)(m, abstime), mutex_ok,
                 0);
}

int pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t clock, const struct timespec *abstime) {
    LOCK_ACQUIRE(pthread_mutex_clocklock, m, REAL(pthread_mutex_clocklock)(m, clock, abstime),
                 mutex_ok, 0);
}

int pthread_mutex_unlock(pthread_mutex_t *m) {
    LOCK_RELEASE(pthread_mutex_unlock, m, REAL(pthread_mutex_unlock)(m));
}

/* ---- spinlock --------------------------------------------------------------------- */

HBSAN_REAL_SLOT(pthread_spin_init);
HBSAN_REAL_SLOT(pthread_spin_destroy);
HBSAN_REAL_SLOT(pthread_spin_lock);
HBSAN_REAL_SLOT(pthread_spin_trylock);
HBSAN_REAL_SLOT(pthread_spin_unlock);

int pthread_spin_init(pthread_spinlock_t *s, int pshared) {
    LOCK_INIT(pthread_spin_init, s, REAL(pthread_spin_init)(s, pshared));
}

int pthread_spin_destroy(pthread_spinlock_t *s) {
    LOCK_DESTROY(pthread_spin_destroy, s, REAL(pthread_spin_destroy)(s));
}

int pthread_spin_lock(pthread_spinlock_t *s) {
    LOCK_ACQUIRE(pthread_spin_lock, s, REAL(pthread_spin_lock)(s), pthread_ok, 0);
}

int pthread_spin_trylock(pthread_spinlock_t *s) {
    LOCK_ACQUIRE(pthread_spin_trylock, s, REAL(pthread_spin_trylock)(s), pthread_ok, 0);
}

int pthread_spin_unlock(pthread_spinlock_t *s) {
    LOCK_RELEASE(pthread_spin_unlock, s, REAL(pthread_spin_unlock)(s));
}

/* ---- reader-writer lock ----------------------------------------------------------- */

HBSAN_REAL_SLOT(pthread_rwlock_init);
HBSAN_REAL_SLOT(pthread_rwlock_destroy);
HBSAN_REAL_SLOT(pthread_rwlock_rdlock);
HBSAN_REAL_SLOT(pthread_rwlock_tryrdlock);
HBSAN_REAL_SLOT(pthread_rwlock_timedrdlock);
HBSAN_REAL_SLOT(pthread_rwlock_clockrdlock);
HBSAN_REAL_SLOT(pthread_rwlock_wrlock);
HBSAN_REAL_SLOT(pthread_rwlock_trywrlock);
HBSAN_REAL_SLOT(pthread_rwlock_timedwrlock);
HBSAN_REAL_SLOT(pthread_rwlock_clockwrlock);
HBSAN_REAL_SLOT(pthread_rwlock_unlock);

int pthread_rwlock_init(pthread_rwlock_t *l, const pthread_rwlockattr_t *attr) {
    LOCK_INIT(pthread_rwlock_init, l, REAL(pthread_rwlock_init)(l, attr));
}

int pthread_rwlock_destroy(pthread_rwlock_t *l) {
    LOCK_DESTROY(pthread_rwlock_destroy, l, REAL(pthread_rwlock_destroy)(l));
}

int pthread_rwlock_rdlock(pthread_rwlock_t *l) {
    LOCK_ACQUIRE(pthread_rwlock_rdlock, l, REAL(pthread_rwlock_rdlock)(l), pthread_ok,
                 HBSAN_LOCK_READ);
}

int pthread_rwlock_tryrdlock(pthread_rwlock_t *l) {
    LOCK_ACQUIRE(pthread_rwlock_tryrdlock, l, REAL(pthread_rwlock_tryrdlock)(l), pthread_ok,
                 HBSAN_LOCK_READ);
}

int pthread_rwlock_timedrdlock(pthread_rwlock_t *l, const struct timespec *abstime) {
    LOCK_ACQUIRE(pthread_rwlock_timedrdlock, l, REAL(pthread_rwlock_timedrdlock)(l, abstime),
                 pthread_ok, HBSAN_LOCK_READ);
}

int pthread_rwlock_clockrdlock(pthread_rwlock_t *l, clockid_t clock,
                               const struct timespec *abstime) {
    LOCK_ACQUIRE(pthread_rwlock_clockrdlock, l,
                 REAL(pthread_rwlock_clockrdlock)(l, clock, abstime), pthread_ok,
                 HBSAN_LOCK_READ);
}

int pthread_rwlock_wrlock(pthread_rwlock_t *l) {
    LOCK_ACQUIRE(pthread_rwlock_wrlock, l, REAL(pthread_rwlock_wrlock)(l), pthread_ok, 0);
}

int pthread_rwlock_trywrlock(pthread_rwlock_t *l) {
    LOCK_ACQUIRE(pthread_rwlock_trywrlock, l, REAL(pthread_rwlock_trywrlock)(l), pthread_ok, 0);
}

int pthread_rwlock_timedwrlock(pthread_rwlock_t *l, const struct timespec *abstime) {
    LOCK_ACQUIRE(pthread_rwlock_timedwrlock, l, REAL(pthread_rwlock_timedwrlock)(l, abstime),
                 pthread_ok, 0);
}

int pthread_rwlock_clockwrlock(pthread_rwlock_t *l, clockid_t clock,
                               const struct timespec *abstime) {
    LOCK_ACQUIRE(pthread_rwlock_clockwrlock, l,
                 REAL(pthread_rwlock_clockwrlock)(l, clock, abstime), pthread_ok, 0);
}

int pthread_rwlock_unlock(pthread_rwlock_t *l) {
    LOCK_RELEASE(pthread_rwlock_unlock, l, REAL(pthread_rwlock_unlock)(l));
}

/* ---- C11 mutex ---------------------------------------------------------------------
 *
 * glibc implements mtx_* on its internal pthread functions, out of sight of
 * the interceptors above. A mtx_t begins with its pthread_mutex_t: the
 * same address names the same lock either way.
 */

HBSAN_REAL_SLOT(mtx_init);
HBSAN_REAL_SLOT(mtx_destroy);
HBSAN_REAL_SLOT(mtx_lock);
HBSAN_REAL_SLOT(mtx_trylock);
HBSAN_REAL_SLOT(mtx_timedlock);
HBSAN_REAL_SLOT(mtx_unlock);

int mtx_init(mtx_t *m, int type) {
    void *caller_pc = HBSAN_CALLER_PC();
    int rc = REAL(mtx_init)(m, type);
    if (rc == thrd_success && !hbsan_forward_only())
        LOCK_WRITE(m, mtx_init);
    return rc;
}

void mtx_destroy(mtx_t *m) {
    void *caller_pc = HBSAN_CALLER_PC();
    if (!hbsan_forward_only()) {
        LOCK_WRITE(m, mtx_destroy);
        __hbsan_lock_destroyed(m);
    }
    REAL(mtx_destroy)(m);
}

/* As pthread_mutex_lock: a short spin before the real lock. */
static int mtx_lock_spinning(mtx_t *m) {
    LOCK_SPINNING(m, REAL(mtx_trylock)(m), thrd_busy, REAL(mtx_lock)(m));
}

int mtx_lock(mtx_t *m) { LOCK_ACQUIRE(mtx_lock, m, mtx_lock_spinning(m), c11_ok, 0); }

int mtx_trylock(mtx_t *m) { LOCK_ACQUIRE(mtx_trylock, m, REAL(mtx_trylock)(m), c11_ok, 0); }

int mtx_timedlock(mtx_t *restrict m, const struct timespec *restrict abstime) {
    LOCK_ACQUIRE(mtx_timedlock, m, REAL(mtx_timedlock)(m, abstime), c11_ok, 0);
}

int mtx_unlock(mtx_t *m) { LOCK_RELEASE(mtx_unlock, m, REAL(mtx_unlock)(m)); }
