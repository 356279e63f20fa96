// hbsan-test: expect=race
// hbsan-test: access=write:4:finish:14 access=read:4:main:33
// hbsan-test: location=global:result
/* The thread leaves through pthread_exit; main reads its result after the
 * thread has written it but before joining, so the exit is no edge yet. */
#include <pthread.h>
#include <stdio.h>
#include "order.h"

int result;

void finish(int value)
{
    result = value;
    order_step(1);
    order_wait(2); /* keep this thread alive until the racing access */
    pthread_exit((void *)(long)(value + 1));
}

void *worker(void *arg)
{
    finish(*(int *)arg);
    return NULL; /* not reached */
}

int main(void)
{
    int input = 41;
    pthread_t t;
    if (pthread_create(&t, NULL, worker, &input) != 0)
        return 1;
    order_wait(1);
    int seen = result;
    order_step(2);
    void *ret;
    pthread_join(t, &ret);
    printf("exit_racy: %d %ld\n", seen, (long)ret);
    return 0;
}
