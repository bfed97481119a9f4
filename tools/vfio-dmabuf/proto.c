// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-dmabuf broker protocol: framing and validation (see proto.h).
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "proto.h"

_Static_assert(sizeof(struct vd_msg_hdr) == 16, "header size");
_Static_assert(sizeof(struct vd_status) == 208, "status size");
_Static_assert(sizeof(struct vd_export_req) == 72, "export request size");
_Static_assert(sizeof(struct vd_id_req) == 8, "id request size");
_Static_assert(sizeof(struct vd_memattr_req) == 8, "memattr request size");
_Static_assert(sizeof(struct vd_wire_buffer) == 96, "buffer size");
_Static_assert(sizeof(struct vd_wire_range) == 16, "range size");
_Static_assert(sizeof(struct vd_list) == 8, "list size");
_Static_assert(sizeof(struct vd_reset_req) == 32, "reset request size");
_Static_assert(sizeof(struct vd_reset) == 40, "reset reply size");

uint16_t vd_proto_type_version(uint16_t type)
{
	return (type & ~VD_REPLY) == VD_MSG_RESET ? 2 : 1;
}

void vd_proto_hdr(struct vd_msg_hdr *h, uint16_t type, uint32_t length,
		  uint32_t seq)
{
	h->magic = VD_PROTO_MAGIC;
	h->version = vd_proto_type_version(type);
	h->type = type;
	h->length = length;
	h->seq = seq;
}

