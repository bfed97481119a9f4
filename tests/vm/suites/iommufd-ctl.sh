#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# iommufd-ctl in the guest: IOAS operations against the real kernel, and
# proof that mappings are real: edu's DMA engine (driven by the helper
# iommufd-edu-dma through `iommufd-ctl exec`) reads and writes through
# them; a VFIO DMA-BUF of the ivshmem BAR (exported by `vfio-dmabuf exec`)
# mapped with IOMMU_IOAS_MAP_FILE receives edu's DMA, checked in the BAR's
# backing file; a revoked buffer's mapping is gone.  Issue 12: the BAR and
# an exported buffer mapped by the address of iommufd-ctl's own mmap()
# (ioas map --device/--bar, --mmap-fd; vfio-compat map through the
# compatibility container) receive edu's DMA the same way; these tests
# need a kernel that maps BARs by address and fail on one that does not
# (EFAULT, exit status 3).  Profile: p2p.
#
#   tests/vm/run-vm.sh --profile p2p --suite iommufd-ctl

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/vm/lib/vm-suite.sh"

# ivshmem BAR2 ranges used here. The suites of one guest share the backing
# file and the host checks it after the last suite, so these stay apart
# from each other and from the ranges of the suites that run beside this
# one in scripts/test-all.sh (base: 2M, 8M; series-dmabuf: 2M-4M, 27M-31M;
# vfio-dmabuf: 32M-49M):
#   0x1000000  DMA-BUF mapping test        (16 MiB)
#   0x1400000  revoke test                 (20 MiB)
#   0x1800000  multi-range export          (24 MiB)
#   0x3200000  BAR by address              (50 MiB)
#   0x3400000  exported buffer by address  (52 MiB)
#   0x3600000  BAR by address, compat      (54 MiB)
#   0x3800000  revoke by address           (56 MiB)
#   0x3a00000  multi-range by address      (58 MiB)
DMABUF_OFF=0x1000000
REVOKE_OFF=0x1400000
MULTI_OFF=0x1800000
BYADDR_BAR_OFF=0x3200000
BYADDR_DMABUF_OFF=0x3400000
BYADDR_COMPAT_OFF=0x3600000
BYADDR_REVOKE_OFF=0x3800000
BYADDR_MULTI_OFF=0x3a00000

oneTimeSetUp() {
	work=$(mktemp -d "$PWD/ictl.XXXXXX")
}

oneTimeTearDown() {
	rm -rf "$work"
}

# ictl_batch TEXT [ARGS...]: run TEXT as a batch; $out, $err, $rc.
ictl_batch() {
	local text=$1
	shift
	printf '%s\n' "$text" >"$work/batch"
	iommufd-ctl "$@" -b "$work/batch" >"$work/out" 2>"$work/err"
	rc=$?
	out=$(cat "$work/out")
	err=$(cat "$work/err")
	[ "$rc" = 0 ] || tap_diag "batch exit $rc: $err"
	cat "$work/out" "$work/err" >&2
}

# broker_batch SOCKET ID: run $work/batch under the broker's buffer ID
# (VFIO_DMABUF_FD) at most 120 s, then stop the broker; $rc, and $after
# the DMA remapping faults so far.
broker_batch() {
	timeout 120 vfio-dmabuf exec --socket "$1" --id "$2" -- \
		iommufd-ctl -f -b "$work/batch" >"$work/out" 2>"$work/err"
	rc=$?
	after=$(vm_dmar_faults)
	cat "$work/out" "$work/err" >&2
	vfio-dmabuf stop --socket "$1" >&2 2>&1
}

# mkfile FILE LENGTH BYTE: a tmpfs file of LENGTH bytes of BYTE (numbers).
mkfile() {
	head -c "$(($2))" /dev/zero | tr '\0' "\\$(printf '%03o' "$(($3))")" >"$1"
}

# bytes FILE OFFSET LENGTH: hex bytes.
bytes() {
	od -An -tx1 -v -j "$(($2))" -N "$(($3))" "$1" | tr -d ' \n'
}

# The edu device bound and attached to IOAS A, as the first lines of a batch.
EDU_SETUP="device bind --device $DU_EDU_BDF name edu
ioas alloc name A
device attach --device edu --ioas A"

# ---- the kernel, without a device ------------------------------------------

test_iommu_opens_and_fresh_ioas_has_ranges() {
	assertTrue "/dev/iommu is a character device" "[ -c /dev/iommu ]"
	iommufd-ctl -j ioas iova-ranges >"$work/out"
	assertEquals 0 "$?"
	assertTrue "at least one usable range" "[ $(jq '.results[0].ranges | length' "$work/out") -ge 1 ]"
	# Without an attached domain the IOAS imposes no alignment (1).
	assertTrue "alignment is a power of two" \
		"[ \$(( $(jq '.results[0].alignment' "$work/out") & ($(jq '.results[0].alignment' "$work/out") - 1) )) = 0 ]"
}

test_batch_example_form_as_written() {
	printf 'ioas alloc name A\nioas map --ioas A --iova 0x100000 --length 2M\n' |
		iommufd-ctl -b - >"$work/out" 2>"$work/err"
	assertEquals 0 "$?"
	assertContains "$(cat "$work/out")" "mapped anon at iova 0x100000 length 0x200000 rw"
}

test_kernel_chosen_iova_unmap_lengths() {
	ictl_batch "ioas alloc name A
ioas map --ioas A --length 2M
ioas map --ioas A --memfd --length 1M --iova 64M
ioas unmap --ioas A --iova 64M --length 4M
ioas map --ioas A --memfd --length 1M --iova 64M
ioas unmap --ioas A --all" -j
	assertEquals 0 "$rc"
	assertNotEquals "IOVA chosen" null "$(echo "$out" | jq '.results[1].iova')"
	assertEquals "not fixed" false "$(echo "$out" | jq '.results[1].fixed')"
	assertEquals "range unmap length" 1048576 "$(echo "$out" | jq '.results[3].unmapped')"
	assertEquals "unmap all length" $((3 * 1048576)) "$(echo "$out" | jq '.results[5].unmapped')"
	ictl_batch "ioas alloc name A
ioas map --ioas A --length 1M --iova 16M
ioas unmap --ioas A --iova 32M --length 1M"
	assertEquals "unmap that matches nothing" 1 "$rc"
	assertContains "$err" "$work/batch:3: ioas unmap: nothing mapped in [0x2000000, 0x2100000)"
}

