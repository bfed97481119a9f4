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

# complete WORDS...: run the completion as bash would, in a bash without
# the bash-completion package (--norc, nothing sourced but our file): the
# words as bash splits them (at ':' and '=' too), the cursor at the last;
# prints COMPREPLY one per line.  WB=CHARS: COMP_WORDBREAKS
complete_words() {
	local w wb=
	w=$(printf '%q ' "$@")
	[ -z "${WB:-}" ] || wb="COMP_WORDBREAKS='$WB'"
	bash --norc --noprofile -c "
		$wb
		. '$comp' || exit 1
		COMP_WORDS=($w)
		COMP_CWORD=\$((\${#COMP_WORDS[@]} - 1))
		COMP_LINE=\"\${COMP_WORDS[*]}\"
		COMP_POINT=\${#COMP_LINE}
		_p2p_probe || exit 1
		printf '%s\n' \"\${COMPREPLY[@]}\"" 2>"$work/comp.err"
}

test_completion_loads_without_bash_completion() {
	local c
	c=$(bash --norc --noprofile -c ". '$comp'; complete -p p2p-probe" 2>&1)
	assertEquals "complete -F" "complete -F _p2p_probe p2p-probe" "$c"
}

test_completion_offers_devices() {
	assertEquals "whole word" "0000:00:10.0
0000:00:11.0" "$(WB=' ' complete_words p2p-probe --sysfs-root "$fx/flat" 0000:00:1)"
	assertEquals "nothing on stderr" "" "$(cat "$work/comp.err")"
	# bash splits 0000:00:1 at the colons and replaces only the last
	# part: the replies must be that part
	assertEquals "address split at ':'" "10.0
11.0" "$(complete_words p2p-probe --sysfs-root "$fx/flat" 0000 : 00 : 1)"
	assertEquals "nothing on stderr" "" "$(cat "$work/comp.err")"
	assertEquals "after a colon" "00:00.0
00:10.0
00:11.0" "$(complete_words p2p-probe --sysfs-root "$fx/flat" 0000 : 00 : 1 0000 :)"
	assertEquals "--sysfs-root=DIR" "10.0
11.0" "$(complete_words p2p-probe --sysfs-root = "$fx/flat" 0000 : 00 : 1)"
	assertEquals "-s SLOT" "10.0
11.0" "$(complete_words p2p-probe --sysfs-root "$fx/flat" -m -s 0000 : 00 : 1)"
	assertEquals "-d ID" "1234:11e8
1af4:1110
8086:29c0" "$(complete_words p2p-probe --sysfs-root "$fx/flat" -m -d '')"
	assertEquals "devices of a dump (-F)" "10.0
11.0
12.0" "$(complete_words p2p-probe -F "$top_srcdir/tests/host/p2p-probe/flat.lspci-x" 0000 : 00 : 1)"
}

test_completion_option_values() {
	assertEquals "--sysfs-root=DI" "$fx/flat/" \
		"$(complete_words p2p-probe --sysfs-root = "$fx/fla")"
	assertEquals "--sysfs-root DI" "$fx/flat/" \
		"$(complete_words p2p-probe --sysfs-root "$fx/fla")"
	assertEquals "--bar=" "0
1
2
3
4
5" "$(complete_words p2p-probe --verify --bar =)"
	assertEquals "options" "--slot
--sysfs-root" "$(complete_words p2p-probe --s)"
}

test_examples_use_real_options() {
	local ex=$top_srcdir/tools/p2p-probe/EXAMPLES.md o
	[ -f "$ex" ] || { fail "tools/p2p-probe/EXAMPLES.md missing"; return; }
	for o in $(grep -o -- ' --[a-z][a-z-]*' "$ex" | sort -u); do
		help_opts | grep -qx -- "$o" || fail "EXAMPLES.md uses $o, which p2p-probe lacks"
	done
}

tap_run_shunit2
