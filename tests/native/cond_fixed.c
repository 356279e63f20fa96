// hbsan-test: expect=silent
/* pthread_cond_wait/signal: the classic hand-over. The producer fills the
 * message and sets the predicate under the mutex and signals; the consumer
 * waits in a loop; the mutex (re-acquired by the wait) orders the two. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

char message[64];
int ready;
pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t cond;

void *producer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    message[0] = 'h';
    message[1] = 'i';
    ready = 1;
    pthread_cond_signal(&cond);
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_cond_init(&cond, NULL);
    pthread_t p;
    if (pthread_create(&p, NULL, producer, NULL) != 0)
        return 1;
    pthread_mutex_lock(&lock);
    while (!ready)
        pthread_cond_wait(&cond, &lock);
    char got[3] = {message[0], message[1], 0};
    pthread_mutex_unlock(&lock);
    pthread_join(p, NULL);
    pthread_cond_destroy(&cond);
    printf("cond_fixed: %s\n", got);
    return strcmp(got, "hi") == 0 ? 0 : 1;
}
