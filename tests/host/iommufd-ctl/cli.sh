#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# iommufd-ctl on the host: usage, bad input and batch parsing (with
# --dry-run, so they run without /dev/iommu), documentation consistency,
# and live IOAS tests when /dev/iommu can be opened (SKIP otherwise).
#
# IOMMUFD_CTL_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full"
# runs every invocation under that wrapper.

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/host/iommufd-ctl/lib.sh"

MAN=$top_srcdir/man/iommufd-ctl.1
COMP=$top_srcdir/completion/iommufd-ctl

oneTimeSetUp() {
	work=$(mktemp -d)
	have_iommu=no
	# (a plain "exec 9<>" would create a regular file where none exists)
	if [ -c /dev/iommu ] && exec 9<>/dev/iommu 2>/dev/null; then
		have_iommu=yes
		exec 9>&-
	fi
}

need_iommu() {
	[ "$have_iommu" = yes ] && return 0
	skip_test "/dev/iommu cannot be opened on this host (no iommufd): live IOAS tests run in the VM suite"
	return 1
}

# ---- help and usage --------------------------------------------------------

test_help_at_every_level_needs_no_device() {
	local obj
	ictl --help
	assertEquals "--help status" 0 "$rc"
	assertContains "$out" "Usage: iommufd-ctl"
	ictl help
	assertEquals "help status" 0 "$rc"
	assertContains "$out" "vfio-compat"
	for obj in ioas device hwpt vfio-compat; do
		ictl "$obj" help
		assertEquals "$obj help status" 0 "$rc"
		assertContains "$obj help" "$out" "Commands:"
	done
	ictl ioas map --help
	assertEquals "ioas map --help status" 0 "$rc"
	assertContains "$out" "--dmabuf-fd"
	assertEquals "nothing on stderr" "" "$err"
	ictl --version
	assertEquals 0 "$rc"
	assertContains "$out" "iommufd-ctl"
	ictl -j ioas alloc -V
	assertEquals "-V after a command only prints the version" 0 "$rc"
	assertContains "$out" "iommufd-ctl (dmabuf-utils)"
	assertNotContains "$out" "ioas_id"
}

test_usage_errors_exit_2_with_one_line() {
	ictl
	assertEquals "no command" 2 "$rc"
	assertContains "$err" "missing command"
	ictl frob
	assertEquals "unknown command" 2 "$rc"
	assertEquals "iommufd-ctl: unknown command 'frob' (try 'help')" "$err"
	ictl ioas frob
	assertEquals 2 "$rc"
	assertEquals "iommufd-ctl: unknown ioas command 'frob' (try 'ioas help')" "$err"
	ictl ioas map --bogus
	assertEquals 2 "$rc"
	assertEquals "iommufd-ctl: ioas map: unrecognized option '--bogus'" "$err"
	ictl ioas map --length
	assertEquals 2 "$rc"
	assertContains "$err" "requires an argument"
	ictl --bogus
	assertEquals "unknown global option" 2 "$rc"
	ictl -b x ioas list
	assertEquals "batch and command" 2 "$rc"
	assertContains "$err" "exclude each other"
	ictl ioas alloc name
	assertEquals 2 "$rc"
	assertEquals "iommufd-ctl: ioas alloc: 'name' needs a value" "$err"
	ictl ioas alloc name 9lives
	assertEquals 2 "$rc"
	assertContains "$err" "invalid name '9lives'"
	ictl ioas map --length 4K name X
	assertEquals "name on a command that creates nothing" 2 "$rc"
	assertEquals "iommufd-ctl: ioas map: unexpected argument 'name'" "$err"
}

# ---- IOVA and length checks -------------------------------------------------

