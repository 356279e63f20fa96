// hbsan-test: expect=silent
/* Byte precision: two threads write neighbouring bytes (and neighbouring
 * 2-byte halves) of the same 8-byte word. They never touch the same byte, so
 * there is no race even though the word is shared. */
#include <pthread.h>
#include <stdio.h>
#include "order.h"

unsigned char bytes[8];
unsigned short halves[4];

void *left(void *arg)
{
    (void)arg;
    bytes[0] = 1;
    bytes[2] = 3;
    halves[0] = 100;
    order_step(1);
    order_wait(2);
    bytes[4] = 5;
    halves[2] = 300;
    return NULL;
}

void *right(void *arg)
{
    (void)arg;
    order_wait(1);
    bytes[1] = 2;
    bytes[3] = 4;
    halves[1] = 200;
    order_step(2);
    bytes[5] = 6;
    halves[3] = 400;
    return NULL;
}

int main(void)
{
    pthread_t l, r;
    if (pthread_create(&l, NULL, left, NULL) != 0 || pthread_create(&r, NULL, right, NULL) != 0)
        return 1;
    pthread_join(l, NULL);
    pthread_join(r, NULL);
    int sum = 0;
    for (int i = 0; i < 8; i++)
        sum += bytes[i];
    for (int i = 0; i < 4; i++)
        sum += halves[i];
    printf("bytes_fixed: %d\n", sum);
    return sum == 21 + 1000 ? 0 : 1;
}
