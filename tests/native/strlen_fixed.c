// hbsan-test: expect=silent
/* strlen on a line that two threads share under a read-write lock: the
 * measurers read it concurrently (read/read), the editor writes it under the
 * write lock. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

char line[64] = "the length of this line is measured by strlen";
pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;

void *measurer(void *arg)
{
    (void)arg;
    pthread_rwlock_rdlock(&rw);
    size_t n = strlen(line);
    pthread_rwlock_unlock(&rw);
    return (void *)n;
}

int main(void)
{
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        if (pthread_create(&t[i], NULL, measurer, NULL) != 0)
            return 1;
    pthread_rwlock_wrlock(&rw);
    line[10] = '_';
    pthread_rwlock_unlock(&rw);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    printf("strlen_fixed: %zu\n", strlen(line));
    return 0;
}
