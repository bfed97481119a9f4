// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * withfd - run a command with file descriptors of given kinds at given
 * numbers, for the bad-input suite (tests/host/badinput).
 *
 *   withfd N=KIND[:PATH] ... -- COMMAND [ARG...]
 *
 * KIND: file:PATH (read-only), wfile:PATH (write-only), pipe (read end,
 * the write end closed: reads give EOF), wpipe (write end, no reader),
 * socket (one end of a unix stream socketpair), dgram (unix datagram
 * socketpair), eventfd, memfd (4 KiB), null (/dev/null), zero (/dev/zero),
 * dir:PATH (a directory opened O_RDONLY), opath:PATH (O_PATH), epoll,
 * timerfd, closed (make sure N is not open).  The fds are inherited
 * (no close-on-exec).  Exit status: the command's, or 125 when a fd
 * cannot be made, 127 when the command cannot be run.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

static int make(const char *kind, const char *path)
{
	int sv[2], fd;

	if (!strcmp(kind, "file"))
		return open(path, O_RDONLY);
	if (!strcmp(kind, "wfile"))
		return open(path, O_WRONLY);
	if (!strcmp(kind, "dir"))
		return open(path, O_RDONLY | O_DIRECTORY);
	if (!strcmp(kind, "opath"))
		return open(path, O_PATH);
	if (!strcmp(kind, "null"))
		return open("/dev/null", O_RDWR);
	if (!strcmp(kind, "zero"))
		return open("/dev/zero", O_RDWR);
	if (!strcmp(kind, "pipe") || !strcmp(kind, "wpipe")) {
		if (pipe(sv))
			return -1;
		fd = kind[0] == 'w' ? 1 : 0;
		close(sv[!fd]);
		return sv[fd];
	}
	if (!strcmp(kind, "socket") || !strcmp(kind, "dgram")) {
		if (socketpair(AF_UNIX, kind[0] == 's' ? SOCK_STREAM : SOCK_DGRAM,
			       0, sv))
			return -1;
		return sv[0];	/* the peer stays open, unused */
	}
	if (!strcmp(kind, "eventfd"))
		return eventfd(0, 0);
	if (!strcmp(kind, "memfd")) {
		fd = memfd_create("withfd", 0);
		if (fd >= 0 && ftruncate(fd, 4096)) {
			close(fd);
			return -1;
		}
		return fd;
	}
	if (!strcmp(kind, "epoll"))
		return epoll_create1(0);
	if (!strcmp(kind, "timerfd"))
		return timerfd_create(CLOCK_MONOTONIC, 0);
	errno = EINVAL;
	return -1;
}

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		char *spec = argv[i], *eq = strchr(spec, '='), *kind, *path;
		long n;
		int fd;

		if (!eq || eq == spec) {
			fprintf(stderr, "withfd: bad spec '%s' (N=KIND[:PATH])\n", spec);
			return 125;
		}
		*eq = '\0';
		n = strtol(spec, NULL, 10);
		kind = eq + 1;
		path = strchr(kind, ':');
		if (path)
			*path++ = '\0';
		if (!strcmp(kind, "closed")) {
			close((int)n);
			continue;
		}
		fd = make(kind, path ? path : "");
		if (fd < 0) {
			fprintf(stderr, "withfd: cannot make a %s fd: %s\n", kind,
				strerror(errno));
			return 125;
		}
		if (fd != n) {
			if (dup2(fd, (int)n) < 0) {
				fprintf(stderr, "withfd: dup2: %s\n", strerror(errno));
				return 125;
			}
			close(fd);
		}
		fcntl((int)n, F_SETFD, 0);
	}
	if (i + 1 >= argc) {
		fprintf(stderr, "usage: withfd N=KIND[:PATH] ... -- COMMAND [ARG...]\n");
		return 125;
	}
	execvp(argv[i + 1], argv + i + 1);
	fprintf(stderr, "withfd: %s: %s\n", argv[i + 1], strerror(errno));
	return 127;
}
