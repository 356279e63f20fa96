/*
 * memory.c — the heap (malloc family, C++ operator new/delete) and
 * mappings (mmap, munmap, mremap).
 *
 * The real allocator is glibc's, under its __libc_* names: no dlsym, so
 * malloc works from the first instruction of the process on, including
 * inside dlsym. A fresh block is reported after the real allocation; a free
 * is reported BEFORE the real free, because once the memory is back in the
 * allocator another thread may be handed the same addresses, and a late
 * report would then accuse that thread's new block.
 *
 * The C++ operators forward to the real ones in libstdc++ (which keeps
 * their exceptions and new_handler behaviour) inside a quiet window, so the
 * malloc/free they make underneath are not reported a second time.
 */
#define _GNU_SOURCE
#include "real.h"

#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* Reports a fresh block. Used by the interceptors with their own pcs. */
#define REPORT_MALLOC(p, size, caller_pc, self)                                                    \
    do {                                                                                           \
        if ((p) != NULL)                                                                           \
            __hbsan_malloc((p), (size), (caller_pc), HBSAN_SELF_PC(self));                         \
    } while (0)

/* ---- malloc family ------------------------------------------------------------------ */

void *malloc(size_t size) {
    void *caller_pc = HBSAN_CALLER_PC();
    void *p = __libc_malloc(size);
    if (!hbsan_forward_only())
        REPORT_MALLOC(p, size, caller_pc, malloc);
    return p;
}

void *calloc(size_t n, size_t size) {
    void *caller_pc = HBSAN_CALLER_PC();
    void *p = __libc_calloc(n, size);
    /* A non-NULL result means n * size did not overflow. */
    if (!hbsan_forward_only())
        REPORT_MALLOC(p, n * size, caller_pc, calloc);
    return p;
}

void free(void *p) {
    void *caller_pc = HBSAN_CALLER_PC();
    if (p != NULL && !hbsan_forward_only()) {
        if (hbsan_std_uninstrumented())
            hbsan_rust_freeing(p);
        __hbsan_free(p, caller_pc, HBSAN_SELF_PC(free));
    }
    __libc_free(p);
}

HBSAN_REAL_SLOT(memcpy);
HBSAN_REAL_SLOT(malloc_usable_size);

/* realloc always moves a block it keeps (as ThreadSanitizer's allocator
 * does): whether glibc would resize in place is only known after the fact,
 * and by then the old block may be someone else's. Moving means: read the
 * bytes that are kept, free the old block, a fresh block. */
static void *realloc_moving(void *old, size_t size, void *caller_pc, void *self_pc) {
    void *p = __libc_malloc(size);
    if (p == NULL)
        return NULL;
    size_t keep = REAL(malloc_usable_size)(old);
    if (keep > size)
        keep = size;
    __hbsan_read_range(old, keep, caller_pc, self_pc);
    REAL(memcpy)(p, old, keep);
    __hbsan_free(old, caller_pc, self_pc);
    __libc_free(old);
    __hbsan_malloc(p, size, caller_pc, self_pc);
    return p;
}

void *realloc(void *old, size_t size) {
    void *caller_pc = HBSAN_CALLER_PC();
    if (hbsan_forward_only())
        return __libc_realloc(old, size);
    if (old == NULL) {
        void *p = __libc_malloc(size);
        REPORT_MALLOC(p, size, caller_pc, realloc);
        return p;
    }
    if (size == 0) {
        /* glibc frees the block and returns NULL. */
        __hbsan_free(old, caller_pc, HBSAN_SELF_PC(realloc));
        return __libc_realloc(old, 0);
    }
    return realloc_moving(old, size, caller_pc, HBSAN_SELF_PC(realloc));
}

/* glibc's reallocarray calls its realloc internally, out of the
 * interceptor's sight: it must be intercepted itself. */
