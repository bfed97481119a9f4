# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Helpers shared by the iommufd-ctl host suites (cli.sh, batch.sh,
# mem.sh), sourced after tests/lib/shunit2-tap.sh. The suite's
# oneTimeSetUp makes $work (a scratch directory); oneTimeTearDown here
# removes it. IOMMUFD_CTL_WRAPPER (e.g. valgrind) wraps every run.

oneTimeTearDown() {
	rm -rf "$work"
}

# ictl ARGS...: run iommufd-ctl; stdout in $out, stderr in $err, status in $rc.
ictl() {
	# shellcheck disable=SC2086
	$IOMMUFD_CTL_WRAPPER iommufd-ctl "$@" >"$work/out" 2>"$work/err" <"${ictl_stdin:-/dev/null}"
	rc=$?
	out=$(cat "$work/out")
	err=$(cat "$work/err")
}

# batch TEXT [ARGS...]: run TEXT (printf %b escapes) as a batch read from stdin.
batch() {
	local text=$1
	shift
	printf '%b' "$text" >"$work/batch"
	ictl_stdin=$work/batch ictl "$@" -b -
}
