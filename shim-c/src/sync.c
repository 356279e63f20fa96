/*
 * sync.c — condition variables, barriers, pthread_once and semaphores.
 *
 * A condition variable orders nothing by itself: the mutex does. A wait
 * releases the mutex and re-acquires it before returning, so the wait
 * reports exactly that around the real wait. Barriers, once-controls and
 * semaphores are synchronization on an address: release into it, acquire
 * from it. The C11 forms (call_once, cnd_wait, cnd_timedwait) are
 * intercepted too, and so is the guard of C++ function-local statics.
 *
 * As for locks (locks.c), the objects' own memory is touched like program
 * variables: init and destroy write, the other operations read (the first
 * word of a condition variable, the first byte of a barrier).
 */
#define _GNU_SOURCE
#include "real.h"

#include <pthread.h>
#include <semaphore.h>
#include <threads.h>
#include <time.h>

/* ---- condition variables -------------------------------------------------------- */

/* dlsym(RTLD_NEXT, "pthread_cond_wait") gives glibc's default version
 * (GLIBC_2.3.2), the one <pthread.h> declares; the GLIBC_2.2.5 versions
 * only serve old binaries, which never see this shim. */
HBSAN_REAL_SLOT(pthread_cond_init);
HBSAN_REAL_SLOT(pthread_cond_destroy);
HBSAN_REAL_SLOT(pthread_cond_wait);
HBSAN_REAL_SLOT(pthread_cond_timedwait);
HBSAN_REAL_SLOT(pthread_cond_clockwait);
HBSAN_REAL_SLOT(pthread_cond_signal);
HBSAN_REAL_SLOT(pthread_cond_broadcast);

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr) {
    void *caller_pc = HBSAN_CALLER_PC();
    int rc = REAL(pthread_cond_init)(c, attr);
    if (rc == 0 && !hbsan_forward_only())
        HBSAN_WRITES(c, sizeof(void *), pthread_cond_init);
    return rc;
}

int pthread_cond_destroy(pthread_cond_t *c) {
    void *caller_pc = HBSAN_CALLER_PC();
    if (!hbsan_forward_only())
        HBSAN_WRITES(c, sizeof(void *), pthread_cond_destroy);
    return REAL(pthread_cond_destroy)(c);
}

int pthread_cond_signal(pthread_cond_t *c) {
    void *caller_pc = HBSAN_CALLER_PC();
    if (!hbsan_forward_only())
        HBSAN_READS(c, sizeof(void *), pthread_cond_signal);
    return REAL(pthread_cond_signal)(c);
}

int pthread_cond_broadcast(pthread_cond_t *c) {
    void *caller_pc = HBSAN_CALLER_PC();
    if (!hbsan_forward_only())
        HBSAN_READS(c, sizeof(void *), pthread_cond_broadcast);
    return REAL(pthread_cond_broadcast)(c);
}

/* Runs when a wait's scope ends: normally, or while a cancelled waiter
 * unwinds (glibc re-acquires the mutex before unwinding); either way the
 * thread holds the mutex again. */
static void cond_wait_reacquired(pthread_mutex_t **m) { __hbsan_lock_acquired(*m, 0); }

/* Declares, in a wait interceptor, that the mutex is held again when the
 * scope ends. */
#define COND_WAIT_REACQUIRES(m)                                                                    \
    pthread_mutex_t *hbsan_reacquire __attribute__((cleanup(cond_wait_reacquired), unused)) = (m)

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m) {
    void *caller_pc = HBSAN_CALLER_PC();
    if (hbsan_forward_only())
        return REAL(pthread_cond_wait)(c, m);
    HBSAN_READS(c, sizeof(void *), pthread_cond_wait);
    __hbsan_lock_releasing(m);
    COND_WAIT_REACQUIRES(m);
    return REAL(pthread_cond_wait)(c, m);
}

/* A timed-out wait has re-acquired the mutex too. */
int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime) {
    void *caller_pc = HBSAN_CALLER_PC();
    if (hbsan_forward_only())
        return REAL(pthread_cond_timedwait)(c, m, abstime);
    HBSAN_READS(c, sizeof(void *), pthread_cond_timedwait);
    __hbsan_lock_releasing(m);
    COND_WAIT_REACQUIRES(m);
    return REAL(pthread_cond_timedwait)(c, m, abstime);
}

int pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clock,
                           const struct timespec *abstime) {
    void *caller_pc = HBSAN_CALLER_PC();
    if (hbsan_forward_only())
        return REAL(pthread_cond_clockwait)(c, m, clock, abstime);
    HBSAN_READS(c, sizeof(void *), pthread_cond_clockwait);
    __hbsan_lock_releasing(m);
    COND_WAIT_REACQUIRES(m);
    return REAL(pthread_cond_clockwait)(c, m, clock, abstime);
}

/* ---- barriers --------------------------------------------------------------------- */

HBSAN_REAL_SLOT(pthread_barrier_init);
HBSAN_REAL_SLOT(pthread_barrier_destroy);
HBSAN_REAL_SLOT(pthread_barrier_wait);

int pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *attr,
                         unsigned count) {
    void *caller_pc = HBSAN_CALLER_PC();
    int rc = REAL(pthread_barrier_init)(b, attr, count);
    if (rc == 0 && !hbsan_forward_only())
        HBSAN_WRITES(b, 1, pthread_barrier_init);
    return rc;
}

int pthread_barrier_destroy(pthread_barrier_t *b) {
    void *caller_pc = HBSAN_CALLER_PC();
    if (!hbsan_forward_only())
        HBSAN_WRITES(b, 1, pthread_barrier_destroy);
    return REAL(pthread_barrier_destroy)(b);
}

/* Everything before any thread's arrival happens before every thread's
 * departure. The barrier is read on the way in and on the way out, before
 * the acquire: a thread that destroys it right after its own wait,
 * unordered with another thread still leaving the wait, races with that
 * thread. */
int pthread_barrier_wait(pthread_barrier_t *b) {
    void *caller_pc = HBSAN_CALLER_PC();
    if (hbsan_forward_only())
        return REAL(pthread_barrier_wait)(b);
    HBSAN_READS(b, 1, pthread_barrier_wait);
    __hbsan_release(b);
    int rc = REAL(pthread_barrier_wait)(b);
    HBSAN_READS(b, 1, pthread_barrier_wait);
    if (rc == 0 || rc == PTHREAD_BARRIER_SERIAL_THREAD)
        __hbsan_acquire(b);
    return rc;
}

/* ---- pthread_once ------------------------------------------------------------------ */

HBSAN_REAL_SLOT(pthread_once);

/* pthread_once's init routine takes no argument: the interceptor passes
 * the routine and its control to hbsan_once_trampoline through this thread's
 * TLS (the real pthread_once runs the routine on the calling thread). */
static __thread void (*once_routine)(void) __attribute__((tls_model("initial-exec")));
static __thread void *once_control __attribute__((tls_model("initial-exec")));

static void hbsan_once_trampoline(void) {
    /* Read before the routine runs: it may call pthread_once itself. */
    void (*routine)(void) = once_routine;
    void *control = once_control;
    routine();
    __hbsan_release(control);
}

/* The thread that runs the routine releases after it; every caller
 * (that one included) acquires after pthread_once returns. */
int pthread_once(pthread_once_t *control, void (*routine)(void)) {
    if (hbsan_forward_only())
        return REAL(pthread_once)(control, routine);
    once_routine = routine;
    once_control = control;
    int rc = REAL(pthread_once)(control, hbsan_once_trampoline);
    if (rc == 0)
        __hbsan_acquire(control);
    return rc;
}

/* C11's call_once, which glibc runs on its internal pthread_once. */
HBSAN_REAL_SLOT(call_once);

void call_once(once_flag *flag, void (*routine)(void)) {
    if (hbsan_forward_only()) {
        REAL(call_once)(flag, routine);
        return;
    }
    once_routine = routine;
    once_control = (void *)flag;
    REAL(call_once)(flag, hbsan_once_trampoline);
    __hbsan_acquire(flag);
}

/* ---- C11 condition variables ---------------------------------------------------------
 *
 * As above; glibc runs them on its internal pthread functions. A mtx_t
 * begins with its pthread_mutex_t, so the lock hooks see one lock.
 */

