// hbsan-test: expect=silent
/* pthread_join: everything the thread did happens-before the return of the join. */
#include <pthread.h>
#include <stdio.h>

int result;

void *worker(void *arg)
{
    result = *(int *)arg * 2;
    return NULL;
}

int main(void)
{
    int input = 21;
    pthread_t t;
    if (pthread_create(&t, NULL, worker, &input) != 0)
        return 1;
    pthread_join(t, NULL);
    printf("join_fixed: %d\n", result);
    return result == 42 ? 0 : 1;
}