void *reallocarray(void *old, size_t n, size_t size) {
    void *caller_pc = HBSAN_CALLER_PC();
    size_t bytes;
    if (__builtin_mul_overflow(n, size, &bytes)) {
        errno = ENOMEM;
        return NULL;
    }
    if (hbsan_forward_only())
        return __libc_realloc(old, bytes);
    if (old == NULL) {
        void *p = __libc_malloc(bytes);
        REPORT_MALLOC(p, bytes, caller_pc, reallocarray);
        return p;
    }
    if (bytes == 0) {
        __hbsan_free(old, caller_pc, HBSAN_SELF_PC(reallocarray));
        return __libc_realloc(old, 0);
    }
    return realloc_moving(old, bytes, caller_pc, HBSAN_SELF_PC(reallocarray));
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    void *caller_pc = HBSAN_CALLER_PC();
    /* The checks glibc's posix_memalign makes before its memalign. */
    if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0 || alignment == 0)
        return EINVAL;
    void *p = __libc_memalign(alignment, size);
    if (p == NULL)
        return ENOMEM;
    if (!hbsan_forward_only())
        REPORT_MALLOC(p, size, caller_pc, posix_memalign);
    *out = p;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size) {
    void *caller_pc = HBSAN_CALLER_PC();
    /* glibc (up to 2.37) makes aligned_alloc an alias of memalign. */
    void *p = __libc_memalign(alignment, size);
    if (!hbsan_forward_only())
        REPORT_MALLOC(p, size, caller_pc, aligned_alloc);
    return p;
}

void *memalign(size_t alignment, size_t size) {
    void *caller_pc = HBSAN_CALLER_PC();
    void *p = __libc_memalign(alignment, size);
    if (!hbsan_forward_only())
        REPORT_MALLOC(p, size, caller_pc, memalign);
    return p;
}

void *valloc(size_t size) {
    void *caller_pc = HBSAN_CALLER_PC();
    void *p = __libc_valloc(size);
    if (!hbsan_forward_only())
        REPORT_MALLOC(p, size, caller_pc, valloc);
    return p;
}

void *pvalloc(size_t size) {
    void *caller_pc = HBSAN_CALLER_PC();
    void *p = __libc_pvalloc(size);
    if (!hbsan_forward_only())
        REPORT_MALLOC(p, size, caller_pc, pvalloc);
    return p;
}

/* Forwarded: the detector has nothing to learn from it. */
size_t malloc_usable_size(void *p) { return REAL(malloc_usable_size)(p); }

/* ---- C++ operator new and delete ------------------------------------------------------
 *
 * Written in C under their Itanium-ABI names (size_t is unsigned long, "m";
 * std::align_val_t "St11align_val_t"; const std::nothrow_t& "RKSt9nothrow_t").
 * The real ones are libstdc++'s, which a C++ program always loads.
 */

typedef struct hbsan_nothrow hbsan_nothrow; /* std::nothrow_t, only ever by reference */

void *_Znwm(size_t size);
void *_Znam(size_t size);
void *_ZnwmRKSt9nothrow_t(size_t size, const hbsan_nothrow *nt);
void *_ZnamRKSt9nothrow_t(size_t size, const hbsan_nothrow *nt);
void *_ZnwmSt11align_val_t(size_t size, size_t alignment);
void *_ZnamSt11align_val_t(size_t size, size_t alignment);
void *_ZnwmSt11align_val_tRKSt9nothrow_t(size_t size, size_t alignment, const hbsan_nothrow *nt);
void *_ZnamSt11align_val_tRKSt9nothrow_t(size_t size, size_t alignment, const hbsan_nothrow *nt);
void _ZdlPv(void *p);
void _ZdaPv(void *p);
void _ZdlPvRKSt9nothrow_t(void *p, const hbsan_nothrow *nt);
void _ZdaPvRKSt9nothrow_t(void *p, const hbsan_nothrow *nt);
void _ZdlPvm(void *p, size_t size);
void _ZdaPvm(void *p, size_t size);
void _ZdlPvSt11align_val_t(void *p, size_t alignment);
void _ZdaPvSt11align_val_t(void *p, size_t alignment);
void _ZdlPvSt11align_val_tRKSt9nothrow_t(void *p, size_t alignment, const hbsan_nothrow *nt);
void _ZdaPvSt11align_val_tRKSt9nothrow_t(void *p, size_t alignment, const hbsan_nothrow *nt);
void _ZdlPvmSt11align_val_t(void *p, size_t size, size_t alignment);
void _ZdaPvmSt11align_val_t(void *p, size_t size, size_t alignment);

