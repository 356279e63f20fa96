// hbsan-test: expect=silent
/* pthread_rwlock_trywrlock / tryrdlock: a successful try acquires like the
 * blocking call. The writer retries trywrlock while a reader holds the lock;
 * a second reader retries tryrdlock until the writer is done. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include "order.h"

int shared;
int version;
pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;

void *first_reader(void *arg)
{
    (void)arg;
    pthread_rwlock_rdlock(&rw);
    int v = shared;
    order_step(1);
    usleep(2000); /* the writer's trywrlock fails meanwhile */
    pthread_rwlock_unlock(&rw);
    return (void *)(long)v;
}

void *writer(void *arg)
{
    (void)arg;
    order_wait(1);
    int busy = 0;
    while (pthread_rwlock_trywrlock(&rw) == EBUSY) {
        busy++;
        sched_yield();
    }
    shared = 42;
    version = 1;
    pthread_rwlock_unlock(&rw);
    return (void *)(long)busy;
}

void *late_reader(void *arg)
{
    (void)arg;
    order_wait(1);
    for (;;) {
        while (pthread_rwlock_tryrdlock(&rw) == EBUSY)
            sched_yield();
        int v = version;
        int s = shared;
        pthread_rwlock_unlock(&rw);
        if (v == 1)
            return (void *)(long)s;
        usleep(100);
    }
}

int main(void)
{
    pthread_t a, w, b;
    if (pthread_create(&a, NULL, first_reader, NULL) != 0 || pthread_create(&w, NULL, writer, NULL) != 0 ||
        pthread_create(&b, NULL, late_reader, NULL) != 0)
        return 1;
    void *seen;
    pthread_join(a, NULL);
    pthread_join(w, NULL);
    pthread_join(b, &seen);
    printf("rwlock_try_fixed: %ld\n", (long)seen);
    return (long)seen == 42 ? 0 : 1;
}
