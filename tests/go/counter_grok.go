// The Go counter of seed 004 (Grok's version): a global counter
// incremented by ten goroutines with no synchronization. A data race.
package main

import (
	"sync"
)

var counter int

func increment(wg *sync.WaitGroup) {
	for i := 0; i < 1000; i++ {
		counter++ // Unsynchronized access to shared variable
	}
	wg.Done()
}

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go increment(&wg) // Launch 10 goroutines
	}
	wg.Wait()        // Wait for all goroutines to complete
	println(counter) // Expected: 10000, Actual: Varies
}
