# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# Shared by the p2p-probe host suites: the recorded sysfs trees live in
# fixtures/NAME.tar.xz (make dist would turn their symbolic links into
# copies); p2p_unpack_fixtures DIR unpacks every one into DIR/NAME.

p2p_fixture_store=$top_srcdir/tests/host/p2p-probe/fixtures

p2p_unpack_fixtures() {
	local t
	mkdir -p "$1"
	for t in "$p2p_fixture_store"/*.tar.xz; do
		tar -xJf "$t" -C "$1" || return 1
	done
}
