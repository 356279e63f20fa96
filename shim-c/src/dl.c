/* dl_iterate_phdr: the names of loaded objects.
 *
 * The dynamic linker allocates the name of an object it loads and frees it
 * when the object is unloaded, under locks of its own that the runtime does
 * not see; dl_iterate_phdr shows the name to a callback under those locks
 * too. A thread reading the name in its callback and another thread's
 * dlclose freeing it are ordered, but not in any way the runtime knows: the
 * name is given fresh shadow before the callback and again after it (the
 * callback may have replaced it), as ThreadSanitizer does, so that no race
 * is reported between them. */
#define _GNU_SOURCE
#include "real.h"

#include <link.h>
#include <string.h>

HBSAN_REAL_SLOT(dl_iterate_phdr);
HBSAN_REAL_SLOT(strlen);

typedef int (*phdr_callback)(struct dl_phdr_info *, size_t, void *);

struct phdr_call {
    phdr_callback callback;
    void *data;
};

/* Fresh shadow for the name `info` shows (measured with the real strlen:
 * this is the runtime's own read, not the program's; already resolved once
 * other threads exist, see hbsan_real_resolve_all). */
static void forget_name(const struct dl_phdr_info *info) {
    if (info == NULL || info->dlpi_name == NULL)
        return;
    size_t n = REAL(strlen)(info->dlpi_name);
    __hbsan_mapped((void *)info->dlpi_name, n + 1);
}

static int call_with_fresh_name(struct dl_phdr_info *info, size_t size, void *data) {
    const struct phdr_call *call = data;
    forget_name(info);
    int rc = call->callback(info, size, call->data);
    forget_name(info);
    return rc;
}

int dl_iterate_phdr(phdr_callback callback, void *data) {
    if (hbsan_forward_only() || callback == NULL)
        return REAL(dl_iterate_phdr)(callback, data);
    struct phdr_call call = {callback, data};
    return REAL(dl_iterate_phdr)(call_with_fresh_name, &call);
}