# Error messages carry what the user typed, made terminal-safe: an escape
# sequence or a non-UTF-8 byte in an argument shows as \xHH, never raw.
test_messages_are_terminal_safe() {
	local raw
	ictl -n ioas map --ioas 1 --iova 0x1000 --length $'4\e[31mK\xff'
	assertEquals "status of a bad length" 2 "$rc"
	assertContains "the bad value is named, escaped" "$err" '4\x1b[31mK\xff'
	raw=0
	[[ $err == *$'\e'* ]] && raw=1
	assertEquals "no raw ESC on stderr: $err" 0 "$raw"
	batch $'ioas alloc name A\nioas map --ioas A --length 4\xc3\x28\n' -n
	assertEquals "status of a bad batch line" 2 "$rc"
	assertContains "the bad value is named, escaped" "$err" '4\xc3('
	raw=0
	[[ $err == *$'\xc3('* ]] && raw=1
	assertEquals "no raw non-UTF-8 byte on stderr: $err" 0 "$raw"
}

test_abbreviated_long_options_are_refused() {
	ictl -n ioas map --len 4K
	assertEquals "abbreviated command option" 2 "$rc"
	assertEquals "iommufd-ctl: ioas map: unrecognized option '--len'; did you mean '--length'?" "$err"
	ictl --jso ioas list
	assertEquals "abbreviated global option" 2 "$rc"
	assertEquals "iommufd-ctl: unrecognized option '--jso'; did you mean '--json'?" "$err"
	printf 'ioas alloc name A\nioas map --ioas A --iov 0x100000 --length 4K\n' >"$work/abbrev.batch"
	ictl -n -b "$work/abbrev.batch"
	assertEquals "abbreviation in a batch line" 2 "$rc"
	assertEquals "$work/abbrev.batch:2: ioas map: unrecognized option '--iov'; did you mean '--iova'?" "$err"
	ictl -n ioas map --length 4K
	assertEquals "the exact option still works" 0 "$rc"
}

test_unaligned_iova_and_length() {
	ictl -n ioas map --iova 0x100001 --length 2M
	assertEquals 2 "$rc"
	assertEquals "iommufd-ctl: ioas map: --iova '0x100001' is not aligned to the page size (4096)" "$err"
	ictl -n ioas map --iova 0x100000 --length 4097
	assertEquals 2 "$rc"
	assertEquals "iommufd-ctl: ioas map: --length '4097' is not a multiple of the page size (4096)" "$err"
	ictl -n ioas map --length 0
	assertEquals 2 "$rc"
	assertEquals "iommufd-ctl: ioas map: --length must not be zero" "$err"
	ictl -n ioas unmap --iova 0x1800 --length 4K
	assertEquals 2 "$rc"
	assertContains "$err" "is not aligned"
	ictl -n ioas map --fd 0 --offset 100 --length 4K
	assertEquals 2 "$rc"
	assertContains "$err" "--offset '100' is not a multiple of the page size"
	ictl -n ioas map --iova 1M --length 1x
	assertEquals 2 "$rc"
	assertContains "$err" "invalid --length '1x'"
}

test_overflowing_iova_and_length() {
	ictl -n ioas map --iova 0xfffffffffffff000 --length 8K
	assertEquals 2 "$rc"
	assertEquals "iommufd-ctl: ioas map: --iova 0xfffffffffffff000 + --length 0x2000 overflows 64 bits" "$err"
	ictl -n ioas map --iova 0x10000000000000000 --length 4K
	assertEquals 2 "$rc"
	assertEquals "iommufd-ctl: ioas map: --iova '0x10000000000000000' overflows 64 bits" "$err"
	ictl -n ioas map --length 16777216T
	assertEquals 2 "$rc"
	assertContains "$err" "overflows 64 bits"
	ictl -n ioas unmap --iova 0xfffffffffffff000 --length 1M
	assertEquals 2 "$rc"
	assertContains "$err" "overflows 64 bits"
	ictl -n ioas allow-iovas --ranges 0xfffffffffffff000:8K
	assertEquals 2 "$rc"
	assertContains "$err" "overflows 64 bits"
}

