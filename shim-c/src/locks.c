/*
 * locks.c — mutexes, spinlocks and reader-writer locks.
 *
 * An acquire is reported after the real function succeeded (the thread
 * holds the lock, so the previous holder's release is complete); a release
 * is reported before the real unlock (once unlocked, the next holder may
 * already be reporting its acquire). Destroy is reported before the real
 * destroy, so that the runtime forgets the lock before its memory can be
 * reused for another one. C11 mutexes (mtx_*) likewise.
 */
#define _GNU_SOURCE
#include "real.h"

#include <errno.h>
#include <pthread.h>
#include <threads.h>
#include <time.h>

/* A robust mutex whose owner died is acquired too (EOWNERDEAD). */
static inline int mutex_acquired(int rc) { return rc == 0 || rc == EOWNERDEAD; }

/* ---- mutex ------------------------------------------------------------------------ */

HBSAN_REAL_SLOT(pthread_mutex_init);
HBSAN_REAL_SLOT(pthread_mutex_destroy);
HBSAN_REAL_SLOT(pthread_mutex_lock);
HBSAN_REAL_SLOT(pthread_mutex_trylock);
HBSAN_REAL_SLOT(pthread_mutex_timedlock);
HBSAN_REAL_SLOT(pthread_mutex_clocklock);
HBSAN_REAL_SLOT(pthread_mutex_unlock);

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr) {
    return REAL(pthread_mutex_init)(m, attr);
}

int pthread_mutex_destroy(pthread_mutex_t *m) {
    if (!hbsan_forward_only())
        __hbsan_lock_destroyed(m);
    return REAL(pthread_mutex_destroy)(m);
}

int pthread_mutex_lock(pthread_mutex_t *m) {
    int rc = REAL(pthread_mutex_lock)(m);
    if (mutex_acquired(rc) && !hbsan_forward_only())
        __hbsan_lock_acquired(m, 0);
    return rc;
}

int pthread_mutex_trylock(pthread_mutex_t *m) {
    int rc = REAL(pthread_mutex_trylock)(m);
    if (mutex_acquired(rc) && !hbsan_forward_only())
        __hbsan_lock_acquired(m, 0);
    return rc;
}

int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime) {
    int rc = REAL(pthread_mutex_timedlock)(m, abstime);
    if (mutex_acquired(rc) && !hbsan_forward_only())
        __hbsan_lock_acquired(m, 0);
    return rc;
}

int pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t clock, const struct timespec *abstime) {
    int rc = REAL(pthread_mutex_clocklock)(m, clock, abstime);
    if (mutex_acquired(rc) && !hbsan_forward_only())
        __hbsan_lock_acquired(m, 0);
    return rc;
}

int pthread_mutex_unlock(pthread_mutex_t *m) {
    if (!hbsan_forward_only())
        __hbsan_lock_releasing(m);
    return REAL(pthread_mutex_unlock)(m);
}

/* ---- spinlock --------------------------------------------------------------------- */

HBSAN_REAL_SLOT(pthread_spin_init);
HBSAN_REAL_SLOT(pthread_spin_destroy);
HBSAN_REAL_SLOT(pthread_spin_lock);
HBSAN_REAL_SLOT(pthread_spin_trylock);
HBSAN_REAL_SLOT(pthread_spin_unlock);

int pthread_spin_init(pthread_spinlock_t *s, int pshared) {
    return REAL(pthread_spin_init)(s, pshared);
}

int pthread_spin_destroy(pthread_spinlock_t *s) {
    if (!hbsan_forward_only())
        __hbsan_lock_destroyed((void *)s);
    return REAL(pthread_spin_destroy)(s);
}

int pthread_spin_lock(pthread_spinlock_t *s) {
    int rc = REAL(pthread_spin_lock)(s);
    if (rc == 0 && !hbsan_forward_only())
        __hbsan_lock_acquired((void *)s, 0);
    return rc;
}

int pthread_spin_trylock(pthread_spinlock_t *s) {
    int rc = REAL(pthread_spin_trylock)(s);
    if (rc == 0 && !hbsan_forward_only())
        __hbsan_lock_acquired((void *)s, 0);
    return rc;
}

