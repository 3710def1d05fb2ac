// Command rapport is the Rapport Slack bot: run it with its two tokens and it
// connects to Slack over Socket Mode. See README.md for set-up and the
// configuration, and `rapport -h` for the subcommands.
package main

import (
	"context"
	"os"
	_ "time/tzdata" // users' zones must load on images without a zoneinfo database
)

func main() {
	os.Exit(exitCode(run(context.Background(), os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr), os.Stderr))
}
