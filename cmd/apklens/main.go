// Command apklens reports what personal data an Android app can collect,
// from the APK alone. The command layer only parses flags, wires packages
// together and maps outcomes to exit codes; the logic lives in the packages.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"
)

// Exit codes that pipelines can rely on.
const (
	exitOK          = 0
	exitCondition   = 1 // a --fail-on condition held (diff)
	exitUsage       = 2
	exitInputFailed = 3 // one or more inputs could not be analysed
)

// exitError carries an exit code through cobra's error return.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

var globalFlags struct {
	logLevel  string
	logFormat string
}

var rootCmd = &cobra.Command{
	Use:           "apklens",
	Short:         "Show what personal data an Android app can collect, with the evidence",
	SilenceUsage:  true,
	SilenceErrors: true,
	PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
		return setupLogging(globalFlags.logLevel, globalFlags.logFormat)
	},
}

func init() {
	pf := rootCmd.PersistentFlags()
	pf.StringVar(&globalFlags.logLevel, "log-level", "warning", "diagnostics level on stderr: debug, info, warning, error")
	pf.StringVar(&globalFlags.logFormat, "log-format", "text", "diagnostics format on stderr: text or json")
	rootCmd.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &exitError{code: exitUsage, err: err}
	})
}

func setupLogging(level, format string) error {
	lvl, err := logrus.ParseLevel(level)
	if err != nil {
		return &exitError{code: exitUsage, err: fmt.Errorf("--log-level: %w", err)}
	}
	logrus.SetLevel(lvl)
	logrus.SetOutput(os.Stderr)
	switch format {
	case "text":
		logrus.SetFormatter(&logrus.TextFormatter{DisableTimestamp: true})
	case "json":
		logrus.SetFormatter(&logrus.JSONFormatter{})
	default:
		return &exitError{code: exitUsage, err: fmt.Errorf("--log-format: want text or json, got %q", format)}
	}
	return nil
}

func main() {
	os.Exit(run(os.Args[1:]))
}

// run executes the CLI and returns the process exit code.
func run(args []string) int {
	rootCmd.SetArgs(args)
	err := rootCmd.Execute()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(os.Stderr, "apklens:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(os.Stderr, "apklens:", err)
	// cobra reports unknown commands and bad args as plain errors: usage.
	return exitUsage
}
