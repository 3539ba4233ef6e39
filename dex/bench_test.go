package dex

import (
	"runtime"
	"strings"
	"testing"
	"time"
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

// meter records where a benchmark started, for reportPerByte.
type meter struct {
	mem runtime.MemStats
	cpu time.Duration
}

func startMeter() *meter {
	m := &meter{cpu: cpuTime()}
	runtime.ReadMemStats(&m.mem)
	return m
}

// reportPerByte adds allocated bytes per input byte (the < 1 byte/byte
// target) and throughput in CPU time, which a busy machine distorts less
// than the wall-clock MB/s.
func (m *meter) reportPerByte(b *testing.B, bytesPerOp int) {
	cpu := cpuTime() - m.cpu
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-m.mem.TotalAlloc)/float64(b.N)/float64(bytesPerOp), "allocB/B")
	if cpu > 0 {
		b.ReportMetric(float64(bytesPerOp)*float64(b.N)/cpu.Seconds()/1e6, "cpuMB/s")
	}
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
			m := startMeter()
			for b.Loop() {
				walk(b, d.data)
			}
			m.reportPerByte(b, len(d.data))
		})
	}
	total := 0
	for _, d := range dexes {
		total += len(d.data)
	}
	b.Run("all", func(b *testing.B) {
		b.SetBytes(int64(total))
		b.ReportAllocs()
		m := startMeter()
		for b.Loop() {
			for _, d := range dexes {
				walk(b, d.data)
			}
		}
		m.reportPerByte(b, total)
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
		m := startMeter()
		defer func() { m.reportPerByte(b, strBytes) }()
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
		m := startMeter()
		defer func() { m.reportPerByte(b, strBytes) }()
		for b.Loop() {
			for i := range uint32(f.NumStrings()) {
				if _, err := f.String(i); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
