// hbsan-test: expect=race
// hbsan-test: access=write:8:callback:28 access=read:8:main:52
// hbsan-test: location=global:last_length
// hbsan-test: link=-ldl
/* dl_iterate_phdr while another thread loads and unloads a library. The
 * dynamic linker frees an unloaded object's name under locks of its own,
 * which no interceptor sees, so a callback's read of the name would look
 * unordered with that free: the name is given fresh shadow around each
 * callback (as ThreadSanitizer does). What races here is the program's own
 * variable: the callback writes it, main reads it, with no lock between. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "order.h"

#define ROUNDS 200

size_t last_length;

static int callback(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    (void)data;
    size_t n = strlen(info->dlpi_name);
    last_length = n;
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
    size_t seen = last_length;
    order_step(2);
    pthread_join(t, NULL);
    printf("last name: %zu bytes\n", seen);
    return 0;
}
