// hbsan-test: expect=race
// hbsan-test: access=write:4:body:27 access=write:4:main:46
// hbsan-test: location=global:shared
/* Fibers (ThreadSanitizer's fiber API, with real context switches): a
 * fiber writes `shared`, then main writes it after switching back. The
 * switches pass __tsan_switch_to_fiber_no_sync (1), so the fibers are checked
 * as if they ran in parallel: the two writes race. fiber_fixed.c switches
 * with synchronization. */
#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

void *__tsan_get_current_fiber(void);
void *__tsan_create_fiber(unsigned flags);
void __tsan_destroy_fiber(void *fiber);
void __tsan_switch_to_fiber(void *fiber, unsigned flags);
void __tsan_set_fiber_name(void *fiber, const char *name);

#define SWITCH_FLAGS 1

static ucontext_t main_context, fiber_context;
static void *main_fiber, *fiber;
int shared;

static void body(void)
{
    shared = 1;
    __tsan_switch_to_fiber(main_fiber, SWITCH_FLAGS);
    swapcontext(&fiber_context, &main_context);
    abort(); /* never resumed */
}

int main(void)
{
    main_fiber = __tsan_get_current_fiber();
    fiber = __tsan_create_fiber(0);
    __tsan_set_fiber_name(fiber, "worker fiber");
    static char stack[256 * 1024];
    getcontext(&fiber_context);
    fiber_context.uc_stack.ss_sp = stack;
    fiber_context.uc_stack.ss_size = sizeof stack;
    fiber_context.uc_link = NULL;
    makecontext(&fiber_context, body, 0);
    __tsan_switch_to_fiber(fiber, SWITCH_FLAGS);
    swapcontext(&main_context, &fiber_context);
    shared = 2;
    __tsan_destroy_fiber(fiber);
    printf("fiber_racy: %d\n", shared);
    return 0;
}
