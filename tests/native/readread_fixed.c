// hbsan-test: expect=silent
/* Read/read is never a race: four threads read the same table at the same
 * time (in real time interleaved, with no synchronization among them). */
#include <pthread.h>
#include <stdio.h>
#include "order.h"

#define N 4

int table[16];

void *reader(void *arg)
{
    long id = (long)arg;
    long sum = 0;
    for (int i = 0; i < 16; i++)
        sum += table[i];
    order_step((int)id + 1);
    order_wait(N); /* everyone has read once; read again */
    for (int i = 0; i < 16; i++)
        sum += table[(i + id) % 16];
    return (void *)sum;
}

int main(void)
{
    for (int i = 0; i < 16; i++)
        table[i] = i;
    pthread_t t[N];
    for (long i = 0; i < N; i++) {
        if (pthread_create(&t[i], NULL, reader, (void *)i) != 0)
            return 1;
        order_wait((int)i + 1);
    }
    long total = 0;
    for (int i = 0; i < N; i++) {
        void *s;
        pthread_join(t[i], &s);
        total += (long)s;
    }
    printf("readread_fixed: %ld\n", total);
    return total == N * 2 * 120 ? 0 : 1;
}
