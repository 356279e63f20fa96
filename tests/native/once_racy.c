// hbsan-test: expect=race
// hbsan-test: access=write:4:init_config:15 access=read:4:peeker:31
// hbsan-test: location=global:config
/* pthread_once orders its init routine only for the callers of pthread_once:
 * a thread that peeks at the result without calling it races with the init. */
#include <pthread.h>
#include <stdio.h>
#include "order.h"

pthread_once_t once = PTHREAD_ONCE_INIT;
int config;

void init_config(void)
{
    config = 42;
}

void *initializer(void *arg)
{
    (void)arg;
    pthread_once(&once, init_config);
    order_step(1);
    order_wait(2); /* keep this thread alive until the racing access */
    return NULL;
}

void *peeker(void *arg)
{
    (void)arg;
    order_wait(1);
    long seen = config; /* bug: no pthread_once here */
    order_step(2);
    return (void *)seen;
}

int main(void)
{
    pthread_t a, b;
    if (pthread_create(&a, NULL, initializer, NULL) != 0 || pthread_create(&b, NULL, peeker, NULL) != 0)
        return 1;
    void *seen;
    pthread_join(a, NULL);
    pthread_join(b, &seen);
    printf("once_racy: %ld\n", (long)seen);
    return 0;
}
