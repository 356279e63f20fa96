/*
 * threads.c — thread creation, start, exit, join and detach.
 *
 * pthread_create hands the child a ticket from the runtime (the parent's
 * release). The child starts in hbsan_thread_main, which tells the runtime
 * where its stack is (the child's acquire) and arms a pthread key whose
 * destructor tells the runtime the thread is finished. The destructor
 * re-arms itself until the last of the PTHREAD_DESTRUCTOR_ITERATIONS rounds,
 * so that everything a thread runs on its way out — C++ thread_local
 * destructors (glibc runs them before any key destructor), other keys'
 * destructors, pthread_exit's unwinding — still runs under the thread's
 * state. pthread_exit (and thrd_exit) need no interceptor: they unwind
 * to the same key destructors. C11 threads (thrd_*) are intercepted too:
 * glibc implements them on its internal pthread functions, out of sight of
 * the pthread interceptors.
 */
#define _GNU_SOURCE
#include "real.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <threads.h>
#include <time.h>

HBSAN_REAL_SLOT(pthread_create);
HBSAN_REAL_SLOT(pthread_join);
HBSAN_REAL_SLOT(pthread_tryjoin_np);
HBSAN_REAL_SLOT(pthread_timedjoin_np);
HBSAN_REAL_SLOT(pthread_clockjoin_np);
HBSAN_REAL_SLOT(pthread_detach);
HBSAN_REAL_SLOT(pthread_setname_np);
HBSAN_REAL_SLOT(thrd_create);
HBSAN_REAL_SLOT(thrd_join);
HBSAN_REAL_SLOT(thrd_detach);

/* What the child needs from the parent; allocated with __libc_malloc so
 * that neither the runtime nor the program sees it. */
struct hbsan_start {
    void *(*routine)(void *);   /* pthread_create's */
    int (*c11_routine)(void *); /* thrd_create's */
    void *arg;
    void *ticket;
    /* The parent's signal mask, which the child gets once the runtime
     * knows it: a signal handler (instrumented code) running before that
     * would make the runtime adopt the thread as one it never saw
     * created. The child starts with every signal blocked. */
    sigset_t sigmask;
};

/* ---- the finishing key ------------------------------------------------------ */

static pthread_key_t finish_key;
/* 0: not created, 1: being created, 2: ready. */
static int finish_key_state;

static int thread_is_joinable(void) {
    int state = PTHREAD_CREATE_JOINABLE;
    pthread_attr_t attr;
    /* pthread_getattr_np allocates (the affinity mask); the caller has
     * opened a quiet window so that nothing is reported on its behalf. */
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        pthread_attr_getdetachstate(&attr, &state);
        pthread_attr_destroy(&attr);
    }
    return state == PTHREAD_CREATE_JOINABLE;
}

/* The value stored under the key counts the destructor rounds left. */
static void finish_key_destructor(void *value) {
    uintptr_t rounds_left = (uintptr_t)value;
    if (rounds_left > 1) {
        /* Setting a non-NULL value makes glibc run another round. */
        pthread_setspecific(finish_key, (void *)(rounds_left - 1));
        return;
    }
    hbsan_quiet_begin();
    int joinable = thread_is_joinable();
    hbsan_quiet_end();
    /* No handler may run on this thread once the runtime forgot it (see
     * struct hbsan_start); a process-directed signal goes to another
     * thread instead. */
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, NULL);
    __hbsan_thread_finish(joinable);
    /* The runtime has forgotten this thread: whatever it still does on its
     * way out (the remaining key destructors, glibc freeing its TLS) is
     * not the program's business any more. Never closed: the thread ends. */
    hbsan_quiet_begin();
}

/* Creates the key once. Not pthread_once: that is intercepted too. */
static void ensure_finish_key(void) {
    if (__atomic_load_n(&finish_key_state, __ATOMIC_ACQUIRE) == 2)
        return;
    int expected = 0;
    if (__atomic_compare_exchange_n(&finish_key_state, &expected, 1, 0, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE)) {
        if (pthread_key_create(&finish_key, finish_key_destructor) != 0)
            hbsan_shim_die("cannot create the thread-exit key", NULL);
        __atomic_store_n(&finish_key_state, 2, __ATOMIC_RELEASE);
        return;
    }
    while (__atomic_load_n(&finish_key_state, __ATOMIC_ACQUIRE) != 2)
        sched_yield();
}

