// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the vfio-dmabuf broker protocol checks (tools/vfio-dmabuf/proto.c):
 * vd_proto_check_request() as the broker runs it on every datagram a
 * client sends, and vd_proto_check_reply() as a client runs it on the
 * broker's answers.  The datagram is copied into a buffer of exactly its
 * size, so a check that reads past the end is caught by ASan.
 *
 * Input: byte 0 selects the request type the reply is checked against
 * (0: the type in the message's own header), the rest is the datagram.
 *
 * Checked: an accepted datagram has a full header, the right magic and a
 * supported version, and its header length equals its size; an accepted
 * EXPORT request has 1..VD_MAX_RANGES ranges that exactly fill it and
 * NUL-terminated strings; a refused one has a non-empty message.
 */
#include "fuzz.h"

#include <errno.h>

#include "proto.h"

static void check_accepted(const void *buf, size_t len)
{
	const struct vd_msg_hdr *h = buf;

	FUZZ_ASSERT(len >= sizeof(*h));
	FUZZ_ASSERT(h->magic == VD_PROTO_MAGIC);
	FUZZ_ASSERT(h->version >= 1 && h->version <= VD_PROTO_VERSION);
	FUZZ_ASSERT(h->length == len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char msg[256];
	uint8_t *buf;
	size_t len;
	int err;

	if (size < 1 || size > 2 * VD_MSG_MAX)
		return 0;
	len = size - 1;
	buf = malloc(len ? len : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, len);

	msg[0] = '\0';
	err = vd_proto_check_request(buf, len, msg, sizeof(msg));
	if (!err) {
		const struct vd_msg_hdr *h = (const void *)buf;

		check_accepted(buf, len);
		if (h->type == VD_MSG_EXPORT) {
			const struct vd_export_req *e = (const void *)(h + 1);

			FUZZ_ASSERT(e->nranges >= 1 &&
				    e->nranges <= VD_MAX_RANGES);
			FUZZ_ASSERT(len == sizeof(*h) + sizeof(*e) +
				    e->nranges * sizeof(e->ranges[0]));
			FUZZ_ASSERT(memchr(e->device, 0, sizeof(e->device)));
			FUZZ_ASSERT(memchr(e->name, 0, sizeof(e->name)));
		}
	} else {
		FUZZ_ASSERT(err == EBADMSG || err == EPROTONOSUPPORT ||
			    err == EOPNOTSUPP);
		FUZZ_ASSERT(msg[0] && strlen(msg) < sizeof(msg));
	}

	if (len >= sizeof(struct vd_msg_hdr)) {
		const struct vd_msg_hdr *h = (const void *)buf;
		uint16_t req = data[0] ? data[0] % 16 : h->type & ~VD_REPLY;

		msg[0] = '\0';
		err = vd_proto_check_reply(buf, len, req, h->seq, msg,
					   sizeof(msg));
		if (!err)
			check_accepted(buf, len);
		else
			FUZZ_ASSERT(msg[0] && strlen(msg) < sizeof(msg));
		/*
		 * A wrong seq is always refused, except for an ERROR with seq
		 * 0: the broker's word about the connection (refused, dropped),
		 * which answers whatever request was in flight.
		 */
		err = vd_proto_check_reply(buf, len, req, h->seq + 1, msg,
					   sizeof(msg));
		if (!(h->seq == 0 && h->type == (VD_MSG_ERROR | VD_REPLY)))
			FUZZ_ASSERT(err);
	}
	free(buf);
	return 0;
}
