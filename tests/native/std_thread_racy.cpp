// hbsan-test: expect=race
// hbsan-test: access=write:4:main:23 access=read:4:work:15
// hbsan-test: location=global:input
/* std::thread: main changes `input` after starting the thread, which reads it
 * later in real time; construction orders only what came before it. */
#include <cstdio>
#include <thread>
#include "order.h"

int input;

void work(int *out)
{
    order_wait(1);
    *out = input;
}

int main()
{
    int out = 0;
    input = 1;
    std::thread t(work, &out);
    input = 2;
    order_step(1);
    t.join();
    std::printf("std_thread_racy: %d\n", out);
    return 0;
}
