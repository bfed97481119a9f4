#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# How the JSON-heavy read-only commands scale: time and peak memory
# against input size, on synthetic trees (figures, not a test: nothing is
# asserted).
#
#   p2p-probe -j --matrix    N endpoints on a flat root complex
#                            (--sysfs-root, N up to 256, the tool's limit)
#   vfio-dmabuf -j maps      one process holding N DMA-BUF fds, each mapped
#   vfio-dmabuf -j info      (--proc-root)
#
# Usage: scripts/bench-scale.sh [BUILDDIR]
#   BUILDDIR holds p2p-probe and vfio-dmabuf (default: the current
#   directory).  Use a build without --enable-asan for meaningful figures.
#   P2P_SIZES and PROC_SIZES override the input sizes.
# Peak memory is the maximum resident set size from GNU time (Debian
# package "time"); without it the column says n/a.
set -euo pipefail

bin=${1:-.}
top=$(cd "$(dirname "$0")/.." && pwd)
top_srcdir=$top
P2P_SIZES=${P2P_SIZES:-"16 32 64 120 180 256"}
PROC_SIZES=${PROC_SIZES:-"1000 4000 16000 32000"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for b in p2p-probe vfio-dmabuf; do
	[ -x "$bin/$b" ] || { echo "no $bin/$b (give the build directory)" >&2; exit 2; }
done
if [ -x /usr/bin/time ] && /usr/bin/time -f %M true 2>/dev/null; then
	gnu_time=/usr/bin/time
else
	gnu_time=
fi

# measure OUT CMD...: prints "seconds peak-KiB"; stdout of CMD to OUT
measure() {
	local o=$1 t0 t1 kb=n/a
	shift
	t0=$(date +%s.%N)
	if [ -n "$gnu_time" ]; then
		"$gnu_time" -f %M -o "$work/rss" "$@" >"$o" 2>"$work/err" || true
		kb=$(tail -n 1 "$work/rss")
	else
		"$@" >"$o" 2>"$work/err" || true
	fi
	t1=$(date +%s.%N)
	printf '%s %s\n' "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" "$kb"
}

# ---- p2p-probe --matrix ---------------------------------------------------

# p2p_synth_flat DIR N: N endpoints on a flat root complex
# shellcheck source=tests/host/p2p-probe/lib.sh
. "$top/tests/host/p2p-probe/lib.sh"

echo "p2p-probe -j --matrix (N endpoints, N*(N-1) pairs)"
printf '%8s %10s %10s %12s\n' N seconds peak_KiB json_bytes
for n in $P2P_SIZES; do
	p2p_synth_flat "$work/sys" "$n"
	read -r s kb < <(measure "$work/out" "$bin/p2p-probe" -j --matrix --all \
		--sysfs-root "$work/sys")
	if ! grep -q '"pairs"' "$work/out"; then
		echo "p2p-probe failed at N=$n: $(head -n 3 "$work/err")" >&2
		exit 1
	fi
	printf '%8d %10s %10s %12d\n' "$n" "$s" "$kb" "$(wc -c <"$work/out")"
done

# ---- vfio-dmabuf maps / info ----------------------------------------------

# make_proc DIR N: process 100 holding N DMA-BUFs by fd and by mapping
make_proc() {
	local p=$1 n=$2 i
	rm -rf "$p"
	mkdir -p "$p/100/fd" "$p/100/fdinfo"
	echo bench >"$p/100/comm"
	for ((i = 0; i < n; i++)); do
		ln -s "/dmabuf:buf$i" "$p/100/fd/$((i + 3))"
		printf 'pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t%d\nsize:\t4096\ncount:\t2\nexp_name:\tvfio_pci_core\nname:\tbuf%d\n' \
			$((1000 + i)) "$i" >"$p/100/fdinfo/$((i + 3))"
	done
	for ((i = 0; i < n; i++)); do
		printf '%012x-%012x rw-s 00000000 00:0f %d                       /dmabuf:buf%d\n' \
			$((0x7f0000000000 + i * 4096)) $((0x7f0000001000 + i * 4096)) \
			$((1000 + i)) "$i"
	done >"$p/100/maps"
}

echo
echo "vfio-dmabuf -j maps / info (one process, N DMA-BUFs held by fd and mapped)"
printf '%8s %10s %10s %10s %10s\n' N maps_s maps_KiB info_s info_KiB
for n in $PROC_SIZES; do
	make_proc "$work/proc" "$n"
	read -r ms mkb < <(measure "$work/out" "$bin/vfio-dmabuf" --proc-root "$work/proc" -j maps)
	[ "$(grep -o '"kind"' "$work/out" | wc -l)" -eq "$n" ] ||
		{ echo "maps failed at N=$n: $(head -n 3 "$work/err")" >&2; exit 1; }
	read -r is ikb < <(measure "$work/out" "$bin/vfio-dmabuf" --proc-root "$work/proc" -j info)
	grep -q '"buffers"' "$work/out" ||
		{ echo "info failed at N=$n: $(head -n 3 "$work/err")" >&2; exit 1; }
	printf '%8d %10s %10s %10s %10s\n' "$n" "$ms" "$mkb" "$is" "$ikb"
done
