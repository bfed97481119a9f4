// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommufd-ctl: the hot lines of a batch in one pass.  A batch that maps a
 * named buffer again and again is made of two lines, "ioas map --mem ..."
 * and "ioas unmap ...".  Read through the splitter, the command tables and
 * the options' parsers, such a line costs more than the kernel's own work
 * for a map without a device; here its bytes are read once: the fixed
 * words are recognised where they lie and the numbers are converted as
 * they are read.  What comes out is exactly what the parsers would give
 * ioas map --mem and ioas unmap, which then do their work (ctl_ioas_hot()).
 *
 * Only lines whose reading is certain are taken: anything else (another
 * command, an option twice, an unknown or abbreviated option, a value
 * that a parser would refuse, quotes, comments, a CR) is left untouched
 * for the usual path, so every message is that path's.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif
#include <stdbool.h>
#include <stdint.h>

#include "du/iommufd.h"
#include "ctl.h"

typedef const unsigned char *bytes;

/*
 * Under the emulator of the test VM every load is checked against a
 * software TLB and every branch ends a translated block: the fixed words
 * are compared eight bytes at a time (ld8(): the caller guarantees
 * CTL_HOT_PAD readable bytes after the line's end), and bytes are tested
 * by value where a table lookup would be a second load.
 */
static inline uint64_t ld8(bytes q)
{
	uint64_t w;

	memcpy(&w, q, sizeof(w));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

/* The first n (1-8) bytes of a string as ld8() would load them. */
#define B(s, i) ((uint64_t)(unsigned char)(s)[i] << (8 * (i)))
#define W8(s) (B(s, 0) | B(s, 1) | B(s, 2) | B(s, 3) | B(s, 4) | B(s, 5) | \
	       B(s, 6) | B(s, 7))
#define MASK(n) (~0ull >> (64 - 8 * (n)))
#define WN(s, n) (W8(s "\0\0\0\0\0\0\0\0") & MASK(n))

static inline bool blank(unsigned char c)
{
	return c == ' ' || c == '\t';	/* ctl_lex_class 1 */
}

static inline bytes skip_blanks(bytes q)
{
	while (blank(*q))
		q++;
	return q;
}

/*
 * The number that is the whole word at q, as du_parse_size() reads it:
 * "0x" or "0X" and hex digits, or decimal digits, then at most one unit
 * (K, M, G, T, either case: times 2^10 to 2^40).  Read once, without
 * finding the word's end first.  Returns the word's end, or NULL for
 * anything else and for what du_parse_size() looks at twice (more than 16
 * hex or 19 decimal digits): the parser then says what is wrong, or
 * takes it.
 */
static inline bytes number(bytes q, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int d, shift;
	bytes d0;

	if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
		/* the byte after the word is no hex digit: no bound */
		for (q = d0 = q + 2;; q++) {
			d = (unsigned int)(*q - '0');
			if (d > 9) {
				d = (unsigned int)((*q | 0x20) - 'a');
				if (d > 5)
					break;
				d += 10;
			}
			v = v << 4 | d;
		}
		if (q - d0 > 16)
			return NULL;
	} else {
		for (d0 = q; (d = (unsigned int)(*q - '0')) < 10; q++)
			v = v * 10 + d;
		if (q - d0 > 19)
			return NULL;
	}
	if (q == d0)
		return NULL;
	if (ctl_lex_class[*q] != 0) {
		*out = v;
		return q;
	}
	switch (*q | 0x20) {
	case 'k': shift = 10; break;
	case 'm': shift = 20; break;
	case 'g': shift = 30; break;
	case 't': shift = 40; break;
	default: return NULL;
	}
	if (ctl_lex_class[q[1]] == 0 || v > UINT64_MAX >> shift)
		return NULL;
	*out = v << shift;
	return q + 1;
}

/* The name or reference that is the whole word at q, into buf
 * (CTL_NAME_MAX bytes): the word's end, or NULL when it is longer. */
static inline bytes name(bytes q, char *buf)
{
	size_t n = 0;

	while (ctl_lex_class[*q] == 0) {
		if (n == CTL_NAME_MAX - 1)
			return NULL;
		buf[n++] = (char)*q++;
	}
	buf[n] = '\0';
	return q;
}

enum { O_IOAS, O_IOVA, O_LENGTH, O_OFFSET, O_MEM, O_ACCESS };

/* bit O_x: the options each command has */
#define MAP_OPTS 0x3fu
#define UNMAP_OPTS ((1u << O_IOAS) | (1u << O_IOVA) | (1u << O_LENGTH))

/* The word at q is "--NAME" for one of the options' names exactly, or
 * "--NAME=VALUE": the option, and *after the byte after the name.  -1 for
 * any other word. */
