package main

import (
	"errors"
	"fmt"
	"os"
)

func main() {
	cmd := newRootCommand()
	if err := cmd.Execute(); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.msg != "" {
				fmt.Fprintln(os.Stderr, "translator: "+ee.msg)
			}
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "translator: "+err.Error())
		os.Exit(1)
	}
}

// exitError carries an exit status out of a command. An empty msg prints nothing more.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }
