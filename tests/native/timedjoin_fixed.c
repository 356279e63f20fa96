// hbsan-test: expect=silent
/* pthread_timedjoin_np that succeeds within its deadline is a join. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include "order.h"

int result;

void *worker(void *arg)
{
    (void)arg;
    usleep(2000);
    result = 42;
    return NULL;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0)
        return 1;
    struct timespec deadline = order_deadline(60 * 1000);
    if (pthread_timedjoin_np(t, NULL, &deadline) != 0)
        return 1;
    printf("timedjoin_fixed: %d\n", result);
    return result == 42 ? 0 : 1;
}