test_option_conflicts() {
	ictl -n ioas map --memfd --file /x --length 4K
	assertEquals 2 "$rc"
	assertContains "$err" "exclude each other"
	ictl -n ioas map
	assertEquals 2 "$rc"
	assertEquals "iommufd-ctl: ioas map: --length is required to map anonymous memory" "$err"
	ictl -n ioas unmap --all --iova 0 --length 4K
	assertEquals 2 "$rc"
	assertContains "$err" "--all excludes"
	ictl -n ioas unmap --iova 0
	assertEquals 2 "$rc"
	assertContains "$err" "give --iova and --length, or --all"
	ictl -n ioas allow-iovas
	assertEquals 2 "$rc"
	assertContains "$err" "either --ranges"
	ictl -n ioas allow-iovas --ranges 0:1M,512K:1M
	assertEquals 2 "$rc"
	assertContains "$err" "range 1 overlaps range 2"
	ictl -n ioas option --huge-pages maybe
	assertEquals 2 "$rc"
	assertContains "$err" "invalid --huge-pages 'maybe' (on or off)"
	ictl -n ioas map --length 4K --access rwx
	assertEquals 2 "$rc"
	assertContains "$err" "invalid --access 'rwx'"
	ictl -n device attach --device 00:03.0 --ioas 1 --hwpt 2
	assertEquals 2 "$rc"
	assertContains "$err" "exclude each other"
	ictl -n device bind --device 00:03.9
	assertEquals 2 "$rc"
	assertContains "$err" "invalid PCI address '00:03.9'"
}

# ---- file descriptors --------------------------------------------------------

test_fd_not_open() {
	# (checked before /dev/iommu is opened, so this runs anywhere)
	ictl ioas map --fd 77 --length 4K
	assertEquals 2 "$rc"
	assertEquals "iommufd-ctl: ioas map: --fd 77: no such open file descriptor" "$err"
	ictl ioas map --dmabuf-fd 78
	assertEquals 2 "$rc"
	assertEquals "iommufd-ctl: ioas map: --dmabuf-fd 78: no such open file descriptor" "$err"
	# A dry run takes it as the fd a real run would inherit.
	ictl -n ioas map --dmabuf-fd 78
	assertEquals 0 "$rc"
	assertContains "$out" "fd 78 is not open: not checked in a dry run"
	ictl -n ioas map --fd abc
	assertEquals 2 "$rc"
	assertContains "$err" "invalid --fd 'abc'"
}

test_non_dmabuf_fd_where_dmabuf_required() {
	head -c 8192 /dev/zero >"$work/file"
	# shellcheck disable=SC2094
	iommufd-ctl -n ioas map --dmabuf-fd 5 5<"$work/file" >"$work/out" 2>"$work/err"
	assertEquals "regular file" 2 "$?"
	assertEquals "iommufd-ctl: ioas map: --dmabuf-fd 5 is not a DMA-BUF (it is a regular file)" "$(cat "$work/err")"
	echo x | iommufd-ctl -n ioas map --dmabuf-fd 0 >"$work/out" 2>"$work/err"
	assertEquals "pipe" 2 "$?"
	assertContains "$(cat "$work/err")" "is not a DMA-BUF (it is a pipe)"
	# The same regular file is fine where any file is accepted.
	iommufd-ctl -n -j ioas map --fd 5 5<"$work/file" >"$work/out" 2>"$work/err"
	assertEquals "--fd takes a file" 0 "$?"
	assertEquals "length from the file size" 8192 "$(jq '.results[0].length' "$work/out")"
	assertEquals "fd" "$(jq -r '.results[0].source' "$work/out")"
	ictl -n ioas map --file "$work/nonexistent"
	assertEquals 2 "$rc"
	assertContains "$err" "cannot open '$work/nonexistent'"
}

# ---- batch mode ------------------------------------------------------------------