HBSAN_REAL_SLOT(cnd_wait);
HBSAN_REAL_SLOT(cnd_timedwait);

int cnd_wait(cnd_t *c, mtx_t *m) {
    if (hbsan_forward_only())
        return REAL(cnd_wait)(c, m);
    __hbsan_lock_releasing(m);
    COND_WAIT_REACQUIRES((pthread_mutex_t *)m);
    return REAL(cnd_wait)(c, m);
}

int cnd_timedwait(cnd_t *restrict c, mtx_t *restrict m, const struct timespec *restrict abstime) {
    if (hbsan_forward_only())
        return REAL(cnd_timedwait)(c, m, abstime);
    __hbsan_lock_releasing(m);
    COND_WAIT_REACQUIRES((pthread_mutex_t *)m);
    return REAL(cnd_timedwait)(c, m, abstime);
}

/* ---- C++ function-local statics -----------------------------------------------------
 *
 * `static T x = f();` in a function: the compiler checks the guard with an
 * acquire load and, while it says "not yet", calls __cxa_guard_acquire;
 * the one thread it returns 1 to runs the initializer and then
 * __cxa_guard_release. The store that releases the guard is libstdc++'s,
 * out of the detector's sight: the interceptors supply the edge from the
 * initializing thread to every thread that later finds the guard set
 * (through the instrumented acquire load of the guard, or through
 * __cxa_guard_acquire returning 0 after waiting for the initializer).
 */

HBSAN_REAL_SLOT(__cxa_guard_acquire);
HBSAN_REAL_SLOT(__cxa_guard_release);
HBSAN_REAL_SLOT(__cxa_guard_abort);

int __cxa_guard_acquire(uint64_t *guard);
void __cxa_guard_release(uint64_t *guard);
void __cxa_guard_abort(uint64_t *guard);

int __cxa_guard_acquire(uint64_t *guard) {
    int rc = REAL(__cxa_guard_acquire)(guard);
    if (rc == 0 && !hbsan_forward_only())
        __hbsan_acquire(guard);
    return rc;
}

void __cxa_guard_release(uint64_t *guard) {
    if (!hbsan_forward_only())
        __hbsan_release(guard);
    REAL(__cxa_guard_release)(guard);
}

/* The initializer threw: the next caller initializes. Nothing to order. */
void __cxa_guard_abort(uint64_t *guard) { REAL(__cxa_guard_abort)(guard); }

/* ---- semaphores ------------------------------------------------------------------- */

HBSAN_REAL_SLOT(sem_init);
HBSAN_REAL_SLOT(sem_destroy);
HBSAN_REAL_SLOT(sem_getvalue);
HBSAN_REAL_SLOT(sem_post);
HBSAN_REAL_SLOT(sem_wait);
HBSAN_REAL_SLOT(sem_trywait);
HBSAN_REAL_SLOT(sem_timedwait);
HBSAN_REAL_SLOT(sem_clockwait);

int sem_init(sem_t *s, int pshared, unsigned value) { return REAL(sem_init)(s, pshared, value); }

int sem_destroy(sem_t *s) { return REAL(sem_destroy)(s); }

int sem_getvalue(sem_t *restrict s, int *restrict value) { return REAL(sem_getvalue)(s, value); }

int sem_post(sem_t *s) {
    if (!hbsan_forward_only())
        __hbsan_release(s);
    return REAL(sem_post)(s);
}

/* Reports a successful decrement of `s`. */
static inline int sem_result(sem_t *s, int rc) {
    if (rc == 0 && !hbsan_forward_only())
        __hbsan_acquire(s);
    return rc;
}

int sem_wait(sem_t *s) { return sem_result(s, REAL(sem_wait)(s)); }

int sem_trywait(sem_t *s) { return sem_result(s, REAL(sem_trywait)(s)); }

int sem_timedwait(sem_t *restrict s, const struct timespec *restrict abstime) {
    return sem_result(s, REAL(sem_timedwait)(s, abstime));
}

int sem_clockwait(sem_t *restrict s, clockid_t clock, const struct timespec *restrict abstime) {
    return sem_result(s, REAL(sem_clockwait)(s, clock, abstime));
}
