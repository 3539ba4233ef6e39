package batch

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/apklens/apklens/apk"
	"github.com/apklens/apklens/report"
	"github.com/apklens/apklens/rules"
)

// BenchmarkBatchCorpus measures end-to-end throughput (files/s) of a batch
// over the corpus with 1 and 2 jobs. Peak RSS is measured on the CLI:
// /usr/bin/time -v apklens scan -q -j N -o /dev/null corpus/ (see the
// report of issue 6).
func BenchmarkBatchCorpus(b *testing.B) {
	paths, _ := filepath.Glob(filepath.Join("..", "corpus", "*.apk"))
	if len(paths) == 0 {
		b.Skip("corpus/ absent (bash scripts/corpus.sh)")
	}
	cat, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	var bytes int64
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil {
			bytes += fi.Size()
		}
	}
	for _, jobs := range []int{1, 2} {
		b.Run(map[int]string{1: "jobs=1", 2: "jobs=2"}[jobs], func(b *testing.B) {
			b.SetBytes(bytes)
			files := 0
			for b.Loop() {
				_, err := Run(context.Background(), seq(paths...), Options{Jobs: jobs, Log: quietLog(),
					Scan: func(_ context.Context, p string) (*report.Report, error) {
						// One dex worker per job, so jobs is the parallelism measured.
						return report.ScanFile(p, apk.DefaultLimits(), cat, report.Options{Workers: 1})
					},
					Emit: func(Result) error { files++; return nil }})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(files)/b.Elapsed().Seconds(), "files/s")
		})
	}
}
