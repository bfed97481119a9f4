#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# iommufd-ctl batch files under hostile input (issue 13): help lines inside
# a JSON batch, a dry run that must accept exactly what a real run accepts
# (short of the kernel), full FILE:LINE in every message, NUL bytes, CRLF,
# control characters, very long lines and 10^5-line files.  Everything runs
# with --dry-run, so no /dev/iommu is needed.
#
# IOMMUFD_CTL_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full"
# runs every invocation under that wrapper.

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/host/iommufd-ctl/lib.sh"

oneTimeSetUp() {
	work=$(mktemp -d)
}

# json_ok: stdout is exactly one JSON document with a results array.
json_ok() {
	assertEquals "$1: one JSON document on stdout" 1 "$(jq -s length <"$work/out" 2>/dev/null)"
	assertEquals "$1: it has results" true "$(jq '.results | type == "array"' <"$work/out" 2>/dev/null)"
}

# ---- defect 4: help, --help, --usage, -V inside a batch -----------------------

test_help_lines_in_a_json_batch_are_errors() {
	local line
	for line in 'help' 'ioas help' 'ioas --help' 'ioas -h' 'ioas map --help' \
		'ioas map --usage' 'ioas map -h' 'ioas map -?' 'ioas alloc -V' \
		'ioas alloc --version' 'device list --help' 'show --usage' \
		'--help' '-h' '-?' '--usage' '-V' '--version'; do
		batch "ioas alloc name A\n$line\nioas list\n" -n -j
		assertEquals "'$line': bad input" 2 "$rc"
		json_ok "'$line'"
		assertNotContains "'$line': no help text on stdout" "$out" "Usage"
		assertNotContains "'$line': no version on stdout" "$out" "dmabuf-utils"
		assertEquals "'$line': stopped after line 1" "[1]" "$(jq -c '[.results[].line]' <"$work/out")"
		assertContains "'$line': one line naming the line" "$err" "-:2: "
		assertContains "'$line': says why" "$err" "is not available in a batch"
		assertEquals "'$line': one line on stderr" 1 "$(wc -l <"$work/err")"
	done
	batch 'ioas map --help\n' -n -j
	assertEquals "-:1: ioas map: --help is not available in a batch (run 'iommufd-ctl ioas map --help')" "$err"
	batch 'ioas help\n' -n -j
	assertEquals "-:1: 'ioas help' is not available in a batch (run 'iommufd-ctl ioas help')" "$err"
	batch 'ioas alloc -V\n' -n
	assertEquals "-:1: ioas alloc: -V is not available in a batch (run 'iommufd-ctl --version')" "$err"
	batch '--version\n' -n
	assertEquals "-:1: --version is not available in a batch (run 'iommufd-ctl --version')" "$err"
	batch '--usage\n' -n
	assertEquals "-:1: --usage is not available in a batch (run 'iommufd-ctl --help')" "$err"
}

test_help_lines_with_force_keep_one_document() {
	batch 'ioas alloc name A\nhelp\nioas map --usage\nioas alloc name B\n' -n -j -f
	assertEquals "first failure's status" 2 "$rc"
	json_ok "-f"
	assertEquals "the other lines ran" "[1,4]" "$(jq -c '[.results[].line]' <"$work/out")"
	assertEquals "two errors" 2 "$(wc -l <"$work/err")"
}

test_help_in_a_text_batch_is_an_error_too() {
	batch 'ioas alloc name A\nioas --help\n' -n
	assertEquals 2 "$rc"
	assertEquals "ioas 1 name A" "$out"
	assertEquals "-:2: 'ioas help' is not available in a batch (run 'iommufd-ctl ioas help')" "$err"
}

test_exec_arguments_that_look_like_help_are_not_help() {
	batch 'ioas alloc name A\nexec -- echo --help\n' -n -j
	assertEquals "after -- they belong to the program" 0 "$rc"
	assertEquals '"would run echo"' "$(jq -c '.results[1].program | "would run \(.)"' <"$work/out")"
}

test_one_shot_help_with_json_prints_only_the_help() {
	ictl -j ioas map --help
	assertEquals 0 "$rc"
	assertContains "$out" "Usage: iommufd-ctl ioas map"
	assertNotContains "no JSON after the help" "$out" '{"results"'
	ictl -j help
	assertEquals 0 "$rc"
	assertNotContains "$out" '{"results"'
	ictl -j ioas alloc -V
	assertContains "$out" "iommufd-ctl (dmabuf-utils)"
	assertNotContains "$out" '{"results"'
}