/* The body of every operator new: the real one inside a quiet window (its
 * malloc is not reported; the window also closes when it throws
 * std::bad_alloc through here), then the block, reported with the
 * operator's pcs. `call` is the real operator applied to the arguments. */
#define OPERATOR_NEW(name, size, call)                                                             \
    void *caller_pc = HBSAN_CALLER_PC();                                                           \
    if (hbsan_forward_only())                                                                      \
        return call;                                                                               \
    void *p;                                                                                       \
    {                                                                                              \
        int quiet_scope __attribute__((cleanup(hbsan_quiet_cleanup), unused)) = 0;                 \
        hbsan_quiet_begin();                                                                       \
        p = call;                                                                                  \
    }                                                                                              \
    REPORT_MALLOC(p, size, caller_pc, name);                                                       \
    return p

/* The body of every operator delete: the free is reported first, then the
 * real operator runs quietly (its free is the same free). */
#define OPERATOR_DELETE(name, p, call)                                                             \
    void *caller_pc = HBSAN_CALLER_PC();                                                           \
    if (hbsan_forward_only()) {                                                                    \
        call;                                                                                      \
        return;                                                                                    \
    }                                                                                              \
    if ((p) != NULL)                                                                               \
        __hbsan_free((p), caller_pc, HBSAN_SELF_PC(name));                                         \
    hbsan_quiet_begin();                                                                           \
    call;                                                                                          \
    hbsan_quiet_end()

HBSAN_REAL_SLOT(_Znwm);
HBSAN_REAL_SLOT(_Znam);
HBSAN_REAL_SLOT(_ZnwmRKSt9nothrow_t);
HBSAN_REAL_SLOT(_ZnamRKSt9nothrow_t);
HBSAN_REAL_SLOT(_ZnwmSt11align_val_t);
HBSAN_REAL_SLOT(_ZnamSt11align_val_t);
HBSAN_REAL_SLOT(_ZnwmSt11align_val_tRKSt9nothrow_t);
HBSAN_REAL_SLOT(_ZnamSt11align_val_tRKSt9nothrow_t);
HBSAN_REAL_SLOT(_ZdlPv);
HBSAN_REAL_SLOT(_ZdaPv);
HBSAN_REAL_SLOT(_ZdlPvRKSt9nothrow_t);
HBSAN_REAL_SLOT(_ZdaPvRKSt9nothrow_t);
HBSAN_REAL_SLOT(_ZdlPvm);
HBSAN_REAL_SLOT(_ZdaPvm);
HBSAN_REAL_SLOT(_ZdlPvSt11align_val_t);
HBSAN_REAL_SLOT(_ZdaPvSt11align_val_t);
HBSAN_REAL_SLOT(_ZdlPvSt11align_val_tRKSt9nothrow_t);
HBSAN_REAL_SLOT(_ZdaPvSt11align_val_tRKSt9nothrow_t);
HBSAN_REAL_SLOT(_ZdlPvmSt11align_val_t);
HBSAN_REAL_SLOT(_ZdaPvmSt11align_val_t);

/* operator new(size_t) */
void *_Znwm(size_t size) { OPERATOR_NEW(_Znwm, size, REAL(_Znwm)(size)); }

/* operator new[](size_t) */
void *_Znam(size_t size) { OPERATOR_NEW(_Znam, size, REAL(_Znam)(size)); }

