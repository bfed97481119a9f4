#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Where the time of a batch goes, without a device (figures, not a test):
# in the VM, time the C loop, the named-buffer batch of run.sh, the same
# batch as a dry run (-n: the tool's own work, no ioctls) and its set-up
# lines alone, each as real, user and system seconds (bash's time), in
# ROUNDS rounds; then, where perf(1) is installed, a cpu-clock profile of
# the batch and of the loop by object (kernel, iommufd-ctl, libc) and by
# symbol.
#   tests/vm/run-vm.sh --builddir ../build-rel --profile edu \
#       --suite tools/iommufd-ctl/bench/vm-where.sh
# WHERE_ARGS: "PAIRS ROUNDS" (default "20000 3").

echo "1..1"
read -r pairs rounds <<<"${WHERE_ARGS:-20000 3}"
if ! ctl=$(command -v iommufd-ctl) || ! loop=$(command -v iommufd-bench-loop); then
	echo "not ok 1 - where the time of a batch goes # iommufd-ctl or iommufd-bench-loop not in PATH"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The lines of run.sh's named-buffer variant.
gen() {
	awk -v n="$1" 'BEGIN {
		print "ioas alloc name A"
		print "mem alloc name M --length 64K"
		for (i = 0; i < n; i++) {
			print "ioas map --ioas A --mem M --iova 0x100000 --length 64K"
			print "ioas unmap --ioas A --iova 0x100000 --length 64K"
		}
	}'
}
gen "$pairs" >"$tmp/n.batch"
gen 0 >"$tmp/0.batch"

# t CMD...: "real user sys" seconds of CMD (output discarded)
t() {
	local TIMEFORMAT='%R %U %S'

	{ time "$@" >/dev/null 2>&1; } 2>&1
}

# The batch must run at all (a failing one would be timed as fast).
if ! err=$("$ctl" -b "$tmp/n.batch" 2>&1 >/dev/null); then
	echo "not ok 1 - where the time of a batch goes"
	sed 's/^/# /' <<<"$err"
	exit 0
fi
{
	echo "iommufd-ctl: $ctl; iommufd-bench-loop: $loop; $pairs pairs of 64K"
	echo "seconds as real user sys:"
	for ((r = 1; r <= rounds; r++)); do
		echo "round $r: C loop $(t "$loop" "$pairs" 64K)" \
		     "| batch $(t "$ctl" -b "$tmp/n.batch")" \
		     "| dry run $(t "$ctl" -n -b "$tmp/n.batch")" \
		     "| set-up lines only $(t "$ctl" -b "$tmp/0.batch")"
	done
	if command -v perf >/dev/null; then
		for what in batch loop; do
			if [ $what = batch ]; then
				set -- "$ctl" -b "$tmp/n.batch"
			else
				set -- "$loop" "$pairs" 64K
			fi
			perf record -q -e cpu-clock -o "$tmp/$what.data" "$@" >/dev/null 2>&1 ||
				{ echo "perf record failed"; continue; }
			echo "perf, $what, by object:"
			perf report -i "$tmp/$what.data" --stdio --sort dso 2>/dev/null |
				grep -v '^#' | grep . | head -n 6
			echo "perf, $what, by symbol (first 25):"
			perf report -i "$tmp/$what.data" --stdio --sort dso,sym 2>/dev/null |
				grep -v '^#' | grep . | head -n 25
		done
	else
		echo "no perf in the guest: no profile"
	fi
} 2>&1 | sed 's/^/# /'
echo "ok 1 - where the time of a batch goes"
