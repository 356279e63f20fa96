// hbsan-test: expect=silent
/* The owner frees the block only after the worker told it (mutex + condition
 * variable) that it no longer uses it. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
int released;

void *worker(void *arg)
{
    int *block = arg;
    long v = block[5];
    pthread_mutex_lock(&lock);
    released = 1;
    pthread_cond_signal(&cond);
    pthread_mutex_unlock(&lock);
    return (void *)v;
}

int main(void)
{
    int *block = malloc(64);
    for (int i = 0; i < 16; i++)
        block[i] = i;
    pthread_t t;
    if (pthread_create(&t, NULL, worker, block) != 0)
        return 1;
    pthread_mutex_lock(&lock);
    while (!released)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    free(block);
    void *v;
    pthread_join(t, &v);
    printf("uaf_fixed: %ld\n", (long)v);
    return (long)v == 5 ? 0 : 1;
}
