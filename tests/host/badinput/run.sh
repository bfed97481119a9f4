#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The bad-input suite: every case of tests/host/badinput/*.cases runs one
# command line and checks its exit status, its stdout and a regular
# expression on its stderr naming what was wrong; any sanitizer report or
# valgrind error fails the case.  Prints TAP, one line per case.
#
# A case file has one case per line, fields separated by TABs:
#
#   CATEGORY  STATUS  STDOUT  STDERR-ERE  COMMAND  [TODO REASON]
#
#   CATEGORY    a word for the report (address, size, range, fd, ...)
#   STATUS      the exit status, or alternatives: "0|2"
#   STDOUT      "-" nothing, "json" one valid JSON document (jq) in valid
#               UTF-8 (iconv), "*" anything
#   STDERR-ERE  an extended regular expression (grep -E) that must match a
#               line of stderr; "^$" with STDOUT "*" for an empty stderr
#   COMMAND     a bash command line, run in the work directory with the
#               fixtures of fixtures.sh ($W, $F, $D, $SYS_..., $PROC_...,
#               $BATCH/NAME); vfio-dmabuf, iommufd-ctl and p2p-probe are
#               the built tools; "withfd N=KIND -- TOOL ARGS" gives fd N
#               of KIND (see withfd.c)
#   TODO        a known defect still to fix: the case is reported as
#               "not ok ... # TODO REASON" (an expected failure); once the
#               defect is fixed it shows as an unexpected pass (XPASS):
#               then delete the TODO field
#
# Blank lines and lines starting with '#' are ignored.
#
# Environment:
#   BADINPUT_VALGRIND=1   run every tool under valgrind (memcheck, leaks);
#                         needs a build without --enable-asan
#   BADINPUT_VALGRIND_EVERY=N  with BADINPUT_VALGRIND=1: only cases 1, N+1,
#                         2N+1, ... under valgrind, the others as they are
#                         (CI: make distcheck's non-ASan build runs a fifth
#                         of the cases under valgrind; every case runs under
#                         ASan in the main make check)
#   BADINPUT_CASES=GLOB   only the case files matching GLOB
#   BADINPUT_TIMEOUT=S    seconds before a case counts as hung (default 30,
#                         300 under valgrind)
set -u

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../../.." && pwd)}
builddir=${top_builddir:-$srcdir}
here=$srcdir/tests/host/badinput
timeout_s=${BADINPUT_TIMEOUT:-30}
export BADINPUT_BIN=$builddir
export BADINPUT_WITHFD=$builddir/tests/host/badinput/withfd

files=()
for f in "$here"/${BADINPUT_CASES:-*.cases}; do
	[ -f "$f" ] && files+=("$f")
done

# Count the cases first (TAP plan).
total=0
for f in "${files[@]}"; do
	n=$(grep -cv -e '^#' -e '^[[:space:]]*$' "$f")
	total=$((total + n))
done

export BADINPUT_VG=
if [ "${BADINPUT_VALGRIND:-0}" = 1 ]; then
	if ! command -v valgrind >/dev/null; then
		echo "1..0 # SKIP BADINPUT_VALGRIND=1 but valgrind is not installed"
		exit 0
	fi
	if nm "$builddir/vfio-dmabuf" 2>/dev/null | grep -q __asan_init; then
		echo "1..0 # SKIP BADINPUT_VALGRIND=1 needs tools built without --enable-asan"
		exit 0
	fi
	# valgrind runs the tools some 50 times slower (10^5-line batches)
	timeout_s=${BADINPUT_TIMEOUT:-300}
	BADINPUT_VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --track-fds=no"
fi
vg_all=$BADINPUT_VG vg_every=${BADINPUT_VALGRIND_EVERY:-1}
[[ "$vg_every" =~ ^[1-9][0-9]*$ ]] || {
	echo "Bail out! BADINPUT_VALGRIND_EVERY='$vg_every' is not a positive number"
	exit 1
}
# ASan: a leak or error must show, and its exit status must not be
# mistaken for the tool's.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=99}
export LSAN_OPTIONS=${LSAN_OPTIONS:-exitcode=99}

