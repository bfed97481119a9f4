#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Issue 12: IOMMU_IOAS_MAP, and VFIO_IOMMU_MAP_DMA of the vfio-compat
# container, accept the address of a BAR mapping, on the patched kernel.
# Profile e2e-up (or e2e): edu on the root complex, ivshmem alone below a
# root port so that VFIO_DEVICE_RESET works on it (a secondary bus reset),
# its BAR2 backed by a file of the share:
#
#   tests/vm/run-vm.sh --profile e2e-up --suite tests/vm/suites/p2p-byaddr.sh
#
# The helper p2p-byaddr attaches edu first, takes a VA of BAR2 (mode bar:
# mmap() through ivshmem's device fd; mode dmabuf: the range exported with
# VFIO_DEVICE_FEATURE_DMA_BUF and the buffer mmap()ed), maps that VA into
# edu's IO address space and has edu DMA a pattern into it, one 4 KiB slot
# per step. Each step is judged here: the slot's bytes in the backing
# file (the guest's view through the share, and vm_host_expect for the
# host's own view after the run), the DMA remapping faults logged
# (the kernel's "DMAR: [DMA Write ...] Request device [edu] fault addr
# IOVA") and the IOMMU's fault interrupts. A dead mapping must fault, leave
# the marker bytes alone, let edu complete, and unmap with its length.
#
# Two routes:
#   ioas    /dev/iommu, an IOAS, edu's cdev attached; IOMMU_IOAS_MAP/UNMAP
#   compat  the legacy type1 flow served by iommufd: the two IOMMU groups
#           opened and VFIO_GROUP_SET_CONTAINER given the /dev/iommu fd
#           (drivers/vfio/group.c accepts an iommufd as the container),
#           VFIO_SET_IOMMU VFIO_TYPE1v2_IOMMU, VFIO_GROUP_GET_DEVICE_FD,
#           VFIO_IOMMU_MAP_DMA / VFIO_IOMMU_UNMAP_DMA on that fd. This is
#           what a type1 VMM does with a /dev/vfio/vfio that iommufd
#           provides (CONFIG_IOMMUFD_VFIO_CONTAINER); the test kernel has
#           CONFIG_VFIO_CONTAINER=y, so its /dev/vfio/vfio is the real type1
#           and is not what this suite proves.
# and, in each, these steps (p2p-byaddr.c has the details):
#   mapped     the map of the VA works and edu's DMA lands
#   reset      VFIO_DEVICE_RESET: afterwards the DMA faults (the reset's
#              temporary revoke is not undone for the IOMMU), the dead range
#              unmaps; remapped: the same VA mapped again, the DMA lands
#   bar:    closed_fd  the device fd closed, the BAR still mapped (which
#                      keeps the device open): the DMA lands
#           munmapped  the BAR munmap()ed, the device closes: faults
#   dmabuf: revoked    VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE: faults; mapping
#                      the VA again fails with ENODEV
#           exported2  a new export mapped: lands
#           closed_fd  the device fd closed: faults
# Last, a race (a few seconds): map/unmap by VA against revoke/re-export
# and resets against munmap/mmap of the BAR, then fresh maps that work;
# on the debug kernel the following debug-klog suite checks that KASAN and
# lockdep saw nothing.
#
# On a kernel that cannot map a BAR by address (Linux 7.3.4, series v3)
# the first map fails with EFAULT and every test here fails; the base
# kernel's expectation is suites/p2p-byaddr-base.sh.

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/vm/lib/vm-suite.sh"

# ivshmem BAR2 (64 MiB): one 1 MiB window per run, slot N at +N*4K, away
# from what the other suites of the same guests write (e2e: below 40M;
# series-dmabuf and series-kselftest: below 32M).
# (p2p-byaddr all: ioas-bar 48M, ioas-dmabuf 49M, compat-bar 50M,
# compat-dmabuf 51M, race 52M)
WINDOW=48M
LEN=0x100000
IOVA=0x1000000
RACE_SECONDS=4
RUNS=(ioas-bar ioas-dmabuf race compat-bar compat-dmabuf)

# Under the debug kernel every process costs about a second, and shunit2
# forks for every test function: one p2p-byaddr (all: each run in a child
# of its own) makes every run, in the first test function, and the checks
# fork nothing (no command substitution, no expr, no grep, no cat; and
# plain comparisons, see want). Its output goes to the share: the slots'
# candidate bytes, STEP.pattern and STEP.marker, are the host's
# expectations, named to vm_host_expect_kept without a copy.

# V[RUN:KEY]: what p2p-byaddr printed last for KEY in RUN (ioas-bar, ...,
# race); V[RUN:rc] its exit status, V[RUN:err] its first message line.
declare -A V=()

