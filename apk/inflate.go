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
}

// readChunk is how much we read between limit checks.
const readChunk = 256 << 10

// readAll reads r to the end, counting real bytes against the limits.
// declared is the size the archive claims (only a capacity hint);
// compressed is the real upper bound of input bytes behind r.
func (b *budget) readAll(r io.Reader, declared uint64, compressed int64) ([]byte, error) {
	compressed = max(compressed, 1)
	// Deflate cannot expand more than 1032:1, so the real compressed size
	// bounds the capacity hint whatever the header declares.
	hint := min(declared, uint64(b.lim.MaxEntryBytes), uint64(compressed)*1032, 64<<20)
	buf := make([]byte, 0, hint+1) // +1 so a correct size reads to EOF without growing
	var n int64
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // grow geometrically via append
		}
		want := min(cap(buf)-len(buf), readChunk)
		m, err := r.Read(buf[len(buf) : len(buf)+want])
		buf = buf[:len(buf)+m]
		n += int64(m)
		if m > 0 {
			if n > b.lim.MaxEntryBytes {
				return nil, &limitError{fmt.Sprintf("inflates beyond %s limit", formatBytes(b.lim.MaxEntryBytes))}
			}
			if n >= RatioExemptBytes && n/compressed > b.lim.MaxRatio {
				return nil, &limitError{fmt.Sprintf("compression ratio %d:1 exceeds %d:1 (zip bomb?)", n/compressed, b.lim.MaxRatio)}
			}
			if t := b.total.Add(int64(m)); t > b.lim.MaxTotalBytes {
				return nil, &limitError{fmt.Sprintf("all entries together inflate beyond %s limit", formatBytes(b.lim.MaxTotalBytes))}
			}
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
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
