/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vfio-dmabuf: data patterns for fill and verify.  A pattern gives the byte
 * at every offset of the buffer, so that any sub-range can be verified on
 * its own and a misplaced range (wrong offset, aliasing) shows up.
 *
 *   incr          byte = offset & 0xff
 *   addr          each aligned 64-bit word holds its own offset (LE)
 *   zero, ones    0x00, 0xff
 *   byte:V        the byte V everywhere
 *   random[:SEED] a pseudo-random stream keyed by SEED and the offset
 *   text:STRING   STRING repeated (offset modulo its length)
 */
#ifndef VFIO_DMABUF_PATTERN_H
#define VFIO_DMABUF_PATTERN_H

#include <stddef.h>
#include <stdint.h>

enum vd_pattern_kind {
	VD_PAT_BYTE,
	VD_PAT_INCR,
	VD_PAT_ADDR,
	VD_PAT_RANDOM,
	VD_PAT_TEXT,
};

struct vd_pattern {
	enum vd_pattern_kind kind;
	uint8_t byte;
	uint64_t seed;
	const char *text;	/* points into spec */
	size_t text_len;
	const char *spec;	/* as given */
};

/* Returns 0, or -1 with msg filled. */
int vd_pattern_parse(const char *s, struct vd_pattern *p, char *msg,
		     size_t len);
uint8_t vd_pattern_byte(const struct vd_pattern *p, uint64_t off);
/* The 8 bytes at off (a multiple of 8) as a little-endian word. */
uint64_t vd_pattern_word(const struct vd_pattern *p, uint64_t off);

#endif /* VFIO_DMABUF_PATTERN_H */
