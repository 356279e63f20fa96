// hbsan-test: expect=race
// hbsan-test: access=write:4:publish:18 access=read:4:main:28
// hbsan-test: location=global:data
/* std::atomic with memory_order_relaxed on both sides publishes nothing: the
 * plain data written before the flag is not ordered before its read. */
#include <atomic>
#include <cstdio>
#include <thread>
#include "order.h"

int data;
// In its own cache line: libtsan, under load, sometimes lost the racing cell
// of `data` when the flag's atomic accesses shared its shadow word.
alignas(64) std::atomic<bool> ready{false};

void publish()
{
    data = 42;
    ready.store(true, std::memory_order_relaxed);
    order_wait(1); // keep this thread alive until the racing access
}

int main()
{
    std::thread t(publish);
    while (!ready.load(std::memory_order_relaxed))
        std::this_thread::yield();
    int seen = data;
    order_step(1);
    t.join();
    std::printf("std_atomic_racy: %d\n", seen);
    return 0;
}
