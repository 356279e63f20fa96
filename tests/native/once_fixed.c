// hbsan-test: expect=silent
/* pthread_once: the init routine runs once, and its completion happens-before
 * the return of every pthread_once call on the same control. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define N 4

pthread_once_t once = PTHREAD_ONCE_INIT;
int *table;
int init_runs;

void init_table(void)
{
    init_runs++;
    table = malloc(8 * sizeof *table);
    for (int i = 0; i < 8; i++)
        table[i] = i * i;
}

void *worker(void *arg)
{
    long id = (long)arg;
    pthread_once(&once, init_table);
    return (void *)(long)table[id + 1];
}

int main(void)
{
    pthread_t t[N];
    for (long i = 0; i < N; i++)
        if (pthread_create(&t[i], NULL, worker, (void *)i) != 0)
            return 1;
    long sum = 0;
    for (int i = 0; i < N; i++) {
        void *v;
        pthread_join(t[i], &v);
        sum += (long)v;
    }
    printf("once_fixed: %ld (%d init)\n", sum, init_runs);
    free(table);
    return sum == 1 + 4 + 9 + 16 && init_runs == 1 ? 0 : 1;
}
