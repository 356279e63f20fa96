// hbsan-test: expect=silent
// hbsan-test: libtsan=false-positive
// libtsan implements __tsan_atomic_thread_fence as a plain CPU fence, without the C11 fence-to-fence edge.
// hbsan-test: access=write:4:producer:22 access=read:4:main:37
// hbsan-test: location=global:data
/* C11 fences: a release fence followed by a relaxed store synchronizes with a
 * relaxed load that reads it followed by an acquire fence (C11 7.17.4), so
 * the plain write before the release fence happens-before the plain read after
 * the acquire fence. Not a race; libtsan reports one anyway. */
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
    data = 42;
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&flag, 1, memory_order_relaxed);
    order_wait(1); /* alive until main has read: libtsan then reliably reports its false race */
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
    printf("fence_fixed: %d\n", seen);
    return seen == 42 ? 0 : 1;
}
