/* Real-program driver: multi-threaded zstd compression (zstd's own C sources from zstd-sys).
 *
 * Generates SIZE MiB of compressible text-like data (words drawn from a small vocabulary with a
 * skewed pseudo-random choice, numbers, punctuation), compresses it in one ZSTD_compress2 call
 * with ZSTD_c_nbWorkers=2 (zstd's thread pool: a job queue on a mutex and condition variables),
 * decompresses it and checks the round trip byte for byte.
 *
 * usage: zstd_driver [size-MiB] [level]     (defaults 64 and 3)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zstd.h"

static const char *const vocab[] = {
    "the",    "detector", "thread", "happens", "before", "shadow", "memory", "clock",  "epoch",
    "race",   "mutex",    "atomic", "release", "acquire", "fence", "report", "stack",  "of",
    "and",    "a",        "to",     "in",      "is",      "that",  "for",    "with",   "access",
    "vector", "slot",     "word",   "cell",    "write",   "read",  "sync",   "object", "lock",
};
#define NVOCAB (sizeof vocab / sizeof vocab[0])

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint32_t next_rand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 32);
}

static void generate(unsigned char *buf, size_t size) {
    size_t pos = 0;
    while (pos + 32 < size) {
        uint32_t r = next_rand();
        if ((r & 15) == 0) {
            /* a number of up to 5 digits */
            uint32_t n = (r >> 4) % 100000;
            char digits[8];
            int len = 0;
            do {
                digits[len++] = (char)('0' + n % 10);
                n /= 10;
            } while (n);
            while (len)
                buf[pos++] = (unsigned char)digits[--len];
        } else {
            /* skewed choice: low indices far more frequent */
            const char *w = vocab[((r >> 4) % NVOCAB) * ((r >> 12) % NVOCAB) / NVOCAB];
            size_t len = strlen(w);
            memcpy(buf + pos, w, len);
            pos += len;
        }
        buf[pos++] = (r >> 24) % 11 == 0 ? '\n' : ((r >> 24) % 7 == 0 ? ',' : ' ');
    }
    memset(buf + pos, '.', size - pos);
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void check(size_t code, const char *what) {
    if (ZSTD_isError(code)) {
        fprintf(stderr, "zstd_driver: %s: %s\n", what, ZSTD_getErrorName(code));
        exit(1);
    }
}

int main(int argc, char **argv) {
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
    int level = argc > 2 ? atoi(argv[2]) : 3;
    size_t size = mib << 20;
    unsigned char *src = malloc(size);
    size_t bound = ZSTD_compressBound(size);
    unsigned char *dst = malloc(bound);
    unsigned char *back = malloc(size);
    if (!src || !dst || !back) {
        perror("malloc");
        return 2;
    }
    double t0 = now_ms();
    generate(src, size);
    double t1 = now_ms();

    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    if (!cctx) {
        fprintf(stderr, "zstd_driver: ZSTD_createCCtx failed\n");
        return 2;
    }
    check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level), "level");
    check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_nbWorkers, 2), "nbWorkers (built without ZSTD_MULTITHREAD?)");
    check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1), "checksum");
    size_t csize = ZSTD_compress2(cctx, dst, bound, src, size);
    check(csize, "compress");
    ZSTD_freeCCtx(cctx);
    double t2 = now_ms();

    size_t dsize = ZSTD_decompress(back, size, dst, csize);
    check(dsize, "decompress");
    if (dsize != size || memcmp(src, back, size) != 0) {
        fprintf(stderr, "zstd_driver: round trip mismatch\n");
        return 1;
    }
    double t3 = now_ms();
    printf("zstd_driver: %zu MiB -> %zu bytes (ratio %.2f) with 2 workers, round trip ok\n", mib, csize,
           (double)size / (double)csize);
    printf("zstd_driver: generate %.0f ms, compress %.0f ms, decompress+check %.0f ms\n", t1 - t0, t2 - t1,
           t3 - t2);
    free(src);
    free(dst);
    free(back);
    return 0;
}
