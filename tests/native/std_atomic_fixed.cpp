// hbsan-test: expect=silent
/* std::atomic: release/acquire publication of plain data, a seq_cst counter
 * and a compare_exchange-based spinlock guarding a plain variable. */
#include <atomic>
#include <cstdio>
#include <thread>

int data;
std::atomic<bool> ready{false};
std::atomic<int> hits{0};
std::atomic<bool> busy{false};
long guarded;

void lock_spin()
{
    bool expected = false;
    while (!busy.compare_exchange_weak(expected, true, std::memory_order_acquire, std::memory_order_relaxed))
        expected = false;
}

void unlock_spin()
{
    busy.store(false, std::memory_order_release);
}

void worker()
{
    for (int i = 0; i < 1000; i++) {
        hits.fetch_add(1);
        lock_spin();
        guarded += 2;
        unlock_spin();
    }
}

int main()
{
    std::thread consumer([] {
        while (!ready.load(std::memory_order_acquire))
            std::this_thread::yield();
        data += 1;
    });
    data = 41;
    ready.store(true, std::memory_order_release);
    std::thread a(worker), b(worker);
    a.join();
    b.join();
    consumer.join();
    std::printf("std_atomic_fixed: %d %d %ld\n", data, hits.load(), guarded);
    return data == 42 && hits.load() == 2000 && guarded == 4000 ? 0 : 1;
}
