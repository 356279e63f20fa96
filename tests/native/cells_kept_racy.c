// hbsan-test: expect=race
// hbsan-test: access=write:4:first:25 access=write:4:third:48
// hbsan-test: location=global:word
/* A thread's old cells must not crowd out another thread's access. The first
 * thread writes the low half of `word`; the second then reads and writes the
 * high half under a mutex, in a new epoch each time (every unlock starts one),
 * which conflicts with nothing; the third writes the low half without any
 * synchronization with the first: a race with the first thread's write, which
 * must still be recorded after the second thread's many accesses to the word
 * (each write of the second thread makes its older cells redundant). */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include "order.h"

static union {
    uint32_t half[2];
    uint64_t whole;
} word;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void *first(void *arg)
{
    (void)arg;
    word.half[0] = 1;
    order_step(1);
    order_wait(3); /* keep this thread alive until the racing access */
    return NULL;
}

void *second(void *arg)
{
    (void)arg;
    order_wait(1);
    for (int i = 0; i < 40; i++) {
        pthread_mutex_lock(&lock);
        word.half[1] += (uint32_t)i;
        pthread_mutex_unlock(&lock);
    }
    order_step(2);
    return NULL;
}

void *third(void *arg)
{
    (void)arg;
    order_wait(2);
    word.half[0] = 2;
    order_step(3);
    return NULL;
}

int main(void)
{
    pthread_t a, b, c;
    if (pthread_create(&a, NULL, first, NULL) != 0 || pthread_create(&b, NULL, second, NULL) != 0 ||
        pthread_create(&c, NULL, third, NULL) != 0)
        return 1;
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    pthread_join(c, NULL);
    printf("cells_kept_racy: %llx\n", (unsigned long long)word.whole); /* one object: clang may not split it */
    return 0;
}
