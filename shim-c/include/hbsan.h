/*
 * hbsan.h — annotations a program may give the hbsan race detector.
 *
 * The same names and meanings as ThreadSanitizer's annotation interface
 * (<sanitizer/tsan_interface.h>), so code annotated for one works with the
 * other. They are defined by the hbsan runtime, which `hbsan cc` links into
 * every program; a program built without hbsan must not call them (guard
 * calls with `#if defined(__SANITIZE_THREAD__)` or
 * `__has_feature(thread_sanitizer)`).
 *
 * Header only; C and C++.
 */
#ifndef HBSAN_H
#define HBSAN_H

#ifdef __cplusplus
extern "C" {
#endif

/* ---- happens-before on an address ---------------------------------------------------
 *
 * For synchronization the detector cannot see (a hand-written lock-free
 * queue, a futex, a custom allocator handing memory between threads):
 * everything the releasing thread did before __tsan_release(addr) happens
 * before everything an acquiring thread does after a __tsan_acquire(addr)
 * that came later. `addr` is only a key; nothing is read or written there.
 */
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);

/* ---- ignoring a thread's accesses ---------------------------------------------------
 *
 * Between __tsan_ignore_thread_begin() and the matching
 * __tsan_ignore_thread_end(), the calling thread's memory accesses are
 * neither checked nor remembered (its synchronization still counts).
 * Pairs nest.
 */
void __tsan_ignore_thread_begin(void);
void __tsan_ignore_thread_end(void);

/* ---- user-defined mutexes -----------------------------------------------------------
 *
 * A mutex the detector does not intercept (a spinlock on an atomic, a
 * futex-based lock) is described by calls around its operations; `addr` is
 * the mutex's address. The detector then treats it like a pthread mutex:
 * lock = acquire, unlock = release, plus misuse checks.
 */

/* Creation flags (__tsan_mutex_create, and any call that first sees the
 * mutex). */
/* A statically initialized mutex that is never created or destroyed. */
static const unsigned __tsan_mutex_linker_init = 1 << 0;
/* A recursive mutex: the owner may lock it again for writing. */
static const unsigned __tsan_mutex_write_reentrant = 1 << 1;
/* A reader lock may be taken again by a thread that already holds it. */
static const unsigned __tsan_mutex_read_reentrant = 1 << 2;
/* Not a static object: the mutex's memory may be reused after destroy. */
static const unsigned __tsan_mutex_not_static = 1 << 8;

/* Operation flags (pre/post lock and unlock). */
/* The lock or unlock is for reading (a reader-writer lock's shared side). */
static const unsigned __tsan_mutex_read_lock = 1 << 3;
/* A try-lock: it may fail. */
static const unsigned __tsan_mutex_try_lock = 1 << 4;
/* The try-lock failed (post_lock only): nothing was acquired. */
static const unsigned __tsan_mutex_try_lock_failed = 1 << 5;
/* Re-lock a recursive mutex `recursion` times at once (post_lock). */
static const unsigned __tsan_mutex_recursive_lock = 1 << 6;
/* Unlock a recursive mutex completely (pre_unlock returns the count). */
static const unsigned __tsan_mutex_recursive_unlock = 1 << 7;

static const unsigned __tsan_mutex_try_read_lock = (1 << 3) | (1 << 4);
static const unsigned __tsan_mutex_try_read_lock_failed = (1 << 3) | (1 << 4) | (1 << 5);

/* The mutex at addr was initialized (optional: any annotation introduces it). */
void __tsan_mutex_create(void *addr, unsigned flags);
/* The mutex at addr is destroyed; its state is forgotten. */
void __tsan_mutex_destroy(void *addr, unsigned flags);
/* Before a lock attempt (may block). */
void __tsan_mutex_pre_lock(void *addr, unsigned flags);
/* After the lock attempt; with __tsan_mutex_try_lock_failed nothing is held.
 * `recursion` is the count for __tsan_mutex_recursive_lock, else 0. */
void __tsan_mutex_post_lock(void *addr, unsigned flags, int recursion);
/* Before an unlock; returns the recursion count when `flags` has
 * __tsan_mutex_recursive_unlock, else 0. */
int __tsan_mutex_pre_unlock(void *addr, unsigned flags);
/* After the unlock. */
void __tsan_mutex_post_unlock(void *addr, unsigned flags);
/* Around signalling a condition variable from inside the mutex's code
 * (the lock implementation's own futex wake, say). */
void __tsan_mutex_pre_signal(void *addr, unsigned flags);
void __tsan_mutex_post_signal(void *addr, unsigned flags);
/* Around code inside a lock operation that must be treated as outside it
 * (calling a user callback from a lock's slow path, say): between pre and
 * post divert, accesses and synchronization count as the program's own. */
void __tsan_mutex_pre_divert(void *addr, unsigned flags);
void __tsan_mutex_post_divert(void *addr, unsigned flags);

/* ---- a barrier the detector does not see ---------------------------------------------
 *
 * For tests: orders threads in time without creating a happens-before
 * edge, so that a race between the threads is still reported. Same layout
 * as ThreadSanitizer's test suite uses (8 bytes; the low 8 bits hold the
 * thread count, which must be below 256).
 */
typedef unsigned long long invisible_barrier_t;

/* Prepares *barrier for `count` threads. */
void __tsan_testonly_barrier_init(invisible_barrier_t *barrier, unsigned count);
/* Returns once `count` threads have arrived; reusable. */
void __tsan_testonly_barrier_wait(invisible_barrier_t *barrier);

#ifdef __cplusplus
}
#endif
#endif /* HBSAN_H */
