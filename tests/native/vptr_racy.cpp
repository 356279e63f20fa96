// hbsan-test: expect=race
// hbsan-test: warning=vptr
// hbsan-test: access=read:8:measure:32 access=write:8:Shape::~Shape:19
// hbsan-test: location=heap:16
/* The classic vptr race: a thread makes a virtual call on an object while
 * main destroys it. The destructor of the base class rewrites the vptr
 * (gcc's -fsanitize=thread instruments it with __tsan_vptr_update), which
 * races with the vptr load of the virtual call. (The destructor counts live
 * shapes; an empty one would let gcc drop the vptr store as dead.) */
#include <atomic>
#include <cstdio>
#include <thread>
#include "order.h"

std::atomic<int> live_shapes;

struct Shape {
    Shape() { live_shapes.fetch_add(1); }
    virtual ~Shape() { live_shapes.fetch_sub(1); }
    virtual int area() const = 0;
};

struct Square : Shape {
    int side;
    explicit Square(int s) : side(s) {}
    ~Square() override {}
    int area() const override { return side * side; }
};

int measure(const Shape *s)
{
    int a = s->area();
    order_step(1);
    return a;
}

int main()
{
    Shape *s = new Square(4);
    int seen = 0;
    std::thread t([s, &seen] {
        seen = measure(s);
        order_wait(2); // keep this thread alive until the racing access
    });
    order_wait(1);
    delete s; // bug: the virtual call is not ordered before the destruction
    order_step(2);
    t.join();
    std::printf("vptr_racy: %d\n", seen);
    return 0;
}
