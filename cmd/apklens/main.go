// Command apklens reports what personal data an Android app can collect,
// from the APK alone. The command layer only parses flags, wires packages
// together and maps outcomes to exit codes; the logic lives in the packages.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/pprof"

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
	logLevel   string
	logFormat  string
	cpuProfile string
}

// cpuProfile is the open --cpuprofile file while the profile runs.
var cpuProfile *os.File

var rootCmd = &cobra.Command{
	Use:           "apklens",
	Short:         "Show what personal data an Android app can collect, with the evidence",
	SilenceUsage:  true,
	SilenceErrors: true,
	PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
		if err := setupLogging(globalFlags.logLevel, globalFlags.logFormat); err != nil {
			return err
		}
		return startCPUProfile(globalFlags.cpuProfile)
	},
}

func init() {
	pf := rootCmd.PersistentFlags()
	pf.StringVar(&globalFlags.logLevel, "log-level", "warning", "diagnostics level on stderr: debug, info, warning, error")
	pf.StringVar(&globalFlags.logFormat, "log-format", "text", "diagnostics format on stderr: text or json")
	pf.StringVar(&globalFlags.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to `FILE`, for go tool pprof (e.g. to report an APK that scans slowly)")
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

// startCPUProfile starts the --cpuprofile profile; run stops it.
func startCPUProfile(path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return &exitError{code: exitUsage, err: fmt.Errorf("--cpuprofile: %w", err)}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return &exitError{code: exitUsage, err: fmt.Errorf("--cpuprofile: %w", err)}
	}
	cpuProfile = f
	return nil
}

// stopCPUProfile ends a running --cpuprofile profile and closes its file.
func stopCPUProfile() error {
	if cpuProfile == nil {
		return nil
	}
	pprof.StopCPUProfile()
	err := cpuProfile.Close()
	cpuProfile = nil
	return err
}

func main() {
	os.Exit(run(os.Args[1:]))
}

// run executes the CLI and returns the process exit code.
func run(args []string) int {
	rootCmd.SetArgs(args)
	err := rootCmd.Execute()
	if perr := stopCPUProfile(); perr != nil && err == nil {
		err = &exitError{code: exitUsage, err: fmt.Errorf("--cpuprofile: %w", perr)}
	}
	globalFlags.cpuProfile = "" // cobra keeps flag values between in-process runs (tests)
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
