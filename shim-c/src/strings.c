/*
 * strings.c — mem* and str*: the bytes they read and write on the
 * program's behalf are reported as ranges.
 *
 * Each interceptor reports, then calls the real function (libc's
 * vectorized one). A str* function's extent is only known by scanning: the
 * real strlen/strnlen measure it first. The fortified __*_chk entry points
 * (_FORTIFY_SOURCE) would reach libc's string code without passing through
 * the plain names, so they are intercepted too.
 *
 * While this thread resolves a real mem* function, dlsym may allocate and
 * the allocation hook may copy memory before the real memcpy is known; the
 * slow fallbacks below serve that moment. They use volatile bytes so the
 * compiler cannot turn them back into calls to memcpy/memset, that is,
 * into calls to these very interceptors.
 */
#define _GNU_SOURCE
#include "real.h"

#include <string.h>
#include <strings.h>

/* glibc's fortify failure: prints "buffer overflow detected" and aborts. */
extern void __chk_fail(void) __attribute__((noreturn));

/* ---- fallbacks while resolving ------------------------------------------------------- */

static void *fallback_memmove(void *dst, const void *src, size_t n) {
    volatile unsigned char *d = dst;
    const volatile unsigned char *s = src;
    if (d < s) {
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
    } else {
        for (size_t i = n; i > 0; i--)
            d[i - 1] = s[i - 1];
    }
    return dst;
}

static void *fallback_memset(void *dst, int c, size_t n) {
    volatile unsigned char *d = dst;
    for (size_t i = 0; i < n; i++)
        d[i] = (unsigned char)c;
    return dst;
}