test_dry_run_agrees_with_the_kernel() {
	# Without a device (no reserved regions, no IOAS alignment) and with
	# memfds mapped from offset 0, iommufd chooses IOVAs by the rule the
	# dry run models (iopt_alloc_iova(): lowest free IOVA from 4K, aligned
	# to the length rounded up to a power of two, at most 2M, inside the
	# allowed ranges): both runs must give the same IOVAs and statuses.
	local text real dry
	text="ioas alloc name A
ioas alloc name C
ioas map --ioas A --memfd --length 2M
ioas map --ioas A --memfd --length 4K
ioas map --ioas A --memfd --length 4K --iova 0x2000
ioas map --ioas A --memfd --length 8K
ioas map --ioas A --memfd --length 3M
ioas map --ioas A --memfd --length 4K
ioas unmap --ioas A --iova 0x1000 --length 4K
ioas map --ioas A --memfd --length 4K
ioas allow-iovas --ioas C --ranges 16M:1M,64M:8M
ioas map --ioas C --memfd --length 1M
ioas map --ioas C --memfd --length 4K
ioas map --ioas C --memfd --length 2M
ioas unmap --ioas A --all
ioas unmap --ioas C --all"
	ictl_batch "$text" -j
	assertEquals "real run" 0 "$rc"
	real=$out
	ictl_batch "$text" -n -j
	assertEquals "dry run" 0 "$rc"
	dry=$out
	assertEquals "the same IOVAs" "$(echo "$real" | jq -c '[.results[].iova]')" \
		"$(echo "$dry" | jq -c '[.results[].iova]')"
	assertEquals "the same bytes unmapped" "$(echo "$real" | jq -c '[.results[].unmapped]')" \
		"$(echo "$dry" | jq -c '[.results[].unmapped]')"
	# And where the kernel refuses, the dry run refuses the same way.
	text="ioas alloc name A
ioas allow-iovas --ranges 16M:1M
ioas map --memfd --length 1M
ioas map --memfd --length 4K"
	ictl_batch "$text"
	assertEquals "real: no room" 1 "$rc"
	real=$err
	ictl_batch "$text" -n
	assertEquals "dry: no room" 1 "$rc"
	assertEquals "the same message" "$real" "$err"
}

test_kernel_refuses_overlap_and_cut() {
	ictl_batch "ioas alloc name A
ioas map --ioas A --iova 0x100000 --length 2M
ioas map --ioas A --iova 0x200000 --length 2M"
	assertEquals 1 "$rc"
	assertEquals "$work/batch:3: ioas map: IOMMU_IOAS_MAP: [0x200000, 0x400000) overlaps the mapping at 0x100000 (length 0x200000)" "$err"
	ictl_batch "ioas alloc name A
ioas map --ioas A --iova 0x100000 --length 2M
ioas unmap --ioas A --iova 0x100000 --length 1M"
	assertEquals 1 "$rc"
	assertContains "$err" "cuts through the mapping at 0x100000"
}

test_options_allow_iovas_copy_compat() {
	local iova
	ictl_batch "ioas alloc name A
ioas alloc name B
ioas option --ioas A
ioas option --ioas A --huge-pages off
ioas map --ioas A --memfd --length 1M --iova 40M
ioas allow-iovas --ioas A --ranges 48M:16M
ioas map --ioas A --length 1M
ioas copy --src-ioas A --src-iova 40M --length 1M --ioas B --iova 8M
vfio-compat show
vfio-compat set --ioas B
vfio-compat show
show" -j
	assertEquals 0 "$rc"
	assertEquals "huge pages default" true "$(echo "$out" | jq '.results[2].huge_pages')"
	assertEquals "huge pages off" false "$(echo "$out" | jq '.results[3].huge_pages')"
	iova=$(echo "$out" | jq '.results[6].iova')
	assertTrue "chosen IOVA inside the allowed range ($iova)" "[ '$iova' -ge $((48 << 20)) -a '$iova' -lt $((64 << 20)) ]"
	assertEquals "copied to 8M" $((8 << 20)) "$(echo "$out" | jq '.results[7].iova')"
	assertEquals "no compat IOAS at first" null "$(echo "$out" | jq '.results[8].ioas_id')"
	assertEquals "compat IOAS is B" "B" "$(echo "$out" | jq -r '.results[10].name')"
	assertEquals "B has the copy" "copy" "$(echo "$out" | jq -r '.results[11].objects[] | select(.name == "B") | .mappings[0].source')"
}

