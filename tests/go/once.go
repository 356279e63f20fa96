// Lazy initialization with sync.Once: every goroutine sees the
// configuration the one initializer wrote. Race-free.
package main

import (
	"fmt"
	"sync"
)

type config struct {
	name    string
	workers int
}

var (
	once sync.Once
	cfg  *config
)

func get() *config {
	once.Do(func() {
		cfg = &config{name: "hbsan", workers: 8}
	})
	return cfg
}

func main() {
	var wg sync.WaitGroup
	sums := make([]int, 16)
	for i := range sums {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := get()
			sums[i] = c.workers + len(c.name)
		}(i)
	}
	wg.Wait()
	total := 0
	for _, s := range sums {
		total += s
	}
	fmt.Println("total:", total)
}
