#!/usr/bin/env bash
# Measures apklens against the cost of merely reading the same code, side by
# side in one run on the same APKs (the corpus, largest first), and prints a
# markdown report on stdout (progress goes to stderr):
#
#   apklens    apklens scan --format json APK >/dev/null
#   unzip      unzip -p APK 'classes*.dex' | wc -c     (just inflating the code)
#   dexdump    dexdump -d over the same dex files, extracted beforehand
#   androguard AnalyzeAPK(APK), one run, on the two largest APKs only
#   RSS        apklens's peak RSS (/usr/bin/time) vs 2 x dex bytes + 40 MiB
#   batch      scan --jobs 1 vs --jobs 2 over COPIES copies of the corpus (default
#              5: 45 files), so that throughput is not just the one largest APK
#              finishing last
#   pairs      apklens against the unzip line in paired runs on the PAIRED_APKS
#              (4) largest APKs: the two alternate, PAIRS (40) times each, so
#              that the machine's drift between hyperfine's blocks of runs
#              cannot decide the ratio
#
# Times are hyperfine means (wall clock) with the CPU time (user + system)
# beside them: on a shared, loaded machine the CPU time is the steadier number.
#
# Usage: scripts/bench.sh [APK...]    default: every corpus/*.apk (fetched by
#        scripts/corpus.sh when missing). RUNS=N sets hyperfine's runs (5);
#        PARTS=apks, PARTS=batch or PARTS=pairs runs only the per-APK table,
#        the batch comparison or the paired runs (default all three).
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

RUNS=${RUNS:-5}
PARTS=${PARTS:-apks,batch,pairs}
PAIRS=${PAIRS:-40}
PAIRED_APKS=${PAIRED_APKS:-4}
ANDROGUARD_APKS=${ANDROGUARD_APKS:-2}
COPIES=${COPIES:-5}

for tool in hyperfine unzip dexdump python3 /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench.sh: $tool is required" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log() { printf '%s\n' "$*" >&2; }

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
log "building apklens"
go build -o "$work/apklens" ./cmd/apklens
BIN=$work/apklens

