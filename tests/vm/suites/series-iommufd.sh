#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run the series' cases of tools/testing/selftests/iommu on the
# CONFIG_IOMMUFD_TEST mock: IOMMU_IOAS_MAP and VFIO_IOMMU_MAP_DMA of an
# mmap() of a DMA-BUF (patches 30-31), IOMMU_IOAS_CHANGE_PROCESS of such
# maps (patch 26), and the two upstream DMA-BUF cases
# that patch 25 makes work (before it they tested fd 0). No device needed:
#
#   tests/vm/run-vm.sh --suite series-iommufd
#
# Not run here: iommufd_fail_nth's map_dmabuf_va_domain (every allocation
# of the path fails once in turn). It needs fault injection, which only the
# debug kernel has, and there, under TCG with KASAN, the harness's limit of
# 30 s per case kills it (and upstream's map_file_domain alike) long before
# its hundreds of rounds end. Run it by hand with a longer limit, e.g. the
# binary built with TEST_TIMEOUT_DEFAULT raised in kselftest_harness.h:
#   iommufd_fail_nth -t map_dmabuf_va_domain -t map_file_domain
#
# The binaries are built by kernel/scripts/build.sh from the patched tree
# against the patched kernel's uapi headers, in build/{test,debug}/
# kselftest/iommu of the dmabuf-utils cache. Each kselftest case becomes
# one test point here.

. "$top_srcdir/tests/lib/shunit2-tap.sh"
. "$top_srcdir/tests/vm/lib/vm-suite.sh"

# The cases and how many variants each runs in (fixture variants)
iommufd_cases=(dmabuf_simple:4 dmabuf_revoke:4 dmabuf:3 dmabuf_mmap_map:4
	dmabuf_mmap_errors:4 dmabuf_mmap:6 map_dmabuf_va:2)

find_tests() {
	local cache=${DMABUF_UTILS_CACHE:-/root/.cache/dmabuf-utils} c
	# Either variant's copy fits: the same applied tree and uapi headers
	for c in "$cache/build/test" "$cache/build/debug"; do
		[ -x "$c/kselftest/iommu/iommufd" ] &&
			{ echo "$c/kselftest/iommu"; return; }
	done
}

# On a kernel with KASAN (the debug kernel: its boot log says so) each case
# costs ten times as much under TCG: there one variant of each fixture
# runs, the one with the most domains. The test kernel runs them all.
debug_cases=(change_process.account_mm.dmabuf
	iommufd_ioas.two_mock_domain.dmabuf_simple
	iommufd_ioas.two_mock_domain.dmabuf_revoke
	iommufd_ioas.two_mock_domain.dmabuf_mmap_map
	iommufd_ioas.two_mock_domain.dmabuf_mmap_errors
	iommufd_mock_domain.two_domains.dmabuf_mmap
	vfio_compat_mock_domain.Ver1v2.map_dmabuf_va)

# run BIN CASE:N...: run BIN on the named cases, output to $work/BIN.out
run() {
	local bin=$1 c args=()
	shift
	if [ -n "$kasan" ]; then
		for c in "${debug_cases[@]}"; do
			args+=(-r "$c")
		done
	else
		for c in "$@"; do
			args+=(-t "${c%%:*}")
		done
	fi
	(cd "$work" && timeout 900 "$kst/$bin" "${args[@]}") 2>&1 |
		tee "$work/$bin.out" >&2
	echo "${PIPESTATUS[0]}" >"$work/$bin.rc"
}

oneTimeSetUp() {
	work=$(mktemp -d)
	run iommufd "${iommufd_cases[@]}"
}

oneTimeTearDown() {
	rm -rf "$work"
}

# check BIN CASE:N...: every case passed in all its N variants
check() {
	local bin=$1 c name n got line
	shift
	while IFS= read -r line; do
		case "$line" in
		"not ok "*) fail "$bin: ${line#not ok }" ;;
		esac
	done <"$work/$bin.out"
	for c in "$@"; do
		name=${c%%:*} n=${c#*:}
		[ -n "$kasan" ] && n=1
		got=$(grep -c "^ok [0-9]* [A-Za-z_0-9]*\.\([A-Za-z_0-9]*\.\)\{0,1\}$name\$" \
			"$work/$bin.out")
		assertEquals "$bin: $name passed in every variant" "$n" "$got"
	done
	assertEquals "$bin exit status" 0 "$(cat "$work/$bin.rc")"
}

test_iommufd() {
	check iommufd "${iommufd_cases[@]}"
}

kasan=
dmesg | grep -q 'KernelAddressSanitizer initialized' && kasan=1
kst=$(find_tests)
[ -n "$kst" ] || tap_skip_all "iommu kselftests not built (see this suite's header)"
tap_run_shunit2
