package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/apklens/apklens/apk"
	"github.com/apklens/apklens/dex"
)

var dexFlags struct {
	classes bool
	calls   bool
	format  string
	output  string
}

var dexCmd = &cobra.Command{
	Use:   "dex FILE...",
	Short: "Summarise the DEX files of an APK, APK set or bare .dex: counts, classes, call sites",
	Long: `dex reads every DEX file of each input (an APK, an APKS/XAPK set, or a bare
.dex, told apart by their magic bytes) with apklens' own reader and prints,
per DEX file, its version, size, checksum and signature validity and the sizes
of its id tables. --classes lists the classes it defines, --calls every
distinct call from a method to a method with the first invoke op. A DEX 041
container yields one entry per section ("classes.dex#1", ...).

A file that cannot be read prints "path: what is wrong" on stderr; the other
inputs are still reported and the exit status is 3.`,
	Args: cobra.MinimumNArgs(1),
	RunE: runDex,
}

func init() {
	f := dexCmd.Flags()
	f.BoolVar(&dexFlags.classes, "classes", false, "list the classes each DEX file defines")
	f.BoolVar(&dexFlags.calls, "calls", false, "list call sites: caller method -> callee method, with the op")
	f.StringVar(&dexFlags.format, "format", "text", "output format: text or json")
	f.StringVarP(&dexFlags.output, "output", "o", "", "write to FILE instead of stdout")
	rootCmd.AddCommand(dexCmd)
}

// dexSummary is one DEX file in `apklens dex` output; the JSON names are
// part of the command's contract.
type dexSummary struct {
	File           string        `json:"file"`
	Name           string        `json:"name"`
	Version        string        `json:"version"`
	Size           int           `json:"size"`
	ChecksumValid  bool          `json:"checksumValid"`
	SignatureValid bool          `json:"signatureValid"`
	Strings        int           `json:"strings"`
	Types          int           `json:"types"`
	Protos         int           `json:"protos"`
	Fields         int           `json:"fields"`
	Methods        int           `json:"methods"`
	ClassDefs      int           `json:"classDefs"`
	Warnings       []dex.Warning `json:"warnings,omitempty"`
	Classes        []string      `json:"classes,omitempty"`
	Calls          []dexCall     `json:"calls,omitempty"`
}

type dexCall struct {
	Caller string `json:"caller"`
	Callee string `json:"callee"`
	Op     string `json:"op"`
}

func runDex(cmd *cobra.Command, args []string) error {
	if dexFlags.format != "text" && dexFlags.format != "json" {
		return &exitError{code: exitUsage, err: fmt.Errorf("--format: want text or json, got %q", dexFlags.format)}
	}
	out, err := openOutput(dexFlags.output)
	if err != nil {
		return &exitError{code: exitInputFailed, err: err}
	}
	defer out.close()
	var all []dexSummary
	failed := false
	for _, path := range args {
		sums, errs := summariseInput(path, dexFlags.classes, dexFlags.calls)
		for _, e := range errs {
			fmt.Fprintln(os.Stderr, e)
			failed = true
		}
		if dexFlags.format == "text" {
			writeDexText(out.w, sums)
		}
		all = append(all, sums...)
	}
	if dexFlags.format == "json" {
		if all == nil {
			all = []dexSummary{}
		}
		enc := json.NewEncoder(out.w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false) // "->" in method names stays readable
		if err := enc.Encode(struct {
			Dex []dexSummary `json:"dex"`
		}{all}); err != nil {
			return &exitError{code: exitInputFailed, err: err}
		}
	}
	if failed {
		return &exitError{code: exitInputFailed}
	}
	return nil
}

// summariseInput reads one input: a bare DEX file by its magic, anything
// else through the apk package. Each error reads "path: [dex name: ]what is
// wrong".
func summariseInput(path string, classes, calls bool) ([]dexSummary, []error) {
	head := make([]byte, 4)
	f, err := os.Open(path)
	if err != nil {
		return nil, []error{pathErr(path, err)}
	}
	_, _ = io.ReadFull(f, head)
	f.Close()
	type named struct {
		name string
		data []byte
	}
	var inputs []named
	if bytes.Equal(head, []byte("dex\n")) {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, []error{pathErr(path, err)}
		}
		inputs = append(inputs, named{filepath.Base(path), b})
	} else {
		app, err := apk.Open(path)
		if err != nil {
			return nil, []error{err} // an *apk.FormatError already names the path
		}
		for _, d := range app.Dex() {
			inputs = append(inputs, named{d.Path, d.Data})
		}
	}
	var sums []dexSummary
	var errs []error
	for _, in := range inputs {
		files, err := dex.ParseAll(in.data)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %s: %w", path, in.name, err))
			continue
		}
		for i, f := range files {
			name := in.name
			if len(files) > 1 {
				name += "#" + strconv.Itoa(i)
			}
			s := dexSummary{
				File: path, Name: name, Version: f.Version(), Size: f.Size(),
				ChecksumValid: f.ChecksumValid(), SignatureValid: f.SignatureValid(),
				Strings: f.NumStrings(), Types: f.NumTypes(), Protos: f.NumProtos(),
				Fields: f.NumFields(), Methods: f.NumMethods(), ClassDefs: f.NumClassDefs(),
				Warnings: f.Warnings(),
			}
			if classes {
				s.Classes = f.DefinedClasses()
			}
			if calls {
				cs, err := f.Calls()
				if err != nil {
					// Damaged classes or methods: report them, keep the rest.
					for _, e := range unjoin(err) {
						errs = append(errs, fmt.Errorf("%s: %s: %w", path, name, e))
					}
				}
				s.Calls = make([]dexCall, len(cs))
				for j, c := range cs {
					s.Calls[j] = dexCall{Caller: c.Caller, Callee: c.Callee, Op: c.Op.String()}
				}
			}
			sums = append(sums, s)
		}
	}
	return sums, errs
}

// pathErr drops the operation from an *os.PathError: "path: no such file".
func pathErr(path string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", path, pe.Err)
	}
	return fmt.Errorf("%s: %w", path, err)
}

// unjoin splits an errors.Join result into its parts.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func writeDexText(w io.Writer, sums []dexSummary) {
	okWord := func(ok bool) string {
		if ok {
			return "ok"
		}
		return "BAD"
	}
	for _, s := range sums {
		fmt.Fprintf(w, "%s: %s\n", s.File, s.Name)
		fmt.Fprintf(w, "  version %s, %d bytes, checksum %s, signature %s\n", s.Version, s.Size, okWord(s.ChecksumValid), okWord(s.SignatureValid))
		fmt.Fprintf(w, "  strings %d, types %d, protos %d, fields %d, methods %d, class defs %d\n",
			s.Strings, s.Types, s.Protos, s.Fields, s.Methods, s.ClassDefs)
		for _, wn := range s.Warnings {
			fmt.Fprintf(w, "  warning %s: %s\n", wn.Code, wn.Message)
		}
		if s.Classes != nil {
			fmt.Fprintf(w, "  classes (%d):\n", len(s.Classes))
			for _, c := range s.Classes {
				fmt.Fprintf(w, "    %s\n", c)
			}
		}
		if s.Calls != nil {
			fmt.Fprintf(w, "  calls (%d):\n", len(s.Calls))
			for _, c := range s.Calls {
				fmt.Fprintf(w, "    %s -> %s  %s\n", c.Caller, c.Callee, c.Op)
			}
		}
	}
}
