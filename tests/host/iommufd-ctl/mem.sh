#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# iommufd-ctl's named memory objects (mem alloc/open/free/list, ioas map
# --mem) and the batch fast path (issue 14): slices mapped again and again,
# errors for unknown names, slices outside the object, freeing what is
# mapped; the fast path (plain lines: split in place, options without
# argp_parse, results without printf) prints exactly what the full path
# prints; output order with errors; output seen before a batch from a pipe
# waits.  Everything runs with --dry-run unless /dev/iommu is usable (then
# the same batch also runs for real and must agree).
#
# IOMMUFD_CTL_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full"
# runs every invocation under that wrapper.

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/host/iommufd-ctl/lib.sh"

oneTimeSetUp() {
	work=$(mktemp -d)
}

# jqo FILTER: FILTER on the last JSON output
jqo() {
	jq -c "$1" <"$work/out"
}

SLICES='ioas alloc name A
mem alloc name M --length 64K
ioas map --mem M --iova 0x100000
ioas unmap --iova 0x100000 --length 64K
ioas map --mem M --offset 16K --length 16K --iova 0x100000
ioas map --mem M --offset 16K --length 16K --iova 0x200000
ioas map --mem M --length 4K
mem list
ioas unmap --all
mem free --mem M
mem list
'

test_mem_slices_mapped_again_and_again() {
	batch "$SLICES" -n -j
	assertEquals 0 "$rc"
	assertEquals "" "$err"
	assertEquals '["mem","M","M",0,1048576,65536]' \
		"$(jqo '.results[2] | [.source, .what, .mem, .offset, .iova, .length]')"
	assertEquals "the same slice at two IOVAs" '[[16384,1048576,16384],[16384,2097152,16384]]' \
		"$(jqo '[.results[4,5] | [.offset, .iova, .length]]')"
	assertEquals "a kernel-chosen IOVA is modelled" '[4096,true,false]' \
		"$(jqo '.results[6] | [.iova, .iova_modelled, .fixed]')"
	assertEquals "mem list counts the mappings" \
		'[{"mem_id":1,"name":"M","kind":"anon","path":null,"fd":null,"device":null,"bar":null,"size":65536,"size_hex":"0x10000","map_by":"address","readable":true,"writable":true,"mappings":3}]' \
		"$(jqo '.results[7].mem')"
	assertEquals "unmap --all" $((16384 * 2 + 4096)) "$(jqo '.results[8].unmapped')"
	assertEquals "freed" '["M",false]' "$(jqo '.results[9] | [.name, .kept]')"
	assertEquals "gone" '[]' "$(jqo '.results[10].mem')"

	batch "$SLICES" -n
	assertEquals 0 "$rc"
	assertEquals "mem 1 name M anon size 0x10000 mapped by address rw mappings 0
ioas 1: mapped mem (M) offset 0x0 at iova 0x100000 length 0x10000 rw
ioas 1: unmapped [0x100000 +0x10000] 0x10000 bytes
ioas 1: mapped mem (M) offset 0x4000 at iova 0x100000 length 0x4000 rw" "$(sed -n 2,5p "$work/out")"
	assertEquals "ioas 1: mapped mem (M) offset 0x0 at iova 0x1000 (dry run: modelled kernel choice) length 0x1000 rw" \
		"$(sed -n 7p "$work/out")"
	assertEquals "freed mem M" "$(sed -n 10p "$work/out")"
}

test_mem_listed_in_ioas_list_and_show() {
	batch 'ioas alloc name A\nmem alloc name M --length 64K\nioas map --mem M --offset 8K --length 8K --iova 1M\nioas list\nshow\n' -n -j
	assertEquals 0 "$rc"
	assertEquals '[{"iova":1048576,"iova_hex":"0x100000","length":8192,"length_hex":"0x2000","source":"mem","what":"M","offset":8192,"access":"rw"}]' \
		"$(jqo '.results[3].ioas[0].mappings')"
	assertEquals '["ioas","mem"]' "$(jqo '[.results[4].objects[].type]')"
}

