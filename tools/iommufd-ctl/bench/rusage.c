// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Helper of tools/iommufd-ctl/bench/batch-scaling.sh: run a command with
 * its stdin from FILE and its stdout and stderr thrown away, and print
 * what it cost, from wait4()'s rusage:
 *
 *   iommufd-bench-rusage FILE COMMAND [ARG...]
 *
 * prints "status=S wall=SECONDS cpu=SECONDS maxrss_kb=KB" (cpu: user +
 * system time; maxrss: the peak resident set of the command).
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double tv(struct timeval t)
{
	return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	int status, in;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: iommufd-bench-rusage FILE COMMAND [ARG...]\n");
		return 2;
	}
	in = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		fprintf(stderr, "iommufd-bench-rusage: %s: %s\n", argv[1],
			strerror(errno));
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("iommufd-bench-rusage: fork");
		return 1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null < 0 || dup2(in, 0) < 0 || dup2(null, 1) < 0 ||
		    dup2(null, 2) < 0)
			_exit(126);
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("iommufd-bench-rusage: wait4");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("status=%d wall=%.3f cpu=%.3f maxrss_kb=%ld\n",
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
	       (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	       tv(ru.ru_utime) + tv(ru.ru_stime), ru.ru_maxrss);
	close(in);
	return 0;
}
