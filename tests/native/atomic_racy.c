// hbsan-test: expect=race
// hbsan-test: access=write:4:producer:21 access=read:4:main:34
// hbsan-test: location=global:data
/* Relaxed atomics are not synchronization: the flag is set and seen with
 * memory_order_relaxed, so the plain write of `data` before it is not ordered
 * before the plain read after it. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sched.h>
#include "order.h"

int data;
/* In its own cache line: libtsan, under load, sometimes lost the racing cell
 * of `data` when the flag's atomic accesses shared its shadow word. */
_Alignas(64) atomic_int flag;

void *producer(void *arg)
{
    (void)arg;
    data = 42;
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
    int seen = data;
    order_step(1);
    pthread_join(p, NULL);
    printf("atomic_racy: %d\n", seen);
    return 0;
}
