// hbsan-test: expect=race
// hbsan-test: access=write:4:producer:20 access=read:4:main:34
// hbsan-test: location=global:data
/* A release fence covers the writes *before* it: here `data` is written after
 * the fence, so even though the consumer pairs the relaxed flag with an
 * acquire fence, the write is not ordered before the read. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sched.h>
#include "order.h"

int data;
atomic_int flag;

void *producer(void *arg)
{
    (void)arg;
    atomic_thread_fence(memory_order_release); /* orders nothing yet */
    data = 42; /* bug: after the fence */
    atomic_store_explicit(&flag, 1, memory_order_relaxed);
    order_wait(1); /* keep this thread alive until the racing access */
    return NULL;
}

int main(void)
{
    pthread_t p;
    if (pthread_create(&p, NULL, producer, NULL) != 0)
        return 1;
    while (atomic_load_explicit(&flag, memory_order_relaxed) == 0)
        sched_yield();
    atomic_thread_fence(memory_order_acquire);
    int seen = data;
    order_step(1);
    pthread_join(p, NULL);
    printf("fence_racy: %d\n", seen);
    return 0;
}