/* operator new(size_t, const std::nothrow_t&) */
void *_ZnwmRKSt9nothrow_t(size_t size, const hbsan_nothrow *nt) {
    OPERATOR_NEW(_ZnwmRKSt9nothrow_t, size, REAL(_ZnwmRKSt9nothrow_t)(size, nt));
}

/* operator new[](size_t, const std::nothrow_t&) */
void *_ZnamRKSt9nothrow_t(size_t size, const hbsan_nothrow *nt) {
    OPERATOR_NEW(_ZnamRKSt9nothrow_t, size, REAL(_ZnamRKSt9nothrow_t)(size, nt));
}

/* operator new(size_t, std::align_val_t) */
void *_ZnwmSt11align_val_t(size_t size, size_t alignment) {
    OPERATOR_NEW(_ZnwmSt11align_val_t, size, REAL(_ZnwmSt11align_val_t)(size, alignment));
}

/* operator new[](size_t, std::align_val_t) */
void *_ZnamSt11align_val_t(size_t size, size_t alignment) {
    OPERATOR_NEW(_ZnamSt11align_val_t, size, REAL(_ZnamSt11align_val_t)(size, alignment));
}

/* operator new(size_t, std::align_val_t, const std::nothrow_t&) */
void *_ZnwmSt11align_val_tRKSt9nothrow_t(size_t size, size_t alignment, const hbsan_nothrow *nt) {
    OPERATOR_NEW(_ZnwmSt11align_val_tRKSt9nothrow_t, size,
                 REAL(_ZnwmSt11align_val_tRKSt9nothrow_t)(size, alignment, nt));
}

/* operator new[](size_t, std::align_val_t, const std::nothrow_t&) */
void *_ZnamSt11align_val_tRKSt9nothrow_t(size_t size, size_t alignment, const hbsan_nothrow *nt) {
    OPERATOR_NEW(_ZnamSt11align_val_tRKSt9nothrow_t, size,
                 REAL(_ZnamSt11align_val_tRKSt9nothrow_t)(size, alignment, nt));
}

/* operator delete(void*) */
void _ZdlPv(void *p) { OPERATOR_DELETE(_ZdlPv, p, REAL(_ZdlPv)(p)); }

/* operator delete[](void*) */
void _ZdaPv(void *p) { OPERATOR_DELETE(_ZdaPv, p, REAL(_ZdaPv)(p)); }

/* operator delete(void*, const std::nothrow_t&) */
void _ZdlPvRKSt9nothrow_t(void *p, const hbsan_nothrow *nt) {
    OPERATOR_DELETE(_ZdlPvRKSt9nothrow_t, p, REAL(_ZdlPvRKSt9nothrow_t)(p, nt));
}

/* operator delete[](void*, const std::nothrow_t&) */
void _ZdaPvRKSt9nothrow_t(void *p, const hbsan_nothrow *nt) {
    OPERATOR_DELETE(_ZdaPvRKSt9nothrow_t, p, REAL(_ZdaPvRKSt9nothrow_t)(p, nt));
}

/* operator delete(void*, size_t) */
void _ZdlPvm(void *p, size_t size) { OPERATOR_DELETE(_ZdlPvm, p, REAL(_ZdlPvm)(p, size)); }

/* operator delete[](void*, size_t) */
void _ZdaPvm(void *p, size_t size) { OPERATOR_DELETE(_ZdaPvm, p, REAL(_ZdaPvm)(p, size)); }

/* operator delete(void*, std::align_val_t) */
void _ZdlPvSt11align_val_t(void *p, size_t alignment) {
    OPERATOR_DELETE(_ZdlPvSt11align_val_t, p, REAL(_ZdlPvSt11align_val_t)(p, alignment));
}

/* operator delete[](void*, std::align_val_t) */
void _ZdaPvSt11align_val_t(void *p, size_t alignment) {
    OPERATOR_DELETE(_ZdaPvSt11align_val_t, p, REAL(_ZdaPvSt11align_val_t)(p, alignment));
}

