// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for du/parse.h: every parser with valid and invalid input,
 * boundaries and overflow.
 */
#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>

#include "du/parse.h"
#include "tap.h"

#define SENTINEL UINT64_C(0x5a5a5a5a5a5a5a5a)

struct u64_case {
	const char *in;
	int ret;
	uint64_t want;
};

static void test_u64(void)
{
	static const struct u64_case cases[] = {
		{ "0", 0, 0 },
		{ "1", 0, 1 },
		{ "4096", 0, 4096 },
		{ "010", 0, 10 },		/* no octal */
		{ "0x0", 0, 0 },
		{ "0x1000", 0, 0x1000 },
		{ "0XABCdef", 0, 0xabcdef },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "0xffffffffffffffff", 0, UINT64_MAX },
		{ "0x00000000000000000001", 0, 1 },	/* leading zeros */
		{ "18446744073709551616", -ERANGE, 0 },
		{ "99999999999999999999999", -ERANGE, 0 },
		{ "0x10000000000000000", -ERANGE, 0 },
		{ "", -EINVAL, 0 },
		{ "0x", -EINVAL, 0 },
		{ "x10", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ "+1", -EINVAL, 0 },
		{ " 1", -EINVAL, 0 },
		{ "1 ", -EINVAL, 0 },
		{ "1k", -EINVAL, 0 },		/* units are for sizes */
		{ "12abc", -EINVAL, 0 },
		{ "0x12g", -EINVAL, 0 },
		{ "1.5", -EINVAL, 0 },
		{ "99999999999999999999999x", -EINVAL, 0 }, /* junk beats range */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = SENTINEL;
		int ret = du_parse_u64(cases[i].in, &v);

		is_int(ret, cases[i].ret, "u64 \"%s\" returns %d", cases[i].in,
		       cases[i].ret);
		is_u64(v, cases[i].ret ? SENTINEL : cases[i].want,
		       "u64 \"%s\" value", cases[i].in);
	}
	is_int(du_parse_u64(NULL, &(uint64_t){ 0 }), -EINVAL, "u64 NULL");
}

static void test_u32_fd_bar(void)
{
	uint32_t v = 7;
	int fd = 7;
	unsigned int bar = 9;

	is_int(du_parse_u32("4294967295", &v), 0, "u32 max");
	is_u64(v, UINT32_MAX, "u32 max value");
	is_int(du_parse_u32("0xffffffff", &v), 0, "u32 max hex");
	v = 7;
	is_int(du_parse_u32("4294967296", &v), -ERANGE, "u32 max + 1");
	is_int(v, 7, "u32 untouched on error");
	is_int(du_parse_u32("0x100000000", &v), -ERANGE, "u32 0x100000000");
	is_int(du_parse_u32("1z", &v), -EINVAL, "u32 junk");

	is_int(du_parse_fd("0", &fd), 0, "fd 0");
	is_int(fd, 0, "fd 0 value");
	is_int(du_parse_fd("2147483647", &fd), 0, "fd INT_MAX");
	is_int(fd, INT_MAX, "fd INT_MAX value");
	is_int(du_parse_fd("2147483648", &fd), -ERANGE, "fd INT_MAX + 1");
	is_int(du_parse_fd("-1", &fd), -EINVAL, "fd -1");
	is_int(du_parse_fd("3x", &fd), -EINVAL, "fd junk");

	is_int(du_parse_bar("0", &bar), 0, "bar 0");
	is_int(bar, 0, "bar 0 value");
	is_int(du_parse_bar("5", &bar), 0, "bar 5");
	is_int(bar, 5, "bar 5 value");
	is_int(du_parse_bar("0x2", &bar), 0, "bar 0x2");
	is_int(bar, 2, "bar 0x2 value");
	bar = 9;
	is_int(du_parse_bar("6", &bar), -ERANGE, "bar 6");
	is_int(bar, 9, "bar untouched on error");
	is_int(du_parse_bar("99999999999999999999", &bar), -ERANGE,
	       "bar overflow");
	is_int(du_parse_bar("", &bar), -EINVAL, "bar empty");
	is_int(du_parse_bar("2a", &bar), -EINVAL, "bar junk");
	is_int(du_parse_bar("-1", &bar), -EINVAL, "bar negative");
}

