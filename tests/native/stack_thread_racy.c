// hbsan-test: expect=race
// hbsan-test: access=write:4:owner:18 access=read:4:peeker:31
// hbsan-test: location=stack:thread
/* A race on a variable in another thread's stack frame: the owner publishes
 * the address of its local (with a release store, so the pointer itself is
 * fine), then keeps writing the local while the peeker reads it. */
#include <pthread.h>
#include <stdio.h>
#include "order.h"

int *published;

void *owner(void *arg)
{
    (void)arg;
    int local = 0;
    __atomic_store_n(&published, &local, __ATOMIC_RELEASE);
    local = 7;
    order_step(1);
    order_wait(2); /* keep the frame alive until the peeker has read */
    return (void *)(long)local;
}

void *peeker(void *arg)
{
    (void)arg;
    int *p;
    while ((p = __atomic_load_n(&published, __ATOMIC_ACQUIRE)) == NULL)
        sched_yield();
    order_wait(1);
    long v = *p;
    order_step(2);
    return (void *)v;
}

int main(void)
{
    pthread_t o, p;
    if (pthread_create(&o, NULL, owner, NULL) != 0 || pthread_create(&p, NULL, peeker, NULL) != 0)
        return 1;
    void *seen;
    pthread_join(o, NULL);
    pthread_join(p, &seen);
    printf("stack_thread_racy: %ld\n", (long)seen);
    return 0;
}