test_mem_free_refused_while_mapped() {
	batch 'ioas alloc name A\nmem alloc name M --length 64K\nioas map --mem M --length 4K\nioas map --mem M --offset 4K --length 4K\nmem free --mem M\n' -n -j
	assertEquals 1 "$rc"
	assertEquals "-:5: mem free: memory object 'M' is still mapped (2 mappings): unmap them first" "$err"
	assertEquals "nothing after the failing line" 4 "$(jqo '.results | length')"
	# Destroying the IOAS forgets its mappings: then it can go.
	batch 'ioas alloc name A\nmem alloc name M --length 64K\nioas map --mem M\nioas destroy --ioas A\nmem free --mem M\nmem free --mem M\n' -n
	assertEquals 2 "$rc"
	assertEquals "-:6: mem free: unknown memory object 'M' (make it with 'mem alloc' or 'mem open')" "$err"
	# An IOAS id the context did not allocate: the name goes, the memory
	# stays to the end.
	batch 'mem alloc name M --length 64K\nioas map --ioas 77 --mem M --iova 1M\nmem free --mem M\n' -n -j
	assertEquals 0 "$rc"
	assertEquals '[true,0]' "$(jqo '[.results[2].kept, .results[0].mappings]')"
}

test_mem_open_file_and_fds() {
	truncate -s 64K "$work/data"
	batch "ioas alloc name A\nmem open name F --file $work/data\nioas map --mem F --offset 60K --iova 1M\nmem open name R --file $work/data --access r --mmap\nioas map --mem R --access r --iova 2M\n" -n -j
	assertEquals 0 "$rc"
	assertEquals "" "$err"
	assertEquals '["file","fd",65536,true]' "$(jqo '.results[1] | [.kind, .map_by, .size, .writable]')"
	assertEquals "default length: the rest" '[61440,4096]' "$(jqo '.results[2] | [.offset, .length]')"
	assertEquals '["address",false]' "$(jqo '.results[3] | [.map_by, .writable]')"
	# An fd that is not open in a dry run: taken as what the option says.
	batch 'ioas alloc name A\nmem open name D --dmabuf-fd 97\nioas map --mem D --iova 1M --length 8K\nioas map --mem D --iova 2M\n' -n -j
	assertEquals 0 "$rc"
	assertEquals '["dmabuf",97,false,null]' "$(jqo '.results[1] | [.kind, .fd, .fd_checked, .size]')"
	assertEquals '[8192,null]' "$(jqo '[.results[2,3].length]')"
	batch 'mem open name D --dmabuf-fd 97\n' -n
	assertContains "$out" "(fd 97 is not open: not checked in a dry run)"
	# ... and refused by a real run (before any kernel call).
	batch 'mem open name D --dmabuf-fd 97\n'
	assertEquals 2 "$rc"
	assertEquals "-:1: mem open: --dmabuf-fd 97: no such open file descriptor" "$err"
}

