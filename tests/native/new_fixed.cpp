// hbsan-test: expect=silent
/* Objects and arrays made with new / new[] are shared under a std::mutex
 * by two threads, then deleted by main after the joins. */
#include <cstdio>
#include <mutex>
#include <thread>

struct Sensor {
    std::mutex m;
    int count = 0;
    long readings[8] = {};

    void record(long v)
    {
        std::lock_guard<std::mutex> g(m);
        readings[count % 8] = v;
        count++;
    }

    long total()
    {
        std::lock_guard<std::mutex> g(m);
        long t = 0;
        for (long r : readings)
            t += r;
        return t;
    }
};

void sample(Sensor *s, const long *values, int n)
{
    for (int i = 0; i < n; i++)
        s->record(values[i]);
}

int main()
{
    Sensor *s = new Sensor;
    long *values = new long[4]{1, 2, 3, 4};
    std::thread a(sample, s, values, 4);
    std::thread b(sample, s, values, 4);
    long mid = s->total();
    a.join();
    b.join();
    long total = s->total();
    delete[] values;
    delete s;
    std::printf("new_fixed: %ld (%d)\n", total, mid >= 0);
    return total == 20 ? 0 : 1;
}
