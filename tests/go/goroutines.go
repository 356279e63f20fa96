// Many goroutines: `alive` keeps 5000 parked at once; `handoff`,
// `buffered` and `waitgroup` run 100 waves of 1000 short-lived goroutines
// (100,000 over the run) that fill fresh heap objects and hand them over,
// with garbage collections between waves so that the heap is reused.
// Race-free; counts are exact.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
)

type node struct {
	vals [16]int
}

func alive() {
	start := make(chan struct{})
	var wg sync.WaitGroup
	var sum int64
	for i := 0; i < 5000; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			n := &node{}
			for j := range n.vals {
				n.vals[j] = i + j
			}
			atomic.AddInt64(&sum, int64(n.vals[15]))
		}(i)
	}
	close(start)
	wg.Wait()
	fmt.Println("sum:", atomic.LoadInt64(&sum))
}

// churn runs the waves. join says how a wave's goroutines are joined:
// "handoff": each hands its node over an unbuffered channel, so it ends
// only after main received it; "buffered": a buffered channel, so most
// end before main receives anything; "waitgroup": each calls wg.Done and
// ends while main waits.
func churn(join string) {
	total := 0
	for wave := 0; wave < 100; wave++ {
		size := 0
		if join != "handoff" {
			size = 1000
		}
		out := make(chan *node, size)
		var wg sync.WaitGroup
		for i := 0; i < 1000; i++ {
			wg.Add(1)
			go func(i int) {
				n := &node{}
				for j := range n.vals {
					n.vals[j] = i
				}
				out <- n
				wg.Done()
			}(i)
		}
		if join == "waitgroup" {
			wg.Wait()
		}
		for k := 0; k < 1000; k++ {
			n := <-out
			total += n.vals[3]
			n.vals[0] = -1 // the receiver owns it now
		}
		wg.Wait()
		if wave%10 == 0 {
			runtime.GC()
		}
	}
	fmt.Println("total:", total)
}

func main() {
	switch os.Args[1] {
	case "alive":
		alive()
	default:
		churn(os.Args[1])
	}
}
