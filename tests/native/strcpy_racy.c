// hbsan-test: expect=race
// hbsan-test: access=write:8:namer:15 access=read:1:main:28
// hbsan-test: location=global:name
/* strcpy writes the destination string: main reads one of its characters
 * afterwards in real time, without synchronization. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "order.h"

char name[32];

void *namer(void *arg)
{
    strcpy(name, (const char *)arg);
    order_step(1);
    order_wait(2); /* keep this thread alive until the racing access */
    return NULL;
}

int main(void)
{
    static char source[] = "hbsan-worker";
    pthread_t t;
    if (pthread_create(&t, NULL, namer, source) != 0)
        return 1;
    order_wait(1);
    char c = name[2];
    order_step(2);
    pthread_join(t, NULL);
    printf("strcpy_racy: %c\n", c);
    return 0;
}