test_mock_domain_sees_file_and_copy_mappings() {
	# CONFIG_IOMMUFD_TEST: a mock device attached to the IOAS the batch
	# built; the kernel checks that the IOVAs translate to the file's pages.
	mkfile "$work/m1" $((128 << 10)) 0x01
	mkfile "$work/m2" $((128 << 10)) 0x02
	ictl_batch "ioas alloc name A
ioas alloc name B
ioas map --ioas A --file $work/m1 --iova 32M
ioas map --ioas A --file $work/m2 --offset 64K --iova 48M
ioas copy --src-ioas A --src-iova 32M --length 128K --ioas B --iova 64M
exec --ioas A -- iommufd-mock check-map 32M 128K $work/m1
exec --ioas A -- iommufd-mock check-map 48M 64K $work/m2 64K
exec --ioas B -- iommufd-mock check-map 64M 128K $work/m1"
	if grep -q "no iommufd selftest" "$work/err"; then
		skip_test "kernel built without CONFIG_IOMMUFD_TEST"
		return 0
	fi
	assertEquals 0 "$rc"
	assertContains "$out" "iova 0x2000000 length 0x20000 maps $work/m1 at 0x0"
	assertContains "$out" "iova 0x3000000 length 0x10000 maps $work/m2 at 0x10000"
	assertContains "the copy maps the same pages" "$out" "iova 0x4000000 length 0x20000 maps $work/m1"
	# The check can fail: the wrong file, and an unmapped range.
	ictl_batch "ioas alloc name A
ioas map --ioas A --file $work/m1 --iova 32M
exec -- iommufd-mock check-map 32M 128K $work/m2"
	assertEquals "wrong pages are noticed" 1 "$rc"
	assertContains "$err" "does not map the pages of $work/m2"
	ictl_batch "ioas alloc name A
ioas map --ioas A --file $work/m1 --iova 32M
ioas unmap --ioas A --all
exec -- iommufd-mock check-map 32M 128K $work/m1"
	assertEquals "unmapped is noticed" 1 "$rc"
	assertContains "$err" "does not map the pages"
}

test_named_memory_slices_are_the_objects_pages() {
	# Issue 14: a memory object opened once (by fd, and mmap()ed), its
	# slices mapped again and again; the mock domain checks that each IOVA
	# range translates to the right pages of the file.
	mkfile "$work/n1" $((256 << 10)) 0x11
	ictl_batch "ioas alloc name A
mem open name F --file $work/n1
mem open name P --file $work/n1 --mmap
ioas map --mem F --offset 64K --length 64K --iova 32M
ioas unmap --iova 32M --length 64K
ioas map --mem F --offset 128K --length 64K --iova 32M
ioas map --mem P --offset 192K --length 64K --iova 48M
exec -- iommufd-mock check-map 32M 64K $work/n1 128K
exec -- iommufd-mock check-map 48M 64K $work/n1 192K
ioas unmap --all
mem free --mem F
mem free --mem P
mem list" -j
	if grep -q "no iommufd selftest" "$work/err"; then
		skip_test "kernel built without CONFIG_IOMMUFD_TEST"
		return 0
	fi
	assertEquals 0 "$rc"
	assertEquals "by fd, then by address" '["fd","address"]' "$(jq -c '[.results[1,2].map_by]' "$work/out")"
	assertEquals "[33554432,33554432,50331648]" "$(jq -c '[.results[3,5,6].iova]' "$work/out")"
	assertEquals "both objects freed" "[]" "$(jq -c '.results[-1].mem' "$work/out")"
	# The check can fail: the slice is not where another offset is.
	ictl_batch "ioas alloc name A
mem open name F --file $work/n1
ioas map --mem F --offset 64K --length 64K --iova 32M
exec -- iommufd-mock check-map 32M 64K $work/n1 0"
	assertEquals "the wrong offset is noticed" 1 "$rc"
	# The dry run of the first batch agrees with the real one.
	ictl_batch "ioas alloc name A
mem open name F --file $work/n1
ioas map --mem F --offset 64K --length 64K
ioas map --mem F --length 4K
ioas unmap --all
mem free --mem F" -j
	jq -c '[.results[] | del(.dry_run, .iova_modelled)]' "$work/out" >"$work/real"
	ictl_batch "ioas alloc name A
mem open name F --file $work/n1
ioas map --mem F --offset 64K --length 64K
ioas map --mem F --length 4K
ioas unmap --all
mem free --mem F" -j -n
	assertEquals "dry run = real run" "$(cat "$work/real")" \
		"$(jq -c '[.results[] | del(.dry_run, .iova_modelled)]' "$work/out")"
}

test_revoked_dmabuf_is_explained_with_the_selftest_exporter() {
	# The selftest's own DMA-BUF exporter (CONFIG_IOMMUFD_TEST) can be
	# revoked on the base kernel, like a VFIO DMA-BUF with the series.
	cat >"$work/batch" <<'EOF'
ioas alloc name A
ioas map --ioas A --dmabuf-fd $IOMMUFD_MOCK_DMABUF_FD --iova 16M
exec -- iommufd-mock dmabuf-revoke $IOMMUFD_MOCK_DMABUF_FD
ioas unmap --ioas A --iova 16M --length 2M
ioas map --ioas A --dmabuf-fd $IOMMUFD_MOCK_DMABUF_FD --iova 32M
EOF
	iommufd-mock dmabuf-exec 2M -- iommufd-ctl -j -f -b "$work/batch" >"$work/out" 2>"$work/err"
	rc=$?
	cat "$work/out" "$work/err" >&2
	if grep -q "no iommufd selftest" "$work/err"; then
		skip_test "kernel built without CONFIG_IOMMUFD_TEST"
		return 0
	fi
	assertEquals "the map of the revoked buffer: exit status 4" 4 "$rc"
	assertEquals "$work/batch:5: ioas map: IOMMU_IOAS_MAP_FILE: the DMA-BUF was revoked (ENODEV): export a new one" \
		"$(grep -v '^revoked' "$work/err")"
	assertEquals "mapped as a DMA-BUF" dmabuf "$(jq -r '.results[1].source' "$work/out")"
	assertEquals "whole buffer by default" $((2 << 20)) "$(jq '.results[1].length' "$work/out")"
	assertEquals "the revoked mapping still unmaps whole" $((2 << 20)) "$(jq '.results[3].unmapped' "$work/out")"
}

# ---- edu: DMA through the mappings -----------------------------------------

