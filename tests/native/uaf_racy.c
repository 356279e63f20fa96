// hbsan-test: expect=race
// hbsan-test: warning=heap-use-after-free
// hbsan-test: access=write:8:main:27 access=read:4:worker:16
// hbsan-test: location=none
/* Use after free by another thread: main frees the block, then (later in real
 * time, but without synchronization) the worker reads it. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "order.h"

void *worker(void *arg)
{
    int *block = arg;
    order_wait(1);
    return (void *)(long)block[5]; /* bug: the block is gone */
}

int main(void)
{
    int *block = malloc(64);
    for (int i = 0; i < 16; i++)
        block[i] = i;
    pthread_t t;
    if (pthread_create(&t, NULL, worker, block) != 0)
        return 1;
    free(block);
    order_step(1);
    pthread_join(t, NULL);
    printf("uaf_racy: done\n");
    return 0;
}
