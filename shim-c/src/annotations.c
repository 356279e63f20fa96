/*
 * annotations.c — the "dynamic annotations" (Valgrind/Helgrind heritage,
 * still used by Chromium, WebKit, abseil…) that ThreadSanitizer's runtime
 * also understands: AnnotateHappensBefore(__FILE__, __LINE__, addr) & co.
 *
 * Defined weak: a program that carries its own (dynamic_annotations.c
 * defines them all, as empty functions) keeps them, as it would under a
 * runtime in a shared library. Annotations ThreadSanitizer's runtime gives
 * no meaning either (condition variables, producer-consumer queues, expected
 * races) do nothing here.
 */
#define _GNU_SOURCE
#include <pthread.h>

#include "real.h"

/* The runtime's annotation entry points (ABI.md §1). */
void __tsan_ignore_thread_begin(void);
void __tsan_ignore_thread_end(void);

#define WEAK __attribute__((weak))

/* Every annotation starts with the caller's file and line. */
#define WHERE const char *file, int line

/* Declared before defined: -Wmissing-prototypes hygiene, and the one list
 * of what is provided. */
WEAK void AnnotateHappensBefore(WHERE, void *addr);
WEAK void AnnotateHappensAfter(WHERE, void *addr);
WEAK void WTFAnnotateHappensBefore(WHERE, void *addr);
WEAK void WTFAnnotateHappensAfter(WHERE, void *addr);
WEAK void AnnotateRWLockCreate(WHERE, void *lock);
WEAK void AnnotateRWLockCreateStatic(WHERE, void *lock);
WEAK void AnnotateRWLockDestroy(WHERE, void *lock);
WEAK void AnnotateRWLockAcquired(WHERE, void *lock, long is_writer);
WEAK void AnnotateRWLockReleased(WHERE, void *lock, long is_writer);
WEAK void AnnotateIgnoreReadsBegin(WHERE);
WEAK void AnnotateIgnoreReadsEnd(WHERE);
WEAK void AnnotateIgnoreWritesBegin(WHERE);
WEAK void AnnotateIgnoreWritesEnd(WHERE);
WEAK void AnnotateIgnoreSyncBegin(WHERE);
WEAK void AnnotateIgnoreSyncEnd(WHERE);
WEAK void AnnotateNewMemory(WHERE, void *mem, size_t size);
WEAK void AnnotateBenignRaceSized(WHERE, void *mem, size_t size, const char *desc);
WEAK void AnnotateBenignRace(WHERE, void *mem, const char *desc);
WEAK void WTFAnnotateBenignRaceSized(WHERE, void *mem, size_t size, const char *desc);
WEAK void AnnotateThreadName(WHERE, const char *name);
WEAK void AnnotateCondVarSignal(WHERE, void *cv);
WEAK void AnnotateCondVarSignalAll(WHERE, void *cv);
WEAK void AnnotateCondVarWait(WHERE, void *cv, void *lock);
WEAK void AnnotateMutexIsNotPHB(WHERE, void *mu);
WEAK void AnnotateMutexIsUsedAsCondVar(WHERE, void *mu);
WEAK void AnnotatePCQCreate(WHERE, void *pcq);
WEAK void AnnotatePCQDestroy(WHERE, void *pcq);
WEAK void AnnotatePCQPut(WHERE, void *pcq);
WEAK void AnnotatePCQGet(WHERE, void *pcq);
WEAK void AnnotateExpectRace(WHERE, void *mem, const char *desc);
WEAK void AnnotateFlushExpectedRaces(WHERE);
WEAK void AnnotateEnableRaceDetection(WHERE, int enable);
WEAK void AnnotateNoOp(WHERE, void *arg);
WEAK void AnnotateFlushState(WHERE);
WEAK int RunningOnValgrind(void);

/* ---- what the detector acts on ------------------------------------------------------------ */

void AnnotateHappensBefore(WHERE, void *addr) {
    (void)file, (void)line;
    if (!hbsan_forward_only())
        __hbsan_release(addr);
}

void AnnotateHappensAfter(WHERE, void *addr) {
    (void)file, (void)line;
    if (!hbsan_forward_only())
        __hbsan_acquire(addr);
}

void WTFAnnotateHappensBefore(WHERE, void *addr) {
    (void)file, (void)line;
    if (!hbsan_forward_only())
        __hbsan_release(addr);
}

void WTFAnnotateHappensAfter(WHERE, void *addr) {
    (void)file, (void)line;
    if (!hbsan_forward_only())
        __hbsan_acquire(addr);
}

/* A lock the detector cannot see, described by its user. */
void AnnotateRWLockCreate(WHERE, void *lock) { (void)file, (void)line, (void)lock; }

void AnnotateRWLockCreateStatic(WHERE, void *lock) { (void)file, (void)line, (void)lock; }