static inline int option(bytes q, bytes *after)
{
	uint64_t w = ld8(q);
	int o;
	unsigned int n;

	if ((w & MASK(6)) == WN("--ioas", 6)) {
		o = O_IOAS;
		n = 6;
	} else if ((w & MASK(5)) == WN("--mem", 5)) {
		o = O_MEM;
		n = 5;
	} else if ((w & MASK(6)) == WN("--iova", 6)) {
		o = O_IOVA;
		n = 6;
	} else if (w == W8("--length")) {
		o = O_LENGTH;
		n = 8;
	} else if (w == W8("--offset")) {
		o = O_OFFSET;
		n = 8;
	} else if (w == W8("--access")) {
		o = O_ACCESS;
		n = 8;
	} else {
		return -1;
	}
	if (q[n] != '=' && ctl_lex_class[q[n]] == 0)
		return -1;	/* a longer word: --iovas, --memfd */
	*after = q + n;
	return o;
}

bool ctl_hot_scan(const char *p, const char *stop, size_t maxlen,
		  struct ctl_hot *h, const char **eol)
{
	bytes line = (bytes)p, q, v, e;
	unsigned int seen = 0, allowed;
	uint64_t w;
	int o;

	q = skip_blanks(line);
	w = ld8(q);
	if ((w & MASK(4)) != WN("ioas", 4) || !blank(q[4]))
		return false;
	q = skip_blanks(q + 5);
	w = ld8(q);
	if ((w & MASK(3)) == WN("map", 3) && blank(q[3])) {
		h->cmd = CTL_HOT_MAP;
		allowed = MAP_OPTS;
		q += 4;
	} else if ((w & MASK(5)) == WN("unmap", 5) && blank(q[5])) {
		h->cmd = CTL_HOT_UNMAP;
		allowed = UNMAP_OPTS;
		q += 6;
	} else {
		return false;
	}
	h->access = DU_IOMMU_READ | DU_IOMMU_WRITE;
	h->iova = h->length = h->offset = 0;	/* the options not given */
	for (;;) {
		q = skip_blanks(q);
		if (*q == '\n')
			break;
		o = option(q, &v);
		if (o < 0 || !(allowed & (1u << o)) || (seen & (1u << o)))
			return false;
		seen |= 1u << o;
		/* the value: after '=', or the next word (which argp would
		 * take whatever it is; one that starts with '-' may be a help
		 * word, which the usual path refuses) */
		if (*v == '=')
			v++;
		else
			v = skip_blanks(v);
		if (ctl_lex_class[*v] != 0 || *v == '-')
			return false;
		switch (o) {
		case O_IOAS:
			e = name(v, h->ioas);
			break;
		case O_MEM:
			e = name(v, h->mem);
			break;
		case O_IOVA:
			/* ctl_opt_iova(): page aligned */
			e = number(v, &h->iova);
			if (!e || h->iova % CTL_PAGE_SIZE)
				return false;
			break;
		case O_LENGTH:
			/* ctl_opt_size(), nonzero_page */
			e = number(v, &h->length);
			if (!e || !h->length || h->length % CTL_PAGE_SIZE)
				return false;
			break;
		case O_OFFSET:
			/* ctl_opt_size() and ioas_parse(): page aligned */
			e = number(v, &h->offset);
			if (!e || h->offset % CTL_PAGE_SIZE)
				return false;
			break;
		default:	/* O_ACCESS */
			e = v + 1;
			if (v[0] == 'r' && v[1] == 'w') {
				h->access = DU_IOMMU_READ | DU_IOMMU_WRITE;
				e++;
			} else if (v[0] == 'r') {
				h->access = DU_IOMMU_READ;
			} else if (v[0] == 'w') {
				h->access = DU_IOMMU_WRITE;
			} else {
				return false;
			}
			if (ctl_lex_class[*e] == 0)
				return false;
			break;
		}
		if (!e)
			return false;
		q = e;
	}
	/* The line's own end: not a quote, a comment or a CR, not the end of
	 * what was read (the line goes on), not too long. */
	if (*q != '\n' || q == (bytes)stop || (size_t)(q - line) > maxlen)
		return false;
	if (h->cmd == CTL_HOT_MAP ? !(seen & (1u << O_MEM)) :
	    (seen & ((1u << O_IOVA) | (1u << O_LENGTH))) !=
	    ((1u << O_IOVA) | (1u << O_LENGTH)))
		return false;
	h->has_ioas = seen & (1u << O_IOAS);
	h->has_iova = seen & (1u << O_IOVA);
	h->has_length = seen & (1u << O_LENGTH);
	h->has_offset = seen & (1u << O_OFFSET);
	*eol = (const char *)q;
	return true;
}