# load RUN FILE: read FILE's KEY=value lines into V[RUN:KEY], and copy
# them to the suite's log. (mapfile reads the file in a few reads; read
# in a loop reads it again from the share for every line.)
load() {
	local line lines=()
	mapfile -t lines <"$2"
	for line in "${lines[@]}"; do
		[[ $line == *=* ]] && V[$1:${line%%=*}]=${line#*=}
	done
	printf '%s\n' "${lines[@]}" >&2
}

# run_all: p2p-byaddr all, once, and the output of each run.
run_all() {
	local run t0=${EPOCHREALTIME/./} lines=()
	vm_host_dir
	work=$VM_HOST_DIR
	p2p-byaddr --out "$work" --window "$WINDOW" --length "$LEN" --iova "$IOVA" \
		--seconds "$RACE_SECONDS" all >"$work/all.out" 2>"$work/all.err"
	V[all:rc]=$?
	load all "$work/all.out"
	load all "$work/all.err"
	tap_diag "p2p-byaddr all: exit ${V[all:rc]} after $(( (${EPOCHREALTIME/./} - t0) / 1000 )) ms"
	for run in "${RUNS[@]}"; do
		V[$run:rc]=${V[all:${run}_rc]-}
		V[$run:err]=
		[ -f "$work/$run.out" ] || continue
		echo "--- $run" >&2
		load "$run" "$work/$run.out"
		mapfile -t lines <"$work/$run.err"
		V[$run:err]=${lines[0]-}
		printf '%s\n' "${lines[@]}" >&2
		tap_diag "$run: exit ${V[$run:rc]} after ${V[all:${run}_ms]-?} ms${V[$run:err]:+: ${V[$run:err]}}"
	done
}

# want MSG EXPECTED ACTUAL: fail the test unless ACTUAL is EXPECTED.
# (shunit2's assertEquals runs some thirty shell commands, about 5 ms each
# on the debug kernel, and this suite makes over a hundred checks; this is
# one command, and shunit2's fail reports a mismatch the same way.)
want() {
	[ "$2" = "$3" ] || fail "$1 expected:<$2> but was:<$3>"
}

# check MSG BOOL: a check that holds when BOOL is 1.
check() {
	[ "$2" = 1 ] || fail "$1"
}

# reached RUN KEY: did RUN get as far as printing KEY? Fails the test
# with the reason when not.
reached() {
	[ -n "${V[$1:$2]-}" ] && return 0
	local why
	case "${V[$1:rc]-}" in
	3) why="the map by address failed with EFAULT: the kernel cannot map a BAR by address" ;;
	4) why="the kernel cannot mmap() the exported DMA-BUF" ;;
	'') why="p2p-byaddr did not run" ;;
	*) why="p2p-byaddr stopped before (exit ${V[$1:rc]}): ${V[$1:err]-}" ;;
	esac
	fail "$1: no $2: $why"
	return 1
}

# landed RUN STEP: edu's DMA of STEP reached the BAR.
landed() {
	local run=$1 st=$2
	reached "$run" "${st}_bytes" || return
	local off=${V[$run:${st}_bar_offset]}
	want "$run $st: edu's pattern is in the backing file at $off" \
		pattern "${V[$run:${st}_bytes]}"
	want "$run $st: no DMA fault logged" 0 "${V[$run:${st}_faults]}"
	want "$run $st: no IOMMU fault interrupt" 0 "${V[$run:${st}_fault_irqs]}"
	vm_host_expect_kept "$run $st: edu's pattern at BAR2+$off" \
		"$DU_IVSHMEM_FILE" "$off" "$work/$run/$st.pattern"
}

# blocked RUN STEP: edu's DMA of STEP was stopped by the IOMMU: a fault
# logged for edu at the slot's IOVA, a fault interrupt, the marker intact.
blocked() {
	local run=$1 st=$2
	reached "$run" "${st}_bytes" || return
	local off=${V[$run:${st}_bar_offset]} text=${V[$run:${st}_fault]-}
	local faults=${V[$run:${st}_faults]} irqs=${V[$run:${st}_fault_irqs]}
	local dev="Request device [$DU_EDU_BDF]" addr="fault addr ${V[$run:${st}_iova]} "
	local has_dev=0 has_addr=0
	[[ $text == *"$dev"* ]] && has_dev=1
	[[ $text == *"$addr"* ]] && has_addr=1
	want "$run $st: the BAR's bytes are unchanged (marker) at $off" \
		marker "${V[$run:${st}_bytes]}"
	check "$run $st: a DMA fault was logged ($faults)" "$(( faults >= 1 ))"
	check "$run $st: the fault names edu ($dev)" "$has_dev"
	check "$run $st: the fault is at the slot's IOVA ($addr)" "$has_addr"
	check "$run $st: the IOMMU raised a fault interrupt ($irqs)" "$(( irqs >= 1 ))"
	[ -n "$text" ] && tap_diag "$run $st: $text"
	vm_host_expect_kept "$run $st: BAR2+$off unchanged after a dead DMA" \
		"$DU_IVSHMEM_FILE" "$off" "$work/$run/$st.marker"
}

