// hbsan-test: expect=race
// hbsan-test: access=write:4:main:34 access=read:4:worker:22
// hbsan-test: location=heap:512
/* A race inside a block that realloc returned: main grows the block, hands it
 * over with a release store (the worker sees the new block, not stale memory),
 * and then keeps writing into it while the worker reads. The report's location
 * is the new 512-byte block. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "order.h"

int *block;

void *worker(void *arg)
{
    (void)arg;
    int *b;
    while ((b = __atomic_load_n(&block, __ATOMIC_ACQUIRE)) == NULL)
        sched_yield();
    order_wait(1);
    return (void *)(long)b[100];
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0)
        return 1;
    int *p = malloc(16);
    p[0] = 1;
    p = realloc(p, 512);
    __atomic_store_n(&block, p, __ATOMIC_RELEASE);
    p[100] = 42; /* bug: after the hand-over */
    order_step(1);
    void *seen;
    pthread_join(t, &seen);
    free(p);
    printf("realloc_racy: %ld\n", (long)seen);
    return 0;
}
