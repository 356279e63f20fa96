// hbsan-test: expect=race
// hbsan-test: access=write:4:main:23 access=read:4:worker:14
// hbsan-test: location=stack:main
/* A race on a variable in main's stack frame: the worker gets its address at
 * creation, main updates it after creating the worker. */
#include <pthread.h>
#include <stdio.h>
#include "order.h"

void *worker(void *arg)
{
    int *progress = arg;
    order_wait(1);
    return (void *)(long)*progress;
}

int main(void)
{
    int progress = 0;
    pthread_t t;
    if (pthread_create(&t, NULL, worker, &progress) != 0)
        return 1;
    progress = 50;
    order_step(1);
    void *seen;
    pthread_join(t, &seen);
    printf("stack_main_racy: %ld\n", (long)seen);
    return 0;
}
