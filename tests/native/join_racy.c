// hbsan-test: expect=race
// hbsan-test: access=write:4:worker:14 access=read:4:main:27
// hbsan-test: location=global:result
/* The parent reads the thread's result before joining it: nothing orders the
 * thread's write before that read (the join comes later). */
#include <pthread.h>
#include <stdio.h>
#include "order.h"

int result;

void *worker(void *arg)
{
    result = *(int *)arg * 2;
    order_step(1);
    order_wait(2); /* keep this thread alive until the racing access */
    return NULL;
}

int main(void)
{
    int input = 21;
    pthread_t t;
    if (pthread_create(&t, NULL, worker, &input) != 0)
        return 1;
    order_wait(1);
    int seen = result;
    order_step(2);
    pthread_join(t, NULL);
    printf("join_racy: %d\n", seen);
    return 0;
}
