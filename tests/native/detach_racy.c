// hbsan-test: expect=race
// hbsan-test: access=write:4:worker:15 access=read:4:main:28
// hbsan-test: location=global:result
/* A detached thread is never joined: its end synchronizes with nothing, so
 * main's read of its result races with the thread's write. */
#include <pthread.h>
#include <stdio.h>
#include "order.h"

int result;

void *worker(void *arg)
{
    (void)arg;
    result = 42;
    order_step(1);
    order_wait(2); /* keep this thread alive until the racing access */
    return NULL;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0)
        return 1;
    pthread_detach(t);
    order_wait(1);
    int seen = result;
    order_step(2);
    printf("detach_racy: %d\n", seen);
    return 0;
}
