/*
 * signals.c — signal handlers never run while their thread is inside the
 * runtime.
 *
 * A handler interrupting the runtime would run instrumented code on a
 * thread whose detector state is half-updated, or wait for a lock the
 * interrupted code holds. So every handler the program installs (sigaction,
 * signal) is installed behind hbsan_signal_wrapper, which:
 * - calls the program's handler at once when the thread is not inside the
 *   runtime, and always for faults (SIGSEGV & co. cannot wait: returning
 *   would re-execute the faulting instruction);
 * - otherwise records the signal as pending on the thread and returns, so
 *   the runtime finishes what it was doing. The handler then runs as soon
 *   as the thread leaves the runtime, if the runtime offers
 *   __hbsan_defer_signal (see below), and in any case at the thread's next
 *   interceptor call (hbsan_forward_only() checks for pending signals).
 *
 * sigaction reports the program's own handler back (never the wrapper),
 * and SIG_IGN/SIG_DFL are installed as they are.
 */
#define _GNU_SOURCE
#include "real.h"

#include <errno.h>
#include <signal.h>
#include <ucontext.h>

/* Declared in hbsan_rt.h; also weak here, so the shim still links with a
 * runtime that lacks it (signals are then delivered at the next
 * interceptor call). Called from a signal handler on a thread that is
 * inside the runtime: the runtime must call `deliver` once, on this
 * thread, right after the thread leaves the runtime (when its outermost
 * guard drops; check after lowering the guard count, so that a signal
 * arriving in between is delivered directly instead). It must be
 * async-signal-safe: store `deliver` in a thread-local, nothing else. */
void __hbsan_defer_signal(void (*deliver)(void)) __attribute__((weak));

HBSAN_REAL_SLOT(sigaction);
HBSAN_REAL_SLOT(signal);

/* Signals are 1 .. HBSAN_NSIG-1. */
#define HBSAN_NSIG 65

/* What the program installed for each signal, as the wrapper needs it.
 * `handler` is read by the wrapper in signal context: accessed atomically. */
struct user_action {
    void *handler; /* sa_handler or sa_sigaction */
    int flags;     /* the program's sa_flags (SA_SIGINFO tells which) */
    sigset_t mask; /* the program's sa_mask */
};
static struct user_action user_actions[HBSAN_NSIG];

/* Signals waiting for the thread to leave the runtime: bit sig-1. */
__thread unsigned long long hbsan_signals_pending __attribute__((tls_model("initial-exec"))) = 0;
static __thread siginfo_t pending_info[HBSAN_NSIG] __attribute__((tls_model("initial-exec")));

static int is_fault(int sig) {
    return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP ||
           sig == SIGSYS;
}

/* Calls the program's handler for `sig`, if it still has one. What the
 * program did before installing the handler happens before the handler
 * runs, on whichever thread (the release is in install()). */
static void hbsan_call_user_handler(int sig, siginfo_t *info, void *uctx) {
    void *handler = __atomic_load_n(&user_actions[sig].handler, __ATOMIC_ACQUIRE);
    if (handler == (void *)SIG_IGN || handler == (void *)SIG_DFL)
        return;
    /* (A fault inside the runtime is handled at once: no runtime call.) */
    if (__hbsan_in_runtime() == 0)
        __hbsan_acquire(&user_actions[sig]);
    if (user_actions[sig].flags & SA_SIGINFO)
        ((void (*)(int, siginfo_t *, void *))handler)(sig, info, uctx);
    else
        ((void (*)(int))handler)(sig);
}

static void hbsan_signal_wrapper(int sig, siginfo_t *info, void *uctx) {
    if (sig <= 0 || sig >= HBSAN_NSIG)
        return;
    if (is_fault(sig) || __hbsan_in_runtime() == 0) {
        hbsan_call_user_handler(sig, info, uctx);
        return;
    }
    /* Inside the runtime: later. A second arrival before delivery merges
     * with the first, as the kernel merges pending standard signals. */
    if (info != NULL)
        hbsan_copy(&pending_info[sig], info, sizeof *info);
    hbsan_signals_pending |= 1ull << (sig - 1);
    if (__hbsan_defer_signal != NULL)
        __hbsan_defer_signal(hbsan_signals_deliver);
}

