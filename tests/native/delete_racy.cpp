// hbsan-test: expect=race
// hbsan-test: access=read:4:inspect:17 access=write:8:main:31
// hbsan-test: location=none
/* delete races with a read by another thread: main deletes the widget after
 * the inspector read it, but the detector sees no ordering between the two. */
#include <cstdio>
#include <thread>
#include "order.h"

struct Widget {
    int value;
    long history[8];
};

int inspect(Widget *w)
{
    int v = w->value;
    order_step(1);
    return v;
}

int main()
{
    Widget *w = new Widget{7, {}};
    int seen = 0;
    std::thread t([w, &seen] {
        seen = inspect(w);
        order_wait(2); // keep this thread alive until the racing access
    });
    order_wait(1);
    delete w; // bug: the inspector's read is not ordered before this
    order_step(2);
    t.join();
    std::printf("delete_racy: %d\n", seen);
    return 0;
}