# ---- defect 5: the dry run accepts what the real run accepts ---------------------

test_dry_run_tracks_kernel_chosen_iovas() {
	batch 'ioas alloc name A\nioas map --length 4K\nioas unmap --all\n' -n -j
	assertEquals "map at a kernel-chosen IOVA, then unmap --all" 0 "$rc"
	assertEquals "" "$err"
	assertEquals "unmapped what was mapped" 4096 "$(jq '.results[2].unmapped' <"$work/out")"
	assertEquals "the IOVA is the dry run's model" true "$(jq '.results[1].iova_modelled' <"$work/out")"
	assertEquals "not fixed" false "$(jq '.results[1].fixed' <"$work/out")"
	batch 'ioas alloc name A\nioas map --length 4K\nioas unmap --all\n' -n
	assertEquals 0 "$rc"
	assertContains "text says it is modelled" "$out" "at iova 0x1000 (dry run: modelled kernel choice)"
}

test_dry_run_models_iova_allocation() {
	# Lowest free IOVA from 4K up, aligned to the length rounded up to a
	# power of two (at most 2M), as iommufd's iopt_alloc_iova() does.
	batch 'ioas alloc name A\nioas map --length 2M\nioas map --length 4K\nioas map --iova 0x2000 --length 4K\nioas map --length 8K\nioas map --length 3M\nioas map --length 4K\n' -n -j
	assertEquals 0 "$rc"
	assertEquals "[2097152,4096,8192,16384,4194304,12288]" \
		"$(jq -c '[.results[1:][].iova]' <"$work/out")"
	assertEquals "[true,true,null,true,true,true]" \
		"$(jq -c '[.results[1:][].iova_modelled]' <"$work/out")"
	# A later fixed mapping that overlaps a modelled one is refused, as the
	# kernel would refuse it if it had chosen the same IOVA.
	batch 'ioas alloc name A\nioas map --length 4K\nioas map --iova 0x1000 --length 4K\n' -n
	assertEquals 1 "$rc"
	assertEquals "-:3: ioas map: IOMMU_IOAS_MAP: [0x1000, 0x2000) overlaps the mapping at 0x1000 (length 0x1000)" "$err"
	# Unmapping at the modelled IOVA works, and the hole is reused.
	batch 'ioas alloc name A\nioas map --length 4K\nioas map --length 4K\nioas unmap --iova 0x1000 --length 4K\nioas map --length 4K\n' -n -j
	assertEquals 0 "$rc"
	assertEquals "[4096,8192,4096]" "$(jq -c '[.results[1,2,4].iova]' <"$work/out")"
}

# The dry run's mapping set (a treap searched for the lowest fitting hole)
# against a plain list searched from the bottom, in awk, on a random mix of
# kernel-chosen maps, fixed maps (some overlapping: refused) and unmaps.
test_dry_run_iova_model_against_a_naive_one() {
	awk -v seed=13 -v b="$work/model.batch" -v e="$work/model.expected" '
	function alignup(x, a) { return int((x + a - 1) / a) * a }
	function overlaps(s, l,   i) {
		for (i = 1; i <= n; i++)
			if (st[i] < s + l && s < st[i] + ln[i]) return 1
		return 0
	}
	function add(s, l) { n++; st[n] = s; ln[n] = l }
	function choose(l,   p, cur, i, j, t, a, ord) {
		p = 4096; while (p < l) p *= 2; if (p > 2097152) p = 2097152
		for (i = 1; i <= n; i++) ord[i] = i
		for (i = 2; i <= n; i++)	# insertion sort by start
			for (j = i; j > 1 && st[ord[j - 1]] > st[ord[j]]; j--) {
				t = ord[j]; ord[j] = ord[j - 1]; ord[j - 1] = t
			}
		cur = 4096
		for (i = 1; i <= n; i++) {
			a = alignup(cur, p)
			if (a + l <= st[ord[i]]) return a
			if (st[ord[i]] + ln[ord[i]] > cur) cur = st[ord[i]] + ln[ord[i]]
		}
		return alignup(cur, p)
	}
	BEGIN {
		srand(seed); split("4096 8192 12288 65536 1048576 2097152 3145728", sz, " ")
		print "ioas alloc name A" >b; line = 1
		for (k = 0; k < 1500; k++) {
			r = rand(); l = sz[int(rand() * 7) + 1]
			if (r < 0.45) {
				a = choose(l); add(a, l); line++
				print "ioas map --length " l >b
				print line, a >e
			} else if (r < 0.7) {
				a = int(rand() * 16384) * 4096; line++
				print "ioas map --iova " a " --length " l >b
				if (!overlaps(a, l)) { add(a, l); print line, a >e }
			} else if (n) {
				i = int(rand() * n) + 1; line++
				print "ioas unmap --iova " st[i] " --length " ln[i] >b
				st[i] = st[n]; ln[i] = ln[n]; n--
			}
		}
	}' </dev/null
	ictl -n -j -f -b "$work/model.batch"
	assertEquals "only refused overlaps fail" 1 "$rc"
	jq -r '.results[] | select(.command == "ioas map") | "\(.line) \(.iova)"' \
		<"$work/out" >"$work/model.actual"
	assertTrue "some maps ($(wc -l <"$work/model.expected"))" "[ $(wc -l <"$work/model.expected") -gt 500 ]"
	assertEquals "the same IOVAs as the naive model" "" \
		"$(diff "$work/model.expected" "$work/model.actual" | head -5)"
	assertEquals "every failure is an overlap" "" \
		"$(grep -v 'overlaps the mapping' "$work/err" | head -3)"
}

