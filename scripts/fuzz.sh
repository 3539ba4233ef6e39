#!/usr/bin/env bash
# Runs every Go fuzz target (func FuzzXxx) of every package, one at a time,
# each for the given duration (default 60s), and fails if any of them finds
# a crash. Targets are discovered, not listed here, so a new fuzz_test.go is
# fuzzed without editing this script.
#
# Usage: scripts/fuzz.sh [duration]     e.g. scripts/fuzz.sh 15s
#
# A crash leaves its input under <package>/testdata/fuzz/FuzzXxx/, where
# `go test` replays it from then on: commit it with the fix.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-60s}
if ! [[ $duration =~ ^[0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h|x)$ ]]; then
	echo "usage: $0 [duration]   (a Go duration such as 30s or 2m, or a count such as 1000x)" >&2
	exit 2
fi

mapfile -t packages < <(go list ./...)
targets=()
for pkg in "${packages[@]}"; do
	# -list prints the matching names, then an "ok <pkg>" line.
	if ! names=$(go test -list '^Fuzz' "$pkg" 2>&1); then
		echo "$names" >&2
		echo "fuzz.sh: cannot list the fuzz targets of $pkg (does it build?)" >&2
		exit 1
	fi
	while read -r name; do
		[[ $name =~ ^Fuzz[A-Za-z0-9_]*$ ]] && targets+=("$pkg $name")
	done <<<"$names"
done

if ((${#targets[@]} == 0)); then
	echo "fuzz.sh: no fuzz targets found" >&2
	exit 1
fi
echo "fuzz.sh: ${#targets[@]} targets, $duration each"

# deadlineFlake says whether a failed run's output ($1) is only Go's
# fuzz-coordinator race at the -fuzztime boundary (golang/go#75804, fixed
# in Go 1.27): the target "fails" with a bare "context deadline exceeded",
# writes no failing input, and no seed or input failed. Anything else (a
# crasher written, a seed failing, a build error) is a real failure.
deadlineFlake() {
	grep -Eq '^[[:space:]]+context deadline exceeded$' "$1" &&
		! grep -q 'Failing input written to' "$1" &&
		! grep -Eq -- '--- FAIL: Fuzz[A-Za-z0-9_]*/' "$1"
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=()
flaked=()
for t in "${targets[@]}"; do
	read -r pkg name <<<"$t"
	printf '\n== %s %s\n' "$pkg" "$name"
	# -run '^$' skips the package's ordinary tests; the seed corpus still runs first.
	# Go minimizes every new interesting input for up to 60s by default,
	# which stalls targets with large inputs; 2s keeps them fuzzing.
	if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$duration" \
		-fuzzminimizetime "${FUZZ_MINIMIZE_TIME:-2s}" "$pkg" 2>&1 | tee "$log"; then
		if deadlineFlake "$log"; then
			echo "fuzz.sh: $name stopped with Go's fuzztime-deadline race (golang/go#75804), no failing input: not a crash"
			flaked+=("$pkg $name")
		else
			failed+=("$pkg $name")
		fi
	fi
done

echo
if ((${#failed[@]})); then
	echo "fuzz.sh: ${#failed[@]} of ${#targets[@]} targets failed:" >&2
	printf '  %s\n' "${failed[@]}" >&2
	exit 1
fi
if ((${#flaked[@]})); then
	echo "fuzz.sh: ${#flaked[@]} target(s) ended with Go's deadline race instead of a clean stop (no input failed):"
	printf '  %s\n' "${flaked[@]}"
fi
echo "fuzz.sh: all ${#targets[@]} targets ran $duration without a crash"
