// hbsan-test: expect=silent
/* pthread_barrier_wait: everything every participant did before the barrier
 * happens-before everything any participant does after it. Two rounds on the
 * same barrier: write own slot, barrier, read the neighbour's slot. */
#include <pthread.h>
#include <stdio.h>

#define N 4

int slots[N];
int sums[N];
pthread_barrier_t barrier;

void *worker(void *arg)
{
    long id = (long)arg;
    slots[id] = (int)id + 1;
    pthread_barrier_wait(&barrier);
    int neighbour = slots[(id + 1) % N];
    pthread_barrier_wait(&barrier);
    slots[id] = neighbour * 10;
    pthread_barrier_wait(&barrier);
    sums[id] = slots[(id + N - 1) % N];
    return NULL;
}

int main(void)
{
    pthread_barrier_init(&barrier, NULL, N);
    pthread_t t[N];
    for (long i = 0; i < N; i++)
        if (pthread_create(&t[i], NULL, worker, (void *)i) != 0)
            return 1;
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&barrier);
    int total = 0;
    for (int i = 0; i < N; i++)
        total += sums[i];
    printf("barrier_fixed: %d\n", total);
    return total == 100 ? 0 : 1;
}
