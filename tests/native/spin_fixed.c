// hbsan-test: expect=silent
/* pthread_spin_lock/trylock/unlock: the spinlock orders the critical sections
 * of the two threads (one uses lock, the other a trylock loop). */
#include <pthread.h>
#include <stdio.h>

long counter;
pthread_spinlock_t spin;

void *locker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 1000; i++) {
        pthread_spin_lock(&spin);
        counter++;
        pthread_spin_unlock(&spin);
    }
    return NULL;
}

void *trier(void *arg)
{
    (void)arg;
    for (int i = 0; i < 1000; i++) {
        while (pthread_spin_trylock(&spin) != 0)
            ;
        counter += 2;
        pthread_spin_unlock(&spin);
    }
    return NULL;
}

int main(void)
{
    pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE);
    pthread_t a, b;
    if (pthread_create(&a, NULL, locker, NULL) != 0 || pthread_create(&b, NULL, trier, NULL) != 0)
        return 1;
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    pthread_spin_destroy(&spin);
    printf("spin_fixed: %ld\n", counter);
    return counter == 3000 ? 0 : 1;
}
