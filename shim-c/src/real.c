/*
 * real.c — finding the real functions behind the interceptors (see real.h).
 */
#define _GNU_SOURCE
#include "real.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

__thread int hbsan_quiet __attribute__((tls_model("initial-exec"))) = 0;

/* The slots this thread is resolving right now, innermost last. dlsym may
 * allocate, and the allocation hook may (through the runtime) reach another
 * interceptor whose real function is not known yet: nesting is normal, a
 * cycle on one slot is what must be broken. */
#define HBSAN_RESOLVE_DEPTH 8
static __thread void **resolving[HBSAN_RESOLVE_DEPTH] __attribute__((tls_model("initial-exec")));
static __thread int resolving_depth __attribute__((tls_model("initial-exec")));

/* strlen without calling any interceptor: the shim must not report its own
 * bookkeeping, and this also runs where strlen may not be resolved. */
static size_t text_len(const char *s) {
    size_t n = 0;
    while (s[n] != '\0')
        n++;
    return n;
}

/* To stderr by the system call itself: write() and syscall() are
 * intercepted. */
static void write_all(const char *s) {
    size_t n = text_len(s);
    while (n > 0) {
        const long args[6] = {2, (long)s, (long)n, 0, 0, 0};
        long w = hbsan_raw_syscall(SYS_write, args);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

void hbsan_shim_die(const char *msg, const char *detail) {
    write_all("hbsan: ");
    write_all(msg);
    if (detail != NULL) {
        write_all(": ");
        write_all(detail);
    }
    write_all("\n");
    abort();
}

void *hbsan_real_resolve(void **slot, const char *name) {
    for (int i = 0; i < resolving_depth; i++)
        if (resolving[i] == slot)
            return NULL;
    if (resolving_depth == HBSAN_RESOLVE_DEPTH)
        hbsan_shim_die("real functions nest too deeply while resolving", name);
    resolving[resolving_depth++] = slot;
    void *p = dlsym(RTLD_NEXT, name);
    resolving_depth--;
    if (p == NULL) {
        const char *why = dlerror();
        write_all("hbsan: cannot find the real function ");
        write_all(name);
        if (why != NULL) {
            write_all(": ");
            write_all(why);
        }
        write_all("\n");
        abort();
    }
    /* Every thread that races here stores the same pointer. */
    __atomic_store_n(slot, p, __ATOMIC_RELEASE);
    return p;
}

/* The linker's bounds of the `hbsan_real` section (see real.h). */
extern const struct hbsan_real_entry __start_hbsan_real[] HBSAN_HIDDEN;
extern const struct hbsan_real_entry __stop_hbsan_real[] HBSAN_HIDDEN;

void hbsan_real_resolve_all(void) {
    for (const struct hbsan_real_entry *e = __start_hbsan_real; e < __stop_hbsan_real; e++) {
        if (__atomic_load_n(e->slot, __ATOMIC_ACQUIRE) != NULL)
            continue;
        void *p = dlsym(RTLD_NEXT, e->name);
        if (p != NULL)
            __atomic_store_n(e->slot, p, __ATOMIC_RELEASE);
    }
}

void *hbsan_real_resolve_must(void **slot, const char *name) {
    void *p = hbsan_real_resolve(slot, name);
    if (p == NULL)
        hbsan_shim_die("recursion while resolving the real function", name);
    return p;
}
