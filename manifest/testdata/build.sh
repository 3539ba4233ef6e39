#!/bin/sh
# Rebuilds the binary test manifests from their sources with aapt (Debian
# packages aapt + android-framework-res). Tests never run this.
#   testdata/<name>/AndroidManifest.xml (+ res/) → manifest.axml, resources.arsc,
#   aapt-badging.txt, aapt-xmltree.txt
set -eu
cd "$(dirname "$0")"
fw=/usr/share/android-framework-res/framework-res.apk
for dir in */; do
	name=${dir%/}
	[ -f "$name/AndroidManifest.xml" ] || continue
	tmp=$(mktemp -d)
	res=""
	[ -d "$name/res" ] && res="-S $name/res"
	# shellcheck disable=SC2086
	aapt package -f -M "$name/AndroidManifest.xml" $res -I "$fw" -F "$tmp/out.apk"
	unzip -p "$tmp/out.apk" AndroidManifest.xml >"$name/manifest.axml"
	if unzip -l "$tmp/out.apk" resources.arsc >/dev/null 2>&1; then
		unzip -p "$tmp/out.apk" resources.arsc >"$name/resources.arsc"
	fi
	aapt dump badging "$tmp/out.apk" >"$name/aapt-badging.txt"
	aapt dump xmltree "$tmp/out.apk" AndroidManifest.xml >"$name/aapt-xmltree.txt"
	rm -rf "$tmp"
done
