#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Install everything dmabuf-utils needs on Debian 12 (bookworm): the tool
# build (autotools, json-c), the tests (shunit2, jq, valgrind; clang and
# its libFuzzer runtime for tests/fuzz), the kernel
# build (flex, bison, ccache, ...) and QEMU 10 from bookworm-backports.
#
# Idempotent: packages already present are not reinstalled, and apt's
# package lists are refreshed at most once per run.
#
# Usage: scripts/install-deps.sh [--host-only]
#   --host-only   skip the kernel build and QEMU packages
set -euo pipefail

host_only=0
case "${1:-}" in
--host-only) host_only=1 ;;
"") ;;
-h|--help) sed -n '4,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
*) echo "install-deps.sh: unknown option '$1'" >&2; exit 2 ;;
esac

host_pkgs=(autoconf automake libtool pkg-config make gcc libjson-c-dev
	   bash-completion shunit2 jq valgrind asciidoctor xz-utils git
	   clang libclang-rt-14-dev time libsmartcols-dev libpci-dev)
kernel_pkgs=(flex bison bc libelf-dev libssl-dev dwarves ccache rsync cpio
	     kmod python3 libcap-dev)
bpo_pkgs=(qemu-system-x86)

missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || echo "$p"
	done
}

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: must run as root to install packages" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
updated=0
apt_update() {
	[ "$updated" = 1 ] && return 0
	apt-get -q update >/dev/null
	updated=1
}

pkgs=("${host_pkgs[@]}")
[ "$host_only" = 1 ] || pkgs+=("${kernel_pkgs[@]}")
mapfile -t need < <(missing "${pkgs[@]}")
if [ "${#need[@]}" -gt 0 ]; then
	echo "install-deps: installing ${need[*]}"
	apt_update
	apt-get -q install -y --no-install-recommends "${need[@]}" >/dev/null
fi

[ "$host_only" = 1 ] && exit 0

# QEMU 10 (igb device, current intel-iommu) lives in bookworm-backports.
bpo=/etc/apt/sources.list.d/bookworm-backports.sources
if [ ! -e "$bpo" ]; then
	cat >"$bpo" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	updated=0
fi
qver=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null || true)
case "$qver" in
1[0-9]:*|*:1[0-9].*) ;;
*)
	echo "install-deps: installing qemu-system-x86 from bookworm-backports"
	apt_update
	apt-get -q install -y --no-install-recommends -t bookworm-backports \
		"${bpo_pkgs[@]}" >/dev/null
	;;
esac
exit 0
