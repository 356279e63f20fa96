// hbsan-test: expect=silent
/* pthread_rwlock_timedwrlock / timedrdlock that succeed before their deadline
 * acquire like the blocking calls. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include "order.h"

int shared;
pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;

void *writer(void *arg)
{
    (void)arg;
    order_wait(1);
    struct timespec deadline = order_deadline(60 * 1000);
    if (pthread_rwlock_timedwrlock(&rw, &deadline) != 0)
        return (void *)1L;
    shared = 42;
    pthread_rwlock_unlock(&rw);
    order_step(2);
    return NULL;
}

int main(void)
{
    pthread_t w;
    if (pthread_create(&w, NULL, writer, NULL) != 0)
        return 1;
    pthread_rwlock_rdlock(&rw);
    order_step(1);
    usleep(2000); /* the writer waits in timedwrlock meanwhile */
    pthread_rwlock_unlock(&rw);
    order_wait(2);
    struct timespec deadline = order_deadline(60 * 1000);
    if (pthread_rwlock_timedrdlock(&rw, &deadline) != 0)
        return 1;
    int seen = shared;
    pthread_rwlock_unlock(&rw);
    void *failed;
    pthread_join(w, &failed);
    printf("rwlock_timed_fixed: %d\n", seen);
    return seen == 42 && failed == NULL ? 0 : 1;
}
