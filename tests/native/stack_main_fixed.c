// hbsan-test: expect=silent
/* main's stack variable, written before pthread_create and read by the
 * worker, then written by the worker and read by main after the join. */
#include <pthread.h>
#include <stdio.h>

void *worker(void *arg)
{
    int *progress = arg;
    *progress += 50;
    return NULL;
}

int main(void)
{
    int progress = 25;
    pthread_t t;
    if (pthread_create(&t, NULL, worker, &progress) != 0)
        return 1;
    pthread_join(t, NULL);
    printf("stack_main_fixed: %d\n", progress);
    return progress == 75 ? 0 : 1;
}
