// hbsan-test: expect=race
// hbsan-test: access=write:4:worker:15 access=read:4:main:30
// hbsan-test: location=heap:256
/* A race inside a 256-byte malloc block: the worker fills a slot while main
 * reads it later in real time without synchronization. The report's location
 * is the heap block. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "order.h"

void *worker(void *arg)
{
    int *slots = arg;
    slots[10] = 42;
    order_step(1);
    order_wait(2); /* keep this thread alive until the racing access */
    return NULL;
}

int main(void)
{
    int *slots = malloc(256);
    for (int i = 0; i < 64; i++)
        slots[i] = 0;
    pthread_t t;
    if (pthread_create(&t, NULL, worker, slots) != 0)
        return 1;
    order_wait(1);
    int seen = slots[10];
    order_step(2);
    pthread_join(t, NULL);
    free(slots);
    printf("heap_racy: %d\n", seen);
    return 0;
}
