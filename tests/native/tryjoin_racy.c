// hbsan-test: expect=race
// hbsan-test: access=write:4:worker:17 access=read:4:main:31
// hbsan-test: location=global:result
/* A pthread_tryjoin_np that fails with EBUSY is not a join: main reads the
 * result the still-running thread wrote, without any edge. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include "order.h"

int result;

void *worker(void *arg)
{
    (void)arg;
    result = 42;
    order_step(1);
    order_wait(2); /* stay alive until main has tried to join */
    return NULL;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0)
        return 1;
    order_wait(1);
    int rc = pthread_tryjoin_np(t, NULL);
    order_require(rc == EBUSY, "pthread_tryjoin_np fails with EBUSY");
    int seen = result;
    order_step(2);
    pthread_join(t, NULL);
    printf("tryjoin_racy: %d\n", seen);
    return 0;
}
