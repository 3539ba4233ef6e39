package batch

import (
	"fmt"
	"testing"
)

func TestParseShard(t *testing.T) {
	for _, ok := range []string{"1/1", "3/8", " 2 / 2 "} {
		if _, err := ParseShard(ok); err != nil {
			t.Errorf("ParseShard(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "1", "0/4", "5/4", "-1/4", "1/0", "a/b", "1/2/3", "1/-2"} {
		if s, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) = %v, want an error", bad, s)
		}
	}
}

func TestShardsPartitionInputsStably(t *testing.T) {
	var paths []string
	for i := range 5000 {
		paths = append(paths, fmt.Sprintf("corpus/app-%d/v%d.apk", i%97, i))
	}
	for _, n := range []int{1, 2, 3, 7, 16} {
		counts := make([]int, n+1)
		for _, p := range paths {
			in := 0
			for k := 1; k <= n; k++ {
				if (Shard{K: k, N: n}).Contains(p) {
					in++
					counts[k]++
					if ShardOf(p, n) != k {
						t.Fatalf("ShardOf(%q,%d) = %d but shard %d contains it", p, n, ShardOf(p, n), k)
					}
				}
			}
			if in != 1 {
				t.Fatalf("%q is in %d of %d shards", p, in, n)
			}
		}
		// FNV-1a spreads these paths: no shard far from its share.
		for k := 1; k <= n; k++ {
			share := len(paths) / n
			if counts[k] < share*8/10 || counts[k] > share*12/10 {
				t.Errorf("n=%d shard %d has %d of %d inputs", n, k, counts[k], len(paths))
			}
		}
	}
}

func TestShardIsFNV1aOfThePathAsGiven(t *testing.T) {
	// Published FNV-1a 64 test vectors: the split must not change between
	// versions, or machines of one job would disagree.
	for _, v := range []struct {
		s   string
		sum uint64
	}{{"", 0xcbf29ce484222325}, {"a", 0xaf63dc4c8601ec8c}, {"foobar", 0x85944171f73967e8}} {
		for _, n := range []int{2, 5, 1000} {
			if got, want := ShardOf(v.s, n), int((v.sum^v.sum>>32)%uint64(n))+1; got != want {
				t.Errorf("ShardOf(%q,%d) = %d, want %d", v.s, n, got, want)
			}
		}
	}
	if !(Shard{}).Contains("x") {
		t.Error("the zero Shard must contain everything")
	}
}
