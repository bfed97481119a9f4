#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build the libFuzzer harnesses (tests/fuzz/fuzz.mk, clang, separate from
# the normal build) and run each target: first over its committed corpus
# (tests/fuzz/corpus/<target>, reproducers of fixed bugs included), then
# fuzzing for a while.  Prints TAP, one line per target with the number
# of executions; a crash is "not ok" and names the reproducer file.
#
# Usage: tests/fuzz/run.sh [--seconds N] [--runs N] [--out DIR] [TARGET...]
#   --seconds N  fuzz each target for N seconds (default $FUZZ_SECONDS,
#                else 20); 0 only replays the corpus
#   --runs N     stop a target after N executions (long runs: 10000000)
#   --out DIR    build and work directory (default
#                $top_builddir/tests/fuzz/out)
#   --merge      afterwards, minimise the committed corpus with what the
#                run found (libFuzzer -merge=1; for maintainers)
#   TARGET       fuzz-size, fuzz-lex, ... (default: all)
#
# make check runs it with the defaults (about 20 s a target).  Without
# clang and libFuzzer (Debian: clang, libclang-rt-14-dev) every target is
# skipped with the reason.
set -u

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir}
seconds=${FUZZ_SECONDS:-20}
runs=
out=
merge=0
targets=()
while [ $# -gt 0 ]; do
	case "$1" in
	--seconds) seconds=${2:?--seconds needs a number}; shift ;;
	--runs) runs=${2:?--runs needs a number}; shift ;;
	--out) out=${2:?--out needs a directory}; shift ;;
	--merge) merge=1 ;;
	-h|--help) sed -n '4,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "run.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
	*) targets+=("$1") ;;
	esac
	shift
done
case "$seconds" in ''|*[!0-9]*) echo "run.sh: --seconds: not a number: '$seconds'" >&2; exit 2 ;; esac
case "$runs" in *[!0-9]*) echo "run.sh: --runs: not a number: '$runs'" >&2; exit 2 ;; esac
out=${out:-$builddir/tests/fuzz/out}
cc=${FUZZ_CC:-clang}

all=(fuzz-size fuzz-ranges fuzz-pci-addr fuzz-pci-sysfs fuzz-lex fuzz-proto
     fuzz-maps fuzz-fdinfo fuzz-pcicap)
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
for t in "${targets[@]}"; do
	case " ${all[*]} " in *" $t "*) ;; *)
		echo "run.sh: unknown target '$t' (one of: ${all[*]})" >&2; exit 2 ;;
	esac
done

echo "1..${#targets[@]}"

skip_all() {
	local i=0
	for t in "${targets[@]}"; do
		i=$((i + 1))
		echo "ok $i - $t # SKIP $1"
	done
	exit 0
}

mkdir -p "$out" || exit 1
# libFuzzer comes with clang's compiler-rt; try the smallest program.
if ! command -v "$cc" >/dev/null 2>&1; then
	skip_all "$cc not found (Debian packages: clang libclang-rt-14-dev)"
fi
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' \
	>"$out/probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined -o "$out/probe" "$out/probe.c" \
	>"$out/probe.log" 2>&1; then
	skip_all "$cc cannot link -fsanitize=fuzzer,address,undefined (Debian package libclang-rt-14-dev): $(head -n 1 "$out/probe.log")"
fi

if ! make -s -f "$srcdir/tests/fuzz/fuzz.mk" SRC="$srcdir" BUILD="$builddir" \
	OUT="$out" FUZZ_CC="$cc" >"$out/build.log" 2>&1; then
	echo "Bail out! the fuzz build failed; see $out/build.log:"
	tail -n 20 "$out/build.log" | sed 's/^/# /'
	exit 1
fi

# Inputs stay in memory; what little the harnesses write goes to $TMPDIR.
export TMPDIR=${TMPDIR:-/tmp}
i=0 failed=0
for t in "${targets[@]}"; do
	i=$((i + 1))
	seeds=$srcdir/tests/fuzz/corpus/$t
	work=$out/work/$t
	log=$out/$t.log
	rm -rf "$work"
	mkdir -p "$work"
	opts=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1
	      -artifact_prefix="$out/crash-$t-")
	# 1. the committed corpus, each input once
	if ! "$out/$t" "${opts[@]}" -runs=0 "$seeds" >"$log" 2>&1; then
		echo "not ok $i - $t: an input of the committed corpus fails"
		grep -E 'ERROR|property violated|SUMMARY|Test unit written' "$log" | head -n 8 | sed 's/^/# /'
		failed=$((failed + 1))
		continue
	fi
	replayed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ "$seconds" = 0 ] && [ -z "$runs" ]; then
		echo "ok $i - $t: corpus replayed ($replayed inputs)"
		continue
	fi
	# 2. fuzzing from the corpus
	lim=()
	[ "$seconds" != 0 ] && lim+=(-max_total_time="$seconds")
	[ -n "$runs" ] && lim+=(-runs="$runs")
	s=$(date +%s)
	"$out/$t" "${opts[@]}" "${lim[@]}" "$work" "$seeds" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	took=$(( $(date +%s) - s ))
	if [ "$rc" -ne 0 ]; then
		art=$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" | tail -n 1)
		echo "not ok $i - $t: crash after ${execs:-?} executions; reproducer: ${art:-see $log}"
		grep -E 'ERROR|property violated|SUMMARY|#[0-9]+ 0x' "$log" | head -n 12 | sed 's/^/# /'
		failed=$((failed + 1))
		continue
	fi
	echo "ok $i - $t: ${execs:-?} executions in ${took} s, 0 crashes (committed corpus: $replayed inputs replayed first)"
	if [ "$merge" = 1 ]; then
		mkdir -p "$out/merged/$t"
		"$out/$t" -merge=1 "$out/merged/$t" "$seeds" "$work" >>"$log" 2>&1 &&
			echo "# $t: minimised corpus in $out/merged/$t ($(ls "$out/merged/$t" | wc -l) files)"
	fi
done
[ "$failed" -eq 0 ]