static int fallback_memcmp(const void *a, const void *b, size_t n) {
    const volatile unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

static size_t fallback_strnlen(const char *s, size_t max) {
    const volatile char *p = s;
    size_t n = 0;
    while (n < max && p[n] != '\0')
        n++;
    return n;
}

/* ---- real functions ------------------------------------------------------------------ */

HBSAN_REAL_SLOT(memcpy);
HBSAN_REAL_SLOT(memmove);
HBSAN_REAL_SLOT(memset);
HBSAN_REAL_SLOT(memcmp);
HBSAN_REAL_SLOT(strlen);
HBSAN_REAL_SLOT(strnlen);
HBSAN_REAL_SLOT(strchr);
HBSAN_REAL_SLOT(strrchr);

static inline void *real_memcpy(void *dst, const void *src, size_t n) {
    __typeof__(&memcpy) f = REAL_TRY(memcpy);
    return f ? f(dst, src, n) : fallback_memmove(dst, src, n);
}

static inline void *real_memmove(void *dst, const void *src, size_t n) {
    __typeof__(&memmove) f = REAL_TRY(memmove);
    return f ? f(dst, src, n) : fallback_memmove(dst, src, n);
}

static inline void *real_memset(void *dst, int c, size_t n) {
    __typeof__(&memset) f = REAL_TRY(memset);
    return f ? f(dst, c, n) : fallback_memset(dst, c, n);
}

static inline int real_memcmp(const void *a, const void *b, size_t n) {
    __typeof__(&memcmp) f = REAL_TRY(memcmp);
    return f ? f(a, b, n) : fallback_memcmp(a, b, n);
}

static inline size_t real_strlen(const char *s) {
    __typeof__(&strlen) f = REAL_TRY(strlen);
    return f ? f(s) : fallback_strnlen(s, (size_t)-1);
}

static inline size_t real_strnlen(const char *s, size_t max) {
    __typeof__(&strnlen) f = REAL_TRY(strnlen);
    return f ? f(s, max) : fallback_strnlen(s, max);
}

static inline size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

/* ---- mem* ---------------------------------------------------------------------------- */

/* The shared bodies take the pcs of the interceptor the program called. */
static inline void *do_memcpy(void *dst, const void *src, size_t n, void *caller_pc,
                              void *self_pc) {
    if (n != 0 && !hbsan_forward_only()) {
        __hbsan_read_range(src, n, caller_pc, self_pc);
        __hbsan_write_range(dst, n, caller_pc, self_pc);
    }
    return real_memcpy(dst, src, n);
}

static inline void *do_memmove(void *dst, const void *src, size_t n, void *caller_pc,
                               void *self_pc) {
    if (n != 0 && !hbsan_forward_only()) {
        __hbsan_read_range(src, n, caller_pc, self_pc);
        __hbsan_write_range(dst, n, caller_pc, self_pc);
    }
    return real_memmove(dst, src, n);
}

static inline void *do_memset(void *dst, int c, size_t n, void *caller_pc, void *self_pc) {
    if (n != 0 && !hbsan_forward_only())
        __hbsan_write_range(dst, n, caller_pc, self_pc);
    return real_memset(dst, c, n);
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n) {
    return do_memcpy(dst, src, n, HBSAN_CALLER_PC(), HBSAN_SELF_PC(memcpy));
}

void *memmove(void *dst, const void *src, size_t n) {
    return do_memmove(dst, src, n, HBSAN_CALLER_PC(), HBSAN_SELF_PC(memmove));
}

void *memset(void *dst, int c, size_t n) {
    return do_memset(dst, c, n, HBSAN_CALLER_PC(), HBSAN_SELF_PC(memset));
}

/* memcmp may stop at the first difference, but which bytes an optimized
 * memcmp reads is unspecified: like ThreadSanitizer (strict_memcmp), all n
 * bytes of both sides count as read. */
int memcmp(const void *a, const void *b, size_t n) {
    void *caller_pc = HBSAN_CALLER_PC();
    if (n != 0 && !hbsan_forward_only()) {
        __hbsan_read_range(a, n, caller_pc, HBSAN_SELF_PC(memcmp));
        __hbsan_read_range(b, n, caller_pc, HBSAN_SELF_PC(memcmp));
    }
    return real_memcmp(a, b, n);
}

/* clang turns memcmp(...) == 0 into bcmp; glibc's bcmp is memcmp. */
int bcmp(const void *a, const void *b, size_t n) {
    void *caller_pc = HBSAN_CALLER_PC();
    if (n != 0 && !hbsan_forward_only()) {
        __hbsan_read_range(a, n, caller_pc, HBSAN_SELF_PC(bcmp));
        __hbsan_read_range(b, n, caller_pc, HBSAN_SELF_PC(bcmp));
    }
    return real_memcmp(a, b, n);
}

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dst_len) {
    if (dst_len < n)
        __chk_fail();
    return do_memcpy(dst, src, n, HBSAN_CALLER_PC(), HBSAN_SELF_PC(__memcpy_chk));
}

void *__memmove_chk(void *dst, const void *src, size_t n, size_t dst_len) {
    if (dst_len < n)
        __chk_fail();
    return do_memmove(dst, src, n, HBSAN_CALLER_PC(), HBSAN_SELF_PC(__memmove_chk));
}

void *__memset_chk(void *dst, int c, size_t n, size_t dst_len) {
    if (dst_len < n)
        __chk_fail();
    return do_memset(dst, c, n, HBSAN_CALLER_PC(), HBSAN_SELF_PC(__memset_chk));
}

/* ---- str*: measuring ------------------------------------------------------------------ */

size_t strlen(const char *s) {
    void *caller_pc = HBSAN_CALLER_PC();
    size_t n = real_strlen(s);
    if (!hbsan_forward_only())
        HBSAN_READS(s, n + 1, strlen);
    return n;
}

size_t strnlen(const char *s, size_t max) {
    void *caller_pc = HBSAN_CALLER_PC();
    size_t n = real_strnlen(s, max);
    /* The terminator is read only when it lies within max. */
    if (!hbsan_forward_only())
        HBSAN_READS(s, min_size(n + 1, max), strnlen);
    return n;
}

/* ---- str*: copying ----------------------------------------------------------------------- */

