// hbsan-test: expect=silent
/* calloc's zero-fill happens before the thread that receives the block at
 * creation; the thread and main then take turns under a mutex. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void *worker(void *arg)
{
    long *cells = arg;
    pthread_mutex_lock(&lock);
    long v = cells[19];
    cells[18] = 5;
    pthread_mutex_unlock(&lock);
    return (void *)v;
}

int main(void)
{
    long *cells = calloc(20, sizeof(long));
    pthread_t t;
    if (pthread_create(&t, NULL, worker, cells) != 0)
        return 1;
    pthread_mutex_lock(&lock);
    cells[19] = 7;
    long other = cells[18];
    pthread_mutex_unlock(&lock);
    void *v;
    pthread_join(t, &v);
    long last = cells[18];
    free(cells);
    printf("calloc_fixed: %ld %ld %ld\n", (long)v, other, last);
    return last == 5 ? 0 : 1;
}
