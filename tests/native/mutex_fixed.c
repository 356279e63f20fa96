// hbsan-test: expect=silent
/* pthread_mutex_lock/unlock: unlock releases, the next lock of the same mutex
 * acquires. Two threads update a counter and a heap record under one mutex
 * (one statically initialized, one through pthread_mutex_init/destroy). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

long counter;
pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;

struct record {
    pthread_mutex_t lock;
    int items[16];
};

void *worker(void *arg)
{
    struct record *rec = arg;
    for (int i = 0; i < 1000; i++) {
        pthread_mutex_lock(&counter_lock);
        counter++;
        pthread_mutex_unlock(&counter_lock);
        pthread_mutex_lock(&rec->lock);
        rec->items[i % 16] += i;
        pthread_mutex_unlock(&rec->lock);
    }
    return NULL;
}

int main(void)
{
    struct record *rec = malloc(sizeof *rec);
    pthread_mutex_init(&rec->lock, NULL);
    for (int i = 0; i < 16; i++)
        rec->items[i] = 0;
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        if (pthread_create(&t[i], NULL, worker, rec) != 0)
            return 1;
    pthread_mutex_lock(&counter_lock);
    long mid = counter;
    pthread_mutex_unlock(&counter_lock);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    pthread_mutex_destroy(&rec->lock);
    long sum = 0;
    for (int i = 0; i < 16; i++)
        sum += rec->items[i];
    free(rec);
    printf("mutex_fixed: %ld %ld (%d)\n", counter, sum, mid >= 0);
    return counter == 2000 && sum == 2 * 499500 ? 0 : 1;
}
