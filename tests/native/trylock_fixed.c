// hbsan-test: expect=silent
/* pthread_mutex_trylock: a successful trylock acquires like lock does. The
 * reader retries until it gets the mutex, then reads what the writer wrote
 * under it. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

int shared;
int published;
pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void *writer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    shared = 42;
    published = 1;
    usleep(1000); /* keep the mutex for a while so that trylock fails sometimes */
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_t w;
    if (pthread_create(&w, NULL, writer, NULL) != 0)
        return 1;
    int seen = 0;
    for (;;) {
        int rc = pthread_mutex_trylock(&lock);
        if (rc == EBUSY) {
            sched_yield();
            continue;
        }
        if (rc != 0)
            return 1;
        int done = published;
        if (done)
            seen = shared;
        pthread_mutex_unlock(&lock);
        if (done)
            break;
        usleep(100);
    }
    pthread_join(w, NULL);
    printf("trylock_fixed: %d\n", seen);
    return seen == 42 ? 0 : 1;
}
