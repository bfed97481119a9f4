#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The project's whole test run, as the README and CI use it: install what
# is missing, build the tools, run the host tests (make check) and
# make distcheck, build the kernels (the patched test kernel, its debug
# variant with KASAN, lockdep, kmemleak and hung-task detection, and the
# unpatched base), and run the VM suites under QEMU: the patched kernel's
# suites, the debug kernel's (any sanitizer, lockdep, hung-task, kmemleak,
# BUG or WARN report fails), the upstream vfio and iommu selftests on the
# base and on the patched kernel (any per-test difference fails), the
# maps of a BAR mapping's address into an IO address space (working on
# the patched kernels, EFAULT on the base), and the 1 GiB mappings of a
# 2 GiB BAR. make check and make distcheck run in
# the background from the start, beside the kernel builds and the guests,
# which boot two at a time (--vm-jobs); every report is printed
# afterwards, in a fixed order. Ends with one line
# "N passed, N failed, N skipped" after a table of how long each step
# took.
#
# Usage: scripts/test-all.sh [options]
#   --host-only      build and run the host tests only (no kernel, no VM)
#   --no-deps        do not run scripts/install-deps.sh
#   --no-distcheck   skip make distcheck
#   --full-distcheck run all of make check in distcheck, not only the
#                    bad-input cases under valgrind and the fuzz replay
#   --kernel IMAGE   boot IMAGE instead of building the test kernel
#   --no-debug       skip the debug kernel (its build and its VM run)
#   --no-base        skip the base kernel and the upstream comparison
#   --out DIR        where logs and VM results go (default: tests/output)
#   --vm-jobs N      boot up to N guests at a time (default: CPUs, at most 2)
#   -h, --help       this text
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

host_only=0 deps=1 distcheck=1 kernel= out=$top/tests/output debug=1 base=1
vm_jobs=$(nproc)
[ "$vm_jobs" -gt 2 ] && vm_jobs=2
while [ $# -gt 0 ]; do
	case "$1" in
	--host-only) host_only=1 ;;
	--no-deps) deps=0 ;;
	--no-distcheck) distcheck=0 ;;
	--full-distcheck) distcheck=full ;;
	--kernel) kernel=${2:?--kernel needs an image path}; shift ;;
	--no-debug) debug=0 ;;
	--no-base) base=0 ;;
	--out) out=${2:?--out needs a directory}; shift ;;
	--vm-jobs)
		vm_jobs=${2:-}
		[[ "$vm_jobs" =~ ^[1-9][0-9]*$ ]] ||
			{ echo "test-all.sh: --vm-jobs needs a positive number, not '$vm_jobs'" >&2; exit 2; }
		shift ;;
	-h|--help) sed -n '4,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "test-all.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
	esac
	shift
done

mkdir -p "$out"
passed=0 failed=0 skipped=0
timings=()
t0=$(date +%s)

say() { printf '\n==> %s\n' "$*"; }
elapsed() { echo $(( $(date +%s) - $1 )); }

# add_counts PASS FAIL SKIP
add_counts() {
	passed=$((passed + $1)); failed=$((failed + $2)); skipped=$((skipped + $3))
}

# A step that is not itself a TAP producer counts as one test.
step() { # name log cmd...
	local name=$1 log=$2 s rc
	shift 2
	say "$name"
	s=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	timings+=("$(printf '%-40s %5ss' "$name" "$(elapsed "$s")")")
	if [ "$rc" -eq 0 ]; then
		echo "ok - $name"
		add_counts 1 0 0
	else
		echo "not ok - $name (exit $rc; last lines of $log follow)"
		tail -n 25 "$log" | sed 's/^/    /'
		add_counts 0 1 0
	fi
	return "$rc"
}

finish() {
	say "timings"
	printf '  %s\n' "${timings[@]}"
	printf '  %-40s %5ss\n' "total" "$(elapsed "$t0")"
	echo
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
	exit
}

if [ "$deps" = 1 ]; then
	dep_opt=()
	[ "$host_only" = 1 ] && dep_opt=(--host-only)
	step "install dependencies" "$out/deps.log" scripts/install-deps.sh "${dep_opt[@]}" || finish
fi

step "configure" "$out/configure.log" \
	sh -c './autogen.sh && ./configure --enable-asan' || finish
step "build tools" "$out/build.log" make -j"$(nproc)" || finish

