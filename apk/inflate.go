package apk

import (
	"fmt"
	"io"
	"sync/atomic"
)

// budget enforces Limits for one input. It is shared by every archive and
// nested archive of that input and by the parallel dex inflaters.
type budget struct {
	lim   Limits
	total atomic.Int64
	cores *cores // the input's, shared with its hashing; nil: no one to yield to
}

// readChunk is how much we read between limit checks.
const readChunk = 256 << 10

// readAll reads r to the end, counting real bytes against the limits.
// compressed is the size of the input behind r (at most the archive size).
// declared is the size the archive claims: only a capacity hint, and with
// strict an upper bound (Android fails entries that inflate to more or less
// than declared). consumed reports the compressed bytes read so far, so a
// bomb trips the ratio limit after ~1 MiB, not after its whole input.
func (b *budget) readAll(r io.Reader, declared uint64, compressed int64, consumed func() int64, strict bool) ([]byte, error) {
	// The declared size is used as a capacity hint only while it is
	// plausible: real entries (dex, XML) inflate well under 16:1, so a bomb
	// that declares gigabytes gets a small buffer that grows as data comes.
	hint := min(declared, uint64(b.lim.MaxEntryBytes), uint64(max(compressed, 1))*16, 64<<20)
	buf := make([]byte, 0, hint+1) // +1: a correct size reaches EOF without growing
	var n int64
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // grow geometrically
		}
		want := min(cap(buf)-len(buf), readChunk)
		m, err := r.Read(buf[len(buf) : len(buf)+want])
		buf = buf[:len(buf)+m]
		n += int64(m)
		if m > 0 {
			if strict && uint64(n) > declared {
				return nil, fmt.Errorf("inflates to more than the declared %d bytes", declared)
			}
			if n > b.lim.MaxEntryBytes {
				return nil, &limitError{msg: fmt.Sprintf("inflates beyond %s limit", formatBytes(b.lim.MaxEntryBytes))}
			}
			if c := max(consumed(), 1); n >= RatioExemptBytes && n/c > b.lim.MaxRatio {
				return nil, &limitError{msg: fmt.Sprintf("compression ratio %d:1 exceeds %d:1 (zip bomb?)", n/c, b.lim.MaxRatio)}
			}
			if t := b.total.Add(int64(m)); t > b.lim.MaxTotalBytes {
				return nil, &limitError{msg: fmt.Sprintf("all entries together inflate beyond %s limit", formatBytes(b.lim.MaxTotalBytes)), total: true}
			}
		}
		if err == io.EOF {
			if strict && uint64(n) != declared {
				return nil, fmt.Errorf("inflates to %d bytes, %d declared", n, declared)
			}
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
