// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the number parsers of tools/lib/parse.c: du_parse_u64, _u32, _fd,
 * _size, _iova and _bar, and du_format_size.
 *
 * Properties checked besides memory safety: *out is untouched on error;
 * the narrower parsers agree with du_parse_u64; every number du_parse_u64
 * takes du_parse_size takes with the same value; a size formatted by
 * du_format_size parses back to itself; an accepted IOVA is aligned.
 */
#include "fuzz.h"

#include <errno.h>
#include <limits.h>

#include "du/parse.h"

#define POISON64 UINT64_C(0xa5a5a5a5a5a5a5a5)

static void check_ret(int ret)
{
	FUZZ_ASSERT(ret == 0 || ret == -EINVAL || ret == -ERANGE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t u64 = POISON64, sz = POISON64, iova = POISON64, back;
	uint32_t u32 = 0xa5a5a5a5u;
	unsigned int bar = 0xa5a5u;
	int fd = -42, r64, r32, rfd, rsz, riova, rbar;
	uint64_t align;
	char buf[DU_SIZE_STRLEN];
	char *s;

	/* first byte: the IOVA alignment (a power of two up to 2^63, or an
	 * arbitrary value to exercise the refusal of bad alignments) */
	if (size < 1)
		return 0;
	align = data[0] < 64 ? UINT64_C(1) << data[0] : data[0];
	s = fuzz_strdup(data + 1, size - 1);
	if (!s)
		return 0;

	r64 = du_parse_u64(s, &u64);
	r32 = du_parse_u32(s, &u32);
	rfd = du_parse_fd(s, &fd);
	rsz = du_parse_size(s, &sz);
	riova = du_parse_iova(s, align, &iova);
	rbar = du_parse_bar(s, &bar);
	check_ret(r64);
	check_ret(r32);
	check_ret(rfd);
	check_ret(rsz);
	check_ret(riova);
	check_ret(rbar);

	if (r64) {
		FUZZ_ASSERT(u64 == POISON64);
		FUZZ_ASSERT(r32 && rfd && rbar);
	} else {
		FUZZ_ASSERT(rsz == 0 && sz == u64);
	}
	if (r32)
		FUZZ_ASSERT(u32 == 0xa5a5a5a5u);
	else
		FUZZ_ASSERT(u32 == u64);
	if (rfd)
		FUZZ_ASSERT(fd == -42);
	else
		FUZZ_ASSERT(fd >= 0 && (uint64_t)fd == u64);
	if (rbar)
		FUZZ_ASSERT(bar == 0xa5a5u);
	else
		FUZZ_ASSERT(bar <= 5 && bar == u64);
	if (rsz)
		FUZZ_ASSERT(sz == POISON64);
	if (riova) {
		FUZZ_ASSERT(iova == POISON64);
	} else {
		FUZZ_ASSERT(rsz == 0 && iova == sz);
		FUZZ_ASSERT(align <= 1 || (iova & (align - 1)) == 0);
	}

	if (!rsz) {
		du_format_size(sz, buf, sizeof(buf));
		FUZZ_ASSERT(du_parse_size(buf, &back) == 0 && back == sz);
	}
	/* the formatter alone, on the raw bytes as a number */
	if (size >= 9) {
		uint64_t v;

		memcpy(&v, data + 1, sizeof(v));
		du_format_size(v, buf, sizeof(buf));
		FUZZ_ASSERT(du_parse_size(buf, &back) == 0 && back == v);
	}
	free(s);
	return 0;
}