# host_tests: make check (the ASan build) and make distcheck. In a full
# run they go on in the background (host_tests_bg below).
host_tests() {
	local s rc p f k
	say "host tests (make check)"
	s=$(date +%s)
	# Fuzzing here is a smoke test of the harnesses (corpus replay plus
	# $FUZZ_SECONDS of new inputs per target, 5 s in this run: 9 targets on
	# one core); the long runs (tests/fuzz/run.sh --runs 10000000) are by hand.
	FUZZ_SECONDS=${FUZZ_SECONDS:-5} make -j"$(nproc)" check >"$out/check.log" 2>&1
	rc=$?
	read -r p f k < <(cat $(find . -name '*.trs' -not -path './dmabuf-utils-*') /dev/null |
		# XFAIL (a "not ok # TODO" case: a known defect, named in its table) is
		# counted with the skips; XPASS (a TODO that passes) fails, as in make check.
		awk '/^:test-result: PASS/ { p++ }
		     /^:test-result: (FAIL|ERROR|XPASS)/ { f++ }
		     /^:test-result: (SKIP|XFAIL)/ { k++ }
		     END { printf "%d %d %d\n", p, f, k }')
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1	# make itself failed
	add_counts "$p" "$f" "$k"
	timings+=("$(printf '%-40s %5ss' "host tests" "$(elapsed "$s")")")
	echo "host tests: $p passed, $f failed, $k skipped"
	[ "$f" -eq 0 ] || grep -E '^(FAIL|ERROR)' "$out/check.log" | sed 's/^/    /'

	if [ "$distcheck" != 0 ]; then
		# make distcheck: the tarball has what it takes to build, install
		# and uninstall. Its own make check runs what the ASan build above
		# cannot: the bad-input cases with a fifth of them under valgrind
		# (all of them: BADINPUT_VALGRIND=1 without _EVERY, about 20
		# minutes), and the fuzz harnesses' corpus replay. The rest of the
		# suite ran above on the same sources; all of it from the tarball:
		# --full-distcheck (about 8 more minutes).
		if [ "$distcheck" = full ]; then
			step "make distcheck (full)" "$out/distcheck.log" env FUZZ_SECONDS=0 \
				BADINPUT_VALGRIND=1 BADINPUT_VALGRIND_EVERY=5 make distcheck
		else
			step "make distcheck" "$out/distcheck.log" env FUZZ_SECONDS=0 \
				BADINPUT_VALGRIND=1 BADINPUT_VALGRIND_EVERY=5 make distcheck-badinput
		fi
	fi
}

if [ "$host_only" = 1 ]; then
	host_tests
	finish
fi

# In a full run the host tests go on in the background from here, beside
# the kernel builds and the VM runs: a cold kernel build leaves a CPU idle
# for minutes (download, unpacking, configuring, linking), and the host
# tests fill it instead of competing with the guests later. Their report
# (printed output, counts, timings) is printed when they are collected,
# before the VM runs' TAP.
host_tests_bg() {
	(
		passed=0 failed=0 skipped=0 timings=()
		host_tests
		{
			echo "$passed $failed $skipped"
			[ "${#timings[@]}" -eq 0 ] || printf '%s\n' "${timings[@]}"
		} >"$out/host-tests.state"
	) >"$out/host-tests.out" 2>&1 &
	host_pid=$!
}
host_tests_collect() {
	local p f k line
	wait "$host_pid"
	cat "$out/host-tests.out"
	if [ -s "$out/host-tests.state" ]; then
		{
			read -r p f k
			add_counts "$p" "$f" "$k"
			while IFS= read -r line; do
				timings+=("$line")
			done
		} <"$out/host-tests.state"
	else
		echo "not ok - host tests: no report (see $out/host-tests.out)"
		add_counts 0 1 0
	fi
}
rm -f "$out/host-tests.state"
host_tests_bg

# ---- kernels -----------------------------------------------------------------
# Each is built once and cached in ~/.cache/dmabuf-utils (build.sh is
# incremental; ccache is shared, and the base build finds most of the test
# kernel's objects there). kimage[NAME] is the image VM runs boot.
declare -A kimage=()
if [ -z "$kernel" ]; then
	if ! step "kernel: fetch, patch, build" "$out/kernel.log" kernel/scripts/build.sh; then
		host_tests_collect
		finish
	fi
	kimage[test]=$(kernel/scripts/build.sh --print-image)
else
	kimage[test]=$kernel
fi
if [ "$base" = 1 ] &&
   step "kernel: base 7.3.4 build" "$out/kernel-base.log" kernel/scripts/build.sh --base; then
	kimage[base]=$(kernel/scripts/build.sh --base --print-image)
fi
if [ "$debug" = 1 ] &&
   step "kernel: debug build" "$out/kernel-debug.log" kernel/scripts/build.sh --debug; then
	kimage[debug]=$(kernel/scripts/build.sh --debug --print-image)
fi

# ---- VM runs -------------------------------------------------------------------
# The debug kernel's suites share one guest: its boot costs about 150 s
# under TCG and debug-klog (a kmemleak scan of the whole memory, then a
# scan of the kernel log of the whole boot) about 90 s, both paid once;
# debug-klog runs last, so it sees every suite's reports. (Two debug
# guests side by side paid both twice for a shorter longest run; with
# the debug guest at about 500 s, the other slot's eight test-kernel and
# base guests take as long.) Add the series' new suites as new runs below.

# One guest boot per entry: "KERNEL PROFILES SUITE...", KERNEL one of
# test (the patched kernel), debug, base. A run whose kernel was not built
# (--no-debug, --no-base, a failed build) is skipped.
vm_runs=(
	"test p2p base vfio-dmabuf iommufd-ctl series-dmabuf"
	"test p2p,switch,rootports p2p-probe topology"
	"test e2e-up e2e"
	"test rootports p2p-probe"
	"test e2e-up series-kselftest series-iommufd p2p-byaddr"
	"test hugebar pud-mappings"
	"debug e2e-up series-dmabuf series-kselftest p2p-byaddr debug-klog"
	"test p2p,igb series-upstream"
	"base p2p,igb series-upstream"
	"test e2e-up series-dmabuf"
	"base e2e-up p2p-byaddr-base"
)
# p2p-byaddr (issue 12: IOMMU_IOAS_MAP and the compat VFIO_IOMMU_MAP_DMA
# of a BAR mapping's address) needs ivshmem's reset, hence e2e-up; the
# base kernel's guest for it only checks that the maps fail with EFAULT
# there (about 10 s with its boot), apart from series-upstream's base
# guest, whose suite must stay the same on both kernels.
# Extra kernel command line for a run, by index: the fourth run boots with
# ACS redirect disabled on both root ports, so that p2p-probe's check that
# its ACS reading and verdicts follow the kernel runs too; the tenth boots
# with nopat, where the series documents that WC is refused (EOPNOTSUPP)
# and uncached mappings stay as they were.
declare -A vm_append=(
	[3]="pci=disable_acs_redir=0000:00:1d.0;0000:00:1e.0"
	[9]="nopat"
)
# The runs are independent guests with their own output directories and
# boot in the background while the host tests run, longest first
# (vm_order: the debug kernel's runs dominate); their TAP is printed
# afterwards in vm_runs order. As many at a time as there are CPUs (each
# guest is one TCG thread per vCPU), at most two. A whole run at two at
# a time failed only where the kselftest asked for as many fault rounds
# as resets (the debug kernel is slow) and where the igb driver test ran
# all five IOMMU modes past the suite's time limit; both were changed.
# The two series-upstream runs go last: the igb driver test's cases
# have the kselftest harness's fixed 30 s each (a 1 GiB region pinned
# per case), which a guest sharing the CPUs with make check and make
# distcheck has overrun; by then the host tests are done.
# --vm-jobs 1 runs them one after the other.
vm_order=(6 0 2 1 4 5 3 9 10 7 8)
for i in "${!vm_runs[@]}"; do	# a run added to vm_runs but not here runs last
	[[ " ${vm_order[*]} " == *" $i "* ]] || vm_order+=("$i")
done
# vm_tag I: the name of run I's output (directory, .tap, .log, .time):
# kernel, profiles and first suite, unique among the runs that share time.
vm_tag() {
	local kname profile suites tag
	read -r kname profile suites <<<"${vm_runs[$1]}"
	tag=$kname-${profile//,/+}-${suites%% *}
	[ -n "${vm_append[$1]:-}" ] && tag+=-append
	echo "$tag"
}
# vm_start I: boot run I in the background (or record why it cannot run)
vm_start() {
	local i=$1 kname profile suites tag rdir s suite_timeout extra=() args=() missing=()
	read -r kname profile suites <<<"${vm_runs[$i]}"
	tag=$(vm_tag "$i")
	rm -f "$out/vm-$tag".{tap,log,time,why}
	if [ -z "${kimage[$kname]:-}" ]; then
		echo "skip no $kname kernel (not built: see above, or --no-$kname)" >"$out/vm-$tag.why"
		return
	fi
	for s in $suites; do
		if [ -f "tests/vm/suites/$s.sh" ]; then
			args+=(--suite "tests/vm/suites/$s.sh")
		else
			missing+=("$s")
		fi
	done
	if [ "${#missing[@]}" -gt 0 ]; then
		echo "fail suite file missing: ${missing[*]}" >"$out/vm-$tag.why"
		return
	fi
	[ -n "${vm_append[$i]:-}" ] && extra=(--append "${vm_append[$i]}")
	# Suites run under TCG; give each 10 minutes on a loaded machine,
	# half an hour on the debug kernel (KASAN and lockdep under TCG run
	# the same suite 20-30 times slower: series-dmabuf took 610 s at a
	# host load of 12). debug-klog scans kmemleak once at the end; a scan
	# after every suite costs half a minute each there.
	suite_timeout=600
	# The debug guests get 1 GiB of RAM instead of 2: the suites need far
	# less, and KASAN's shadow, struct page initialisation and kmemleak's
	# scans all grow with it.
	if [ "$kname" = debug ]; then
		suite_timeout=1800
		extra+=(--no-kmemleak-each --memory 1G)
	fi
	rdir=$out/vm-$tag
	rm -rf "$rdir"
	echo "    started VM $tag ($(date +%T))"
	(
		s=$(date +%s)
		tests/vm/run-vm.sh --kernel "${kimage[$kname]}" --profile "$profile" \
			--out "$rdir" --suite-timeout "$suite_timeout" "${extra[@]}" "${args[@]}" \
			>"$out/vm-$tag.tap" 2>"$out/vm-$tag.log"
		echo "$? $(elapsed "$s")" >"$out/vm-$tag.time"
	) &
}

declare -A vm_tags=()
for i in "${!vm_runs[@]}"; do
	t=$(vm_tag "$i")
	[ -z "${vm_tags[$t]:-}" ] || { echo "test-all.sh: two VM runs named $t" >&2; exit 2; }
	vm_tags[$t]=$i
done
say "VM runs: ${#vm_runs[@]} guests, $vm_jobs at a time, in the background (progress: $out/vm-pool.log)"
s_vm=$(date +%s)
(
	for i in "${vm_order[@]}"; do
		while [ "$(jobs -pr | wc -l)" -ge "$vm_jobs" ]; do
			wait -n
		done
		vm_start "$i"
	done
	wait
) >"$out/vm-pool.log" 2>&1 &
vm_pool=$!

say "waiting for the host tests"
host_tests_collect

say "waiting for the VM runs"
wait "$vm_pool"
timings+=("$(printf '%-40s %5ss' "VM runs (wall, all)" "$(elapsed "$s_vm")")")

for i in "${!vm_runs[@]}"; do
	read -r kname profile suites <<<"${vm_runs[$i]}"
	tag=$(vm_tag "$i")
	say "VM $kname kernel, $profile: $suites${vm_append[$i]:+ (kernel: ${vm_append[$i]})}"
	if [ -f "$out/vm-$tag.why" ]; then
		read -r what why <"$out/vm-$tag.why"
		if [ "$what" = skip ]; then
			echo "ok - VM $tag # SKIP $why"
			add_counts 0 0 1
		else
			echo "not ok - VM $tag: $why"
			add_counts 0 1 0
		fi
		continue
	fi
	rc=1 secs=?
	[ -f "$out/vm-$tag.time" ] && read -r rc secs <"$out/vm-$tag.time"
	cat "$out/vm-$tag.tap"
	read -r p f k < <(awk -f scripts/tap-count.awk "$out/vm-$tag.tap")
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	add_counts "$p" "$f" "$k"
	timings+=("$(printf '%-40s %5ss' "VM $tag" "$secs")")
	for rc_file in "$out/vm-$tag"/share/results/*.rc; do
		[ -f "$rc_file" ] || continue
		read -r _ ms <"$rc_file"
		n=${rc_file##*/}; n=${n%.rc}; n=${n#[0-9][0-9]-}
		timings+=("$(printf '  suite %-20s %7.1fs' "$n" "$(awk -v m="${ms:-0}" 'BEGIN { print m / 1000 }')")")
	done
done

# The upstream selftests' per-test results, base against patched: any
# difference fails (the differing test cases are printed).
if [ -n "${kimage[base]:-}" ]; then
	say "upstream selftests: base 7.3.4 vs patched, per test case"
	a=$out/vm-base-p2p+igb-series-upstream/share/series-upstream
	b=$out/vm-test-p2p+igb-series-upstream/share/series-upstream
	if [ -d "$a" ] && [ -d "$b" ]; then
		tests/vm/kselftest-compare.sh --expect tests/vm/series-upstream.expect \
			"$a" "$b" >"$out/upstream-compare.tap"
		cat "$out/upstream-compare.tap"
		read -r p f k < <(awk -f scripts/tap-count.awk "$out/upstream-compare.tap")
		add_counts "$p" "$f" "$k"
	else
		echo "not ok - upstream selftests compared (no results from the base or the patched run)"
		add_counts 0 1 0
	fi
fi

finish
