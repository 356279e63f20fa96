// hbsan-test: expect=silent
/* tls_racy.c with the second write published too: the owner writes its
 * thread-local, then releases a flag; the reader reads after acquiring it. */
#include <pthread.h>
#include <stdio.h>
#include "order.h"

static __thread int mine;
static int *published;
static int rewritten;

void *owner(void *arg)
{
    (void)arg;
    mine = 1;
    __atomic_store_n(&published, &mine, __ATOMIC_RELEASE);
    order_wait(1);
    mine = 2;
    __atomic_store_n(&rewritten, 1, __ATOMIC_RELEASE);
    order_wait(3); /* keep this thread (and its TLS) alive until the read */
    return NULL;
}

void *reader(void *arg)
{
    (void)arg;
    int *p;
    while ((p = __atomic_load_n(&published, __ATOMIC_ACQUIRE)) == NULL)
        sched_yield();
    order_step(1);
    while (!__atomic_load_n(&rewritten, __ATOMIC_ACQUIRE))
        sched_yield();
    int second = *p;
    order_step(3);
    printf("tls_fixed: %d\n", second);
    return NULL;
}

int main(void)
{
    pthread_t o, r;
    if (pthread_create(&o, NULL, owner, NULL) != 0 || pthread_create(&r, NULL, reader, NULL) != 0)
        return 1;
    pthread_join(o, NULL);
    pthread_join(r, NULL);
    return 0;
}
