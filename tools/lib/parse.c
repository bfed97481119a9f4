// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Strict parsers: whole-string, no sign, no blanks, overflow checked.
 *
 * The number scanner works on a (pointer, length) span so that list
 * parsers can use it on parts of a string without copying.  It scans the
 * complete syntax before reporting overflow, so malformed input is always
 * -EINVAL and only well-formed but too large input is -ERANGE.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "du/parse.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Scan a decimal or 0x-hex number at the start of [s, s + len).  Stores the
 * number of characters used in *used (0 = no number there) and whether it
 * overflowed 64 bits in *ovf.
 */
static uint64_t scan_num(const char *s, size_t len, size_t *used, bool *ovf)
{
	unsigned int base = 10;
	uint64_t v = 0;
	size_t i = 0, digits = 0;

	*ovf = false;
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	/* Overflow without a division per digit: v * 16 + d overflows
	 * exactly when v has one of its top 4 bits set; v * 10 + d when v is
	 * past UINT64_MAX / 10, or equal to it and d past UINT64_MAX % 10. */
	for (; i < len; i++, digits++) {
		int d = hexval(s[i]);

		if (d < 0 || (unsigned int)d >= base)
			break;
		if (base == 16 ? v >> 60 != 0 :
		    v > UINT64_MAX / 10 ||
		    (v == UINT64_MAX / 10 && (unsigned int)d > UINT64_MAX % 10))
			*ovf = true;
		v = v * base + (unsigned int)d;
	}
	*used = digits ? i : 0;
	return v;
}

/* A whole span that is exactly one number. */
static int num_span(const char *s, size_t len, uint64_t *out)
{
	size_t used;
	bool ovf;
	uint64_t v;

	if (!len)
		return -EINVAL;
	v = scan_num(s, len, &used, &ovf);
	if (!used || used != len)
		return -EINVAL;
	if (ovf)
		return -ERANGE;
	*out = v;
	return 0;
}

/* The shift of a K/M/G/T unit (either case), 0 for anything else. */
static inline unsigned int unit_shift(char c)
{
	switch (c) {
	case 'k': case 'K': return 10;
	case 'm': case 'M': return 20;
	case 'g': case 'G': return 30;
	case 't': case 'T': return 40;
	default: return 0;
	}
}