test_dry_run_allow_iovas_restricts_the_model() {
	batch 'ioas alloc name A\nioas allow-iovas --ranges 16M:1M,64M:8M\nioas map --length 1M\nioas map --length 4K\nioas map --length 2M\n' -n -j
	assertEquals 0 "$rc"
	assertEquals "[16777216,67108864,69206016]" "$(jq -c '[.results[2:][].iova]' <"$work/out")"
	batch 'ioas alloc name A\nioas allow-iovas --ranges 16M:1M\nioas map --length 2M\n' -n
	assertEquals "no room: the kernel's ENOSPC" 1 "$rc"
	assertEquals "-:3: ioas map: IOMMU_IOAS_MAP: no free IOVA range of 0x200000 bytes (see 'ioas iova-ranges')" "$err"
}

test_dry_run_copy_is_tracked_like_a_map() {
	batch 'ioas alloc name A\nioas alloc name B\nioas map --ioas A --length 1M\nioas copy --src-ioas A --src-iova 1M --length 1M --ioas B\nioas unmap --ioas B --all\n' -n -j
	assertEquals 0 "$rc"
	assertEquals "copied to a modelled IOVA" 1048576 "$(jq '.results[3].iova' <"$work/out")"
	assertEquals 1048576 "$(jq '.results[4].unmapped' <"$work/out")"
	batch 'ioas alloc name A\nioas alloc name B\nioas map --ioas A --iova 1M --length 1M\nioas copy --src-ioas A --src-iova 4M --length 1M --ioas B\n' -n
	assertEquals "nothing there to copy" 1 "$rc"
	assertEquals "-:4: ioas copy: ioas 1 has no mapping covering [0x400000, +0x100000) (IOMMU_IOAS_COPY takes whole mappings)" "$err"
}

# The README's and EXAMPLES.md's p2p.batch, run as CI would: the DMA-BUF fd
# that vfio-dmabuf exec would pass is not open here.
test_dry_run_accepts_the_p2p_example() {
	cat >"$work/p2p.batch" <<'EOF'
device bind --device 0000:00:10.0 name edu
ioas alloc name A
device attach --device edu --ioas A
ioas map --ioas A --dmabuf-fd $VFIO_DMABUF_FD --iova 0x1000000
exec -- iommufd-edu-dma write 0x1000000 4K 0xc3
EOF
	VFIO_DMABUF_FD=9 ictl -n -j -b "$work/p2p.batch"
	assertEquals "dry run of the example" 0 "$rc"
	assertEquals "" "$err"
	assertEquals "size unknown without the buffer" null "$(jq '.results[3].length' <"$work/out")"
	assertEquals "the fd was not checked" false "$(jq '.results[3].fd_checked' <"$work/out")"
	assertEquals "dmabuf" "$(jq -r '.results[3].source' <"$work/out")"
	VFIO_DMABUF_FD=9 ictl -n -b "$work/p2p.batch"
	assertEquals 0 "$rc"
	assertContains "$out" "fd 9 is not open: not checked in a dry run"
	# An fd that is open is checked as in a real run.
	VFIO_DMABUF_FD=0 ictl_stdin=$work/p2p.batch ictl -n -b "$work/p2p.batch"
	assertEquals 2 "$rc"
	assertEquals "$work/p2p.batch:4: ioas map: --dmabuf-fd 0 is not a DMA-BUF (it is a regular file)" "$err"
	# A later fixed map over it is refused (it covers at least a page).
	printf 'ioas alloc name A\nioas map --dmabuf-fd 47 --iova 16M\nioas map --iova 16M --length 4K\n' >"$work/b2"
	ictl -n -b "$work/b2"
	assertEquals 1 "$rc"
	assertContains "$err" "$work/b2:3: ioas map: IOMMU_IOAS_MAP: [0x1000000, 0x1001000) overlaps the mapping at 0x1000000"
}

