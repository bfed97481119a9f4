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
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "du/exitcodes.h"
#include "du/output.h"
#include "du/scm.h"
#include "proto.h"
#include "vfio-dmabuf.h"

unsigned int vd_client_timeout_ms = VD_TIMEOUT_DEFAULT_MS;

unsigned int vd_arg_seconds(const char *opt, const char *s)
{
	unsigned long whole = 0, frac = 0;
	const char *p = s;
	int digits = 0, decimals = 0;

	for (; *p >= '0' && *p <= '9' && digits < 8; p++, digits++)
		whole = whole * 10 + (unsigned long)(*p - '0');
	if (*p == '.' && digits) {
		for (p++; *p >= '0' && *p <= '9' && decimals < 4; p++)
			frac = frac * 10 + (unsigned long)(*p - '0'),
			decimals++;
		if (!decimals)
			decimals = 4;	/* "5." */
	}
	if (!digits || *p || decimals > 3 || whole > VD_TIMEOUT_MAX_S)
		vd_usage("%s: '%s' is not a number of seconds (e.g. 5 or 0.5: at most 3 decimals, at most %d)",
			 opt, s, VD_TIMEOUT_MAX_S);
	while (decimals++ < 3)
		frac *= 10;
	return (unsigned int)(whole * 1000 + frac);
}

void vd_format_seconds(unsigned int ms, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%u.%03u", ms / 1000, ms % 1000);

	/* drop trailing zeros, and the dot if nothing is left after it */
	while (n > 0 && (size_t)n < len && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && (size_t)n < len && buf[n - 1] == '.')
		buf[--n] = '\0';
}

void vd_escape_ctl(const char *in, char *out, size_t len)
{
	size_t o = 0;
	unsigned char ch;

	if (!len)
		return;
	for (; (ch = (unsigned char)*in) != '\0'; in++) {
		if (ch < 0x20 || ch == 0x7f) {
			if (o + 4 >= len)
				break;
			snprintf(out + o, 5, "\\x%02x", ch);
			o += 4;
		} else {
			if (o + 1 >= len)
				break;
			out[o++] = (char)ch;
		}
	}
	out[o] = '\0';
}

/* The option the socket path came from, for messages. */
static const char *socket_source(const char *path)
{
	/* vd_socket_default() returns getenv()'s own pointer */
	return path == getenv("VFIO_DMABUF_SOCKET") ? "$VFIO_DMABUF_SOCKET" :
		"--socket";
}

const char *vd_file_kind(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG:
		return "a regular file";
	case S_IFDIR:
		return "a directory";
	case S_IFIFO:
		return "a FIFO";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	default:
		return "not a socket";
	}
}

static void timed_out(const struct vd_client *c, const char *what)
{
	char secs[24];

	vd_format_seconds(vd_client_timeout_ms, secs, sizeof(secs));
	du_err("the broker at %s did not %s within %s s: timed out (--timeout changes the limit)",
	       c->path, what, secs);
}

int vd_client_connect(struct vd_client *c, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = {
		.tv_sec = vd_client_timeout_ms / 1000,
		.tv_usec = (vd_client_timeout_ms % 1000) * 1000,
	};
	struct stat st;
	int s;

	c->sock = -1;
	c->seq = 0;
	c->path = path;
	if (!path) {
		du_err("no broker socket: give --socket PATH (or set VFIO_DMABUF_SOCKET)");
		return DU_EXIT_USAGE;
	}
	if (!*path) {
		du_err("--socket: empty path");
		return DU_EXIT_USAGE;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		du_err("%s: path '%s' is too long for a unix socket",
		       socket_source(path), path);
		return DU_EXIT_USAGE;
	}
	strcpy(sa.sun_path, path);
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0) {
		du_err("socket: %s", strerror(errno));
		return DU_EXIT_FAILURE;
	}
	/* bounds connect() (a full backlog) and every send */
	if (vd_client_timeout_ms &&
	    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0) {
		du_err("setsockopt SO_SNDTIMEO: %s", strerror(errno));
		close(s);
		return DU_EXIT_FAILURE;
	}
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(s);
		if (stat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
			du_err("%s: %s is not a socket (%s)",
			       socket_source(path), path,
			       vd_file_kind(st.st_mode));
			return DU_EXIT_USAGE;
		}
		if (e == EAGAIN || e == EINPROGRESS) {
			timed_out(c, "accept the connection");
			return DU_EXIT_TIMEOUT;
		}
		if (e == ENOENT || e == ECONNREFUSED)
			du_err("no broker at %s: %s (is 'vfio-dmabuf serve' running?)",
			       path, strerror(e));
		else if (e == EPROTOTYPE) {
			/* a broker's socket is SOCK_SEQPACKET */
			du_err("%s: %s is not a vfio-dmabuf broker socket (a stream or datagram socket)",
			       socket_source(path), path);
			return DU_EXIT_USAGE;
		} else
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