test_device_bind_attach_hwinfo() {
	ictl_batch "$EDU_SETUP
device hw-info --device edu
device list
device detach --device edu
ioas alloc name B
device attach --device edu --ioas B
device replace --device edu --ioas A" -j
	assertEquals 0 "$rc"
	assertEquals "bound by address" "$DU_EDU_BDF" "$(echo "$out" | jq -r '.results[0].device')"
	assertEquals "cdev" "$(basename "$DU_EDU_VFIO")" "$(echo "$out" | jq -r '.results[0].cdev')"
	assertEquals "attached" true "$(echo "$out" | jq '.results[2].attached')"
	assertNotEquals "a HWPT" null "$(echo "$out" | jq '.results[2].hwpt_id')"
	assertEquals "intel-vtd" "$(echo "$out" | jq -r '.results[3].type')"
	assertEquals "replaced onto A" "$(echo "$out" | jq '.results[1].ioas_id')" "$(echo "$out" | jq '.results[8].pt_id')"
	iommufd-ctl device attach --device "$DU_EDU_BDF" >"$work/out" 2>&1
	assertEquals "one-shot attach to a fresh IOAS" 0 "$?"
}

test_exec_passes_fds_and_keeps_streams_apart() {
	# Single quotes: the batch must not expand these; the child's shell does.
	printf '%s\n' "device bind --device $DU_EDU_BDF name edu" "ioas alloc name A" \
		"exec -- sh -c 'echo fd=\$IOMMUFD_CTL_FD dev=\$IOMMUFD_CTL_DEVICE_FD id=\$IOMMUFD_CTL_DEVICE_ID ioas=\$IOMMUFD_CTL_IOAS_ID devs=\$IOMMUFD_CTL_DEVICES; readlink /proc/self/fd/\$IOMMUFD_CTL_FD /proc/self/fd/\$IOMMUFD_CTL_DEVICE_FD; if read x; then echo stdin:\$x; else echo stdin-empty; fi'" \
		"show" |
		iommufd-ctl -j -b - >"$work/out" 2>"$work/err"
	rc=$?
	cat "$work/out" "$work/err" >&2
	assertEquals 0 "$rc"
	assertEquals "stdout is one JSON document" 1 "$(jq -s length "$work/out")"
	local fd dev id ioas
	fd=$(jq '.results[3].iommufd' "$work/out")
	dev=$(jq '.results[0].fd' "$work/out")
	id=$(jq '.results[0].dev_id' "$work/out")
	ioas=$(jq '.results[1].ioas_id' "$work/out")
	assertContains "child's output went to stderr" "$(cat "$work/err")" \
		"fd=$fd dev=$dev id=$id ioas=$ioas devs=edu=$dev"
	assertContains "the iommufd is inherited" "$(cat "$work/err")" "/dev/iommu"
	assertContains "the device fd is inherited" "$(cat "$work/err")" "$DU_EDU_VFIO"
	assertContains "the batch on stdin is not passed on" "$(cat "$work/err")" "stdin-empty"
	assertEquals "exit status recorded" 0 "$(jq '.results[2].exit_status' "$work/out")"
	printf 'ioas alloc name A\nexec -- sh -c "exit 3"\nioas alloc name B\n' | iommufd-ctl -b - >"$work/out" 2>"$work/err"
	assertEquals "a failing program fails the batch" 1 "$?"
	assertContains "$(cat "$work/err")" "-:2: exec: 'sh' exited with status 3"
	assertNotContains "and stops it" "$(cat "$work/out")" "name B"
}

test_edu_dma_through_file_mappings() {
	mkfile "$work/src" 8192 0x5a
	mkfile "$work/dst" 8192 0
	ictl_batch "$EDU_SETUP
ioas map --ioas A --file $work/src --iova 0x100000 --access r
ioas map --ioas A --file $work/dst --iova 0x200000
exec -- iommufd-edu-dma copy 0x100000 0x200000 8K"
	assertEquals 0 "$rc"
	assertEquals "edu read src and wrote dst through the IOAS" \
		"$(bytes "$work/src" 0 8192)" "$(bytes "$work/dst" 0 8192)"
}

test_edu_dma_through_named_memory_mapped_again_and_again() {
	# Issue 14: one buffer (anonymous memory and a memfd made once), a
	# slice mapped and unmapped 500 times; edu's DMA goes through the last
	# mapping into the buffer, and a second slice of the same memfd sees
	# what edu wrote.
	local i lines=""
	for ((i = 0; i < 500; i++)); do
		lines+="ioas map --mem M --offset 64K --length 64K --iova 0x400000
ioas unmap --iova 0x400000 --length 64K
"
	done
	ictl_batch "$EDU_SETUP
mem alloc name M --length 1M
mem alloc name D --length 1M --memfd
$lines
ioas map --mem M --offset 64K --length 64K --iova 0x400000
exec -- iommufd-edu-dma write 0x400000 4K 0x7e
exec -- iommufd-edu-dma read 0x400000 4K 0x7e
ioas map --mem D --length 64K --iova 0x500000
ioas map --mem D --length 64K --iova 0x600000
exec -- iommufd-edu-dma write 0x500000 4K 0x3c
exec -- iommufd-edu-dma read 0x600000 4K 0x3c
mem list"
	assertEquals 0 "$rc"
	assertEquals "500 unmaps of 64K" 500 "$(grep -c 'unmapped \[0x400000 +0x10000\] 0x10000 bytes' "$work/out")"
	assertContains "$out" "read 4096 bytes at iova 0x400000: 7e 7e"
	assertContains "two IOVAs, one memfd" "$out" "read 4096 bytes at iova 0x600000: 3c 3c"
	assertContains "$out" "mem 2 name D memfd size 0x100000 mapped by fd rw mappings 2"
}

test_edu_dma_anonymous_and_memfd_round_trip() {
	ictl_batch "$EDU_SETUP
ioas map --ioas A --iova 0x300000 --length 2M
exec -- iommufd-edu-dma read 0x300000 4K 0x00
exec -- iommufd-edu-dma write 0x301000 4K 0xa5
exec -- iommufd-edu-dma read 0x301000 4K 0xa5
ioas map --ioas A --memfd --iova 0x600000 --length 1M
exec -- iommufd-edu-dma write 0x600000 8K 0x3f
exec -- iommufd-edu-dma read 0x600000 8K 0x3f"
	assertEquals 0 "$rc"
	assertContains "fresh anonymous memory is zero" "$out" "read 4096 bytes at iova 0x300000: 00 00"
	assertContains "$out" "read 4096 bytes at iova 0x301000: a5 a5"
	assertContains "$out" "read 8192 bytes at iova 0x600000: 3f 3f"
}

