#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Compare the per-test results of kselftest binaries between two kernels:
# the upstream vfio and iommu selftests that tests/vm/suites/series-upstream.sh
# ran on the base 7.3.4 kernel and on the patched kernel (scripts/test-all.sh).
#
# Usage: tests/vm/kselftest-compare.sh [--names A,B] [--expect FILE] DIR-A DIR-B
#   DIR-A, DIR-B   directories of NAME.tap files, the TAP output of each
#                  kselftest binary (OUT/share/series-upstream of a run)
#   --names A,B    what to call the two sides (default: base,patched)
#   --expect FILE  differences the series makes on purpose, one per line:
#                  "BINARY CASE-PATTERN RESULT-A RESULT-B  # why", the
#                  pattern a shell glob ('*' for a fixture variant)
#
# Prints TAP, one test point per binary: "ok" when every test case has the
# same result (PASS, FAIL, SKIP, XFAIL, or MISSING when a side never
# reported it) on both sides, or differs exactly as an --expect line says
# (reported); else "not ok" and one diagnostic line per unexpected
# difference, and per --expect line that no test case matched (the change
# it promises did not happen). Exit status 0 when all agree, 1 when any
# differ, 2 for a usage error.
set -euo pipefail
export LC_ALL=C

prog=${0##*/}
names=base,patched expect=
usage() { sed -n '4,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
while [ $# -gt 0 ]; do
	case "$1" in
	--names) names=${2:?--names needs A,B}; shift ;;
	--expect) expect=${2:?--expect needs a file}; shift ;;
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
# The expected differences: "BINARY<TAB>PATTERN<TAB>A<TAB>B"
exp=()
if [ -n "$expect" ]; then
	[ -r "$expect" ] || { echo "$prog: $expect: cannot read" >&2; exit 2; }
	while read -r eb ep ea eb2 rest; do
		case "$eb" in ''|'#'*) continue ;; esac
		if [ -z "$eb2" ] || { [ -n "$rest" ] && [ "${rest:0:1}" != "#" ]; }; then
			echo "$prog: $expect: bad line '$eb $ep $ea $eb2 $rest'" >&2
			exit 2
		fi
		exp+=("$eb"$'\t'"$ep"$'\t'"$ea"$'\t'"$eb2")
	done <"$expect"
fi

# expected BIN CASE A B: is this difference one of the --expect lines?
# Marks the line as used.
declare -A used=()
expected() {
	local e i eb ep ea eb2
	for i in "${!exp[@]}"; do
		IFS=$'\t' read -r eb ep ea eb2 <<<"${exp[$i]}"
		# shellcheck disable=SC2053 # the pattern is a glob on purpose
		if [ "$eb" = "$1" ] && [[ "$2" == $ep ]] && [ "$ea" = "$3" ] &&
		   [ "$eb2" = "$4" ]; then
			used[$i]=1
			return 0
		fi
	done
	return 1
}

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
	diffs= known=
	while IFS=$'\t' read -r case ra rb; do
		line="$case: $na $ra, $nb $rb"
		if expected "$bin" "$case" "$ra" "$rb"; then
			known+="$line"$'\n'
		else
			diffs+="$line"$'\n'
		fi
	done < <(join -t$'\t' -a1 -a2 -e MISSING -o 0,1.2,2.2 \
			<(results "$fa") <(results "$fb") |
		awk -F'\t' '$2 != $3 && $2 != "TIMEOUT" && $3 != "TIMEOUT"')
	# Promised differences that did not happen
	for i in "${!exp[@]}"; do
		IFS=$'\t' read -r eb ep ea eb2 <<<"${exp[$i]}"
		[ "$eb" = "$bin" ] && [ -z "${used[$i]:-}" ] &&
			diffs+="$ep: expected $na $ea, $nb $eb2 (--expect), but no test case differs so"$'\n'
	done
	diffs=${diffs%$'\n'} known=${known%$'\n'}
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
	if [ -n "$known" ]; then
		echo "#   differ as expected (--expect $expect):"
		sed 's/^/#   /' <<<"$known"
	fi
	if [ -n "$timeouts" ]; then
		echo "#   not compared, killed by the harness's timeout (a loaded host):"
		sed 's/^/#   /' <<<"$timeouts"
	fi
done
[ "$bad" -eq 0 ]
