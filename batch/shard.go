package batch

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Shard selects part K of N (1-based) of the inputs. The zero Shard selects
// everything.
type Shard struct {
	K, N int
}

// ParseShard reads "K/N" with 1 <= K <= N.
func ParseShard(s string) (Shard, error) {
	ks, ns, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Shard{}, fmt.Errorf("shard %q: want K/N, e.g. 2/8", s)
	}
	k, err1 := strconv.Atoi(strings.TrimSpace(ks))
	n, err2 := strconv.Atoi(strings.TrimSpace(ns))
	if err1 != nil || err2 != nil || n < 1 || k < 1 || k > n {
		return Shard{}, fmt.Errorf("shard %q: want K/N with 1 <= K <= N", s)
	}
	return Shard{K: k, N: n}, nil
}

func (s Shard) String() string {
	if s.N == 0 {
		return "all"
	}
	return fmt.Sprintf("%d/%d", s.K, s.N)
}

// Contains reports whether path belongs to this shard (see ShardOf). The
// split depends on nothing but the path, so N machines running the same
// command each take a disjoint part and together cover every input.
func (s Shard) Contains(path string) bool {
	if s.N <= 1 {
		return true
	}
	return ShardOf(path, s.N) == s.K
}

// ShardOf is the 1-based shard of path among n: h = FNV-1a 64 of the path
// bytes exactly as given, folded (h ^ h>>32) because FNV's low bits barely
// change between paths that differ only in their last characters
// (app-1.apk, app-2.apk, ...), then 1 + h mod n.
func ShardOf(path string, n int) int {
	h := fnv.New64a()
	h.Write([]byte(path))
	v := h.Sum64()
	v ^= v >> 32
	return int(v%uint64(n)) + 1
}
