package main

import (
	"fmt"
	"os"
	"strings"
)

// Greeting is the greeting for name; an empty name greets the world.
func Greeting(name string) string {
	who := strings.TrimSpace(name)
	if who == "" {
		who = "world"
	}
	return fmt.Sprintf("Hello, %s!", who)
}

func main() {
	fmt.Println(Greeting(strings.Join(os.Args[1:], " ")))
}
