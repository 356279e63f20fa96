// hbsan-test: expect=silent
/* new / delete / new[] / delete[]: objects handed to a thread at creation,
 * deleted by main after the join; one deleted by the thread itself. */
#include <cstdio>
#include <thread>

struct Widget {
    int value;
    long history[8];
};

int main()
{
    Widget *w = new Widget{1, {}};
    int *numbers = new int[100];
    for (int i = 0; i < 100; i++)
        numbers[i] = i;
    Widget *scratch = new Widget{5, {}};
    std::thread t([w, numbers, scratch] {
        w->value += numbers[99];
        w->history[3] = scratch->value;
        delete scratch;
    });
    t.join();
    int value = w->value;
    long h = w->history[3];
    delete w;
    delete[] numbers;
    std::printf("delete_fixed: %d %ld\n", value, h);
    return value == 100 && h == 5 ? 0 : 1;
}
