// Message passing through atomics. The fixed build publishes with release/acquire (the payload
// is ordered); RACY uses relaxed orders, which order nothing, so the payload races.
// Also: a compare-exchange spin lock, fetch-add, exchange, pointer and floating-point atomics.
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#ifdef RACY
#define PUB memory_order_relaxed
#define SUB memory_order_relaxed
#else
#define PUB memory_order_release
#define SUB memory_order_acquire
#endif

static int payload[4];
static atomic_int ready;
static atomic_int lock;
static long guarded;
static _Atomic(int *) ptr;
static _Atomic float fval;
static _Atomic double dval;
static atomic_llong hits;
static atomic_char small;
static atomic_short mid;

static void spin_lock(void) {
  int expected = 0;
  while (!atomic_compare_exchange_weak_explicit(&lock, &expected, 1, memory_order_acquire,
                                                memory_order_relaxed))
    expected = 0;
}

static void spin_unlock(void) { atomic_store_explicit(&lock, 0, memory_order_release); }

static void *producer(void *arg) {
  (void)arg;
  for (int i = 0; i < 4; i++) payload[i] = i + 1;
  atomic_store_explicit(&ready, 1, PUB);
  atomic_store(&ptr, &payload[1]);
  atomic_store(&fval, 1.5f);
  atomic_exchange(&dval, 2.5);
  for (int i = 0; i < 100; i++) {
    spin_lock();
    guarded++;
    spin_unlock();
    atomic_fetch_add(&hits, 1);
    atomic_fetch_or(&small, 1);
    atomic_fetch_xor(&mid, 3);
  }
  return 0;
}

static void *consumer(void *arg) {
  (void)arg;
  while (!atomic_load_explicit(&ready, SUB)) {
  }
  int s = 0;
  for (int i = 0; i < 4; i++) s += payload[i];
  for (int i = 0; i < 100; i++) {
    spin_lock();
    guarded += 2;
    spin_unlock();
    atomic_fetch_sub(&hits, 1);
    atomic_fetch_and(&small, 3);
  }
  int *p = atomic_load(&ptr);
  float f = atomic_load(&fval);
  double d = 1.0;
  atomic_compare_exchange_strong(&dval, &d, 3.0);
  return (void *)(long)(s + (p ? 1 : 0) + (int)f);
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, 0, producer, 0);
  pthread_create(&b, 0, consumer, 0);
  pthread_join(a, 0);
  pthread_join(b, 0);
  printf("%ld %lld %d %d\n", guarded, (long long)atomic_load(&hits), atomic_load(&small), atomic_load(&mid));
  return 0;
}
