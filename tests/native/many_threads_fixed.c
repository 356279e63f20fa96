// hbsan-test: expect=silent
/* 200 threads alive at once, all meeting main at one barrier (201
 * participants): each writes its own slot before the barrier and reads its
 * neighbour's after it; main reads every slot after the barrier. */
#include <pthread.h>
#include <stdio.h>

#define N 200

int slots[N];
int seen[N];
pthread_barrier_t all_here;

void *worker(void *arg)
{
    long id = (long)arg;
    slots[id] = (int)id;
    pthread_barrier_wait(&all_here);
    seen[id] = slots[(id + 1) % N];
    return NULL;
}

int main(void)
{
    pthread_barrier_init(&all_here, NULL, N + 1);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    pthread_t t[N];
    for (long i = 0; i < N; i++)
        if (pthread_create(&t[i], &attr, worker, (void *)i) != 0)
            return 1;
    pthread_attr_destroy(&attr);
    pthread_barrier_wait(&all_here);
    long sum = 0;
    for (int i = 0; i < N; i++)
        sum += slots[i];
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < N; i++)
        sum += seen[i];
    pthread_barrier_destroy(&all_here);
    printf("many_threads_fixed: %ld\n", sum);
    return sum == 2L * (N * (N - 1) / 2) ? 0 : 1;
}
