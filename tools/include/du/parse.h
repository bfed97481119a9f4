/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * du/parse.h - strict parsers for command-line input.
 *
 * Every parser takes the whole string: no leading or trailing blanks, no
 * sign, no trailing junk.  Numbers are decimal, or hexadecimal with a 0x/0X
 * prefix (octal is not accepted: "010" is ten).  Each returns 0 on success,
 * -EINVAL for malformed input or a value the rules refuse (zero length,
 * misalignment...), -ERANGE when the value overflows or is out of range, and
 * leaves *out untouched on error.
 */
#ifndef DU_PARSE_H
#define DU_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int du_parse_u64(const char *s, uint64_t *out);
int du_parse_u32(const char *s, uint32_t *out);

/* A file descriptor number: 0..INT_MAX. */
int du_parse_fd(const char *s, int *out);

/*
 * A size: a number optionally followed by one binary unit K, M, G or T
 * (case-insensitive; 2^10, 2^20, 2^30, 2^40), e.g. 4096, 0x1000, 4K, 2M,
 * 1G, 0x10M.  Overflow of 64 bits gives -ERANGE.  Zero is accepted here.
 */
int du_parse_size(const char *s, uint64_t *out);

/*
 * Format a size for humans: the largest unit that divides it exactly
 * ("2M", "4K", "4097"; 0 gives "0").  Returns buf.  len >= DU_SIZE_STRLEN.
 */
#define DU_SIZE_STRLEN 24
char *du_format_size(uint64_t v, char *buf, size_t len);

/*
 * An IOVA: a size-syntax value (so "0x100000" and "1M" both work) that must
 * be a multiple of align (align is a power of two; 0 or 1 = no check).
 * Unaligned: -EINVAL.
 */
int du_parse_iova(const char *s, uint64_t align, uint64_t *out);

/* A BAR index: 0..5.  Anything else: -ERANGE (numbers) or -EINVAL. */
int du_parse_bar(const char *s, unsigned int *out);

/* ---- PCI addresses ---------------------------------------------------- */

struct du_pci_addr {
	uint32_t domain;	/* 0..0xffffffff (VMD domains exceed 0xffff) */
	uint8_t bus;		/* 0..0xff */
	uint8_t dev;		/* 0..0x1f */
	uint8_t fn;		/* 0..7 */
};

/* "DDDD:BB:DD.F" or "BB:DD.F" (domain 0), hex digits, case-insensitive.
 * Domain: 1-8 hex digits; bus: 1-2; device: 1-2; function: 1. */
int du_parse_pci_addr(const char *s, struct du_pci_addr *out);

/* Formats "0000:00:03.0" (sysfs form; domain at least 4 digits).
 * Returns buf.  len >= DU_PCI_ADDR_STRLEN. */
#define DU_PCI_ADDR_STRLEN 20
char *du_pci_addr_format(const struct du_pci_addr *a, char *buf, size_t len);

bool du_pci_addr_equal(const struct du_pci_addr *a,
		       const struct du_pci_addr *b);

/* ---- range lists ------------------------------------------------------ */

/* One byte range; also what the DMA-BUF export takes. */
struct du_range {
	uint64_t offset;
	uint64_t length;
};

/*
 * "offset:length[,offset:length...]" with size syntax on both sides, e.g.
 * "0:2M,4M:4K".  Each length is non-zero; offset and length are multiples of
 * page_size (a power of two); offset + length must not overflow 64 bits.
 * At most max entries (-E2BIG beyond; max == 0 is -EINVAL).  Empty entries
 * (",,", a trailing ",") are -EINVAL.  Stores the count in *n.
 * Overlaps are allowed here; see du_ranges_overlap().
 */
int du_parse_ranges(const char *s, uint64_t page_size, struct du_range *out,
		    size_t max, size_t *n);

/*
 * Look for two ranges that share at least one byte.  Returns true and the
 * indexes (i < j) of the first such pair in input order, else false.
 * i and j may be NULL.
 */
bool du_ranges_overlap(const struct du_range *r, size_t n,
		       size_t *i, size_t *j);

/* Sum of lengths, or -ERANGE on overflow. */
int du_ranges_total(const struct du_range *r, size_t n, uint64_t *total);

/* ---- keywords --------------------------------------------------------- */

/* A table of keywords ends with an entry whose name is NULL. */
struct du_keyword {
	const char *name;
	int value;
};

/* Exact, case-sensitive match (no prefixes).  Unknown: -EINVAL. */
int du_parse_keyword(const char *s, const struct du_keyword *table,
		     int *value);

/* Name of value in the table, or NULL. */
const char *du_keyword_name(const struct du_keyword *table, int value);

/* Write "a|b|c" (the table's names) into buf for messages; returns buf. */
char *du_keyword_list(const struct du_keyword *table, char *buf, size_t len);

#endif /* DU_PARSE_H */