# unmapped RUN STEP: the dead range unmapped with its whole length.
unmapped() {
	reached "$1" "${2}_unmapped" || return
	want "$1 $2: the unmap of the dead range returns its length" \
		"$LEN" "${V[$1:${2}_unmapped]}"
}

# ---- the four sequences, judged step by step ---------------------------

# start RUN: the map and the first DMA.
start() {
	local run=$1
	if [ "${run%%-*}" = compat ]; then
		want "$run: VFIO_CHECK_EXTENSION(VFIO_TYPE1v2_IOMMU) on the iommufd" \
			1 "${V[$run:compat_type1v2_extension]-}"
	fi
	reached "$run" map || return
	want "$run: the map of the VA works" ok "${V[$run:map]}"
	landed "$run" mapped
}

# after_reset RUN: the reset's revoke stays until unmap + map (last: a
# profile without the reset skips the rest of the test).
after_reset() {
	local run=$1
	reached "$run" reset || return
	if [ "${V[$run:reset]}" = unsupported ]; then
		skip_test "ivshmem has no reset here (use profile e2e or e2e-up)"
		return
	fi
	blocked "$run" reset &&
	unmapped "$run" reset &&
	landed "$run" remapped
}

# bar_close RUN: closing the device fd changes nothing while the BAR is
# mapped; its munmap closes the device, which kills the IOVA range.
bar_close() {
	landed "$1" closed_fd &&
	blocked "$1" munmapped &&
	unmapped "$1" munmapped
}

# dmabuf_revoke RUN: a revoke kills the IOVA range and the VA.
dmabuf_revoke() {
	blocked "$1" revoked &&
	unmapped "$1" revoked &&
	want "$1: mapping the revoked buffer's VA again fails with ENODEV" \
		ENODEV "${V[$1:revoked_remap_errno]-}"
}

# dmabuf_close RUN: a new export works; closing the device fd (the
# buffer's mapping does not keep it open) kills its IOVA range.
dmabuf_close() {
	landed "$1" exported2 &&
	blocked "$1" closed_fd &&
	unmapped "$1" closed_fd
}

# One test function per run: shunit2 forks an expr for each.
test_a_ioas_bar_lands_and_dies_at_reset_and_munmap() {
	run_all
	start ioas-bar && bar_close ioas-bar && after_reset ioas-bar
}
test_b_ioas_dmabuf_lands_and_dies_at_reset_revoke_close() {
	start ioas-dmabuf && dmabuf_revoke ioas-dmabuf &&
		dmabuf_close ioas-dmabuf && after_reset ioas-dmabuf
}
test_c_compat_bar_lands_and_dies_at_reset_and_munmap() {
	start compat-bar && bar_close compat-bar && after_reset compat-bar
}
test_d_compat_dmabuf_lands_and_dies_at_reset_revoke_close() {
	start compat-dmabuf && dmabuf_revoke compat-dmabuf &&
		dmabuf_close compat-dmabuf && after_reset compat-dmabuf
}

# ---- the race ------------------------------------------------------------

test_e_race_map_revoke_reset_munmap() {
	want "p2p-byaddr race exit status" 0 "${V[race:rc]}"
	reached race a_maps || return
	local -A n=()
	local k
	for k in a_maps a_map_ok a_map_enodev a_map_efault a_map_other a_unmap_fail \
		 b_revokes b_exports b_resets c_remaps; do
		n[$k]=${V[race:$k]-}
	done
	tap_diag "race ${V[race:race_ms]} ms: A ${n[a_maps]} maps (${n[a_map_ok]} ok, ${n[a_map_enodev]} ENODEV, ${n[a_map_efault]} EFAULT, ${n[a_map_other]} other), B ${n[b_revokes]} revokes ${n[b_exports]} exports ${n[b_resets]} resets, C ${n[c_remaps]} BAR remaps"
	for k in bar dmabuf; do
		tap_diag "  A on the $k VA: ${V[race:a_${k}_maps]-} maps, ${V[race:a_${k}_map_ok]-} ok, ${V[race:a_${k}_map_enodev]-} ENODEV, ${V[race:a_${k}_map_efault]-} EFAULT"
	done
	want "B (revoke, export, reset) had no error" "" "${V[race:b_error]-}"
	want "C (BAR mmap, touch, munmap) had no error" "" "${V[race:c_error]-}"
	want "A's maps failed only with ENODEV or EFAULT (${V[race:a_other_errno]-})" 0 "${n[a_map_other]}"
	want "A's unmaps of its maps all worked" 0 "${n[a_unmap_fail]}"
	check "A mapped a VA during the race" "$(( n[a_map_ok] > 0 ))"
	check "B revoked and reset during the race" "$(( n[b_revokes] > 0 && n[b_resets] > 0 ))"
	check "C remapped the BAR during the race" "$(( n[c_remaps] > 0 ))"
	landed race final_bar
	landed race final_dmabuf
}

vm_require_devices edu ivshmem
vm_require_progs p2p-byaddr
tap_run_shunit2
