// hbsan-test: expect=silent
/* std::mutex with lock_guard and unique_lock, std::condition_variable
 * hand-over: all accesses to the queue are ordered by the one mutex. */
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>

std::mutex m;
std::condition_variable cv;
std::deque<int> queue;
bool closed;

void produce()
{
    for (int i = 1; i <= 100; i++) {
        std::lock_guard<std::mutex> g(m);
        queue.push_back(i);
        cv.notify_one();
    }
    std::lock_guard<std::mutex> g(m);
    closed = true;
    cv.notify_all();
}

long consume()
{
    long sum = 0;
    for (;;) {
        std::unique_lock<std::mutex> l(m);
        cv.wait(l, [] { return !queue.empty() || closed; });
        if (queue.empty())
            return sum;
        sum += queue.front();
        queue.pop_front();
    }
}

int main()
{
    long sum = 0;
    std::thread c([&sum] { sum = consume(); });
    std::thread p(produce);
    p.join();
    c.join();
    std::printf("std_mutex_fixed: %ld\n", sum);
    return sum == 5050 ? 0 : 1;
}
