#!/usr/bin/env bash
# Compares the scan time of two apklens builds by paired runs: the two
# binaries alternate (A B, then B A, ...), one `scan --format json APK` each,
# and the median of the per-pair differences is printed. On a machine whose
# speed drifts by 10-15 % within minutes, pairing cancels the drift that
# separate hyperfine or perf-stat rounds of each binary pick up.
#
# Usage: scripts/ab.sh A B [APK...]
#   A, B  a git revision (built in a temporary worktree) or an apklens binary
#   APK   default: the four largest corpus APKs
#   N=60  pairs per APK
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

if (($# < 2)); then
	sed -n '2,13p' "$0" >&2
	exit 2
fi
N=${N:-60}
work=$(mktemp -d)
cleanup() {
	for wt in "$work"/wt-*; do
		[[ -d $wt ]] && git worktree remove --force "$wt" >/dev/null 2>&1
	done
	rm -rf "$work"
}
trap cleanup EXIT

# binary REV-OR-PATH NAME: prints the path of an apklens binary.
binary() {
	if [[ -x $1 && -f $1 ]]; then
		printf '%s\n' "$1"
		return
	fi
	local wt=$work/wt-$2
	git worktree add -q --detach "$wt" "$1" >&2
	(cd "$wt" && go build -o "$work/apklens-$2" ./cmd/apklens) >&2
	printf '%s\n' "$work/apklens-$2"
}
A=$(binary "$1" a)
B=$(binary "$2" b)
shift 2

if (($# > 0)); then
	apks=("$@")
else
	if ! compgen -G 'corpus/*.apk' >/dev/null; then
		bash scripts/corpus.sh >&2
	fi
	mapfile -t apks < <(ls -S corpus/*.apk | head -4)
fi

echo "| APK | A median ms | B median ms | B - A, median of pairs | mean |"
echo "|---|---:|---:|---:|---:|"
for apk in "${apks[@]}"; do
	read -r ma mb dmed dmean _ _ < <(python3 scripts/pairs.py "$N" \
		"'$A' scan --format json '$apk' >/dev/null" "'$B' scan --format json '$apk' >/dev/null")
	echo "| $(basename "$apk") | $ma | $mb | $dmed | $dmean |"
done
echo
echo "$N pairs per APK; A = $A, B = $B"
