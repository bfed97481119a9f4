/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vfio-dmabuf broker protocol (version 2), spoken on a SOCK_SEQPACKET
 * unix socket between `vfio-dmabuf serve` and its clients.  Documented in
 * vfio-dmabuf(1), section BROKER PROTOCOL.
 *
 * Every message (request or reply) is one datagram: a 16-byte header and a
 * body whose size is fixed per type (EXPORT and BUFFER end with a counted
 * array of ranges).  Integers are in the host's byte order (the socket is
 * host-local); strings are NUL-terminated inside their fixed-size field.
 * The header's length is the size of the whole datagram; anything else is
 * rejected.  A reply carries the request's type with VD_REPLY set, the
 * request's seq, and a status block; a buffer fd travels with the reply
 * (SCM_RIGHTS) for GET and for EXPORT with VD_EXPORT_WANT_FD.  LIST is
 * answered by one LIST reply giving a count, then that many BUFFER
 * messages.  A malformed request is answered with an ERROR reply and the
 * connection is closed; fds sent to the broker are refused the same way.
 *
 * Versions: version 2 is version 1 plus the RESET request.  A message's
 * header carries the lowest version that has its type (vd_proto_type_version:
 * 2 for RESET, 1 for everything else), so a version-2 client still talks to
 * a version-1 broker for the version-1 requests, and a version-1 broker
 * refuses a RESET with "protocol version 2 not supported".  A broker accepts
 * versions 1 to VD_PROTO_VERSION and refuses a type sent with a version that
 * predates it.
 */
#ifndef VFIO_DMABUF_PROTO_H
#define VFIO_DMABUF_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "du/parse.h"

#define VD_PROTO_MAGIC		0x56444d42u	/* "VDMB" */
#define VD_PROTO_VERSION	2	/* highest spoken; 1 is still accepted */
#define VD_MAX_RANGES		256
#define VD_NAME_LEN		32	/* DMA_BUF_NAME_LEN */
#define VD_DEVICE_LEN		24
#define VD_MAX_DEVICES		16

struct vd_msg_hdr {
	uint32_t magic;		/* VD_PROTO_MAGIC */
	uint16_t version;	/* VD_PROTO_VERSION */
	uint16_t type;		/* VD_MSG_* (| VD_REPLY in replies) */
	uint32_t length;	/* bytes in the datagram, header included */
	uint32_t seq;		/* chosen by the client, echoed */
};

enum {
	VD_MSG_HELLO		= 1,	/* body: none; reply: vd_hello */
	VD_MSG_LIST		= 2,	/* body: none; reply: vd_list + BUFFERs */
	VD_MSG_EXPORT		= 3,	/* body: vd_export_req; reply: BUFFER */
	VD_MSG_GET		= 4,	/* body: vd_id_req; reply: BUFFER + fd */
	VD_MSG_REVOKE		= 5,	/* body: vd_id_req; reply: BUFFER */
	VD_MSG_MEMATTR_GET	= 6,	/* body: vd_id_req; reply: BUFFER */
	VD_MSG_MEMATTR_SET	= 7,	/* body: vd_memattr_req; reply: BUFFER */
	VD_MSG_SHUTDOWN		= 8,	/* body: none; reply: status only */
	VD_MSG_BUFFER		= 9,	/* broker to client only (after LIST) */
	VD_MSG_RESET		= 10,	/* v2; body: vd_reset_req; reply: vd_reset */
	VD_MSG_ERROR		= 15,	/* reply to a malformed request */
	VD_REPLY		= 0x8000,
};

/* Every reply starts with this after the header. */
struct vd_status {
	int32_t err;		/* 0 or a positive errno */
	uint32_t exit_code;	/* the exit status a client should use */
	char message[200];	/* human-readable, "" on success */
};

struct vd_hello {
	uint32_t pid;
	uint32_t uid;
	uint32_t version;	/* highest protocol version spoken */
	uint32_t ndevices;
	uint32_t nbuffers;
	uint32_t reserved;
	struct {
		char device[VD_DEVICE_LEN];	/* "0000:00:11.0" */
		char cdev[32];			/* "vfio0", "" for legacy */
		uint32_t features;		/* VD_FEAT_* */
		uint32_t reserved;
	} devices[VD_MAX_DEVICES];
};

enum {
	VD_FEAT_DMA_BUF	= 1 << 0,
	VD_FEAT_REVOKE	= 1 << 1,
	VD_FEAT_MEMATTR	= 1 << 2,
};

