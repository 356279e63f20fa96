// hbsan-test: expect=race
// hbsan-test: access=read:8:measurer:16 access=write:1:main:28
// hbsan-test: location=global:line
/* strlen reads every byte up to the terminator: main overwrites one of them
 * after the measurer thread's strlen, without synchronization. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "order.h"

char line[64] = "the length of this line is measured by strlen";

void *measurer(void *arg)
{
    (void)arg;
    size_t n = strlen(line);
    order_step(1);
    order_wait(2); /* keep this thread alive until the racing access */
    return (void *)n;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, measurer, NULL) != 0)
        return 1;
    order_wait(1);
    line[10] = '_';
    order_step(2);
    void *n;
    pthread_join(t, &n);
    printf("strlen_racy: %zu\n", (size_t)n);
    return 0;
}
