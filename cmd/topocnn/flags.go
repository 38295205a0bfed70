package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// flagSet is a command's flag set that reports errors instead of exiting.
type flagSet struct {
	*flag.FlagSet
	synopsis string
	stderr   io.Writer
}

// newFlagSet returns the flag set of command name. The synopsis follows "topocnn NAME" in the
// usage line.
func newFlagSet(name, synopsis string, stderr io.Writer) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // parse prints the usage itself.
	return &flagSet{FlagSet: fs, synopsis: synopsis, stderr: stderr}
}

// parse parses args and returns the exit status to stop with, or -1 to go on: exitOK after
// -h (having printed the flags), exitUsage after an invalid flag, flag value or stray argument.
func (fs *flagSet) parse(args []string) int {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(fs.stderr, "Usage: topocnn %s %s\n\nFlags:\n", fs.Name(), fs.synopsis)
		fs.PrintDefaults()
		return exitOK
	case err != nil:
		// The flag package has printed the error, naming the flag and the accepted values.
		fmt.Fprintf(fs.stderr, "Run 'topocnn help %s' for the flags.\n", fs.Name())
		return exitUsage
	case fs.NArg() > 0:
		fmt.Fprintf(fs.stderr, "topocnn %s: unexpected argument %q; every setting is a flag\n", fs.Name(), fs.Arg(0))
		return exitUsage
	}
	return -1
}

// given returns the names of the flags set on the command line.
func (fs *flagSet) given() map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// choiceFlag is a string flag restricted to a list of values. The flag package reports any
// other value together with the accepted ones.
type choiceFlag struct {
	value    *string
	accepted []string
}

func (c choiceFlag) String() string {
	if c.value == nil {
		return ""
	}
	return *c.value
}

func (c choiceFlag) Set(s string) error {
	for _, a := range c.accepted {
		if strings.EqualFold(s, a) {
			*c.value = a
			return nil
		}
	}
	return fmt.Errorf("use one of %s", strings.Join(c.accepted, ", "))
}

// printError writes "topocnn COMMAND: message" to w, without the "topocnn: " prefix that the
// library's errors carry.
func printError(w io.Writer, command string, err error) {
	fmt.Fprintf(w, "topocnn %s: %s\n", command, strings.TrimPrefix(err.Error(), "topocnn: "))
}

// seedFlag is a uint64 flag whose error names the valid seeds.
type seedFlag uint64

func (f *seedFlag) String() string { return strconv.FormatUint(uint64(*f), 10) }

func (f *seedFlag) Set(s string) error {
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return fmt.Errorf("a seed is a whole number from 0 to %d, for example 1", uint64(math.MaxUint64))
	}
	*f = seedFlag(v)
	return nil
}
