package dex

import (
	"runtime"
	"strings"
	"testing"
)

// benchDex returns the corpus dex files to benchmark, largest first: the
// three largest and the total of all, so that both one big file and the
// typical mix are measured.
func benchDex(b *testing.B) []namedDex {
	dexes := corpusDex(b)
	if len(dexes) == 0 {
		b.Skip("no corpus (run scripts/corpus.sh)")
	}
	return dexes
}

func benchName(n string) string { return strings.NewReplacer("/", "_", "!", "_").Replace(n) }

// reportAllocPerByte adds allocated bytes per input byte, the figure the
// < 1 byte/byte target is about.
func reportAllocPerByte(b *testing.B, before *runtime.MemStats, bytesPerOp int) {
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(bytesPerOp), "allocB/B")
}

// BenchmarkParseWalk: Parse plus the full reference walk (every code item),
// the work a scan does per dex.
func BenchmarkParseWalk(b *testing.B) {
	dexes := benchDex(b)
	walk := func(b *testing.B, data []byte) {
		f, err := Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		refs := 0
		if err := f.VisitClasses(func(cr *ClassRefs) error { refs += len(cr.Refs); return nil }); err != nil {
			b.Fatal(err)
		}
		if refs == 0 {
			b.Fatal("no refs")
		}
	}
	for _, d := range dexes[:min(3, len(dexes))] {
		b.Run(benchName(d.name), func(b *testing.B) {
			b.SetBytes(int64(len(d.data)))
			b.ReportAllocs()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			for b.Loop() {
				walk(b, d.data)
			}
			reportAllocPerByte(b, &ms, len(d.data))
		})
	}
	total := 0
	for _, d := range dexes {
		total += len(d.data)
	}
	b.Run("all", func(b *testing.B) {
		b.SetBytes(int64(total))
		b.ReportAllocs()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		for b.Loop() {
			for _, d := range dexes {
				walk(b, d.data)
			}
		}
		reportAllocPerByte(b, &ms, total)
	})
}

// BenchmarkStrings: the string table alone. "raw" finds every string's
// bytes (the walk the 1 GB/s target is about); "decode" also converts each
// to a Go string.
func BenchmarkStrings(b *testing.B) {
	d := benchDex(b)[0]
	f, err := Parse(d.data)
	if err != nil {
		b.Fatal(err)
	}
	// Throughput counts the bytes of string data walked.
	strBytes := 0
	for i := range uint32(f.NumStrings()) {
		s, err := f.StringBytes(i)
		if err != nil {
			b.Fatal(err)
		}
		strBytes += len(s)
	}
	b.Run("raw", func(b *testing.B) {
		b.SetBytes(int64(strBytes))
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			for i := range uint32(f.NumStrings()) {
				s, _ := f.StringBytes(i)
				n += len(s)
			}
			if n != strBytes {
				b.Fatal("string bytes changed")
			}
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(strBytes))
		b.ReportAllocs()
		for b.Loop() {
			for i := range uint32(f.NumStrings()) {
				if _, err := f.String(i); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