/* Called once from the start-up function, before any thread exists. */
HBSAN_HIDDEN void hbsan_threads_init(void) { ensure_finish_key(); }

/* ---- start of a thread ---------------------------------------------------------- */

/* The child's side, before its routine: tells the runtime it started and
 * where its stack is, arms the finishing key, restores the signal mask.
 * Returns the routine's argument. */
static void *thread_begin(struct hbsan_start *start) {
    void *arg = start->arg;
    void *ticket = start->ticket;
    sigset_t sigmask;
    hbsan_copy(&sigmask, &start->sigmask, sizeof sigmask);
    __libc_free(start);

    /* Until the runtime knows this thread, nothing is reported for it:
     * pthread_getattr_np allocates. */
    char *lo = NULL, *hi = NULL;
    hbsan_quiet_begin();
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) == 0) {
        void *addr;
        size_t size;
        if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
            lo = addr;
            hi = lo + size;
        }
        pthread_attr_destroy(&attr);
    }
    hbsan_quiet_end();

    __hbsan_thread_start(ticket, lo, hi);
    pthread_setspecific(finish_key, (void *)(uintptr_t)PTHREAD_DESTRUCTOR_ITERATIONS);
    pthread_sigmask(SIG_SETMASK, &sigmask, NULL);
    return arg;
}

/* The start routine the real pthread_create gets. */
static void *hbsan_thread_main(void *p) {
    void *(*routine)(void *) = ((struct hbsan_start *)p)->routine;
    void *arg = thread_begin(p);
    return routine(arg);
}

/* The start routine the real thrd_create gets (C11 threads return int). */
static int hbsan_thrd_main(void *p) {
    int (*routine)(void *) = ((struct hbsan_start *)p)->c11_routine;
    void *arg = thread_begin(p);
    return routine(arg);
}

/* Every real function resolved before the program's first thread creation
 * (see hbsan_real_resolve_all; the lookups' own allocations are not the
 * program's). */
static void resolve_before_threads(void) {
    static int done;
    if (__atomic_load_n(&done, __ATOMIC_ACQUIRE))
        return;
    hbsan_quiet_begin();
    hbsan_real_resolve_all();
    hbsan_quiet_end();
    __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
}

/* The parent's side of pthread_create and thrd_create, before the real
 * creation: the child's start (the caller sets its routine), or NULL when
 * there is no memory for it. *mine receives the parent's signal mask. */
static struct hbsan_start *creation_begin(void *arg, void *caller_pc, void *self_pc,
                                          sigset_t *mine, unsigned *tid) {
    ensure_finish_key();
    resolve_before_threads();
    struct hbsan_start *start = __libc_malloc(sizeof *start);
    if (start == NULL)
        return NULL;
    start->arg = arg;
    start->ticket = __hbsan_thread_create(caller_pc, self_pc, tid);
    /* The child inherits the mask in force at creation: all blocked. */
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, mine);
    hbsan_copy(&start->sigmask, mine, sizeof *mine);
    /* glibc's own bookkeeping allocations for the new thread (its TLS
     * vector) are not the program's heap blocks. */
    hbsan_quiet_begin();
    return start;
}

/* After the real creation function returned (`ok`: it succeeded, and
 * `thread` is the new thread's pthread_t; `tid` its id in the runtime). */
static void creation_end(struct hbsan_start *start, int ok, const sigset_t *mine,
                         unsigned long thread, unsigned tid) {
    hbsan_quiet_end();
    /* (Not start->sigmask: the child may have freed `start` already.) */
    pthread_sigmask(SIG_SETMASK, mine, NULL);
    if (!ok) {
        __hbsan_thread_create_failed(start->ticket);
        __libc_free(start);
        return;
    }
    /* The creator may name the thread before it runs. */
    __hbsan_thread_created(tid, thread);
}