struct vd_list {
	uint32_t count;		/* BUFFER messages that follow */
	uint32_t reserved;
};

struct vd_wire_range {
	uint64_t offset;
	uint64_t length;
};

enum {
	VD_EXPORT_WANT_FD	= 1 << 0,	/* send the fd with the reply */
	VD_EXPORT_ALLOW_OVERLAP	= 1 << 1,	/* aliasing ranges allowed */
	VD_EXPORT_FLAGS		= VD_EXPORT_WANT_FD | VD_EXPORT_ALLOW_OVERLAP,
};

#define VD_MEMATTR_DEFAULT	0xffffffffu

struct vd_export_req {
	char device[VD_DEVICE_LEN];
	uint32_t bar;
	uint32_t memattr;	/* 0 nc, 1 wc, VD_MEMATTR_DEFAULT */
	uint32_t flags;		/* VD_EXPORT_* */
	uint32_t nranges;	/* 1..VD_MAX_RANGES */
	char name[VD_NAME_LEN];	/* "" = unnamed */
	struct vd_wire_range ranges[];
};

struct vd_id_req {
	uint32_t id;
	uint32_t reserved;	/* must be 0 */
};

struct vd_memattr_req {
	uint32_t id;
	uint32_t memattr;	/* 0 nc, 1 wc */
};

/* RESET: VFIO_DEVICE_RESET of one of the broker's devices. */
struct vd_reset_req {
	char device[VD_DEVICE_LEN];	/* "0000:01:00.0" */
	uint32_t flags;			/* must be 0 */
	uint32_t reserved;		/* must be 0 */
};

struct vd_reset {
	char device[VD_DEVICE_LEN];	/* the device reset, canonical form */
	uint32_t buffers;	/* live buffers of the device (revoked only
				 * while the reset lasted) */
	uint32_t revoked;	/* permanently revoked ones (stay revoked) */
	uint64_t duration_ns;	/* how long the ioctl took */
};

enum {
	VD_BUF_REVOKED	= 1 << 0,
};

struct vd_wire_buffer {
	uint32_t id;
	uint32_t bar;
	char device[VD_DEVICE_LEN];
	uint64_t size;
	uint64_t inode;
	uint32_t memattr;	/* 0 nc, 1 wc */
	uint32_t flags;		/* VD_BUF_* */
	uint32_t handed_out;	/* fds given to clients so far */
	uint32_t nranges;
	char name[VD_NAME_LEN];
	struct vd_wire_range ranges[];
};

/* Largest datagram either side sends or accepts. */
#define VD_MSG_MAX (sizeof(struct vd_msg_hdr) + sizeof(struct vd_status) + \
		    sizeof(struct vd_wire_buffer) + \
		    VD_MAX_RANGES * sizeof(struct vd_wire_range))

/* The protocol version a message type first appeared in (1 or 2); type
 * may carry VD_REPLY. */
uint16_t vd_proto_type_version(uint16_t type);

/* Fill a header (version: vd_proto_type_version(type)). */
void vd_proto_hdr(struct vd_msg_hdr *h, uint16_t type, uint32_t length,
		  uint32_t seq);

/*
 * The two checks below are the protocol's whole decoding: pure functions
 * (no I/O, no global state) that accept any bytes of any length, so a fuzz
 * harness can call them directly.  buf must be aligned for uint64_t (as
 * malloc'd memory is); after a 0 return, the caller may read the message
 * through the structures above.
 *
 * Check a received request datagram (len bytes).  Returns 0, or a positive
 * errno with msg filled: EBADMSG (truncated, bad magic or length, bad body),
 * EPROTONOSUPPORT (version), EOPNOTSUPP (unknown type).
 */
int vd_proto_check_request(const void *buf, size_t len, char *msg,
			   size_t mlen);

/* Check a reply of the given request type (len bytes) to request seq.
 * An ERROR reply with seq 0 (the broker refusing or dropping the
 * connection) passes for any seq.  Returns 0 or a positive errno with msg
 * filled. */
int vd_proto_check_reply(const void *buf, size_t len, uint16_t req_type,
			 uint32_t seq, char *msg, size_t mlen);

/* Size of a BUFFER body with n ranges. */
static inline size_t vd_wire_buffer_size(uint32_t n)
{
	return sizeof(struct vd_wire_buffer) +
		(size_t)n * sizeof(struct vd_wire_range);
}

/* True when a fixed-size string field is NUL-terminated. */
int vd_proto_str_ok(const char *s, size_t size);

#endif /* VFIO_DMABUF_PROTO_H */
