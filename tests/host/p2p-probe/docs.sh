#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# p2p-probe's --help, man page, bash completion and examples say the same
# thing: every long option of --help is in man/p2p-probe.1 and in
# completion/p2p-probe, and every option those two mention exists.

. "$top_srcdir/tests/lib/shunit2-tap.sh"

. "$top_srcdir/tests/host/p2p-probe/lib.sh"

man=$top_srcdir/man/p2p-probe.1
comp=$top_srcdir/completion/p2p-probe

help_opts() {
	p2p-probe --help | grep -o -- '--[a-z][a-z-]*' | sort -u
}

oneTimeSetUp() {
	work=$(mktemp -d)
	fx=$work/fixtures
	p2p_unpack_fixtures "$fx" || fail "cannot unpack the fixtures"
}

oneTimeTearDown() {
	rm -rf "$work"
}

test_help_options_in_man_page() {
	local o
	for o in $(help_opts); do
		# roff escapes the dashes: \-\-sysfs\-root
		grep -q -- "${o//-/\\\\-}" "$man" || fail "$o is not in p2p-probe.1"
	done
}

test_help_options_in_completion() {
	local o
	for o in $(help_opts); do
		grep -q -- "$o\\b" "$comp" || fail "$o is not in completion/p2p-probe"
	done
}

test_man_options_exist() {
	local o
	for o in $(grep -o -- '\\-\\-[a-z][a-z\\-]*' "$man" | sed 's/\\//g' | sort -u); do
		help_opts | grep -qx -- "$o" || fail "the man page mentions $o, which --help lacks"
	done
	for o in $(grep -o -- '--[a-z][a-z-]*' "$comp" | sort -u); do
		help_opts | grep -qx -- "$o" || fail "the completion offers $o, which --help lacks"
	done
}

test_man_page_sections() {
	local s
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS OUTPUT "JSON OUTPUT" "EXIT STATUS" EXAMPLES "SEE ALSO"; do
		grep -q "^\\.SH \"\\{0,1\\}$s\"\\{0,1\\}\$" "$man" || fail "p2p-probe.1 lacks section $s"
	done
	if command -v man >/dev/null; then
		assertEquals "man renders without warnings" "" \
			"$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$man" 2>&1 >/dev/null)"
	fi
}

test_man_documents_json_keys() {
	local k
	# every key the JSON output uses appears in JSON OUTPUT
	for k in $(p2p-probe -j --sysfs-root "$fx/switch-acs" \
			04:00.0 03:00.0 | jq -r '[paths | map(select(type == "string"))[]] | unique[]'); do
		grep -qw -- "$k" "$man" || fail "JSON key $k is not in p2p-probe.1"
	done
}

test_completion_loads() {
	local c
	command -v bash >/dev/null || { skip_test "no bash"; return; }
	c=$(bash -c "_init_completion() { :; }; . '$comp'; complete -p p2p-probe" 2>&1)
	assertEquals "complete -F" "complete -F _p2p_probe p2p-probe" "$c"
}

test_completion_offers_devices() {
	local out
	out=$(bash -c "
		_init_completion() { cur=\${COMP_WORDS[COMP_CWORD]}; prev=\${COMP_WORDS[COMP_CWORD-1]}; }
		__ltrim_colon_completions() { :; }
		. '$comp'
		COMP_WORDS=(p2p-probe --sysfs-root '$fx/flat' 0000:00:1)
		COMP_CWORD=3
		_p2p_probe
		printf '%s\n' \"\${COMPREPLY[@]}\"")
	assertEquals "addresses from the recorded sysfs" "0000:00:10.0
0000:00:11.0" "$out"
}

test_examples_use_real_options() {
	local ex=$top_srcdir/tools/p2p-probe/EXAMPLES.md o
	[ -f "$ex" ] || { fail "tools/p2p-probe/EXAMPLES.md missing"; return; }
	for o in $(grep -o -- ' --[a-z][a-z-]*' "$ex" | sort -u); do
		help_opts | grep -qx -- "$o" || fail "EXAMPLES.md uses $o, which p2p-probe lacks"
	done
}

tap_run_shunit2
