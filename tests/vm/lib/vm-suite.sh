# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Helpers for VM suites (tests/vm/suites/*.sh), which run in the guest
# started by tests/vm/run-vm.sh.  Source it after tests/lib/shunit2-tap.sh:
#     . "$top_srcdir/tests/lib/shunit2-tap.sh"
#     . "$top_srcdir/tests/vm/lib/vm-suite.sh"
#
# The guest environment (see tests/vm/README.md): DU_<NAME>_BDF,
# DU_<NAME>_VFIO (cdev) and, for ivshmem devices, DU_<NAME>_FILE (the BAR's
# backing file, read through the run's 9p share); DU_SHARE is that share.

# vm_require_devices NAME...: skip the whole suite unless every named
# profile device is present and bound to vfio-pci.
vm_require_devices() {
	local n v
	[ -n "${DU_SHARE:-}" ] || tap_skip_all "not in a run-vm.sh guest (DU_SHARE unset)"
	for n in "$@"; do
		v=DU_${n^^}_VFIO
		[ -n "${!v:-}" ] ||
			tap_skip_all "device '$n' missing or not bound to vfio-pci (profile lacks it?)"
	done
}

# vm_require_progs PROG...: skip the suite unless the programs are built.
vm_require_progs() {
	local p
	for p in "$@"; do
		command -v "$p" >/dev/null ||
			tap_skip_all "$p not found in PATH (build the project first)"
	done
}

# vm_host_expect DESC FILE OFFSET EXPECTED: after the run, the host compares
# the bytes of EXPECTED (a file in the guest) with FILE (a file on the
# share, e.g. $DU_IVSHMEM_FILE) at byte OFFSET, and reports it as the test
# point "SUITE: host: DESC".  This checks the host's own view of the file,
# independently of the guest.  Later writes to the same bytes in the same
# run change what the host sees: use distinct ranges.
# (One fork, the copy: on the debug kernel every process costs a second.)
vm_host_expect() {
	local desc=$1 file=$2 off=$3 exp=$4 dir n bins
	case "$file" in
	"$DU_SHARE"/*) ;;
	*) fail "vm_host_expect: $file is not on the share $DU_SHARE"; return 1 ;;
	esac
	vm_host_dir
	dir=$VM_HOST_DIR
	bins=("$dir"/*.bin)
	n=${#bins[@]}
	[ -e "${bins[0]}" ] || n=0
	printf -v n '%03d' "$((n + 1))"
	cp "$exp" "$dir/$n.bin"
	printf '%s\t%s\t%s\t%s\n' "$n.bin" "${file#"$DU_SHARE"/}" "$((off))" "$desc" >>"$dir/checks"
}

# vm_host_dir: set VM_HOST_DIR to the directory on the share where this
# suite's host checks are kept (created if need be), for files that the
# suite or its helper programs write there themselves.
vm_host_dir() {
	VM_HOST_DIR=$DU_SHARE/host-checks/${DU_SUITE:-manual}
	[ -d "$VM_HOST_DIR" ] || mkdir -p "$VM_HOST_DIR"
}

# vm_host_expect_kept DESC FILE OFFSET EXPECTED: vm_host_expect for an
# EXPECTED file already under $VM_HOST_DIR (see vm_host_dir), which must
# stay as it is until the run ends: nothing is copied and nothing forked
# (every process costs a second on the debug kernel).
vm_host_expect_kept() {
	local desc=$1 file=$2 off=$3 exp=$4
	case "$file" in
	"$DU_SHARE"/*) ;;
	*) fail "vm_host_expect_kept: $file is not on the share $DU_SHARE"; return 1 ;;
	esac
	case "$exp" in
	"${VM_HOST_DIR:-/nonexistent}"/*) ;;
	*) fail "vm_host_expect_kept: $exp is not under \$VM_HOST_DIR (${VM_HOST_DIR:-unset: call vm_host_dir})"; return 1 ;;
	esac
	printf '%s\t%s\t%s\t%s\n' "${exp#"$VM_HOST_DIR"/}" "${file#"$DU_SHARE"/}" \
		"$((off))" "$desc" >>"$VM_HOST_DIR/checks"
}

# vm_dmar_faults: number of DMA remapping faults the kernel logged so far.
vm_dmar_faults() {
	dmesg | grep -c 'DMAR: \[DMA \(Read\|Write\)' || true
}

# vm_wc_owed BDF BAR: true when the kernel owes write-combining for BAR of
# BDF: x86 PAT is on (its memtype list exists) and the BAR is a
# prefetchable memory BAR (IORESOURCE_MEM 0x200 | IORESOURCE_PREFETCH
# 0x2000 in sysfs).
vm_wc_owed() {
	local flags
	[ -r /sys/kernel/debug/x86/pat_memtype_list ] || return 1
	flags=$(sed -n "$(($2 + 1))p" "/sys/bus/pci/devices/$1/resource" | awk '{print $3}')
	(( (flags & 0x2200) == 0x2200 ))
}

# vm_fill FILE OFFSET LENGTH BYTE: write LENGTH copies of BYTE (0-255) into
# FILE at OFFSET without truncating it.
vm_fill() {
	head -c "$(($3))" /dev/zero | tr '\0' "\\$(printf '%03o' "$4")" |
		dd of="$1" bs=4096 seek="$(($2))" oflag=seek_bytes conv=notrunc status=none
}
