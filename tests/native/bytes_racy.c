// hbsan-test: expect=race
// hbsan-test: access=write:4:wide:18 access=write:1:narrow:28
// hbsan-test: location=global:word
/* Overlap, not neighbourhood: a 4-byte store at offset 0 and a 1-byte store at
 * offset 3 of the same word share one byte, so they race. */
#include <pthread.h>
#include <stdio.h>
#include "order.h"

union {
    unsigned int u32[2];
    unsigned char u8[8];
} word;

void *wide(void *arg)
{
    (void)arg;
    word.u32[0] = 0x11223344;
    order_step(1);
    order_wait(2); /* keep this thread alive until the racing access */
    return NULL;
}

void *narrow(void *arg)
{
    (void)arg;
    order_wait(1);
    word.u8[3] = 0xff;
    order_step(2);
    return NULL;
}

int main(void)
{
    pthread_t w, n;
    if (pthread_create(&w, NULL, wide, NULL) != 0 || pthread_create(&n, NULL, narrow, NULL) != 0)
        return 1;
    pthread_join(w, NULL);
    pthread_join(n, NULL);
    printf("bytes_racy: %x\n", word.u32[0]);
    return 0;
}
