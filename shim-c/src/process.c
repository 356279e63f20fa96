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
 * fork and vfork (made a fork) let the runtime hold its locks across.
 */
#define _GNU_SOURCE
#include "real.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

HBSAN_HIDDEN void hbsan_threads_init(void);

HBSAN_REAL_SLOT(fork);
HBSAN_REAL_SLOT(_exit);

/* ---- the end -------------------------------------------------------------------------- */

/* Registered first, so it runs after every atexit handler and static
 * destructor registered later (the program's). When the runtime wants its
 * own exit status (races were reported), the process ends here: what is
 * left (.fini_array, libraries' destructors) would only run on a process
 * whose verdict is already out. */
static void hbsan_atexit(void) {
    /* The program's buffered output goes out before the runtime's summary. */
    fflush(NULL);
    int status = __hbsan_finish();
    if (status >= 0) {
        fflush(NULL);
        REAL(_exit)(status);
    }
}

void _exit(int status) {
    if (!hbsan_forward_only()) {
        int own = __hbsan_finish();
        if (own >= 0)
            status = own;
    }
    REAL(_exit)(status);
    __builtin_unreachable();
}

/* _Exit is _exit under its C99 name (glibc aliases them). */
void _Exit(int status) {
    if (!hbsan_forward_only()) {
        int own = __hbsan_finish();
        if (own >= 0)
            status = own;
    }
    REAL(_exit)(status);
    __builtin_unreachable();
}

/* ---- fork ------------------------------------------------------------------------------ */

/* The runtime takes its locks before fork, so that the child, where only
 * the forking thread survives, does not inherit one held by a thread that
 * no longer exists; both sides release them after. */
pid_t fork(void) {
    if (hbsan_forward_only())
        return REAL(fork)();
    __hbsan_fork_before();
    pid_t pid = REAL(fork)();
    __hbsan_fork_after(pid == 0);
    return pid;
}

/* A vfork child shares the parent's memory, and with it the runtime's
 * state: whatever it reports (its _exit's summary included) would be the
 * parent's. It gets a real fork instead; a program may not tell the
 * difference (a vfork child may only exec or _exit). */
pid_t vfork(void) {
    if (hbsan_forward_only())
        return REAL(fork)();
    __hbsan_fork_before();
    pid_t pid = REAL(fork)();
    __hbsan_fork_after(pid == 0);
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
    if (atexit(hbsan_atexit) != 0)
        hbsan_shim_die("cannot register the exit handler", NULL);
}

/* Only an executable's .preinit_array is run (a shared object may not have
 * one): the shim is linked into executables only. */
__attribute__((section(".preinit_array"), used)) static void (*const hbsan_preinit_entry)(
    int, char **, char **) = hbsan_preinit;
