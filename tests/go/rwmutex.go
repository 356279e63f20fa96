// A cache behind a sync.RWMutex: readers share the read lock, writers
// take the write lock. Race-free.
package main

import (
	"fmt"
	"sync"
)

type cache struct {
	mu sync.RWMutex
	m  map[int]int
}

func (c *cache) get(k int) (int, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.m[k]
	return v, ok
}

func (c *cache) put(k, v int) {
	c.mu.Lock()
	c.m[k] = v
	c.mu.Unlock()
}

func main() {
	c := &cache{m: map[int]int{}}
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				c.put(i%50, i*w)
			}
		}(w)
	}
	hits := make([]int, 8)
	for r := range hits {
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				if _, ok := c.get(i % 50); ok {
					hits[r]++
				}
			}
		}(r)
	}
	wg.Wait()
	fmt.Println("entries:", len(c.m))
}