W=$(mktemp -d "${TMPDIR:-/tmp}/badinput.XXXXXX") || exit 1
export W
cleanup() {
	badinput_fixtures_teardown 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
# killed (make check interrupted): stop the brokers all the same
trap 'exit 130' INT TERM HUP

# shellcheck source=tests/host/badinput/fixtures.sh
. "$here/fixtures.sh"
if ! badinput_fixtures_setup >"$W/setup.log" 2>&1; then
	echo "Bail out! cannot build the fixtures:"
	sed 's/^/# /' "$W/setup.log"
	exit 1
fi

echo "1..$total"
i=0
for f in "${files[@]}"; do
	lineno=0
	while IFS= read -r line || [ -n "$line" ]; do
		lineno=$((lineno + 1))
		case "$line" in '#'*|'') continue ;; esac
		[ -z "${line//[[:space:]]/}" ] && continue
		i=$((i + 1))
		IFS=$'\t' read -r cat status stdout_want re cmd todo <<<"$line"
		where="${f##*/}:$lineno"
		name="$cat: $cmd"
		BADINPUT_VG=
		if [ -n "$vg_all" ] && [ $(((i - 1) % vg_every)) = 0 ]; then
			BADINPUT_VG=$vg_all
			name="[valgrind] $name"
		fi
		name=${name//#/\\#}	# a '#' would start a TAP directive
		dir=""
		[ -n "${todo:-}" ] && dir=" # TODO $todo"
		if [ -z "$cmd" ]; then
			echo "not ok $i - $where: malformed case (needs 5 TAB-separated fields)"
			continue
		fi
		(cd "$W/cwd" && timeout -k 5 "$timeout_s" bash -c \
			". '$here/fixtures.sh'; badinput_fixtures_env; $cmd" \
			>"$W/out" 2>"$W/err" </dev/null)
		rc=$?
		why=
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			why="hung: killed at its time limit (${timeout_s} s, or the case's hang_guard)"
		elif grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer' "$W/err"; then
			why="sanitizer report: $(grep -m1 -E 'ERROR|runtime error' "$W/err")"
		elif [ -n "$BADINPUT_VG" ] && [ "$rc" = 99 ]; then
			why="valgrind error: $(grep -m1 '^==' "$W/err")"
		elif ! [[ "$rc" =~ ^($status)$ ]]; then
			why="exit status $rc, expected $status"
		elif [ "$re" = '^$' ] && [ -s "$W/err" ]; then
			why="stderr should be empty"
		elif [ "$re" != '^$' ] && ! grep -qE -- "$re" "$W/err"; then
			why="stderr does not match /$re/"
		else
			case "$stdout_want" in
			-) [ -s "$W/out" ] && why="stdout should be empty" ;;
			json) jq -e . "$W/out" >/dev/null 2>&1 &&
				[ "$(jq -s length "$W/out" 2>/dev/null)" = 1 ] ||
				why="stdout is not one JSON document"
				# JSON is UTF-8; jq itself lets invalid bytes through
				[ -z "$why" ] && ! iconv -f UTF-8 -t UTF-8 "$W/out" >/dev/null 2>&1 &&
					why="stdout is not valid UTF-8"
				;;
			'*') ;;
			*) why="bad STDOUT field '$stdout_want' (-, json or *)" ;;
			esac
		fi
		why=${why//#/\\#}
		if [ -z "$why" ]; then
			echo "ok $i - $where $name$dir"
		else
			echo "not ok $i - $where $name: $why$dir"
			if [ -z "$dir" ]; then
				{ head -c 600 "$W/err"; echo; } | sed '/^$/d; s/^/#   stderr: /'
				{ head -c 300 "$W/out"; echo; } | sed '/^$/d; s/^/#   stdout: /'
			fi
		fi
	done <"$f"
done