# The lines of a batch take a fast path when they are plain words; quoting
# a word sends the same line through the full lexer and argp: every
# result and every message must be the same.
test_fast_and_full_paths_agree() {
	local plain quoted line mode
	plain='ioas alloc name A
mem alloc name M --length 64K
ioas map --ioas A --mem M --iova 0x100000 --length 16K
ioas map --mem=M --offset=16K --iova=0x200000
ioas unmap --ioas A --iova 0x100000 --length 16K
ioas map --length 4K
ioas unmap --all
ioas map --ioas A --mem M --iova 0x1001
'
	quoted=$(sed 's/^\([a-z]*\) \([a-z]*\)/"\1" '"'"'\2'"'"'/' <<<"$plain")
	for mode in "" -j; do
		batch "$plain" -n -f $mode
		local o1=$out e1=$err r1=$rc
		batch "$quoted" -n -f $mode
		assertEquals "status $mode" "$r1" "$rc"
		assertEquals "stdout $mode" "$o1" "$out"
		assertEquals "stderr $mode" "$e1" "$err"
	done
	assertEquals 2 "$r1"
	assertEquals "-:8: ioas map: --iova '0x1001' is not aligned to the page size (4096)" "$e1"
	# Option values that are help words send the line to the full path.
	for line in 'ioas map --mem --help' 'ioas unmap --iova -h --length 4K' 'mem free --mem --usage'; do
		batch "ioas alloc name A\n$line\n" -n
		assertEquals "'$line'" 2 "$rc"
		assertContains "'$line'" "$err" "is not available in a batch"
	done
	# Unknown and abbreviated options, short options, stray words.
	batch 'ioas alloc name A\nioas unmap --al\n' -n
	assertEquals 2 "$rc"
	assertContains "$err" "-:2: ioas unmap: "
	batch 'mem alloc name M --length 4K\nmem free --mem M extra\n' -n
	assertEquals 2 "$rc"
	assertEquals "-:2: mem free: unexpected argument 'extra'" "$err"
}

# The hot lines' one-pass reader (hot.c) against the usual path
# (IOMMUFD_CTL_NO_HOT_LINES=1): the same results, messages and statuses for
# lines it takes and lines it leaves, in text and JSON, real and dry runs.
HOT_CORPUS='ioas alloc name A
ioas alloc name B
mem alloc name M --length 64K
mem open name R --file $RO --access r
ioas map --ioas A --mem M --iova 0x100000 --length 65536
ioas unmap --ioas A --iova 0x100000 --length 65536
ioas map --ioas=A --mem=M --iova=1M --length=16K --offset=16K --access=rw
ioas map --ioas B --mem M --iova 0X200000 --length 0x4000 --access r
ioas map --ioas B --mem M --iova 0x200000 --length 0x4000
ioas map --ioas B --mem M --iova 0x300000 --length 64k --offset 0
ioas map --ioas B --mem M --iova 0x400000 --length 64K --offset 4K
ioas map --ioas B --mem M --iova 0x400000 --length 60K --offset 64K
ioas map --ioas B --mem M --iova 0x400000 --offset 8K
ioas map --ioas B --mem M --iova 0x500000 --length 68K
ioas map --ioas B --mem R --iova 0x600000 --length 4K
ioas map --ioas B --mem R --iova 0x600000 --length 4K --access r
ioas map --ioas B --mem R --iova 0x700000 --length 4K --access w
ioas map --ioas B --mem X --iova 0x800000
ioas map --ioas B --mem A --iova 0x800000
ioas map --ioas C --mem M --iova 0x800000
ioas map --ioas 99 --mem M --iova 0x900000
ioas map --ioas 1 --mem M --iova 0x900000
ioas map --mem M --iova 0x900000
ioas map --ioas B --mem M --iova 0x1001
ioas map --ioas B --mem M --iova 0x2000 --length 0
ioas map --ioas B --mem M --iova 0x2000 --length 100
ioas map --ioas B --mem M --iova 0x2000 --offset 0x10
ioas map --ioas B --mem M --iova 0xffffffffffff0000 --length 64K
ioas map --ioas B --mem M --iova 0x10000000000000000
ioas map --ioas B --mem M --iova 0x00000000000000001000
ioas map --ioas B --mem M --iova 18446744073709551616
ioas map --ioas B --mem M --iova 16777216T
ioas map --ioas B --mem M --iova 4K --length 4KB
ioas map --ioas B --mem M --iova 4K --iova 8K
ioas map --ioas B --mem M --iova 0xa000 --access x
ioas map --ioas B --mem M --iova 0xb000 --acc r
ioas map --ioas B --mem M --iova 0xb000 --iovas 4K
ioas map --ioas B --mem M --iova
ioas map --ioas B --mem M --iova=
ioas map --ioas B --mem M --iova --length 4K
ioas map --ioas B --mem --length 4K
ioas map --ioas B --mem 0123456789012345678901234567890123 --iova 0xc000
ioas map --ioas B --mem M --file /dev/null
ioas map --ioas B --mem M -- --iova 0xd000
ioas map --ioas B --mem M 0xd000
ioas map --ioas B --mem M --iova 0xd000 # a comment
ioas map	--ioas	B  --mem   M	--iova 0xe000  
   ioas unmap --ioas B --iova 0xe000 --length 64K
