#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The project's uapi definitions (tools/include/du/uapi.h) against the
# headers of the kernel tree itself: build tests/unit/uapi-dump.c against
# those headers and compare every size, offset and number with the
# uapi-dump built against du/uapi.h.  TAP; the comparison is skipped when
# the kernel headers have not been installed (kernel/scripts/build.sh does
# `make headers_install` into $HOME/.cache/dmabuf-utils/build/test/usr).
#
# Environment: DU_KERNEL_HEADERS (the include dir to compare with),
# CC (default cc), top_srcdir/top_builddir (set by make check).

set -u

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir}
khdr=${DU_KERNEL_HEADERS:-${HOME:-/nonexistent}/.cache/dmabuf-utils/build/test/usr/include}
cc=${CC:-cc}
dump=$builddir/tests/unit/uapi-dump

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $*"; }
finish() { echo "1..$n"; rm -rf "$tmp"; exit "$failed"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/du-uapi.XXXXXX") || exit 1

if "$dump" >"$tmp/ours" 2>"$tmp/err" && [ -s "$tmp/ours" ]; then
	ok "uapi-dump built with du/uapi.h runs ($(wc -l <"$tmp/ours") facts)"
else
	not_ok "uapi-dump built with du/uapi.h runs"
	sed 's/^/# /' "$tmp/err"
	finish
fi

if [ ! -f "$khdr/linux/vfio.h" ] || [ ! -f "$khdr/linux/iommufd.h" ]; then
	n=$((n + 1))
	echo "ok $n # SKIP no installed kernel headers in $khdr"
	finish
fi

if "$cc" -std=gnu11 -Wall -Werror -DDU_UAPI_FROM_KERNEL -I"$khdr" \
	-o "$tmp/kdump" "$srcdir/tests/unit/uapi-dump.c" 2>"$tmp/err" &&
	"$tmp/kdump" >"$tmp/kernel"; then
	ok "uapi-dump builds against $khdr"
else
	not_ok "uapi-dump builds against $khdr"
	sed 's/^/# /' "$tmp/err"
	finish
fi

# One test point per fact: equal, different, or missing from the kernel's
# headers (the series' additions on an unpatched tree).
while read -r name value; do
	kvalue=$(awk -v k="$name" '$1 == k { print $2 }' "$tmp/kernel")
	if [ -z "$kvalue" ]; then
		n=$((n + 1))
		echo "ok $n - $name # SKIP not in the kernel's headers (series not applied?)"
	elif [ "$kvalue" = "$value" ]; then
		ok "$name = $value"
	else
		not_ok "$name: ours $value, kernel $kvalue"
	fi
done <"$tmp/ours"

finish
