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

static inline bytes skip_blanks(bytes q)
{
	while (ctl_lex_class[*q] == 1)
		q++;
	return q;
}

/* A hex digit's value + 1, 0 for any other byte. */
static const unsigned char hex1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

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
		for (q = d0 = q + 2; (d = hex1[*q]) != 0; q++)
			v = v << 4 | (d - 1);
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

/* The bytes of "--NAME" at q (past the "--") are one of the options' names
 * exactly, followed by what is not a word byte or by '=': the option, and
 * *after the byte after the name.  -1 for any other word. */
static inline int option(bytes q, bytes *after)
{
	int o;
	unsigned int n;

	switch (q[0]) {
	case 'i':
		if (q[1] != 'o')
			return -1;
		if (q[2] == 'a' && q[3] == 's')
			o = O_IOAS;
		else if (q[2] == 'v' && q[3] == 'a')
			o = O_IOVA;
		else
			return -1;
		n = 4;
		break;
	case 'l':
		if (q[1] != 'e' || q[2] != 'n' || q[3] != 'g' || q[4] != 't' ||
		    q[5] != 'h')
			return -1;
		o = O_LENGTH;
		n = 6;
		break;
	case 'o':
		if (q[1] != 'f' || q[2] != 'f' || q[3] != 's' || q[4] != 'e' ||
		    q[5] != 't')
			return -1;
		o = O_OFFSET;
		n = 6;
		break;
	case 'm':
		if (q[1] != 'e' || q[2] != 'm')
			return -1;
		o = O_MEM;
		n = 3;
		break;
	case 'a':
		if (q[1] != 'c' || q[2] != 'c' || q[3] != 'e' || q[4] != 's' ||
		    q[5] != 's')
			return -1;
		o = O_ACCESS;
		n = 6;
		break;
	default:
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
	int o;

	q = skip_blanks(line);
	if (q[0] != 'i' || q[1] != 'o' || q[2] != 'a' || q[3] != 's' ||
	    ctl_lex_class[q[4]] != 1)
		return false;
	q = skip_blanks(q + 5);
	if (q[0] == 'm' && q[1] == 'a' && q[2] == 'p' &&
	    ctl_lex_class[q[3]] == 1) {
		h->cmd = CTL_HOT_MAP;
		allowed = MAP_OPTS;
		q += 3;
	} else if (q[0] == 'u' && q[1] == 'n' && q[2] == 'm' && q[3] == 'a' &&
		   q[4] == 'p' && ctl_lex_class[q[5]] == 1) {
		h->cmd = CTL_HOT_UNMAP;
		allowed = UNMAP_OPTS;
		q += 5;
	} else {
		return false;
	}
	h->access = DU_IOMMU_READ | DU_IOMMU_WRITE;
	for (;;) {
		q = skip_blanks(q);
		if (ctl_lex_class[*q] != 0)
			break;
		if (q[0] != '-' || q[1] != '-')
			return false;
		o = option(q + 2, &v);
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
	if (!h->has_iova)
		h->iova = 0;
	if (!h->has_length)
		h->length = 0;
	if (!h->has_offset)
		h->offset = 0;
	*eol = (const char *)q;
	return true;
}
