#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Fetch the pinned Linux base (kernel/base.conf), verify its checksum and
# put it under git once, in $DMABUF_UTILS_CACHE/linux-<version> (default
# ~/.cache/dmabuf-utils), tagged "base". Does nothing if that exists.
#
# KERNEL_SOURCE=debian|kernelorg forces one origin; the default tries
# kernel.org when KERNEL_ORG_SHA256 is set, then Debian's package.
set -euo pipefail
. "$(dirname "$0")/common.sh"

if git -C "$SRC_DIR" rev-parse -q --verify refs/tags/base >/dev/null 2>&1; then
	log "base tree present: $SRC_DIR"
	exit 0
fi
mkdir -p "$DL_DIR"

verify() { # file sha256
	local got
	got=$(sha256sum "$1" | cut -d' ' -f1)
	[ "$got" = "$2" ] || die "checksum mismatch for $1: got $got, want $2"
}

tarball=
fetch_kernelorg() {
	[ -n "$KERNEL_ORG_SHA256" ] || {
		log "KERNEL_ORG_SHA256 unset: not using an unverified kernel.org tarball"
		return 1
	}
	local f=$DL_DIR/${KERNEL_ORG_URL##*/}
	if [ ! -s "$f" ]; then
		log "downloading $KERNEL_ORG_URL"
		curl -fsSL --connect-timeout 10 -o "$f.part" "$KERNEL_ORG_URL" || {
			rm -f "$f.part"; return 1; }
		mv "$f.part" "$f"
	fi
	verify "$f" "$KERNEL_ORG_SHA256"
	tarball=$f
}

fetch_debian() {
	local deb=$DL_DIR/${DEB_PACKAGE}_${DEB_VERSION}_all.deb apt=$DL_DIR/apt
	if [ ! -s "$deb" ]; then
		mkdir -p "$apt/lists/partial" "$apt/archives/partial"
		echo "deb $DEB_MIRROR $DEB_SUITE" >"$apt/sources.list"
		local o=(-q -o "Dir::Etc::SourceList=$apt/sources.list"
			 -o Dir::Etc::SourceParts=/dev/null
			 -o "Dir::State::Lists=$apt/lists"
			 -o "Dir::Cache::Archives=$apt/archives"
			 -o APT::Sandbox::User=root)
		log "downloading $DEB_PACKAGE=$DEB_VERSION from $DEB_SUITE"
		apt-get "${o[@]}" update >/dev/null
		(cd "$DL_DIR" && apt-get "${o[@]}" download \
			"$DEB_PACKAGE=$DEB_VERSION" >/dev/null)
		# apt names the file with the epoch/tilde escaped
		local got
		got=$(ls "$DL_DIR"/"${DEB_PACKAGE}"_*.deb | head -n1)
		[ "$got" = "$deb" ] || mv "$got" "$deb"
	fi
	verify "$deb" "$DEB_SHA256"
	local x=$DL_DIR/deb-x
	rm -rf "$x"
	dpkg -x "$deb" "$x"
	tarball=$(ls "$x"/usr/src/linux-source-*.tar.xz)
}

case "${KERNEL_SOURCE:-auto}" in
kernelorg) fetch_kernelorg || die "kernel.org fetch failed" ;;
debian) fetch_debian ;;
auto) fetch_kernelorg 2>/dev/null || fetch_debian ;;
*) die "KERNEL_SOURCE must be 'debian' or 'kernelorg'" ;;
esac

tmp=$SRC_DIR.tmp
rm -rf "$tmp"
mkdir -p "$tmp"
log "unpacking $(basename "$tarball")"
tar -C "$tmp" --strip-components=1 -xJf "$tarball"
rm -rf "$DL_DIR/deb-x"
mv=$(make -s -C "$tmp" kernelversion 2>/dev/null || true)
[ "${mv%%-*}" = "$BASE_VERSION" ] || die "tree says version '$mv', want $BASE_VERSION"

log "putting the pristine tree under git"
(
	cd "$tmp"
	git init -q -b base-tree
	git config user.name "dmabuf-utils"
	git config user.email "dmabuf-utils@localhost"
	git config gc.auto 0
	# Debian's tree ignores everything at the top level; add it all.
	git add -A -f
	git commit -q -m "Linux $BASE_VERSION (pristine base)"
	git tag base
)
rm -rf "$SRC_DIR"
mv "$tmp" "$SRC_DIR"
log "base tree ready: $SRC_DIR"
