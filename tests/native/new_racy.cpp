// hbsan-test: expect=race
// hbsan-test: access=write:8:Sensor::record:17 access=read:8:Sensor::latest:23
// hbsan-test: location=heap:72
/* A race inside an object made with `new`: the sampler thread records a
 * reading, main reads the latest one without the object's mutex. The report's
 * location is the 72-byte heap block operator new returned. */
#include <cstdio>
#include <thread>
#include "order.h"

struct Sensor {
    int count = 0;
    long readings[8] = {};

    void record(long v)
    {
        readings[count % 8] = v;
        count++;
    }

    long latest() const
    {
        return readings[0];
    }
};

void sample(Sensor *s)
{
    s->record(1234);
    order_step(1);
    order_wait(2); /* keep this thread alive until the racing access */
}

int main()
{
    Sensor *s = new Sensor;
    std::thread t(sample, s);
    order_wait(1);
    long seen = s->latest();
    order_step(2);
    t.join();
    delete s;
    std::printf("new_racy: %ld\n", seen);
    return 0;
}
