// The counter, fixed with sync/atomic: race-free, always 10000.
package main

import (
	"fmt"
	"sync"
	"sync/atomic"
)

var counter int64

func increment(wg *sync.WaitGroup) {
	for i := 0; i < 1000; i++ {
		atomic.AddInt64(&counter, 1)
	}
	wg.Done()
}

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go increment(&wg)
	}
	wg.Wait()
	fmt.Println("counter:", atomic.LoadInt64(&counter))
}
