// C++ exceptions (landing pads, `resume`) and virtual calls (vtable-pointer accesses).
// Threads throw and catch; the handler updates a shared tally: RACY without the mutex.
#include <pthread.h>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <string>

static int tally;
static std::mutex mu;

struct Guard {
  int *p;
  explicit Guard(int *q) : p(q) {}
  ~Guard() { ++*p; }
};

struct Shape {
  virtual ~Shape() {}
  virtual int area() const = 0;
};
struct Sq : Shape {
  int s;
  explicit Sq(int x) : s(x) {}
  int area() const override { return s * s; }
};

__attribute__((noinline)) void thrower(int i) {
  if (i % 3 == 0) throw std::runtime_error("three");
}

__attribute__((noinline)) int middle(int i) {
  int local = 0;
  Guard g(&local);  // its destructor runs on unwinding: a cleanup landing pad + resume
  thrower(i);
  return local + i;
}

static void *worker(void *arg) {
  long id = (long)arg;
  Sq sq((int)id + 2);
  Shape *s = &sq;
  for (int i = 0; i < 30; i++) {
    try {
      middle(i);
    } catch (const std::exception &) {
#ifndef RACY
      std::lock_guard<std::mutex> l(mu);
#endif
      tally += s->area();
    }
  }
  return nullptr;
}

int main() {
  pthread_t t[2];
  for (long i = 0; i < 2; i++) pthread_create(&t[i], nullptr, worker, (void *)i);
  for (int i = 0; i < 2; i++) pthread_join(t[i], nullptr);
  std::printf("%d\n", tally);
  return 0;
}
