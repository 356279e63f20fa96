// hbsan-test: expect=silent
/* pthread_tryjoin_np: once it succeeds it is a join, and orders the thread's
 * writes before the caller's reads. EBUSY answers before that change nothing. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

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
    int rc;
    int busy = 0;
    while ((rc = pthread_tryjoin_np(t, NULL)) == EBUSY) {
        busy++;
        usleep(500);
    }
    if (rc != 0)
        return 1;
    printf("tryjoin_fixed: %d (busy %d times)\n", result, busy > 0);
    return result == 42 ? 0 : 1;
}