/* Wait until the broker sent something: 0, or an exit status after the
 * message. */
static int client_wait(struct vd_client *c)
{
	struct pollfd p = { .fd = c->sock, .events = POLLIN };
	int r;

	do
		r = poll(&p, 1, vd_client_timeout_ms ?
			 (int)vd_client_timeout_ms : -1);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		du_err("waiting for the broker at %s: %s", c->path,
		       strerror(errno));
		return DU_EXIT_FAILURE;
	}
	if (r == 0) {
		timed_out(c, "answer");
		return DU_EXIT_TIMEOUT;
	}
	return 0;
}

/* Receive one datagram of the reply to (type, seq); 0 or exit status. */
static int client_recv(struct vd_client *c, uint16_t type, void *reply,
		       size_t *rlen, int *fd)
{
	char msg[VD_MSG_LEN];
	int fds[1];
	size_t nfds = 0;
	ssize_t n;
	int err, status;

	status = client_wait(c);
	if (status)
		return status;
	n = du_scm_recv(c->sock, reply, VD_MSG_MAX, fds, 1, &nfds);
	if (n == -ECONNRESET) {
		/* the broker closed with our request unread: what it said
		 * before closing (a refusal) may still be queued */
		n = du_scm_recv(c->sock, reply, VD_MSG_MAX, fds, 1, &nfds);
		if (n == 0)
			n = -ECONNRESET;
	}
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
	if (err == -EAGAIN) {
		timed_out(c, "take the request");
		return DU_EXIT_TIMEOUT;
	}
	if (err < 0 && err != -EPIPE && err != -ECONNRESET) {
		du_err("sending to the broker at %s: %s", c->path,
		       strerror(-err));
		return DU_EXIT_FAILURE;
	}
	/* after EPIPE, read why the broker closed (it says so first) */
	status = client_recv(c, type, reply, rlen, fd);
	if (status)
		return status;
	rh = reply;
	st = (const void *)(rh + 1);
	if (st->err || rh->type == (VD_MSG_ERROR | VD_REPLY)) {
		char text[2 * sizeof(st->message)];

		if (fd && *fd >= 0) {
			close(*fd);
			*fd = -1;
		}
		vd_escape_ctl(st->message[0] ? st->message :
			      strerror(st->err ? st->err : EPROTO),
			      text, sizeof(text));
		if (rh->type == (VD_MSG_ERROR | VD_REPLY) && rh->seq == 0) {
			/* not an answer: the broker refused or dropped us */
			du_err("the broker at %s %s the connection: %s",
			       c->path, c->seq == 1 ? "refused" : "closed",
			       text);
			return DU_EXIT_FAILURE;
		}
		du_err("%s", text);
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
	if (h->type == (VD_MSG_ERROR | VD_REPLY) && h->seq == 0) {
		char text[2 * sizeof(((struct vd_status *)0)->message)];

		vd_escape_ctl(((const struct vd_status *)(h + 1))->message,
			      text, sizeof(text));
		du_err("the broker at %s closed the connection: %s", c->path,
		       text);
		return DU_EXIT_FAILURE;
	}
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