test_edu_dma_through_a_copy_after_the_source_is_unmapped() {
	# ioas copy shares the pages of A's anonymous mapping with B; unmapping
	# it in A must not free the memory while B still maps it (B has no
	# domain until the replace, which pins the pages then).
	ictl_batch "$EDU_SETUP
ioas alloc name B
ioas map --ioas A --iova 0x300000 --length 64K
exec -- iommufd-edu-dma write 0x300000 8K 0x5c
ioas copy --src-ioas A --src-iova 0x300000 --length 64K --ioas B --iova 0x700000
ioas unmap --ioas A --iova 0x300000 --length 64K
device replace --device edu --ioas B
exec --ioas B -- iommufd-edu-dma read 0x700000 8K 0x5c"
	assertEquals 0 "$rc"
	assertContains "$out" "read 8192 bytes at iova 0x700000: 5c 5c"
}

test_unmapped_and_readonly_iova_dma_is_blocked() {
	local before after
	mkfile "$work/ro" 4096 0x11
	before=$(vm_dmar_faults)
	ictl_batch "$EDU_SETUP
ioas map --ioas A --file $work/ro --iova 0x100000 --access r
ioas map --ioas A --iova 0x200000 --length 4K
exec -- iommufd-edu-dma write 0x200000 4K 0x22
ioas unmap --ioas A --iova 0x200000 --length 4K
exec -- iommufd-edu-dma write 0x100000 4K 0x33
exec -- iommufd-edu-dma write 0x200000 4K 0x44"
	assertEquals 0 "$rc"
	after=$(vm_dmar_faults)
	assertEquals "read-only mapping not written" "$(printf '11%.0s' $(seq 4096))" "$(bytes "$work/ro" 0 4096)"
	assertTrue "DMA to read-only and unmapped IOVAs faulted ($before -> $after)" "[ $after -ge $((before + 2)) ]"
}

test_no_leaks_or_memory_errors_valgrind_or_asan() {
	local asan=
	# An ASan build (configure --enable-asan, as scripts/test-all.sh
	# builds) cannot run under valgrind; ASan and LeakSanitizer then do
	# the same checks in the process itself.
	if ldd "$(command -v iommufd-ctl)" 2>/dev/null | grep -q libasan; then
		asan=yes
	elif ! command -v valgrind >/dev/null; then
		skip_test "valgrind is not installed"
		return 0
	fi
	mkfile "$work/v" 65536 0x7e
	cat >"$work/batch" <<EOF
$EDU_SETUP
ioas alloc name B
ioas map --ioas A --iova 0x100000 --length 64K
ioas map --ioas A --iova 0x200000 --length 64K
ioas map --ioas A --memfd --length 64K
ioas map --ioas A --file $work/v --iova 0x400000
mem alloc name M --length 64K
mem alloc name N --length 64K --memfd
mem open name F --file $work/v --mmap
ioas map --ioas A --mem M --iova 0x500000
ioas map --ioas A --mem N --iova 0x600000
ioas map --ioas A --mem F --offset 4K --length 8K --iova 0x700000
ioas unmap --ioas A --iova 0x500000 --length 64K
mem free --mem M
ioas copy --src-ioas A --src-iova 0x100000 --length 64K --ioas B
ioas unmap --ioas A --iova 0x200000 --length 64K
ioas unmap --ioas A --iova 0x900000 --length 64K
ioas iova-ranges --ioas A
ioas option --ioas B --huge-pages off
hwpt alloc --device edu --ioas B name H
device replace --device edu --hwpt H
device hw-info
vfio-compat set --ioas B
vfio-compat show
exec -- true
show
device detach
hwpt destroy --hwpt H
ioas destroy --ioas B
ioas unmap --all
EOF
	if [ -n "$asan" ]; then
		ASAN_OPTIONS=exitcode=99:detect_leaks=1 LSAN_OPTIONS=exitcode=99 \
			iommufd-ctl -j -f -b "$work/batch" >"$work/out" 2>"$work/err"
		rc=$?
		cat "$work/err" >&2
		assertEquals "only the unmap that matches nothing fails (99: ASan/LSan report)" 1 "$rc"
		assertNotContains "no ASan or LeakSanitizer report" "$(cat "$work/err")" "Sanitizer"
		assertEquals "31 of 32 lines succeeded" 31 "$(jq '.results | length' "$work/out")"
		return 0
	fi
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		iommufd-ctl -j -f -b "$work/batch" >"$work/out" 2>"$work/err"
	rc=$?
	cat "$work/err" >&2
	# (valgrind does not know the iommufd and VFIO ioctls: it warns about
	# each once; the library zeroes every argument struct before use.)
	assertEquals "only the unmap that matches nothing fails (99: valgrind errors)" 1 "$rc"
	assertEquals "no valgrind error or leak" "" \
		"$(grep '^==[0-9]*==' "$work/err" | grep -v 'unhandled ioctl\|spurious value errors\|README_MISSING_SYSCALL')"
	assertEquals "31 of 32 lines succeeded" 31 "$(jq '.results | length' "$work/out")"
}

# ---- DMA-BUF: ivshmem BAR2 exported by vfio-dmabuf ---------------------------

need_vfio_dmabuf() {
	command -v vfio-dmabuf >/dev/null && vfio-dmabuf help 2>/dev/null | grep -q '^ *exec' && return 0
	skip_test "vfio-dmabuf (with 'exec') is not built yet"
	return 1
}