static inline char *do_strcpy(char *dst, const char *src, void *caller_pc, void *self_pc) {
    size_t n = real_strlen(src) + 1;
    if (!hbsan_forward_only()) {
        __hbsan_read_range(src, n, caller_pc, self_pc);
        __hbsan_write_range(dst, n, caller_pc, self_pc);
    }
    real_memcpy(dst, src, n);
    return dst;
}

/* strncpy reads up to n bytes of src (its terminator included if within
 * n) and writes exactly n bytes: the rest is zero padding. */
static inline char *do_strncpy(char *dst, const char *src, size_t n, void *caller_pc,
                               void *self_pc) {
    size_t len = real_strnlen(src, n);
    if (n != 0 && !hbsan_forward_only()) {
        __hbsan_read_range(src, min_size(len + 1, n), caller_pc, self_pc);
        __hbsan_write_range(dst, n, caller_pc, self_pc);
    }
    real_memcpy(dst, src, len);
    real_memset(dst + len, 0, n - len);
    return dst;
}

/* strcat reads dst up to its terminator, then writes src (terminator
 * included) over it. */
static inline char *do_strcat(char *dst, const char *src, void *caller_pc, void *self_pc) {
    size_t dst_len = real_strlen(dst);
    size_t src_len = real_strlen(src);
    if (!hbsan_forward_only()) {
        __hbsan_read_range(dst, dst_len + 1, caller_pc, self_pc);
        __hbsan_read_range(src, src_len + 1, caller_pc, self_pc);
        __hbsan_write_range(dst + dst_len, src_len + 1, caller_pc, self_pc);
    }
    real_memcpy(dst + dst_len, src, src_len + 1);
    return dst;
}

/* strncat appends at most n bytes of src and always a terminator. */
static inline char *do_strncat(char *dst, const char *src, size_t n, void *caller_pc,
                               void *self_pc) {
    size_t dst_len = real_strlen(dst);
    size_t src_len = real_strnlen(src, n);
    if (!hbsan_forward_only()) {
        __hbsan_read_range(dst, dst_len + 1, caller_pc, self_pc);
        if (n != 0)
            __hbsan_read_range(src, min_size(src_len + 1, n), caller_pc, self_pc);
        __hbsan_write_range(dst + dst_len, src_len + 1, caller_pc, self_pc);
    }
    real_memcpy(dst + dst_len, src, src_len);
    dst[dst_len + src_len] = '\0';
    return dst;
}

char *strcpy(char *restrict dst, const char *restrict src) {
    return do_strcpy(dst, src, HBSAN_CALLER_PC(), HBSAN_SELF_PC(strcpy));
}

char *strncpy(char *restrict dst, const char *restrict src, size_t n) {
    return do_strncpy(dst, src, n, HBSAN_CALLER_PC(), HBSAN_SELF_PC(strncpy));
}

char *strcat(char *restrict dst, const char *restrict src) {
    return do_strcat(dst, src, HBSAN_CALLER_PC(), HBSAN_SELF_PC(strcat));
}

char *strncat(char *restrict dst, const char *restrict src, size_t n) {
    return do_strncat(dst, src, n, HBSAN_CALLER_PC(), HBSAN_SELF_PC(strncat));
}

char *__strcpy_chk(char *dst, const char *src, size_t dst_len) {
    if (real_strlen(src) >= dst_len)
        __chk_fail();
    return do_strcpy(dst, src, HBSAN_CALLER_PC(), HBSAN_SELF_PC(__strcpy_chk));
}

char *__strncpy_chk(char *dst, const char *src, size_t n, size_t dst_len) {
    if (dst_len < n)
        __chk_fail();
    return do_strncpy(dst, src, n, HBSAN_CALLER_PC(), HBSAN_SELF_PC(__strncpy_chk));
}

char *__strcat_chk(char *dst, const char *src, size_t dst_len) {
    if (real_strlen(dst) + real_strlen(src) >= dst_len)
        __chk_fail();
    return do_strcat(dst, src, HBSAN_CALLER_PC(), HBSAN_SELF_PC(__strcat_chk));
}

