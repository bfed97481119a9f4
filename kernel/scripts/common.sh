# SPDX-License-Identifier: GPL-2.0-or-later
# Shared settings for the kernel pipeline scripts. Sourced, not run.

KDIR_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../base.conf
. "$KDIR_TOP/base.conf"

# Everything large lives outside the checkout so that fresh clones (CI)
# reuse it: downloads, the pristine git tree, build trees, ccache.
CACHE=${DMABUF_UTILS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dmabuf-utils}
DL_DIR=$CACHE/dl
SRC_DIR=$CACHE/linux-$BASE_VERSION
BUILD_ROOT=$CACHE/build
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}

log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { log "$*"; exit 1; }