test_dmabuf_map_and_edu_dma_into_ivshmem() {
	need_vfio_dmabuf || return 0
	vm_fill "$DU_IVSHMEM_FILE" "$DMABUF_OFF" 8192 0
	mkfile "$work/pattern" 8192 0xc3
	cat >"$work/batch" <<EOF
$EDU_SETUP
ioas map --ioas A --file $work/pattern --iova 0x100000 --access r
ioas map --ioas A --dmabuf-fd \$VFIO_DMABUF_FD --iova 0x1000000
exec -- iommufd-edu-dma copy 0x100000 0x1000000 8K
show
EOF
	vfio-dmabuf exec --device "$DU_IVSHMEM_BDF" --bar 2 --range "$DMABUF_OFF:2M" -- \
		iommufd-ctl -j -b "$work/batch" >"$work/out" 2>"$work/err"
	rc=$?
	cat "$work/out" "$work/err" >&2
	assertEquals 0 "$rc"
	assertEquals "mapped as a DMA-BUF" dmabuf "$(jq -r '.results[4].source' "$work/out")"
	assertEquals "length from the buffer" $((2 << 20)) "$(jq '.results[4].length' "$work/out")"
	assertEquals "edu's bytes reached the ivshmem BAR" \
		"$(bytes "$work/pattern" 0 8192)" "$(bytes "$DU_IVSHMEM_FILE" "$DMABUF_OFF" 8192)"
	vm_host_expect "edu DMA into the DMA-BUF mapping" "$DU_IVSHMEM_FILE" "$DMABUF_OFF" "$work/pattern"
}

test_dmabuf_multi_range_is_explained() {
	need_vfio_dmabuf || return 0
	vfio-dmabuf exec --device "$DU_IVSHMEM_BDF" --bar 2 --range "$MULTI_OFF:4K,$((MULTI_OFF + 0x10000)):4K" -- \
		sh -c 'exec iommufd-ctl ioas map --dmabuf-fd "$VFIO_DMABUF_FD"' >"$work/out" 2>"$work/err"
	rc=$?
	cat "$work/err" >&2
	assertEquals "EOPNOTSUPP: kernel lacks the feature" 3 "$rc"
	assertContains "$(cat "$work/err")" "maps only single-range VFIO DMA-BUFs"
}

test_dmabuf_revoke_removes_the_mapping() {
	need_vfio_dmabuf || return 0
	local sock=$work/broker.sock id rev before after
	rev=$(vfio-dmabuf -j probe --device "$DU_IVSHMEM_BDF" 2>/dev/null | jq -r '[.. | .dma_buf_revoke? | select(. != null)][0]')
	if [ "$rev" != true ]; then
		skip_test "the running kernel lacks VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE (probe says '${rev:-nothing}')"
		return 0
	fi
	vfio-dmabuf serve --socket "$sock" --device "$DU_IVSHMEM_BDF" --background >&2 ||
		{ fail "broker did not start"; return 0; }
	id=$(vfio-dmabuf -j export --socket "$sock" --device "$DU_IVSHMEM_BDF" --bar 2 \
		--range "$REVOKE_OFF:2M" 2>/dev/null | jq -r '[.. | .id? | select(type == "number")][0]')
	assertTrue "broker exported a buffer (id '$id')" "[ -n '$id' ] && [ '$id' != null ]"
	vm_fill "$DU_IVSHMEM_FILE" "$REVOKE_OFF" 8192 0
	before=$(vm_dmar_faults)
	cat >"$work/batch" <<EOF
$EDU_SETUP
ioas map --ioas A --dmabuf-fd \$VFIO_DMABUF_FD --iova 0x1000000
exec -- iommufd-edu-dma write 0x1000000 4K 0x6b
exec -- vfio-dmabuf revoke --socket $sock --id $id
exec -- iommufd-edu-dma write 0x1001000 4K 0x6c
ioas unmap --ioas A --iova 0x1000000 --length 2M
ioas map --ioas A --dmabuf-fd \$VFIO_DMABUF_FD --iova 0x1000000
EOF
	broker_batch "$sock" "$id"
	assertNotEquals "nothing hung" 124 "$rc"
	assertEquals "the map after the revoke says revoked (exit 4)" 4 "$rc"
	assertContains "$(cat "$work/err")" "the DMA-BUF was revoked (ENODEV)"
	assertEquals "DMA before the revoke landed" "$(printf '6b%.0s' $(seq 4096))" "$(bytes "$DU_IVSHMEM_FILE" "$REVOKE_OFF" 4096)"
	assertEquals "DMA after the revoke did not" "$(printf '00%.0s' $(seq 4096))" "$(bytes "$DU_IVSHMEM_FILE" $((REVOKE_OFF + 4096)) 4096)"
	assertTrue "the DMA after the revoke faulted ($before -> $after)" "[ $after -gt $before ]"
}

# ---- issue 12: BARs and exported buffers mapped by address --------------------
#
# iommufd-ctl mmap()s the memory itself and maps the address range
# (IOMMU_IOAS_MAP, VFIO_IOMMU_MAP_DMA), as a VMM maps its guest's memory
# map.  edu is attached before every such map: a kernel without the
# feature then refuses the map with EFAULT (with no device attached it
# would map lazily and refuse the attach).

# byaddr_setup BYTE [ivs]: batch lines: edu bound and attached to IOAS A,
# a pattern of 8 KiB of BYTE mapped read-only at IOVA 0x100000 ($work/pattern),
# and with "ivs" ivshmem bound as ivs.
byaddr_setup() {
	mkfile "$work/pattern" 8192 "$1"
	printf '%s\n' "$EDU_SETUP"
	[ -z "${2:-}" ] || echo "device bind --device $DU_IVSHMEM_BDF name ivs"
	echo "ioas map --ioas A --file $work/pattern --iova 0x100000 --access r"
}

# landed OFFSET: 8 KiB of ivshmem's BAR2 at OFFSET (the host's backing file,
# read through the share) equal $work/pattern; short messages either way.
landed() {
	if cmp -s -n 8192 <(tail -c +$(($1 + 1)) "$DU_IVSHMEM_FILE") "$work/pattern"; then
		echo yes
	else
		echo "no: $(bytes "$DU_IVSHMEM_FILE" "$1" 16)... where $(bytes "$work/pattern" 0 16)... was written"
	fi
}

