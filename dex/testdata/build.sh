#!/usr/bin/env bash
# Rebuilds the test dex files from smali/ and records what dexdump says about
# them, so tests can compare the reader with dexdump without running it.
#   smali/ops/*.smali    -> ops.dex     (DEX 035: every instruction format,
#                                        payloads, unicode names and strings)
#   smali/modern/*.smali -> modern.dex  (DEX 039: invoke-polymorphic,
#                                        invoke-custom, const-method-handle/type)
# Needs smali and dexdump (both in Debian). Usage: dex/testdata/build.sh
set -euo pipefail
cd "$(dirname "$0")"
export TZ=UTC LC_ALL=C
smali a -o ops.dex smali/ops/*.smali
smali a -a 28 -o modern.dex smali/modern/*.smali
mkdir -p expected
for d in ops.dex modern.dex; do
	dexdump -f "$d" >"expected/dexdump-f-$d.txt"
	dexdump -d "$d" >"expected/dexdump-d-$d.txt"
done
