// hbsan-test: expect=race
// hbsan-test: access=read:4:worker:14 access=write:8:main:29
// hbsan-test: location=none
/* free is a write to the whole block: main frees the block the worker read,
 * without waiting for the worker in any way the detector can see. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "order.h"

void *worker(void *arg)
{
    int *block = arg;
    int v = block[3];
    order_step(1);
    order_wait(2); /* keep this thread alive until the racing access */
    return (void *)(long)v;
}

int main(void)
{
    int *block = malloc(64);
    for (int i = 0; i < 16; i++)
        block[i] = i;
    pthread_t t;
    if (pthread_create(&t, NULL, worker, block) != 0)
        return 1;
    order_wait(1);
    free(block); /* bug: the worker's read is not ordered before this */
    order_step(2);
    void *seen;
    pthread_join(t, &seen);
    printf("free_racy: %ld\n", (long)seen);
    return 0;
}
