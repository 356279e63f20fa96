// Fence-based publication: relaxed flag accesses ordered by a release fence in the producer
// and an acquire fence in the consumer (C11 fence synchronization). RACY drops the fences.
// (libtsan does not model fences, so both its builds report here; hbsan's runtime must not.)
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

static int data;
static atomic_int flag;

static void *producer(void *arg) {
  (void)arg;
  data = 42;
#ifndef RACY
  atomic_thread_fence(memory_order_release);
#endif
  atomic_store_explicit(&flag, 1, memory_order_relaxed);
  atomic_signal_fence(memory_order_seq_cst);
  return 0;
}

static void *consumer(void *arg) {
  (void)arg;
  while (!atomic_load_explicit(&flag, memory_order_relaxed)) {
  }
#ifndef RACY
  atomic_thread_fence(memory_order_acquire);
#endif
  return (void *)(long)data;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, 0, producer, 0);
  pthread_create(&b, 0, consumer, 0);
  void *r;
  pthread_join(a, 0);
  pthread_join(b, &r);
  printf("%ld\n", (long)r);
  return 0;
}
