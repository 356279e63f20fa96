// hbsan-test: expect=race
// hbsan-test: access=write:8:copier:17 access=read:1:main:29
// hbsan-test: location=global:mailbox
/* memcpy writes every byte it copies: main reads a byte of the destination
 * after the copier thread's memcpy, without synchronization. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "order.h"

char mailbox[64];
char source[64] = "a message that is copied into the mailbox by memcpy";

void *copier(void *arg)
{
    size_t n = (size_t)arg;
    memcpy(mailbox, source, n);
    order_step(1);
    order_wait(2); /* keep this thread alive until the racing access */
    return NULL;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, copier, (void *)sizeof mailbox) != 0)
        return 1;
    order_wait(1);
    char c = mailbox[20];
    order_step(2);
    pthread_join(t, NULL);
    printf("memcpy_racy: %c\n", c);
    return 0;
}
