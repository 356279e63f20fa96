// The Go counter of seed 004 (Gemini's version): ten goroutines increment
// a shared local counter with no synchronization. A data race.
package main

import (
	"fmt"
	"sync"
)

func main() {
	// We expect the final count to be 10 * 1000 = 10,000.
	const numGoroutines = 10
	const incrementsPerGoroutine = 1000

	// A WaitGroup is used to wait for all the goroutines to finish.
	// This is for control flow, not for memory safety.
	var wg sync.WaitGroup
	wg.Add(numGoroutines)

	// This is our shared counter. It lives on the heap and is accessible
	// by all goroutines launched from main.
	var counter int // Defaults to 0

	// Launch 10 concurrent goroutines.
	for i := 0; i < numGoroutines; i++ {
		go func() {
			// Decrement the WaitGroup counter when the goroutine finishes.
			defer wg.Done()

			// Each goroutine will try to increment the counter 1000 times.
			for j := 0; j < incrementsPerGoroutine; j++ {
				counter++
			}
		}()
	}

	// Wait for all goroutines to complete.
	wg.Wait()

	fmt.Printf("Expected final counter: %d\n", numGoroutines*incrementsPerGoroutine)
	fmt.Printf("Actual final counter:   %d\n", counter)
}
