#!/usr/bin/env bash
# Fetches the real-APK test corpus into corpus/ (git-ignored): open-source
# Appium helper apps published on the npm registry, which ship their APKs
# inside the package tarball (apks/, or bin/ in old releases). Every file is checked against
# scripts/corpus.sha256; a mismatch fails loudly and the file is removed.
# Files already present with the right sum are not fetched again.
#
# Usage: scripts/corpus.sh                 fetch and verify (any cwd)
#        scripts/corpus.sh --update-sums   fetch, then rewrite corpus.sha256
#                                          from what was fetched (after
#                                          changing the list below)
set -euo pipefail

cd "$(dirname "$0")/.."
SUMS=scripts/corpus.sha256
CORPUS=corpus

update=false
case "${1:-}" in
"") ;;
--update-sums) update=true ;;
*)
	echo "usage: $0 [--update-sums]" >&2
	exit 2
	;;
esac

# npm package, version, path inside the tarball, file name in corpus/
CORPUS_FILES=(
	"io.appium.settings 2.0.0 package/bin/settings_apk-debug.apk settings-2.0.0.apk"
	"io.appium.settings 3.0.0 package/apks/settings_apk-debug.apk settings-3.0.0.apk"
	"io.appium.settings 4.0.0 package/apks/settings_apk-debug.apk settings-4.0.0.apk"
	"io.appium.settings 5.0.0 package/apks/settings_apk-debug.apk settings-5.0.0.apk"
	"io.appium.settings 6.0.0 package/apks/settings_apk-debug.apk settings-6.0.0.apk"
	"io.appium.settings 7.0.0 package/apks/settings_apk-debug.apk settings-7.0.0.apk"
	"io.appium.settings 8.0.10 package/apks/settings_apk-debug.apk settings-8.0.10.apk"
	"appium-uiautomator2-server 10.6.6 package/apks/appium-uiautomator2-server-v10.6.6.apk uiautomator2-server-10.6.6.apk"
	"appium-uiautomator2-server 10.6.6 package/apks/appium-uiautomator2-server-debug-androidTest.apk uiautomator2-server-test-10.6.6.apk"
)

die() {
	echo "corpus.sh: $*" >&2
	exit 1
}

command -v sha256sum >/dev/null || die "sha256sum is required"
mkdir -p "$CORPUS"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# expected_sum FILE: the recorded sum of corpus/FILE, or nothing.
expected_sum() {
	[[ -f $SUMS ]] || return 0
	awk -v f="$CORPUS/$1" '$2 == f || $2 == "*" f { print $1; exit }' "$SUMS"
}

# fetch_tarball PKG VER: unpack PKG@VER once into $WORK/PKG-VER, print the dir.
fetch_tarball() {
	local dir=$WORK/$1-$2
	if [[ ! -d $dir/package ]]; then
		command -v npm >/dev/null || die "npm is required to fetch $1@$2"
		mkdir -p "$dir"
		local tgz
		tgz=$(cd "$dir" && npm pack --silent "$1@$2" 2>"$dir/npm.log" | tail -n 1) ||
			die "npm pack $1@$2 failed: $(cat "$dir/npm.log")"
		[[ -f $dir/$tgz ]] || die "npm pack $1@$2 produced no tarball"
		tar -xzf "$dir/$tgz" -C "$dir"
	fi
	echo "$dir"
}

for line in "${CORPUS_FILES[@]}"; do
	read -r pkg ver inner name <<<"$line"
	out=$CORPUS/$name
	want=$(expected_sum "$name")
	if [[ -z $want && $update == false ]]; then
		die "$out has no entry in $SUMS (run with --update-sums after checking it)"
	fi
	if [[ -f $out && -n $want ]] && [[ $(sha256sum "$out" | cut -d' ' -f1) == "$want" ]]; then
		echo "ok      $out"
		continue
	fi
	dir=$(fetch_tarball "$pkg" "$ver")
	[[ -f $dir/$inner ]] || die "$pkg@$ver has no $inner"
	cp "$dir/$inner" "$out.part"
	got=$(sha256sum "$out.part" | cut -d' ' -f1)
	if [[ $update == false && $got != "$want" ]]; then
		# Nothing unverified may stay for the tests to pick up.
		rm -f "$out.part" "$out"
		die "CHECKSUM MISMATCH for $out from $pkg@$ver: got $got, want $want"
	fi
	mv "$out.part" "$out"
	echo "fetched $out"
done

if $update; then
	for line in "${CORPUS_FILES[@]}"; do
		read -r _ _ _ name <<<"$line"
		sha256sum "$CORPUS/$name"
	done >"$SUMS"
	echo "wrote $SUMS"
fi
