// `go test -race` of a package whose test races: the test must fail
// with "race detected during execution of test"; the others pass.
package counter

import (
	"sync"
	"testing"
)

func TestRacyCounter(t *testing.T) {
	counter := 0
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				counter++
			}
		}()
	}
	wg.Wait()
	t.Log("counter", counter)
}

func TestLockedCounter(t *testing.T) {
	var mu sync.Mutex
	counter := 0
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if counter != 400 {
		t.Fatal("counter", counter)
	}
}
