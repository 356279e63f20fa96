// hbsan-test: expect=silent
/* Another thread's stack variable, shared correctly: the owner publishes its
 * address after initializing it (release), the peeker updates it under a
 * mutex, and the owner reads it back under the same mutex once the peeker is
 * done. */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

int *published;
int peeked;
pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void *owner(void *arg)
{
    (void)arg;
    int local = 7;
    __atomic_store_n(&published, &local, __ATOMIC_RELEASE);
    for (;;) {
        pthread_mutex_lock(&lock);
        int done = peeked;
        int v = local;
        pthread_mutex_unlock(&lock);
        if (done)
            return (void *)(long)v;
        sched_yield();
    }
}

void *peeker(void *arg)
{
    (void)arg;
    int *p;
    while ((p = __atomic_load_n(&published, __ATOMIC_ACQUIRE)) == NULL)
        sched_yield();
    pthread_mutex_lock(&lock);
    *p += 1;
    peeked = 1;
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_t o, p;
    if (pthread_create(&o, NULL, owner, NULL) != 0 || pthread_create(&p, NULL, peeker, NULL) != 0)
        return 1;
    void *seen;
    pthread_join(o, &seen);
    pthread_join(p, NULL);
    printf("stack_thread_fixed: %ld\n", (long)seen);
    return (long)seen == 8 ? 0 : 1;
}
