/*
 * process.c — start-up, fork, and the ends of a process.
 *
 * Start-up: a function in .preinit_array tells the runtime, before any
 * instrumented constructor calls __tsan_init, that this process speaks the
 * compiler instrumentation ABI (__tsan_init and a few other names are
 * shared with Go's race ABI), and registers the handler that ends the
 * process with the runtime's exit status.
 *
 * The ends: exit() runs the atexit handler; _exit and _Exit skip atexit
 * handlers, so their interceptors ask the runtime themselves.
 *
 * Forks: the runtime holds its locks across fork (see fork_prepare).
 */
#define _GNU_SOURCE
#include "real.h"

#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

HBSAN_HIDDEN void hbsan_threads_init(void);

HBSAN_REAL_SLOT(fork);
HBSAN_REAL_SLOT(_Fork);
HBSAN_REAL_SLOT(clone);
HBSAN_REAL_SLOT(_exit);

/* ---- the end -------------------------------------------------------------------------- */

/* Flushes stdout and stderr, unless another thread holds one of them: a
 * thread blocked in the middle of a stdio call (a getline on a pipe that
 * never delivers) would hold its stream's lock forever, and fflush would
 * wait for it forever. */
static void flush_std_streams(void) {
    FILE *streams[2] = {stdout, stderr};
    for (int i = 0; i < 2; i++) {
        if (ftrylockfile(streams[i]) == 0) {
            fflush_unlocked(streams[i]);
            funlockfile(streams[i]);
        }
    }
}

/* Registered first, so it runs after every atexit handler and static
 * destructor registered later (the program's). When the runtime wants its
 * own exit status (races were reported), the process ends here, after
 * flushing what the program wrote to stdout and stderr: what exit() would
 * still do (.fini_array, libraries' destructors, flushing the other
 * streams) only runs on a process whose verdict is out. When the runtime
 * has no status to impose, exit() goes on as usual. */
static void hbsan_atexit(void) {
    int status = __hbsan_finish();
    if (status >= 0) {
        flush_std_streams();
        REAL(_exit)(status);
    }
}

/* The status an immediate exit ends with: the runtime's, if it has one. */
static int final_status(int status) {
    if (hbsan_forward_only())
        return status;
    int own = __hbsan_finish();
    return own >= 0 ? own : status;
}

void _exit(int status) {
    REAL(_exit)(final_status(status));
    __builtin_unreachable();
}

/* _Exit is _exit under its C99 name (glibc aliases them). */
void _Exit(int status) {
    REAL(_exit)(final_status(status));
    __builtin_unreachable();
}

/* ---- fork ------------------------------------------------------------------------------ */

/* The runtime takes its locks before fork, so that the child, where only
 * the forking thread survives, does not inherit one held by a thread that
 * no longer exists; both sides release them after. These run as
 * pthread_atfork handlers registered at start-up, so that fork runs the
 * program's own prepare handlers before fork_prepare (prepare handlers run
 * newest first) and its parent/child handlers after fork_parent and
 * fork_child: the program's handlers, instrumented code that may report
 * races, never run while the runtime holds its locks. */
static void fork_prepare(void) { __hbsan_fork_before(); }
static void fork_parent(void) { __hbsan_fork_after(0); }
static void fork_child(void) { __hbsan_fork_after(1); }

/* A vfork child shares the parent's memory, and with it the runtime's
 * state: whatever it reports (its _exit's summary included) would be the
 * parent's. It gets a real fork instead; a program may not tell the
 * difference (a vfork child may only exec or _exit). */
pid_t vfork(void) { return REAL(fork)(); }

/* _Fork (glibc 2.34) is fork without the atfork handlers. */
pid_t _Fork(void) {
    if (hbsan_forward_only())
        return REAL(_Fork)();
    __hbsan_fork_before();
    pid_t pid = REAL(_Fork)();
    __hbsan_fork_after(pid == 0);
    return pid;
}

/* What a fork-like clone's child runs first. */
struct clone_start {
    int (*fn)(void *);
    void *arg;
};

static int hbsan_clone_child_main(void *p) {
    struct clone_start *start = p;
    __hbsan_fork_after(1);
    return start->fn(start->arg);
}

/* A clone without CLONE_VM is a fork that skips the atfork handlers: the
 * runtime's locks are handled here. (With CLONE_VM it makes a thread the
 * runtime has not seen created; it adopts it on its first event.) */
int clone(int (*fn)(void *), void *stack, int flags, void *arg, ...) {
    va_list ap;
    va_start(ap, arg);
    pid_t *parent_tid = va_arg(ap, pid_t *);
    void *tls = va_arg(ap, void *);
    pid_t *child_tid = va_arg(ap, pid_t *);
    va_end(ap);
    if ((flags & CLONE_VM) || hbsan_forward_only())
        return REAL(clone)(fn, stack, flags, arg, parent_tid, tls, child_tid);
    /* On this thread's stack: the child has a copy of the parent's memory,
     * and the parent does not return before the clone call has. */
    struct clone_start start = {fn, arg};
    __hbsan_fork_before();
    int pid = REAL(clone)(hbsan_clone_child_main, stack, flags, &start, parent_tid, tls, child_tid);
    __hbsan_fork_after(0);
    return pid;
}

/* ---- start-up --------------------------------------------------------------------------- */

static void hbsan_preinit(int argc, char **argv, char **envp) {
    (void)argc;
    (void)argv;
    (void)envp;
    __hbsan_init_native();
    hbsan_threads_init();
    /* Resolved now, while the process is single-threaded and healthy: the
     * exit paths may run in a process that is not. */
    (void)REAL(_exit);
    if (pthread_atfork(fork_prepare, fork_parent, fork_child) != 0)
        hbsan_shim_die("cannot register the fork handlers", NULL);
    if (atexit(hbsan_atexit) != 0)
        hbsan_shim_die("cannot register the exit handler", NULL);
}

/* Only an executable's .preinit_array is run (a shared object may not have
 * one): the shim is linked into executables only. */
__attribute__((section(".preinit_array"), used)) static void (*const hbsan_preinit_entry)(
    int, char **, char **) = hbsan_preinit;
