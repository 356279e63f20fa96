// hbsan-test: expect=silent
/* pthread_rwlock: a write unlock releases to every later lock; read locks may
 * be held by several readers at once (read/read is never a race). The writer
 * publishes under wrlock; two readers then hold rdlock at the same time. */
#include <pthread.h>
#include <stdio.h>
#include "order.h"

int table[4];
pthread_rwlock_t rw;

void *writer(void *arg)
{
    (void)arg;
    pthread_rwlock_wrlock(&rw);
    for (int i = 0; i < 4; i++)
        table[i] = (i + 1) * 10;
    pthread_rwlock_unlock(&rw);
    order_step(1);
    return NULL;
}

void *reader(void *arg)
{
    long id = (long)arg;
    order_wait(1);
    pthread_rwlock_rdlock(&rw);
    /* The first reader keeps its read lock until the second one holds its own. */
    if (id == 0) {
        order_step(2);
        order_wait(3);
    } else {
        order_wait(2);
        order_step(3);
    }
    int sum = 0;
    for (int i = 0; i < 4; i++)
        sum += table[i];
    pthread_rwlock_unlock(&rw);
    return (void *)(long)sum;
}

int main(void)
{
    pthread_rwlock_init(&rw, NULL);
    pthread_t w, r[2];
    if (pthread_create(&w, NULL, writer, NULL) != 0)
        return 1;
    for (long i = 0; i < 2; i++)
        if (pthread_create(&r[i], NULL, reader, (void *)i) != 0)
            return 1;
    void *s0, *s1;
    pthread_join(w, NULL);
    pthread_join(r[0], &s0);
    pthread_join(r[1], &s1);
    pthread_rwlock_destroy(&rw);
    printf("rwlock_fixed: %ld %ld\n", (long)s0, (long)s1);
    return (long)s0 == 100 && (long)s1 == 100 ? 0 : 1;
}
