// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vm-poweroff - power off the test guest (run by tests/vm/guest-init.sh as
 * PID 1, which has no init system to ask).  QEMU runs with -no-reboot, so
 * the reboot fallback ends it as well.
 */
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int cmd = RB_POWER_OFF;

	if (argc > 1 && !strcmp(argv[1], "--reboot")) {
		cmd = RB_AUTOBOOT;
	} else if (argc > 1) {
		fprintf(stderr, "usage: vm-poweroff [--reboot]\n");
		return 2;
	}
	sync();
	reboot(cmd);
	perror("vm-poweroff: reboot");
	if (cmd != RB_AUTOBOOT)
		reboot(RB_AUTOBOOT);
	return 1;
}
