/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared bits of the libFuzzer harnesses (tests/fuzz/fuzz-*.c).
 *
 * Each harness defines LLVMFuzzerTestOneInput().  A harness checks more
 * than "no crash": where a parser documents a property (leaves *out alone
 * on error, a formatted value parses back to itself, an accepted message
 * has the length its header says), FUZZ_ASSERT() aborts on a violation,
 * which libFuzzer reports as a crash with the input that caused it.
 */
#ifndef DU_FUZZ_H
#define DU_FUZZ_H

#ifdef HAVE_CONFIG_H
# include <config.h>
#endif

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: property violated: %s\n",	\
			__FILE__, __LINE__, #cond);			\
		abort();						\
	}								\
} while (0)

/* A NUL-terminated malloc()ed copy of the input (so ASan sees overreads
 * past the string's end); NULL when out of memory. */
static inline char *fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

#endif /* DU_FUZZ_H */
