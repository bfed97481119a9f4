// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-dmabuf: the client side of the broker protocol, and the printer
 * for buffer descriptions.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "du/exitcodes.h"
#include "du/output.h"
#include "du/scm.h"
#include "proto.h"
#include "vfio-dmabuf.h"

int vd_client_connect(struct vd_client *c, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s;

	c->sock = -1;
	c->seq = 0;
	c->path = path;
	if (!path) {
		du_err("no broker socket: give --socket PATH (or set VFIO_DMABUF_SOCKET)");
		return DU_EXIT_USAGE;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		du_err("--socket: path '%s' is too long for a unix socket", path);
		return DU_EXIT_USAGE;
	}
	strcpy(sa.sun_path, path);
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0) {
		du_err("socket: %s", strerror(errno));
		return DU_EXIT_FAILURE;
	}
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(s);
		if (e == ENOENT || e == ECONNREFUSED)
			du_err("no broker at %s: %s (is 'vfio-dmabuf serve' running?)",
			       path, strerror(e));
		else if (e == EPROTOTYPE || e == ENOTSOCK)
			du_err("%s is not a vfio-dmabuf broker socket: %s",
			       path, strerror(e));
		else
			du_err("cannot connect to the broker at %s: %s", path,
			       strerror(e));
		return DU_EXIT_FAILURE;
	}
	c->sock = s;
	return 0;
}

void vd_client_close(struct vd_client *c)
{
	if (c->sock >= 0)
		close(c->sock);
	c->sock = -1;
}

/* Receive one datagram of the reply to (type, seq); 0 or exit status. */
static int client_recv(struct vd_client *c, uint16_t type, void *reply,
		       size_t *rlen, int *fd)
{
	char msg[VD_MSG_LEN];
	int fds[1];
	size_t nfds = 0;
	ssize_t n;
	int err;

	n = du_scm_recv(c->sock, reply, VD_MSG_MAX, fds, 1, &nfds);
	if (n == 0) {
		du_err("the broker at %s closed the connection", c->path);
		return DU_EXIT_FAILURE;
	}
	if (n < 0) {
		du_err("receiving from the broker at %s: %s", c->path,
		       n == -EMSGSIZE ? "reply too large" : strerror((int)-n));
		return DU_EXIT_FAILURE;
	}
	err = vd_proto_check_reply(reply, (size_t)n, type, c->seq, msg,
				   sizeof(msg));
	if (err) {
		if (nfds)
			close(fds[0]);
		du_err("bad reply from the broker at %s: %s", c->path, msg);
		return DU_EXIT_FAILURE;
	}
	*rlen = (size_t)n;
	if (fd)
		*fd = nfds ? fds[0] : -1;
	else if (nfds)
		close(fds[0]);
	return 0;
}

int vd_client_call(struct vd_client *c, uint16_t type, const void *body,
		   size_t blen, void *reply, size_t *rlen, int *fd)
{
	struct vd_msg_hdr *h;
	const struct vd_msg_hdr *rh;
	const struct vd_status *st;
	char *buf;
	int err, status;

	if (fd)
		*fd = -1;
	buf = malloc(sizeof(*h) + blen);
	if (!buf) {
		du_err("out of memory");
		return DU_EXIT_FAILURE;
	}
	h = (struct vd_msg_hdr *)buf;
	vd_proto_hdr(h, type, (uint32_t)(sizeof(*h) + blen), ++c->seq);
	if (blen)
		memcpy(h + 1, body, blen);
	err = du_scm_send(c->sock, buf, sizeof(*h) + blen, NULL, 0);
	free(buf);
	if (err < 0) {
		du_err("sending to the broker at %s: %s", c->path,
		       strerror(-err));
		return DU_EXIT_FAILURE;
	}
	status = client_recv(c, type, reply, rlen, fd);
	if (status)
		return status;
	rh = reply;
	st = (const void *)(rh + 1);
	if (st->err) {
		if (fd && *fd >= 0) {
			close(*fd);
			*fd = -1;
		}
		du_err("%s", st->message[0] ? st->message : strerror(st->err));
		return st->exit_code && st->exit_code <= DU_EXIT_REVOKED ?
			(int)st->exit_code : DU_EXIT_FAILURE;
	}
	return 0;
}