char *__strncat_chk(char *dst, const char *src, size_t n, size_t dst_len) {
    if (real_strlen(dst) + real_strnlen(src, n) >= dst_len)
        __chk_fail();
    return do_strncat(dst, src, n, HBSAN_CALLER_PC(), HBSAN_SELF_PC(__strncat_chk));
}

/* strdup/strndup allocate with the real allocator and report the block
 * themselves, so stacks show "#0 strdup" rather than a malloc inside libc. */
char *strdup(const char *s) {
    void *caller_pc = HBSAN_CALLER_PC();
    size_t n = real_strlen(s) + 1;
    char *p = __libc_malloc(n);
    if (p == NULL)
        return NULL;
    if (!hbsan_forward_only()) {
        __hbsan_read_range(s, n, caller_pc, HBSAN_SELF_PC(strdup));
        __hbsan_malloc(p, n, caller_pc, HBSAN_SELF_PC(strdup));
    }
    real_memcpy(p, s, n);
    return p;
}

char *strndup(const char *s, size_t max) {
    void *caller_pc = HBSAN_CALLER_PC();
    size_t len = real_strnlen(s, max);
    char *p = __libc_malloc(len + 1);
    if (p == NULL)
        return NULL;
    if (!hbsan_forward_only()) {
        if (max != 0)
            __hbsan_read_range(s, min_size(len + 1, max), caller_pc, HBSAN_SELF_PC(strndup));
        __hbsan_malloc(p, len + 1, caller_pc, HBSAN_SELF_PC(strndup));
    }
    real_memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

/* ---- str*: comparing and searching ----------------------------------------------------- */

/* The comparisons are done here rather than by libc: the loop that finds
 * the answer also finds how many bytes were read (up to the first
 * difference or terminator, inclusive). */
int strcmp(const char *a, const char *b) {
    void *caller_pc = HBSAN_CALLER_PC();
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    size_t i = 0;
    while (x[i] == y[i] && x[i] != '\0')
        i++;
    if (!hbsan_forward_only()) {
        __hbsan_read_range(a, i + 1, caller_pc, HBSAN_SELF_PC(strcmp));
        __hbsan_read_range(b, i + 1, caller_pc, HBSAN_SELF_PC(strcmp));
    }
    return (int)x[i] - (int)y[i];
}

int strncmp(const char *a, const char *b, size_t n) {
    void *caller_pc = HBSAN_CALLER_PC();
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    size_t i = 0;
    while (i < n && x[i] == y[i] && x[i] != '\0')
        i++;
    /* i < n: byte i was read and decided; i == n: n bytes read, all equal. */
    size_t read = i < n ? i + 1 : n;
    if (read != 0 && !hbsan_forward_only()) {
        __hbsan_read_range(a, read, caller_pc, HBSAN_SELF_PC(strncmp));
        __hbsan_read_range(b, read, caller_pc, HBSAN_SELF_PC(strncmp));
    }
    return i < n ? (int)x[i] - (int)y[i] : 0;
}

/* Reads up to the found character, or the whole string with its
 * terminator when there is none. */
char *strchr(const char *s, int c) {
    void *caller_pc = HBSAN_CALLER_PC();
    char *r = REAL(strchr)(s, c);
    if (!hbsan_forward_only()) {
        size_t n = r != NULL ? (size_t)(r - s) + 1 : real_strlen(s) + 1;
        __hbsan_read_range(s, n, caller_pc, HBSAN_SELF_PC(strchr));
    }
    return r;
}

/* Always reads the whole string. */
char *strrchr(const char *s, int c) {
    void *caller_pc = HBSAN_CALLER_PC();
    char *r = REAL(strrchr)(s, c);
    if (!hbsan_forward_only())
        __hbsan_read_range(s, real_strlen(s) + 1, caller_pc, HBSAN_SELF_PC(strrchr));
    return r;
}