/* v << shift into *out, or -ERANGE if v (or its scan) overflowed. */
static inline int scaled(uint64_t v, bool ovf, unsigned int shift,
			 uint64_t *out)
{
	if (ovf || v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

/* A whole span that is a number with an optional K/M/G/T unit. */
static int size_span(const char *s, size_t len, uint64_t *out)
{
	unsigned int shift = 0;
	size_t used;
	bool ovf;
	uint64_t v;

	if (!len)
		return -EINVAL;
	v = scan_num(s, len, &used, &ovf);
	if (!used)
		return -EINVAL;
	if (used < len) {
		if (used + 1 != len)
			return -EINVAL;
		shift = unit_shift(s[used]);
		if (!shift)
			return -EINVAL;
	}
	return scaled(v, ovf, shift, out);
}

int du_parse_u64(const char *s, uint64_t *out)
{
	return s ? num_span(s, strlen(s), out) : -EINVAL;
}

int du_parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;
	int ret = du_parse_u64(s, &v);

	if (ret)
		return ret;
	if (v > UINT32_MAX)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

int du_parse_fd(const char *s, int *out)
{
	uint64_t v;
	int ret = du_parse_u64(s, &v);

	if (ret)
		return ret;
	if (v > INT_MAX)
		return -ERANGE;
	*out = (int)v;
	return 0;
}

/*
 * du_parse_size() is what every IOVA and length of a batch line goes
 * through, so it reads the string once (no strlen(), no span): the same
 * syntax and answers as size_span() on the whole string.
 */
int du_parse_size(const char *s, uint64_t *out)
{
	const char *p, *d0;
	unsigned int shift = 0;
	uint64_t v = 0;
	bool ovf = false;

	if (!s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		/* digit value + 1 by table (0: not a hex digit): one load a
		 * digit, no compare chain */
		static const unsigned char hexd1[256] = {
			['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
			['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
			['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14,
			['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12,
			['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
		};
		const char *q;
		unsigned int d;

		/* The loop has no overflow check: more than 16 digits after
		 * the leading zeros overflow, and are counted afterwards. */
		for (p = d0 = s + 2; (d = hexd1[(unsigned char)*p]) != 0; p++)
			v = v << 4 | (d - 1);
		if (p - d0 > 16) {
			for (q = d0; *q == '0'; q++)
				;
			ovf = p - q > 16;
		}
	} else {
		/* 19 digits never overflow: only a longer number is read
		 * again, with checks. */
		for (p = d0 = s; (unsigned char)(*p - '0') < 10; p++)
			v = v * 10 + (unsigned int)(*p - '0');
		if (p - d0 > 19) {
			v = 0;
			for (const char *q = d0; q < p; q++)
				ovf |= __builtin_mul_overflow(v, 10, &v) ||
				       __builtin_add_overflow(v, (unsigned int)(*q - '0'), &v);
		}
	}
	if (p == d0)
		return -EINVAL;
	if (*p) {
		if (p[1])
			return -EINVAL;
		shift = unit_shift(*p);
		if (!shift)
			return -EINVAL;
	}
	return scaled(v, ovf, shift, out);
}

char *du_format_size(uint64_t v, char *buf, size_t len)
{
	static const struct { unsigned int shift; char unit; } units[] = {
		{ 40, 'T' }, { 30, 'G' }, { 20, 'M' }, { 10, 'K' },
	};

	for (size_t i = 0; v && i < sizeof(units) / sizeof(units[0]); i++) {
		uint64_t mask = (UINT64_C(1) << units[i].shift) - 1;

		if (!(v & mask)) {
			snprintf(buf, len, "%" PRIu64 "%c",
				 v >> units[i].shift, units[i].unit);
			return buf;
		}
	}
	snprintf(buf, len, "%" PRIu64, v);
	return buf;
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

int du_parse_iova(const char *s, uint64_t align, uint64_t *out)
{
	uint64_t v;
	int ret;

	if (align > 1 && !is_pow2(align))
		return -EINVAL;
	ret = du_parse_size(s, &v);
	if (ret)
		return ret;
	if (align > 1 && (v & (align - 1)))
		return -EINVAL;
	*out = v;
	return 0;
}

int du_parse_bar(const char *s, unsigned int *out)
{
	uint64_t v;
	int ret = du_parse_u64(s, &v);

	if (ret)
		return ret;
	if (v > 5)
		return -ERANGE;
	*out = (unsigned int)v;
	return 0;
}

/* ---- PCI addresses ---------------------------------------------------- */

/* 1 to 8 hex digits at *p, advancing *p. */
static int hex_field(const char **p, uint32_t *out)
{
	uint32_t v = 0;
	int n = 0, d;

	while ((d = hexval(**p)) >= 0) {
		if (++n > 8)
			return -EINVAL;
		v = (v << 4) | (uint32_t)d;
		(*p)++;
	}
	if (!n)
		return -EINVAL;
	*out = v;
	return 0;
}

int du_parse_pci_addr(const char *s, struct du_pci_addr *out)
{
	uint32_t f[4];		/* domain, bus, dev, fn */
	const char *p = s;
	int colons = 0, i = 0;

	if (!s)
		return -EINVAL;
	for (const char *q = s; *q; q++)
		colons += *q == ':';
	if (colons == 1) {
		f[i++] = 0;
	} else if (colons != 2) {
		return -EINVAL;
	}
	for (; i < 4; i++) {
		static const char sep[4] = { ':', ':', '.', '\0' };

		if (hex_field(&p, &f[i]) || *p != sep[i])
			return -EINVAL;
		if (*p)
			p++;
	}
	if (f[1] > 0xff || f[2] > 0x1f || f[3] > 7)
		return -ERANGE;
	out->domain = f[0];
	out->bus = (uint8_t)f[1];
	out->dev = (uint8_t)f[2];
	out->fn = (uint8_t)f[3];
	return 0;
}

char *du_pci_addr_format(const struct du_pci_addr *a, char *buf, size_t len)
{
	snprintf(buf, len, "%04" PRIx32 ":%02x:%02x.%x",
		 a->domain, a->bus, a->dev, a->fn);
	return buf;
}

bool du_pci_addr_equal(const struct du_pci_addr *a,
		       const struct du_pci_addr *b)
{
	return a->domain == b->domain && a->bus == b->bus &&
	       a->dev == b->dev && a->fn == b->fn;
}

/* ---- range lists ------------------------------------------------------ */

static int range_span(const char *s, size_t len, uint64_t page_size,
		      struct du_range *r)
{
	const char *colon = memchr(s, ':', len);
	uint64_t off, length;
	size_t olen;
	int ret;

	if (!colon)
		return -EINVAL;
	olen = (size_t)(colon - s);
	ret = size_span(s, olen, &off);
	if (!ret)
		ret = size_span(colon + 1, len - olen - 1, &length);
	if (ret)
		return ret;
	if (!length)
		return -EINVAL;
	if ((off | length) & (page_size - 1))
		return -EINVAL;
	if (length > UINT64_MAX - off)
		return -ERANGE;
	r->offset = off;
	r->length = length;
	return 0;
}

int du_parse_ranges(const char *s, uint64_t page_size, struct du_range *out,
		    size_t max, size_t *n)
{
	size_t count = 0;
	const char *p = s;

	if (!s || !*s || !max || !is_pow2(page_size))
		return -EINVAL;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		struct du_range r;
		int ret;

		ret = range_span(p, len, page_size, &r);
		if (ret)
			return ret;
		if (count == max)
			return -E2BIG;
		out[count++] = r;
		if (!comma)
			break;
		p = comma + 1;
	}
	*n = count;
	return 0;
}

static uint64_t range_end(const struct du_range *r)
{
	return r->length > UINT64_MAX - r->offset ? UINT64_MAX
						   : r->offset + r->length;
}

bool du_ranges_overlap(const struct du_range *r, size_t n,
		       size_t *i, size_t *j)
{
	for (size_t b = 1; b < n; b++) {
		for (size_t a = 0; a < b; a++) {
			if (!r[a].length || !r[b].length)
				continue;
			if (r[a].offset < range_end(&r[b]) &&
			    r[b].offset < range_end(&r[a])) {
				if (i)
					*i = a;
				if (j)
					*j = b;
				return true;
			}
		}
	}
	return false;
}

int du_ranges_total(const struct du_range *r, size_t n, uint64_t *total)
{
	uint64_t t = 0;

	for (size_t k = 0; k < n; k++) {
		if (r[k].length > UINT64_MAX - t)
			return -ERANGE;
		t += r[k].length;
	}
	*total = t;
	return 0;
}

/* ---- keywords --------------------------------------------------------- */

int du_parse_keyword(const char *s, const struct du_keyword *table,
		     int *value)
{
	if (!s)
		return -EINVAL;
	for (; table->name; table++) {
		if (!strcmp(s, table->name)) {
			*value = table->value;
			return 0;
		}
	}
	return -EINVAL;
}

const char *du_keyword_name(const struct du_keyword *table, int value)
{
	for (; table->name; table++)
		if (table->value == value)
			return table->name;
	return NULL;
}

char *du_keyword_list(const struct du_keyword *table, char *buf, size_t len)
{
	size_t used = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (const struct du_keyword *k = table; k->name; k++) {
		int w = snprintf(buf + used, len - used, "%s%s",
				 k == table ? "" : "|", k->name);

		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
	return buf;
}
