// hbsan-test: expect=silent
/* Detached threads (one detached through its attributes, one with
 * pthread_detach) cannot be joined; they hand their results over through a
 * mutex-protected counter instead, which orders their writes before main's reads. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

int results[2];
int finished;
pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void *worker(void *arg)
{
    long i = (long)arg;
    results[i] = (int)(i + 1) * 10;
    pthread_mutex_lock(&lock);
    finished++;
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t t0, t1;
    if (pthread_create(&t0, &attr, worker, (void *)0L) != 0)
        return 1;
    pthread_attr_destroy(&attr);
    if (pthread_create(&t1, NULL, worker, (void *)1L) != 0)
        return 1;
    pthread_detach(t1);
    for (;;) {
        pthread_mutex_lock(&lock);
        int done = finished;
        pthread_mutex_unlock(&lock);
        if (done == 2)
            break;
        usleep(1000);
    }
    printf("detach_fixed: %d %d\n", results[0], results[1]);
    return results[0] + results[1] == 30 ? 0 : 1;
}
