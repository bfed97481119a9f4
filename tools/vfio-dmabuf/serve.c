// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-dmabuf serve: the broker.  It owns the devices given on the command
 * line and the buffers it exports from them, and answers requests on a
 * SOCK_SEQPACKET unix socket (proto.h).  Buffer fds go to clients with
 * SCM_RIGHTS; the device fds never leave this process.
 *
 * Lifetime: when the broker stops (SIGTERM, SIGINT, SIGHUP, a stop request)
 * it revokes every buffer it exported (VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE)
 * and closes the device fds.  On a kernel without the revoke feature, and
 * when the broker is killed outright, closing the last device fd is what
 * ends the buffers: vfio-pci then revokes every DMA-BUF of the device, so
 * clients keep dead fds and their mappings fault.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "du/errname.h"
#include "du/exitcodes.h"
#include "du/output.h"
#include "du/scm.h"
#include "du/uapi.h"
#include "du/vfio.h"
#include "proto.h"
#include "vfio-dmabuf.h"

/*
 * Connections: at most MAX_CLIENTS in all and MAX_PER_USER per peer uid
 * (SO_PEERCRED), so that one user cannot shut another out.  The broker's
 * own user and root are not limited per user, and when the table is full
 * a connection of theirs takes the place of the longest-idle one (of
 * another user if there is one): stop from the owner is always served.
 * A connection with no request for --client-timeout is closed.  Refused
 * and dropped connections get an ERROR with seq 0 saying why.
 */
#define MAX_CLIENTS 256
#define MAX_PER_USER 32
#define CLIENT_TIMEOUT_DEFAULT_MS 10000

struct broker_dev {
	struct vd_pcidev pci;
	struct du_vfio_device vfio;
	struct vd_features f;
	void *bar_map[DU_PCI_NUM_BARS];	/* --map-bar: the primary's own */
	uint64_t bar_len[DU_PCI_NUM_BARS];
};

struct broker_buf {
	uint32_t id;
	int fd;			/* -1 once revoked */
	unsigned int dev;	/* index in devs[] */
	unsigned int bar;
	size_t n;
	struct du_range *ranges;
	uint64_t size;
	uint64_t inode;
	char name[VD_NAME_LEN];
	uint32_t memattr;	/* VD_MEMATTR_DEFAULT when not known */
	bool revoked;
	uint32_t handed;
};

struct broker_client {
	int sock;
	pid_t pid;
	uid_t uid;
	int64_t last;		/* ms (monotonic): accepted, last request, or
				 * last progress of a LIST reply */
	/* a LIST reply in progress: BUFFER messages list_next..list_count-1
	 * are still to send (when the client's queue is full, the rest waits
	 * for POLLOUT; the broker never blocks on one client) */
	bool listing;
	uint32_t list_seq;
	size_t list_next, list_count;
};

struct serve_args {
	const char *socket;
	const char *devices[VD_MAX_DEVICES];
	unsigned int ndevices;
	mode_t mode;
	const char *group;
	const char *log;
	bool background;
	bool quiet;
	gid_t gid;			/* --group, when group is set */
	unsigned int client_timeout_ms;	/* --client-timeout */
	enum vd_vfio_mode vfio_mode;
	unsigned int map_bars;		/* --map-bar: bit N = BAR N */
};

