// hbsan-test: expect=silent
/* strcpy / strncpy / strcmp on strings shared under a mutex. */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

char name[32];
char alias[32];
pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void *namer(void *arg)
{
    pthread_mutex_lock(&lock);
    strcpy(name, (const char *)arg);
    strncpy(alias, name, sizeof alias - 1);
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    static char source[] = "hbsan-worker";
    pthread_t t;
    if (pthread_create(&t, NULL, namer, source) != 0)
        return 1;
    int same;
    for (;;) {
        pthread_mutex_lock(&lock);
        same = name[0] != 0 && strcmp(name, alias) == 0;
        int done = name[0] != 0;
        pthread_mutex_unlock(&lock);
        if (done)
            break;
        sched_yield();
    }
    pthread_join(t, NULL);
    printf("strcpy_fixed: %d\n", same);
    return same ? 0 : 1;
}
