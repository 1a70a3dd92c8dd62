package main

import "testing"

func TestGreeting(t *testing.T) {
	cases := map[string]string{"Ada": "Hello, Ada!", "  ": "Hello, world!"}
	for in, want := range cases {
		if got := Greeting(in); got != want {
			t.Errorf("Greeting(%q) = %q, want %q", in, got, want)
		}
	}
}