# ---- defect 8: the full FILE:LINE in every message ---------------------------------

test_messages_carry_the_file_as_given() {
	local dir=$work/some/dir line msg
	mkdir -p "$dir"
	while IFS='|' read -r line msg; do
		printf 'ioas alloc name A\n%s\n' "$line" >"$dir/x.batch"
		ictl -n -b "$dir/x.batch"
		assertEquals "'$line' is bad input" 2 "$rc"
		assertEquals "$dir/x.batch:2: $msg" "$err"
		(cd "$work/some" && iommufd-ctl -n -b dir/x.batch >/dev/null 2>"$work/err2")
		assertEquals "relative path as given" "dir/x.batch:2: $msg" "$(cat "$work/err2")"
	done <<'EOF'
ioas alloc name|ioas alloc: 'name' needs a value
ioas alloc extra|ioas alloc: unexpected argument 'extra'
ioas map --iova 1 --length 4K|ioas map: --iova '1' is not aligned to the page size (4096)
ioas map --length 1x|ioas map: invalid --length '1x' (a size such as 4096, 0x1000, 4K or 2M)
ioas map --access x --length 4K|ioas map: invalid --access 'x' (rw, r or w)
device bind --device 1:2:3|device bind: invalid PCI address '1:2:3' (DDDD:BB:DD.F or BB:DD.F)
ioas map --length|ioas map: option '--length' requires an argument
EOF
}

test_long_batch_file_names_are_not_cut() {
	local dir
	dir=$work/$(printf 'd%.0s' {1..200})/$(printf 'e%.0s' {1..200})/$(printf 'f%.0s' {1..200})
	mkdir -p "$dir"
	printf 'ioas alloc extra\n' >"$dir/x.batch"
	ictl -n -b "$dir/x.batch"
	assertEquals 2 "$rc"
	assertEquals "$dir/x.batch:1: ioas alloc: unexpected argument 'extra'" "$err"
}

# ---- bad input: NUL, CRLF, control characters, long lines, 10^5 lines -----------------

test_nul_byte_is_refused_with_its_column() {
	batch 'ioas alloc name A\nioas alloc\0 name B\n' -n -j
	assertEquals 2 "$rc"
	assertEquals "-:2: NUL byte at column 11 (a batch file is text)" "$err"
	json_ok "NUL"
	head -c 300 /dev/zero >"$work/zeros"
	ictl -n -b "$work/zeros"
	assertEquals 2 "$rc"
	assertEquals "$work/zeros:1: NUL byte at column 1 (a batch file is text)" "$err"
}

test_crlf_lines_work_like_lf_lines() {
	batch 'ioas alloc name A\r\nioas map --ioas A --iova 1M --length 4K\r\n# comment\r\n\r\nioas list\r\n' -n -j
	assertEquals 0 "$rc"
	assertEquals "" "$err"
	assertEquals "names carry no CR" '"A"' "$(jq -c '.results[0].name' <"$work/out")"
	assertEquals "[1,2,5]" "$(jq -c '[.results[].line]' <"$work/out")"
	batch 'ioas alloc name "A\r\n"\n' -n
	assertEquals "a quote left open at a CRLF" 2 "$rc"
	assertEquals "-:1: unterminated double quote" "$err"
}

