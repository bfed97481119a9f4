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

# The unpatched base, built by "build.sh --base": a git worktree of
# $SRC_DIR and its build directory, laid out so that the relative path
# from the build directory to the sources is the same as the test
# kernel's (../../linux-VERSION); with CCACHE_BASEDIR the two builds share
# ccache entries (see build.sh).
BASE_SRC_DIR=$CACHE/base/linux-$BASE_VERSION
BASE_BUILD_DIR=$CACHE/base/build/base
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$CACHE}
