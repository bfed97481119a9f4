#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Compare the per-test results of kselftest binaries between two kernels:
# the upstream vfio and iommu selftests that tests/vm/suites/series-upstream.sh
# ran on the base 7.3.4 kernel and on the patched kernel (scripts/test-all.sh).
#
# Usage: tests/vm/kselftest-compare.sh [--names A,B] DIR-A DIR-B
#   DIR-A, DIR-B  directories of NAME.tap files, the TAP output of each
#                 kselftest binary (OUT/share/series-upstream of a run)
#   --names A,B   what to call the two sides (default: base,patched)
#
# Prints TAP, one test point per binary: "ok" when every test case has the
# same result (PASS, FAIL, SKIP, XFAIL, or MISSING when a side never
# reported it) on both sides; else "not ok" and one diagnostic line per
# differing test case. Exit status 0 when all agree, 1 when any differ,
# 2 for a usage error.
set -euo pipefail
export LC_ALL=C

prog=${0##*/}
names=base,patched
usage() { sed -n '4,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
while [ $# -gt 0 ]; do
	case "$1" in
	--names) names=${2:?--names needs A,B}; shift ;;
	-h|--help) usage ;;
	-*) echo "$prog: unknown option '$1'" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
[ $# -eq 2 ] || { echo "$prog: need two directories (try --help)" >&2; exit 2; }
a=$1 b=$2
IFS=, read -r na nb <<<"$names"
for d in "$a" "$b"; do
	[ -d "$d" ] || { echo "$prog: $d: not a directory" >&2; exit 2; }
done

# results FILE: "NAME<TAB>RESULT" for every test case, sorted by name.
# A case killed by the harness's timeout ("NAME: Test terminated by
# timeout") says more about a loaded TCG host than about the kernel: it is
# TIMEOUT, which is reported but does not count as a difference.
results() {
	awk '
	/^# [^ ]+: Test terminated by timeout/ { to[$2] = 1 }
	/^(not )?ok [0-9]+ / {
		st = ($1 == "not") ? "FAIL" : "PASS"
		line = $0
		sub(/^(not )?ok [0-9]+ +(- +)?/, "", line)
		dir = ""
		if (match(line, / +# +[A-Za-z]+/)) {
			dir = toupper(substr(line, RSTART, RLENGTH))
			line = substr(line, 1, RSTART - 1)
		}
		short = line
		sub(/.*\./, "", short)
		if (st == "FAIL" && (short ":") in to) st = "TIMEOUT"
		if (dir ~ /SKIP/) st = "SKIP"
		else if (dir ~ /XFAIL/) st = "XFAIL"
		else if (dir ~ /TODO/ && st == "FAIL") st = "XFAIL"
		print line "\t" st
	}' "$1" | sort -t$'\t' -k1,1
}

mapfile -t bins < <( { ls "$a"; ls "$b"; } | sed -n 's/\.tap$//p' | sort -u)
echo "TAP version 13"
echo "1..${#bins[@]}"
n=0 bad=0
for bin in "${bins[@]}"; do
	n=$((n + 1))
	fa=$a/$bin.tap fb=$b/$bin.tap
	if [ ! -f "$fa" ] || [ ! -f "$fb" ]; then
		echo "not ok $n - $bin: results on both kernels"
		[ -f "$fa" ] || echo "#   no $bin.tap from the $na kernel"
		[ -f "$fb" ] || echo "#   no $bin.tap from the $nb kernel"
		bad=$((bad + 1))
		continue
	fi
	diffs=$(join -t$'\t' -a1 -a2 -e MISSING -o 0,1.2,2.2 \
			<(results "$fa") <(results "$fb") |
		awk -F'\t' -v na="$na" -v nb="$nb" \
			'$2 != $3 && $2 != "TIMEOUT" && $3 != "TIMEOUT" {
				printf "%s: %s %s, %s %s\n", $1, na, $2, nb, $3 }')
	timeouts=$(join -t$'\t' -a1 -a2 -e MISSING -o 0,1.2,2.2 \
			<(results "$fa") <(results "$fb") |
		awk -F'\t' -v na="$na" -v nb="$nb" \
			'$2 != $3 && ($2 == "TIMEOUT" || $3 == "TIMEOUT") {
				printf "%s: %s %s, %s %s\n", $1, na, $2, nb, $3 }')
	counts=$(results "$fa" | awk -F'\t' '{ c[$2]++ } END {
		printf "%d pass, %d fail, %d skip", c["PASS"], c["FAIL"] + c["XFAIL"], c["SKIP"] }')
	total=$(results "$fa" | wc -l)
	if [ -n "$diffs" ]; then
		echo "not ok $n - $bin: same per-test results on $na and $nb"
		echo "#   $(wc -l <<<"$diffs") test cases differ:"
		sed 's/^/#   /' <<<"$diffs"
		bad=$((bad + 1))
	elif [ "$total" -eq 0 ] &&
	     grep -q '^1\.\.0 # SKIP' "$fa" && grep -q '^1\.\.0 # SKIP' "$fb"; then
		# The binary cannot run here on either kernel (KSFT_SKIP)
		echo "ok $n - $bin: same per-test results on $na and $nb # SKIP $(sed -n 's/^1\.\.0 # SKIP //p' "$fa" | head -n 1)"
	elif [ "$total" -eq 0 ]; then
		echo "not ok $n - $bin: same per-test results on $na and $nb"
		echo "#   no test case results in either file: nothing was compared"
		bad=$((bad + 1))
	else
		echo "ok $n - $bin: same per-test results on $na and $nb ($total cases: $counts)"
	fi
	if [ -n "$timeouts" ]; then
		echo "#   not compared, killed by the harness's timeout (a loaded host):"
		sed 's/^/#   /' <<<"$timeouts"
	fi
done
[ "$bad" -eq 0 ]
