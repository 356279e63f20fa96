// hbsan-test: expect=silent
/* std::thread: construction orders what came before it, join() orders the
 * thread before what comes after. Also a vector of threads with lambdas. */
#include <cstdio>
#include <thread>
#include <vector>

int input;
int output[4];

void work(int index)
{
    output[index] = input * (index + 1);
}

int main()
{
    input = 10;
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; i++)
        threads.emplace_back(work, i);
    for (auto &t : threads)
        t.join();
    int sum = 0;
    std::thread summer([&sum] {
        for (int v : output)
            sum += v;
    });
    summer.join();
    std::printf("std_thread_fixed: %d\n", sum);
    return sum == 100 ? 0 : 1;
}
