#!/usr/bin/env python3
"""Times two shell commands in paired runs and prints one line of results.

The commands alternate (A B, then B A, ...), N pairs after two warm-up
pairs, so that a machine whose speed drifts within minutes slows both alike.
Output, space-separated: median ms of A, median ms of B, median and mean of
the per-pair differences B - A (ms), median of the per-pair ratios A / B,
and how many pairs A was the faster in.

Usage: scripts/pairs.py N 'COMMAND A' 'COMMAND B'   (used by bench.sh, ab.sh)
"""
import statistics
import subprocess
import sys
import time


def run(cmd):
    t = time.perf_counter()
    subprocess.run(["sh", "-c", cmd], check=True)
    return (time.perf_counter() - t) * 1000


def main():
    n, a, b = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    for _ in range(2):
        run(a)
        run(b)
    ta, tb = [], []
    for i in range(n):
        if i % 2:
            x = run(a)
            y = run(b)
        else:
            y = run(b)
            x = run(a)
        ta.append(x)
        tb.append(y)
    diffs = [y - x for x, y in zip(ta, tb)]
    ratios = [x / y for x, y in zip(ta, tb)]
    print(f"{statistics.median(ta):.1f} {statistics.median(tb):.1f} "
          f"{statistics.median(diffs):+.2f} {statistics.mean(diffs):+.2f} "
          f"{statistics.median(ratios):.2f} {sum(r < 1 for r in ratios)}")


if __name__ == "__main__":
    main()
