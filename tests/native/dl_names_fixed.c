// hbsan-test: expect=silent
// hbsan-test: link=-ldl
/* dl_iterate_phdr while another thread loads and unloads a library. The
 * dynamic linker frees an unloaded object's name under locks of its own,
 * which no interceptor sees, so a callback's read of the name would look
 * unordered with that free: the name is given fresh shadow around each
 * callback (as ThreadSanitizer does). The program's own variable, written
 * by the callback and read by main, is guarded by a mutex. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "order.h"

#define ROUNDS 200

size_t last_length;
pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int callback(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    (void)data;
    size_t n = strlen(info->dlpi_name);
    pthread_mutex_lock(&lock);
    last_length = n;
    pthread_mutex_unlock(&lock);
    return 0;
}

static void *iterate(void *arg)
{
    (void)arg;
    for (int i = 0; i < ROUNDS; i++)
        dl_iterate_phdr(callback, NULL);
    order_step(1);
    order_wait(2); /* alive until main's read */
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, iterate, NULL);
    for (int i = 0; i < ROUNDS; i++) {
        void *lib = dlopen("libBrokenLocale.so.1", RTLD_NOW);
        order_require(lib != NULL, "dlopen of libBrokenLocale.so.1");
        dlclose(lib);
    }
    order_wait(1);
    pthread_mutex_lock(&lock);
    size_t seen = last_length;
    pthread_mutex_unlock(&lock);
    order_step(2);
    pthread_join(t, NULL);
    printf("last name: %zu bytes\n", seen);
    return 0;
}
