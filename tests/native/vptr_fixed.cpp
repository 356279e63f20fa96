// hbsan-test: expect=silent
/* Virtual calls on an object shared between threads, destroyed only after the
 * other thread has been joined: the destructor's vptr updates are ordered
 * after every virtual call. */
#include <atomic>
#include <cstdio>
#include <thread>

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
    return s->area();
}

int main()
{
    Shape *s = new Square(4);
    int seen = 0;
    std::thread t([s, &seen] { seen = measure(s); });
    t.join();
    delete s;
    std::printf("vptr_fixed: %d\n", seen);
    return seen == 16 && live_shapes.load() == 0 ? 0 : 1;
}
