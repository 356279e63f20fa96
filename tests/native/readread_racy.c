// hbsan-test: expect=race
// hbsan-test: access=read:4:reader:19 access=write:4:writer:29
// hbsan-test: location=global:table
/* Readers alone never race; one writer among them does. Three readers read
 * the table, then a writer (ordered after them only in real time) updates it. */
#include <pthread.h>
#include <stdio.h>
#include "order.h"

#define READERS 3

int table[16];

void *reader(void *arg)
{
    long id = (long)arg;
    long sum = 0;
    for (int i = 0; i < 16; i++)
        sum += table[i];
    order_step((int)id + 1);
    order_wait(READERS + 1); /* keep the readers alive until the write */
    return (void *)sum;
}

void *writer(void *arg)
{
    (void)arg;
    order_wait(READERS);
    table[5] = 50;
    order_step(READERS + 1);
    return NULL;
}

int main(void)
{
    for (int i = 0; i < 16; i++)
        table[i] = i;
    pthread_t t[READERS], w;
    if (pthread_create(&w, NULL, writer, NULL) != 0)
        return 1;
    for (long i = 0; i < READERS; i++) {
        if (pthread_create(&t[i], NULL, reader, (void *)i) != 0)
            return 1;
        order_wait((int)i + 1);
    }
    for (int i = 0; i < READERS; i++)
        pthread_join(t[i], NULL);
    pthread_join(w, NULL);
    printf("readread_racy: %d\n", table[5]);
    return 0;
}