/* operator delete(void*, std::align_val_t, const std::nothrow_t&) */
void _ZdlPvSt11align_val_tRKSt9nothrow_t(void *p, size_t alignment, const hbsan_nothrow *nt) {
    OPERATOR_DELETE(_ZdlPvSt11align_val_tRKSt9nothrow_t, p,
                    REAL(_ZdlPvSt11align_val_tRKSt9nothrow_t)(p, alignment, nt));
}

/* operator delete[](void*, std::align_val_t, const std::nothrow_t&) */
void _ZdaPvSt11align_val_tRKSt9nothrow_t(void *p, size_t alignment, const hbsan_nothrow *nt) {
    OPERATOR_DELETE(_ZdaPvSt11align_val_tRKSt9nothrow_t, p,
                    REAL(_ZdaPvSt11align_val_tRKSt9nothrow_t)(p, alignment, nt));
}

/* operator delete(void*, size_t, std::align_val_t) */
void _ZdlPvmSt11align_val_t(void *p, size_t size, size_t alignment) {
    OPERATOR_DELETE(_ZdlPvmSt11align_val_t, p, REAL(_ZdlPvmSt11align_val_t)(p, size, alignment));
}

/* operator delete[](void*, size_t, std::align_val_t) */
void _ZdaPvmSt11align_val_t(void *p, size_t size, size_t alignment) {
    OPERATOR_DELETE(_ZdaPvmSt11align_val_t, p, REAL(_ZdaPvmSt11align_val_t)(p, size, alignment));
}

/* ---- mappings ----------------------------------------------------------------------- */

HBSAN_REAL_SLOT(mmap);
HBSAN_REAL_SLOT(mmap64);
HBSAN_REAL_SLOT(munmap);
HBSAN_REAL_SLOT(mremap);

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset) {
    void *p = REAL(mmap)(addr, len, prot, flags, fd, offset);
    if (p != MAP_FAILED && !hbsan_forward_only())
        __hbsan_mapped(p, len);
    return p;
}

/* The same function as mmap on 64-bit glibc, under its LFS name. */
void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t offset) {
    void *p = REAL(mmap64)(addr, len, prot, flags, fd, offset);
    if (p != MAP_FAILED && !hbsan_forward_only())
        __hbsan_mapped(p, len);
    return p;
}

/* Whether munmap/mremap could act on [p, p+len): page-aligned, non-empty,
 * inside the user address space the runtime shadows. Anything else fails
 * with EINVAL (or lies where the runtime keeps no shadow); reporting it
 * would have the runtime reset absurd ranges (munmap(0, -1)). */
static int plausible_range(const void *p, size_t len) {
#if defined(__x86_64__)
    const uintptr_t user_end = (uintptr_t)1 << 47;
#else
    const uintptr_t user_end = (uintptr_t)1 << 48;
#endif
    uintptr_t a = (uintptr_t)p;
    return len != 0 && (a & 4095) == 0 && a < user_end && len <= user_end - a;
}

/* Reported before: once unmapped, another thread may map the same range. */
int munmap(void *addr, size_t len) {
    if (plausible_range(addr, len) && !hbsan_forward_only())
        __hbsan_unmapped(addr, len);
    return REAL(munmap)(addr, len);
}

void *mremap(void *old, size_t old_len, size_t new_len, int flags, ...) {
    void *new_addr = NULL;
    if (flags & MREMAP_FIXED) {
        /* The optional fifth argument only exists with MREMAP_FIXED. */
        va_list ap;
        va_start(ap, flags);
        new_addr = va_arg(ap, void *);
        va_end(ap);
    }
    int report = !hbsan_forward_only();
    /* As with munmap, the old range is given up before it can be reused. */
    if (report && plausible_range(old, old_len))
        __hbsan_unmapped(old, old_len);
    /* Should it fail, the old range stays mapped with a fresh shadow: the
     * runtime forgets history, it never invents any. */
    void *p = REAL(mremap)(old, old_len, new_len, flags, new_addr);
    if (report && p != MAP_FAILED)
        __hbsan_mapped(p, new_len);
    return p;
}
