// hbsan-test: expect=race
// hbsan-test: access=write:4:main:28 access=write:8:clearer:16
// hbsan-test: location=global:frame
/* memset writes every byte it sets: main stores into the frame after the
 * clearer thread's memset, without synchronization. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "order.h"

int frame[32];

void *clearer(void *arg)
{
    size_t n = (size_t)arg;
    memset(frame, 0, n);
    order_step(1);
    order_wait(2); /* keep this thread alive until the racing access */
    return NULL;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, clearer, (void *)sizeof frame) != 0)
        return 1;
    order_wait(1);
    frame[9] = 99;
    order_step(2);
    pthread_join(t, NULL);
    printf("memset_racy: done\n");
    return 0;
}
