// Fan-out with sync.WaitGroup: each worker writes its own result slot;
// main reads them all after Wait. Race-free.
package main

import (
	"fmt"
	"sync"
)

func main() {
	results := make([]int, 32)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j <= i; j++ {
				results[i] += j
			}
		}(i)
	}
	wg.Wait()
	total := 0
	for _, r := range results {
		total += r
	}
	fmt.Println("total:", total)
}
