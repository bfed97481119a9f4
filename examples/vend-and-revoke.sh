#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Vend a piece of a PCI BAR to a client process, then take it back.
#
# The primary (vfio-dmabuf serve) owns the device.  It exports a 2 MiB
# range of one BAR as a named DMA-BUF and hands only that buffer's fd to a
# client.  The client maps it, writes a greeting and keeps reading it.  The
# primary then revokes the buffer: the client's next access fails and it
# exits with status 4 ("revoked"), without crashing and without hanging.
#
# Usage: examples/vend-and-revoke.sh --device ADDR [--bar N] [--offset OFF]
#                                    [--socket PATH]
# Needs: root, the device bound to vfio-pci, a kernel with the dmabuf-utils
# series (DMA-BUF mmap and revoke; exit status 3 without it), jq.
# Adapt it: replace the client's sh -c '...' with your program; it gets
# the buffer's fd number in $VFIO_DMABUF_FD (see vfio-dmabuf exec --help).
set -euo pipefail

dev='' bar=2 off=0 sock=${TMPDIR:-/tmp}/vend-and-revoke.$$.sock
while [ $# -gt 0 ]; do
	case "$1" in
	--device) dev=$2; shift ;;
	--bar) bar=$2; shift ;;
	--offset) off=$2; shift ;;
	--socket) sock=$2; shift ;;
	-h|--help) sed -n '4,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "unknown option '$1' (try --help)" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$dev" ] || { echo "--device ADDR is required (try --help)" >&2; exit 2; }

# 0. Does the running kernel have what we need?  (exit 3 if not)
vfio-dmabuf probe --device "$dev" --require dma_buf_mmap,dma_buf_revoke >/dev/null

# 1. The primary: owns the device, answers on a socket only root may use.
vfio-dmabuf serve --socket "$sock" --device "$dev" --background --quiet >/dev/null
trap 'vfio-dmabuf stop --socket "$sock" >/dev/null 2>&1 || true' EXIT

# 2. Export 2 MiB of the BAR as a named buffer; the primary keeps it.
id=$(vfio-dmabuf -j export --socket "$sock" --device "$dev" --bar "$bar" \
	--range "$off:2M" --name vend-example | jq '.buffers[0].id')
echo "primary: exported buffer $id ($dev BAR$bar at $off, 2 MiB)"

# 3. The client: gets that buffer only, writes, then reads until revoked.
# shellcheck disable=SC2016
vfio-dmabuf exec --socket "$sock" --id "$id" -- sh -c '
	printf "hello from the client" |
		vfio-dmabuf access write --fd "$VFIO_DMABUF_FD" --input -
	exec vfio-dmabuf access read --fd "$VFIO_DMABUF_FD" --repeat 0 --interval 100 >/dev/null' &
client=$!

# Wait until the client's mapping shows up in /proc/<pid>/maps.
for _ in $(seq 300); do
	vfio-dmabuf maps | grep -q vend-example && break
	sleep 0.1
done
echo "mappings:"
vfio-dmabuf maps | sed 's/^/  /'

# 4. Take it back.
vfio-dmabuf revoke --socket "$sock" --id "$id"
echo "primary: revoked buffer $id"

status=0
wait "$client" || status=$?
if [ "$status" -eq 4 ]; then
	echo "client: exit 4, its buffer was revoked"
else
	echo "client: exit $status, expected 4 (revoked)" >&2
	exit 1
fi
