// hbsan-test: expect=race
// hbsan-test: access=write:4:owner:21 access=read:4:reader:35
// hbsan-test: location=tls:thread
/* A thread-local variable is private only while its address stays private:
 * here the owner publishes &mine (through an atomic, with release/acquire, so
 * the pointer itself is ordered) and then writes it again after the reader
 * was told to look; the reader's read and that write are unordered. */
#include <pthread.h>
#include <stdio.h>
#include "order.h"

static __thread int mine;
static int *published;

void *owner(void *arg)
{
    (void)arg;
    mine = 1;
    __atomic_store_n(&published, &mine, __ATOMIC_RELEASE);
    order_wait(1);
    mine = 2;
    order_step(2);
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
    order_wait(2);
    int second = *p;
    order_step(3);
    printf("tls_racy: %d\n", second);
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
