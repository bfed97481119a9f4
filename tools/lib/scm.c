// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Passing fds with a payload over unix sockets (SCM_RIGHTS).
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "du/scm.h"

/* Control buffer for DU_SCM_MAX_FDS fds, suitably aligned. */
union scm_ctrl {
	struct cmsghdr align;
	char buf[CMSG_SPACE(sizeof(int) * DU_SCM_MAX_FDS)];
};

int du_scm_send(int sock, const void *buf, size_t len, const int *fds,
		size_t nfds)
{
	union scm_ctrl ctrl;
	const char *p = buf;
	bool first = true;

	if (!len || nfds > DU_SCM_MAX_FDS || (nfds && !fds))
		return -EINVAL;
	while (len) {
		struct iovec iov = { .iov_base = (void *)p, .iov_len = len };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		if (first && nfds) {
			struct cmsghdr *c;

			memset(&ctrl, 0, sizeof(ctrl));
			msg.msg_control = ctrl.buf;
			msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
			c = CMSG_FIRSTHDR(&msg);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
			memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
		}
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		first = false;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Close every fd carried by the control messages of msg. */
static void close_cmsg_fds(struct msghdr *msg)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c;
	     c = CMSG_NXTHDR(msg, c)) {
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			close(fd);
		}
	}
}

ssize_t du_scm_recv(int sock, void *buf, size_t len, int *fds, size_t max_fds,
		    size_t *nfds)
{
	union scm_ctrl ctrl;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg;
	size_t got = 0;
	ssize_t n;

	*nfds = 0;
	if (!len || (max_fds && !fds))
		return -EINVAL;
	do {
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = ctrl.buf;
		msg.msg_controllen = sizeof(ctrl.buf);
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;

	if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		close_cmsg_fds(&msg);
		return -EMSGSIZE;
	}
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c;
	     c = CMSG_NXTHDR(&msg, c)) {
		size_t k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (got + k > max_fds) {
			close_cmsg_fds(&msg);
			return -EMSGSIZE;
		}
		memcpy(fds + got, CMSG_DATA(c), k * sizeof(int));
		got += k;
	}
	*nfds = got;
	return n;
}
