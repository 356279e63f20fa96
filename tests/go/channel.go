// Ownership handed over a channel: the producer fills a buffer, sends it,
// and never touches it again; the consumer owns it after the receive.
// Race-free.
package main

import "fmt"

type batch struct {
	items []int
	sum   int
}

func main() {
	work := make(chan *batch)
	done := make(chan *batch, 4)
	go func() {
		for b := range work {
			for _, v := range b.items {
				b.sum += v
			}
			done <- b
		}
		close(done)
	}()
	go func() {
		for i := 0; i < 100; i++ {
			b := &batch{items: make([]int, 100)}
			for j := range b.items {
				b.items[j] = i
			}
			work <- b
		}
		close(work)
	}()
	total := 0
	for b := range done {
		total += b.sum
	}
	fmt.Println("total:", total)
}