test_batch_example_form_as_written() {
	printf 'ioas alloc name A\nioas map --ioas A --iova 0x100000 --length 2M\n' |
		iommufd-ctl -b - >"$work/out" 2>"$work/err"
	rc=$?
	if [ "$have_iommu" = yes ]; then
		assertEquals "batch status" 0 "$rc"
		assertContains "$(cat "$work/out")" "at iova 0x100000 length 0x200000"
	else
		assertEquals "no /dev/iommu: kernel lacks the feature" 3 "$rc"
		assertContains "$(cat "$work/err")" "-:1: ioas alloc: cannot open /dev/iommu"
	fi
	printf 'ioas alloc name A\nioas map --ioas A --iova 0x100000 --length 2M\n' |
		iommufd-ctl -n -j -b - >"$work/out" 2>"$work/err"
	assertEquals "dry run" 0 "$?"
	assertEquals "0x100000" "$(jq -r '.results[1].iova | "0x\(. | tostring)"' "$work/out" | sed 's/0x1048576/0x100000/')"
	assertEquals "2097152" "$(jq '.results[1].length' "$work/out")"
	assertEquals "A" "$(jq -r '.results[1].name' "$work/out")"
	assertEquals "$(jq '.results[0].ioas_id' "$work/out")" "$(jq '.results[1].ioas_id' "$work/out")"
}

test_batch_errors_carry_file_and_line() {
	batch 'ioas alloc name A\n\n# comment\n  ioas map --ioas A --iova 0x1001 --length 4K\nioas list\n' -n
	assertEquals 2 "$rc"
	assertEquals "-:4: ioas map: --iova '0x1001' is not aligned to the page size (4096)" "$err"
	assertEquals "stopped at the error" "ioas 1 name A" "$out"
	printf 'ioas alloc name A\nioas map --ioas B --length 4K\n' >"$work/script"
	ictl -n -b "$work/script"
	assertEquals 2 "$rc"
	assertEquals "$work/script:2: ioas map: unknown ioas 'B'" "$err"
	ictl -b "$work/missing"
	assertEquals 2 "$rc"
	assertContains "$err" "cannot open batch file"
}

test_batch_malformed_lines() {
	batch 'ioas alloc name A\nioas alloc name "A B\n' -n
	assertEquals 2 "$rc"
	assertEquals "-:2: unterminated double quote" "$err"
	batch "ioas alloc name 'x\n" -n
	assertEquals "-:1: unterminated single quote" "$err"
	batch 'frob --x\n' -n
	assertEquals "-:1: unknown command 'frob' (try 'help')" "$err"
	batch 'ioas\tallox\n' -n
	assertEquals "-:1: unknown ioas command 'allox' (try 'ioas help')" "$err"
	batch 'ioas alloc name "A B"\n' -n
	assertEquals 2 "$rc"
	assertContains "quotes group words" "$err" "-:1: ioas alloc: invalid name 'A B'"
	batch 'ioas alloc name A\nioas alloc name A\n' -n
	assertEquals "-:2: ioas alloc: the name 'A' is already taken" "$err"
	batch 'ioas alloc name A # trailing comment\nioas map --length 4K --ioas A\n' -n
	assertEquals "comments after a command" 0 "$rc"
	batch 'ioas alloc \\\n' -n
	assertEquals "-:1: backslash at the end of the line (lines do not continue)" "$err"
}

test_batch_expands_environment_variables() {
	ICTL_N=fromenv batch 'ioas alloc name $ICTL_N\nioas alloc name "${ICTL_N}2"\nioas alloc name '"'"'$ICTL_N'"'"'\n' -n -j
	assertEquals 2 "$rc"
	assertEquals "fromenv fromenv2" "$(echo "$out" | jq -r '[.results[].name] | join(" ")')"
	assertEquals "no expansion in single quotes" "-:3: ioas alloc: invalid name '\$ICTL_N': use a letter or '_' then letters, digits, '_', '.' or '-' (at most 31)" "$err"
	batch 'ioas alloc name $ICTL_UNSET_VAR\n' -n
	assertEquals 2 "$rc"
	assertEquals "-:1: \$ICTL_UNSET_VAR is not set" "$err"
	batch 'ioas alloc name ${ICTL_N\n' -n
	assertEquals "-:1: bad \${...} substitution" "$err"
	exec 7<"$top_srcdir/README.md"
	ICTL_FD=7 batch 'ioas alloc name A\nioas map --dmabuf-fd $ICTL_FD\n' -n
	exec 7<&-
	assertEquals "-:2: ioas map: --dmabuf-fd 7 is not a DMA-BUF (it is a regular file)" "$err"
}