void hbsan_signals_deliver(void) {
    if (__hbsan_in_runtime() != 0)
        return;
    int saved_errno = errno;
    sigset_t all, before;
    sigfillset(&all);
    while (hbsan_signals_pending != 0) {
        /* Take one signal with every signal blocked: the wrapper updates
         * the same thread-locals from signal context. */
        pthread_sigmask(SIG_BLOCK, &all, &before);
        int sig = __builtin_ctzll(hbsan_signals_pending) + 1;
        hbsan_signals_pending &= ~(1ull << (sig - 1));
        siginfo_t info;
        hbsan_copy(&info, &pending_info[sig], sizeof info);
        /* While the handler runs, block what the kernel would have: the
         * program's sa_mask and, unless SA_NODEFER, the signal itself. */
        sigset_t during;
        hbsan_copy(&during, &before, sizeof during);
        for (int s = 1; s < HBSAN_NSIG; s++)
            if (sigismember(&user_actions[sig].mask, s) == 1)
                sigaddset(&during, s);
        if (!(user_actions[sig].flags & SA_NODEFER))
            sigaddset(&during, sig);
        pthread_sigmask(SIG_SETMASK, &during, NULL);
        /* The interrupted context is gone; the handler gets the present
         * one. */
        ucontext_t now;
        getcontext(&now);
        hbsan_call_user_handler(sig, &info, &now);
        pthread_sigmask(SIG_SETMASK, &before, NULL);
    }
    errno = saved_errno;
}

/* sigaction, with the program's handler behind the wrapper. */
static int install(int sig, const struct sigaction *act, struct sigaction *old) {
    if (sig <= 0 || sig >= HBSAN_NSIG || act == NULL)
        return REAL(sigaction)(sig, act, old);
    struct user_action previous;
    hbsan_copy(&previous, &user_actions[sig], sizeof previous);
    void *handler = (act->sa_flags & SA_SIGINFO) ? (void *)act->sa_sigaction
                                                 : (void *)act->sa_handler;
    /* (Initialized field by field: a memset here would be a call to the
     * memset interceptor.) */
    struct sigaction wrapped;
    if (handler == (void *)SIG_IGN || handler == (void *)SIG_DFL) {
        hbsan_copy(&wrapped, act, sizeof wrapped);
    } else {
        user_actions[sig].flags = act->sa_flags;
        hbsan_copy(&user_actions[sig].mask, &act->sa_mask, sizeof(sigset_t));
        wrapped.sa_sigaction = hbsan_signal_wrapper;
        hbsan_copy(&wrapped.sa_mask, &act->sa_mask, sizeof(sigset_t));
        wrapped.sa_flags = act->sa_flags | SA_SIGINFO;
        wrapped.sa_restorer = NULL;
    }
    /* Published before the wrapper can run for this program handler. */
    __atomic_store_n(&user_actions[sig].handler, handler, __ATOMIC_RELEASE);
    __hbsan_release(&user_actions[sig]);
    int rc = REAL(sigaction)(sig, &wrapped, old);
    if (rc != 0) {
        hbsan_copy(&user_actions[sig], &previous, sizeof previous);
        return rc;
    }
    if (old != NULL && old->sa_sigaction == hbsan_signal_wrapper) {
        /* Report what the program had installed, as it installed it. */
        if (previous.flags & SA_SIGINFO)
            old->sa_sigaction = (void (*)(int, siginfo_t *, void *))previous.handler;
        else
            old->sa_handler = (void (*)(int))previous.handler;
        old->sa_flags = previous.flags;
        hbsan_copy(&old->sa_mask, &previous.mask, sizeof(sigset_t));
    }
    return rc;
}

int sigaction(int sig, const struct sigaction *restrict act, struct sigaction *restrict old) {
    if (__hbsan_in_runtime() != 0)
        return REAL(sigaction)(sig, act, old);
    if (act != NULL)
        return install(sig, act, old);
    /* A query: the program's handler in place of the wrapper. */
    int rc = REAL(sigaction)(sig, NULL, old);
    if (rc == 0 && old != NULL && old->sa_sigaction == hbsan_signal_wrapper && sig > 0 &&
        sig < HBSAN_NSIG) {
        struct user_action *ua = &user_actions[sig];
        if (ua->flags & SA_SIGINFO)
            old->sa_sigaction =
                (void (*)(int, siginfo_t *, void *))__atomic_load_n(&ua->handler, __ATOMIC_ACQUIRE);
        else
            old->sa_handler = (void (*)(int))__atomic_load_n(&ua->handler, __ATOMIC_ACQUIRE);
        old->sa_flags = ua->flags;
        hbsan_copy(&old->sa_mask, &ua->mask, sizeof(sigset_t));
    }
    return rc;
}

/* glibc's signal(): BSD semantics (SA_RESTART, the signal blocked in its
 * handler), the previous handler back. */
sighandler_t signal(int sig, sighandler_t handler) {
    if (__hbsan_in_runtime() != 0)
        return REAL(signal)(sig, handler);
    struct sigaction act, old;
    act.sa_handler = handler;
    act.sa_flags = SA_RESTART;
    act.sa_restorer = NULL;
    sigemptyset(&act.sa_mask);
    if (install(sig, &act, &old) != 0)
        return SIG_ERR;
    return old.sa_handler;
}