int vd_proto_str_ok(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static int check_header(const void *buf, size_t len, char *msg, size_t mlen,
			const struct vd_msg_hdr **out)
{
	const struct vd_msg_hdr *h = buf;

	if (len < sizeof(*h)) {
		snprintf(msg, mlen, "truncated message: %zu bytes, shorter than the %zu-byte header",
			 len, sizeof(*h));
		return EBADMSG;
	}
	if (h->magic != VD_PROTO_MAGIC) {
		snprintf(msg, mlen, "bad magic 0x%08x: not a vfio-dmabuf protocol message",
			 h->magic);
		return EBADMSG;
	}
	if (h->version < 1 || h->version > VD_PROTO_VERSION) {
		snprintf(msg, mlen, "protocol version %u not supported (this side speaks 1 to %u)",
			 h->version, VD_PROTO_VERSION);
		return EPROTONOSUPPORT;
	}
	if (h->length != len) {
		snprintf(msg, mlen, "%s message: header says %u bytes, datagram has %zu",
			 h->length > len ? "truncated" : "malformed",
			 h->length, len);
		return EBADMSG;
	}
	*out = h;
	return 0;
}

static int bad_size(char *msg, size_t mlen, const char *what, size_t got,
		    size_t want)
{
	snprintf(msg, mlen, "%s %s: body has %zu bytes, expected %zu",
		 got < want ? "truncated" : "malformed", what, got, want);
	return EBADMSG;
}

int vd_proto_check_request(const void *buf, size_t len, char *msg,
			   size_t mlen)
{
	const struct vd_msg_hdr *h;
	const struct vd_export_req *e;
	const struct vd_id_req *id;
	const struct vd_reset_req *rr;
	size_t blen;
	int err;

	err = check_header(buf, len, msg, mlen, &h);
	if (err)
		return err;
	blen = len - sizeof(*h);
	if (h->type == VD_MSG_RESET && h->version < 2) {
		snprintf(msg, mlen, "request type %u needs protocol version 2, message has version %u",
			 h->type, h->version);
		return EOPNOTSUPP;
	}

	switch (h->type) {
	case VD_MSG_HELLO:
	case VD_MSG_LIST:
	case VD_MSG_SHUTDOWN:
		if (blen)
			return bad_size(msg, mlen, "request", blen, 0);
		return 0;
	case VD_MSG_EXPORT:
		if (blen < sizeof(*e))
			return bad_size(msg, mlen, "export request", blen,
					sizeof(*e));
		e = (const void *)(h + 1);
		if (e->nranges == 0 || e->nranges > VD_MAX_RANGES) {
			snprintf(msg, mlen, "malformed export request: %u ranges (1 to %u allowed)",
				 e->nranges, VD_MAX_RANGES);
			return EBADMSG;
		}
		if (blen != sizeof(*e) + e->nranges * sizeof(e->ranges[0]))
			return bad_size(msg, mlen, "export request", blen,
					sizeof(*e) + e->nranges *
					sizeof(e->ranges[0]));
		if (!vd_proto_str_ok(e->device, sizeof(e->device)) ||
		    !vd_proto_str_ok(e->name, sizeof(e->name))) {
			snprintf(msg, mlen, "malformed export request: unterminated string");
			return EBADMSG;
		}
		if (e->flags & ~VD_EXPORT_FLAGS) {
			snprintf(msg, mlen, "malformed export request: unknown flags 0x%x",
				 e->flags & ~VD_EXPORT_FLAGS);
			return EBADMSG;
		}
		return 0;
	case VD_MSG_GET:
	case VD_MSG_REVOKE:
	case VD_MSG_MEMATTR_GET:
		if (blen != sizeof(*id))
			return bad_size(msg, mlen, "request", blen,
					sizeof(*id));
		id = (const void *)(h + 1);
		if (id->reserved) {
			snprintf(msg, mlen, "malformed request: reserved field is not zero");
			return EBADMSG;
		}
		return 0;
	case VD_MSG_MEMATTR_SET:
		if (blen != sizeof(struct vd_memattr_req))
			return bad_size(msg, mlen, "memattr request", blen,
					sizeof(struct vd_memattr_req));
		return 0;
	case VD_MSG_RESET:
		if (blen != sizeof(*rr))
			return bad_size(msg, mlen, "reset request", blen,
					sizeof(*rr));
		rr = (const void *)(h + 1);
		if (!vd_proto_str_ok(rr->device, sizeof(rr->device))) {
			snprintf(msg, mlen, "malformed reset request: unterminated string");
			return EBADMSG;
		}
		if (rr->flags || rr->reserved) {
			snprintf(msg, mlen, "malformed reset request: flags or reserved field not zero");
			return EBADMSG;
		}
		return 0;
	default:
		snprintf(msg, mlen, "unknown request type %u", h->type);
		return EOPNOTSUPP;
	}
}

int vd_proto_check_reply(const void *buf, size_t len, uint16_t req_type,
			 uint32_t seq, char *msg, size_t mlen)
{
	const struct vd_msg_hdr *h;
	const struct vd_status *st;
	const struct vd_wire_buffer *b;
	size_t blen;
	int err;

	err = check_header(buf, len, msg, mlen, &h);
	if (err)
		return err;
	/* an ERROR with seq 0 is about the connection, not a request: the
	 * broker refused or dropped it */
	if (h->seq != seq &&
	    !(h->seq == 0 && h->type == (VD_MSG_ERROR | VD_REPLY))) {
		snprintf(msg, mlen, "reply for request %u, expected %u",
			 h->seq, seq);
		return EBADMSG;
	}
	if (h->type != (req_type | VD_REPLY) &&
	    h->type != (VD_MSG_ERROR | VD_REPLY) &&
	    !(req_type == VD_MSG_LIST && h->type == VD_MSG_BUFFER)) {
		snprintf(msg, mlen, "unexpected reply type 0x%x", h->type);
		return EBADMSG;
	}
	blen = len - sizeof(*h);
	if (h->type == VD_MSG_BUFFER) {
		st = NULL;
	} else {
		if (blen < sizeof(*st))
			return bad_size(msg, mlen, "reply", blen, sizeof(*st));
		st = (const void *)(h + 1);
		if (!vd_proto_str_ok(st->message, sizeof(st->message))) {
			snprintf(msg, mlen, "malformed reply: unterminated message");
			return EBADMSG;
		}
		blen -= sizeof(*st);
		if (st->err || h->type == (VD_MSG_ERROR | VD_REPLY))
			return 0;	/* the status says it all */
	}

	switch (h->type & ~VD_REPLY) {
	case VD_MSG_HELLO:
		if (blen != sizeof(struct vd_hello))
			return bad_size(msg, mlen, "hello reply", blen,
					sizeof(struct vd_hello));
		return 0;
	case VD_MSG_LIST:
		if (blen != sizeof(struct vd_list))
			return bad_size(msg, mlen, "list reply", blen,
					sizeof(struct vd_list));
		return 0;
	case VD_MSG_SHUTDOWN:
		if (blen)
			return bad_size(msg, mlen, "reply", blen, 0);
		return 0;
	case VD_MSG_RESET:
		if (blen != sizeof(struct vd_reset))
			return bad_size(msg, mlen, "reset reply", blen,
					sizeof(struct vd_reset));
		if (!vd_proto_str_ok(((const struct vd_reset *)
				      ((const char *)(h + 1) + sizeof(*st)))->device,
				     VD_DEVICE_LEN)) {
			snprintf(msg, mlen, "malformed reset reply: unterminated string");
			return EBADMSG;
		}
		return 0;
	default:	/* BUFFER and the replies carrying one */
		b = (const void *)((const char *)(h + 1) +
				   (st ? sizeof(*st) : 0));
		if (blen < sizeof(*b))
			return bad_size(msg, mlen, "buffer", blen, sizeof(*b));
		if (b->nranges > VD_MAX_RANGES ||
		    blen != vd_wire_buffer_size(b->nranges))
			return bad_size(msg, mlen, "buffer", blen,
					vd_wire_buffer_size(b->nranges));
		if (!vd_proto_str_ok(b->device, sizeof(b->device)) ||
		    !vd_proto_str_ok(b->name, sizeof(b->name))) {
			snprintf(msg, mlen, "malformed buffer: unterminated string");
			return EBADMSG;
		}
		return 0;
	}
}