/* Receive the BUFFER messages that follow a LIST reply. */
int vd_client_list_next(struct vd_client *c, void *reply, size_t *rlen);
int vd_client_list_next(struct vd_client *c, void *reply, size_t *rlen)
{
	const struct vd_msg_hdr *h = reply;
	int status = client_recv(c, VD_MSG_LIST, reply, rlen, NULL);

	if (status)
		return status;
	if (h->type != VD_MSG_BUFFER) {
		du_err("bad reply from the broker at %s: expected a buffer",
		       c->path);
		return DU_EXIT_FAILURE;
	}
	return 0;
}

int vd_client_get(struct vd_client *c, uint32_t id, int *fd, void *desc)
{
	struct vd_id_req req = { .id = id };
	char *reply = malloc(VD_MSG_MAX);
	size_t rlen;
	int status;

	if (!reply) {
		du_err("out of memory");
		return DU_EXIT_FAILURE;
	}
	status = vd_client_call(c, VD_MSG_GET, &req, sizeof(req), reply,
				&rlen, fd);
	if (status == 0 && *fd < 0) {
		du_err("the broker at %s sent no file descriptor", c->path);
		status = DU_EXIT_FAILURE;
	}
	if (status == 0 && desc)
		memcpy(desc, reply + sizeof(struct vd_msg_hdr) +
		       sizeof(struct vd_status),
		       rlen - sizeof(struct vd_msg_hdr) -
		       sizeof(struct vd_status));
	free(reply);
	return status;
}

/* ---- printing --------------------------------------------------------- */

void vd_print_wire_buffer(const struct vd_wire_buffer *b, int fd)
{
	char o[DU_SIZE_STRLEN], l[DU_SIZE_STRLEN];
	uint32_t i;

	du_out_open_object(NULL);
	if (b->id)
		du_print_u64(DU_ANY, "id", "buffer %" PRIu64, b->id);
	else
		du_print_null(DU_ANY, "id", "buffer -");
	du_print_string(DU_ANY, "device", " device %s", b->device);
	du_print_u64(DU_ANY, "bar", " bar %" PRIu64, b->bar);
	du_print_u64(DU_JSON, "size", NULL, b->size);
	du_printf(" size %s", du_format_size(b->size, o, sizeof(o)));
	if (b->name[0])
		du_print_string(DU_ANY, "name", " name %s", b->name);
	else
		du_print_null(DU_JSON, "name", NULL);
	if (b->memattr == VD_MEMATTR_DEFAULT)
		du_print_null(DU_JSON, "memattr", NULL);
	else
		du_print_string(DU_ANY, "memattr", " memattr %s",
				vd_memattr_name(b->memattr));
	du_print_bool(DU_JSON, "revoked", NULL, b->flags & VD_BUF_REVOKED);
	if (b->flags & VD_BUF_REVOKED)
		du_printf(" revoked");
	if (b->inode)
		du_print_u64(DU_ANY, "inode", " inode %" PRIu64, b->inode);
	else
		du_print_null(DU_JSON, "inode", NULL);
	if (fd >= 0)
		du_print_int(DU_ANY, "fd", " fd %" PRId64, fd);
	else
		du_print_null(DU_JSON, "fd", NULL);
	if (b->id)
		du_print_u64(DU_ANY, "handed_out", " handed-out %" PRIu64,
			     b->handed_out);
	du_out_open_array("ranges");
	du_printf(" ranges ");
	for (i = 0; i < b->nranges; i++) {
		du_out_open_object(NULL);
		du_print_u64(DU_JSON, "offset", NULL, b->ranges[i].offset);
		du_print_u64(DU_JSON, "length", NULL, b->ranges[i].length);
		du_printf("%s%s:%s", i ? "," : "",
			  du_format_size(b->ranges[i].offset, o, sizeof(o)),
			  du_format_size(b->ranges[i].length, l, sizeof(l)));
		du_out_close_object();
	}
	du_out_close_array();
	du_print_nl();
	du_out_close_object();
}