test_batch_unknown_object_names() {
	batch 'ioas alloc name A\nioas map --ioas Z --length 4K\n' -n
	assertEquals 2 "$rc"
	assertEquals "-:2: ioas map: unknown ioas 'Z'" "$err"
	batch 'device attach --device E\n' -n
	assertEquals "-:1: device attach: unknown device 'E'" "$err"
	batch 'hwpt destroy --hwpt H\n' -n
	assertEquals "-:1: hwpt destroy: unknown hwpt 'H'" "$err"
	batch 'ioas alloc name A\ndevice attach --device 00:03.0 --hwpt A\n' -n
	assertEquals "-:2: device attach: 'A' is a ioas, not a hwpt" "$err"
	batch 'ioas map --length 4K\n' -n
	assertEquals "-:1: ioas map: no IOAS: allocate one first ('ioas alloc name A') or give --ioas" "$err"
	batch 'ioas alloc name A\nioas alloc name B\nioas map --length 4K\n' -n
	assertEquals "-:3: ioas map: there are several IOASes: say which with --ioas" "$err"
	batch 'ioas alloc name A\nioas destroy --ioas A\nioas map --ioas A --length 4K\n' -n
	assertEquals "destroyed names are gone" "-:3: ioas map: unknown ioas 'A'" "$err"
}

test_batch_force_continues_but_fails() {
	batch 'ioas alloc name A\nioas map --ioas B --length 4K\nioas map --ioas A --iova 1M --length 4K\nfrob\n' -n -f
	assertEquals "first failure's status" 2 "$rc"
	assertContains "$err" "-:2: ioas map: unknown ioas 'B'"
	assertContains "$err" "-:4: unknown command 'frob'"
	assertContains "later lines ran" "$out" "at iova 0x100000"
}

test_overlapping_maps_are_refused() {
	batch 'ioas alloc name A\nioas map --ioas A --iova 0x100000 --length 2M\nioas map --ioas A --iova 0x200000 --length 2M\n' -n
	assertEquals 1 "$rc"
	assertEquals "-:3: ioas map: IOMMU_IOAS_MAP: [0x200000, 0x400000) overlaps the mapping at 0x100000 (length 0x200000)" "$err"
	batch 'ioas alloc name A\nioas map --ioas A --iova 0x100000 --length 2M\nioas map --ioas A --iova 0x300000 --length 2M\n' -n
	assertEquals "adjacent maps are fine" 0 "$rc"
}

test_live_overlapping_maps_are_refused() {
	need_iommu || return 0
	batch 'ioas alloc name A\nioas map --ioas A --iova 0x100000 --length 2M\nioas map --ioas A --iova 0x200000 --length 2M\n'
	assertEquals "kernel refuses" 1 "$rc"
	assertContains "$err" "overlaps the mapping at 0x100000"
}

test_unmap_that_matches_nothing_fails() {
	batch 'ioas alloc name A\nioas map --ioas A --iova 1M --length 1M\nioas unmap --iova 4M --length 1M\n' -n
	assertEquals 1 "$rc"
	assertEquals "-:3: ioas unmap: nothing mapped in [0x400000, 0x500000) of ioas 1" "$err"
	batch 'ioas alloc name A\nioas unmap --all\n' -n
	assertEquals 1 "$rc"
	assertEquals "-:2: ioas unmap: nothing was mapped in ioas 1" "$err"
	batch 'ioas alloc name A\nioas map --iova 1M --length 1M\nioas map --iova 4M --length 1M\nioas unmap --iova 0 --length 3M\n' -n -j
	assertEquals 0 "$rc"
	assertEquals "reports the length unmapped" 1048576 "$(echo "$out" | jq '.results[3].unmapped')"
}

