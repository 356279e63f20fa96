// hbsan-test: expect=silent
/* pthread_create: everything the parent did before pthread_create happens-before
 * the start of the child, so the child reads `config` without a lock. */
#include <pthread.h>
#include <stdio.h>

int config;

void *worker(void *arg)
{
    (void)arg;
    return (void *)(long)(config + 1);
}

int main(void)
{
    config = 41;
    pthread_t t;
    if (pthread_create(&t, NULL, worker, NULL) != 0)
        return 1;
    void *res;
    pthread_join(t, &res);
    printf("create_fixed: %ld\n", (long)res);
    return (long)res == 42 ? 0 : 1;
}
