// hbsan-test: expect=race
// hbsan-test: access=read:8:worker:13 access=write:8:main:26
// hbsan-test: location=heap:160
/* A race inside a calloc block (20 longs = 160 bytes). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "order.h"

void *worker(void *arg)
{
    long *cells = arg;
    long v = cells[19];
    order_step(1);
    order_wait(2); /* keep this thread alive until the racing access */
    return (void *)v;
}

int main(void)
{
    long *cells = calloc(20, sizeof(long));
    pthread_t t;
    if (pthread_create(&t, NULL, worker, cells) != 0)
        return 1;
    order_wait(1);
    cells[19] = 7;
    order_step(2);
    pthread_join(t, NULL);
    free(cells);
    printf("calloc_racy: done\n");
    return 0;
}
