// Command topocnn trains and analyses topographic convolutional networks: networks whose
// layer fc1 lays its units on a 2-D grid and makes neighbours alike through a weight-similarity
// (WS) or activation-similarity (AS) loss.
//
// Usage:
//
//	topocnn COMMAND [flags]
//	topocnn help [COMMAND]
//
// Each command lives in its own file and registers itself in commands from an init function.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"sync/atomic"
	"syscall"
)

// Exit statuses.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2   // invalid command, flag or flag value
	exitInterrupted = 130 // stopped by SIGINT (128 + 2), as shells report an interrupt
	exitTerminated  = 143 // stopped by SIGTERM (128 + 15)
)

// command is a subcommand of topocnn.
type command struct {
	name string
	// summary is the one-line description that topocnn help lists.
	summary string
	// run executes the command with its arguments (the command name removed) and returns the
	// exit status. ctx is cancelled on SIGINT or SIGTERM.
	run func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// commands holds every subcommand by name.
var commands = map[string]*command{}

// register adds c to commands. It panics on a duplicate name, a programming error.
func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("topocnn: command " + c.name + " registered twice")
	}
	commands[c.name] = c
}

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	var terminated atomic.Bool
	go func() {
		sig := <-signals
		terminated.Store(sig == syscall.SIGTERM)
		// The commands stop at the next safe point; a second signal stops the program at once.
		signal.Stop(signals)
		cancel()
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if code == exitInterrupted && terminated.Load() {
		code = exitTerminated
	}
	cancel()
	os.Exit(code)
}

// run dispatches args to a command and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				// The flags go to standard output, as the list of commands does.
				return c.run(ctx, []string{"-h"}, stdout, stdout)
			}
			fmt.Fprintf(stderr, "topocnn: unknown command %q\n", args[1])
			printUsage(stderr)
			return exitUsage
		}
		printUsage(stdout)
		return exitOK
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "topocnn: unknown command %q\n", name)
		printUsage(stderr)
		return exitUsage
	}
	return c.run(ctx, args[1:], stdout, stderr)
}

// printUsage lists the commands.
func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: topocnn COMMAND [flags]")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Fprintf(w, "  %-10s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(w, "\nRun 'topocnn help COMMAND' for a command's flags.")
}
