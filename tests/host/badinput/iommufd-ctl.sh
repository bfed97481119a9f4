#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The bad-input cases of iommufd-ctl (tests/host/badinput/iommufd-ctl.cases), run by
# run.sh; one TAP test per case.  A separate test per command so that
# make -j runs the three suites in parallel.
BADINPUT_CASES=${BADINPUT_CASES:-iommufd-ctl.cases}
export BADINPUT_CASES
exec "${top_srcdir:-$(dirname "$0")/../../..}/tests/host/badinput/run.sh"