void AnnotateRWLockDestroy(WHERE, void *lock) {
    (void)file, (void)line;
    if (!hbsan_forward_only())
        __hbsan_lock_destroyed(lock);
}

void AnnotateRWLockAcquired(WHERE, void *lock, long is_writer) {
    (void)file, (void)line;
    if (!hbsan_forward_only())
        __hbsan_lock_acquired(lock, is_writer ? 0 : HBSAN_LOCK_READ);
}

void AnnotateRWLockReleased(WHERE, void *lock, long is_writer) {
    (void)file, (void)line, (void)is_writer;
    if (!hbsan_forward_only())
        __hbsan_lock_releasing(lock);
}

/* The runtime ignores a thread's accesses as a whole; reads-only or
 * writes-only ignoring is approximated by ignoring both (as
 * ThreadSanitizer does). */
void AnnotateIgnoreReadsBegin(WHERE) {
    (void)file, (void)line;
    __tsan_ignore_thread_begin();
}

void AnnotateIgnoreReadsEnd(WHERE) {
    (void)file, (void)line;
    __tsan_ignore_thread_end();
}

void AnnotateIgnoreWritesBegin(WHERE) {
    (void)file, (void)line;
    __tsan_ignore_thread_begin();
}

void AnnotateIgnoreWritesEnd(WHERE) {
    (void)file, (void)line;
    __tsan_ignore_thread_end();
}

/* The thread's synchronization is not seen (acquires, releases, lock
 * operations), its accesses still are. */
void AnnotateIgnoreSyncBegin(WHERE) {
    (void)file, (void)line;
    if (!hbsan_forward_only())
        __hbsan_ignore_sync(1);
}

void AnnotateIgnoreSyncEnd(WHERE) {
    (void)file, (void)line;
    if (!hbsan_forward_only())
        __hbsan_ignore_sync(0);
}

/* Memory that starts a new life (a custom allocator's block). */
void AnnotateNewMemory(WHERE, void *mem, size_t size) {
    (void)file, (void)line;
    if (!hbsan_forward_only())
        __hbsan_mapped(mem, size);
}

/* Memory racy on purpose: its races are not reported while it lives. */
void AnnotateBenignRaceSized(WHERE, void *mem, size_t size, const char *desc) {
    (void)file, (void)line, (void)desc;
    if (!hbsan_forward_only())
        __hbsan_benign_race(mem, size);
}

void AnnotateBenignRace(WHERE, void *mem, const char *desc) {
    (void)file, (void)line, (void)desc;
    if (!hbsan_forward_only())
        __hbsan_benign_race(mem, 1);
}

void WTFAnnotateBenignRaceSized(WHERE, void *mem, size_t size, const char *desc) {
    (void)file, (void)line, (void)desc;
    if (!hbsan_forward_only())
        __hbsan_benign_race(mem, size);
}

/* Names the calling thread in reports: `Thread T1 'name'`. */
void AnnotateThreadName(WHERE, const char *name) {
    (void)file, (void)line;
    if (!hbsan_forward_only())
        __hbsan_thread_named((unsigned long)pthread_self(), name);
}

/* ---- accepted, with nothing to do ---------------------------------------------------------- */

void AnnotateCondVarSignal(WHERE, void *cv) { (void)file, (void)line, (void)cv; }
void AnnotateCondVarSignalAll(WHERE, void *cv) { (void)file, (void)line, (void)cv; }
void AnnotateCondVarWait(WHERE, void *cv, void *lock) {
    (void)file, (void)line, (void)cv, (void)lock;
}
void AnnotateMutexIsNotPHB(WHERE, void *mu) { (void)file, (void)line, (void)mu; }
void AnnotateMutexIsUsedAsCondVar(WHERE, void *mu) { (void)file, (void)line, (void)mu; }
void AnnotatePCQCreate(WHERE, void *pcq) { (void)file, (void)line, (void)pcq; }
void AnnotatePCQDestroy(WHERE, void *pcq) { (void)file, (void)line, (void)pcq; }
void AnnotatePCQPut(WHERE, void *pcq) { (void)file, (void)line, (void)pcq; }
void AnnotatePCQGet(WHERE, void *pcq) { (void)file, (void)line, (void)pcq; }
void AnnotateExpectRace(WHERE, void *mem, const char *desc) {
    (void)file, (void)line, (void)mem, (void)desc;
}
void AnnotateFlushExpectedRaces(WHERE) { (void)file, (void)line; }
void AnnotateEnableRaceDetection(WHERE, int enable) { (void)file, (void)line, (void)enable; }
void AnnotateNoOp(WHERE, void *arg) { (void)file, (void)line, (void)arg; }
void AnnotateFlushState(WHERE) { (void)file, (void)line; }

/* Not Valgrind. */
int RunningOnValgrind(void) { return 0; }