static struct {
	struct broker_dev devs[VD_MAX_DEVICES];
	unsigned int ndevs;
	struct broker_buf *bufs;
	size_t nbufs;
	uint32_t next_id;
	struct broker_client clients[MAX_CLIENTS];
	unsigned int nclients;
	bool stop;
	bool quiet;
	uid_t owner;		/* the broker's own user */
	unsigned int client_timeout_ms;
	int spare_fd;		/* /dev/null, closed to refuse a connection
				 * when the broker is out of fds */
	int64_t refusal_logged;	/* ms: last refusal logged */
	unsigned int refusals;	/* refusals not logged since */
} B;

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void blog(const struct broker_client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void blog(const struct broker_client *c, const char *fmt, ...)
{
	char line[1024], text[2048];
	va_list ap;

	if (B.quiet)
		return;
	/* requests carry strings: one log line per event, never forged
	 * lines or terminal escapes */
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	vd_escape_ctl(line, text, sizeof(text));
	if (c)
		fprintf(stderr, "%s: client pid %d uid %u: %s\n",
			program_invocation_short_name, (int)c->pid,
			(unsigned int)c->uid, text);
	else
		fprintf(stderr, "%s: %s\n", program_invocation_short_name,
			text);
}

/* ---- replies ---------------------------------------------------------- */

static int send_msg(struct broker_client *c, uint16_t type, uint32_t seq,
		    int err, int exit_code, const char *message,
		    const void *body, size_t blen, int fd)
{
	_Alignas(uint64_t) char buf[VD_MSG_MAX];
	struct vd_msg_hdr *h = (void *)buf;
	struct vd_status *st = (void *)(h + 1);
	size_t len = sizeof(*h);
	int r;

	if (type != VD_MSG_BUFFER) {
		memset(st, 0, sizeof(*st));
		st->err = err;
		st->exit_code = (uint32_t)exit_code;
		if (message)
			snprintf(st->message, sizeof(st->message), "%s",
				 message);
		len += sizeof(*st);
	}
	if (blen)
		memcpy(buf + len, body, blen);
	len += blen;
	vd_proto_hdr(h, type, (uint32_t)len, seq);
	r = du_scm_send(c->sock, buf, len, fd >= 0 ? &fd : NULL,
			fd >= 0 ? 1 : 0);
	/* client sockets are non-blocking: a full queue means the client
	 * sends requests without reading the replies (a LIST in progress
	 * waits instead, see list_continue()) */
	if (r == -EAGAIN && !c->listing)
		blog(c, "does not read its replies: connection closed");
	else if (r < 0 && r != -EAGAIN)
		blog(c, "cannot send the reply: %s", strerror(-r));
	return r;
}

static int send_error(struct broker_client *c, const struct vd_msg_hdr *h,
		      int err, int exit_code, const char *message)
{
	blog(c, "refused: %s", message);
	return send_msg(c, h->type | VD_REPLY, h->seq, err, exit_code,
			message, NULL, 0, -1);
}

static struct vd_wire_buffer *wire(const struct broker_buf *b, size_t *len)
{
	struct vd_wire_buffer *w;
	size_t i;

	*len = vd_wire_buffer_size((uint32_t)b->n);
	w = calloc(1, *len);
	if (!w)
		return NULL;
	w->id = b->id;
	w->bar = b->bar;
	snprintf(w->device, sizeof(w->device), "%s", B.devs[b->dev].pci.bdf);
	w->size = b->size;
	w->inode = b->inode;
	w->memattr = b->memattr;
	w->flags = b->revoked ? VD_BUF_REVOKED : 0;
	w->handed_out = b->handed;
	w->nranges = (uint32_t)b->n;
	memcpy(w->name, b->name, sizeof(w->name));
	for (i = 0; i < b->n; i++) {
		w->ranges[i].offset = b->ranges[i].offset;
		w->ranges[i].length = b->ranges[i].length;
	}
	return w;
}

static int send_buffer(struct broker_client *c, uint16_t type, uint32_t seq,
		       struct broker_buf *b, bool with_fd)
{
	struct vd_wire_buffer *w;
	size_t len;
	int r;

	w = wire(b, &len);
	if (!w)
		return send_msg(c, type, seq, ENOMEM, DU_EXIT_FAILURE,
				"broker out of memory", NULL, 0, -1);
	r = send_msg(c, type, seq, 0, 0, NULL, w, len,
		     with_fd ? b->fd : -1);
	if (r == 0 && with_fd)
		b->handed++;
	free(w);
	return r;
}

/* ---- requests --------------------------------------------------------- */

static struct broker_buf *find_buf(uint32_t id)
{
	size_t i;

	for (i = 0; i < B.nbufs; i++)
		if (B.bufs[i].id == id)
			return &B.bufs[i];
	return NULL;
}

static void devices_list(char *out, size_t len)
{
	unsigned int i;
	size_t used = 0;

	out[0] = '\0';
	for (i = 0; i < B.ndevs && used < len; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%s",
					 i ? ", " : "", B.devs[i].pci.bdf);
	if (!B.ndevs)
		snprintf(out, len, "none");
}

static int do_hello(struct broker_client *c, const struct vd_msg_hdr *h)
{
	struct vd_hello hello;
	unsigned int i;

	memset(&hello, 0, sizeof(hello));
	hello.pid = (uint32_t)getpid();
	hello.uid = (uint32_t)getuid();
	hello.version = VD_PROTO_VERSION;
	hello.ndevices = B.ndevs;
	hello.nbuffers = (uint32_t)B.nbufs;
	for (i = 0; i < B.ndevs; i++) {
		snprintf(hello.devices[i].device,
			 sizeof(hello.devices[i].device), "%s",
			 B.devs[i].pci.bdf);
		snprintf(hello.devices[i].cdev, sizeof(hello.devices[i].cdev),
			 "%s", B.devs[i].vfio.cdev);
		hello.devices[i].features =
			(B.devs[i].f.dma_buf ? VD_FEAT_DMA_BUF : 0) |
			(B.devs[i].f.revoke ? VD_FEAT_REVOKE : 0) |
			(B.devs[i].f.memattr ? VD_FEAT_MEMATTR : 0);
	}
	return send_msg(c, h->type | VD_REPLY, h->seq, 0, 0, NULL, &hello,
			sizeof(hello), -1);
}

/* Send what the client's queue takes of a LIST reply in progress; < 0
 * when the connection must be closed.  Buffers are only ever appended, so
 * the first list_count are still there. */
static int list_continue(struct broker_client *c)
{
	int r;

	while (c->list_next < c->list_count) {
		r = send_buffer(c, VD_MSG_BUFFER, c->list_seq,
				&B.bufs[c->list_next], false);
		if (r == -EAGAIN)
			return 0;	/* the rest on POLLOUT */
		if (r < 0)
			return r;
		c->list_next++;
	}
	c->listing = false;
	return 0;
}

static int do_list(struct broker_client *c, const struct vd_msg_hdr *h)
{
	struct vd_list l = { .count = (uint32_t)B.nbufs };
	int r;

	r = send_msg(c, h->type | VD_REPLY, h->seq, 0, 0, NULL, &l,
		     sizeof(l), -1);
	if (r < 0)
		return r;
	c->listing = true;
	c->list_seq = h->seq;
	c->list_next = 0;
	c->list_count = B.nbufs;
	return list_continue(c);
}

static int do_export(struct broker_client *c, const struct vd_msg_hdr *h)
{
	const struct vd_export_req *req = (const void *)(h + 1);
	struct du_pci_addr addr;
	struct broker_dev *d = NULL;
	struct broker_buf *b, *nb;
	struct du_range *r;
	char msg[VD_MSG_LEN], devs[120];
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	unsigned int i;
	int fd, status;

	if (du_parse_pci_addr(req->device, &addr) < 0) {
		snprintf(msg, sizeof(msg), "invalid PCI address '%s'",
			 req->device);
		return send_error(c, h, EINVAL, DU_EXIT_USAGE, msg);
	}
	for (i = 0; i < B.ndevs; i++)
		if (du_pci_addr_equal(&addr, &B.devs[i].pci.addr))
			d = &B.devs[i];
	if (!d) {
		devices_list(devs, sizeof(devs));
		snprintf(msg, sizeof(msg), "device %s is not served by this broker (serving: %s)",
			 req->device, devs);
		return send_error(c, h, ENODEV, DU_EXIT_USAGE, msg);
	}
	status = vd_check_bar(&d->pci, req->bar, msg, sizeof(msg));
	if (status)
		return send_error(c, h, EINVAL, status, msg);
	if (req->memattr != VD_MEMATTR_DEFAULT &&
	    req->memattr != VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_NC &&
	    req->memattr != VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC) {
		snprintf(msg, sizeof(msg), "unknown memory attribute %u (expected 0 = nc or 1 = wc)",
			 req->memattr);
		return send_error(c, h, EINVAL, DU_EXIT_USAGE, msg);
	}
	r = calloc(req->nranges, sizeof(*r));
	if (!r)
		return send_error(c, h, ENOMEM, DU_EXIT_FAILURE,
				  "broker out of memory");
	for (i = 0; i < req->nranges; i++) {
		r[i].offset = req->ranges[i].offset;
		r[i].length = req->ranges[i].length;
		if (!r[i].length || r[i].offset % page || r[i].length % page ||
		    r[i].offset + r[i].length < r[i].offset) {
			snprintf(msg, sizeof(msg), "range %u (0x%" PRIx64 ":0x%" PRIx64 ") is empty, not page aligned or overflows",
				 i + 1, r[i].offset, r[i].length);
			free(r);
			return send_error(c, h, EINVAL, DU_EXIT_USAGE, msg);
		}
	}
	status = vd_check_ranges(&d->pci, req->bar, r, req->nranges,
				 req->flags & VD_EXPORT_ALLOW_OVERLAP, msg,
				 sizeof(msg));
	if (status) {
		free(r);
		return send_error(c, h, EINVAL, status, msg);
	}
	fd = vd_export(d->vfio.fd, &d->f, req->bar, &d->pci.bars[req->bar],
		       r, req->nranges,
		       req->name,
		       req->memattr == VD_MEMATTR_DEFAULT ? -1 :
		       (int)req->memattr, msg, sizeof(msg));
	if (fd < 0) {
		free(r);
		return send_error(c, h, EIO, -fd, msg);
	}
	nb = realloc(B.bufs, (B.nbufs + 1) * sizeof(*B.bufs));
	if (!nb) {
		close(fd);
		free(r);
		return send_error(c, h, ENOMEM, DU_EXIT_FAILURE,
				  "broker out of memory");
	}
	B.bufs = nb;
	b = &B.bufs[B.nbufs++];
	memset(b, 0, sizeof(*b));
	b->id = ++B.next_id;
	b->fd = fd;
	b->dev = (unsigned int)(d - B.devs);
	b->bar = req->bar;
	b->n = req->nranges;
	b->ranges = r;
	{
		int64_t sz = vd_dmabuf_size(fd);

		b->size = 0;
		if (sz >= 0)
			b->size = (uint64_t)sz;
		else
			for (i = 0; i < req->nranges; i++)
				b->size += r[i].length;
	}
	b->inode = vd_inode(fd);
	memcpy(b->name, req->name, sizeof(b->name));
	b->memattr = VD_MEMATTR_DEFAULT;
	if (d->f.memattr &&
	    du_vfio_dmabuf_memattr_get(d->vfio.fd, fd, &b->memattr) < 0)
		b->memattr = VD_MEMATTR_DEFAULT;
	blog(c, "exported buffer %u: %s BAR %u, %zu range%s, %" PRIu64 " bytes%s%s",
	     b->id, d->pci.bdf, b->bar, b->n, b->n == 1 ? "" : "s", b->size,
	     b->name[0] ? ", name " : "", b->name);
	return send_buffer(c, h->type | VD_REPLY, h->seq, b,
			   req->flags & VD_EXPORT_WANT_FD);
}

/* Look up the buffer of an id request; sends the error itself. */
static struct broker_buf *request_buf(struct broker_client *c,
				      const struct vd_msg_hdr *h,
				      uint32_t id, bool live)
{
	struct broker_buf *b = find_buf(id);
	char msg[VD_MSG_LEN];

	if (!b) {
		snprintf(msg, sizeof(msg), "no buffer %u in this broker", id);
		send_error(c, h, ENOENT, DU_EXIT_USAGE, msg);
		return NULL;
	}
	if (live && b->revoked) {
		snprintf(msg, sizeof(msg), "buffer %u was revoked", id);
		send_error(c, h, ENODEV, DU_EXIT_REVOKED, msg);
		return NULL;
	}
	return b;
}

static int do_get(struct broker_client *c, const struct vd_msg_hdr *h)
{
	const struct vd_id_req *req = (const void *)(h + 1);
	struct broker_buf *b = request_buf(c, h, req->id, true);

	if (!b)
		return 0;
	blog(c, "handed out buffer %u", b->id);
	return send_buffer(c, h->type | VD_REPLY, h->seq, b, true);
}

static int revoke_buf(struct broker_buf *b, char *msg, size_t len)
{
	struct broker_dev *d = &B.devs[b->dev];
	int err;

	if (!d->f.revoke) {
		snprintf(msg, len, "the running kernel lacks VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE (%s)",
			 strerror(d->f.revoke_err));
		return -DU_EXIT_NOTSUPP;
	}
	err = du_vfio_dmabuf_revoke(d->vfio.fd, b->fd);
	if (err < 0) {
		snprintf(msg, len, "revoking buffer %u failed: %s", b->id,
			 du_vfio_strerror(DU_VFIO_OP_REVOKE, err));
		return -du_vfio_exit_code(DU_VFIO_OP_REVOKE, err);
	}
	b->revoked = true;
	close(b->fd);
	b->fd = -1;
	return 0;
}

static int do_revoke(struct broker_client *c, const struct vd_msg_hdr *h)
{
	const struct vd_id_req *req = (const void *)(h + 1);
	struct broker_buf *b = request_buf(c, h, req->id, false);
	char msg[VD_MSG_LEN];
	int r;

	if (!b)
		return 0;
	if (b->revoked) {
		snprintf(msg, sizeof(msg), "buffer %u: %s", b->id,
			 du_vfio_strerror(DU_VFIO_OP_REVOKE, EBADFD));
		return send_error(c, h, EBADFD,
				  du_vfio_exit_code(DU_VFIO_OP_REVOKE, EBADFD),
				  msg);
	}
	r = revoke_buf(b, msg, sizeof(msg));
	if (r < 0)
		return send_error(c, h, EIO, -r, msg);
	blog(c, "revoked buffer %u", b->id);
	return send_buffer(c, h->type | VD_REPLY, h->seq, b, false);
}

static int do_memattr(struct broker_client *c, const struct vd_msg_hdr *h)
{
	const struct vd_memattr_req *req = (const void *)(h + 1);
	struct broker_buf *b = request_buf(c, h, req->id, true);
	struct broker_dev *d;
	char msg[VD_MSG_LEN];
	uint32_t v;
	int err;

	if (!b)
		return 0;
	d = &B.devs[b->dev];
	if (!d->f.memattr) {
		snprintf(msg, sizeof(msg), "the running kernel lacks VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR (%s)",
			 strerror(d->f.memattr_err));
		return send_error(c, h, EOPNOTSUPP, DU_EXIT_NOTSUPP, msg);
	}
	if ((h->type & ~VD_REPLY) == VD_MSG_MEMATTR_SET) {
		if (req->memattr != VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_NC &&
		    req->memattr != VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC) {
			snprintf(msg, sizeof(msg), "unknown memory attribute %u (expected 0 = nc or 1 = wc)",
				 req->memattr);
			return send_error(c, h, EINVAL, DU_EXIT_USAGE, msg);
		}
		err = du_vfio_dmabuf_memattr_set(d->vfio.fd, b->fd,
						 req->memattr);
		if (err == 0)
			blog(c, "buffer %u: memattr %s", b->id,
			     vd_memattr_name(req->memattr));
	} else {
		err = 0;
	}
	if (err == 0)
		err = du_vfio_dmabuf_memattr_get(d->vfio.fd, b->fd, &v);
	if (err < 0) {
		snprintf(msg, sizeof(msg), "buffer %u: %s", b->id,
			 (h->type & ~VD_REPLY) == VD_MSG_MEMATTR_SET ?
			 vd_memattr_why(d->vfio.fd, &d->f,
					&d->pci.bars[b->bar], req->memattr,
					err) :
			 du_vfio_strerror(DU_VFIO_OP_MEMATTR, err));
		return send_error(c, h, -err,
				  du_vfio_exit_code(DU_VFIO_OP_MEMATTR, err),
				  msg);
	}
	b->memattr = v;
	return send_buffer(c, h->type | VD_REPLY, h->seq, b, false);
}

static int do_reset(struct broker_client *c, const struct vd_msg_hdr *h)
{
	const struct vd_reset_req *req = (const void *)(h + 1);
	struct vd_reset rep;
	struct du_pci_addr addr;
	struct broker_dev *d = NULL;
	char msg[VD_MSG_LEN], devs[120];
	unsigned int i;
	uint64_t ns;
	size_t j;
	int status, err;

	if (du_parse_pci_addr(req->device, &addr) < 0) {
		snprintf(msg, sizeof(msg), "invalid PCI address '%s'",
			 req->device);
		return send_error(c, h, EINVAL, DU_EXIT_USAGE, msg);
	}
	for (i = 0; i < B.ndevs; i++)
		if (du_pci_addr_equal(&addr, &B.devs[i].pci.addr))
			d = &B.devs[i];
	if (!d) {
		devices_list(devs, sizeof(devs));
		snprintf(msg, sizeof(msg), "device %s is not served by this broker (serving: %s)",
			 req->device, devs);
		return send_error(c, h, ENODEV, DU_EXIT_USAGE, msg);
	}
	memset(&rep, 0, sizeof(rep));
	snprintf(rep.device, sizeof(rep.device), "%s", d->pci.bdf);
	for (j = 0; j < B.nbufs; j++) {
		if (&B.devs[B.bufs[j].dev] != d)
			continue;
		if (B.bufs[j].revoked)
			rep.revoked++;
		else
			rep.buffers++;
	}
	status = vd_reset(d->vfio.fd, d->pci.bdf, &ns, &err, msg,
			  sizeof(msg));
	if (status)
		return send_error(c, h, err, status, msg);
	rep.duration_ns = ns;
	blog(c, "reset %s (%u live buffer%s paused while it lasted) in %" PRIu64 " us",
	     d->pci.bdf, rep.buffers, rep.buffers == 1 ? "" : "s",
	     ns / 1000);
	return send_msg(c, h->type | VD_REPLY, h->seq, 0, 0, NULL, &rep,
			sizeof(rep), -1);
}

/* Returns < 0 when the connection must be closed. */
static int handle(struct broker_client *c)
{
	_Alignas(uint64_t) char buf[VD_MSG_MAX];
	char msg[VD_MSG_LEN];
	struct vd_msg_hdr *h = (void *)buf;
	struct vd_msg_hdr eh;
	int fds[1];
	size_t nfds = 0;
	ssize_t n;
	int err;

	n = du_scm_recv(c->sock, buf, sizeof(buf), fds, 0, &nfds);
	if (n == 0)
		return -1;	/* the client is gone */
	if (n == -EAGAIN)
		return 0;	/* nothing after all */
	if (n < 0) {
		if (n != -EMSGSIZE) {
			blog(c, "receive: %s", strerror((int)-n));
			return -1;
		}
		snprintf(msg, sizeof(msg), "message too large or carrying file descriptors");
		err = EBADMSG;
		vd_proto_hdr(&eh, VD_MSG_ERROR, 0, 0);
		h = &eh;
	} else {
		err = vd_proto_check_request(buf, (size_t)n, msg, sizeof(msg));
		if (err) {
			/* echo the seq only when the header was whole */
			uint32_t seq = (size_t)n >= sizeof(*h) &&
				h->magic == VD_PROTO_MAGIC ? h->seq : 0;

			vd_proto_hdr(&eh, VD_MSG_ERROR, 0, seq);
			h = &eh;
		}
	}
	if (err) {
		blog(c, "protocol error: %s", msg);
		send_msg(c, VD_MSG_ERROR | VD_REPLY, h->seq, err,
			 DU_EXIT_FAILURE, msg, NULL, 0, -1);
		return -1;
	}

	switch (h->type) {
	case VD_MSG_HELLO:
		return do_hello(c, h);
	case VD_MSG_LIST:
		return do_list(c, h);
	case VD_MSG_EXPORT:
		return do_export(c, h);
	case VD_MSG_GET:
		return do_get(c, h);
	case VD_MSG_REVOKE:
		return do_revoke(c, h);
	case VD_MSG_MEMATTR_GET:
	case VD_MSG_MEMATTR_SET:
		return do_memattr(c, h);
	case VD_MSG_RESET:
		return do_reset(c, h);
	case VD_MSG_SHUTDOWN:
		blog(c, "asked to stop");
		B.stop = true;
		return send_msg(c, h->type | VD_REPLY, h->seq, 0, 0, NULL,
				NULL, 0, -1);
	}
	return -1;
}

/* ---- setup and the loop ----------------------------------------------- */

static int open_socket(const struct serve_args *a)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int s, t;

	if (strlen(a->socket) >= sizeof(sa.sun_path)) {
		du_err("--socket: path '%s' is too long for a unix socket",
		       a->socket);
		return -DU_EXIT_USAGE;
	}
	strcpy(sa.sun_path, a->socket);
	if (lstat(a->socket, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			du_err("--socket: %s exists and is not a socket (%s)",
			       a->socket, vd_file_kind(st.st_mode));
			return -DU_EXIT_USAGE;
		}
		t = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (t >= 0 && connect(t, (struct sockaddr *)&sa,
				      sizeof(sa)) == 0) {
			close(t);
			du_err("a broker is already serving on %s", a->socket);
			return -DU_EXIT_FAILURE;
		}
		if (t >= 0)
			close(t);
		unlink(a->socket);	/* stale: nobody listens */
	}
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0) {
		du_err("socket: %s", strerror(errno));
		return -DU_EXIT_FAILURE;
	}
	old = umask(0177);	/* never world-accessible, even briefly */
	t = bind(s, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (t < 0) {
		du_err("cannot bind %s: %s", a->socket, strerror(errno));
		close(s);
		return -DU_EXIT_FAILURE;
	}
	if (a->group && chown(a->socket, (uid_t)-1, a->gid) < 0) {
		du_err("cannot give %s to group %s: %s", a->socket, a->group,
		       strerror(errno));
		goto fail;
	}
	if (chmod(a->socket, a->mode) < 0) {
		du_err("cannot chmod %s: %s", a->socket, strerror(errno));
		goto fail;
	}
	if (listen(s, 128) < 0) {
		du_err("listen: %s", strerror(errno));
		goto fail;
	}
	return s;
fail:
	close(s);
	unlink(a->socket);
	return -DU_EXIT_FAILURE;
}

