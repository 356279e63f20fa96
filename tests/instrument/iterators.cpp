// C++ loops over iterators (pointer induction variables): std::vector range-for, a pointer walk
// to an end pointer, and an array of 12-byte structs. Two threads update disjoint halves; RACY
// makes the halves overlap by one element.
#include <pthread.h>
#include <cstdio>
#include <vector>

struct P { int x, y, z; };
static std::vector<int> vec(2000, 1);
static P pts[2000];

struct Job { int lo, hi; };

__attribute__((noinline)) void bump(std::vector<int>::iterator b, std::vector<int>::iterator e) {
  for (auto it = b; it != e; ++it) *it += 1;
}

__attribute__((noinline)) void walk(int *p, int *end) {
  while (p != end) *p++ *= 3;
}

__attribute__((noinline)) void move_pts(P *b, P *e) {
  for (P *q = b; q != e; ++q) { q->x += 1; q->y += 2; q->z += 3; }
}

static void *worker(void *arg) {
  Job *j = static_cast<Job *>(arg);
  bump(vec.begin() + j->lo, vec.begin() + j->hi);
  walk(vec.data() + j->lo, vec.data() + j->hi);
  move_pts(pts + j->lo, pts + j->hi);
  return nullptr;
}

int main() {
#ifdef RACY
  Job jobs[2] = {{0, 1001}, {1000, 2000}};
#else
  Job jobs[2] = {{0, 1000}, {1000, 2000}};
#endif
  pthread_t t[2];
  for (int i = 0; i < 2; i++) pthread_create(&t[i], nullptr, worker, &jobs[i]);
  for (int i = 0; i < 2; i++) pthread_join(t[i], nullptr);
  long s = 0;
  for (int v : vec) s += v;
  for (const P &p : pts) s += p.x + p.y + p.z;
  std::printf("%ld\n", s);
  return 0;
}
