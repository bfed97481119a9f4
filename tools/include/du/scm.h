/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * du/scm.h - pass fds over unix sockets (SCM_RIGHTS) with a payload.
 *
 * One call sends one message: the payload bytes plus up to DU_SCM_MAX_FDS
 * fds.  Works on SOCK_STREAM and SOCK_SEQPACKET sockets; on a stream the
 * fds travel with the first byte of the payload, so receivers should read
 * messages of a known size (or use SOCK_SEQPACKET, which keeps boundaries).
 */
#ifndef DU_SCM_H
#define DU_SCM_H

#include <stddef.h>
#include <sys/types.h>

#define DU_SCM_MAX_FDS 16

/*
 * Send len bytes (len >= 1: the kernel needs data to carry fds) and nfds
 * fds.  Retries on EINTR; a short write on a stream is completed (the fds
 * go with the first part only).  Returns 0 or -errno (-EINVAL for len == 0
 * or nfds > DU_SCM_MAX_FDS).  Uses MSG_NOSIGNAL: a closed peer gives
 * -EPIPE, not SIGPIPE.
 */
int du_scm_send(int sock, const void *buf, size_t len, const int *fds,
		size_t nfds);

/*
 * Receive one message of at most len bytes and up to max_fds fds (received
 * close-on-exec).  Returns the number of bytes (0: the peer closed) and the
 * fd count in *nfds, or -errno.  If the payload or the fds were truncated
 * (MSG_TRUNC, MSG_CTRUNC, more fds than max_fds) it returns -EMSGSIZE, and
 * every fd that did arrive has been closed; on any error *nfds is 0 and no
 * fd is left open.  Retries on EINTR.
 */
ssize_t du_scm_recv(int sock, void *buf, size_t len, int *fds, size_t max_fds,
		    size_t *nfds);

#endif /* DU_SCM_H */