/*
 * Tell a connection why it is being closed: an ERROR reply with seq 0, sent
 * without waiting (a client that does not read loses the message, not the
 * broker its time).
 */
static void goodbye(int sock, const char *why)
{
	_Alignas(uint64_t) char buf[sizeof(struct vd_msg_hdr) +
				    sizeof(struct vd_status)];
	struct vd_msg_hdr *h = (void *)buf;
	struct vd_status *st = (void *)(h + 1);

	memset(buf, 0, sizeof(buf));
	vd_proto_hdr(h, VD_MSG_ERROR | VD_REPLY, sizeof(buf), 0);
	st->err = ECONNREFUSED;
	st->exit_code = DU_EXIT_FAILURE;
	snprintf(st->message, sizeof(st->message), "%s", why);
	(void)send(sock, buf, sizeof(buf), MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void drop_client(unsigned int i)
{
	close(B.clients[i].sock);
	B.clients[i] = B.clients[--B.nclients];
}

/* Not limited per user, and may take an idle connection's place. */
static bool privileged(uid_t uid)
{
	return uid == B.owner || uid == 0;
}

/* Refuse a new connection, logging at most one refusal a second. */
static void refuse(int s, const struct broker_client *who, const char *why)
{
	int64_t now = mono_ms();

	goodbye(s, why);
	close(s);
	if (now - B.refusal_logged < 1000 && B.refusal_logged) {
		B.refusals++;
		return;
	}
	if (B.refusals)
		blog(who, "connection refused: %s (and %u more refused in the last second)",
		     why, B.refusals);
	else
		blog(who, "connection refused: %s", why);
	B.refusal_logged = now;
	B.refusals = 0;
}

/* Make room for a privileged newcomer: drop the longest-idle connection,
 * of an unprivileged user if there is one. */
static void make_room(const struct broker_client *who)
{
	unsigned int i, victim = 0;
	bool found_other = false;
	char why[VD_MSG_LEN];

	for (i = 0; i < B.nclients; i++) {
		bool other = !privileged(B.clients[i].uid);

		if ((other && !found_other) ||
		    (other == found_other &&
		     B.clients[i].last < B.clients[victim].last)) {
			victim = i;
			found_other = other;
		}
	}
	snprintf(why, sizeof(why), "the broker is full (%d connections): closed to make room for uid %u",
		 MAX_CLIENTS, (unsigned int)who->uid);
	blog(&B.clients[victim], "%s", why);
	goodbye(B.clients[victim].sock, why);
	drop_client(victim);
}

/* Accept one connection; false when there is none waiting. */
static bool accept_client(int lsock)
{
	struct broker_client nc = { .pid = 0, .uid = (uid_t)-1 };
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	char why[VD_MSG_LEN];
	unsigned int i, mine = 0;

	/* non-blocking: a client that stops reading must not stall the
	 * broker (see send_msg()) */
	nc.sock = accept4(lsock, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (nc.sock < 0 && (errno == EMFILE || errno == ENFILE) &&
	    B.spare_fd >= 0) {
		/* out of fds (many buffers): accept with the spare one to
		 * say so, or the waiting connection would wake us forever */
		close(B.spare_fd);
		nc.sock = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
		if (nc.sock >= 0)
			refuse(nc.sock, NULL, "the broker is out of file descriptors: try again later");
		B.spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		return nc.sock >= 0;
	}
	if (nc.sock < 0)
		return errno == EINTR || errno == ECONNABORTED;
	if (getsockopt(nc.sock, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0) {
		nc.pid = cred.pid;
		nc.uid = cred.uid;
	}
	nc.last = mono_ms();

	if (!privileged(nc.uid)) {
		for (i = 0; i < B.nclients; i++)
			if (B.clients[i].uid == nc.uid)
				mine++;
		if (mine >= MAX_PER_USER) {
			snprintf(why, sizeof(why), "too many connections from uid %u (at most %d per user)",
				 (unsigned int)nc.uid, MAX_PER_USER);
			refuse(nc.sock, &nc, why);
			return true;
		}
		if (B.nclients == MAX_CLIENTS) {
			snprintf(why, sizeof(why), "the broker is full (%d connections; at most %d per user): try again later",
				 MAX_CLIENTS, MAX_PER_USER);
			refuse(nc.sock, &nc, why);
			return true;
		}
	} else if (B.nclients == MAX_CLIENTS) {
		make_room(&nc);
	}
	B.clients[B.nclients++] = nc;
	return true;
}

/* Close the connections idle for --client-timeout; returns the ms until
 * the next one would be, -1 when there is none. */
static int drop_idle(void)
{
	int64_t now = mono_ms(), next = -1, left;
	char why[VD_MSG_LEN], secs[24];
	unsigned int i;

	vd_format_seconds(B.client_timeout_ms, secs, sizeof(secs));
	for (i = B.nclients; i-- > 0;) {
		left = B.clients[i].last + B.client_timeout_ms - now;
		if (left > 0) {
			if (next < 0 || left < next)
				next = left;
			continue;
		}
		snprintf(why, sizeof(why), B.clients[i].listing ?
			 "not reading its replies for %s s: connection closed (serve --client-timeout)" :
			 "idle for %s s: connection closed (serve --client-timeout)",
			 secs);
		blog(&B.clients[i], "%s", why);
		goodbye(B.clients[i].sock, why);
		drop_client(i);
	}
	return (int)next;
}

static int serve_loop(int lsock, int sigfd)
{
	struct pollfd pfd[MAX_CLIENTS + 2];
	struct signalfd_siginfo si;
	unsigned int i, n, k;
	int r, wait_ms;

	while (!B.stop) {
		wait_ms = drop_idle();
		pfd[0] = (struct pollfd){ .fd = lsock, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
		n = B.nclients;
		for (i = 0; i < n; i++)
			pfd[i + 2] = (struct pollfd){
				.fd = B.clients[i].sock,
				.events = B.clients[i].listing ? POLLOUT :
					POLLIN };
		r = poll(pfd, n + 2, wait_ms);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			du_err("poll: %s", strerror(errno));
			return DU_EXIT_FAILURE;
		}
		if (pfd[1].revents & POLLIN &&
		    read(sigfd, &si, sizeof(si)) == sizeof(si)) {
			blog(NULL, "signal %s: stopping",
			     sigabbrev_np((int)si.ssi_signo));
			B.stop = true;
			break;
		}
		/* clients in reverse, so that dropping one keeps indexes */
		for (i = n; i-- > 0;) {
			struct broker_client *c = &B.clients[i];
			short re = pfd[i + 2].revents;

			if (!re)
				continue;
			if (c->listing ? re & POLLOUT && list_continue(c) >= 0 :
			    re & POLLIN && handle(c) >= 0) {
				c->last = mono_ms();
				continue;
			}
			drop_client(i);
		}
		/* drain the backlog, so that a flood cannot fill it */
		for (k = 0; pfd[0].revents & POLLIN && k < 64; k++)
			if (!accept_client(lsock))
				break;
	}
	return DU_EXIT_OK;
}

/* Revoke and close every buffer, then the devices. */
static void teardown(void)
{
	char msg[VD_MSG_LEN];
	size_t i;
	unsigned int d;
	unsigned int revoked = 0;

	for (i = 0; i < B.nbufs; i++) {
		struct broker_buf *b = &B.bufs[i];

		if (!b->revoked) {
			if (revoke_buf(b, msg, sizeof(msg)) == 0)
				revoked++;
			else if (b->fd >= 0)
				close(b->fd);
		}
		free(b->ranges);
	}
	for (d = 0; d < B.ndevs; d++) {
		for (unsigned int bar = 0; bar < DU_PCI_NUM_BARS; bar++) {
			if (B.devs[d].bar_map[bar])
				munmap(B.devs[d].bar_map[bar],
				       B.devs[d].bar_len[bar]);
			B.devs[d].bar_map[bar] = NULL;
		}
		du_vfio_close(&B.devs[d].vfio);
	}
	if (B.nbufs)
		blog(NULL, "%u of %zu buffers revoked; devices closed (which ends the rest)",
		     revoked, B.nbufs);
	free(B.bufs);
	B.bufs = NULL;
	B.nbufs = 0;
	/* last: a client waiting for the connection to close (stop) then
	 * knows that every buffer is gone */
	while (B.nclients)
		drop_client(B.nclients - 1);
	if (B.spare_fd >= 0)
		close(B.spare_fd);
	B.spare_fd = -1;
}

static const struct argp_option serve_options[] = {
	{ "socket", OPT_SOCKET, "PATH", 0,
	  "listen on the unix socket PATH (created; removed on exit)", 0 },
	{ "device", OPT_DEVICE, "ADDR", 0,
	  "own this vfio-pci device; repeatable (at most 16)", 0 },
	{ "mode", OPT_MODE, "OCTAL", 0,
	  "permissions of the socket file (default 0600): who may ask", 0 },
	{ "group", OPT_GROUP, "GROUP", 0,
	  "group of the socket file (a name or a number)", 0 },
	{ "client-timeout", OPT_CLIENT_TIMEOUT, "SECONDS", 0,
	  "close a connection without a request for SECONDS (default 10)", 0 },
	{ "background", OPT_BACKGROUND, NULL, 0,
	  "detach once listening; print the broker's pid", 0 },
	{ "log", OPT_INPUT, "FILE", 0,
	  "append the request log to FILE (default stderr; none in the background)",
	  0 },
	{ "quiet", OPT_QUIET, NULL, 0, "do not log requests", 0 },
	{ "vfio-mode", OPT_VFIO_MODE, "auto|cdev|group", 0,
	  "how to open the devices (default auto)", 0 },
	{ "map-bar", OPT_MAP_BAR, "N[,N...]", 0,
	  "map BAR N of every device through the device fd and keep it mapped while serving; repeatable",
	  0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

/* "2", "0,2": BAR indexes, each 0 to 5. */
static void parse_bar_list(struct argp_state *state, struct serve_args *a,
			   const char *arg)
{
	const char *p = arg;
	char *end;
	unsigned long v;

	for (;;) {
		errno = 0;
		v = strtoul(p, &end, 10);
		if (end == p || errno || v >= DU_PCI_NUM_BARS ||
		    (*end && *end != ',') || *p == '-' || *p == '+' ||
		    *p == ' ')
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--map-bar: '%s' is not a BAR index or a list of them (0 to %d, e.g. 2 or 0,2)",
				     arg, DU_PCI_NUM_BARS - 1);
		a->map_bars |= 1u << v;
		if (!*end)
			break;
		p = end + 1;
	}
}

static error_t serve_parse(int key, char *arg, struct argp_state *state)
{
	struct serve_args *a = state->input;
	char *end;
	unsigned long m;

	switch (key) {
	case OPT_SOCKET:
		if (!*arg)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--socket: empty path");
		a->socket = arg;
		break;
	case OPT_DEVICE:
		if (a->ndevices == VD_MAX_DEVICES)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--device: at most %d devices",
				     VD_MAX_DEVICES);
		a->devices[a->ndevices++] = arg;
		break;
	case OPT_MODE:
		errno = 0;
		m = strtoul(arg, &end, 8);
		if (!*arg || *end || errno || m > 0777)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--mode: '%s' is not an octal file mode (e.g. 0660)",
				     arg);
		a->mode = (mode_t)m;
		break;
	case OPT_GROUP: {
		struct group *gr = getgrnam(arg);
		uint32_t gid;

		if (gr)
			a->gid = gr->gr_gid;
		else if (du_parse_u32(arg, &gid) == 0 && gid != (uint32_t)-1)
			a->gid = (gid_t)gid;
		else
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--group: no such group '%s'", arg);
		a->group = arg;
		break;
	}
	case OPT_CLIENT_TIMEOUT:
		a->client_timeout_ms = vd_arg_seconds("--client-timeout", arg);
		if (!a->client_timeout_ms)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--client-timeout: 0 would let idle clients lock others out (give SECONDS > 0)");
		break;
	case OPT_BACKGROUND:
		a->background = true;
		break;
	case OPT_INPUT:
		a->log = arg;
		break;
	case OPT_QUIET:
		a->quiet = true;
		break;
	case OPT_VFIO_MODE:
		a->vfio_mode = vd_arg_vfio_mode(state, arg);
		break;
	case OPT_MAP_BAR:
		parse_bar_list(state, a, arg);
		break;
	case ARGP_KEY_ARG:
		argp_failure(state, DU_EXIT_USAGE, 0,
			     "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (!a->socket)
			argp_failure(state, DU_EXIT_USAGE, 0, "missing --socket");
		if (a->map_bars && !a->ndevices)
			argp_failure(state, DU_EXIT_USAGE, 0,
				     "--map-bar needs a --device");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp serve_argp = {
	.options = serve_options,
	.parser = serve_parse,
	.doc = "Run a broker: own vfio-pci devices and the DMA-BUFs exported "
	       "from them, and answer export, list, memattr, revoke, reset and "
	       "stop requests on a unix socket.\v"
	       "Clients receive buffer fds (SCM_RIGHTS), never a device fd; the "
	       "socket file's permissions decide who may ask.  When the broker "
	       "stops it revokes every buffer it exported and closes the "
	       "devices, so no buffer it vended stays usable.",
};

/*
 * --map-bar: map each BAR in mask through the device fd, whole, shared,
 * read-write, and keep it until teardown (the primary's own view of its
 * registers).  On the series' kernels the mapping is DMA-BUF backed and
 * /proc/<pid>/maps names it /dmabuf:<cdev>:<device>/<bar>.
 */
static int map_bars(struct broker_dev *d, unsigned int mask, char *msg,
		    size_t len)
{
	struct du_vfio_region reg;
	unsigned int bar;
	void *p;
	int err;

	for (bar = 0; bar < DU_PCI_NUM_BARS; bar++) {
		if (!(mask & (1u << bar)))
			continue;
		err = du_vfio_region_info(d->vfio.fd, bar, &reg);
		if (err < 0 || !reg.size) {
			snprintf(msg, len, "--map-bar %u: %s has no such VFIO region%s%s",
				 bar, d->pci.bdf, err < 0 ? ": " : "",
				 err < 0 ? strerror(-err) : "");
			return DU_EXIT_USAGE;
		}
		if (!(reg.flags & VFIO_REGION_INFO_FLAG_MMAP)) {
			snprintf(msg, len, "--map-bar %u: vfio-pci does not allow mmap of BAR %u of %s",
				 bar, bar, d->pci.bdf);
			return DU_EXIT_FAILURE;
		}
		p = mmap(NULL, reg.size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 d->vfio.fd, (off_t)reg.offset);
		if (p == MAP_FAILED) {
			err = errno;
			snprintf(msg, len, "--map-bar %u: cannot map BAR %u of %s: %s: %s",
				 bar, bar, d->pci.bdf, du_errno_name(err),
				 du_vfio_strerror(DU_VFIO_OP_MMAP, err));
			return du_vfio_exit_code(DU_VFIO_OP_MMAP, err);
		}
		d->bar_map[bar] = p;
		d->bar_len[bar] = reg.size;
	}
	return 0;
}

static void print_ready(const struct serve_args *a, pid_t pid)
{
	unsigned int i;

	vd_out_begin();
	du_out_open_array("brokers");
	du_out_open_object(NULL);
	du_print_int(DU_ANY, "pid", "broker %" PRId64, pid);
	du_print_string(DU_ANY, "socket", " socket %s", a->socket);
	du_out_open_array("devices");
	du_printf(" devices");
	for (i = 0; i < B.ndevs; i++) {
		du_out_open_object(NULL);
		du_print_string(DU_ANY, "device", " %s", B.devs[i].pci.bdf);
		if (B.devs[i].vfio.cdev[0])
			du_print_string(DU_ANY, "cdev", "(%s)",
					B.devs[i].vfio.cdev);
		else
			du_print_null(DU_ANY, "cdev", "(group)");
		du_print_bool(DU_JSON, "revoke", NULL, B.devs[i].f.revoke);
		du_print_bool(DU_JSON, "memattr", NULL, B.devs[i].f.memattr);
		du_out_open_array("mapped_bars");
		for (unsigned int bar = 0; bar < DU_PCI_NUM_BARS; bar++)
			if (B.devs[i].bar_map[bar])
				du_print_u64(DU_ANY, NULL, " BAR%" PRIu64 " mapped",
					     bar);
		du_out_close_array();
		du_out_close_object();
	}
	if (!B.ndevs)
		du_printf(" none");
	du_out_close_array();
	du_print_nl();
	du_out_close_object();
	du_out_close_array();
	(void)vd_out_end(DU_EXIT_OK);
}

int cmd_serve(int argc, char **argv)
{
	struct serve_args a = {
		.mode = 0600,
		.client_timeout_ms = CLIENT_TIMEOUT_DEFAULT_MS,
	};
	char msg[VD_MSG_LEN];
	sigset_t set;
	unsigned int i;
	int lsock, sigfd, status = 0, fd;
	pid_t pid;

	vd_parse(&serve_argp, "serve", argc, argv, &a);
	B.quiet = a.quiet;
	B.owner = geteuid();
	B.client_timeout_ms = a.client_timeout_ms;
	B.spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	/* every check that can fail with exit 2 comes first */
	for (i = 0; i < a.ndevices; i++) {
		status = vd_pcidev_lookup(a.devices[i], &B.devs[i].pci, msg,
					  sizeof(msg));
		for (unsigned int bar = 0; !status && bar < DU_PCI_NUM_BARS;
		     bar++)
			if (a.map_bars & (1u << bar))
				status = vd_check_bar(&B.devs[i].pci, bar, msg,
						      sizeof(msg));
		if (status)
			goto fail_msg;
		for (unsigned int j = 0; j < i; j++)
			if (du_pci_addr_equal(&B.devs[j].pci.addr,
					      &B.devs[i].pci.addr))
				vd_usage("--device %s given twice",
					 B.devs[i].pci.bdf);
	}
	for (i = 0; i < a.ndevices; i++) {
		status = vd_check_vfio_bound(&B.devs[i].pci, msg, sizeof(msg));
		if (!status)
			status = vd_open_device(&B.devs[i].pci, a.vfio_mode,
						&B.devs[i].vfio, msg,
						sizeof(msg));
		if (status)
			goto fail_msg;
		B.ndevs++;
		vd_probe_features(B.devs[i].vfio.fd, &B.devs[i].f);
		if (!B.devs[i].f.dma_buf) {
			snprintf(msg, sizeof(msg), "the running kernel cannot export VFIO DMA-BUFs from %s (VFIO_DEVICE_FEATURE_DMA_BUF: %s)",
				 B.devs[i].pci.bdf,
				 strerror(B.devs[i].f.dma_buf_err));
			status = DU_EXIT_NOTSUPP;
			goto fail_msg;
		}
		if (!B.devs[i].f.revoke)
			du_warn("%s: the running kernel lacks VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE: revoke requests will fail; buffers end only when the broker exits",
				B.devs[i].pci.bdf);
		status = map_bars(&B.devs[i], a.map_bars, msg, sizeof(msg));
		if (status)
			goto fail_msg;
	}
	if (a.log) {
		fd = open(a.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
			  0600);
		if (fd < 0) {
			snprintf(msg, sizeof(msg), "--log %s: %s", a.log,
				 strerror(errno));
			status = DU_EXIT_FAILURE;
			goto fail_msg;
		}
		fflush(stderr);
		dup2(fd, STDERR_FILENO);
		close(fd);
		setvbuf(stderr, NULL, _IOLBF, 0);
	}

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sigfd < 0) {
		snprintf(msg, sizeof(msg), "signalfd: %s", strerror(errno));
		status = DU_EXIT_FAILURE;
		goto fail_msg;
	}
	lsock = open_socket(&a);
	if (lsock < 0) {
		close(sigfd);
		status = -lsock;
		goto fail;
	}

	if (a.background) {
		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			du_err("fork: %s", strerror(errno));
			unlink(a.socket);
			close(lsock);
			close(sigfd);
			status = DU_EXIT_FAILURE;
			goto fail;
		}
		if (pid > 0) {
			print_ready(&a, pid);
			_exit(DU_EXIT_OK);	/* the child owns everything */
		}
		setsid();
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (fd >= 0) {
			dup2(fd, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
			if (!a.log)
				dup2(fd, STDERR_FILENO);
			close(fd);
		}
	} else {
		print_ready(&a, getpid());
	}

	blog(NULL, "serving on %s", a.socket);
	status = serve_loop(lsock, sigfd);
	close(lsock);
	unlink(a.socket);
	close(sigfd);
	teardown();
	blog(NULL, "stopped");
	return status;

fail_msg:
	du_err("%s", msg);
fail:
	teardown();
	return status;
}
