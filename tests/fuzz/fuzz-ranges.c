// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz du_parse_ranges(), du_ranges_overlap() and du_ranges_total()
 * (tools/lib/parse.c), as --range and the broker's EXPORT use them.
 *
 * Input: byte 0 picks the page size (2^(b % 32), or a non-power of two),
 * byte 1 the table size; the rest is the range list.  Checked: the count
 * is within the table, every entry is non-zero, aligned and does not wrap;
 * the overlap verdict matches a direct pairwise check.
 */
#include "fuzz.h"

#include <errno.h>

#include "du/parse.h"

#define MAXR 300

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct du_range r[MAXR];
	uint64_t page, total;
	size_t max, n = 12345, i, j;
	bool ov, want = false;
	char *s;
	int ret;

	if (size < 2)
		return 0;
	page = data[0] & 0x80 ? (uint64_t)(data[0] & 0x7f)
			      : UINT64_C(1) << (data[0] % 32);
	max = data[1] % (MAXR + 1);
	s = fuzz_strdup(data + 2, size - 2);
	if (!s)
		return 0;
	ret = du_parse_ranges(s, page, r, max, &n);
	FUZZ_ASSERT(ret == 0 || ret == -EINVAL || ret == -ERANGE ||
		    ret == -E2BIG);
	if (ret) {
		FUZZ_ASSERT(n == 12345);
		free(s);
		return 0;
	}
	FUZZ_ASSERT(n >= 1 && n <= max);
	for (i = 0; i < n; i++) {
		FUZZ_ASSERT(r[i].length != 0);
		FUZZ_ASSERT(((r[i].offset | r[i].length) & (page - 1)) == 0);
		FUZZ_ASSERT(r[i].length <= UINT64_MAX - r[i].offset);
	}
	for (j = 1; j < n && !want; j++)
		for (i = 0; i < j && !want; i++)
			want = r[i].offset < r[j].offset + r[j].length &&
			       r[j].offset < r[i].offset + r[i].length;
	i = j = 999;
	ov = du_ranges_overlap(r, n, &i, &j);
	FUZZ_ASSERT(ov == want);
	if (ov)
		FUZZ_ASSERT(i < j && j < n);
	ret = du_ranges_total(r, n, &total);
	FUZZ_ASSERT(ret == 0 || ret == -ERANGE);
	free(s);
	return 0;
}