test_live_unmap_that_matches_nothing_fails() {
	need_iommu || return 0
	batch 'ioas alloc name A\nioas map --iova 1M --length 1M\nioas unmap --iova 4M --length 1M\n'
	assertEquals "kernel: nothing unmapped" 1 "$rc"
	assertContains "$err" "nothing mapped in"
	batch 'ioas alloc name A\nioas map --iova 1M --length 2M\nioas unmap --iova 1M --length 1M\n'
	assertEquals "kernel: cutting through" 1 "$rc"
	assertContains "$err" "cuts through the mapping at 0x100000"
}

# ---- JSON --------------------------------------------------------------------------

test_json_is_one_document_on_stdout() {
	batch 'ioas alloc name A\nioas map --ioas A --iova 1M --length 2M\nioas map --ioas A --length 4K --access r\nhwpt alloc --device 0000:00:03.0 name H\nshow\n' -n -j
	assertEquals 0 "$rc"
	assertEquals "stderr empty" "" "$err"
	assertEquals "one document" 1 "$(echo "$out" | jq -s length)"
	assertEquals '["results"]' "$(echo "$out" | jq -c keys)"
	assertEquals '"ioas alloc"' "$(echo "$out" | jq -c '.results[0].command')"
	assertEquals "line numbers" "[1,2,3,4,5]" "$(echo "$out" | jq -c '[.results[].line]')"
	assertEquals "raw numbers" 2097152 "$(echo "$out" | jq '.results[1].length')"
	assertEquals "kernel-chosen IOVA modelled in a dry run" 4096 "$(echo "$out" | jq '.results[2].iova')"
	assertEquals "and said to be" true "$(echo "$out" | jq '.results[2].iova_modelled')"
	assertEquals false "$(echo "$out" | jq '.results[2].writable')"
	assertEquals '["ioas","device","hwpt"]' "$(echo "$out" | jq -c '[.results[4].objects[].type]')"
	ictl -j -p -n ioas alloc name X
	assertEquals "pretty output parses" "X" "$(echo "$out" | jq -r '.results[0].name')"
	assertTrue "pretty is indented" "grep -q '^  ' '$work/out'"
	ictl -j ioas
	assertEquals "an object alone is its list command" '"ioas list"' "$(echo "$out" | jq -c '.results[0].command')"
	ictl -j -n vfio-compat
	assertEquals '"vfio-compat show"' "$(echo "$out" | jq -c '.results[0].command')"
	ictl -j -n ioas map --bogus
	assertEquals 2 "$rc"
	assertEquals "JSON even on error" '{"results":[]}' "$(echo "$out" | jq -c .)"
}

# ---- live tests (need /dev/iommu) -------------------------------------------------

test_live_map_unmap_and_chosen_iova() {
	need_iommu || return 0
	batch 'ioas alloc name A\nioas map --ioas A --length 2M\nioas map --ioas A --memfd --length 1M --iova 16M\nioas iova-ranges\nioas unmap --all\n' -j
	assertEquals 0 "$rc"
	assertNotEquals "chosen IOVA" null "$(echo "$out" | jq '.results[1].iova')"
	assertEquals 3145728 "$(echo "$out" | jq '.results[4].unmapped')"
}

# ---- documentation consistency ------------------------------------------------------

# Every subcommand: "OBJECT VERB" words, from the tool's own help.
subcommands() {
	local obj
	echo "show"
	echo "exec"
	for obj in ioas device hwpt vfio-compat; do
		iommufd-ctl "$obj" help | awk -v o="$obj" '/^Commands:/ { on = 1; next } on && /^  [a-z]/ && $1 != "help" { print o " " $1 }'
	done
}