ioas unmap --ioas B --iova 0x200000 --length 0x4000
ioas unmap --ioas B --iova 0x200000 --length 0x4000
ioas unmap --ioas B --iova 0x300000
ioas unmap --ioas B --iova 0x300000 --length 4K
ioas unmap --ioas B --iova 0x300000 --length 64K --all
ioas unmap --ioas B --iova 0x300000 --length 64K --offset 0
ioas unmap --ioas B --length 64K --iova 0x300000
ioas unmap --ioas B --iova 0xfffffffffffff000 --length 8K
ioas unmap --ioas B --all
ioas mapx --mem M
ioas  map --mem M --ioas A
mem free --mem M
ioas unmap --ioas A --all
mem free --mem M
ioas map --ioas A --mem M --iova 0x100000
'

test_hot_lines_agree_with_the_usual_path() {
	local mode run o1 e1 r1
	truncate -s 8K "$work/ro"
	export RO=$work/ro
	for run in -n ""; do
		if [ -z "$run" ] && ! iommufd-ctl ioas alloc >/dev/null 2>&1; then
			continue	# no usable /dev/iommu: the dry runs only
		fi
		for mode in "" -j; do
			batch "$HOT_CORPUS" -f $run $mode
			o1=$out e1=$err r1=$rc
			IOMMUFD_CTL_NO_HOT_LINES=1 batch "$HOT_CORPUS" -f $run $mode
			assertEquals "status ${run:-real} $mode" "$rc" "$r1"
			assertEquals "stdout ${run:-real} $mode" "$out" "$o1"
			assertEquals "stderr ${run:-real} $mode" "$err" "$e1"
		done
	done
	# The corpus reaches its errors (the comparison is not of two empty
	# outputs), and the lines after them still run.
	assertEquals "the first failure's status (line 9)" 1 "$r1"
	assertEquals "the last line that works ran" 62 "$(jq '.results[-1].line' <"$work/out")"
	assertContains "$e1" "-:12: ioas map: --offset 0x10000 is at or past the end of memory object 'M'"
	assertContains "$e1" "-:15: ioas map: memory object 'R' is read-only (opened with --access r): map it with --access r"
	assertContains "$e1" "-:42: ioas map: invalid memory object name '0123456789012345678901234567890123'"
	assertContains "$e1" "-:63: ioas map: unknown memory object 'M'"
}

# stdout is written in blocks; a message on stderr comes after the results
# of the lines before it.
test_output_order_with_errors() {
	printf 'ioas alloc name A\nmem alloc name M --length 8K\nioas map --mem M --iova 1M\nioas map --mem M --iova 1M\nioas unmap --all\nmem free --mem X\nmem list\n' >"$work/b"
	iommufd-ctl -n -f -b "$work/b" >"$work/both" 2>&1
	assertEquals 1 "$?"
	assertEquals "ioas 1 name A
mem 1 name M anon size 0x2000 mapped by address rw mappings 0
ioas 1: mapped mem (M) offset 0x0 at iova 0x100000 length 0x2000 rw
$work/b:4: ioas map: IOMMU_IOAS_MAP: [0x100000, 0x102000) overlaps the mapping at 0x100000 (length 0x2000)
ioas 1: unmapped 0x2000 bytes
$work/b:6: mem free: unknown memory object 'X' (make it with 'mem alloc' or 'mem open')
mem 1 name M anon size 0x2000 mapped by address rw mappings 0" "$(cat "$work/both")"
}

