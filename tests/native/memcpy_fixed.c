// hbsan-test: expect=silent
/* memcpy and memmove into a buffer shared under a mutex; memcmp reads it. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

char mailbox[64];
char source[64] = "a message that is copied into the mailbox by memcpy";
pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void *copier(void *arg)
{
    size_t n = (size_t)arg;
    pthread_mutex_lock(&lock);
    memcpy(mailbox, source, n);
    memmove(mailbox + 1, mailbox, n - 1);
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, copier, (void *)sizeof mailbox) != 0)
        return 1;
    pthread_join(t, NULL);
    pthread_mutex_lock(&lock);
    int same = memcmp(mailbox + 1, source, 10) == 0;
    pthread_mutex_unlock(&lock);
    printf("memcpy_fixed: %d\n", same);
    return same ? 0 : 1;
}
