#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The bad-input cases of p2p-probe (tests/host/badinput/p2p-probe.cases), run by
# run.sh; one TAP test per case.  A separate test per command so that
# make -j runs the three suites in parallel.
BADINPUT_CASES=${BADINPUT_CASES:-p2p-probe.cases}
export BADINPUT_CASES
exec "${top_srcdir:-$(dirname "$0")/../../..}/tests/host/badinput/run.sh"