test_control_characters_are_refused() {
	batch 'ioas alloc name A\rB\n' -n
	assertEquals "CR inside a line" 2 "$rc"
	assertEquals "-:1: control character 0x0d at column 18 (only tabs and a CRLF line end are allowed)" "$err"
	batch 'ioas alloc name \033[31mA\n' -n
	assertEquals "escape sequence" 2 "$rc"
	assertEquals "-:1: control character 0x1b at column 17 (only tabs and a CRLF line end are allowed)" "$err"
	batch 'ioas\talloc\tname\tA\n' -n
	assertEquals "tabs are blanks" 0 "$rc"
	ICTL_ESC=$(printf 'A\033[2J') batch 'ioas alloc name "$ICTL_ESC"\n' -n
	assertEquals "from a variable" 2 "$rc"
	assertEquals "-:1: \$ICTL_ESC holds a control character (0x1b)" "$err"
}

test_very_long_lines_are_refused_in_bounded_memory() {
	{
		printf 'ioas alloc name A\nioas alloc name '
		head -c 1000000 /dev/zero | tr '\0' 'x'
		printf '\nioas alloc name C\n'
	} >"$work/long"
	ictl -n -b "$work/long"
	assertEquals 2 "$rc"
	assertEquals "$work/long:2: line longer than 65535 bytes" "$err"
	ictl -n -f -j -b "$work/long"
	assertEquals "-f: the first failure's status" 2 "$rc"
	assertEquals "-f: the next line runs and is numbered right" "[1,3]" "$(jq -c '[.results[].line]' <"$work/out")"
	# A line of exactly the limit is fine (a comment here).
	{ printf '#'; head -c 65534 /dev/zero | tr '\0' 'x'; printf '\nioas alloc\n'; } >"$work/limit"
	ictl -n -b "$work/limit"
	assertEquals "a line of 65535 bytes" 0 "$rc"
	{ printf '#'; head -c 65535 /dev/zero | tr '\0' 'x'; } >"$work/nolf"
	ictl -n -b "$work/nolf"
	assertEquals "one byte more, without a newline" 2 "$rc"
	assertEquals "$work/nolf:1: line longer than 65535 bytes" "$err"
}

test_batch_file_that_is_not_a_file() {
	ictl -n -b "$work"
	assertEquals "a directory" 2 "$rc"
	assertEquals "iommufd-ctl: batch file '$work' is a directory" "$err"
	ictl_stdin=$work ictl -n -b -
	assertEquals "a directory on stdin" 2 "$rc"
	assertEquals "iommufd-ctl: batch file '-' is a directory" "$err"
	ictl -n -b "$work/none"
	assertEquals "missing" 2 "$rc"
	assertEquals "iommufd-ctl: cannot open batch file '$work/none': No such file or directory" "$err"
}

test_last_line_without_newline_and_empty_files() {
	batch 'ioas alloc name A\nioas alloc name B' -n -j
	assertEquals 0 "$rc"
	assertEquals '["A","B"]' "$(jq -c '[.results[].name]' <"$work/out")"
	: >"$work/empty"
	ictl -n -j -b "$work/empty"
	assertEquals 0 "$rc"
	assertEquals '{"results":[]}' "$out"
}

test_hundred_thousand_lines() {
	awk 'BEGIN { for (i = 1; i <= 100000; i++) printf "ioas alloc name A%d\n", i }' >"$work/big"
	ictl -n -j -b "$work/big"
	assertEquals 0 "$rc"
	assertEquals "" "$err"
	assertEquals 100000 "$(jq '.results | length' <"$work/out")"
	assertEquals '[100000,"A100000",100000]' "$(jq -c '.results[-1] | [.line, .name, .ioas_id]' <"$work/out")"
	# Names stay unique and found among 10^5 objects; errors name the line.
	echo "ioas alloc name A77777" >>"$work/big"
	ictl -n -b "$work/big"
	assertEquals 2 "$rc"
	assertEquals "$work/big:100001: ioas alloc: the name 'A77777' is already taken" "$err"
	awk 'BEGIN { print "ioas alloc name A"; for (i = 1; i <= 50000; i++) { print "ioas map --length 4K"; print "ioas unmap --iova " i * 4096 " --length 4K"; print "ioas map --length 4K" } ; print "ioas unmap --all" }' >"$work/maps"
	ictl -n -j -b "$work/maps"
	assertEquals "10^5 kernel-chosen maps" 0 "$rc"
	assertEquals "" "$err"
	assertEquals "all of them unmapped at the end" $((50000 * 4096)) "$(jq '.results[-1].unmapped' <"$work/out")"
}

tap_run_shunit2	# no "$0": shunit2 would then run standalone and fail