# bar_vmas: a batch line printing how many mappings of ivshmem's BAR2
# iommufd-ctl (the parent of exec's program) has, as "bar-vmas=N".
BAR_VMAS="exec --device edu -- sh -c 'echo bar-vmas=\$(grep -c \"$DU_IVSHMEM_BDF/2\" /proc/\$PPID/maps)'"

test_bar_by_address_receives_edu_dma() {
	vm_fill "$DU_IVSHMEM_FILE" "$BYADDR_BAR_OFF" 8192 0
	ictl_batch "$(byaddr_setup 0x96 ivs)
ioas map --ioas A --device ivs --bar 2 --offset $BYADDR_BAR_OFF --length 2M --iova 0x1000000
$BAR_VMAS
exec --device edu -- iommufd-edu-dma copy 0x100000 0x1000000 8K
ioas list
ioas unmap --ioas A --iova 0x1000000 --length 2M
$BAR_VMAS" -j
	assertEquals "exit status (3: the kernel cannot map a BAR by address)" 0 "$rc"
	assertEquals "source, what, device, bar, offset, length" \
		"[\"bar\",\"$DU_IVSHMEM_BDF BAR2\",\"$DU_IVSHMEM_BDF\",2,$((BYADDR_BAR_OFF)),2097152]" \
		"$(jq -c '.results[5] | [.source, .what, .device, .bar, .offset, .length]' "$work/out")"
	assertEquals "listed with the IOAS" "bar" "$(jq -r '.results[8].ioas[0].mappings[] | select(.iova == 16777216) | .source' "$work/out")"
	assertEquals "edu's bytes reached the BAR" yes "$(landed "$BYADDR_BAR_OFF")"
	vm_host_expect "edu DMA into the BAR mapped by address" "$DU_IVSHMEM_FILE" "$BYADDR_BAR_OFF" "$work/pattern"
	assertContains "the BAR was mmap()ed while mapped" "$err" "bar-vmas=1"
	assertContains "and munmap()ed after the unmap" "$err" "bar-vmas=0"
}

test_exported_buffer_by_address_receives_edu_dma() {
	need_vfio_dmabuf || return 0
	vm_fill "$DU_IVSHMEM_FILE" "$BYADDR_DMABUF_OFF" 8192 0
	byaddr_setup 0xa7 >"$work/batch"
	cat >>"$work/batch" <<'EOF'
ioas map --ioas A --mmap-fd $VFIO_DMABUF_FD --iova 0x1000000
exec --device edu -- iommufd-edu-dma copy 0x100000 0x1000000 8K
EOF
	vfio-dmabuf exec --device "$DU_IVSHMEM_BDF" --bar 2 --range "$BYADDR_DMABUF_OFF:2M" -- \
		iommufd-ctl -j -b "$work/batch" >"$work/out" 2>"$work/err"
	rc=$?
	cat "$work/out" "$work/err" >&2
	assertEquals "exit status (3: the kernel cannot map a DMA-BUF by address)" 0 "$rc"
	assertEquals "source, length of the whole buffer" '["mmap-fd",2097152,true]' \
		"$(jq -c '.results[4] | [.source, .length, .fd_checked]' "$work/out")"
	assertEquals "edu's bytes reached the buffer's BAR range" yes "$(landed "$BYADDR_DMABUF_OFF")"
	vm_host_expect "edu DMA into the DMA-BUF mapped by address" "$DU_IVSHMEM_FILE" "$BYADDR_DMABUF_OFF" "$work/pattern"
}

test_compat_container_maps_a_bar_by_address() {
	vm_fill "$DU_IVSHMEM_FILE" "$BYADDR_COMPAT_OFF" 8192 0
	ictl_batch "$(byaddr_setup 0xb8 ivs)
vfio-compat set --ioas A
vfio-compat map --iova 0x200000 --length 64K
exec --device edu -- iommufd-edu-dma write 0x200000 4K 0x3d
exec --device edu -- iommufd-edu-dma read 0x200000 4K 0x3d
vfio-compat map --device ivs --bar 2 --offset $BYADDR_COMPAT_OFF --length 2M --iova 0x1000000
exec --device edu -- iommufd-edu-dma copy 0x100000 0x1000000 8K
vfio-compat unmap --iova 0x1000000 --length 2M
vfio-compat unmap --all" -j
	assertEquals "exit status (3: the kernel cannot map a BAR by address)" 0 "$rc"
	assertEquals "anonymous memory through the compat container" '["vfio-compat map","anon",2097152,true]' \
		"$(jq -c '.results[6] | [.command, .source, .iova, .fixed]' "$work/out")"
	assertEquals "the BAR through the compat container" '["vfio-compat map","bar",16777216]' \
		"$(jq -c '.results[9] | [.command, .source, .iova]' "$work/out")"
	assertEquals "VFIO_IOMMU_UNMAP_DMA reports the bytes (--all: the pattern too)" '[2097152,73728]' \
		"$(jq -c '[.results[11,12].unmapped]' "$work/out")"
	assertEquals "edu's bytes reached the BAR" yes "$(landed "$BYADDR_COMPAT_OFF")"
	vm_host_expect "edu DMA into the BAR mapped through the compat container" "$DU_IVSHMEM_FILE" "$BYADDR_COMPAT_OFF" "$work/pattern"
}

