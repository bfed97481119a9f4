// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for du/scm.h over socketpairs: fds and payload arrive, and
 * truncation of either is an error that leaves no received fd open.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "du/scm.h"
#include "tap.h"

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1;		/* the DIR's own fd */
}

static void pair(int type, int sv[2])
{
	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv)) {
		printf("Bail out! socketpair: %s\n", strerror(errno));
		exit(1);
	}
}

static void test_roundtrip(int type, const char *name)
{
	int sv[2], p[2], fds[4] = { -1, -1, -1, -1 };
	char msg[16] = "", byte = 0;
	size_t nfds = 99;
	ssize_t n;

	pair(type, sv);
	if (pipe(p))
		abort();
	is_int(du_scm_send(sv[0], "hello", 6, p, 2), 0, "%s: send 2 fds", name);
	n = du_scm_recv(sv[1], msg, sizeof(msg), fds, 4, &nfds);
	is_int(n, 6, "%s: 6 bytes received", name);
	is_str(msg, "hello", "%s: payload", name);
	is_int(nfds, 2, "%s: 2 fds received", name);
	ok(fds[0] >= 0 && fds[0] != p[0] && fds[1] >= 0 && fds[1] != p[1],
	   "%s: new fd numbers", name);
	ok(fcntl(fds[0], F_GETFD) & FD_CLOEXEC, "%s: received close-on-exec",
	   name);
	ok(write(fds[1], "z", 1) == 1 && read(p[0], &byte, 1) == 1 &&
	   byte == 'z', "%s: received fd is the pipe's write end", name);
	close(fds[0]);
	close(fds[1]);

	is_int(du_scm_send(sv[0], "x", 1, NULL, 0), 0, "%s: send no fds", name);
	n = du_scm_recv(sv[1], msg, sizeof(msg), fds, 4, &nfds);
	ok(n == 1 && nfds == 0, "%s: payload only", name);

	close(sv[0]);
	n = du_scm_recv(sv[1], msg, sizeof(msg), fds, 4, &nfds);
	ok(n == 0 && nfds == 0, "%s: peer closed gives 0", name);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
}

static void test_truncation(void)
{
	int sv[2], p[2], fds[DU_SCM_MAX_FDS], many[20], before;
	char msg[4];
	size_t nfds = 99;
	ssize_t n;

	pair(SOCK_SEQPACKET, sv);
	if (pipe(p))
		abort();
	before = open_fds();

	/* payload larger than the buffer */
	is_int(du_scm_send(sv[0], "0123456789", 10, p, 2), 0, "send 10 bytes");
	n = du_scm_recv(sv[1], msg, sizeof(msg), fds, 4, &nfds);
	is_int(n, -EMSGSIZE, "payload truncated: EMSGSIZE");
	is_int(nfds, 0, "no fds reported");
	is_int(open_fds(), before, "the fds that arrived were closed");

	/* more fds than the caller can take */
	is_int(du_scm_send(sv[0], "abc", 3, p, 2), 0, "send 2 fds");
	n = du_scm_recv(sv[1], msg, sizeof(msg), fds, 1, &nfds);
	is_int(n, -EMSGSIZE, "fds beyond max_fds: EMSGSIZE");
	is_int(open_fds(), before, "no fd leaked");

	/* more fds than the control buffer holds: MSG_CTRUNC */
	for (int i = 0; i < 20; i++)
		many[i] = p[i % 2];
	{
		char cbuf[CMSG_SPACE(sizeof(many))], m = 'm';
		struct iovec iov = { .iov_base = &m, .iov_len = 1 };
		struct msghdr mh = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		};
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

		memset(cbuf, 0, sizeof(cbuf));
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(many));
		memcpy(CMSG_DATA(c), many, sizeof(many));
		ok(sendmsg(sv[0], &mh, 0) == 1, "raw send of 20 fds");
	}
	n = du_scm_recv(sv[1], msg, sizeof(msg), fds, DU_SCM_MAX_FDS, &nfds);
	is_int(n, -EMSGSIZE, "control data truncated: EMSGSIZE");
	is_int(open_fds(), before, "no fd leaked after MSG_CTRUNC");

	/* argument checks */
	is_int(du_scm_send(sv[0], "", 0, p, 1), -EINVAL, "send needs a payload");
	is_int(du_scm_send(sv[0], "a", 1, many, DU_SCM_MAX_FDS + 1), -EINVAL,
	       "send at most DU_SCM_MAX_FDS");
	is_int(du_scm_send(sv[0], "a", 1, NULL, 1), -EINVAL, "send fds NULL");
	is_int(du_scm_recv(sv[1], msg, 0, fds, 1, &nfds), -EINVAL,
	       "recv needs a buffer");

	close(sv[1]);
	is_int(du_scm_send(sv[0], "a", 1, p, 1), -EPIPE,
	       "send to a closed peer: EPIPE, no SIGPIPE");
	is_int(du_scm_send(-1, "a", 1, NULL, 0), -EBADF, "send on a bad fd");
	is_int(du_scm_recv(-1, msg, 1, fds, 1, &nfds), -EBADF,
	       "recv on a bad fd");
	close(sv[0]);
	close(p[0]);
	close(p[1]);
}

static void test_max_fds(void)
{
	int sv[2], in[DU_SCM_MAX_FDS], out[DU_SCM_MAX_FDS];
	char msg[8];
	size_t nfds = 0;
	bool all_new = true;

	pair(SOCK_STREAM, sv);
	for (int i = 0; i < DU_SCM_MAX_FDS; i++)
		in[i] = sv[0];
	is_int(du_scm_send(sv[0], "full", 4, in, DU_SCM_MAX_FDS), 0,
	       "send DU_SCM_MAX_FDS fds");
	is_int(du_scm_recv(sv[1], msg, sizeof(msg), out, DU_SCM_MAX_FDS, &nfds),
	       4, "receive them");
	is_int(nfds, DU_SCM_MAX_FDS, "all of them");
	for (size_t i = 0; i < nfds; i++) {
		all_new &= out[i] != sv[0];
		close(out[i]);
	}
	ok(all_new, "each is a new fd");
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	test_roundtrip(SOCK_STREAM, "stream");
	test_roundtrip(SOCK_SEQPACKET, "seqpacket");
	test_truncation();
	test_max_fds();
	return tap_done();
}
