// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-dmabuf: data patterns (see pattern.h).
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <endian.h>
#include <stdio.h>
#include <string.h>

#include "du/parse.h"
#include "pattern.h"

int vd_pattern_parse(const char *s, struct vd_pattern *p, char *msg,
		     size_t len)
{
	uint64_t v;

	memset(p, 0, sizeof(*p));
	p->spec = s;
	if (strcmp(s, "incr") == 0) {
		p->kind = VD_PAT_INCR;
	} else if (strcmp(s, "addr") == 0) {
		p->kind = VD_PAT_ADDR;
	} else if (strcmp(s, "zero") == 0) {
		p->kind = VD_PAT_BYTE;
	} else if (strcmp(s, "ones") == 0) {
		p->kind = VD_PAT_BYTE;
		p->byte = 0xff;
	} else if (strncmp(s, "byte:", 5) == 0) {
		if (du_parse_u64(s + 5, &v) < 0 || v > 0xff) {
			snprintf(msg, len, "'%s': byte:V needs a value 0-255",
				 s);
			return -1;
		}
		p->kind = VD_PAT_BYTE;
		p->byte = (uint8_t)v;
	} else if (strcmp(s, "random") == 0) {
		p->kind = VD_PAT_RANDOM;
	} else if (strncmp(s, "random:", 7) == 0) {
		if (du_parse_u64(s + 7, &p->seed) < 0) {
			snprintf(msg, len, "'%s': random:SEED needs a number",
				 s);
			return -1;
		}
		p->kind = VD_PAT_RANDOM;
	} else if (strncmp(s, "text:", 5) == 0) {
		if (!s[5]) {
			snprintf(msg, len, "'%s': text:STRING needs a string",
				 s);
			return -1;
		}
		p->kind = VD_PAT_TEXT;
		p->text = s + 5;
		p->text_len = strlen(p->text);
	} else {
		snprintf(msg, len, "unknown pattern '%s' (expected incr, addr, zero, ones, byte:V, random[:SEED], text:STRING)",
			 s);
		return -1;
	}
	return 0;
}

/* splitmix64: a good 64-bit mix of (seed, word index) */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

uint64_t vd_pattern_word(const struct vd_pattern *p, uint64_t off)
{
	uint64_t w = 0;
	unsigned int k;

	switch (p->kind) {
	case VD_PAT_ADDR:
		return htole64(off);
	case VD_PAT_RANDOM:
		return htole64(mix(p->seed ^ mix(off >> 3)));
	case VD_PAT_BYTE:
		return 0x0101010101010101ull * p->byte;
	default:
		for (k = 0; k < 8; k++)
			w |= (uint64_t)vd_pattern_byte(p, off + k) << (8 * k);
		return htole64(w);
	}
}

uint8_t vd_pattern_byte(const struct vd_pattern *p, uint64_t off)
{
	switch (p->kind) {
	case VD_PAT_BYTE:
		return p->byte;
	case VD_PAT_INCR:
		return (uint8_t)off;
	case VD_PAT_TEXT:
		return (uint8_t)p->text[off % p->text_len];
	default:
		return (uint8_t)(le64toh(vd_pattern_word(p, off & ~7ull)) >>
				 (8 * (off & 7)));
	}
}