if (($# > 0)); then
	apks=("$@")
else
	if ! compgen -G 'corpus/*.apk' >/dev/null; then
		log "corpus/ is empty: fetching it with scripts/corpus.sh"
		bash scripts/corpus.sh >&2
	fi
	apks=(corpus/*.apk)
fi
# Largest first.
mapfile -t apks < <(for a in "${apks[@]}"; do printf '%s\t%s\n' "$(stat -c %s "$a")" "$a"; done | sort -t$'\t' -k1,1nr | cut -f2)

# Debian's androguard lives in the system Python, which may not be the
# python3 first on PATH (pyenv, venvs).
apks_measured=("${apks[@]}")

have_androguard=false
for py in python3 /usr/bin/python3; do
	if "$py" -c 'import androguard.misc' 2>/dev/null; then
		have_androguard=true
		AG_PY=$py
		break
	fi
done

# hyperfine's JSON → "mean_ms stddev_ms cpu_ms" per command, in order.
summarize() {
	python3 - "$1" <<'EOF'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    sd = r["stddev"] if r.get("stddev") is not None else 0.0
    print(f'{r["mean"]*1000:.1f} {sd*1000:.1f} {(r["user"]+r["system"])*1000:.1f}')
EOF
}

mib() { python3 -c "print(f'{$1/1048576:.1f}')"; }
ratio() { python3 -c "a,b=$1,$2; print(f'{a/b:.2f}' if b else 'n/a')"; }

rows=()
i=0
[[ $PARTS == *apks* ]] || apks_measured=()
for apk in "${apks_measured[@]}"; do
	i=$((i + 1))
	name=$(basename "$apk")
	log "[$i/${#apks_measured[@]}] $name"
	dexdir=$work/dex/$i
	mkdir -p "$dexdir"
	unzip -q -o "$apk" 'classes*.dex' -d "$dexdir" 2>/dev/null || true
	dexfiles=("$dexdir"/classes*.dex)
	if [[ ! -e ${dexfiles[0]} ]]; then
		log "  no classes*.dex; skipped"
		continue
	fi
	dexbytes=$(cat "${dexfiles[@]}" | wc -c)
	size=$(stat -c %s "$apk")

	hyperfine --style none --warmup 1 --runs "$RUNS" --ignore-failure --export-json "$work/h.json" \
		-n apklens "'$BIN' scan --format json '$apk' >/dev/null" \
		-n unzip "unzip -p '$apk' 'classes*.dex' | wc -c" \
		-n dexdump "dexdump -d ${dexfiles[*]} >/dev/null 2>&1" >&2
	mapfile -t t < <(summarize "$work/h.json")
	read -r a_ms a_sd a_cpu <<<"${t[0]}"
	read -r u_ms _ u_cpu <<<"${t[1]}"
	read -r d_ms _ d_cpu <<<"${t[2]}"

	ag="–"
	ag_ratio="–"
	if $have_androguard && ((i <= ANDROGUARD_APKS)); then
		log "  androguard (one run)"
		hyperfine --style none --runs 1 --ignore-failure --export-json "$work/ag.json" \
			-n androguard "$AG_PY -c 'import sys; from androguard.misc import AnalyzeAPK; AnalyzeAPK(sys.argv[1])' '$apk' >/dev/null 2>&1" >&2
		read -r g_ms _ g_cpu < <(summarize "$work/ag.json")
		ag=$(python3 -c "print(f'{$g_ms/1000:.1f} s ({$g_cpu/1000:.1f} s)')")
		ag_ratio="$(ratio "$g_ms" "$a_ms")×"
	fi

	/usr/bin/time -f %M -o "$work/rss" "$BIN" scan --format json "$apk" >/dev/null 2>&1 || true
	rss_kib=$(tail -1 "$work/rss")
	budget=$((2 * dexbytes + 40 * 1048576))

	rows+=("| $name | $(mib "$size") | $(mib "$dexbytes") | $a_ms ± $a_sd ($a_cpu) | $u_ms ($u_cpu) | $d_ms ($d_cpu) | $ag | $(ratio "$a_ms" "$u_ms") | $(ratio "$d_ms" "$a_ms")× | $ag_ratio | $(mib $((rss_kib * 1024))) | $(mib "$budget") | $(ratio $((rss_kib * 1024)) "$budget") |")
done

batch="not measured: \`apklens scan\` has no --jobs flag yet"
if [[ $PARTS != *batch* ]]; then
	batch="not measured (PARTS=$PARTS)"
elif [[ $("$BIN" scan --help 2>/dev/null) == *--jobs* ]]; then # no pipe: grep -q + pipefail races
	# Copies, not the same path again: the input expander visits a path once.
	mkdir -p "$work/batch"
	: >"$work/batch.list"
	for ((c = 1; c <= COPIES; c++)); do
		for apk in "${apks[@]}"; do
			cp "$apk" "$work/batch/$c-$(basename "$apk")"
			echo "$work/batch/$c-$(basename "$apk")" >>"$work/batch.list"
		done
	done
	nbatch=$(wc -l <"$work/batch.list")
	log "batch: --jobs 1 vs --jobs 2 over $nbatch files ($COPIES copies of ${#apks[@]} APKs)"
	hyperfine --style none --warmup 1 --runs "$RUNS" --ignore-failure --export-json "$work/batch.json" \
		-n jobs1 "'$BIN' scan --jobs 1 --format jsonl @$work/batch.list >/dev/null" \
		-n jobs2 "'$BIN' scan --jobs 2 --format jsonl @$work/batch.list >/dev/null" >&2
	mapfile -t b < <(summarize "$work/batch.json")
	read -r j1 _ j1cpu <<<"${b[0]}"
	read -r j2 _ j2cpu <<<"${b[1]}"
	batch="$nbatch files ($COPIES copies of the ${#apks[@]} APKs, largest first in each copy):

| run | wall ms (CPU ms) |
|---|---:|
| --jobs 1 | $j1 ms ($j1cpu CPU) |
| --jobs 2 | $j2 ms ($j2cpu CPU) |
| speed-up | $(ratio "$j1" "$j2")× (target ≥ 1.8×) |"
fi

pairs="not measured (PARTS=$PARTS)"
if [[ $PARTS == *pairs* ]]; then
	log "pairs: apklens and unzip alternating, $PAIRS pairs on the ${PAIRED_APKS} largest APKs"
	pairs="| APK | apklens median ms | unzip median ms | median of paired ratios | pairs apklens faster |
|---|---:|---:|---:|---:|"
	for apk in "${apks[@]:0:PAIRED_APKS}"; do
		read -r ms mu _ _ ratio faster < <(python3 scripts/pairs.py "$PAIRS" \
			"'$BIN' scan --format json '$apk' >/dev/null" "unzip -p '$apk' 'classes*.dex' | wc -c >/dev/null")
		pairs+="
| $(basename "$apk") | $ms | $mu | $ratio | $faster/$PAIRS |"
	done
fi

cat <<EOF
## apklens benchmark

$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), load average $load_start at the start and $(cut -d' ' -f1-3 /proc/loadavg) at the end, hyperfine $RUNS runs after 1 warm-up.

Times in ms: mean wall ± stddev, (CPU = user + system). Ratios use wall means:
apklens/unzip (target ≤ 1), dexdump/apklens and androguard/apklens (how many
times faster apklens is; targets > 1 and ≥ 100). RSS budget = 2 × dex bytes + 40 MiB.

| APK | MiB | dex MiB | apklens | unzip dex | dexdump -d | androguard | apklens/unzip | vs dexdump | vs androguard | peak RSS MiB | budget MiB | RSS/budget |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
$(printf '%s\n' "${rows[@]}")

### Batch throughput

$batch

### apklens against unzip, paired

Each pair runs the scan and the unzip line back to back (in alternating
order), both through \`sh -c\`; the ratio is taken per pair.

$pairs

Reproduce: \`scripts/bench.sh\` (RUNS=$RUNS).
EOF
if ! $have_androguard; then
	echo
	echo "androguard is not installed (apt-get install androguard): its column is empty."
fi