test_every_long_option_in_man_page_and_completion() {
	local cmd opt n=0
	assertTrue "man page exists" "[ -f '$MAN' ]"
	assertTrue "completion exists" "[ -f '$COMP' ]"
	while read -r cmd; do
		# shellcheck disable=SC2086
		for opt in $(iommufd-ctl $cmd --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
			case $opt in --help | --usage | --version) continue ;; esac
			n=$((n + 1))
			grep -q -- "${opt//-/\\\\-}" "$MAN" || grep -q -- "$opt" "$MAN" ||
				fail "man page lacks $opt of '$cmd'"
			grep -q -- "$opt" "$COMP" || fail "completion lacks $opt of '$cmd'"
		done
		grep -q -- "${cmd##* }" "$COMP" || fail "completion lacks command '$cmd'"
	done < <(subcommands)
	for opt in $(iommufd-ctl --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		case $opt in --help | --usage | --version) continue ;; esac
		grep -q -- "${opt//-/\\\\-}" "$MAN" || fail "man page lacks global $opt"
		grep -q -- "$opt" "$COMP" || fail "completion lacks global $opt"
	done
	assertTrue "checked some options" "[ $n -gt 20 ]"
}

test_man_page_sections_and_completion_syntax() {
	local s
	for s in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "JSON OUTPUT" "EXIT STATUS" EXAMPLES "SEE ALSO"; do
		assertTrue "man page has $s" "grep -q '^\\.SH \"\\?$s\"\\?\$' '$MAN'"
	done
	if command -v man >/dev/null 2>&1; then
		assertTrue "man renders without warnings" \
			"[ -z \"\$(LC_ALL=C MANWIDTH=80 man --warnings -l '$MAN' 2>&1 >/dev/null)\" ]"
	fi
	assertTrue "completion parses" "bash -n '$COMP'"
	assertTrue "completion registers" "grep -q 'complete -F _iommufd_ctl iommufd-ctl' '$COMP'"
}

test_completion_completes_commands_and_names() {
	# shellcheck disable=SC1090
	# Works with bash-completion's helpers and without them.
	. "$COMP"
	COMP_WORDS=(iommufd-ctl io); COMP_CWORD=1; COMP_LINE="iommufd-ctl io"; COMP_POINT=${#COMP_LINE}
	_iommufd_ctl
	assertEquals "top level" "ioas" "${COMPREPLY[*]}"
	COMP_WORDS=(iommufd-ctl ioas map --dm); COMP_CWORD=3; COMP_LINE="iommufd-ctl ioas map --dm"; COMP_POINT=${#COMP_LINE}
	_iommufd_ctl
	assertEquals "options of ioas map" "--dmabuf-fd" "${COMPREPLY[*]}"
	printf 'ioas alloc name Alpha\nioas alloc name Beta\ndevice bind --device 00:03.0 name Dev\n' >"$work/names.batch"
	IOMMUFD_CTL_BATCH=$work/names.batch
	COMP_WORDS=(iommufd-ctl ioas map --ioas ''); COMP_CWORD=4
	COMP_LINE="iommufd-ctl ioas map --ioas "; COMP_POINT=${#COMP_LINE}
	_iommufd_ctl
	assertEquals "IOAS names from the batch file" "Alpha Beta" "${COMPREPLY[*]}"
	COMP_WORDS=(iommufd-ctl device attach --device ''); COMP_CWORD=4
	COMP_LINE="iommufd-ctl device attach --device "; COMP_POINT=${#COMP_LINE}
	DU_SYSFS_ROOT=$work/sys
	mkdir -p "$work/sys/bus/pci/drivers/vfio-pci/0000:00:10.0"
	_iommufd_ctl
	assertEquals "device names and vfio-pci devices" "Dev 0000:00:10.0" "${COMPREPLY[*]}"
	unset IOMMUFD_CTL_BATCH DU_SYSFS_ROOT
}

tap_run_shunit2	# no "$0": shunit2 would then run standalone and fail
