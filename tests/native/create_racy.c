// hbsan-test: expect=race
// hbsan-test: access=write:4:main:25 access=read:4:worker:17
// hbsan-test: location=global:config
/* pthread_create orders only what the parent did *before* the call: the write
 * after pthread_create races with the child's read, even though the child is
 * made to read after it in real time. */
#include <pthread.h>
#include <stdio.h>
#include "order.h"

int config;

void *worker(void *arg)
{
    (void)arg;
    order_wait(1);
    return (void *)(long)config;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0)
        return 1;
    config = 42;
    order_step(1);
    void *res;
    pthread_join(t, &res);
    printf("create_racy: %ld\n", (long)res);
    return 0;
}
