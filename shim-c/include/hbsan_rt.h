/*
 * hbsan_rt.h — the runtime entry points that the interceptors of shim-c call.
 *
 * Internal to hbsan: programs never include this file (they include hbsan.h).
 * Every function is implemented in Rust (runtime/src/abi/native.rs) and is
 * safe to call from any thread, before or after the runtime is initialized:
 * each initializes what it needs. None of them calls an intercepted function
 * on the calling thread's behalf while it is inside the runtime; interceptors
 * must check __hbsan_in_runtime() first and, when it is non-zero, only
 * forward to the real function.
 *
 * pcs: caller_pc is the interceptor's return address (__builtin_return_address(0)),
 * the program's call site; self_pc is an address inside the interceptor, so
 * that stacks show "#0 malloc" then "#1 <caller>" the way ThreadSanitizer's do.
 */
#ifndef HBSAN_RT_H
#define HBSAN_RT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Process start, from .preinit_array: this process speaks the compiler
 * instrumentation ABI; initializes the runtime and registers the calling
 * thread as the main thread. Idempotent. */
void __hbsan_init_native(void);

/* Non-zero while the calling thread is inside the runtime (or the runtime
 * asked interceptors to stand aside): interceptors must then only forward. */
int __hbsan_in_runtime(void);

/* From a signal handler that found its thread inside the runtime: the
 * runtime calls `deliver` once, as soon as the thread leaves the runtime.
 * Async-signal-safe. */
void __hbsan_defer_signal(void (*deliver)(void));

/* ---- threads ----------------------------------------------------------- */

/* In the parent, before the real pthread_create: records the creation
 * (the parent's release) and returns a ticket for the child; *tid receives
 * the new thread's id in the runtime. */
void *__hbsan_thread_create(void *caller_pc, void *self_pc, unsigned *tid);
/* In the parent, after the real creation succeeded: thread `tid` is
 * `thread` (its pthread_t), which the parent may name before it runs. */
void __hbsan_thread_created(unsigned tid, unsigned long thread);
/* The real pthread_create failed: forget the ticket. */
void __hbsan_thread_create_failed(void *ticket);
/* In the child, before the start routine: the child's acquire; [stack_lo,
 * stack_hi) is its stack, whose old shadow is reset. */
void __hbsan_thread_start(void *ticket, void *stack_lo, void *stack_hi);
/* In the child, as late as possible (the final round of a pthread key
 * destructor): a joinable thread releases into its join object; then the
 * thread's state is gone. */
void __hbsan_thread_finish(int joinable);
/* After a successful pthread_join/tryjoin/timedjoin of `thread`: acquire
 * what the thread did. */
void __hbsan_thread_joined(unsigned long thread);
/* pthread_detach(thread) succeeded: nobody will join it. */
void __hbsan_thread_detached(unsigned long thread);
/* `thread` was named (pthread_setname_np, AnnotateThreadName): reports call
 * it `Thread T1 'name'`. `name` is NUL-terminated; an unknown thread is
 * ignored. */
void __hbsan_thread_named(unsigned long thread, const char *name);
/* begin != 0: the calling thread's synchronization stops being seen (nests);
 * begin == 0: one level ends. */
void __hbsan_ignore_sync(int begin);

/* ---- locks -------------------------------------------------------------- */

#define HBSAN_LOCK_READ 1 /* a reader lock of an rwlock */

/* After a lock is acquired (mutex, spinlock, rwlock; flags: HBSAN_LOCK_READ). */
void __hbsan_lock_acquired(void *lock, int flags);
/* Before a lock is released; the runtime knows whether it is held for reading. */
void __hbsan_lock_releasing(void *lock);
/* A lock was destroyed (its synchronization state is forgotten). */
void __hbsan_lock_destroyed(void *lock);

/* ---- synchronization on an address (semaphores, barriers, once) --------- */

void __hbsan_release(void *addr);       /* merge into what addr has published */
void __hbsan_release_store(void *addr); /* replace what addr has published */
void __hbsan_acquire(void *addr);       /* take what addr has published */

/* ---- memory ------------------------------------------------------------- */

/* [p, p+size) was allocated (malloc family, new): fresh shadow, and a heap
 * block for reports, allocated at (caller_pc, self_pc). */
void __hbsan_malloc(void *p, size_t size, void *caller_pc, void *self_pc);
/* p is about to be freed (free, delete, realloc moving a block): the free
 * is checked as a write to the block, and later unordered accesses race
 * with it. p may be NULL or unknown to the runtime. */
void __hbsan_free(void *p, void *caller_pc, void *self_pc);
/* A new mapping (mmap, mremap): fresh shadow. */
void __hbsan_mapped(void *p, size_t size);
/* A mapping is gone (munmap): fresh shadow, forgotten sync objects and blocks. */
void __hbsan_unmapped(void *p, size_t size);
/* [p, p+size) is racy on purpose (AnnotateBenignRaceSized): races on it
 * are not reported until it is freed or unmapped. */
void __hbsan_benign_race(const void *p, size_t size);
/* The interceptor reads / writes [p, p+size) on behalf of the program
 * (mem*, str*, ...). */
void __hbsan_read_range(const void *p, size_t size, void *caller_pc, void *self_pc);
void __hbsan_write_range(const void *p, size_t size, void *caller_pc, void *self_pc);
/* An atomic read of [p, p+size) (a lock reading its own word): it races
 * with plain writes only. */
void __hbsan_atomic_read_range(const void *p, size_t size, void *caller_pc, void *self_pc);

/* ---- process ------------------------------------------------------------ */

/* Around fork(): the runtime's locks are taken before and released after,
 * in the parent and in the child (where only the forking thread lives on). */
void __hbsan_fork_before(void);
void __hbsan_fork_after(int in_child);
/* The process is ending (an atexit handler registered at start, and the
 * _exit interceptor): prints the summary; returns the exit status the
 * process must end with (the `exitcode` option when races were reported),
 * or -1 to keep the program's own status. */
int __hbsan_finish(void);

#ifdef __cplusplus
}
#endif
#endif /* HBSAN_RT_H */