static void test_size(void)
{
	static const struct u64_case cases[] = {
		{ "0", 0, 0 },
		{ "4096", 0, 4096 },
		{ "0x1000", 0, 0x1000 },
		{ "4K", 0, 4096 },
		{ "4k", 0, 4096 },
		{ "2M", 0, 2 << 20 },
		{ "2m", 0, 2 << 20 },
		{ "1G", 0, UINT64_C(1) << 30 },
		{ "1T", 0, UINT64_C(1) << 40 },
		{ "0x10M", 0, UINT64_C(16) << 20 },
		{ "0K", 0, 0 },
		{ "16777215T", 0, UINT64_C(16777215) << 40 },
		{ "16777216T", -ERANGE, 0 },	/* exactly 2^64 */
		{ "17179869183G", 0, UINT64_C(17179869183) << 30 },
		{ "17179869184G", -ERANGE, 0 },
		{ "18014398509481983K", 0, UINT64_C(18014398509481983) << 10 },
		{ "18014398509481984K", -ERANGE, 0 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "18446744073709551616", -ERANGE, 0 },
		{ "", -EINVAL, 0 },
		{ "K", -EINVAL, 0 },
		{ "4KB", -EINVAL, 0 },
		{ "4KiB", -EINVAL, 0 },
		{ "4 K", -EINVAL, 0 },
		{ "4P", -EINVAL, 0 },
		{ "4E", -EINVAL, 0 },
		{ "-4K", -EINVAL, 0 },
		{ "4K ", -EINVAL, 0 },
		{ "0xK", -EINVAL, 0 },
		{ "1.5M", -EINVAL, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = SENTINEL;
		int ret = du_parse_size(cases[i].in, &v);

		is_int(ret, cases[i].ret, "size \"%s\" returns %d",
		       cases[i].in, cases[i].ret);
		is_u64(v, cases[i].ret ? SENTINEL : cases[i].want,
		       "size \"%s\" value", cases[i].in);
	}
}

static void test_format_size(void)
{
	char buf[DU_SIZE_STRLEN];

	is_str(du_format_size(0, buf, sizeof(buf)), "0", "format 0");
	is_str(du_format_size(1, buf, sizeof(buf)), "1", "format 1");
	is_str(du_format_size(4096, buf, sizeof(buf)), "4K", "format 4K");
	is_str(du_format_size(4097, buf, sizeof(buf)), "4097", "format 4097");
	is_str(du_format_size(3 << 20, buf, sizeof(buf)), "3M", "format 3M");
	is_str(du_format_size(UINT64_C(1) << 30, buf, sizeof(buf)), "1G",
	       "format 1G");
	is_str(du_format_size(UINT64_C(5) << 40, buf, sizeof(buf)), "5T",
	       "format 5T");
	is_str(du_format_size(UINT64_C(1) << 50, buf, sizeof(buf)), "1024T",
	       "format 2^50");
	is_str(du_format_size(UINT64_MAX, buf, sizeof(buf)),
	       "18446744073709551615", "format u64 max");
	is_str(du_format_size((UINT64_C(1) << 20) + 4096, buf, sizeof(buf)),
	       "1028K", "format 1M+4K");
}

static void test_iova(void)
{
	uint64_t v = SENTINEL;

	is_int(du_parse_iova("0x100000", 4096, &v), 0, "iova aligned");
	is_u64(v, 0x100000, "iova value");
	is_int(du_parse_iova("1M", 4096, &v), 0, "iova with unit");
	is_u64(v, 1 << 20, "iova unit value");
	is_int(du_parse_iova("0", 4096, &v), 0, "iova 0");
	is_int(du_parse_iova("0xfffffffffffff000", 4096, &v), 0,
	       "iova top page");
	is_u64(v, UINT64_C(0xfffffffffffff000), "iova top page value");
	v = SENTINEL;
	is_int(du_parse_iova("0x100800", 4096, &v), -EINVAL, "iova unaligned");
	is_u64(v, SENTINEL, "iova untouched on error");
	is_int(du_parse_iova("0x1001", 0, &v), 0, "iova align 0 = none");
	is_int(du_parse_iova("0x1001", 1, &v), 0, "iova align 1 = none");
	is_int(du_parse_iova("0x200000", 0x200000, &v), 0, "iova 2M aligned");
	is_int(du_parse_iova("0x201000", 0x200000, &v), -EINVAL,
	       "iova not 2M aligned");
	is_int(du_parse_iova("0x1000", 3000, &v), -EINVAL,
	       "iova align not a power of two");
	is_int(du_parse_iova("0x10000000000000000", 4096, &v), -ERANGE,
	       "iova overflow");
	is_int(du_parse_iova("16777216T", 4096, &v), -ERANGE,
	       "iova unit overflow");
	is_int(du_parse_iova("0x1000z", 4096, &v), -EINVAL, "iova junk");
}

struct pci_case {
	const char *in;
	int ret;
	const char *formatted;
};

static void test_pci(void)
{
	static const struct pci_case cases[] = {
		{ "0000:00:03.0", 0, "0000:00:03.0" },
		{ "00:03.0", 0, "0000:00:03.0" },
		{ "0:3.0", 0, "0000:00:03.0" },
		{ "0001:ff:1f.7", 0, "0001:ff:1f.7" },
		{ "0001:FF:1F.7", 0, "0001:ff:1f.7" },
		{ "10000:00:00.0", 0, "10000:00:00.0" },
		{ "ffffffff:00:00.0", 0, "ffffffff:00:00.0" },
		{ "100000000:00:00.0", -EINVAL, NULL },	/* 9 digits */
		{ "0000:100:00.0", -ERANGE, NULL },
		{ "0000:00:20.0", -ERANGE, NULL },
		{ "0000:00:1f.8", -ERANGE, NULL },
		{ "0000:00:03", -EINVAL, NULL },
		{ "0000:00:03.", -EINVAL, NULL },
		{ "0000:00:03.0 ", -EINVAL, NULL },
		{ "0000:00:03.0x", -EINVAL, NULL },
		{ "0000:00:03.00", 0, "0000:00:03.0" },	/* leading zero */
		{ "0000:00:03.10", -ERANGE, NULL },
		{ "0000:00.03.0", -EINVAL, NULL },
		{ "0000::03.0", -EINVAL, NULL },
		{ ":00:03.0", -EINVAL, NULL },
		{ "0000:00:03:0", -EINVAL, NULL },
		{ "1:0000:00:03.0", -EINVAL, NULL },
		{ "03.0", -EINVAL, NULL },
		{ "", -EINVAL, NULL },
		{ "g0:00.0", -EINVAL, NULL },
		{ "-1:00.0", -EINVAL, NULL },
	};
	struct du_pci_addr a, b;
	char buf[DU_PCI_ADDR_STRLEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = du_parse_pci_addr(cases[i].in, &a);

		is_int(ret, cases[i].ret, "pci \"%s\" returns %d", cases[i].in,
		       cases[i].ret);
		if (!ret && cases[i].formatted)
			is_str(du_pci_addr_format(&a, buf, sizeof(buf)),
			       cases[i].formatted, "pci \"%s\" formats",
			       cases[i].in);
	}
	du_parse_pci_addr("0000:00:03.0", &a);
	du_parse_pci_addr("00:03.0", &b);
	ok(du_pci_addr_equal(&a, &b), "pci equal with and without domain");
	du_parse_pci_addr("0000:00:03.1", &b);
	ok(!du_pci_addr_equal(&a, &b), "pci differ by function");
	is_int(du_parse_pci_addr(NULL, &a), -EINVAL, "pci NULL");
}

static void test_ranges(void)
{
	struct du_range r[4];
	size_t n = 99, i = 99, j = 99;
	uint64_t total;

	is_int(du_parse_ranges("0:2M,4M:4K", 4096, r, 4, &n), 0, "ranges two");
	is_int(n, 2, "ranges two count");
	is_u64(r[0].offset, 0, "range 0 offset");
	is_u64(r[0].length, 2 << 20, "range 0 length");
	is_u64(r[1].offset, 4 << 20, "range 1 offset");
	is_u64(r[1].length, 4096, "range 1 length");
	is_int(du_parse_ranges("0x1000:0x1000", 4096, r, 4, &n), 0,
	       "ranges hex");
	is_int(n, 1, "ranges hex count");
	is_int(du_parse_ranges("0:4K,0:4K,0:4K,0:4K", 4096, r, 4, &n), 0,
	       "ranges exactly max");
	n = 99;
	is_int(du_parse_ranges("0:4K,0:4K,0:4K,0:4K,0:4K", 4096, r, 4, &n),
	       -E2BIG, "ranges over max");
	is_int(n, 99, "count untouched on error");
	is_int(du_parse_ranges("0:4K", 4096, r, 0, &n), -EINVAL, "ranges max 0");
	is_int(du_parse_ranges("0:0", 4096, r, 4, &n), -EINVAL,
	       "ranges zero length");
	is_int(du_parse_ranges("0x800:4K", 4096, r, 4, &n), -EINVAL,
	       "ranges unaligned offset");
	is_int(du_parse_ranges("0:0x1800", 4096, r, 4, &n), -EINVAL,
	       "ranges unaligned length");
	is_int(du_parse_ranges("0:0x800", 2048, r, 4, &n), 0,
	       "ranges with 2K pages");
	is_int(du_parse_ranges("0:4K", 3000, r, 4, &n), -EINVAL,
	       "ranges page size not a power of two");
	is_int(du_parse_ranges("0:4K", 0, r, 4, &n), -EINVAL,
	       "ranges page size 0");
	is_int(du_parse_ranges("0xfffffffffffff000:4K", 4096, r, 4, &n),
	       -ERANGE, "ranges end at 2^64 overflows");
	is_int(du_parse_ranges("0xffffffffffffe000:4K", 4096, r, 4, &n), 0,
	       "ranges end just below 2^64");
	is_int(du_parse_ranges("16777216T:4K", 4096, r, 4, &n), -ERANGE,
	       "ranges offset overflow");
	is_int(du_parse_ranges("0:16777216T", 4096, r, 4, &n), -ERANGE,
	       "ranges length overflow");
	is_int(du_parse_ranges("", 4096, r, 4, &n), -EINVAL, "ranges empty");
	is_int(du_parse_ranges("0:4K,", 4096, r, 4, &n), -EINVAL,
	       "ranges trailing comma");
	is_int(du_parse_ranges(",0:4K", 4096, r, 4, &n), -EINVAL,
	       "ranges leading comma");
	is_int(du_parse_ranges("0:4K,,4K:4K", 4096, r, 4, &n), -EINVAL,
	       "ranges empty entry");
	is_int(du_parse_ranges("4K", 4096, r, 4, &n), -EINVAL,
	       "ranges missing length");
	is_int(du_parse_ranges(":4K", 4096, r, 4, &n), -EINVAL,
	       "ranges missing offset");
	is_int(du_parse_ranges("0:", 4096, r, 4, &n), -EINVAL,
	       "ranges empty length");
	is_int(du_parse_ranges("0:4K:8K", 4096, r, 4, &n), -EINVAL,
	       "ranges two colons");
	is_int(du_parse_ranges("0:4K ", 4096, r, 4, &n), -EINVAL,
	       "ranges trailing blank");
	is_int(du_parse_ranges("0:4Kx", 4096, r, 4, &n), -EINVAL,
	       "ranges junk");
	is_int(du_parse_ranges(NULL, 4096, r, 4, &n), -EINVAL, "ranges NULL");

	/* overlap */
	du_parse_ranges("0:2M,4M:4K", 4096, r, 4, &n);
	ok(!du_ranges_overlap(r, n, &i, &j), "disjoint ranges");
	du_parse_ranges("0:2M,2M:2M", 4096, r, 4, &n);
	ok(!du_ranges_overlap(r, n, &i, &j), "adjacent ranges do not overlap");
	du_parse_ranges("8K:4K,0:2M,4M:4K", 4096, r, 4, &n);
	ok(du_ranges_overlap(r, n, &i, &j), "overlapping ranges");
	is_int(i, 0, "overlap first index");
	is_int(j, 1, "overlap second index");
	du_parse_ranges("0:4K,8K:4K,1M:1M,0x1ff000:8K", 4096, r, 4, &n);
	ok(du_ranges_overlap(r, n, NULL, &j), "overlap at the end of a range");
	is_int(j, 3, "overlap pair found last");
	du_parse_ranges("0:4K,0:4K", 4096, r, 4, &n);
	ok(du_ranges_overlap(r, n, NULL, NULL), "identical ranges overlap");
	ok(!du_ranges_overlap(r, 1, NULL, NULL), "one range never overlaps");

	du_parse_ranges("0:2M,4M:4K", 4096, r, 4, &n);
	is_int(du_ranges_total(r, n, &total), 0, "total");
	is_u64(total, (2 << 20) + 4096, "total value");
	r[0].length = UINT64_MAX - 4095;
	is_int(du_ranges_total(r, 2, &total), -ERANGE, "total overflow");
}

static void test_keywords(void)
{
	static const struct du_keyword kw[] = {
		{ "nc", 0 }, { "wc", 1 }, { "wb", 7 }, { NULL, 0 },
	};
	static const struct du_keyword empty[] = { { NULL, 0 } };
	char buf[32];
	int v = 42;

	is_int(du_parse_keyword("wc", kw, &v), 0, "keyword wc");
	is_int(v, 1, "keyword wc value");
	is_int(du_parse_keyword("wb", kw, &v), 0, "keyword wb");
	is_int(v, 7, "keyword wb value");
	v = 42;
	is_int(du_parse_keyword("w", kw, &v), -EINVAL, "keyword prefix refused");
	is_int(du_parse_keyword("wcx", kw, &v), -EINVAL, "keyword longer");
	is_int(du_parse_keyword("WC", kw, &v), -EINVAL, "keyword case");
	is_int(du_parse_keyword("", kw, &v), -EINVAL, "keyword empty");
	is_int(du_parse_keyword(NULL, kw, &v), -EINVAL, "keyword NULL");
	is_int(du_parse_keyword("nc", empty, &v), -EINVAL, "keyword empty table");
	is_int(v, 42, "keyword untouched on error");
	is_str(du_keyword_name(kw, 7), "wb", "keyword name");
	ok(!du_keyword_name(kw, 3), "keyword name unknown");
	is_str(du_keyword_list(kw, buf, sizeof(buf)), "nc|wc|wb", "keyword list");
	is_str(du_keyword_list(kw, buf, 6), "nc|wc", "keyword list truncated");
	is_str(du_keyword_list(empty, buf, sizeof(buf)), "", "keyword list empty");
}

int main(void)
{
	test_u64();
	test_u32_fd_bar();
	test_size();
	test_format_size();
	test_iova();
	test_pci();
	test_ranges();
	test_keywords();
	return tap_done();
}
