// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests (TAP) of vfio-dmabuf's SIGBUS guard, data patterns and
 * protocol checks.  The guard is exercised with the one SIGBUS a host can
 * produce without a device: touching a file mapping past the file's end,
 * which faults the same way as a revoked DMA-BUF mapping.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../unit/tap.h"
#include "../../../tools/vfio-dmabuf/guard.h"
#include "../../../tools/vfio-dmabuf/pattern.h"
#include "../../../tools/vfio-dmabuf/proto.h"

static volatile uint8_t *target;
static volatile uint8_t sink;

static void touch(void *arg)
{
	(void)arg;
	sink = *target;
}

static void check_guard(void)
{
	char path[] = "/tmp/vd-guard-XXXXXX";
	long page = sysconf(_SC_PAGESIZE);
	struct sigaction sa, before;
	uintptr_t fault = 0;
	uint8_t *map;
	int fd, i;

	fd = mkstemp(path);
	ok(fd >= 0, "temporary file");
	if (fd < 0)
		return;
	unlink(path);
	ok(ftruncate(fd, page) == 0, "file of one page");
	map = mmap(NULL, 2 * (size_t)page, PROT_READ, MAP_SHARED, fd, 0);
	ok(map != MAP_FAILED, "map two pages");
	if (map == MAP_FAILED) {
		close(fd);
		return;
	}
	sigaction(SIGBUS, NULL, &before);
	target = map;
	is_int(vd_guarded(touch, NULL, &fault), 0, "access inside the file");
	for (i = 0; i < 3; i++) {
		fault = 0;
		target = map + page + 8;
		is_int(vd_guarded(touch, NULL, &fault), 1,
		       "access past the end is caught (round %d)", i + 1);
		ok(fault == (uintptr_t)(map + page + 8),
		   "the fault address is reported (round %d)", i + 1);
	}
	sigaction(SIGBUS, NULL, &sa);
	ok(sa.sa_handler == before.sa_handler,
	   "the SIGBUS action from before is back");
	munmap(map, 2 * (size_t)page);
	close(fd);
}

static void check_patterns(void)
{
	struct vd_pattern p;
	char msg[200];
	uint64_t off, w;
	int bad = 0, k;
	static const char *const specs[] = {
		"incr", "addr", "zero", "ones", "byte:0xa5", "random",
		"random:42", "text:hello",
	};

	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		ok(vd_pattern_parse(specs[i], &p, msg, sizeof(msg)) == 0,
		   "pattern %s parses", specs[i]);
		bad = 0;
		for (off = 0; off < 4096; off += 8) {
			w = vd_pattern_word(&p, off);
			for (k = 0; k < 8; k++)
				if ((uint8_t)(w >> (8 * k)) !=
				    vd_pattern_byte(&p, off + (uint64_t)k))
					bad++;
		}
		is_int(bad, 0, "pattern %s: words and bytes agree", specs[i]);
	}
	vd_pattern_parse("incr", &p, msg, sizeof(msg));
	is_int(vd_pattern_byte(&p, 0x1234), 0x34, "incr at 0x1234");
	vd_pattern_parse("addr", &p, msg, sizeof(msg));
	is_u64(vd_pattern_word(&p, 0x2000), 0x2000, "addr word at 0x2000");
	vd_pattern_parse("text:ab", &p, msg, sizeof(msg));
	is_int(vd_pattern_byte(&p, 3), 'b', "text:ab at 3");
	vd_pattern_parse("random:1", &p, msg, sizeof(msg));
	w = vd_pattern_word(&p, 0);
	vd_pattern_parse("random:2", &p, msg, sizeof(msg));
	ok(w != vd_pattern_word(&p, 0), "random seeds differ");
	ok(vd_pattern_parse("byte:256", &p, msg, sizeof(msg)) < 0,
	   "byte:256 refused");
	ok(vd_pattern_parse("text:", &p, msg, sizeof(msg)) < 0,
	   "empty text refused");
	ok(vd_pattern_parse("Incr", &p, msg, sizeof(msg)) < 0,
	   "keywords match exactly");
}

