// hbsan-test: expect=race
// hbsan-test: access=read:4:reader:16 access=write:4:misuser:28
// hbsan-test: location=global:shared
/* Read locks do not order their holders: a thread that *writes* while holding
 * only a read lock races with a reader that held the read lock before it. */
#include <pthread.h>
#include <stdio.h>
#include "order.h"

int shared;
pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;

void *reader(void *arg)
{
    pthread_rwlock_rdlock(&rw);
    *(int *)arg = shared;
    pthread_rwlock_unlock(&rw);
    order_step(1);
    order_wait(2); /* keep this thread alive until the racing access */
    return NULL;
}

void *misuser(void *arg)
{
    (void)arg;
    order_wait(1);
    pthread_rwlock_rdlock(&rw);
    shared = 42; /* bug: writes under a read lock */
    pthread_rwlock_unlock(&rw);
    order_step(2);
    return NULL;
}

int main(void)
{
    int seen = 0;
    pthread_t r, m;
    if (pthread_create(&r, NULL, reader, &seen) != 0 || pthread_create(&m, NULL, misuser, NULL) != 0)
        return 1;
    pthread_join(r, NULL);
    pthread_join(m, NULL);
    printf("rwlock_racy: %d\n", seen);
    return 0;
}
