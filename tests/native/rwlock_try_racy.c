// hbsan-test: expect=race
// hbsan-test: access=write:4:writer:18 access=read:4:main:33
// hbsan-test: location=global:shared
/* A pthread_rwlock_tryrdlock that fails (EBUSY, a writer holds the lock)
 * acquires nothing; reading anyway races with the writer. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include "order.h"

int shared;
pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;

void *writer(void *arg)
{
    (void)arg;
    pthread_rwlock_wrlock(&rw);
    shared = 42;
    order_step(1);
    order_wait(2); /* hold the write lock until main's tryrdlock has failed */
    pthread_rwlock_unlock(&rw);
    return NULL;
}

int main(void)
{
    pthread_t w;
    if (pthread_create(&w, NULL, writer, NULL) != 0)
        return 1;
    order_wait(1);
    int rc = pthread_rwlock_tryrdlock(&rw);
    order_require(rc == EBUSY, "pthread_rwlock_tryrdlock fails with EBUSY");
    int seen = shared;
    order_step(2);
    pthread_join(w, NULL);
    printf("rwlock_try_racy: %d\n", seen);
    return 0;
}
