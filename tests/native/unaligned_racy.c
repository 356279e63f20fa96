// hbsan-test: expect=race
// hbsan-test: access=write:8:writer:25 access=read:8:reader:37
// hbsan-test: location=global:buf
/* Unaligned copies, the memcpy idiom of byte-stream code (zstd, lz4, hashes):
 * gcc reports each as a range (`__tsan_write_range(p, 16)`,
 * `__tsan_read_range(p, 8)`) that straddles two or three words. The writer
 * copies 16 bytes to 3..18 four times (the last three are repeats, answered by
 * the words' first cells); then the reader copies 16 bytes from 8..23: they
 * share the whole second word and bytes 16..18. Nothing orders the two. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "order.h"

static unsigned char buf[32] __attribute__((aligned(8)));
static const unsigned char src[4][16] = {{1}, {2}, {3}, {4}};

void *writer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 4; i++) {
        const unsigned char *s = src[i];
        __asm__ volatile("" : "+r"(s)); /* four copies, not one */
        memcpy(buf + 3, s, 16);
    }
    order_step(1);
    order_wait(2); /* keep this thread alive until the racing access */
    return NULL;
}

void *reader(void *arg)
{
    (void)arg;
    order_wait(1);
    uint64_t v[2];
    memcpy(v, buf + 8, sizeof v);
    order_step(2);
    printf("unaligned_racy: %llx\n", (unsigned long long)(v[0] + v[1]));
    return NULL;
}

int main(void)
{
    pthread_t w, r;
    if (pthread_create(&w, NULL, writer, NULL) != 0 || pthread_create(&r, NULL, reader, NULL) != 0)
        return 1;
    pthread_join(w, NULL);
    pthread_join(r, NULL);
    return 0;
}
