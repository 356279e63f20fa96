// hbsan-test: expect=race
// hbsan-test: access=write:4:Account::deposit:18 access=read:4:Account::peek:23
// hbsan-test: location=global:account
/* std::mutex guarding only one side: deposit() locks the account's mutex,
 * peek() does not, so peek() races with deposit(). */
#include <cstdio>
#include <mutex>
#include <thread>
#include "order.h"

struct Account {
    std::mutex m;
    int balance = 0;

    void deposit(int amount)
    {
        std::lock_guard<std::mutex> g(m);
        balance = balance + amount;
    }

    int peek() const
    {
        return balance; // bug: no lock
    }
};

Account account;

void depositor()
{
    account.deposit(10);
    order_step(1);
    order_wait(2); /* keep this thread alive until the racing access */
}

int main()
{
    std::thread t(depositor);
    order_wait(1);
    int seen = account.peek();
    order_step(2);
    t.join();
    std::printf("std_mutex_racy: %d\n", seen);
    return 0;
}