# The results of ioas map --mem and ioas unmap wait in a buffer of the
# tool's own (64 KiB); whatever else is written, to stdout or stderr, comes
# after them, however many there are (here over 200 KiB of them, so the
# buffer fills and is written several times).
test_buffered_results_keep_their_place() {
	local i map unmap
	map="ioas map --ioas A --mem M --iova 0x100000 --length 64K"
	unmap="ioas unmap --ioas A --iova 0x100000 --length 64K"
	{
		printf '%s\n' "ioas alloc name A" "mem alloc name M --length 64K"
		for ((i = 0; i < 1800; i++)); do
			printf '%s\n' "$map" "$unmap"
		done
		printf '%s\n' "$map" "mem list" "$unmap" "ioas unmap --ioas A --all" \
			"$map" "show" "$unmap"
	} >"$work/b"
	{
		echo "ioas 1 name A"
		echo "mem 1 name M anon size 0x10000 mapped by address rw mappings 0"
		for ((i = 0; i < 1800; i++)); do
			echo "ioas 1: mapped mem (M) offset 0x0 at iova 0x100000 length 0x10000 rw"
			echo "ioas 1: unmapped [0x100000 +0x10000] 0x10000 bytes"
		done
		echo "ioas 1: mapped mem (M) offset 0x0 at iova 0x100000 length 0x10000 rw"
		echo "mem 1 name M anon size 0x10000 mapped by address rw mappings 1"
		echo "ioas 1: unmapped [0x100000 +0x10000] 0x10000 bytes"
		echo "$work/b:3606: ioas unmap: nothing was mapped in ioas 1"
		echo "ioas 1: mapped mem (M) offset 0x0 at iova 0x100000 length 0x10000 rw"
		echo "ioas 1 name A"
		echo "  iova 0x100000 length 64K mem (M) offset 0x0 rw"
		echo "mem 1 name M"
		echo "ioas 1: unmapped [0x100000 +0x10000] 0x10000 bytes"
	} >"$work/expected"
	iommufd-ctl -n -f -b "$work/b" >"$work/both" 2>&1
	assertEquals 1 "$?"
	assertEquals "$(cat "$work/expected")" "$(cat "$work/both")"
}

# A batch read from a pipe shows each result before it waits for more.
test_output_seen_before_waiting_for_input() {
	local i
	mkfifo "$work/fifo"
	iommufd-ctl -n -b - <"$work/fifo" >"$work/live" 2>&1 &
	local pid=$!
	exec 9>"$work/fifo"
	echo "ioas alloc name A" >&9
	for ((i = 0; i < 100; i++)); do
		grep -qs "ioas 1 name A" "$work/live" && break
		sleep 0.1
	done
	assertContains "result written while the batch waits" "$(cat "$work/live")" "ioas 1 name A"
	exec 9>&-
	wait "$pid"
	assertEquals 0 "$?"
}

# Where /dev/iommu can be used, the same batch runs for real and agrees
# with the dry run (but for the dry run's own keys).
test_real_run_agrees_with_dry_run() {
	if ! iommufd-ctl ioas alloc >/dev/null 2>&1; then
		skip_test "no usable /dev/iommu here (the VM suite iommufd-ctl.sh runs named memory for real)"
		return
	fi
	printf '%s' "$SLICES" >"$work/b"
	iommufd-ctl -n -j -b "$work/b" | jq -c '[.results[] | del(.dry_run, .iova_modelled)]' >"$work/dry"
	iommufd-ctl -j -b "$work/b" | jq -c '[.results[] | del(.dry_run, .iova_modelled)]' >"$work/real"
	assertEquals "$(cat "$work/dry")" "$(cat "$work/real")"
}

tap_run_shunit2	# no "$0": shunit2 would then run standalone and fail
