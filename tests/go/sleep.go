// Seed 004's ChatGPT version: two goroutines increment a global and main
// "waits" with time.Sleep. Sleeping orders nothing: a data race.
package main

import (
	"fmt"
	"time"
)

var shared = 0

func write() {
	for i := 0; i < 1000; i++ {
		shared++
	}
}

func main() {
	go write()
	go write()
	time.Sleep(100 * time.Millisecond)
	fmt.Println("Final value:", shared)
}
