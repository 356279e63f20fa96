// A race-free program whose greeting is set at link time with
// -ldflags=-X: user link flags must survive hbsan's external linking.
package main

import "fmt"

var greeting = "unset"

func main() {
	fmt.Println("greeting:", greeting)
}