test_revoked_buffer_mapped_by_address() {
	# The buffer is mmap()ed once (mem open --mmap) and mapped by
	# address; after the revoke edu's DMA faults and leaves the BAR as it
	# was, the unmap still works, and mapping the address range again is
	# refused with ENODEV (exit status 4).
	need_vfio_dmabuf || return 0
	local sock=$work/ba-broker.sock id before after
	vfio-dmabuf serve --socket "$sock" --device "$DU_IVSHMEM_BDF" --background >&2 ||
		{ fail "broker did not start"; return 0; }
	id=$(vfio-dmabuf -j export --socket "$sock" --device "$DU_IVSHMEM_BDF" --bar 2 \
		--range "$BYADDR_REVOKE_OFF:2M" 2>/dev/null | jq -r '[.. | .id? | select(type == "number")][0]')
	vm_fill "$DU_IVSHMEM_FILE" "$BYADDR_REVOKE_OFF" 8192 0
	before=$(vm_dmar_faults)
	cat >"$work/batch" <<EOF
$EDU_SETUP
mem open name D --dmabuf-fd \$VFIO_DMABUF_FD --mmap
ioas map --ioas A --mem D --iova 0x1000000
exec -- iommufd-edu-dma write 0x1000000 4K 0x4b
exec -- vfio-dmabuf revoke --socket $sock --id $id
exec -- iommufd-edu-dma write 0x1001000 4K 0x4c
ioas unmap --ioas A --iova 0x1000000 --length 2M
ioas map --ioas A --mem D --iova 0x1000000
EOF
	broker_batch "$sock" "$id"
	assertNotEquals "nothing hung" 124 "$rc"
	assertEquals "the map after the revoke: exit status 4 (3: no map by address at all)" 4 "$rc"
	assertEquals "$work/batch:10: ioas map: IOMMU_IOAS_MAP: the buffer was revoked, or the device is being reset or has its memory disabled (ENODEV)" \
		"$(grep -v '^revoked' "$work/err")"
	assertContains "the revoked mapping unmaps whole" "$(cat "$work/out")" "unmapped [0x1000000 +0x200000] 0x200000 bytes"
	mkfile "$work/pattern" 4096 0x4b
	assertTrue "DMA before the revoke landed" "cmp -s -n 4096 <(tail -c +$((BYADDR_REVOKE_OFF + 1)) '$DU_IVSHMEM_FILE') '$work/pattern'"
	mkfile "$work/pattern" 4096 0
	assertTrue "DMA after the revoke did not" "cmp -s -n 4096 <(tail -c +$((BYADDR_REVOKE_OFF + 4096 + 1)) '$DU_IVSHMEM_FILE') '$work/pattern'"
	assertTrue "the DMA after the revoke faulted ($before -> $after)" "[ $after -gt $before ]"
}

test_multi_range_buffer_by_address_is_explained() {
	need_vfio_dmabuf || return 0
	printf '%s\n' "$EDU_SETUP" 'ioas map --ioas A --mmap-fd $VFIO_DMABUF_FD --length 4K' >"$work/batch"
	vfio-dmabuf exec --device "$DU_IVSHMEM_BDF" --bar 2 \
		--range "$BYADDR_MULTI_OFF:4K,$((BYADDR_MULTI_OFF + 0x10000)):4K" -- \
		iommufd-ctl -b "$work/batch" >"$work/out" 2>"$work/err"
	rc=$?
	cat "$work/err" >&2
	assertEquals "EOPNOTSUPP: exit status 3" 3 "$rc"
	assertEquals "$work/batch:4: ioas map: IOMMU_IOAS_MAP: iommufd cannot map this memory: a DMA-BUF of several ranges, or a BAR without a P2P provider (EOPNOTSUPP)" \
		"$(grep -v '^vfio-dmabuf exec: warning' "$work/err")"
}

test_by_address_no_leaks_valgrind_or_asan() {
	# The mmap()s of the by-address sources, mapped, unmapped and left
	# mapped at the end; a failing line in between (nothing half made).
	local wrap=()
	if ldd "$(command -v iommufd-ctl)" 2>/dev/null | grep -q libasan; then
		export ASAN_OPTIONS=exitcode=99:detect_leaks=1 LSAN_OPTIONS=exitcode=99
	elif command -v valgrind >/dev/null; then
		wrap=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect)
	else
		skip_test "valgrind is not installed"
		return 0
	fi
	cat >"$work/batch" <<EOF
$EDU_SETUP
mem open name B --device $DU_IVSHMEM_BDF --bar 2 --length 4M
ioas map --mem B --offset 1M --length 64K --iova 0x1000000
ioas map --device $DU_IVSHMEM_BDF --bar 2 --offset 2M --length 64K --iova 0x2000000
ioas map --device $DU_IVSHMEM_BDF --bar 2 --offset 2M --length 64K --iova 0x2000000
$BAR_VMAS
mem open name X --device $DU_IVSHMEM_BDF --bar 2 --length 128M
ioas unmap --iova 0x2000000 --length 64K
vfio-compat set
vfio-compat map --mem B --length 64K --iova 0x3000000
vfio-compat map --device $DU_IVSHMEM_BDF --bar 2 --offset 3M --length 64K --iova 0x4000000
vfio-compat map --length 64K --iova 0x5000000
vfio-compat unmap --iova 0x4000000 --length 64K
show
EOF
	"${wrap[@]}" iommufd-ctl -j -f -b "$work/batch" >"$work/out" 2>"$work/err"
	rc=$?
	unset ASAN_OPTIONS LSAN_OPTIONS
	cat "$work/err" >&2
	assertEquals "the overlapping map and the BAR object too big fail (99: a sanitizer or valgrind report)" 1 "$rc"
	assertEquals "no report" "" "$(grep -i 'sanitizer\|^==[0-9]*== .*\(lost\|Invalid\)' "$work/err")"
	assertEquals "14 of 16 lines succeeded" 14 "$(jq '.results | length' "$work/out")"
	assertContains "$(cat "$work/err")" "$work/batch:9: mem open: --length 0x8000000 is past the end of $DU_IVSHMEM_BDF BAR2 (size 0x4000000)"
	assertContains "the failed map's mmap() is undone" "$(cat "$work/err")" "bar-vmas=2"
}

vm_require_devices edu ivshmem
vm_require_progs iommufd-ctl iommufd-edu-dma iommufd-mock jq
tap_run_shunit2