int pthread_spin_unlock(pthread_spinlock_t *s) {
    if (!hbsan_forward_only())
        __hbsan_lock_releasing((void *)s);
    return REAL(pthread_spin_unlock)(s);
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
    return REAL(pthread_rwlock_init)(l, attr);
}

int pthread_rwlock_destroy(pthread_rwlock_t *l) {
    if (!hbsan_forward_only())
        __hbsan_lock_destroyed(l);
    return REAL(pthread_rwlock_destroy)(l);
}

/* Reports a successful acquire of rwlock `l` (`flags`: HBSAN_LOCK_READ for
 * a reader). */
static inline int rwlock_result(pthread_rwlock_t *l, int rc, int flags) {
    if (rc == 0 && !hbsan_forward_only())
        __hbsan_lock_acquired(l, flags);
    return rc;
}

int pthread_rwlock_rdlock(pthread_rwlock_t *l) {
    return rwlock_result(l, REAL(pthread_rwlock_rdlock)(l), HBSAN_LOCK_READ);
}

int pthread_rwlock_tryrdlock(pthread_rwlock_t *l) {
    return rwlock_result(l, REAL(pthread_rwlock_tryrdlock)(l), HBSAN_LOCK_READ);
}

int pthread_rwlock_timedrdlock(pthread_rwlock_t *l, const struct timespec *abstime) {
    return rwlock_result(l, REAL(pthread_rwlock_timedrdlock)(l, abstime), HBSAN_LOCK_READ);
}

int pthread_rwlock_clockrdlock(pthread_rwlock_t *l, clockid_t clock,
                               const struct timespec *abstime) {
    return rwlock_result(l, REAL(pthread_rwlock_clockrdlock)(l, clock, abstime),
                         HBSAN_LOCK_READ);
}

int pthread_rwlock_wrlock(pthread_rwlock_t *l) {
    return rwlock_result(l, REAL(pthread_rwlock_wrlock)(l), 0);
}

int pthread_rwlock_trywrlock(pthread_rwlock_t *l) {
    return rwlock_result(l, REAL(pthread_rwlock_trywrlock)(l), 0);
}

int pthread_rwlock_timedwrlock(pthread_rwlock_t *l, const struct timespec *abstime) {
    return rwlock_result(l, REAL(pthread_rwlock_timedwrlock)(l, abstime), 0);
}

int pthread_rwlock_clockwrlock(pthread_rwlock_t *l, clockid_t clock,
                               const struct timespec *abstime) {
    return rwlock_result(l, REAL(pthread_rwlock_clockwrlock)(l, clock, abstime), 0);
}

int pthread_rwlock_unlock(pthread_rwlock_t *l) {
    if (!hbsan_forward_only())
        __hbsan_lock_releasing(l);
    return REAL(pthread_rwlock_unlock)(l);
}

/* ---- C11 mutex ---------------------------------------------------------------------
 *
 * glibc implements mtx_* on its internal pthread functions, out of sight of
 * the interceptors above. A mtx_t begins with its pthread_mutex_t: the
 * same address names the same lock either way.
 */

HBSAN_REAL_SLOT(mtx_destroy);
HBSAN_REAL_SLOT(mtx_lock);
HBSAN_REAL_SLOT(mtx_trylock);
HBSAN_REAL_SLOT(mtx_timedlock);
HBSAN_REAL_SLOT(mtx_unlock);

void mtx_destroy(mtx_t *m) {
    if (!hbsan_forward_only())
        __hbsan_lock_destroyed(m);
    REAL(mtx_destroy)(m);
}

/* Reports a successful acquire of C11 mutex `m`. */
static inline int mtx_result(mtx_t *m, int rc) {
    if (rc == thrd_success && !hbsan_forward_only())
        __hbsan_lock_acquired(m, 0);
    return rc;
}

int mtx_lock(mtx_t *m) { return mtx_result(m, REAL(mtx_lock)(m)); }

int mtx_trylock(mtx_t *m) { return mtx_result(m, REAL(mtx_trylock)(m)); }

int mtx_timedlock(mtx_t *restrict m, const struct timespec *restrict abstime) {
    return mtx_result(m, REAL(mtx_timedlock)(m, abstime));
}

int mtx_unlock(mtx_t *m) {
    if (!hbsan_forward_only())
        __hbsan_lock_releasing(m);
    return REAL(mtx_unlock)(m);
}
