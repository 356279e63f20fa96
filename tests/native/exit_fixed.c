// hbsan-test: expect=silent
/* pthread_exit from a nested call: the exit still ends the thread, and joining
 * it orders everything it did (and its exit value) before the joiner. */
#include <pthread.h>
#include <stdio.h>

int result;

void finish(int value)
{
    result = value;
    pthread_exit((void *)(long)(value + 1));
}

void *worker(void *arg)
{
    finish(*(int *)arg);
    return NULL; /* not reached */
}

int main(void)
{
    int input = 41;
    pthread_t t;
    if (pthread_create(&t, NULL, worker, &input) != 0)
        return 1;
    void *ret;
    pthread_join(t, &ret);
    printf("exit_fixed: %d %ld\n", result, (long)ret);
    return result == 41 && (long)ret == 42 ? 0 : 1;
}