/* Version 2: RESET (request and reply). */
static void check_proto_reset(void)
{
	char buf[VD_MSG_MAX], msg[200];
	struct vd_msg_hdr *h = (void *)buf;
	struct vd_reset_req *r = (void *)(h + 1);
	struct vd_status *st = (void *)(h + 1);
	struct vd_reset *rep = (void *)(st + 1);
	size_t len = sizeof(*h) + sizeof(*r);

	memset(buf, 0, sizeof(buf));
	is_int(vd_proto_type_version(VD_MSG_RESET), 2, "RESET is version 2");
	is_int(vd_proto_type_version(VD_MSG_RESET | VD_REPLY), 2,
	       "its reply too");
	is_int(vd_proto_type_version(VD_MSG_EXPORT), 1, "EXPORT is version 1");
	vd_proto_hdr(h, VD_MSG_RESET, (uint32_t)len, 3);
	is_int(h->version, 2, "the header of a RESET says version 2");
	strcpy(r->device, "0000:01:00.0");
	is_int(vd_proto_check_request(buf, len, msg, sizeof(msg)), 0,
	       "reset request is valid");
	h->version = 1;
	is_int(vd_proto_check_request(buf, len, msg, sizeof(msg)), EOPNOTSUPP,
	       "reset in a version-1 header refused");
	is_str(msg, "request type 10 needs protocol version 2, message has version 1",
	       "and says why");
	h->version = 2;
	r->reserved = 1;
	is_int(vd_proto_check_request(buf, len, msg, sizeof(msg)), EBADMSG,
	       "reset with a reserved word set");
	r->reserved = 0;
	r->flags = 2;
	is_int(vd_proto_check_request(buf, len, msg, sizeof(msg)), EBADMSG,
	       "reset with flags set");
	r->flags = 0;
	memset(r->device, 'x', sizeof(r->device));
	is_int(vd_proto_check_request(buf, len, msg, sizeof(msg)), EBADMSG,
	       "reset with an unterminated device");
	strcpy(r->device, "0000:01:00.0");
	is_int(vd_proto_check_request(buf, len - 4, msg, sizeof(msg)), EBADMSG,
	       "short reset request");

	memset(buf, 0, sizeof(buf));
	len = sizeof(*h) + sizeof(*st) + sizeof(*rep);
	vd_proto_hdr(h, VD_MSG_RESET | VD_REPLY, (uint32_t)len, 3);
	strcpy(rep->device, "0000:01:00.0");
	is_int(vd_proto_check_reply(buf, len, VD_MSG_RESET, 3, msg,
				    sizeof(msg)), 0, "reset reply is valid");
	is_int(vd_proto_check_reply(buf, len - 8, VD_MSG_RESET, 3, msg,
				    sizeof(msg)), EBADMSG, "short reset reply");
	memset(rep->device, 'y', sizeof(rep->device));
	is_int(vd_proto_check_reply(buf, len, VD_MSG_RESET, 3, msg,
				    sizeof(msg)), EBADMSG,
	       "reset reply with an unterminated device");
}

static void check_proto(void)
{
	char buf[VD_MSG_MAX], msg[200];
	struct vd_msg_hdr *h = (void *)buf;
	struct vd_export_req *e = (void *)(h + 1);
	size_t len;

	memset(buf, 0, sizeof(buf));
	vd_proto_hdr(h, VD_MSG_HELLO, sizeof(*h), 1);
	is_int(vd_proto_check_request(buf, sizeof(*h), msg, sizeof(msg)), 0,
	       "hello is valid");
	is_int(vd_proto_check_request(buf, 15, msg, sizeof(msg)), EBADMSG,
	       "15 bytes: truncated header");
	is_int(vd_proto_check_request(buf, sizeof(*h) + 4, msg, sizeof(msg)),
	       EBADMSG, "datagram longer than the length field");
	h->version = 2;
	is_int(vd_proto_check_request(buf, sizeof(*h), msg, sizeof(msg)),
	       0, "version 2 accepted for a version-1 type");
	h->version = 3;
	is_int(vd_proto_check_request(buf, sizeof(*h), msg, sizeof(msg)),
	       EPROTONOSUPPORT, "version 3 refused");
	h->version = 0;
	is_int(vd_proto_check_request(buf, sizeof(*h), msg, sizeof(msg)),
	       EPROTONOSUPPORT, "version 0 refused");
	h->version = VD_PROTO_VERSION;
	h->type = 99;
	is_int(vd_proto_check_request(buf, sizeof(*h), msg, sizeof(msg)),
	       EOPNOTSUPP, "unknown type");

	len = sizeof(*h) + sizeof(*e) + 2 * sizeof(e->ranges[0]);
	vd_proto_hdr(h, VD_MSG_EXPORT, (uint32_t)len, 2);
	strcpy(e->device, "0000:00:04.0");
	e->nranges = 2;
	is_int(vd_proto_check_request(buf, len, msg, sizeof(msg)), 0,
	       "export with 2 ranges is valid");
	e->nranges = 3;
	is_int(vd_proto_check_request(buf, len, msg, sizeof(msg)), EBADMSG,
	       "export saying 3 ranges, carrying 2");
	e->nranges = 0;
	is_int(vd_proto_check_request(buf, len, msg, sizeof(msg)), EBADMSG,
	       "export with 0 ranges");
	e->nranges = 2;
	memset(e->device, 'x', sizeof(e->device));
	is_int(vd_proto_check_request(buf, len, msg, sizeof(msg)), EBADMSG,
	       "unterminated device string");
	strcpy(e->device, "0000:00:04.0");
	e->flags = 0x80;
	is_int(vd_proto_check_request(buf, len, msg, sizeof(msg)), EBADMSG,
	       "unknown export flags");

	check_proto_reset();
}

int main(void)
{
	check_guard();
	check_patterns();
	check_proto();
	return tap_done();
}