int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*routine)(void *),
                   void *arg) {
    void *caller_pc = HBSAN_CALLER_PC();
    if (hbsan_forward_only())
        return REAL(pthread_create)(thread, attr, routine, arg);
    sigset_t mine;
    unsigned tid = 0;
    struct hbsan_start *start =
        creation_begin(arg, caller_pc, HBSAN_SELF_PC(pthread_create), &mine, &tid);
    if (start == NULL)
        return EAGAIN;
    start->routine = routine;
    int rc = REAL(pthread_create)(thread, attr, hbsan_thread_main, start);
    creation_end(start, rc == 0, &mine, rc == 0 ? (unsigned long)*thread : 0, tid);
    return rc;
}

/* glibc's thrd_create creates the thread without going through
 * pthread_create's symbol: it needs its own interceptor. */
int thrd_create(thrd_t *thread, thrd_start_t routine, void *arg) {
    void *caller_pc = HBSAN_CALLER_PC();
    if (hbsan_forward_only())
        return REAL(thrd_create)(thread, routine, arg);
    sigset_t mine;
    unsigned tid = 0;
    struct hbsan_start *start =
        creation_begin(arg, caller_pc, HBSAN_SELF_PC(thrd_create), &mine, &tid);
    if (start == NULL)
        return thrd_nomem;
    start->c11_routine = routine;
    int rc = REAL(thrd_create)(thread, hbsan_thrd_main, start);
    creation_end(start, rc == thrd_success, &mine,
                 rc == thrd_success ? (unsigned long)*thread : 0, tid);
    return rc;
}

/* ---- join and detach ------------------------------------------------------------ */

int pthread_join(pthread_t thread, void **retval) {
    int rc = REAL(pthread_join)(thread, retval);
    if (rc == 0 && !hbsan_forward_only())
        __hbsan_thread_joined((unsigned long)thread);
    return rc;
}

int pthread_tryjoin_np(pthread_t thread, void **retval) {
    int rc = REAL(pthread_tryjoin_np)(thread, retval);
    if (rc == 0 && !hbsan_forward_only())
        __hbsan_thread_joined((unsigned long)thread);
    return rc;
}

int pthread_timedjoin_np(pthread_t thread, void **retval, const struct timespec *abstime) {
    int rc = REAL(pthread_timedjoin_np)(thread, retval, abstime);
    if (rc == 0 && !hbsan_forward_only())
        __hbsan_thread_joined((unsigned long)thread);
    return rc;
}

int pthread_clockjoin_np(pthread_t thread, void **retval, clockid_t clock,
                         const struct timespec *abstime) {
    int rc = REAL(pthread_clockjoin_np)(thread, retval, clock, abstime);
    if (rc == 0 && !hbsan_forward_only())
        __hbsan_thread_joined((unsigned long)thread);
    return rc;
}

int pthread_detach(pthread_t thread) {
    int rc = REAL(pthread_detach)(thread);
    if (rc == 0 && !hbsan_forward_only())
        __hbsan_thread_detached((unsigned long)thread);
    return rc;
}

/* A thread's name shows in reports: `Thread T1 'worker'` (Rust's std names
 * its threads this way too). */
int pthread_setname_np(pthread_t thread, const char *name) {
    int rc = REAL(pthread_setname_np)(thread, name);
    if (rc == 0 && !hbsan_forward_only())
        __hbsan_thread_named((unsigned long)thread, name);
    return rc;
}

int thrd_join(thrd_t thread, int *result) {
    int rc = REAL(thrd_join)(thread, result);
    if (rc == thrd_success && !hbsan_forward_only())
        __hbsan_thread_joined((unsigned long)thread);
    return rc;
}

int thrd_detach(thrd_t thread) {
    int rc = REAL(thrd_detach)(thread);
    if (rc == thrd_success && !hbsan_forward_only())
        __hbsan_thread_detached((unsigned long)thread);
    return rc;
}
